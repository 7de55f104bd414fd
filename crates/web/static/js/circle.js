// The patient's circle (circ-). A feature module of app.js: it runs on every page and does
// nothing where its elements are absent.

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
