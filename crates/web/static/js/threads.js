// Discussions (thr-). A feature module of app.js: it runs on every page and does
// nothing where its elements are absent.
import { body, readerTimeZone, fitComposer, idempotencyKey, api, BACKGROUND, sessionGone, checkSession, liveShare, liveState } from './core.js';

// ==== Discussions (thr-) ======================================================
// Runs only on the discussion pages. The participant picker suggests people
// as one types (the network search already ranks one's directory first).
// On a thread: the composer posts through the JSON API, the draft is saved
// on the server as one types, and the event WebSocket keeps the page live;
// a new or changed message is fetched as the server renders it
// (/threads/{id}/fragment/{seq}), so formatting happens in one place.
{
  const thrCsrf = document.body.dataset.csrf || '';
  // `headers`: extra headers, e.g. BACKGROUND for what the page does by
  // itself, or an Idempotency-Key for an action the person took.
  const thrApi = (path, method, payload, headers) => fetch('/api/v1' + path, {
    method: method || 'GET',
    credentials: 'same-origin',
    headers: Object.assign({ 'Content-Type': 'application/json', 'X-CSRF-Token': thrCsrf }, headers || {}),
    body: payload === undefined ? undefined : JSON.stringify(payload),
  });
  const thrJson = async (r) => { try { return await r.json(); } catch (_) { return null; } };
  // The page's double-submit guard disables buttons of forms the script keeps.
  const thrEnable = (form) => setTimeout(() => {
    form.querySelectorAll('button[type=submit]').forEach((b) => { b.disabled = false; });
  }, 0);

  // ---- Participant picker (new discussion, add participants).
  document.querySelectorAll('[data-thr-picker]').forEach((box) => {
    const q = box.querySelector('.thr-picker-q');
    const list = box.querySelector('.thr-suggest');
    const chosen = box.querySelector('.thr-chosen');
    if (!q || !list || !chosen) return;
    const me = box.dataset.me;
    let timer = null;
    let asked = 0;
    const has = (id) => !!box.querySelector('input[name=participant][value^="user:' + id + '|"]:checked');
    const choose = (id, name) => {
      if (has(id)) return;
      const li = document.createElement('li');
      const label = document.createElement('label');
      label.className = 'netp-check';
      const input = document.createElement('input');
      input.type = 'checkbox';
      input.name = 'participant';
      input.value = 'user:' + id + '|' + name;
      input.checked = true;
      label.append(input, ' ' + name);
      li.append(label);
      chosen.append(li);
    };
    const suggest = async () => {
      const text = q.value.trim();
      list.textContent = '';
      if (text.length < 2) return;
      const mine = ++asked;
      const r = await thrApi('/network/search?kind=person&q=' + encodeURIComponent(text));
      const data = await thrJson(r);
      if (mine !== asked) return;
      list.textContent = '';
      const people = ((data && data.results) || []).filter((p) => p.type === 'person' && p.id !== me);
      if (!r.ok || people.length === 0) {
        const li = document.createElement('li');
        li.className = 'muted small';
        li.textContent = (data && data.message) || box.dataset.msgNone;
        list.append(li);
        return;
      }
      people.forEach((p) => {
        const li = document.createElement('li');
        const b = document.createElement('button');
        b.type = 'button';
        b.className = 'thr-suggestion';
        b.dataset.id = p.id;
        const name = document.createElement('strong');
        name.textContent = p.name;
        b.append(name);
        const prof = p.professions && p.professions[0] && p.professions[0].name;
        if (prof) {
          const s = document.createElement('span');
          s.className = 'muted small';
          s.textContent = ' · ' + prof;
          b.append(s);
        }
        if (p.in_directory) {
          const s = document.createElement('span');
          s.className = 'badge net-dir';
          s.textContent = box.dataset.msgDirectory;
          b.append(' ', s);
        }
        if (p.absent_until && box.dataset.msgAbsent) {
          const s = document.createElement('span');
          s.className = 'badge thr-away';
          s.dataset.testid = 'absent-until';
          const date = new Date(p.absent_until.until).toLocaleString(document.documentElement.lang || 'fr', { timeZone: readerTimeZone(), dateStyle: 'long', timeStyle: 'short' });
          s.textContent = box.dataset.msgAbsent.replace('%DATE%', date) + (p.absent_until.message ? ' — ' + p.absent_until.message : '');
          b.append(' ', s);
        }
        b.addEventListener('click', () => {
          choose(p.id, p.name);
          q.value = '';
          list.textContent = '';
          q.focus();
        });
        li.append(b);
        list.append(li);
      });
    };
    q.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(suggest, 250); });
    q.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') {
        e.preventDefault();
        const first = list.querySelector('button');
        if (first) first.click();
      }
    });
    const go = box.querySelector('.thr-picker-go');
    if (go) go.hidden = true;
  });

  // ---- New discussion: the patient fields follow the kind and the choice.
  const thrNew = document.querySelector('form.thr-new');
  if (thrNew) {
    const box = thrNew.querySelector('[data-thr-clinical]');
    const select = thrNew.querySelector('#thr-patient');
    const fresh = thrNew.querySelector('[data-thr-new-patient]');
    const sync = () => {
      const kind = thrNew.querySelector('input[name=kind]:checked');
      const clinical = !kind || kind.value === 'clinical';
      if (box) box.hidden = !clinical;
      if (fresh && select) fresh.hidden = select.value !== 'new';
    };
    thrNew.addEventListener('change', sync);
    sync();
  }

  // ---- A thread.
  const root = document.getElementById('thr-root');
  if (root) {
    const threadId = root.dataset.thread;
    const me = root.dataset.me;
    let names = {};
    try { names = JSON.parse(root.dataset.names || '{}'); } catch (_) { names = {}; }
    const list = document.getElementById('thr-messages');
    const composer = document.getElementById('thr-composer');
    const textarea = document.getElementById('thr-body');
    const status = document.getElementById('thr-status');
    const typingLine = document.getElementById('thr-typing');
    const conn = document.getElementById('thr-conn');
    const say = (text, error) => {
      if (!status) return;
      status.textContent = text || '';
      status.classList.toggle('error', !!error);
    };

    // Confirmations (also for parts of the page replaced later).
    root.addEventListener('click', (e) => {
      const el = e.target.closest('[data-thr-confirm]');
      if (el && !window.confirm(el.dataset.thrConfirm)) {
        e.preventDefault();
        e.stopPropagation();
      }
    }, true);

    // ---- Messages: fetched as rendered by the server.
    const place = (li) => {
      const old = document.getElementById(li.id);
      if (old) { old.replaceWith(li); return; }
      const seq = Number(li.dataset.seq);
      const after = [...list.children].find((x) => Number(x.dataset.seq) > seq);
      list.insertBefore(li, after || null);
      const empty = document.getElementById('thr-empty');
      if (empty) empty.remove();
    };
    const loadMessage = async (seq) => {
      const r = await fetch('/threads/' + encodeURIComponent(threadId) + '/fragment/' + seq, { credentials: 'same-origin', headers: BACKGROUND });
      if (sessionGone(r) || !r.ok) return null;
      const t = document.createElement('template');
      t.innerHTML = (await r.text()).trim();
      const li = t.content.firstElementChild;
      if (li && li.matches('li.thr-msg')) {
        const nearBottom = window.innerHeight + window.scrollY >= document.body.scrollHeight - 200;
        place(li);
        if (nearBottom) li.scrollIntoView({ block: 'nearest' });
        return li;
      }
      return null;
    };
    const nameList = (el, extra) => {
      const ids = new Set((el.dataset.ids || '').split(' ').filter(Boolean));
      if (extra) ids.add(extra);
      el.dataset.ids = [...ids].join(' ');
      const shown = [...ids].map((id) => names[id]).filter(Boolean);
      el.textContent = shown.length ? el.dataset.label + ' ' + shown.join(', ') : '';
    };

    // ---- Read state: this page is read while it is in view.
    let readTimer = null;
    const markRead = () => {
      clearTimeout(readTimer);
      readTimer = setTimeout(() => {
        if (document.visibilityState === 'visible') thrApi('/threads/' + threadId + '/read', 'POST', {}, BACKGROUND).then(sessionGone, () => {});
      }, 400);
    };
    markRead();
    document.addEventListener('visibilitychange', () => { if (document.visibilityState === 'visible') markRead(); });

    // ---- Versions of an edited message, when opened.
    root.addEventListener('toggle', async (e) => {
      const d = e.target;
      if (!(d instanceof HTMLDetailsElement) || !d.dataset.versions || !d.open || d.dataset.loaded) return;
      d.dataset.loaded = '1';
      const r = await thrApi('/messages/' + encodeURIComponent(d.dataset.versions) + '/versions');
      const data = await thrJson(r);
      const ol = d.querySelector('ol');
      ((data && data.versions) || []).forEach((v) => {
        const li = document.createElement('li');
        const when = document.createElement('span');
        when.className = 'muted';
        when.textContent = ' — ' + d.dataset.msgReplaced + ' ' + new Date(v.replaced_at).toLocaleString(document.documentElement.lang, { timeZone: readerTimeZone(), dateStyle: 'long', timeStyle: 'short' });
        li.append(v.body, when);
        ol.append(li);
      });
    }, true);

    // ---- Acknowledge, retract, edit: through the API, the page stays.
    root.addEventListener('submit', async (e) => {
      const form = e.target;
      if (form.matches('.thr-ack-form')) {
        e.preventDefault();
        const li = form.closest('li.thr-msg');
        const r = await thrApi('/messages/' + li.dataset.id + '/ack', 'POST', {});
        if (r.ok) {
          const acks = li.querySelector('.thr-acks');
          if (acks) nameList(acks, me);
          form.remove();
        } else {
          thrEnable(form);
        }
      } else if (form.matches('.thr-retract-form')) {
        e.preventDefault();
        const r = await thrApi('/messages/' + form.dataset.message + '/retract', 'POST', {});
        const data = await thrJson(r);
        if (r.ok && data) loadMessage(data.seq); else thrEnable(form);
      } else if (form.matches('.thr-edit-form')) {
        e.preventDefault();
        const r = await thrApi('/messages/' + form.dataset.message, 'PUT', { body: form.elements.body.value });
        const data = await thrJson(r);
        if (r.ok && data) loadMessage(data.seq); else thrEnable(form);
      }
    });

    // ---- The header (participants, state) as the server renders it now.
    const refreshHead = async () => {
      const r = await fetch(location.pathname, { credentials: 'same-origin', headers: BACKGROUND });
      if (sessionGone(r) || !r.ok) return;
      const doc = new DOMParser().parseFromString(await r.text(), 'text/html');
      const fresh = doc.getElementById('thr-head');
      const head = document.getElementById('thr-head');
      const freshRoot = doc.getElementById('thr-root');
      if (freshRoot) {
        try { Object.assign(names, JSON.parse(freshRoot.dataset.names || '{}')); } catch (_) { /* keep */ }
      }
      if (fresh && head) {
        const open = head.querySelector('details.thr-people');
        const wasOpen = open && open.open;
        head.replaceWith(fresh);
        const again = fresh.querySelector('details.thr-people');
        if (again && wasOpen) again.open = true;
      }
    };

    // ---- Draft: saved on the server as one types (restored on any device).
    let draftTimer = null;
    let draftSent = textarea ? textarea.value : '';
    const draftState = document.getElementById('thr-draft-state');
    const saveDraft = async (keepalive) => {
      clearTimeout(draftTimer);
      if (!textarea || textarea.value === draftSent) return;
      const body = textarea.value;
      composer.dataset.draftState = 'saving';
      try {
        const r = await fetch('/api/v1/threads/' + threadId + '/draft', {
          method: 'PUT',
          credentials: 'same-origin',
          keepalive: !!keepalive,
          headers: Object.assign({ 'Content-Type': 'application/json', 'X-CSRF-Token': thrCsrf }, BACKGROUND),
          body: JSON.stringify({ body }),
        });
        if (sessionGone(r)) return;
        if (r.ok) {
          draftSent = body;
          if (textarea.value === body) {
            composer.dataset.draftState = 'saved';
            if (draftState) draftState.textContent = body ? root.dataset.msgSaved : '';
          }
        }
      } catch (_) { /* saved on the next change */ }
    };

    // ---- Live events.
    let socket = null;
    let last = Number(root.dataset.since || 0);
    let retry = 1000;
    let typingTimer = null;
    let typingSent = 0;
    const showTyping = (name) => {
      if (!typingLine) return;
      typingLine.textContent = root.dataset.msgTyping.replace('{name}', name);
      clearTimeout(typingTimer);
      typingTimer = setTimeout(() => { typingLine.textContent = ''; }, 5000);
    };
    const onEvent = async (ev) => {
      if (ev.type === 'ready') {
        if (typeof ev.last === 'number' && ev.last > last) last = ev.last;
        return;
      }
      if (typeof ev.id === 'number') {
        if (ev.id > last) last = ev.id;
        try { sessionStorage.setItem('thr-last-event', String(last)); } catch (_) { /* private mode */ }
      }
      if (ev.thread_id !== threadId) {
        if (ev.type === 'message' && ev.data && ev.data.author && ev.data.author.id !== me) {
          const badge = document.querySelector('[data-testid=nav-unread]');
          if (badge) badge.textContent = String(Math.min(99, Number(badge.textContent || 0) + 1));
        }
        return;
      }
      const d = ev.data || {};
      switch (ev.type) {
        case 'message':
        case 'message_edited':
        case 'message_retracted':
          if (d.author) names[d.author.id] = d.author.name;
          await loadMessage(d.seq);
          if (ev.type === 'message' && d.author && d.author.id !== me) {
            if (typingLine) typingLine.textContent = '';
            markRead();
          }
          break;
        case 'read':
          list.querySelectorAll('li.thr-msg').forEach((li) => {
            if (Number(li.dataset.seq) <= d.seq && li.dataset.author !== d.user_id) {
              const seen = li.querySelector('.thr-seen');
              if (seen) nameList(seen, d.user_id);
            }
          });
          break;
        case 'ack': {
          const li = document.getElementById('m-' + d.message_id);
          const acks = li && li.querySelector('.thr-acks');
          if (acks) nameList(acks, d.user_id);
          if (li && d.user_id === me) { const f = li.querySelector('.thr-ack-form'); if (f) f.remove(); }
          break;
        }
        case 'participants':
          (Array.isArray(d) ? d : []).forEach((p) => { if (p.kind === 'user') names[p.id] = p.name; });
          refreshHead();
          break;
        case 'thread_state':
          if ('closed' in d && String(d.closed ? 1 : 0) !== root.dataset.closed) {
            await saveDraft(false);
            location.reload();
          } else {
            refreshHead();
          }
          break;
        case 'typing':
          if (d.user_id !== me) showTyping(d.name || names[d.user_id] || '');
          break;
        default:
          break;
      }
    };
    const connect = () => {
      const url = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host
        + '/api/v1/events' + (last > 0 ? '?since=' + last : '');
      socket = new WebSocket(url);
      window.cercleLiveShared = true;
      let queue = Promise.resolve();
      socket.addEventListener('open', () => { retry = 1000; if (conn) conn.hidden = true; root.dataset.live = '1'; liveState(true); });
      socket.addEventListener('message', (m) => {
        let ev = null;
        try { ev = JSON.parse(m.data); } catch (_) { return; }
        liveShare(ev);
        // In order: a message fetched before its edit is shown, not after.
        queue = queue.then(() => onEvent(ev)).catch(() => {});
      });
      socket.addEventListener('close', async () => {
        root.dataset.live = '0';
        liveState(false);
        if (conn) conn.hidden = false;
        // Closed because the session ended or locked: show where it stands.
        if (await checkSession()) return;
        setTimeout(connect, retry);
        retry = Math.min(retry * 2, 15000);
      });
    };
    connect();
    window.addEventListener('online', () => { if (socket && socket.readyState > 1) connect(); });

    // ---- The composer.
    if (composer && textarea) {
      const send = composer.querySelector('#thr-send');
      const prio = composer.querySelector('#thr-priority');
      textarea.addEventListener('input', () => {
        composer.dataset.draftState = 'dirty';
        if (draftState) draftState.textContent = '';
        clearTimeout(draftTimer);
        draftTimer = setTimeout(() => saveDraft(false), 700);
        const now = Date.now();
        if (textarea.value.trim() && now - typingSent > 2500 && socket && socket.readyState === 1) {
          typingSent = now;
          socket.send(JSON.stringify({ type: 'typing', thread_id: threadId }));
        }
      });
      window.addEventListener('pagehide', () => { saveDraft(true); });
      textarea.addEventListener('keydown', (e) => {
        if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
          e.preventDefault();
          composer.requestSubmit();
        }
      });
      let postAction = null;
      composer.addEventListener('submit', async (e) => {
        e.preventDefault();
        const body = textarea.value;
        if (!body.trim()) { thrEnable(composer); return; }
        clearTimeout(draftTimer);
        say('');
        const payload = { body, priority: !!(prio && prio.checked) };
        // One key per message: sending the same text again after a failure
        // is a retry of the same action, and never posts it twice.
        const same = postAction && postAction.body === payload.body && postAction.priority === payload.priority;
        if (!same) postAction = { body: payload.body, priority: payload.priority, key: idempotencyKey() };
        const path = '/threads/' + threadId + '/messages';
        let r = null;
        for (let attempt = 0; attempt < 2 && !r; attempt += 1) {
          try {
            r = await thrApi(path, 'POST', payload, { 'Idempotency-Key': postAction.key });
          } catch (_) {
            // The connection dropped: once more, with the same key.
            r = null;
            if (attempt === 0) await new Promise((ok) => setTimeout(ok, 800));
          }
        }
        const data = r ? await thrJson(r) : null;
        if (r && r.ok) postAction = null;
        if (r && r.ok && data) {
          if (textarea.value === body) textarea.value = '';
          fitComposer();
          draftSent = '';
          if (prio) prio.checked = false;
          if (draftState) draftState.textContent = '';
          composer.dataset.draftState = 'sent';
          await loadMessage(data.seq);
        } else {
          say((data && data.message) || root.dataset.msgFailed, true);
        }
        thrEnable(composer);
        if (send) send.disabled = false;
        textarea.focus();
      });
    }

    // A file or voice message sent by the attachment controls shows at once.
    document.addEventListener('cercle:message-sent', (e) => {
      const m = e.detail;
      if (m && m.thread_id === threadId && typeof m.seq === 'number') loadMessage(m.seq);
    });

    // A link to one message (search result) shows it.
    if (location.hash.startsWith('#m-')) {
      const target = document.getElementById(location.hash.slice(1));
      if (target) { target.classList.add('thr-target'); target.scrollIntoView({ block: 'center' }); }
    }
  }
}
// ==== end of Discussions (thr-) ================================================
