// Attachments of discussions (att-). A feature module of app.js: it runs on every page and does
// nothing where its elements are absent.
import { idempotencyKey, api } from './core.js';

// ==== BEGIN attachments (att-) ==============================================
// Attachments of discussions: how an attachment shows (also for messages
// arriving live: window.cercleAttachments.render(attachmentJson) returns an
// element), the composer's controls (attach a file; edit a photo in a canvas
// before sending it: crop, rotate, draw, blur; record a voice message) and
// the upload to PUT /api/v1/threads/{id}/files with the page's CSRF token,
// a progress bar and the server's refusal in words. A sent message is
// announced with document's `cercle:message-sent` event (detail: the message).
{
  const attLang = document.documentElement.lang || 'en';
  const attLabels = () => {
    const el = document.querySelector('[data-att-labels]');
    return el ? el.dataset : {};
  };

  // A size for people, like the server's ("820 KB", "1,4 Mo").
  const attSize = (bytes) => {
    const l = attLabels();
    const fmt = (n, d) => n.toLocaleString(attLang, { minimumFractionDigits: d, maximumFractionDigits: d });
    const b = Math.max(0, Number(bytes) || 0);
    if (b < 1024) return (l.sizeB || '{n} B').replace('{n}', fmt(b, 0));
    if (b < 1024 * 1024) return (l.sizeKb || '{n} KB').replace('{n}', fmt(Math.max(1, Math.round(b / 1024)), 0));
    return (l.sizeMb || '{n} MB').replace('{n}', fmt(b / (1024 * 1024), 1));
  };

  // An element with attributes and children (text is always text).
  const attEl = (tag, attrs, ...children) => {
    const e = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([k, v]) => {
      if (v === true) e.setAttribute(k, '');
      else if (v !== false && v !== null && v !== undefined) e.setAttribute(k, String(v));
    });
    children.forEach((c) => { if (c !== null && c !== undefined) e.append(c); });
    return e;
  };

  const attBadge = (name) => {
    const i = name.lastIndexOf('.');
    const ext = i >= 0 ? name.slice(i + 1) : '';
    return (ext && ext.length <= 4 ? ext : 'doc').toUpperCase();
  };

  // A voice message recorded in a browser often has no duration in its
  // header: seek to the end once so the player shows it.
  const attFixDuration = (audio) => {
    if (audio.dataset.attFixed) return;
    audio.dataset.attFixed = '1';
    const check = () => {
      if (audio.duration !== Infinity) return;
      const back = () => {
        audio.removeEventListener('timeupdate', back);
        audio.currentTime = 0;
      };
      audio.addEventListener('timeupdate', back);
      audio.currentTime = 1e7;
    };
    audio.addEventListener('loadedmetadata', check);
    if (audio.readyState >= 1) check();
  };

  const VOICE_ICON = 'M12 3a3 3 0 0 0-3 3v6a3 3 0 0 0 6 0V6a3 3 0 0 0-3-3zM5 11a7 7 0 0 0 14 0M12 18v3';
  const attIcon = (d) => {
    const ns = 'http://www.w3.org/2000/svg';
    const svg = document.createElementNS(ns, 'svg');
    [['class', 'icon'], ['viewBox', '0 0 24 24'], ['width', '20'], ['height', '20'], ['aria-hidden', 'true'], ['focusable', 'false']]
      .forEach(([k, v]) => svg.setAttribute(k, v));
    const path = document.createElementNS(ns, 'path');
    [['d', d], ['fill', 'none'], ['stroke', 'currentColor'], ['stroke-width', '1.8'], ['stroke-linecap', 'round'], ['stroke-linejoin', 'round']]
      .forEach(([k, v]) => path.setAttribute(k, v));
    svg.append(path);
    return svg;
  };

  // The same markup as the server's `attachment_view`.
  const attRender = (a) => {
    const l = attLabels();
    const kind = ['photo', 'video', 'voice'].includes(a.kind) ? a.kind : 'document';
    const name = String(a.name || '');
    const url = '/threads/files/' + encodeURIComponent(a.id);
    const box = attEl('div', { class: 'att att-' + kind, 'data-att-id': a.id, 'data-att-kind': kind });
    if (kind === 'photo') {
      let size = {};
      const w = Number(a.width); const h = Number(a.height);
      if (w > 0 && h > 0) {
        const s = Math.min(1, 320 / Math.max(w, h));
        size = { width: Math.max(1, Math.floor(w * s)), height: Math.max(1, Math.floor(h * s)) };
      }
      const img = attEl('img', Object.assign({
        class: 'att-thumb',
        src: a.has_thumbnail ? url + '/thumb' : url,
        alt: (l.photoAlt || 'Photo: {name}').replace('{name}', name),
        loading: 'lazy',
      }, size));
      box.append(attEl('a', { class: 'att-photo-link', href: url, target: '_blank', rel: 'noopener', title: name }, img));
    } else if (kind === 'video') {
      box.append(
        attEl('video', { class: 'att-video-player', controls: true, preload: 'metadata', src: url, title: name }),
        attEl('span', { class: 'att-meta' }, name + ' · ' + attSize(a.size)),
      );
    } else if (kind === 'voice') {
      const audio = attEl('audio', { class: 'att-audio', controls: true, preload: 'metadata', src: url, 'data-att-audio': true, 'aria-label': l.voice || 'Voice message' });
      attFixDuration(audio);
      box.append(attEl('span', { class: 'att-voice-label' }, attIcon(VOICE_ICON), l.voice || 'Voice message'), audio);
    } else {
      box.append(attEl('a', { class: 'att-doc-link', href: url, download: name, 'data-att-type': a.content_type },
        attEl('span', { class: 'att-doc-icon', 'aria-hidden': 'true' }, attBadge(name)),
        attEl('span', { class: 'att-doc-text' },
          attEl('span', { class: 'att-doc-name' }, name),
          attEl('span', { class: 'att-meta' }, attSize(a.size) + ' · ' + (l.download || 'Download')))));
    }
    return box;
  };

  window.cercleAttachments = { render: attRender, size: attSize };
  document.querySelectorAll('audio[data-att-audio]').forEach(attFixDuration);

  // A gallery on the page takes in what was just sent.
  document.addEventListener('cercle:message-sent', (event) => {
    const m = event.detail;
    const gallery = document.querySelector('[data-att-gallery]');
    if (!gallery || !m || !Array.isArray(m.attachments)) return;
    m.attachments.forEach((a) => {
      if (gallery.querySelector('[data-att-id="' + CSS.escape(String(a.id)) + '"]')) return;
      const kind = ['photo', 'video', 'voice'].includes(a.kind) ? a.kind : 'document';
      const section = gallery.querySelector('[data-att-section="' + kind + '"]');
      const list = section && section.querySelector('[data-att-list]');
      if (!list) return;
      list.append(attEl('div', { class: 'att-gallery-item' }, attRender(a)));
      section.hidden = false;
      const count = section.querySelector('[data-att-count]');
      if (count) count.textContent = String(list.children.length);
      const empty = gallery.querySelector('[data-att-empty]');
      if (empty) empty.hidden = true;
    });
  });

  const csrf = document.body.dataset.csrf || '';

  // PUT a file; resolves to { status, data } (data: the JSON answer, or null).
  const attUpload = (url, blob, onProgress, key) => new Promise((resolve) => {
    const xhr = new XMLHttpRequest();
    xhr.open('PUT', url);
    xhr.setRequestHeader('X-CSRF-Token', csrf);
    if (key) xhr.setRequestHeader('Idempotency-Key', key);
    xhr.setRequestHeader('Content-Type', blob.type || 'application/octet-stream');
    xhr.upload.addEventListener('progress', (e) => {
      if (e.lengthComputable && e.total > 0) onProgress(Math.round((e.loaded / e.total) * 100));
    });
    xhr.addEventListener('load', () => {
      let data = null;
      try { data = JSON.parse(xhr.responseText); } catch (_) { data = null; }
      resolve({ status: xhr.status, data });
    });
    xhr.addEventListener('error', () => resolve({ status: 0, data: null }));
    xhr.send(blob);
  });

  const PHOTO_TYPES = ['image/jpeg', 'image/png', 'image/webp'];
  const ext = (name) => {
    const i = name.lastIndexOf('.');
    return i >= 0 ? name.slice(i + 1).toLowerCase() : '';
  };
  // What the file looks like from the browser's side (the server decides from the content).
  const attKindOf = (f) => {
    const t = (f.type || '').toLowerCase();
    const e = ext(f.name);
    if (t.startsWith('image/') || ['jpg', 'jpeg', 'png', 'webp', 'heic', 'heif'].includes(e)) return 'photo';
    if (t.startsWith('video/') || ['mp4', 'mov', 'm4v'].includes(e)) return 'video';
    if (t.startsWith('audio/') || ['m4a', 'mp3', 'ogg', 'opus', 'wav', 'weba'].includes(e)) return 'voice';
    return 'document';
  };
  const copyCanvas = (c) => {
    const d = document.createElement('canvas');
    d.width = c.width;
    d.height = c.height;
    d.getContext('2d').drawImage(c, 0, 0);
    return d;
  };

  document.querySelectorAll('[data-att-controls]').forEach((root) => {
    const q = (s) => root.querySelector(s);
    const thread = root.dataset.thread;
    const fileInput = q('[data-att-file]');
    const recordBtn = q('[data-att-record]');
    const panel = q('[data-att-panel]');
    const editor = q('[data-att-editor]');
    const canvas = q('[data-att-canvas]');
    const toolHint = q('[data-att-tool-hint]');
    const recBox = q('[data-att-recorder]');
    const elapsed = q('[data-att-elapsed]');
    const recState = q('[data-att-rec-state]');
    const stopBtn = q('[data-att-stop]');
    const preview = q('[data-att-preview]');
    const chosen = q('[data-att-chosen]');
    const caption = q('[data-att-caption]');
    const sendBtn = q('[data-att-send]');
    const cancelBtn = q('[data-att-cancel]');
    const progress = q('[data-att-progress]');
    const status = q('[data-att-status]');
    const g = canvas.getContext('2d');
    const recordLabel = recState.textContent;
    const max = {
      photo: Number(root.dataset.maxPhoto), video: Number(root.dataset.maxVideo),
      voice: Number(root.dataset.maxVoice), document: Number(root.dataset.maxDocument),
    };

    // What waits to be sent: { type: 'photo' } (the canvas), { type: 'file', file, kind }, { type: 'voice', blob, name }.
    let pending = null;
    let work = null; // the edited photo, full size
    let original = null;
    let history = [];
    let tool = null;
    let drag = null; // { start, last, rect }
    let rec = null; // { recorder, stream, timer, started }
    let previewUrl = null;
    let busy = false;

    const say = (text, kind, code) => {
      status.textContent = text || '';
      status.classList.toggle('error', kind === 'error');
      status.classList.toggle('ok', kind === 'ok');
      if (code) status.dataset.attCode = code; else delete status.dataset.attCode;
    };
    const codeMessage = (code) => {
      const key = 'msg' + code.replace(/(^|-)([a-z])/g, (_, __, c) => c.toUpperCase());
      return root.dataset[key];
    };

    const stopRecording = (keep) => {
      if (!rec) return;
      clearInterval(rec.timer);
      const r = rec;
      rec = null;
      r.keep = keep;
      if (r.recorder.state !== 'inactive') r.recorder.stop();
      r.stream.getTracks().forEach((t) => t.stop());
      recordBtn.classList.remove('recording');
    };
    const reset = () => {
      stopRecording(false);
      if (previewUrl) URL.revokeObjectURL(previewUrl);
      previewUrl = null;
      preview.removeAttribute('src');
      pending = null;
      work = null;
      original = null;
      history = [];
      drag = null;
      setTool(null);
      fileInput.value = '';
      panel.hidden = true;
      editor.hidden = true;
      recBox.hidden = true;
      chosen.hidden = true;
      sendBtn.disabled = false;
    };
    const showPanel = (part) => {
      panel.hidden = false;
      editor.hidden = part !== 'editor';
      recBox.hidden = part !== 'recorder';
      chosen.hidden = part !== 'file';
    };

    // ---- The photo editor.
    const paint = () => {
      if (!work) return;
      if (canvas.width !== work.width || canvas.height !== work.height) {
        canvas.width = work.width;
        canvas.height = work.height;
      }
      g.drawImage(work, 0, 0);
      const r = drag && drag.rect;
      if (!r) return;
      const lw = Math.max(2, Math.round(Math.max(work.width, work.height) / 300));
      g.save();
      if (tool === 'crop') {
        g.fillStyle = 'rgba(20, 16, 28, 0.55)';
        g.beginPath();
        g.rect(0, 0, work.width, work.height);
        g.rect(r.x, r.y, r.w, r.h);
        g.fill('evenodd');
      } else {
        g.fillStyle = 'rgba(91, 46, 145, 0.25)';
        g.fillRect(r.x, r.y, r.w, r.h);
      }
      g.setLineDash([lw * 3, lw * 2]);
      g.lineWidth = lw;
      g.strokeStyle = '#fff';
      g.strokeRect(r.x, r.y, r.w, r.h);
      g.restore();
    };
    const buttons = () => {
      root.querySelectorAll('[data-att-action=undo]').forEach((b) => { b.disabled = history.length === 0; });
      root.querySelectorAll('[data-att-action=reset]').forEach((b) => { b.disabled = history.length === 0; });
    };
    function setTool(t) {
      tool = t;
      root.querySelectorAll('[data-att-tool]').forEach((b) => b.setAttribute('aria-pressed', String(b.dataset.attTool === t)));
      const hints = { crop: root.dataset.msgHintCrop, draw: root.dataset.msgHintDraw, blur: root.dataset.msgHintBlur };
      toolHint.textContent = (t && hints[t]) || '';
      canvas.dataset.attTool = t || '';
    }
    const remember = () => {
      history.push(copyCanvas(work));
      if (history.length > 12) history.shift();
      buttons();
    };
    const replace = (next) => {
      history.push(work);
      if (history.length > 12) history.shift();
      work = next;
      buttons();
      paint();
    };
    const rotate = () => {
      const next = document.createElement('canvas');
      next.width = work.height;
      next.height = work.width;
      const c = next.getContext('2d');
      c.translate(next.width, 0);
      c.rotate(Math.PI / 2);
      c.drawImage(work, 0, 0);
      replace(next);
    };
    const crop = (r) => {
      const next = document.createElement('canvas');
      next.width = r.w;
      next.height = r.h;
      next.getContext('2d').drawImage(work, r.x, r.y, r.w, r.h, 0, 0, r.w, r.h);
      replace(next);
    };
    // Pixelate: each block becomes the average of its pixels (nothing of the detail stays).
    const blur = (r) => {
      remember();
      const c = work.getContext('2d');
      const img = c.getImageData(r.x, r.y, r.w, r.h);
      const d = img.data;
      const block = Math.max(8, Math.round(Math.max(r.w, r.h) / 10));
      for (let by = 0; by < r.h; by += block) {
        for (let bx = 0; bx < r.w; bx += block) {
          const ey = Math.min(r.h, by + block);
          const ex = Math.min(r.w, bx + block);
          let sr = 0; let sg = 0; let sb = 0; let n = 0;
          for (let y = by; y < ey; y += 1) {
            for (let x = bx; x < ex; x += 1) {
              const i = (y * r.w + x) * 4;
              sr += d[i]; sg += d[i + 1]; sb += d[i + 2]; n += 1;
            }
          }
          sr = Math.round(sr / n); sg = Math.round(sg / n); sb = Math.round(sb / n);
          for (let y = by; y < ey; y += 1) {
            for (let x = bx; x < ex; x += 1) {
              const i = (y * r.w + x) * 4;
              d[i] = sr; d[i + 1] = sg; d[i + 2] = sb; d[i + 3] = 255;
            }
          }
        }
      }
      c.putImageData(img, r.x, r.y);
      paint();
    };
    const at = (e) => {
      const b = canvas.getBoundingClientRect();
      return {
        x: Math.min(canvas.width, Math.max(0, ((e.clientX - b.left) * canvas.width) / b.width)),
        y: Math.min(canvas.height, Math.max(0, ((e.clientY - b.top) * canvas.height) / b.height)),
      };
    };
    const rectOf = (a, b) => {
      const x = Math.round(Math.min(a.x, b.x));
      const y = Math.round(Math.min(a.y, b.y));
      return { x, y, w: Math.round(Math.max(a.x, b.x)) - x, h: Math.round(Math.max(a.y, b.y)) - y };
    };
    const penWidth = () => Math.max(6, Math.round(Math.max(work.width, work.height) / 40));
    const line = (a, b) => {
      const c = work.getContext('2d');
      c.strokeStyle = '#111';
      c.lineWidth = penWidth();
      c.lineCap = 'round';
      c.lineJoin = 'round';
      c.beginPath();
      c.moveTo(a.x, a.y);
      c.lineTo(b.x + 0.01, b.y);
      c.stroke();
    };
    canvas.addEventListener('pointerdown', (e) => {
      if (!work || !tool || busy) return;
      e.preventDefault();
      canvas.setPointerCapture(e.pointerId);
      const p = at(e);
      drag = { start: p, last: p, rect: null };
      if (tool === 'draw') {
        remember();
        line(p, p);
        paint();
      }
    });
    canvas.addEventListener('pointermove', (e) => {
      if (!drag || !work) return;
      const p = at(e);
      if (tool === 'draw') line(drag.last, p);
      else drag.rect = rectOf(drag.start, p);
      drag.last = p;
      paint();
    });
    const endDrag = (apply) => {
      if (!drag) return;
      const r = drag.rect;
      drag = null;
      if (apply && r && r.w >= 4 && r.h >= 4) {
        if (tool === 'crop') crop(r);
        else if (tool === 'blur') blur(r);
      }
      paint();
    };
    canvas.addEventListener('pointerup', () => endDrag(true));
    canvas.addEventListener('pointercancel', () => endDrag(false));
    root.querySelectorAll('[data-att-tool]').forEach((b) => b.addEventListener('click', () => {
      setTool(tool === b.dataset.attTool ? null : b.dataset.attTool);
    }));
    root.querySelectorAll('[data-att-action]').forEach((b) => b.addEventListener('click', () => {
      if (!work) return;
      const action = b.dataset.attAction;
      if (action === 'rotate') rotate();
      if (action === 'undo' && history.length) {
        work = history.pop();
        buttons();
        paint();
      }
      if (action === 'reset' && original) {
        history = [];
        work = copyCanvas(original);
        buttons();
        paint();
      }
    }));

    const openEditor = (bitmap, name) => {
      // Large photos are edited at most 3000 px wide (the server keeps 2048).
      const s = Math.min(1, 3000 / Math.max(bitmap.width, bitmap.height));
      work = document.createElement('canvas');
      work.width = Math.max(1, Math.round(bitmap.width * s));
      work.height = Math.max(1, Math.round(bitmap.height * s));
      const c = work.getContext('2d');
      c.fillStyle = '#fff';
      c.fillRect(0, 0, work.width, work.height);
      c.drawImage(bitmap, 0, 0, work.width, work.height);
      if (bitmap.close) bitmap.close();
      original = copyCanvas(work);
      history = [];
      buttons();
      setTool(null);
      pending = { type: 'photo', name };
      showPanel('editor');
      paint();
    };

    fileInput.addEventListener('change', async () => {
      const f = fileInput.files && fileInput.files[0];
      if (!f) return;
      reset();
      say('');
      const kind = attKindOf(f);
      if (f.size === 0) { say(root.dataset.msgFileEmpty, 'error', 'file-empty'); return; }
      if (f.size > (max[kind] || max.document)) { say(root.dataset.msgFileTooLarge, 'error', 'file-too-large'); return; }
      if (kind === 'photo' && (PHOTO_TYPES.includes(f.type) || ['jpg', 'jpeg', 'png', 'webp'].includes(ext(f.name)))) {
        try {
          openEditor(await createImageBitmap(f), f.name);
          canvas.scrollIntoView({ block: 'nearest' });
          return;
        } catch (_) {
          // Not a picture the browser reads: the server says what it is.
        }
      }
      pending = { type: 'file', file: f, kind };
      q('[data-att-chosen-badge]').textContent = attBadge(f.name);
      q('[data-att-chosen-name]').textContent = f.name;
      q('[data-att-chosen-size]').textContent = attSize(f.size);
      showPanel('file');
    });

    // ---- The voice recorder.
    const voiceType = () => {
      if (!window.MediaRecorder || !MediaRecorder.isTypeSupported) return '';
      return ['audio/webm;codecs=opus', 'audio/webm', 'audio/mp4', 'audio/ogg;codecs=opus']
        .find((t) => MediaRecorder.isTypeSupported(t)) || '';
    };
    const voiceName = (type) => {
      if (type.includes('mp4')) return 'voice-message.m4a';
      if (type.includes('ogg')) return 'voice-message.ogg';
      return 'voice-message.webm';
    };
    const tick = () => {
      if (!rec) return;
      const s = Math.floor((Date.now() - rec.started) / 1000);
      elapsed.textContent = Math.floor(s / 60) + ':' + String(s % 60).padStart(2, '0');
      if (s >= 600) stopRecording(true);
    };
    recordBtn.addEventListener('click', async () => {
      if (rec) { stopRecording(true); return; }
      if (busy) return;
      reset();
      say('');
      if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia || !window.MediaRecorder) {
        say(root.dataset.msgRecUnsupported, 'error');
        return;
      }
      let stream;
      try {
        stream = await navigator.mediaDevices.getUserMedia({ audio: true });
      } catch (_) {
        say(root.dataset.msgMic, 'error');
        return;
      }
      const type = voiceType();
      let mr;
      try {
        mr = type ? new MediaRecorder(stream, { mimeType: type }) : new MediaRecorder(stream);
      } catch (_) {
        stream.getTracks().forEach((t) => t.stop());
        say(root.dataset.msgRecUnsupported, 'error');
        return;
      }
      const chunks = [];
      const me = { recorder: mr, stream, started: Date.now(), timer: 0, keep: true };
      mr.addEventListener('dataavailable', (e) => { if (e.data && e.data.size) chunks.push(e.data); });
      mr.addEventListener('stop', () => {
        if (!me.keep) return;
        const mime = (mr.mimeType || type || 'audio/webm').split(';')[0];
        const blob = new Blob(chunks, { type: mime });
        pending = { type: 'voice', blob, name: voiceName(mime) };
        previewUrl = URL.createObjectURL(blob);
        preview.src = previewUrl;
        preview.hidden = false;
        attFixDuration(preview);
        recBox.classList.add('stopped');
        recState.textContent = root.dataset.msgRecReady;
        stopBtn.hidden = true;
        sendBtn.disabled = false;
        root.dataset.attVoiceBytes = String(blob.size);
      });
      rec = me;
      recBox.classList.remove('stopped');
      recState.textContent = recordLabel;
      elapsed.textContent = '0:00';
      stopBtn.hidden = false;
      preview.hidden = true;
      sendBtn.disabled = true;
      showPanel('recorder');
      recordBtn.classList.add('recording');
      mr.start(250);
      me.timer = setInterval(tick, 250);
    });
    stopBtn.addEventListener('click', () => stopRecording(true));

    cancelBtn.addEventListener('click', () => { reset(); say(''); });

    // ---- Sending.
    const send = async (blob, name, kind) => {
      busy = true;
      sendBtn.disabled = true;
      cancelBtn.disabled = true;
      let best = 0;
      progress.value = 0;
      progress.hidden = false;
      root.dataset.attProgressShown = '1';
      say(root.dataset.msgSending);
      const params = { name, caption: caption.value.trim() };
      if (kind) params.kind = kind;
      const url = '/api/v1/threads/' + encodeURIComponent(thread) + '/files?' + new URLSearchParams(params);
      // The key of this file: a retry after a lost answer posts it once.
      const action = pending || {};
      if (!action.idempotencyKey) action.idempotencyKey = idempotencyKey();
      const onProgress = (p) => {
        progress.value = p;
        best = Math.max(best, p);
        root.dataset.attMaxProgress = String(best);
      };
      let { status: code, data } = await attUpload(url, blob, onProgress, action.idempotencyKey);
      if (code === 0) {
        // The connection dropped: once more with the same key.
        ({ status: code, data } = await attUpload(url, blob, onProgress, action.idempotencyKey));
      } else if (code === 422 && data && data.code === 'idempotency-key-reused') {
        // The file or caption changed since the first try: a new action.
        action.idempotencyKey = idempotencyKey();
        ({ status: code, data } = await attUpload(url, blob, onProgress, action.idempotencyKey));
      }
      busy = false;
      sendBtn.disabled = false;
      cancelBtn.disabled = false;
      if (code >= 200 && code < 300 && data) {
        progress.value = 100;
        caption.value = '';
        reset();
        say(root.dataset.msgSent, 'ok');
        setTimeout(() => { if (!busy) progress.hidden = true; }, 800);
        document.dispatchEvent(new CustomEvent('cercle:message-sent', { detail: data }));
        return;
      }
      progress.hidden = true;
      const errCode = (data && data.code) || (code === 413 ? 'file-too-large' : '');
      const text = (errCode && codeMessage(errCode)) || (data && data.message) || root.dataset.msgFailed;
      say(text, 'error', errCode || 'failed');
    };
    sendBtn.addEventListener('click', () => {
      if (!pending || busy) return;
      if (pending.type === 'photo' && work) {
        const base = pending.name || 'photo';
        const name = (base.replace(/\.[^.]*$/, '') || 'photo') + '.jpg';
        drag = null;
        paint();
        work.toBlob((blob) => {
          if (!blob) { say(root.dataset.msgFailed, 'error'); return; }
          if (blob.size > max.photo) { say(root.dataset.msgFileTooLarge, 'error', 'file-too-large'); return; }
          send(blob, name, 'photo');
        }, 'image/jpeg', 0.92);
      } else if (pending.type === 'voice') {
        send(pending.blob, pending.name, 'voice');
      } else if (pending.type === 'file') {
        // Only a photo is declared (the server checks it); the rest is told from its content.
        send(pending.file, pending.file.name, pending.kind === 'photo' ? 'photo' : '');
      }
    });
  });
}
// ==== END attachments (att-) ================================================
