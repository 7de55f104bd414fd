// Calls (issue 17). Two parts, each doing nothing where its elements are
// absent:
// - the incoming-call banner (every page): an `incoming_call` frame on the
//   person's stream shows "… is calling you" with Accept (join through the
//   API, then the call screen) and Decline;
// - the call screen (/calls/{id}): the microphone and camera
//   (getUserMedia), one RTCPeerConnection per other person in a
//   peer-to-peer call with "perfect negotiation" (the polite side yields on
//   colliding offers), signals relayed by Cercle as `call_signal` frames on
//   the event WebSocket; mute, camera, device switch, screen share, hand,
//   leave, end for all and moderation through the JSON API.
// In a call of three or more (topology `sfu`, on a node with the forwarding
// unit: `data-unit`) there is one RTCPeerConnection, to the unit (signals
// addressed to `sfu`): send-only transceivers for the microphone and the
// camera (a shared screen is one more, a renegotiation); the unit offers a
// receiving track per other participant's track, its stream id being the
// participant's id, which puts each in that person's tile.
// For tests, the connections are on `window.cercleCall.pcs` (by person, or
// `sfu`), and `window.cercleCall.tracks` maps a received track's id to its
// person, `window.cercleCall.screens` holds those of shared screens.
import { api, BACKGROUND, sessionGone, checkSession, liveShare, liveState } from './core.js';

const json = async (r) => { try { return await r.json(); } catch (_) { return null; } };

// ---- The incoming-call banner --------------------------------------------------
(() => {
  const banner = document.getElementById('call-banner');
  if (!banner) return;
  const text = document.getElementById('call-banner-text');
  const here = () => {
    const call = document.getElementById('call');
    return call ? call.dataset.callId : null;
  };
  let ringing = null;
  const hide = () => { banner.hidden = true; ringing = null; if (text) text.textContent = ''; };
  const show = (data) => {
    if (!data || !data.call_id || data.call_id === here()) return;
    ringing = data.call_id;
    const name = (data.started_by && data.started_by.name) || '';
    const tpl = data.media === 'video' ? banner.dataset.msgVideo : banner.dataset.msgAudio;
    text.textContent = (tpl || '').replace('{name}', name);
    banner.hidden = false;
  };
  window.addEventListener('cercle:live', (e) => {
    const ev = e.detail;
    if (!ev || !ev.type) return;
    if (ev.type === 'incoming_call') show(ev.data);
    if (!ringing || !ev.data || !ev.data.call) return;
    const call = ev.data.call;
    if (call.id !== ringing) return;
    // Over (ended, or unanswered): no more ringing.
    if (call.state === 'ended') hide();
  });
  banner.querySelector('[data-call-accept]').addEventListener('click', async () => {
    const id = ringing;
    if (!id) return;
    const r = await api(`/calls/${id}/join`, { method: 'POST', body: '{}' });
    if (sessionGone(r)) return;
    hide();
    window.location.assign(`/calls/${id}`);
  });
  banner.querySelector('[data-call-decline]').addEventListener('click', async () => {
    const id = ringing;
    hide();
    if (id) await api(`/calls/${id}/decline`, { method: 'POST', body: '{}' });
  });
})();

// ---- The call screen ------------------------------------------------------------
(() => {
  const root = document.getElementById('call');
  if (!root) return;
  const callId = root.dataset.callId;
  const me = root.dataset.me;
  const video = root.dataset.media === 'video';
  const p2p = root.dataset.topology === 'p2p';
  // Through the node's forwarding unit: one connection, to `sfu`.
  const UNIT = 'sfu';
  const viaUnit = root.dataset.topology === 'sfu' && root.dataset.unit === 'true';
  const msg = (k, name) => {
    const el = root.querySelector(`[data-msg="${k}"]`);
    const t = el ? el.textContent : k;
    return name === undefined ? t : t.replace('{name}', name);
  };
  const $ = (sel) => root.querySelector(sel);
  const status = $('#call-status');
  const say = (k) => { if (status) status.textContent = msg(k); root.dataset.status = k; };
  const remoteArea = $('#call-remote');
  const localVideo = $('#call-local-video');
  const list = $('#call-participants');
  const controls = $('[data-testid=call-controls]');
  const devices = $('[data-testid=call-devices]');
  const joinButton = $('[data-call-join]');
  const moderator = root.dataset.moderator === 'true';

  const state = {
    inCall: root.dataset.inCall === 'true',
    started: false, // media asked for and connections allowed
    ended: root.dataset.state === 'ended',
    local: null, // MediaStream of the microphone (and camera)
    screen: null, // MediaStream of the shared screen
    muted: false,
    cameraOff: false,
    hand: false,
    ice: [],
    participants: [],
    seen: new Set(), // nonces of signals received (replays are dropped)
  };
  const pcs = new Map(); // person id -> { pc, polite, makingOffer, ignoreOffer, name }
  const tracks = new Map(); // received track id -> person id (through the unit)
  const screens = new Set(); // received track ids of shared screens (through the unit)
  window.cercleCall = { pcs: new Map(), state, tracks, screens };

  // -- the socket --------------------------------------------------------------
  let socket = null;
  let retry = 1000;
  // A signal goes through the socket when it is up and the frame small
  // enough for it (the server reads frames of 48 KiB at most), else through
  // the API (an SDP of a large call through the unit: hundreds of KiB),
  // whose refusal is shown as the socket's would be.
  const FRAME_MAX = 40 * 1024;
  const signal = async (to, body) => {
    const frame = JSON.stringify(Object.assign({ type: 'call_signal', call_id: callId, to }, body));
    if (frame.length <= FRAME_MAX && socket && socket.readyState === 1) { socket.send(frame); return; }
    try {
      const r = await api(`/calls/${callId}/signal`, { method: 'POST', body: JSON.stringify(Object.assign({ to }, body)), headers: BACKGROUND });
      if (!r.ok) {
        const e = await json(r);
        if (e && e.message) onEvent({ type: 'call_signal_error', data: { call_id: callId, code: e.code, message: e.message } });
      }
    } catch (_) { /* offline */ }
  };

  // -- participants ------------------------------------------------------------
  const renderParticipants = (people) => {
    state.participants = people;
    if (!list) return;
    const speaking = new Set([...list.querySelectorAll('li[data-speaking=true]')].map((li) => li.dataset.userId));
    list.textContent = '';
    for (const p of people) {
      const li = document.createElement('li');
      li.dataset.userId = p.user_id;
      li.dataset.muted = String(!!p.muted);
      li.dataset.hand = String(!!p.hand_raised);
      li.dataset.speaking = String(speaking.has(p.user_id));
      const name = document.createElement('span');
      name.className = 'call-person';
      name.textContent = p.name + (p.user_id === me ? ` (${msg('you')})` : '');
      li.append(name);
      const badge = (flag, text, cls, hidden) => {
        const b = document.createElement('span');
        b.className = 'badge' + (cls ? ' ' + cls : '');
        b.dataset.flag = flag;
        b.textContent = text;
        b.hidden = !!hidden;
        li.append(' ', b);
      };
      if (p.muted) badge('muted', msg('muted'));
      if (p.hand_raised) badge('hand', msg('hand-raised'), 'warn');
      badge('speaking', msg('speaking'), 'ok', !speaking.has(p.user_id));
      if (moderator && !state.ended && p.user_id !== me) {
        const mod = document.createElement('span');
        mod.className = 'call-moderation';
        if (!p.muted) {
          const m = document.createElement('button');
          m.type = 'button';
          m.className = 'linklike small';
          m.dataset.callMutePerson = p.user_id;
          m.textContent = msg('mute-person', p.name);
          mod.append(m);
        }
        const r = document.createElement('button');
        r.type = 'button';
        r.className = 'linklike small danger-link';
        r.dataset.callRemovePerson = p.user_id;
        r.dataset.confirmText = msg('remove-confirm', p.name);
        r.textContent = msg('remove-person', p.name);
        mod.append(r);
        li.append(mod);
      }
      list.append(li);
    }
  };
  if (list) {
    renderParticipants([...list.querySelectorAll('li')].map((li) => ({
      user_id: li.dataset.userId,
      name: (li.querySelector('.call-person') || li).firstChild.textContent.trim(),
      muted: li.dataset.muted === 'true',
      hand_raised: li.dataset.hand === 'true',
    })));
    list.addEventListener('click', async (e) => {
      const t = e.target;
      if (!(t instanceof HTMLElement)) return;
      if (t.dataset.callMutePerson) {
        await api(`/calls/${callId}/participants/${t.dataset.callMutePerson}/muted`, { method: 'PUT', body: JSON.stringify({ muted: true }) });
      } else if (t.dataset.callRemovePerson) {
        if (!window.confirm(t.dataset.confirmText)) return;
        await api(`/calls/${callId}/participants/${t.dataset.callRemovePerson}`, { method: 'DELETE' });
      }
    });
  }

  // -- media ---------------------------------------------------------------------
  const audioTrack = () => (state.local ? state.local.getAudioTracks()[0] : null);
  const cameraTrack = () => (state.local ? state.local.getVideoTracks()[0] : null);
  const getMedia = async () => {
    if (state.local) return;
    try {
      state.local = await navigator.mediaDevices.getUserMedia({ audio: true, video: video });
    } catch (_) {
      state.local = null;
      say('media-error');
    }
    if (localVideo && state.local) localVideo.srcObject = state.local;
    fillDevices();
  };
  const fillDevices = async () => {
    if (!navigator.mediaDevices || !navigator.mediaDevices.enumerateDevices) return;
    let all = [];
    try { all = await navigator.mediaDevices.enumerateDevices(); } catch (_) { return; }
    root.querySelectorAll('select[data-call-device]').forEach((select) => {
      const kind = select.dataset.callDevice;
      const current = kind === 'audioinput' ? audioTrack() : cameraTrack();
      const currentId = current && current.getSettings ? current.getSettings().deviceId : '';
      select.textContent = '';
      all.filter((d) => d.kind === kind).forEach((d, i) => {
        const o = document.createElement('option');
        o.value = d.deviceId;
        o.textContent = d.label || `${kind === 'audioinput' ? 'Micro' : 'Camera'} ${i + 1}`;
        if (d.deviceId === currentId) o.selected = true;
        select.append(o);
      });
    });
  };
  // The track each connection sends for a kind now (null: nothing).
  const outgoing = (kind) => {
    if (kind === 'audio') return state.muted ? null : audioTrack();
    return state.cameraOff ? null : cameraTrack();
  };
  // Each connection's own senders of the microphone and the camera (not
  // those of a shared screen, nor those the other side's offers created).
  const applyOutgoing = () => {
    for (const entry of pcs.values()) {
      for (const [kind, sender] of Object.entries(entry.senders)) {
        const want = outgoing(kind);
        if (sender.track !== want) sender.replaceTrack(want).catch(() => {});
      }
    }
  };
  root.querySelectorAll('select[data-call-device]').forEach((select) => {
    select.addEventListener('change', async () => {
      const kind = select.dataset.callDevice === 'audioinput' ? 'audio' : 'video';
      let fresh;
      try {
        fresh = await navigator.mediaDevices.getUserMedia({ [kind]: { deviceId: { exact: select.value } } });
      } catch (_) { return; }
      const track = kind === 'audio' ? fresh.getAudioTracks()[0] : fresh.getVideoTracks()[0];
      if (!track || !state.local) return;
      const old = kind === 'audio' ? audioTrack() : cameraTrack();
      if (old) { state.local.removeTrack(old); old.stop(); }
      track.enabled = kind === 'audio' ? !state.muted : !state.cameraOff;
      state.local.addTrack(track);
      applyOutgoing();
    });
  });

  // -- connections (perfect negotiation) ------------------------------------------
  const tileOf = (peer) => {
    let tile = remoteArea && remoteArea.querySelector(`[data-peer="${peer}"]`);
    if (tile || !remoteArea) return tile;
    tile = document.createElement('div');
    tile.dataset.peer = peer;
    tile.className = 'call-peer';
    remoteArea.append(tile);
    return tile;
  };
  const nameOf = (peer) => {
    const p = state.participants.find((x) => x.user_id === peer);
    return p ? p.name : '';
  };
  const showStream = (peer, stream) => {
    const tile = tileOf(peer);
    if (!tile || tile.querySelector(`[data-stream="${stream.id}"]`)) return;
    const fig = document.createElement('figure');
    fig.className = 'call-tile' + (video ? '' : ' audio-only');
    fig.dataset.stream = stream.id;
    const v = document.createElement(video ? 'video' : 'audio');
    v.autoplay = true;
    v.playsInline = true;
    v.setAttribute('aria-label', msg('remote-video', nameOf(peer)));
    v.srcObject = stream;
    const cap = document.createElement('figcaption');
    cap.textContent = nameOf(peer);
    fig.append(v, cap);
    tile.append(fig);
    const gone = () => { if (stream.getTracks().every((t) => t.readyState === 'ended' || t.muted)) fig.hidden = true; };
    stream.addEventListener('removetrack', () => { if (!stream.getTracks().length) fig.remove(); });
    stream.getTracks().forEach((t) => { t.addEventListener('ended', gone); t.addEventListener('unmute', () => { fig.hidden = false; }); });
  };
  const closePeer = (peer) => {
    const entry = pcs.get(peer);
    if (!entry) return;
    pcs.delete(peer);
    window.cercleCall.pcs.delete(peer);
    try { entry.pc.close(); } catch (_) { /* closed */ }
    const tile = remoteArea && remoteArea.querySelector(`[data-peer="${peer}"]`);
    if (tile) tile.remove();
    if (peer === UNIT && remoteArea) { remoteArea.querySelectorAll('[data-peer]').forEach((t) => t.remove()); tracks.clear(); screens.clear(); }
  };
  const updateStatus = () => {
    if (state.ended || !state.inCall) return;
    if (root.dataset.status === 'media-error') return;
    const states = [...pcs.values()].map((e) => e.pc.connectionState);
    const alone = !state.participants.some((p) => p.user_id !== me);
    if (viaUnit && alone && !states.some((s) => s === 'failed' || s === 'disconnected')) say('waiting');
    else if (states.includes('connected')) say('connected');
    else if (states.some((s) => s === 'failed' || s === 'disconnected')) say('reconnecting');
    else if (!state.participants.some((p) => p.user_id !== me)) say('waiting');
    else say('connecting');
  };
  // The one connection to the forwarding unit: it sends, the unit offers
  // what to receive. The page never yields to the unit's offers: on a
  // collision the unit answers the page's and offers again afterwards.
  const unitPeer = () => {
    let entry = pcs.get(UNIT);
    if (entry) return entry;
    const pc = new RTCPeerConnection({ iceServers: state.ice });
    entry = { pc, polite: false, makingOffer: false, ignoreOffer: false, senders: {}, joined: false };
    pcs.set(UNIT, entry);
    window.cercleCall.pcs.set(UNIT, pc);
    const kinds = video ? ['audio', 'video'] : ['audio'];
    for (const kind of kinds) {
      const track = outgoing(kind);
      const streams = state.local ? [state.local] : [];
      entry.senders[kind] = pc.addTransceiver(track || kind, { direction: 'sendonly', streams }).sender;
    }
    if (state.screen) {
      const t = state.screen.getVideoTracks()[0];
      if (t) pc.addTransceiver(t, { direction: 'sendonly', streams: [state.screen] }).sender.cercleScreen = true;
    }
    pc.addEventListener('track', (e) => {
      const stream = e.streams[0];
      // The unit names each stream after its source participant (their
      // microphone and camera), or `<participant>.<n>` (a shared screen,
      // shown in a figure of its own).
      if (!stream) return;
      const person = stream.id.split('.')[0];
      if (person === me) return;
      tracks.set(e.track.id, person);
      if (stream.id !== person) screens.add(e.track.id);
      showStream(person, stream);
    });
    pc.addEventListener('negotiationneeded', async () => {
      try {
        entry.makingOffer = true;
        await pc.setLocalDescription();
        const d = pc.localDescription;
        // The first offer opens the connection (joining the unit).
        const join = !entry.joined;
        entry.joined = true;
        await signal(UNIT, { kind: d.type, sdp: d.sdp, join });
      } catch (_) { /* the next negotiation tries again */ } finally {
        entry.makingOffer = false;
      }
    });
    pc.addEventListener('connectionstatechange', () => {
      updateStatus();
      // Failed for good: a fresh connection (joining again replaces it).
      if (pc.connectionState === 'failed') {
        closePeer(UNIT);
        setTimeout(reconcile, 1000);
      }
    });
    updateStatus();
    return entry;
  };
  const peerFor = (peer) => {
    if (peer === UNIT) return unitPeer();
    let entry = pcs.get(peer);
    if (entry) return entry;
    const pc = new RTCPeerConnection({ iceServers: state.ice });
    // The person with the smaller id yields on colliding offers.
    entry = { pc, polite: me < peer, makingOffer: false, ignoreOffer: false, senders: {} };
    pcs.set(peer, entry);
    window.cercleCall.pcs.set(peer, pc);
    // One transceiver per kind, sending what the person sends now.
    const kinds = video ? ['audio', 'video'] : ['audio'];
    for (const kind of kinds) {
      const track = outgoing(kind);
      entry.senders[kind] = (track && state.local)
        ? pc.addTrack(track, state.local)
        : pc.addTransceiver(kind, { direction: 'sendrecv', streams: state.local ? [state.local] : [] }).sender;
    }
    if (state.screen) {
      const t = state.screen.getVideoTracks()[0];
      if (t) pc.addTrack(t, state.screen).cercleScreen = true;
    }
    pc.addEventListener('track', (e) => {
      const stream = e.streams[0] || new MediaStream([e.track]);
      showStream(peer, stream);
    });
    pc.addEventListener('icecandidate', (e) => {
      const c = e.candidate;
      signal(peer, c
        ? { kind: 'candidate', candidate: c.candidate, sdp_mid: c.sdpMid, sdp_m_line_index: c.sdpMLineIndex }
        : { kind: 'candidate', candidate: '' });
    });
    pc.addEventListener('negotiationneeded', async () => {
      try {
        entry.makingOffer = true;
        await pc.setLocalDescription();
        const d = pc.localDescription;
        await signal(peer, { kind: d.type, sdp: d.sdp });
      } catch (_) { /* the next negotiation tries again */ } finally {
        entry.makingOffer = false;
      }
    });
    pc.addEventListener('connectionstatechange', () => {
      updateStatus();
      // Failed for good: start again (an ICE restart).
      if (pc.connectionState === 'failed') pc.restartIce();
    });
    updateStatus();
    return entry;
  };
  const onSignal = async (s) => {
    if (!s || s.call_id !== callId || s.to !== me || !s.from || s.from === me) return;
    if (!s.nonce || state.seen.has(s.nonce)) return; // a replay
    state.seen.add(s.nonce);
    if (!state.inCall || state.ended || !(p2p || viaUnit)) return;
    // Through the unit, only the unit signals; peer to peer, never it.
    if (viaUnit !== (s.from === UNIT)) return;
    // Not before the microphone and camera are there (or refused): the
    // connection is made with them.
    if (mediaReady) await mediaReady;
    if (!state.started) return;
    if (s.kind === 'bye') {
      closePeer(s.from);
      // From the unit: the call moved to another node's unit (the one
      // holding it went): join again, there.
      if (s.from === UNIT) setTimeout(reconcile, 1000);
      updateStatus();
      return;
    }
    if (viaUnit && !pcs.has(UNIT)) return; // for a connection closed since
    const entry = peerFor(s.from);
    const pc = entry.pc;
    try {
      if (s.kind === 'offer' || s.kind === 'answer') {
        const collision = s.kind === 'offer' && (entry.makingOffer || pc.signalingState !== 'stable');
        entry.ignoreOffer = !entry.polite && collision;
        if (entry.ignoreOffer) return;
        await pc.setRemoteDescription({ type: s.kind, sdp: s.sdp });
        if (s.kind === 'offer') {
          await pc.setLocalDescription();
          const d = pc.localDescription;
          await signal(s.from, { kind: d.type, sdp: d.sdp });
        }
      } else if (s.kind === 'candidate') {
        const c = s.candidate ? { candidate: s.candidate, sdpMid: s.sdp_mid, sdpMLineIndex: s.sdp_m_line_index } : null;
        try { await pc.addIceCandidate(c); } catch (e) { if (!entry.ignoreOffer) throw e; }
      }
    } catch (_) { /* a late or stale signal: negotiation goes on */ }
  };
  // Connect to everyone else present, drop those who went.
  const reconcile = () => {
    const others = state.participants.filter((p) => p.user_id !== me).map((p) => p.user_id);
    if (viaUnit) {
      // The tiles of those who went (the unit stops their tracks).
      if (remoteArea) remoteArea.querySelectorAll('[data-peer]').forEach((t) => { if (!others.includes(t.dataset.peer)) t.remove(); });
      if (state.started && !state.ended) peerFor(UNIT);
      updateStatus();
      return;
    }
    for (const peer of [...pcs.keys()]) if (!others.includes(peer)) closePeer(peer);
    if (state.started && !state.ended && p2p) for (const peer of others) peerFor(peer);
    updateStatus();
  };

  // -- speaking ------------------------------------------------------------------
  const speakingTick = async () => {
    const levels = new Map();
    for (const [peer, { pc }] of pcs) {
      try {
        const stats = await pc.getStats();
        stats.forEach((r) => {
          if (r.type === 'inbound-rtp' && r.kind === 'audio' && typeof r.audioLevel === 'number') levels.set(peer === UNIT ? tracks.get(r.trackIdentifier) : peer, r.audioLevel);
          if (r.type === 'media-source' && r.kind === 'audio' && typeof r.audioLevel === 'number') levels.set(me, state.muted ? 0 : r.audioLevel);
        });
      } catch (_) { /* closed */ }
    }
    if (!list) return;
    list.querySelectorAll('li').forEach((li) => {
      const on = (levels.get(li.dataset.userId) || 0) > 0.02;
      li.dataset.speaking = String(on);
      const b = li.querySelector('[data-flag=speaking]');
      if (b) b.hidden = !on;
    });
  };

  // -- in and out of the call ------------------------------------------------------------
  let heartbeat = null;
  let ticking = null;
  let mediaReady = null;
  const start = async () => {
    state.inCall = true;
    if (joinButton) joinButton.hidden = true;
    if (controls) controls.hidden = false;
    if (devices) devices.hidden = false;
    say('connecting');
    mediaReady = (async () => {
      try {
        const r = await api(`/calls/${callId}/ice`, { method: 'GET', headers: BACKGROUND });
        const b = r.ok ? await json(r) : null;
        state.ice = (b && b.ice_servers) || [];
      } catch (_) { state.ice = []; }
      await getMedia();
      state.started = state.inCall;
    })();
    await mediaReady;
    if (!state.started) return;
    clearInterval(heartbeat);
    heartbeat = setInterval(async () => {
      const r = await api(`/calls/${callId}/heartbeat`, { method: 'POST', body: '{}', headers: BACKGROUND }).catch(() => null);
      if (r && r.status === 409) refresh();
    }, 10000);
    clearInterval(ticking);
    ticking = setInterval(speakingTick, 700);
    reconcile();
  };
  const stop = (why) => {
    state.started = false;
    mediaReady = null;
    for (const peer of [...pcs.keys()]) closePeer(peer);
    clearInterval(heartbeat);
    clearInterval(ticking);
    for (const s of [state.local, state.screen]) if (s) s.getTracks().forEach((t) => t.stop());
    state.local = null;
    state.screen = null;
    if (localVideo) localVideo.srcObject = null;
    state.inCall = false;
    if (controls) controls.hidden = true;
    if (devices) devices.hidden = true;
    if (joinButton) joinButton.hidden = state.ended;
    say(why);
  };
  const onCall = (call) => {
    if (!call || call.id !== callId) return;
    const present = (call.participants || []).some((p) => p.user_id === me);
    renderParticipants(call.participants || []);
    if (call.state === 'ended') {
      state.ended = true;
      root.dataset.state = 'ended';
      stop('ended');
      return;
    }
    if (state.inCall && !present) { stop('not-in'); return; }
    reconcile();
  };
  const refresh = async () => {
    try {
      const r = await api(`/calls/${callId}`, { method: 'GET', headers: BACKGROUND });
      if (sessionGone(r) || !r.ok) return;
      onCall(await json(r));
    } catch (_) { /* offline */ }
  };
  const onEvent = (ev) => {
    if (!ev || !ev.type) return;
    if (ev.type === 'call_signal') { onSignal(ev.data); return; }
    if (ev.type === 'call_signal_error') {
      // The unit refused (disabled, full, busy): say why.
      const d = ev.data || {};
      const unconnected = !(pcs.get(UNIT) && pcs.get(UNIT).pc.connectionState === 'connected');
      if (viaUnit && d.call_id === callId && d.message && status && unconnected) status.textContent = d.message;
      // The unit holding the call did not answer (its node may have gone;
      // another node's unit takes the call over once its lease ran out):
      // a fresh connection in a few seconds.
      if (viaUnit && d.call_id === callId && d.code === 'signal-unit-unavailable' && unconnected && !state.unitRetry) {
        state.unitRetry = setTimeout(() => { state.unitRetry = null; closePeer(UNIT); reconcile(); }, 3000);
      }
      return;
    }
    const call = ev.data && ev.data.call;
    if (!call || call.id !== callId) return;
    if (ev.type === 'call_removed' && ev.data.user_id === me) {
      renderParticipants(call.participants || []);
      stop('removed');
      if (joinButton) joinButton.hidden = true;
      return;
    }
    if (ev.type === 'call_muted' && ev.data.user_id === me) {
      const mine = (call.participants || []).find((p) => p.user_id === me);
      if (mine && mine.muted !== state.muted) setMuted(mine.muted, false);
    }
    onCall(call);
  };

  const connect = () => {
    const url = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/api/v1/events';
    socket = new WebSocket(url);
    window.cercleLiveShared = true;
    socket.addEventListener('open', () => { retry = 1000; root.dataset.live = '1'; liveState(true); refresh(); });
    socket.addEventListener('message', (m) => {
      let ev = null;
      try { ev = JSON.parse(m.data); } catch (_) { return; }
      liveShare(ev);
      onEvent(ev);
    });
    socket.addEventListener('close', async () => {
      root.dataset.live = '0';
      liveState(false);
      if (await checkSession()) return;
      setTimeout(connect, retry);
      retry = Math.min(retry * 2, 15000);
    });
  };
  if ('WebSocket' in window) connect();

  // -- controls ------------------------------------------------------------------
  const press = (sel, on, onKey, offKey) => {
    const b = $(sel);
    if (!b) return;
    b.setAttribute('aria-pressed', String(on));
    b.textContent = msg(on ? onKey : offKey);
  };
  const setMuted = async (muted, tell) => {
    state.muted = muted;
    const t = audioTrack();
    if (t) t.enabled = !muted;
    applyOutgoing();
    press('[data-call-mic]', muted, 'unmute', 'mute');
    if (tell) await api(`/calls/${callId}/participants/${me}/muted`, { method: 'PUT', body: JSON.stringify({ muted }) }).catch(() => {});
  };
  $('[data-call-mic]') && $('[data-call-mic]').addEventListener('click', () => setMuted(!state.muted, true));
  $('[data-call-camera]') && $('[data-call-camera]').addEventListener('click', () => {
    state.cameraOff = !state.cameraOff;
    const t = cameraTrack();
    if (t) t.enabled = !state.cameraOff;
    applyOutgoing();
    press('[data-call-camera]', state.cameraOff, 'camera-on', 'camera-off');
  });
  const stopShare = () => {
    if (!state.screen) return;
    const track = state.screen.getVideoTracks()[0];
    state.screen.getTracks().forEach((t) => t.stop());
    state.screen = null;
    for (const { pc } of pcs.values()) {
      for (const sender of pc.getSenders()) {
        if (sender.track === track || (sender.track === null && sender.cercleScreen)) {
          try { pc.removeTrack(sender); } catch (_) { /* closed */ }
        }
      }
    }
    press('[data-call-share]', false, 'share-stop', 'share');
  };
  $('[data-call-share]') && $('[data-call-share]').addEventListener('click', async () => {
    if (state.screen) { stopShare(); return; }
    try {
      state.screen = await navigator.mediaDevices.getDisplayMedia({ video: true, audio: false });
    } catch (_) { state.screen = null; return; }
    const track = state.screen.getVideoTracks()[0];
    if (!track) return;
    track.addEventListener('ended', stopShare);
    for (const [peer, { pc }] of pcs) {
      // To the unit: a send-only transceiver of its own (never one of
      // those the unit's offers made to receive).
      const sender = peer === UNIT
        ? pc.addTransceiver(track, { direction: 'sendonly', streams: [state.screen] }).sender
        : pc.addTrack(track, state.screen);
      sender.cercleScreen = true;
    }
    press('[data-call-share]', true, 'share-stop', 'share');
  });
  $('[data-call-hand]') && $('[data-call-hand]').addEventListener('click', async () => {
    const raised = !state.hand;
    const r = await api(`/calls/${callId}/participants/${me}/hand`, { method: 'PUT', body: JSON.stringify({ raised }) });
    if (!r.ok) return;
    state.hand = raised;
    press('[data-call-hand]', raised, 'hand-lower', 'hand-raise');
    onCall(await json(r));
  });
  $('[data-call-leave]') && $('[data-call-leave]').addEventListener('click', async () => {
    for (const peer of pcs.keys()) signal(peer, { kind: 'bye' });
    const r = await api(`/calls/${callId}/leave`, { method: 'POST', body: '{}' });
    const call = r.ok ? await json(r) : null;
    if (call && call.state === 'ended') state.ended = true;
    stop(state.ended ? 'ended' : 'left');
    if (call) renderParticipants(call.participants || []);
  });
  $('[data-call-end]') && $('[data-call-end]').addEventListener('click', async () => {
    if (!window.confirm(msg('end-confirm'))) return;
    const r = await api(`/calls/${callId}/end`, { method: 'POST', body: '{}' });
    if (r.ok) onCall(await json(r));
  });
  if (joinButton) {
    joinButton.addEventListener('click', async () => {
      const r = await api(`/calls/${callId}/join`, { method: 'POST', body: '{}' });
      if (sessionGone(r)) return;
      const call = await json(r);
      if (!r.ok) { if (call && call.message && status) status.textContent = call.message; return; }
      renderParticipants(call.participants || []);
      await start();
    });
  }
  // Leaving the page leaves the call's connections (the server marks the
  // person gone after the presence timeout unless they come back).
  window.addEventListener('pagehide', () => { for (const peer of pcs.keys()) signal(peer, { kind: 'bye' }); });

  if (state.ended) say('ended');
  else if (state.inCall) start();
})();
