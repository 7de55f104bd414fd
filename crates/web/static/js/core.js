// What every page needs: page-wide behaviour (idle lock, menus, forms) and
// the helpers the features share (API calls, the session check, the shared
// live stream). Imported first by app.js.

export const body = document.body;

// The reader's time zone (their own, else their organization's), as the
// server formats dates; times written here follow it too.
export function readerTimeZone() {
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
export const fitComposer = () => {
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
export const BACKGROUND = { 'X-Cercle-Background': '1' };
export const sessionGone = (r) => {
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
export const checkSession = async () => {
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
export const liveShare = (ev) => {
  if (ev) window.dispatchEvent(new CustomEvent('cercle:live', { detail: ev }));
};
export const liveState = (up) => window.dispatchEvent(new CustomEvent('cercle:live-state', { detail: !!up }));
