// Cercle's own script: small, no dependencies, loaded as a module (CSP forbids inline scripts).

const body = document.body;

// The reader's time zone (their own, else their organization's), as the
// server formats dates; times written here follow it too.
function readerTimeZone() {
  return body.dataset.tz || 'America/Montreal';
}

// Automatic lock: after the idle delay the page goes to the lock screen. The
// server enforces the same delay; this only spares a screen of health data
// from staying in view.
const idleSecs = Number(body.dataset.idleLock || 0);
if (idleSecs > 0) {
  let timer;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => { window.location.assign('/lock'); }, idleSecs * 1000 + 1000);
  };
  ['pointerdown', 'keydown', 'scroll', 'touchstart'].forEach((e) =>
    window.addEventListener(e, arm, { passive: true }));
  arm();
}

// Copy buttons (recovery code).
document.querySelectorAll('[data-copy]').forEach((button) => {
  button.addEventListener('click', async () => {
    const target = document.getElementById(button.dataset.copy);
    if (!target) return;
    try {
      await navigator.clipboard.writeText(target.textContent.trim());
      const label = button.textContent;
      button.textContent = button.dataset.copied || label;
      setTimeout(() => { button.textContent = label; }, 2000);
    } catch (_) {
      const range = document.createRange();
      range.selectNodeContents(target);
      const sel = window.getSelection();
      sel.removeAllRanges();
      sel.addRange(range);
    }
  });
});

// Destructive actions ask once.
document.querySelectorAll('[data-confirm]').forEach((el) => {
  el.addEventListener('click', (event) => {
    if (!window.confirm(el.dataset.confirm)) event.preventDefault();
  });
});

// Close the header's menus (account, organization, "more") when clicking elsewhere.
const MENUS = 'details.account[open], details.orgswitch[open], details.nav-more[open]';
document.addEventListener('click', (event) => {
  document.querySelectorAll(MENUS).forEach((d) => {
    if (!d.contains(event.target)) d.removeAttribute('open');
  });
});

// Escape closes the open menu around the focus (a header menu or a row's
// actions), or else the header's open menu, and gives the focus back to its
// <summary>.
document.addEventListener('keydown', (event) => {
  if (event.key !== 'Escape' || event.defaultPrevented) return;
  const active = document.activeElement;
  const around = active && active.closest
    ? active.closest('details.account[open], details.orgswitch[open], details.nav-more[open], details.row-actions[open]')
    : null;
  const menu = around || document.querySelector(MENUS);
  if (!menu) return;
  menu.removeAttribute('open');
  const summary = menu.querySelector(':scope > summary');
  if (summary) summary.focus();
  event.preventDefault();
});

// The message composer: one line until its text needs more room (at most
// 40% of the window, then it scrolls).
const fitComposer = () => {
  const area = document.getElementById('thr-body');
  if (!area) return;
  area.style.height = '';
  if (area.scrollHeight > area.clientHeight + 1) {
    area.style.height = Math.min(area.scrollHeight + 2, Math.round(window.innerHeight * 0.4)) + 'px';
  }
};
document.addEventListener('input', (e) => { if (e.target && e.target.id === 'thr-body') fitComposer(); });
fitComposer();
// A control focused under the sticky composer scrolls up clear of it
// (scroll-padding alone does not move what is already half in view).
document.addEventListener('focusin', (e) => {
  const composer = document.getElementById('thr-composer');
  const el = e.target;
  if (!composer || !el || !el.getBoundingClientRect || composer.contains(el)) return;
  const c = composer.getBoundingClientRect();
  const r = el.getBoundingClientRect();
  if (r.bottom > c.top && r.top < c.bottom) window.scrollBy(0, r.bottom - c.top + 8);
});

// Forms: prevent double submission (a code must not be sent twice by a double click).
document.querySelectorAll('form').forEach((form) => {
  form.addEventListener('submit', () => {
    form.querySelectorAll('button[type=submit]').forEach((b) => {
      setTimeout(() => { b.disabled = true; }, 0);
    });
  });
});

// One Idempotency-Key per user action (a message, an upload), generated when
// the action starts and sent again on its retries: the server then answers
// with the first result instead of creating a duplicate.
export const idempotencyKey = () => (window.crypto && typeof crypto.randomUUID === 'function')
  ? crypto.randomUUID()
  : Date.now().toString(36) + '-' + Math.random().toString(36).slice(2) + Math.random().toString(36).slice(2);

// Fetch helper for later features: sends the CSRF token with cookie-authenticated API calls.
export async function api(path, options = {}) {
  const headers = Object.assign({ 'Content-Type': 'application/json', 'X-CSRF-Token': body.dataset.csrf }, options.headers || {});
  return fetch('/api/v1' + path, Object.assign({}, options, { headers, credentials: 'same-origin' }));
}

// Requests the page makes on its own (the bell's poll, the draft's autosave,
// fetches after a live event) say so: they never count as the person's
// activity, so an idle tab still locks. What they learn of the session is
// acted on at once: a locked session shows the lock screen, an ended one
// the sign-in page.
const BACKGROUND = { 'X-Cercle-Background': '1' };
const sessionGone = (r) => {
  if (!r) return false;
  let to = null;
  if (r.status === 423) to = '/lock';
  else if (r.status === 401) to = '/sign-in';
  else if (r.redirected) {
    const path = new URL(r.url).pathname;
    if (path === '/lock' || path === '/sign-in') to = path;
  }
  if (to && location.pathname !== to) { window.location.assign(to); return true; }
  return !!to;
};
// A page being left (a form sent, a link followed) sees its stream close on
// its own; asking then would only race the navigation (and log a 401 when
// the form was "sign out"). Wait for the page to go; if it stays (a
// download), check as usual.
let leavingAt = 0;
window.addEventListener('beforeunload', () => { leavingAt = Date.now(); });
window.addEventListener('pageshow', () => { leavingAt = 0; });
// After the live stream closed: where does the session stand?
const checkSession = async () => {
  if (Date.now() - leavingAt < 5000) await new Promise((done) => setTimeout(done, 5000));
  try {
    const r = await api('/auth/session', { method: 'GET', headers: BACKGROUND });
    if (sessionGone(r)) return true;
    if (r.ok) {
      const s = await r.json();
      if (s && s.state === 'locked') { window.location.assign('/lock'); return true; }
    }
  } catch (_) { /* offline */ }
  return false;
};

// One live stream per page: a page that opens the event WebSocket for its
// own needs (a thread, the teams page) shares what arrives and whether it is
// up, so the bell uses that one instead of opening a second.
const liveShare = (ev) => {
  if (ev) window.dispatchEvent(new CustomEvent('cercle:live', { detail: ev }));
};
const liveState = (up) => window.dispatchEvent(new CustomEvent('cercle:live-state', { detail: !!up }));

// Network — my profile (netp): the photo is framed here, then sent with the
// crop as fractions; proofs of profession are sent as they are. Both go to
// the JSON API with the page's CSRF token, showing progress and the
// server's translated message when refused.
{
  const csrf = document.body.dataset.csrf || '';

  // PUT a file; resolves to { status, data } (data: the JSON answer, or null).
  const netpUpload = (url, file, onProgress) => new Promise((resolve) => {
    const xhr = new XMLHttpRequest();
    xhr.open('PUT', url);
    xhr.setRequestHeader('X-CSRF-Token', csrf);
    xhr.setRequestHeader('Content-Type', file.type || 'application/octet-stream');
    xhr.upload.addEventListener('progress', (e) => {
      if (e.lengthComputable && onProgress) onProgress(Math.round((e.loaded / e.total) * 100));
    });
    xhr.addEventListener('load', () => {
      let data = null;
      try { data = JSON.parse(xhr.responseText); } catch (_) { data = null; }
      resolve({ status: xhr.status, data });
    });
    xhr.addEventListener('error', () => resolve({ status: 0, data: null }));
    xhr.send(file);
  });

  const netpSay = (el, text, kind) => {
    if (!el) return;
    el.textContent = text || '';
    el.classList.toggle('error', kind === 'error');
    el.classList.toggle('ok', kind === 'ok');
  };

  // ---- Photo: choose, frame (drag + zoom), send.
  const box = document.querySelector('[data-photo]');
  const input = box && box.querySelector('#netp-photo-file');
  if (box && input) {
    const cropper = box.querySelector('[data-photo-cropper]');
    const canvas = cropper.querySelector('canvas');
    const zoom = cropper.querySelector('input[type=range]');
    const save = cropper.querySelector('[data-photo-save]');
    const cancel = cropper.querySelector('[data-photo-cancel]');
    const status = box.querySelector('[data-photo-status]');
    const progress = box.querySelector('.netp-progress');
    const g = canvas.getContext('2d');
    const MAX_BYTES = 8 * 1024 * 1024;
    let file = null;
    let image = null;
    // The framed square, in pixels of the (upright) image.
    let sx = 0; let sy = 0; let side = 1;

    const clamp = () => {
      const shorter = Math.min(image.width, image.height);
      side = shorter / Number(zoom.value || 1);
      sx = Math.min(Math.max(0, sx), image.width - side);
      sy = Math.min(Math.max(0, sy), image.height - side);
    };
    const draw = () => {
      if (!image) return;
      const w = canvas.width;
      g.clearRect(0, 0, w, w);
      g.drawImage(image, sx, sy, side, side, 0, 0, w, w);
      // Darken outside the circle the photo will be shown in.
      g.save();
      g.fillStyle = 'rgba(20, 16, 28, 0.45)';
      g.beginPath();
      g.rect(0, 0, w, w);
      g.arc(w / 2, w / 2, w / 2 - 1, 0, Math.PI * 2, true);
      g.fill('evenodd');
      g.restore();
    };
    const reset = () => {
      file = null;
      if (image && image.close) image.close();
      image = null;
      input.value = '';
      cropper.hidden = true;
    };

    input.addEventListener('change', async () => {
      netpSay(status, '');
      const chosen = input.files && input.files[0];
      if (!chosen) return;
      if (chosen.size > MAX_BYTES || chosen.size === 0) {
        netpSay(status, box.dataset.msgTooLarge, 'error');
        reset();
        return;
      }
      try {
        image = await createImageBitmap(chosen);
      } catch (_) {
        netpSay(status, box.dataset.msgNotImage, 'error');
        reset();
        return;
      }
      file = chosen;
      zoom.value = '1';
      side = Math.min(image.width, image.height);
      sx = (image.width - side) / 2;
      sy = (image.height - side) / 2;
      clamp();
      cropper.hidden = false;
      draw();
      canvas.focus();
    });

    zoom.addEventListener('input', () => {
      if (!image) return;
      const cx = sx + side / 2;
      const cy = sy + side / 2;
      clamp();
      sx = cx - side / 2;
      sy = cy - side / 2;
      clamp();
      draw();
    });

    // Dragging moves the picture under the frame.
    let drag = null;
    canvas.addEventListener('pointerdown', (e) => {
      if (!image) return;
      drag = { x: e.clientX, y: e.clientY };
      canvas.setPointerCapture(e.pointerId);
    });
    canvas.addEventListener('pointermove', (e) => {
      if (!drag || !image) return;
      const scale = side / canvas.getBoundingClientRect().width;
      sx -= (e.clientX - drag.x) * scale;
      sy -= (e.clientY - drag.y) * scale;
      drag = { x: e.clientX, y: e.clientY };
      clamp();
      draw();
    });
    const endDrag = () => { drag = null; };
    canvas.addEventListener('pointerup', endDrag);
    canvas.addEventListener('pointercancel', endDrag);
    canvas.addEventListener('keydown', (e) => {
      if (!image) return;
      const step = side * 0.05;
      const moves = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] };
      const m = moves[e.key];
      if (!m) return;
      e.preventDefault();
      sx += m[0];
      sy += m[1];
      clamp();
      draw();
    });

    cancel.addEventListener('click', () => { reset(); netpSay(status, ''); });

    save.addEventListener('click', async () => {
      if (!file || !image) return;
      const q = new URLSearchParams({
        x: (sx / image.width).toFixed(5),
        y: (sy / image.height).toFixed(5),
        size: Math.min(1, side / Math.min(image.width, image.height)).toFixed(5),
      });
      save.disabled = true;
      cancel.disabled = true;
      progress.hidden = false;
      progress.value = 0;
      netpSay(status, box.dataset.msgSending);
      const { status: code, data } = await netpUpload('/api/v1/network/profile/photo?' + q, file, (p) => { progress.value = p; });
      if (code >= 200 && code < 300) {
        window.location.assign(box.dataset.photoDone || '/network/profile?sent=photo#photo');
        return;
      }
      save.disabled = false;
      cancel.disabled = false;
      progress.hidden = true;
      const fallback = code === 413 ? box.dataset.msgTooLarge : box.dataset.msgFailed;
      netpSay(status, (data && data.message) || fallback, 'error');
    });
  }

  // ---- Proofs of profession: permit number + document.
  document.querySelectorAll('form[data-proof]').forEach((form) => {
    const status = form.querySelector('[data-proof-status]');
    const progress = form.querySelector('.netp-progress');
    const button = form.querySelector('button[type=submit]');
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      // The page's double-submit guard disables the button: this form stays.
      setTimeout(() => { button.disabled = true; }, 0);
      const done = () => { setTimeout(() => { button.disabled = false; }, 0); };
      const permit = form.elements.permit_number.value.trim();
      const doc = form.elements.document.files && form.elements.document.files[0];
      if (!doc) {
        netpSay(status, form.dataset.msgNoFile, 'error');
        done();
        return;
      }
      if (doc.size > 5 * 1024 * 1024) {
        netpSay(status, form.dataset.msgTooLarge, 'error');
        done();
        return;
      }
      progress.hidden = false;
      progress.value = 0;
      netpSay(status, form.dataset.msgSending);
      const url = '/api/v1/network/professions/' + encodeURIComponent(form.dataset.proof)
        + '/proof?' + new URLSearchParams({ permit_number: permit });
      const { status: code, data } = await netpUpload(url, doc, (p) => { progress.value = p; });
      if (code >= 200 && code < 300) {
        window.location.assign('/network/profile?sent=proof#professions');
        return;
      }
      progress.hidden = true;
      const fallback = code === 413 ? form.dataset.msgTooLarge : form.dataset.msgFailed;
      netpSay(status, (data && data.message) || fallback, 'error');
      done();
    });
  });
}

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

// ==== Patient files (pf-) ====================================================
// "Show archived files" applies at once (the form still works without script).
document.querySelectorAll('[data-pf-autosubmit]').forEach((box) => {
  box.addEventListener('change', () => {
    const form = box.closest('form');
    if (form) form.requestSubmit();
  });
});
// ==== end of Patient files (pf-) ==============================================

// ==== The patient's circle (circ-) ============================================
// Invitation forms: the question's fields only for the question method, the
// secret code (email only) not offered for SMS, the invitation's fields only
// when "invite now" is ticked. Without script every field shows and the
// server refuses what does not fit.
document.querySelectorAll('form[data-circ-invite]').forEach((form) => {
  const sync = () => {
    const via = form.querySelector('[data-circ-via]:checked');
    const sms = !!via && via.value === 'sms';
    const code = form.querySelector('[data-circ-method][value=code]');
    const question = form.querySelector('[data-circ-method][value=question]');
    if (code) {
      code.disabled = sms;
      if (sms && code.checked && question) question.checked = true;
    }
    const method = form.querySelector('[data-circ-method]:checked');
    const fields = form.querySelector('.circ-question-fields');
    if (fields) fields.hidden = !!method && method.value === 'code';
    const now = form.querySelector('[data-circ-invite-now]');
    const invite = form.querySelector('.circ-invite-fields');
    if (now && invite) invite.hidden = !now.checked;
  };
  form.addEventListener('change', sync);
  sync();
});
// A section's presence switch is sent as soon as it is turned (the button
// is for pages without script); back on the page, the switch one turned
// has the focus again, so a keyboard user goes on from where they were.
document.querySelectorAll('form[data-circ-switch]').forEach((form) => {
  const apply = form.querySelector('[data-circ-switch-apply]');
  if (apply) apply.hidden = true;
  const box = form.querySelector('input[type=checkbox]');
  if (box) box.addEventListener('change', () => form.requestSubmit());
});
if (location.hash.startsWith('#circ-switch-')) {
  const turned = document.getElementById(location.hash.slice(1));
  if (turned && turned.matches('input[type=checkbox]')) turned.focus();
}
// ==== end of The patient's circle (circ-) =====================================

// ==== Care channels (chan-) ===================================================
// "Update" of a pinned document: the chosen file goes to
// POST /api/v1/pinned/{id}/versions (the body is the file); the new version
// opens a thread in the channel, then the page shows the new history.
document.querySelectorAll('[data-chan-update]').forEach((box) => {
  const input = box.querySelector('[data-chan-file]');
  const status = box.querySelector('[data-chan-status]');
  if (!input) return;
  input.addEventListener('change', async () => {
    const file = input.files && input.files[0];
    if (!file) return;
    if (status) status.textContent = box.dataset.msgSending || '';
    const url = '/api/v1/pinned/' + encodeURIComponent(box.dataset.chanUpdate)
      + '/versions?' + new URLSearchParams({ name: file.name || box.dataset.name || 'document' });
    try {
      const r = await fetch(url, {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'Content-Type': 'application/octet-stream', 'X-CSRF-Token': document.body.dataset.csrf || '' },
        body: file,
      });
      if (r.ok) {
        if (status) status.textContent = box.dataset.msgDone || '';
        setTimeout(() => window.location.reload(), 400);
        return;
      }
      let message = box.dataset.msgFailed || '';
      try { const data = await r.json(); if (data && data.message) message = data.message; } catch (_) { /* not JSON */ }
      if (status) status.textContent = message;
    } catch (_) {
      if (status) status.textContent = box.dataset.msgFailed || '';
    }
    input.value = '';
  });
});
// ==== end of Care channels (chan-) ============================================

// ==== Teams and triage (tm-) ==================================================
// On the Teams page: the event WebSocket keeps the triage box and the team's
// threads live. Any event of a thread one may see (a thread written to the
// team, assigned, taken, returned) fetches the page again and swaps #tm-box,
// so the box is rendered in one place (the server).
(() => {
  const box = document.getElementById('tm-box');
  if (!box || !('WebSocket' in window)) return;
  let socket = null;
  let retry = 1000;
  let timer = null;
  const refresh = async () => {
    try {
      const r = await fetch(location.pathname + location.search, { credentials: 'same-origin', headers: BACKGROUND });
      if (sessionGone(r) || !r.ok) return;
      const doc = new DOMParser().parseFromString(await r.text(), 'text/html');
      const fresh = doc.getElementById('tm-box');
      const now = document.getElementById('tm-box');
      if (fresh && now) {
        fresh.dataset.live = now.dataset.live || '0';
        now.replaceWith(fresh);
      }
    } catch (_) { /* offline: the next event retries */ }
  };
  const later = () => { clearTimeout(timer); timer = setTimeout(refresh, 150); };
  const connect = () => {
    const url = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/api/v1/events';
    socket = new WebSocket(url);
    window.cercleLiveShared = true;
    socket.addEventListener('open', () => {
      retry = 1000;
      const b = document.getElementById('tm-box');
      if (b) b.dataset.live = '1';
      liveState(true);
    });
    socket.addEventListener('message', (m) => {
      let ev = null;
      try { ev = JSON.parse(m.data); } catch (_) { return; }
      liveShare(ev);
      if (!ev || ev.type === 'ready' || ev.type === 'typing' || ev.type === 'notifications') return;
      later();
    });
    socket.addEventListener('close', async () => {
      const b = document.getElementById('tm-box');
      if (b) b.dataset.live = '0';
      liveState(false);
      if (await checkSession()) return;
      setTimeout(connect, retry);
      retry = Math.min(retry * 2, 15000);
    });
  };
  connect();
})();
// ==== end of Teams and triage (tm-) ===========================================

// Web Push: "Enable notifications on this device" (security page). Registers
// the service worker (/sw.js), subscribes with the server's VAPID key and
// sends the subscription to the API; "turn off" unsubscribes both sides.
(function pushControl() {
  const box = document.querySelector('[data-push]');
  if (!box) return;
  const status = box.querySelector('[data-push-status]');
  const enable = box.querySelector('[data-push-enable]');
  const disable = box.querySelector('[data-push-disable]');
  const say = (key) => { status.textContent = box.dataset[key] || ''; };
  const show = (on) => { enable.hidden = on; disable.hidden = !on; };
  if (!('serviceWorker' in navigator) || !('PushManager' in window) || !('Notification' in window)) {
    say('pushUnsupported');
    return;
  }
  const keyBytes = (b64) => {
    const s = (b64 + '='.repeat((4 - (b64.length % 4)) % 4)).replace(/-/g, '+').replace(/_/g, '/');
    return Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
  };
  const registration = () => navigator.serviceWorker.register('/sw.js', { scope: '/' })
    .then(() => navigator.serviceWorker.ready);
  registration().then(async (reg) => {
    const sub = await reg.pushManager.getSubscription();
    show(Boolean(sub) && Notification.permission === 'granted');
    say(sub && Notification.permission === 'granted' ? 'pushOn' : (Notification.permission === 'denied' ? 'pushDenied' : 'pushOff'));
  }).catch(() => { show(false); say('pushOff'); });
  enable.addEventListener('click', async () => {
    enable.disabled = true;
    try {
      const permission = await Notification.requestPermission();
      if (permission !== 'granted') { say('pushDenied'); return; }
      const reg = await registration();
      const keyResp = await api('/push/vapid-public-key', { method: 'GET' });
      const { key } = await keyResp.json();
      let sub = await reg.pushManager.getSubscription();
      if (!sub) {
        sub = await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(key) });
      }
      const resp = await api('/push/subscriptions', { method: 'POST', body: JSON.stringify(sub.toJSON()) });
      if (!resp.ok) {
        const err = await resp.json().catch(() => ({}));
        status.textContent = err.message || box.dataset.pushFailed;
        return;
      }
      show(true);
      say('pushOn');
    } catch (_) {
      say('pushFailed');
    } finally {
      enable.disabled = false;
    }
  });
  disable.addEventListener('click', async () => {
    disable.disabled = true;
    try {
      const reg = await registration();
      const sub = await reg.pushManager.getSubscription();
      if (sub) {
        await api('/push/subscriptions', { method: 'DELETE', body: JSON.stringify({ endpoint: sub.endpoint }) });
        await sub.unsubscribe();
      }
      show(false);
      say('pushOff');
    } catch (_) {
      say('pushFailed');
    } finally {
      disable.disabled = false;
    }
  });
})();

// notif: the bell's badge follows the person's stream. The server pushes a
// frame on every change of their notifications (a new one, some read, on any
// of their pages or devices): the badge shows the count, the live region
// says it to screen readers ("2 unread"), and the notification centre, when
// open, shows the new one. The page's own event WebSocket is used when it
// has one (thread, teams); otherwise the bell opens it, and reconnects with
// a growing, bounded delay. Only while the stream is down does the bell ask
// for the count by itself, slowly (and when the tab comes back into view).
// These requests are background ones: they never keep the session awake.
(() => {
  const bell = document.querySelector('a.bell[data-testid=nav-notifications]');
  if (!bell) return;
  const say = document.querySelector('[data-testid=notif-live]');
  const current = () => {
    const b = bell.querySelector('[data-testid=notif-badge]');
    return b ? Number(b.dataset.count || b.textContent || 0) : 0;
  };
  let shown = current();
  // `quiet`: the badge follows, nothing is said (a notification of the
  // thread one is reading, a count that went down).
  const show = (unread, label, quiet) => {
    if (typeof unread !== 'number') return;
    let badge = bell.querySelector('[data-testid=notif-badge]');
    if (unread > 0) {
      if (!badge) {
        badge = document.createElement('b');
        badge.className = 'thr-nav-badge';
        badge.dataset.testid = 'notif-badge';
        bell.appendChild(badge);
      }
      badge.textContent = String(Math.min(unread, 99));
      badge.dataset.count = String(unread);
      if (label) badge.title = label;
    } else if (badge) {
      badge.remove();
    }
    if (unread > shown && !quiet && say && label) say.textContent = label;
    shown = unread;
  };
  // The notification centre, when open, is fetched again and swapped.
  const refreshCentre = async () => {
    const now = document.getElementById('notif-centre-list');
    if (!now) return;
    try {
      const r = await fetch(location.pathname + location.search, { credentials: 'same-origin', headers: BACKGROUND });
      if (sessionGone(r) || !r.ok) return;
      const doc = new DOMParser().parseFromString(await r.text(), 'text/html');
      const fresh = doc.getElementById('notif-centre-list');
      const still = document.getElementById('notif-centre-list');
      if (fresh && still && !still.contains(document.activeElement)) still.replaceWith(fresh);
    } catch (_) { /* offline: the next change brings it */ }
  };
  const refresh = async () => {
    try {
      const r = await api('/notifications/unread', { method: 'GET', headers: BACKGROUND });
      if (sessionGone(r) || !r.ok) return;
      const { unread, label } = await r.json();
      show(unread, label);
    } catch (_) { /* offline: the next round tries again */ }
  };
  let up = false;
  const onEvent = (ev) => {
    if (!ev || ev.type !== 'notifications' || !ev.data) return;
    const before = shown;
    const latest = ev.data.latest;
    show(ev.data.unread, ev.data.label, !!(latest && latest.link === location.pathname));
    if (ev.data.unread !== before || latest) refreshCentre();
  };
  window.addEventListener('cercle:live', (e) => onEvent(e.detail));
  window.addEventListener('cercle:live-state', (e) => {
    up = !!e.detail;
    bell.dataset.live = up ? '1' : '0';
    // Back up: what changed while it was down.
    if (up) refresh();
  });
  if (!window.cercleLiveShared && 'WebSocket' in window) {
    let retry = 1000;
    const connect = () => {
      const url = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/api/v1/events';
      const socket = new WebSocket(url);
      socket.addEventListener('open', () => { retry = 1000; liveState(true); });
      socket.addEventListener('message', (m) => {
        let ev = null;
        try { ev = JSON.parse(m.data); } catch (_) { return; }
        onEvent(ev);
      });
      socket.addEventListener('close', async () => {
        liveState(false);
        // Closed because the session ended or locked: show where it stands.
        if (await checkSession()) return;
        setTimeout(connect, retry);
        retry = Math.min(retry * 2, 30000);
      });
    };
    bell.dataset.stream = 'own';
    connect();
  } else {
    bell.dataset.stream = 'shared';
  }
  const idle = Number(body.dataset.idleLock || 0);
  const every = idle > 0 ? Math.max(1000, Math.min(30000, (idle * 1000) / 4)) : 30000;
  setInterval(() => { if (!up) refresh(); }, every);
  document.addEventListener('visibilitychange', () => { if (!document.hidden) refresh(); });
})();
