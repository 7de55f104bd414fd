// Cercle's own script: small, no dependencies, loaded as a module (CSP
// forbids inline scripts). One ES module per feature under /static/js/,
// loaded natively, no build step; they run in this order.
export { idempotencyKey, api } from './js/core.js';
import './js/profile.js';
import './js/attachments.js';
import './js/threads.js';
import './js/patient_files.js';
import './js/circle.js';
import './js/channels.js';
import './js/teams.js';
import './js/push.js';
import './js/calls.js';
import './js/notifications.js';
import './js/connect.js';
