// Cercle's own script: small, no dependencies, loaded as a module (CSP forbids inline scripts).

const body = document.body;

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

// Close the account and organization menus when clicking elsewhere.
document.addEventListener('click', (event) => {
  document.querySelectorAll('details.account[open], details.orgswitch[open]').forEach((d) => {
    if (!d.contains(event.target)) d.removeAttribute('open');
  });
});

// Forms: prevent double submission (a code must not be sent twice by a double click).
document.querySelectorAll('form').forEach((form) => {
  form.addEventListener('submit', () => {
    form.querySelectorAll('button[type=submit]').forEach((b) => {
      setTimeout(() => { b.disabled = true; }, 0);
    });
  });
});

// Fetch helper for later features: sends the CSRF token with cookie-authenticated API calls.
export async function api(path, options = {}) {
  const headers = Object.assign({ 'Content-Type': 'application/json', 'X-CSRF-Token': body.dataset.csrf }, options.headers || {});
  return fetch('/api/v1' + path, Object.assign({}, options, { headers, credentials: 'same-origin' }));
}
