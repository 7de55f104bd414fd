// The network profile page (netp-). A feature module of app.js: it runs on every page and does
// nothing where its elements are absent.
import { api } from './core.js';

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
