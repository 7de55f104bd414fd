// Patient files (pf-). A feature module of app.js: it runs on every page and does
// nothing where its elements are absent.

// ==== Patient files (pf-) ====================================================
// "Show archived files" applies at once (the form still works without script).
document.querySelectorAll('[data-pf-autosubmit]').forEach((box) => {
  box.addEventListener('change', () => {
    const form = box.closest('form');
    if (form) form.requestSubmit();
  });
});
// ==== end of Patient files (pf-) ==============================================
