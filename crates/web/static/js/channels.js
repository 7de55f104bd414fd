// Care channels (chan-). A feature module of app.js: it runs on every page and does
// nothing where its elements are absent.
import { body, api } from './core.js';

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
