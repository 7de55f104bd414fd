// Teams and triage (tm-). A feature module of app.js: it runs on every page and does
// nothing where its elements are absent.
import { api, BACKGROUND, sessionGone, checkSession, liveShare, liveState } from './core.js';

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
