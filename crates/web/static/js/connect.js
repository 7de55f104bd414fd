// Instant mobile connect (connect-). A feature module of app.js: it does
// nothing where its elements are absent.
import { api } from './core.js';

// The phone's page (/connect#<secret>): the secret is the link's fragment,
// which the browser never sends to a server. It is dropped from the address
// bar and the history at once, sent once to open a locked session of the
// account on this device, and the lock screen then asks for the PIN.
(() => {
  const box = document.querySelector('[data-connect-redeem]');
  if (!box) return;
  const status = box.querySelector('[data-testid=connect-phone-status]');
  const say = (text) => {
    if (!status) return;
    status.textContent = text;
    status.className = 'notice error';
    status.setAttribute('role', 'alert');
  };
  // base64url: nothing to decode.
  const secret = (location.hash || '').slice(1);
  if (location.hash) history.replaceState(null, '', location.pathname);
  if (!secret) { say(box.dataset.missing); return; }
  (async () => {
    try {
      const r = await api('/account/connect-codes/redeem', {
        method: 'POST',
        body: JSON.stringify({ secret }),
      });
      if (r.status === 201) { window.location.replace('/lock'); return; }
      let message = box.dataset.failed;
      try { const e = await r.json(); if (e && e.message) message = e.message; } catch (_) { /* not JSON */ }
      say(message);
    } catch (_) {
      say(box.dataset.failed);
    }
  })();
})();

// The page that shows the code: when a device opens a session with it, the
// person's live stream says so ("connected on a new device").
(() => {
  const card = document.querySelector('[data-connect-show]');
  if (!card) return;
  const status = card.querySelector('[data-testid=connect-status]');
  window.addEventListener('cercle:live', (e) => {
    const ev = e.detail;
    if (!ev || ev.type !== 'device_connected' || !status) return;
    const device = (ev.data && ev.data.label) || '';
    status.textContent = (card.dataset.connected || '').replace('{device}', device);
    status.hidden = false;
  });
})();
