## Cercle — English

app-name = Cercle
app-tagline = Secure clinical collaboration
skip-to-content = Skip to content
nav-home = Home
nav-patients = Patients
nav-channels = Channels
nav-teams = Teams
nav-network = Network
nav-admin = Admin
nav-security = Security
nav-menu = Menu
action-lock = Lock
action-sign-out = Sign out
action-switch-account = Switch account
action-back = Back
action-continue = Continue
action-cancel = Cancel
language-switch = Français
language-name = English
field-language = Language
language-fr = Français
language-en = English
footer-text = Cercle — open-source clinical collaboration
dev-outbox-link = Development outbox (emails and SMS)

## Errors
error-title = Something went wrong
error-invalid-email = Enter a valid email address, like name@clinic.ca.
error-invalid-phone = Enter a valid phone number, like 514 555-1234 or +33 6 12 34 56 78.
error-password-too-short = The password needs at least 10 characters.
error-password-too-long = The password may have at most 128 characters.
error-password-too-weak = This password is too easy to guess. Use a longer phrase that does not contain your email.
error-invalid-pin = The PIN is 4 to 8 digits.
error-pin-too-weak = This PIN is too easy to guess (repeated or consecutive digits).
error-pin-mismatch = The two PINs are not the same.
error-invalid-code = Enter the code exactly as you received it.
error-invalid-name = Enter your name (at most 100 characters).
error-invalid-title = Enter a name of 1 to 120 characters.
error-invalid-language = Choose French or English.
error-bad-credentials = Email or password incorrect.
error-account-locked = Too many wrong attempts: this account is locked until { $until }. You can reset your password to unlock it now.
error-rate-limited = Too many attempts. Wait a few minutes, then try again.
error-code-wrong = Wrong code. { $left } tries left.
error-code-expired = This code has expired or was already used. Ask for a new code.
error-not-authenticated = Please sign in.
error-session-locked = This session is locked. Enter your PIN.
error-pin-wrong = Wrong PIN. { $left } tries left before this session is erased from this device.
error-session-erased = Too many wrong PINs: this session was erased from this device. Sign in again.
error-forbidden = You are not allowed to do this.
error-not-found = This page or item does not exist.
error-link-invalid = This link has expired or was already used. Ask for a new one.
error-wrong-step = This step is not available now.
error-conflict = This already exists.
error-already-bootstrapped = The network already has an administrator.
error-email-taken = This email address already has an account.
error-internal = An unexpected error occurred. Nothing was changed. Please try again.
error-csrf = This form has expired. Reload the page and try again.
error-bad-request = The request could not be read.
error-body-too-large = The request is too large.
error-unsupported-media-type = Unsupported content type.
error-go-home = Back to Cercle

## Sign-up
signup-title = Create your account
signup-intro = For health professionals joining the Cercle network on their own. Invited? Use the link in your invitation.
field-name = Full name
field-email = Email
field-password = Password
password-hint = At least 10 characters. A short sentence is easy to remember and hard to guess.
signup-submit = Create account
have-account = Already have an account?
signup-steps = Step { $step } of 4

## Codes
code-title = Enter your code
code-sent-email = We sent a 6-digit code to { $destination }. It is valid for 10 minutes.
code-sent-sms = We sent a 6-digit code by SMS to { $destination }. It is valid for 10 minutes.
code-totp = Enter the 6-digit code shown in your authenticator app.
field-code = Code
code-submit = Verify
code-resend = Send a new code
code-resent = A new code is on its way.
use-recovery = Lost access to your codes? Use your recovery code
recovery-signin-title = Use your recovery code
recovery-signin-intro = Enter the recovery code you saved when you created your account. It works only once: you will get a new one, and codes will come by email again.
field-recovery-code = Recovery code
recovery-signin-submit = Sign in

## Terms
terms-title = Terms of use
terms-intro = Cercle holds health information. Before you continue:
terms-point-1 = I use Cercle only for the care of patients I am involved with, and I read only what I need for that care.
terms-point-2 = I keep my password, my PIN and my recovery code to myself, and I lock Cercle when I leave my device.
terms-point-3 = Every access to patient information is recorded in an audit log that my organization can review.
terms-point-4 = I follow the confidentiality rules of my profession and of my organization.
terms-accept = I accept the terms of use

## Recovery code
recovery-title = Save your recovery code
recovery-intro = If you lose access to your email, phone or authenticator app, this code lets you back in. It is shown only once; we also emailed it to you. Keep it somewhere safe, away from your device.
recovery-saved = I saved my recovery code
recovery-copy = Copy
recovery-copied = Copied

## PIN
pin-setup-title = Choose your PIN
pin-setup-intro = Your PIN unlocks Cercle on this device after a pause or when you lock it. 4 to 8 digits; after 5 wrong PINs the session is erased from the device.
field-pin = PIN
field-pin-confirm = PIN again
pin-setup-submit = Save PIN

## Sign-in
signin-title = Sign in to Cercle
signin-submit = Sign in
forgot-password = Forgot your password?
create-account = Create an account
accounts-title = Choose an account
accounts-intro = Accounts signed in on this device. Each one asks for its own PIN.
accounts-add = Sign in with another account
lock-title = Cercle is locked
lock-intro = { $name }, enter your PIN to continue.
lock-submit = Unlock
lock-forgot = Forgot your PIN? Sign out and sign in again with your password.

## Password reset
forgot-title = Reset your password
forgot-intro = Enter your email. If it belongs to an account, you will receive a link to choose a new password. The link is valid for one hour and works once.
forgot-submit = Send the link
forgot-sent = If this address has an account, a link is on its way. Check your inbox (and spam folder).
reset-title = Choose a new password
reset-intro = Signing in everywhere will be needed again after this change.
field-new-password = New password
reset-submit = Save the new password
reset-done = Your password was changed. You can now sign in.

## Home
home-title = Home
home-welcome = Welcome, { $name }
home-intro = Your patient files, care channels, teams and network will appear here as your organization joins Cercle.
home-empty-patients = No patient files yet.
home-empty-channels = No care channels yet.
home-empty-teams = You are not in a team yet.
home-empty-network = Your directory is empty.
section-soon = This area is ready for your organization's data.
home-security-card = Your account is protected by a password, a code on every sign-in and a PIN on this device.
home-admin-card = You administer this network.

## Security settings
security-title = Security
security-intro = Manage how you sign in and where you are signed in.
section-password = Password
field-current-password = Current password
password-change-submit = Change password
password-changed = Password changed. Your other sessions were closed.
section-pin = PIN
pin-change-submit = Change PIN
pin-changed = PIN changed.
section-factor = Sign-in code
factor-current = Sign-in codes currently come from: { $factor }
factor-email = email
factor-sms = SMS
factor-totp = authenticator app
factor-to-sms = Receive codes by SMS
field-phone = Mobile phone
phone-send-code = Send a verification code
phone-code-sent = We sent a code by SMS to { $destination }.
phone-confirm = Confirm the number
factor-sms-done = Sign-in codes now come by SMS.
factor-to-totp = Use an authenticator app
totp-intro = Scan this QR code with your authenticator app (or type the key), then enter the code it shows.
totp-secret-label = Key
totp-confirm = Confirm
factor-totp-done = Sign-in codes now come from your authenticator app.
factor-to-email = Receive codes by email again
factor-email-done = Sign-in codes now come by email.
section-recovery = Recovery code
recovery-renew-intro = A new code replaces the old one, which stops working at once.
recovery-renew-submit = Generate a new recovery code
section-sessions = Where you are signed in
session-current = This device
session-end = Sign out this session
sessions-end-all = Sign out everywhere
session-last-seen = Last active { $when }
session-ended = Session closed.
section-language = Language
language-save = Save language
language-saved = Language saved.
section-delete = Delete my account
delete-intro = Your name, email and phone are erased and you are signed out everywhere. Clinical messages you wrote stay in the records of the organizations, shown as written by a former user. This cannot be undone.
delete-submit = Delete my account permanently
delete-done = Your account was deleted.
section-activity = Recent security activity
activity-empty = No activity yet.
col-when = When
col-event = Event
col-address = Address
col-actor = Actor

## Development outbox
outbox-title = Development outbox
outbox-intro = Every email and SMS Cercle sent, newest first. This page exists only outside production mode.
outbox-empty = Nothing sent yet.
col-channel = Channel
col-to = To
col-subject = Subject
col-status = Status

## Email and SMS
email-signature = — Cercle
email-signup-code-subject = Your Cercle code: { $code }
email-signup-code-body =
    Hello { $name },

    Your code to confirm your email address on Cercle is: { $code }

    It is valid for 10 minutes. If you did not create a Cercle account, ignore this email.

    — Cercle
email-signin-code-subject = Your Cercle sign-in code: { $code }
email-signin-code-body =
    Hello { $name },

    Your code to sign in to Cercle is: { $code }

    It is valid for 10 minutes. If you did not try to sign in, change your password now.

    — Cercle
email-phone-code-subject = Your Cercle verification code: { $code }
email-phone-code-body =
    Your code to confirm your phone number on Cercle is: { $code }

    — Cercle
email-recovery-code-subject = Your Cercle recovery code
email-recovery-code-body =
    Hello { $name },

    Your Cercle recovery code is: { $code }

    Keep it somewhere safe. It lets you back into your account if you lose access to your sign-in codes, and it works only once. Any earlier recovery code no longer works.

    — Cercle
email-reset-link-subject = Reset your Cercle password
email-reset-link-body =
    Hello { $name },

    To choose a new password, open this link within one hour:
    { $link }

    The link works once. If you did not ask for it, ignore this email: your password stays the same.

    — Cercle
email-account-exists-subject = Someone tried to create a Cercle account with your address
email-account-exists-body =
    Hello { $name },

    Someone tried to create a new Cercle account with this email address, which already has an account. If it was you, sign in instead:
    { $link }

    If it was not you, you can ignore this email.

    — Cercle
email-security-notice-subject = Security change on your Cercle account
email-security-notice-body =
    Hello { $name },

    { $what }

    If you did not make this change, reset your password now and contact your administrator.

    — Cercle
email-welcome-subject = Welcome to Cercle: choose your password
email-welcome-body =
    Hello { $name },

    You are the administrator of this Cercle network. Choose your password with this link (valid 72 hours, works once):
    { $link }

    — Cercle
notice-password-changed = Your password was changed.
notice-pin-changed = Your PIN was changed.
notice-factor-sms = Your sign-in codes now come by SMS.
notice-factor-totp = Your sign-in codes now come from an authenticator app.
notice-factor-email = Your sign-in codes now come by email.
notice-recovery-used = Your recovery code was used to sign in. Save the new recovery code shown after sign-in.
notice-account-deleted = Your Cercle account was deleted.
sms-signup-code = Cercle: your code is { $code }. Valid 10 minutes.
sms-signin-code = Cercle: your sign-in code is { $code }. Valid 10 minutes. Never share it.
sms-phone-code = Cercle: your verification code is { $code }.
sms-recovery-code = Cercle: your recovery code is { $code }.
sms-reset-link = Cercle: reset your password: { $link }
sms-account-exists = Cercle: someone tried to create an account with your address.
sms-security-notice = Cercle: { $what }
sms-welcome = Cercle: choose your password: { $link }
email-invitation-subject = { $inviter } invites you to { $org } on Cercle
email-invitation-body =
    Hello { $name },

    { $inviter } invites you to join { $org } on Cercle, the secure network where health professionals work together.

    Open this link to accept (valid 7 days):
    { $link }

    If you do not have a Cercle account yet, you will create one with this email address.

    — Cercle
sms-invitation = Cercle: { $inviter } invites you to { $org }: { $link }
error-no-active-organization = Choose an organization first: you are not (or no longer) a member of the active one.
error-name-taken = This name is already used here. Choose another.
error-root-unit = The root unit of an organization cannot be moved or archived.
error-unit-cycle = A unit cannot be moved under itself or one of its own units.
error-archived = This unit is archived.
error-invalid-kind = Choose a kind of workplace from the list.
error-invalid-address = The address is too long or holds invalid characters.
error-no-role = Choose at least one role.
error-no-staff-kind = Choose professional staff, administrative staff, or both.
error-invitation-not-pending = This invitation was already accepted, cancelled or expired.
error-invitation-other-email = This invitation was sent to another email address. Sign in with that address to accept it.
error-last-administrator = The organization must keep at least one administrator.
error-invalid-action = Choose an action from the list.

## Organizations in the header
org-active-label = Active organization:
org-switch = Switch organization
org-choose = Choose an organization
org-switched = Active organization changed.
home-org-admin-card = You administer your organization.

## Invitations
invitation-title = Invitation to Cercle
invitation-intro = You are invited to join { $org } on Cercle.
invitation-for = Invitation for
invitation-account-intro = To accept, create your Cercle account with this email address, or sign in if you already have one. You will come back here afterwards.
invitation-create-account = Create my account
invitation-sign-in = Sign in
invitation-accept = Accept the invitation
invitation-accepted = Invitation accepted: you are now a member of the organization.
invitation-other-account = You are signed in as { $email }, but this invitation was sent to { $invited }. Sign out, then sign in with the invited address.
signup-invited-intro = You were invited to join { $org }. Create your account with the invited email address; you will accept the invitation right after.

## Roles and kinds of workplace
role-administrator = Administrator
role-member = Member
role-team-manager = Team manager
role-team-participant = Team participant
role-patient-caregiver-manager = Patient and caregiver manager
role-auditor = Auditor
workplace-kind-clinic = Clinic
workplace-kind-pharmacy = Pharmacy
workplace-kind-hospital = Hospital
workplace-kind-community = Community organization
workplace-kind-other = Other
audit-action-create = Create
audit-action-read = Read
audit-action-update = Update
audit-action-delete = Delete
audit-action-list = List
audit-action-export = Export

## Administration
admin-title = Administration
admin-tab-organizations = Organizations
admin-tab-network = Network activity
admin-tab-units = Units
admin-tab-workplaces = Workplaces
admin-tab-teams = Teams
admin-tab-members = Members
admin-tab-invitations = Invitations
admin-tab-audit = Audit log
admin-no-org-hint = Accept an invitation to an organization, or choose one in the menu at the top of the page.
admin-manage = Manage
admin-edit = Edit
admin-save = Save
admin-saved = Changes saved.
admin-rename = Rename
admin-move = Move
admin-archive = Archive
admin-restore = Restore
admin-archived = archived
admin-field-unit = Unit
admin-field-parent = Under the unit
admin-field-unit-name = Unit name
admin-field-move-under = Move under
admin-field-workplace = Workplace
admin-field-workplace-name = Workplace name
admin-field-kind = Kind
admin-field-address = Address
admin-field-phone = Phone (optional)
admin-field-team-name = Team name
admin-field-role = Role
admin-field-org-name = Organization name
admin-field-admin-email = Administrator's email
admin-field-admin-name = Administrator's name
admin-unit-new = New unit
admin-unit-create = Create the unit
admin-unit-created = Unit created.
admin-unit-renamed = Unit renamed.
admin-unit-moved = Unit moved.
admin-unit-archived = Unit archived.
admin-unit-restored = Unit restored.
admin-unit-tree = Organizational units
admin-unit-tree-hint = A role granted on a unit holds in every unit below it. The root unit cannot be moved or archived.
admin-unit-root = root
admin-unit-archive-confirm = Archive this unit? It can be restored later.
admin-workplace-new = New workplace
admin-workplace-hint = Workplaces (clinics, pharmacies, hospital sites) are visible on the network.
admin-workplace-create = Create the workplace
admin-workplace-created = Workplace created.
admin-workplace-empty = No workplace yet.
admin-workplace-archive-confirm = Archive this workplace?
admin-team-new = New team
admin-team-create = Create the team
admin-team-created = Team created.
admin-team-empty = No team yet.
admin-team-no-workplace = No workplace (the unit only)
admin-team-archive-confirm = Archive this team?
admin-members-hint = Members and the roles they hold on units. To add someone, send an invitation:
admin-professional = Professional
admin-administrative = Administrative staff
admin-member-no-role = No role.
admin-grant = Grant the role
admin-role-granted = Role granted.
admin-revoke = Revoke
admin-revoke-label = Revoke { $role } on { $unit }
admin-role-revoked = Role revoked.
admin-member-audit = Their activity
admin-member-remove = Remove from the organization
admin-member-remove-confirm = Remove { $name } from the organization? All their roles end now.
admin-member-removed = Member removed.
admin-invite-title = Invite someone
admin-invite-hint = The person receives an email with a link valid 7 days. Someone already in the organization gets the roles at once, without an email.
admin-invite-staff = As
admin-invite-roles = Roles on the unit
admin-invite-submit = Send the invitation
admin-invitation-sent = Invitation sent.
admin-invitation-applied = This person is already a member: the roles apply now.
admin-invitation-cancelled = Invitation cancelled.
admin-invitation-resent = A new link was sent; the earlier one no longer works.
admin-invite-pending = Pending invitations
admin-invite-none = No pending invitation.
admin-invite-expires = expires { $date }
admin-invite-resend = Resend
admin-invite-cancel = Cancel
admin-invite-cancel-confirm = Cancel the invitation sent to { $email }?
admin-audit-actor = Person (user id)
admin-audit-patient = Patient (id)
admin-audit-target = Target
admin-audit-action = Action
admin-audit-all-actions = All actions
admin-audit-all-units = All units
admin-audit-from = From (UTC)
admin-audit-to = To (UTC, included)
admin-audit-search = Search
admin-audit-csv = Download CSV
admin-audit-hint = Newest first. Only metadata is recorded, never content. The CSV holds every result of the search.
admin-audit-empty = Nothing matches this search.
admin-audit-older = Older entries
admin-audit-bad-date = Enter dates as YYYY-MM-DD.
admin-org-new = New organization
admin-org-hint = The organization is created with its root unit; its first administrator receives an invitation by email.
admin-org-create = Create and invite
admin-org-created = Organization created; its administrator was invited.
admin-org-empty = No organization yet.
admin-org-invite-admin = Invite an administrator
admin-network-settings = Network settings
admin-setting-public-url = Public address
admin-setting-mode = Mode
admin-setting-production = Production
admin-setting-development = Development (outbox at /dev/outbox)
admin-setting-idle-lock = Automatic lock
admin-setting-minutes = after { $minutes } minutes idle
admin-setting-database = Database
admin-setting-argon2 = Password hashing (Argon2id)
admin-network-settings-hint = These come from the server's configuration file and CERCLE_* variables; change them there and restart.
admin-invite-expired = expired { $date }: resend it to give a new link

## Network: emails, SMS and errors
email-friend-request-subject = { $from } wants to be your friend on Cercle
email-friend-request-body =
    Hello { $name },

    { $from } sent you a friend request on Cercle. Friends can see each other's shared phone number and write to each other directly.

    Accept or ignore the request here:
    { $link }

    — Cercle
sms-friend-request = Cercle: { $from } sent you a friend request: { $link }
email-network-invitation-subject = { $inviter } invites you to the Cercle network
email-network-invitation-body =
    Hello { $name },

    { $inviter } invites you to join Cercle, the secure network where health professionals work together, and vouches for your profession: { $profession }.

    Open this link to accept (valid 7 days):
    { $link }

    If you do not have a Cercle account yet, you will create one with this email address. Your profession is validated as soon as you accept.

    — Cercle
sms-network-invitation = Cercle: { $inviter } invites you to the network: { $link }
email-profession-validated-subject = Your profession is validated on Cercle
email-profession-validated-body =
    Hello { $name },

    Your profession ({ $profession }) is now validated. You can search the whole Cercle network and be found by other validated professionals (unless you restricted your visibility).

    — Cercle
sms-profession-validated = Cercle: your profession ({ $profession }) is validated.
email-profession-rejected-subject = Your profession could not be validated on Cercle
email-profession-rejected-body =
    Hello { $name },

    The verification team could not validate your profession ({ $profession }).

    Reason: { $reason }

    You can send a new proof from your profile.

    — Cercle
sms-profession-rejected = Cercle: your profession ({ $profession }) was not validated: { $reason }
error-profession-not-validated = Validate your profession to search the whole network and invite professionals. Until then, you find the people of your organizations and your friends.
error-text-too-long = This text is too long.
error-invalid-text = This text holds characters that are not allowed.
error-unknown-profession = Choose a profession from the list.
error-search-too-short = Type at least two letters.
error-invalid-permit = Enter the permit number as printed on your permit (letters, digits and dashes, at most 30).
error-invalid-document = Send the proof as a PDF, JPEG or PNG file.
error-document-too-large = The document may be at most 5 MB.
error-photo-too-large = The photo is too large (at most 8 MB and 8000 pixels a side).
error-photo-not-an-image = Choose a JPEG, PNG or WebP picture.
error-photo-bad-crop = The chosen frame is outside the picture. Choose it again.
error-invalid-reason = Give the reason, so the person knows what to do.
error-profession-declared = This profession is already on your profile.
error-too-many-professions = A profile holds at most 5 professions.
error-profession-validated = This profession is already validated.
error-profession-not-pending = This profession is no longer waiting for a decision.
error-friend-self = You cannot send a friend request to yourself.
error-already-friends = You are already friends.
error-request-already-sent = Your friend request was already sent.
error-directory-full = Your directory is full (2000 entries). Remove someone first.
error-workplace-exists = A workplace with this name and address already exists: search for it and join it.
error-already-working-here = You already work here.
