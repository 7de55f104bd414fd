// The bell (notif-). A feature module of app.js: it runs on every page and does
// nothing where its elements are absent.
import { body, api, BACKGROUND, sessionGone, checkSession, liveShare, liveState } from './core.js';

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
      // Shared with the page's other features (the incoming-call banner,
      // the connect page; the listener above updates the bell), as a
      // page's own stream shares its events.
      socket.addEventListener('message', (m) => {
        let ev = null;
        try { ev = JSON.parse(m.data); } catch (_) { return; }
        liveShare(ev);
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
