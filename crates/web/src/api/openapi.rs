//! The OpenAPI 3 description of `/api/v1`, built from one table so that
//! each operation is written once. A test walks the table against the router.

use axum::Json;
use serde_json::{json, Map, Value};

pub struct Operation {
    pub method: &'static str,
    pub path: &'static str,
    pub summary: &'static str,
    /// Needs a session (bearer token, or cookies + `X-CSRF-Token`).
    pub auth: bool,
    /// Required string fields of the JSON body.
    pub body: &'static [&'static str],
    pub success: u16,
}

const fn op(
    method: &'static str,
    path: &'static str,
    summary: &'static str,
    auth: bool,
    body: &'static [&'static str],
    success: u16,
) -> Operation {
    Operation {
        method,
        path,
        summary,
        auth,
        body,
        success,
    }
}

pub const OPERATIONS: &[Operation] = &[
    op("post", "/auth/sign-up", "Start a sign-up; a 6-digit code is emailed. Returns a bearer token for the next steps.", false, &["email", "password", "name", "language"], 201),
    op("post", "/auth/sign-in", "Check email and password; a code is sent (email, SMS) or read from the authenticator app. Returns a bearer token.", false, &["email", "password"], 200),
    op("get", "/auth/session", "The state of this session: awaiting_code, setup (terms, recovery_code, pin), locked or ready.", true, &[], 200),
    op("post", "/auth/code", "Enter the code of a pending sign-up or sign-in.", true, &["code"], 200),
    op("post", "/auth/code/resend", "Send a new code (the earlier one stops working).", true, &[], 202),
    op("post", "/auth/recovery", "Sign in with the recovery code instead of the second factor (works once).", true, &["recovery_code"], 200),
    op("post", "/auth/terms", "Sign-up step: accept the terms of use.", true, &[], 200),
    op("post", "/auth/recovery-code", "Sign-up step: create the recovery code (returned once, also emailed).", true, &[], 200),
    op("post", "/auth/pin", "Sign-up step: set the PIN (entered twice).", true, &["pin", "pin_confirm"], 200),
    op("post", "/auth/lock", "Lock this session; the PIN unlocks it.", true, &[], 200),
    op("post", "/auth/unlock", "Unlock with the PIN. The fifth wrong PIN erases the session.", true, &["pin"], 200),
    op("post", "/auth/sign-out", "Close this session.", true, &[], 204),
    op("post", "/auth/sign-out-everywhere", "Close every session of this account.", true, &[], 200),
    op("post", "/auth/password-reset", "Email a password-reset link if the address has an account (always 202).", false, &["email"], 202),
    op("post", "/auth/password-reset/complete", "Set a new password with the token from the link (single use, expires).", false, &["token", "password"], 204),
    op("get", "/account", "The signed-in person.", true, &[], 200),
    op("put", "/account/password", "Change the password; other sessions end.", true, &["current_password", "new_password"], 204),
    op("put", "/account/pin", "Change the PIN (password needed).", true, &["password", "pin", "pin_confirm"], 204),
    op("post", "/account/recovery-code", "Generate a new recovery code; the old one stops working.", true, &["password"], 200),
    op("post", "/account/phone", "Send a code by SMS to verify a phone number.", true, &["phone"], 202),
    op("post", "/account/phone/confirm", "Confirm the phone; sign-in codes then come by SMS.", true, &["code"], 200),
    op("post", "/account/totp", "Start using an authenticator app: returns the secret and otpauth URI.", true, &[], 200),
    op("post", "/account/totp/confirm", "Confirm with a code from the app; it becomes the second factor.", true, &["code"], 200),
    op("post", "/account/email-codes", "Receive sign-in codes by email again.", true, &["password"], 200),
    op("put", "/account/language", "Set the language (fr or en) of screens, emails and SMS.", true, &["language"], 204),
    op("post", "/account/delete", "Delete the account: identity erased, clinical messages kept as a former user.", true, &["password"], 204),
    op("get", "/account/sessions", "Sessions signed in with this account.", true, &[], 200),
    op("delete", "/account/sessions/{id}", "Close one of this account's sessions.", true, &[], 204),
    op("get", "/account/activity", "This account's recent security events from the audit log.", true, &[], 200),
    op("get", "/availability/schedule", "One's weekly availability schedule: slots { day 0 = Sunday … 6, start, end } in minutes, Montreal local time.", true, &[], 200),
    op("put", "/availability/schedule", "Replace the weekly schedule (slots: up to 50, start < end ≤ 1440, not overlapping within a day; none = always available).", true, &[], 200),
    op("get", "/availability/periods", "One's unavailability periods not over yet.", true, &[], 200),
    op("post", "/availability/periods", "Add an unavailability period: starts_at, ends_at (the return) in Unix ms, optional message (≤ 280). Overlapping or inverted periods are refused.", true, &[], 201),
    op("delete", "/availability/periods/{id}", "Remove one of one's unavailability periods.", true, &[], 204),
    op("get", "/notifications", "One's latest notifications (newest first, at most 100) and the unread count. Generic texts only: never content or patient data.", true, &[], 200),
    op("get", "/notifications/unread", "How many of one's notifications are unread.", true, &[], 200),
    op("post", "/notifications/read-all", "Mark all of one's notifications read.", true, &[], 204),
    op("get", "/notifications/preferences", "One's notification preferences: email alert on or off and its delay, the delays one may choose, whether SMS escalation reaches one, muted threads.", true, &[], 200),
    op("put", "/notifications/preferences", "Set the email alert: email_alerts (bool), email_delay_mins (one of 5, 15, 30, 60, 120, 240, 1440).", true, &["email_alerts", "email_delay_mins"], 200),
    op("post", "/notifications/{id}/open", "Mark one of one's notifications read; answers its link (a path within Cercle).", true, &[], 200),
    op("put", "/threads/{id}/mute", "Mute or unmute a thread one reaches: { muted }. Muted threads do not ring (high priority still does).", true, &["muted"], 200),
    op("get", "/push/vapid-public-key", "The server's VAPID public key (base64url, uncompressed P-256): the applicationServerKey browsers subscribe with.", false, &[], 200),
    op("get", "/push/subscriptions", "One's Web Push subscriptions (push service host, created, last delivered).", true, &[], 200),
    op("post", "/push/subscriptions", "Subscribe this browser to Web Push: the PushSubscription JSON { endpoint (https), keys { p256dh, auth } }; at most 20 per person; an endpoint already subscribed gets its keys renewed.", true, &["endpoint", "keys"], 201),
    op("delete", "/push/subscriptions", "Unsubscribe one of one's browsers, named by its endpoint.", true, &["endpoint"], 204),
    op("get", "/admin/audit", "The network's audit log (network administrators).", true, &[], 200),
    op("get", "/admin/outbox/failed", "Email and SMS the worker gave up on after retrying for mail_retry_hours (network administrators): channel, kind, masked recipient, Message-ID, attempts, last error, created_at, failed_at; never subject nor body.", true, &[], 200),
    op("post", "/admin/outbox/{id}/retry", "Send a failed message again (network administrators): due now, attempts from zero, a new retry window, the same Message-ID. Audited.", true, &[], 202),
    op("get", "/network/organizations", "Every organization of the network (network administrators).", true, &[], 200),
    op("post", "/network/organizations", "Create an organization and invite its first administrator (network administrators).", true, &["name", "admin_email", "admin_name"], 201),
    op("get", "/organizations", "The organizations one belongs to, and the active one.", true, &[], 200),
    op("post", "/organizations/active", "Switch the active organization.", true, &["org_id"], 200),
    op("get", "/org/structure", "Units, workplaces and teams of the active organization.", true, &[], 200),
    op("post", "/org/units", "Create a unit under another.", true, &["parent_id", "name"], 201),
    op("put", "/org/units/{id}", "Rename (name), move (parent_id) or archive (archived) a unit.", true, &[], 204),
    op("post", "/org/workplaces", "Create a workplace (kind: clinic, pharmacy, hospital, community, other).", true, &["unit_id", "name", "kind", "address"], 201),
    op("put", "/org/workplaces/{id}", "Change or archive a workplace.", true, &["unit_id", "name", "kind", "address"], 200),
    op("post", "/org/teams", "Create a team in a unit (optionally at a workplace).", true, &["unit_id", "name"], 201),
    op("put", "/org/teams/{id}", "Change or archive a team.", true, &["unit_id", "name"], 200),
    op("get", "/org/members", "Members and the roles they hold.", true, &[], 200),
    op("delete", "/org/members/{id}", "Remove a member: roles go, access ends at the next request.", true, &[], 204),
    op("post", "/org/members/{id}/roles", "Grant a role on a unit (holds in every unit below).", true, &["unit_id", "role"], 204),
    op("delete", "/org/roles/{id}", "Revoke a role (never the last administrator).", true, &[], 204),
    op("get", "/org/invitations", "Pending invitations.", true, &[], 200),
    op("post", "/org/invitations", "Invite someone into a unit with roles (silent for existing members).", true, &["unit_id", "email", "name", "roles"], 201),
    op("post", "/org/invitations/{id}/cancel", "Cancel a pending invitation.", true, &[], 204),
    op("post", "/org/invitations/{id}/resend", "Send a new link; the old one stops working.", true, &[], 202),
    op("get", "/invitations/{id}", "What an invitation link is for (the id is the link's token).", false, &[], 200),
    op("post", "/invitations/{id}/accept", "Accept an invitation as the signed-in person.", true, &[], 200),
    op("get", "/org/audit", "Search the audit log (actor_id, patient_id, target_type, action, unit_id, from, to, before_seq, limit).", true, &[], 200),
    op("get", "/org/audit.csv", "The same search as CSV (itself audited).", true, &[], 200),
    op("get", "/network/profile", "One's own network profile (professions with their status, workplaces, photo, shared phone).", true, &[], 200),
    op("put", "/network/profile", "Save one's profile: presentation, diplomas, competencies, contact, languages, shared_phone (friends only), restrict_external.", true, &[], 200),
    op("put", "/network/profile/photo", "Upload a photo: the body is the image (JPEG, PNG, WebP, at most 8 MB); query x, y, size crop a square (fractions). Re-encoded without metadata.", true, &[], 200),
    op("delete", "/network/profile/photo", "Remove one's photo.", true, &[], 204),
    op("get", "/network/people/{id}", "A person's profile, if one may see it (colleagues, friends, or validated professionals for people who did not restrict their visibility). The phone is for friends only.", true, &[], 200),
    op("get", "/network/people/{id}/photo", "A person's photo (JPEG), under the same rule as the profile.", true, &[], 200),
    op("get", "/network/professions", "The list of professions, in the reader's language.", true, &[], 200),
    op("post", "/network/professions", "Declare a profession (unverified until proof is sent).", true, &["profession"], 201),
    op("delete", "/network/professions/{id}", "Withdraw a profession from one's profile.", true, &[], 204),
    op("put", "/network/professions/{id}/proof", "Send the proof of a profession: the body is the document (PDF, JPEG, PNG, at most 5 MB); query permit_number. The profession becomes pending.", true, &[], 200),
    op("get", "/network/professions/{id}/proof", "The proof document (its holder and the verification team; reading it is audited).", true, &[], 200),
    op("get", "/network/verification", "Professions waiting for the verification team.", true, &[], 200),
    op("post", "/network/verification/{id}/approve", "Validate a pending profession (verification team).", true, &[], 204),
    op("post", "/network/verification/{id}/reject", "Reject a pending profession with a reason the person reads.", true, &["reason"], 204),
    op("get", "/network/verifiers", "The verification team (network administrators).", true, &[], 200),
    op("post", "/network/verifiers", "Put a person on the verification team, or take them off (enabled: false).", true, &["email"], 204),
    op("put", "/network/organizations/{id}/validation", "Allow an organization to validate its members' professions (enabled), or stop it (network administrators).", true, &[], 204),
    op("get", "/org/professions", "The professions of the active organization's members, for its administrators to validate.", true, &[], 200),
    op("post", "/org/professions/{id}/validate", "Validate a member's profession on behalf of the organization, when the network allows it.", true, &[], 204),
    op("get", "/network/search", "Search people and workplaces (q; kind, profession, workplace, page). Outside one's organizations and friends, for validated professionals only.", true, &[], 200),
    op("get", "/network/workplaces", "Every workplace of the network, by name (page).", true, &[], 200),
    op("post", "/network/workplaces", "Create an independent workplace and join it.", true, &["name", "kind", "address"], 201),
    op("get", "/network/workplaces/{id}", "A workplace: who works there (whom one may see) and, for its organization's members, its teams.", true, &[], 200),
    op("post", "/network/workplaces/{id}/join", "Join a workplace (an independent one, or one of one's organization).", true, &[], 204),
    op("post", "/network/workplaces/{id}/leave", "Leave a workplace.", true, &[], 204),
    op("get", "/network/directory", "One's personal directory: people and workplaces (private).", true, &[], 200),
    op("post", "/network/directory", "Add a person or a workplace (kind: person, workplace) to one's directory; they are not notified.", true, &["kind", "id"], 204),
    op("delete", "/network/directory/{id}", "Remove a person or a workplace from one's directory.", true, &[], 204),
    op("get", "/network/friends", "Friends, requests received, requests sent.", true, &[], 200),
    op("post", "/network/friends", "Send a friend request (the recipient is notified and goes into one's directory).", true, &["user_id"], 200),
    op("delete", "/network/friends/{id}", "End a friendship with a person (or withdraw one's request).", true, &[], 204),
    op("post", "/network/friends/requests/{id}/accept", "Accept a friend request.", true, &[], 204),
    op("post", "/network/friends/requests/{id}/ignore", "Ignore a friend request (the sender is not told).", true, &[], 204),
    op("get", "/network/invitations", "Invitations to the network one sent.", true, &[], 200),
    op("post", "/network/invitations", "Invite a professional to the network by email, vouching for their profession (validated professionals only).", true, &["email", "name", "profession"], 201),
    op("get", "/network/invitations/{id}", "What a network invitation link is for (the id is the link's token).", false, &[], 200),
    op("post", "/network/invitations/{id}/accept", "Accept a network invitation as the signed-in person: the vouched profession is validated.", true, &[], 204),
    op("get", "/threads", "One's threads in the active organization and direct messages (closed=true for closed ones), with unread counts. A title Cercle wrote comes as title (in the caller's language) and title_text {key, args}.", true, &[], 200),
    op("post", "/threads", "Start a thread: kind clinical (patient_file_id of the active organization) or collaboration; title; participants [{kind: user|team, id}]; high_priority.", true, &["kind", "title"], 201),
    op("get", "/threads/unread", "Unread messages over one's open threads.", true, &[], 200),
    op("get", "/threads/search", "Search the messages of the threads one may see (q; accent-insensitive).", true, &[], 200),
    op("get", "/threads/{id}", "A thread: participants, state, one's draft. A title Cercle wrote comes as title (in the caller's language) and title_text {key, args}; otherwise title_text is null. Not a participant: 404.", true, &[], 200),
    op("get", "/threads/{id}/messages", "Messages (before=seq for earlier ones), with attachments, seen by and acknowledged by.", true, &[], 200),
    op("post", "/threads/{id}/messages", "Post a message (body; priority asks everyone to acknowledge).", true, &["body"], 201),
    op("post", "/threads/{id}/participants", "Add people or teams ({participants: [{kind, id}]}); they see the whole history.", true, &[], 200),
    op("post", "/threads/{id}/participants/remove", "Remove a participant (the thread's creator) — {kind, id}.", true, &["kind", "id"], 204),
    op("post", "/threads/{id}/leave", "Leave the thread.", true, &[], 204),
    op("post", "/threads/{id}/close", "Close the thread (read-only; who and when are shown).", true, &[], 204),
    op("post", "/threads/{id}/reopen", "Reopen a closed thread.", true, &[], 204),
    op("put", "/threads/{id}/priority", "Mark the thread high priority or not (high_priority).", true, &[], 204),
    op("post", "/threads/{id}/duplicate", "A new thread with the same title and participants, without messages.", true, &[], 201),
    op("put", "/threads/{id}/draft", "Save one's draft (body; empty clears it).", true, &[], 204),
    op("post", "/threads/{id}/read", "Mark read up to seq (the latest when absent).", true, &[], 204),
    op("post", "/threads/{id}/unread", "Mark the thread unread.", true, &[], 204),
    op("post", "/threads/{id}/typing", "Tell the other participants one is typing (not stored).", true, &[], 204),
    op("put", "/threads/{id}/files", "Upload a file as a message: the body is the file; query name, kind (photo, video, voice, document), caption. Checked from its content; photos stripped of metadata; encrypted at rest.", true, &[], 201),
    op("get", "/threads/{id}/attachments", "The thread's attachments (gallery).", true, &[], 200),
    op("get", "/threads/{id}/export.pdf", "A closed thread as PDF for the record.", true, &[], 200),
    op("put", "/messages/{id}", "Edit one's message (body); the earlier text is kept.", true, &["body"], 200),
    op("post", "/messages/{id}/retract", "Retract one's message; a trace stays.", true, &[], 200),
    op("get", "/messages/{id}/versions", "Earlier texts of an edited or retracted message.", true, &[], 200),
    op("post", "/messages/{id}/ack", "Acknowledge a high-priority message.", true, &[], 204),
    op("get", "/attachments/{id}", "An attachment (participants only).", true, &[], 200),
    op("get", "/attachments/{id}/thumbnail", "A photo's thumbnail (participants only).", true, &[], 200),
    op("post", "/direct", "The direct thread with a friend (user_id), created on first use.", true, &["user_id"], 200),
    op("get", "/patient-files", "Patient files one may see in the active organization: view=active (open threads of oneself or one's teams), participating (threads and care channels one takes part in) or all (default: one's units, files one opened or takes part in); q searches them by name (accents ignored), file number or health insurance number; archived=true includes archived files. Each file listed is audited.", true, &[], 200),
    op("post", "/patient-files", "Open a patient file: first_name, last_name, birth_date (YYYY-MM-DD), health_insurance_number (Québec: ABCD 1234 5678), file_number, unit_id (default: the root unit), consents {care_team, caregivers, electronic}.", true, &["first_name", "last_name", "birth_date"], 201),
    op("get", "/patient-files/{id}", "A patient file (audited read), with may_edit and may_manage_circle.", true, &[], 200),
    op("patch", "/patient-files/{id}", "Change a patient file (the same fields, all optional; an empty health_insurance_number or file_number clears it). Its creator or whoever manages patients' identity on its unit.", true, &[], 200),
    op("post", "/patient-files/{id}/archive", "Archive a patient file: hidden from lists, no new threads, channels or invitations (409 patient-archived); still readable.", true, &[], 200),
    op("post", "/patient-files/{id}/restore", "Restore an archived patient file.", true, &[], 200),
    op("get", "/events", "WebSocket of live events (since=last id seen: what was missed comes first, then a ready frame, then live).", true, &[], 101),
    op("get", "/patient-files/{id}/channels", "The care channels of a patient file one takes part in (one's drafts included).", true, &[], 200),
    op("post", "/patient-files/{id}/channels", "Create a care channel (a draft only its creator sees until the first message): title (1 to 120 characters; the patient sees it as the name of their care team), participants [{kind: user|team|circle, id}] (circle members of this file: patient and caregiver managers only). Archived file: 409 patient-archived.", true, &["title"], 201),
    op("get", "/channels", "One's care channels: a professional's in the active organization; a patient's or caregiver's care teams.", true, &[], 200),
    op("get", "/channels/{id}", "A care channel with its participants [{kind, id, name, section, state}]. Not reachable: 404.", true, &[], 200),
    op("post", "/channels/{id}/participants", "Add a participant {kind: user|team|circle, id} (professionals of the channel; circle members: patient and caregiver managers only).", true, &["kind", "id"], 200),
    op("delete", "/channels/{id}/participants/{kind}/{pid}", "Remove a participant of the channel.", true, &[], 204),
    op("get", "/channels/{id}/threads", "The channel's threads (closed=true for closed ones), with unread counts.", true, &[], 200),
    op("post", "/channels/{id}/threads", "Open a thread in the channel with its first message (title, body, high_priority); it starts with the channel's teams. The first one starts the channel. Observers: 403.", true, &["title", "body"], 201),
    op("get", "/channels/{id}/pinned", "The channel's pinned documents, each with every version (who, when, attachment to download).", true, &[], 200),
    op("post", "/channels/{id}/pinned", "Pin an attachment of one of the channel's threads (attachment_id; professionals of the channel).", true, &["attachment_id"], 201),
    op("post", "/pinned/{id}/versions", "Upload a new version of a pinned document: the body is the file; query name, kind. Opens a thread \"Updated document: name\" in the channel that notifies its participants; its title is a system text (title_text {key: chan-updated-document, args: {name}}), shown to each reader in their language.", true, &[], 201),
    op("get", "/patient-files/{id}/circle", "The patient's circle: sections [{section (patient|responsible|observer), on}] (a section switched off takes no one: e.g. a child has no patient presence) and members [{id, section (patient|responsible|observer), first_name, last_name, email, phone, language, relationship, state (preallocated|invited|joined|cancelled|expired|locked), user_id, invitation {via, method, question, failures, expires_at}|null}] (whoever may see the file; audited).", true, &[], 200),
    op("post", "/patient-files/{id}/circle", "Add someone to the circle (patient and caregiver managers of the file's unit only): section, first_name, last_name, email, phone, language (fr|en), relationship; pre-allocated, or invited at once with invite {via: email|sms, method: question|code, question, answer}. SMS with the code method: 422. Archived file: 409 patient-archived.", true, &["section", "first_name", "last_name"], 201),
    op("put", "/patient-files/{id}/circle/sections/{section}", "Switch a section of the circle (patient|responsible|observer) on or off: {on: bool} (patient and caregiver managers of the file's unit only; audited). Answers the sections. Off while someone is in it or on their way: 409 circle-section-not-empty; adding or inviting into a section that is off: 409 circle-section-off.", true, &["on"], 200),
    op("post", "/circle-members/{id}/invite", "Invite a member of the circle now: via (email|sms), method (question|code: 12 digits sent in a separate email, email only), question (1 to 200 characters) and answer (folded for case, accents and spaces; stored hashed). Ends any earlier invitation.", true, &["via", "method"], 200),
    op("post", "/circle-members/{id}/resend", "Send the invitation again (also once locked or expired): new link, new code, tries reset; the old link dies.", true, &[], 200),
    op("post", "/circle-members/{id}/cancel", "Cancel a member's place; their invitation link dies.", true, &[], 200),
    op("get", "/circle-invitations/{id}", "Public: what a circle invitation link is for (the id is the link's token): org_name, inviter_name, first_name, via, method, question, state (pending|accepted|cancelled|expired|locked|replaced), tries_left.", false, &[], 200),
    op("post", "/circle-invitations/{id}/accept", "Join the circle as the signed-in person (setup done): answer or code. 200 {joined, channel_ids}; wrong: 422 answer-wrong with tries_left; the fifth wrong try locks it (409 invitation-locked); used link: 409 invitation-already-accepted.", true, &[], 200),
    op("get", "/teams", "One's teams in the active organization: [{id, name, unit_id, role (manager|participant)}]. Managers are team members with the manager role or team managers by role on the team's unit or above.", true, &[], 200),
    op("get", "/teams/{id}", "A team one belongs to: team, triage (threads waiting in its triage box: titles for every member), threads (all of the team's open threads for managers; those one is responsible for or added to for participants), each with state (in_triage|assigned), responsible_id, responsible_name, readable; members.", true, &[], 200),
    op("post", "/teams/{id}/threads", "Write to a team: a thread addressed to the team with no person of it (title; optional body, patient_file_id for a clinical thread, high_priority). It lands in the team's triage box.", true, &["title"], 201),
    op("get", "/teams/{id}/members", "The team's members [{id, name, role}] (administrators with manage org.team on its unit).", true, &[], 200),
    op("post", "/teams/{id}/members", "Add a member of the organization to the team or change their role: user_id, role (manager|participant) (administrators).", true, &["user_id", "role"], 204),
    op("post", "/teams/{id}/members/remove", "Remove someone from the team: user_id (administrators).", true, &["user_id"], 204),
    op("post", "/threads/{id}/team/assign", "Make a member of the team responsible for the thread: team_id, user_id (team managers; someone outside the team: 409 not-team-member).", true, &["team_id", "user_id"], 204),
    op("post", "/threads/{id}/team/take", "Take the thread from the team's triage box: one becomes responsible (team_id; members of the team; not waiting: 409 not-in-triage).", true, &["team_id"], 204),
    op("post", "/threads/{id}/team/return", "Return the thread to the team's triage box (team_id; its responsible member only, otherwise 409 not-responsible).", true, &["team_id"], 204),
    op("post", "/threads/{id}/team/unassign", "Stop being assigned: no longer responsible (back to triage) nor in the thread in person (team_id).", true, &["team_id"], 204),
    op("post", "/threads/{id}/team/join", "A team manager adds themselves to the thread in person (team_id).", true, &["team_id"], 204),
    op("post", "/threads/{id}/team/invite", "Add a teammate to the thread in person: team_id, user_id (members of the team; someone outside it: 409 not-team-member).", true, &["team_id", "user_id"], 204),
    op("post", "/threads/{id}/team/remove", "A team manager removes the team from the thread (team_id).", true, &["team_id"], 204),
];

/// Operations that accept an `Idempotency-Key` header (one per user action,
/// repeated on its retries; see docs/operations.md).
pub const IDEMPOTENT: &[(&str, &str)] = &[
    ("post", "/threads"),
    ("post", "/threads/{id}/messages"),
    ("put", "/threads/{id}/files"),
    ("post", "/patient-files"),
];

fn error_response(description: &str) -> Value {
    json!({ "description": description, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } })
}

pub fn build() -> Value {
    let mut paths = Map::new();
    for o in OPERATIONS {
        let mut operation = json!({
            "summary": o.summary,
            "operationId": format!("{}{}", o.method, o.path.replace(['/', '-', '{', '}'], "_")),
            "responses": {
                o.success.to_string(): { "description": "Success" },
                "400": error_response("Unreadable body"),
                "401": error_response("Not signed in, wrong code, PIN or password"),
                "409": error_response("Not the right step"),
                "422": error_response("Invalid input"),
                "423": error_response("Account or session locked"),
                "429": error_response("Too many attempts"),
                "503": error_response("database-unavailable: the database cannot be reached; nothing was done, try again (Retry-After)"),
                "507": error_response("storage-full: the server's disk is full; nothing was saved (reads still work)"),
            }
        });
        if o.auth {
            operation["security"] = json!([{ "bearer": [] }, { "cookie": [], "csrf": [] }]);
        }
        let mut parameters = Vec::new();
        if o.path.contains("{id}") {
            parameters.push(json!({ "name": "id", "in": "path", "required": true, "schema": { "type": "string" } }));
        }
        if IDEMPOTENT.contains(&(o.method, o.path)) {
            parameters.push(json!({
                "name": "Idempotency-Key",
                "in": "header",
                "required": false,
                "description": "1 to 100 printable ASCII characters, one per user action. The same key from the same person within 24 hours returns the first answer (same status and body) without doing the work again; with another request body, 422 idempotency-key-reused; an invalid key, 422 idempotency-key-invalid.",
                "schema": { "type": "string", "minLength": 1, "maxLength": 100 }
            }));
        }
        if !parameters.is_empty() {
            operation["parameters"] = Value::Array(parameters);
        }
        if !o.body.is_empty() {
            let props: Map<String, Value> = o
                .body
                .iter()
                .map(|f| (f.to_string(), json!({ "type": "string" })))
                .collect();
            operation["requestBody"] = json!({
                "required": true,
                "content": { "application/json": { "schema": { "type": "object", "required": o.body, "properties": props } } }
            });
        }
        let entry = paths.entry(o.path.to_string()).or_insert_with(|| json!({}));
        entry[o.method] = operation;
    }
    json!({
        "openapi": "3.0.3",
        "info": {
            "title": "Cercle API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Secure clinical collaboration. Errors are JSON { code, message } with a translated message. Language: Accept-Language (or the cercle_lang cookie); without either, a caller with a bearer token gets their account's language, others French. Texts Cercle writes (title_text {key, args}) are rendered in that language too."
        },
        "servers": [{ "url": "/api/v1" }],
        "paths": paths,
        "components": {
            "securitySchemes": {
                "bearer": { "type": "http", "scheme": "bearer" },
                "cookie": { "type": "apiKey", "in": "cookie", "name": "cercle_device" },
                "csrf": { "type": "apiKey", "in": "header", "name": "X-CSRF-Token" }
            },
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["code", "message"],
                    "properties": { "code": { "type": "string" }, "message": { "type": "string" } }
                }
            }
        }
    })
}

pub async fn document() -> Json<Value> {
    Json(build())
}
