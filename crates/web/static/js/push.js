// Web Push on this device. A feature module of app.js: it runs on every page and does
// nothing where its elements are absent.
import { body, api } from './core.js';

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
