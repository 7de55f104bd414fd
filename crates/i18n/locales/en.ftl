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

# Instant mobile connect (issue 18, part 4)
nav-connect = Connect a phone
connect-title = Connect a phone
connect-intro = Open Cercle on your phone without typing your password: show a code here and scan it with the phone's camera. The phone then asks for your PIN.
connect-how = Show a code to scan
connect-show = Show a code
connect-new = Show a new code
connect-scan = Scan this code with your phone
connect-qr-label = QR code that opens Cercle on your phone
connect-link-label = Or open this link on the phone
connect-expires = Works once, until { $when }, while this session stays signed in and unlocked.
connect-connected = Connected on a new device: { $device }. It is listed where you are signed in.
connect-note = The phone opens your account locked: your usual PIN unlocks it, and the code never changes it. The code works once, for 2 minutes, and only while this session stays signed in and unlocked.
connect-sessions-link = Where you are signed in
connect-security-intro = Open Cercle on your phone by scanning a code shown here, without typing your password.
connect-open = Connect a phone
connect-phone-title = Open Cercle on this phone
connect-phone-working = Opening your session…
connect-phone-failed = Your session could not be opened. Show a new code on your computer and try again.
connect-noscript = This page needs JavaScript to open your session.
connect-sign-in-instead = Sign in with your password instead
error-connect-malformed = This link is incomplete or altered. Show a new code on your computer and scan it again.
error-connect-unknown = This code is not valid. Show a new code on your computer.
error-connect-expired = This code has expired (it works 2 minutes). Show a new code on your computer.
error-connect-used = This code was already used. Show a new code on your computer.
error-connect-signed-out = The session that showed this code has been signed out. Sign in on your computer and show a new code.
error-connect-locked = The session that showed this code is locked. Unlock it on your computer and show a new code.
audit-ev-auth-connect-code-created = Code shown to connect a phone
audit-ev-auth-connect-code-redeemed = Phone connected with a code
audit-ev-auth-connect-code-refused = Code to connect a phone refused
audit-target-connect-code = Code to connect a phone

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
admin-audit-actor = Person
admin-audit-patient = Patient (id)
admin-audit-target = Target
admin-audit-action = Action
admin-audit-all-actions = All actions
admin-audit-all-units = All units
admin-audit-from = From
admin-audit-to = To (included)
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

## Network: my profile, professions, invitations, verification (netp-)
netp-profile-title = My profile
netp-profile-intro = What you tell the network about yourself. People who find you or click your name see it.
netp-profile-public = See my profile as others see it
netp-profile-saved = Profile saved.
netp-save = Save my profile
netp-photo-title = Photo
netp-photo-alt = Photo of { $name }
netp-photo-hint = A square photo, shown round. JPEG, PNG or WebP, up to 8 MB. Only the framed square is kept, without location or camera details.
netp-photo-choose = Choose a photo
netp-photo-change = Change the photo
netp-photo-remove = Remove the photo
netp-photo-remove-confirm = Remove your photo? Your initials will be shown instead.
netp-photo-removed = Photo removed.
netp-photo-crop-hint = Drag the picture (or use the arrow keys) and zoom so that your face fills the circle.
netp-photo-frame-label = Frame of the photo
netp-photo-zoom = Zoom
netp-photo-save = Save the photo
netp-photo-sending = Sending the photo…
netp-photo-saved = Photo saved.
netp-upload-failed = The file could not be sent. Check your connection, then try again.
netp-about-title = About me
netp-field-presentation = Presentation
netp-hint-presentation = Who you are, your practice, the patients you follow.
netp-field-diplomas = Diplomas
netp-field-competencies = Special competencies
netp-field-contact = Work contact details
netp-hint-contact = Seen by everyone who may see your profile: work phone, office hours, address of your practice.
netp-field-languages = Languages spoken
netp-field-other-languages = Other languages
netp-hint-other-languages = Two- or three-letter codes, separated by commas (for example: es, de, ar).
netp-field-shared-phone = Phone shared with my friends
netp-hint-shared-phone = Only your friends on Cercle see this number. Leave it empty to share none.
netp-field-restrict = Restrict my visibility to my organizations
netp-hint-restrict = When checked, only the people of your organizations find you in search. People outside them with whom you share a discussion still see your profile.
netp-professions-title = Professions
netp-professions-hint = A validated profession lets you search the whole network and invite professionals. To have a profession validated, send your permit number and a proof (PDF, JPEG or PNG, up to 5 MB): the verification team answers by email.
netp-professions-empty = No profession yet: add yours below.
netp-profession-add-label = Add a profession
netp-profession-choose = Choose…
netp-profession-add = Add
netp-profession-added = Profession added. Send its proof to have it validated.
netp-profession-remove = Remove
netp-profession-remove-label = Remove { $profession }
netp-profession-remove-confirm = Remove { $profession } from your profile? A validation will be lost.
netp-profession-removed = Profession removed.
netp-status-unverified = Not verified
netp-status-pending = Pending verification
netp-status-validated = Validated
netp-status-rejected = Rejected
netp-via-vouch = Validated on the invitation of a validated professional.
netp-via-organization = Validated by your organization.
netp-via-verification-team = Validated by the verification team.
netp-pending-detail = Sent to the verification team (permit { $permit }). You will get its answer by email.
netp-unverified-detail = Not verified yet: send your permit number and a proof.
netp-rejected-reason = Reason:
netp-rejected-again = You can send a new proof below.
netp-field-permit = Permit number
netp-field-document = Proof document
netp-hint-document = Your permit or your membership card of the professional order: PDF, JPEG or PNG, up to 5 MB.
netp-proof-send = Send for verification
netp-proof-sending = Sending the proof…
netp-proof-no-file = Choose the document to send.
netp-proof-sent = Proof sent: the verification team will answer by email.
netp-invite-card-title = Invite a colleague
netp-invite-card = Validated professionals can invite a colleague to the network and vouch for their profession.
netp-invite-card-link = Invite a professional
netp-verify-card-title = Verification team
netp-verify-card = Proofs of profession are waiting for a decision.
netp-verify-card-link = Open the verification queue
netp-invite-title = Invite a professional
netp-invite-intro = Invite a health professional you know to the Cercle network. You vouch for their profession: it is validated as soon as they accept.
netp-invite-validate-first = Validate my profession
netp-invite-language = Language of the invitation
netp-invite-profession = Profession you vouch for
netp-invite-vouch = By sending this invitation, you confirm that you know this person and that they practise this profession.
netp-invite-submit = Send the invitation
netp-invite-sent = Invitation sent.
netp-invite-sent-title = Invitations sent
netp-invite-sent-empty = No invitation sent yet.
netp-invite-expires = Valid until { $date }
netp-invite-status-pending = Waiting
netp-invite-status-accepted = Accepted
netp-invite-status-expired = Expired
netp-join-title = Invitation to the Cercle network
netp-join-intro = { $inviter } invites you to the Cercle network as { $profession }.
netp-join-for = Invitation for
netp-join-profession = Profession vouched for
netp-join-explain = Accepting validates this profession on your profile: you can then search the whole network and be found by other validated professionals.
netp-join-account-intro = To accept, create your Cercle account with this email address, or sign in if you already have one. You will come back here afterwards.
netp-join-accept = Accept and join the network
netp-join-accepted = Welcome to the network: your profession is validated.
netp-join-other-account = You are signed in as { $email }, but this invitation was sent to { $invited }. Sign out, then sign in with the invited address.
netp-verify-title = Profession verification
netp-verify-intro = Check each proof against the register of the professional order, then approve it, or reject it with a reason the person will read.
netp-verify-count = Waiting for a decision ({ $count })
netp-verify-empty = Nothing to verify.
netp-verify-empty-hint = Requests appear here when someone sends the proof of a profession.
netp-verify-added = Profession added on
netp-verify-proof = Download the proof
netp-verify-no-proof = No document was sent.
netp-verify-approve = Approve
netp-verify-reject = Reject…
netp-verify-reason = Reason (the person reads it)
netp-verify-reject-submit = Reject
netp-verify-approved = Profession validated: the person is told by email.
netp-verify-rejected = Profession rejected: the person is told by email, with your reason.
netp-team-title = Verification team
netp-team-intro = The members of the team review the proofs of profession. Network administrators may do so too.
netp-team-hint = They approve or reject the proofs of profession sent by professionals.
netp-team-manage = Manage the verification team
netp-team-queue-link = Verification queue
netp-team-empty = No one yet besides the network administrators.
netp-team-add-email = Email of a Cercle account
netp-team-add = Add to the team
netp-team-added = Added to the verification team.
netp-team-remove = Remove from the team
netp-team-remove-confirm = Remove { $name } from the verification team?
netp-team-removed = Removed from the verification team.
netp-org-validates = Validates its members' professions
netp-org-validation-allow = Allow it to validate its members' professions
netp-org-validation-stop = Stop validation by this organization
netp-org-validation-on = The organization may now validate its members' professions.
netp-org-validation-off = The organization no longer validates its members' professions.
netp-members-professions-title = Members' professions
netp-members-professions-hint = The network allows your organization to validate the professions of its members. Validate only what you have checked.
netp-members-professions-not-allowed = The network administrators have not allowed { $org } to validate its members' professions. Members send their proof to the verification team from their profile.
netp-members-professions-empty = Every profession declared by your members is validated.
netp-members-validate = Validate
netp-members-validate-confirm = Validate the profession { $profession } of { $name }?
netp-member-validated = Profession validated.

## Network pages: search, profiles, directory, friends, workplaces (net-)
net-subnav-label = Network
net-tab-search = Search
net-tab-directory = My directory
net-tab-friends = Friends
net-tab-workplaces = Workplaces
net-tab-profile = My profile
net-requests-waiting = Friend requests waiting: { $count }
net-search-title = Search the network
net-search-title-q = Search: { $q }
net-search-lead = Find colleagues, health professionals and workplaces by name.
net-search-label = Name of a person or a workplace
net-search-placeholder = e.g. Tremblay, pharmacy…
net-search-submit = Search
net-filter-kind = Show
net-kind-all = People and workplaces
net-kind-people = People only
net-kind-workplaces = Workplaces only
net-filter-profession = Profession
net-profession-any = Any profession
net-filter-workplace = Only people working at { $workplace }
net-filter-clear = Remove this filter
net-search-empty = Who are you looking for?
net-search-empty-hint = Type part of a name: accents, capitals and word order do not matter, and one typo is forgiven.
net-tile-directory = The people and workplaces you keep at hand.
net-tile-friends = Requests to answer and your friends.
net-tile-workplaces = Clinics, pharmacies, hospitals: find yours or create it.
net-tile-profile = What others see of you.
net-results = Results
net-no-results = No one and no workplace matches. Check the spelling, or type fewer words.
net-refine = Many more match: add a word (a last name, a city) to narrow the search.
net-validate-link = Validate my profession
net-pages = Pages
net-previous = Previous
net-next = Next
net-page-n = Page { $page }
net-colleague = Colleague
net-friend = Friend
net-in-directory = In my directory
net-independent = Independent
net-status-validated = Validated
net-status-pending = Verification pending
net-status-unverified = Not verified
net-status-rejected = Not validated
net-no-profession = No profession given.
net-edit-my-profile = Edit my profile
net-directory-add = Add to my directory
net-directory-remove = Remove from my directory
net-directory-added = Added to your directory.
net-directory-removed = Removed from your directory.
net-directory-private = Your directory is private: only you see it, and adding someone does not notify them.
net-friend-request = Send a friend request
net-friend-requested = Friend request sent.
net-request-sent = Friend request sent
net-request-withdraw = Withdraw the request
net-request-withdrawn = Friend request withdrawn.
net-request-received = { $name } sent you a friend request
net-request-accept = Accept
net-request-ignore = Ignore
net-friend-accepted = You are now friends.
net-friend-ignored = Request ignored. The sender is not told.
net-friends-already = Friends
net-unfriend = Remove from my friends
net-unfriend-confirm = Remove { $name } from your friends? You will no longer see each other's shared phone number.
net-friend-removed = You are no longer friends.
net-shared-phone = Shared phone number
net-shared-phone-friend = Shared with you because you are friends.
net-shared-phone-self = Only your friends see this number.
net-about = About
net-profile-empty = This person has not filled in their profile yet.
net-presentation = Presentation
net-diplomas = Diplomas
net-competencies = Special competencies
net-contact = Contact details
net-languages = Languages
net-workplaces-of = Workplaces
net-no-workplace = No workplace given.
net-directory-title = My directory
net-directory-empty = Your directory is empty.
net-directory-empty-hint = Search the network, open a profile or a workplace, and choose "Add to my directory".
net-directory-people = People
net-directory-workplaces = Workplaces
net-directory-no-people = No one yet.
net-directory-no-workplaces = No workplace yet.
net-remove = Remove
net-friends-title = Friends
net-friends-lead = Friends see each other's shared phone number and can write and call each other directly.
net-incoming = Requests for you
net-ignore-hint = Ignoring a request is silent: the sender is not told.
net-friends-list = My friends
net-no-friends = No friends yet. Open a colleague's profile and send a friend request.
net-outgoing = Requests you sent
net-workplaces-title = Workplaces
net-workplaces-lead = Every workplace of the network. Open one to see who works there.
net-workplaces-all = All workplaces
net-workplaces-none = No workplace yet.
net-workplace-create = Create my workplace
net-workplace-create-hint = Independent professional? If your workplace is not on the network yet, create it so colleagues can find you. You join it at once.
net-workplace-name = Name
net-workplace-kind = Kind
net-workplace-address = Address
net-workplace-phone = Phone
net-optional = (optional)
net-workplace-create-submit = Create the workplace
net-workplace-created = Workplace created. You work here now.
net-workplace-join = I work here
net-workplace-joined = You now work here: colleagues will find you at this workplace.
net-workplace-leave = I no longer work here
net-workplace-leave-confirm = Leave { $workplace }? You will no longer be listed among the people who work there.
net-workplace-left = You no longer work here.
net-i-work-here = I work here
net-search-here = Search the people here
net-workplace-members = People who work here
net-workplace-no-members = No one you can see works here yet.
net-workplace-teams = Teams
netp-team-no-account = No Cercle account uses this address. The person must create their account first.
net-tab-invite = Invite
net-tab-verification = Verification
former-user = Former user
thread-export-closed = Closed by { $name } on { $date }

## Threads: errors
error-empty-message = Write something before sending.
error-message-too-long = A message may have at most 10,000 characters.
error-file-empty = This file is empty.
error-file-too-large = This file is too large (photos 20 MB, videos 64 MB, voice 10 MB, documents 25 MB).
error-file-not-allowed = This type of file is not accepted. Send photos, videos, voice messages, PDF, Office or text documents.
error-file-mismatch = This file is not what its name or type says. Check the file and try again.
error-file-damaged = This file is damaged and cannot be read.
error-upload-interrupted = The upload was interrupted before the end of the file: send it again.
error-length-required = Send the file with its size (a Content-Length header).
error-thread-closed = This discussion is closed: reopen it to write.
error-thread-open = This discussion is open: close it first.
error-message-retracted = This message was retracted.
error-not-priority = Only high-priority messages are acknowledged.
error-too-many-participants = A discussion holds at most 100 participants at a time.
error-call-active = A call is already going on in this discussion: join it.
error-call-ended = This call has ended.
error-not-in-call = You are not in this call.
error-call-removed = You were removed from this call and cannot join it again.
error-call-full = This call is full: it holds at most { $max } people at a time.
error-in-call = You are in this call: leave it rather than decline it.

# Calls: the thread's history of calls (call-)
call-history-started-audio = { $name } started an audio call
call-history-started-video = { $name } started a video call
call-history-joined = { $name } joined the call
call-history-left = { $name } left the call
call-history-removed = { $by } removed { $name } from the call
call-history-ended = Call ended, duration { $duration }
call-history-ended-unanswered = Call ended, unanswered
call-history-declined = { $name } declined the call
call-history-lost = { $name } left the call: connection lost
# Ringing the installed app (Web Push): generic words, never patient data
call-push-title-audio = Incoming audio call
call-push-title-video = Incoming video call
call-push-body = Open Cercle to answer.
call-duration-hms = { $h } h { $m } min { $s } s
call-duration-ms = { $m } min { $s } s
call-duration-s = { $s } s

# Attachments: composer controls, photo editor, voice recorder, gallery (att-)
att-attach = Attach
att-record = Voice message
att-limits = Photos up to 20 MB, videos 64 MB, voice messages 10 MB, documents 25 MB. Photos are sent without their metadata (location, device).
att-caption = Caption (optional)
att-send = Send
att-sending = Sending…
att-sent = Sent.
att-failed = The file could not be sent. Check your connection, then try again.
att-editor-title = Edit the photo before sending
att-editor-hint = Hide whatever could identify the patient: crop, draw over or blur a region.
att-tools-label = Photo editing tools
att-tool-crop = Crop
att-tool-rotate = Rotate
att-tool-draw = Draw
att-tool-blur = Blur
att-tool-undo = Undo
att-tool-reset = Start over
att-tool-hint-crop = Drag a rectangle around what to keep.
att-tool-hint-draw = Draw freehand over the details to hide.
att-tool-hint-blur = Drag a rectangle over the region to blur.
att-canvas-label = The photo being edited
att-recording = Recording
att-stop = Stop
att-rec-ready = Listen to it, then send it.
att-mic-denied = The microphone is not available. Allow this site to use it, then try again.
att-rec-unsupported = This browser cannot record voice messages.
att-voice-label = Voice message
att-photo-alt = Photo: { $name }
att-download = Download
att-size-b = { $n } B
att-size-kb = { $n } KB
att-size-mb = { $n } MB
att-by = Sent by { $name }
att-gallery-title = Attachments
att-gallery-page-title = Attachments of the discussion
att-gallery-link = All attachments
att-gallery-empty = No attachment in this discussion yet.
att-section-photos = Photos
att-section-videos = Videos
att-section-voice = Voice messages
att-section-documents = Documents
att-attach-title = Send files
att-attach-link = Send files or a voice message
att-back = Back to the discussion

## Discussions (thr-)
nav-threads = Discussions
thr-title = Discussions
thr-new = New discussion
thr-new-title = New discussion
thr-tab-open = Open
thr-tab-closed = Closed
thr-search-label = Search the messages
thr-search-placeholder = Search the messages of my discussions
thr-search-submit = Search
thr-search-results = Results
thr-search-none = Nothing found.
thr-none = No open discussion yet.
thr-none-closed = No closed discussion.
thr-direct = Direct messages
thr-kind = Kind of discussion
thr-kind-clinical = Clinical (about a patient)
thr-kind-collaboration = Collaboration
thr-kind-direct = Direct messages
thr-high-priority = High priority
thr-unread-count = { $count } unread
thr-marked-unread = Unread
thr-clinical-needs-org = A clinical discussion belongs to an organization: choose your active organization first.
thr-patient = Patient
thr-patient-choose = Patient file
thr-patient-new = New patient file…
thr-patient-new-hint = For a new patient file, fill in the name and birth date.
thr-first-name = First name
thr-last-name = Last name
thr-birth-date = Date of birth
thr-title-label = Subject
thr-participants = Participants
thr-picker-search = Add people
thr-picker-placeholder = Name of a colleague or contact
thr-picker-hint = Your directory comes first. Choose a team to send the discussion to its triage box.
thr-picker-none = No one found.
thr-picker-add = Add
thr-in-directory = In my directory
thr-from-directory = From my directory
thr-teams = Teams
thr-create = Start the discussion
thr-priority-message = High priority
thr-retracted = Message retracted
thr-replaced = replaced on
thr-edited = (edited)
thr-acknowledged-by = Acknowledged by
thr-acknowledge = Acknowledge
thr-seen-by = Seen by
thr-edit = Edit
thr-edit-save = Save the change
thr-retract = Retract
thr-retract-confirm = Retract this message? A trace stays in the discussion.
thr-closed-by = Closed by { $name } on { $date }
thr-export = Export PDF
thr-participants-count = Participants ({ $count })
thr-you = (you)
thr-remove = Remove
thr-remove-confirm = Remove { $name } from the discussion?
thr-add-participants = Add participants
thr-add = Add
thr-priority-on = Mark high priority
thr-priority-off = Normal priority
thr-mark-unread = Mark as unread
thr-duplicate = Duplicate
thr-close = Close
thr-close-confirm = Close this discussion? No one will be able to write in it until it is reopened.
thr-reopen = Reopen
thr-leave = Leave
thr-leave-confirm = Leave this discussion? You will no longer see it.
thr-typing = { $name } is typing…
thr-send-failed = The message could not be sent. Try again.
thr-offline = Connection lost: reconnecting…
thr-no-messages = No message yet: write the first one.
thr-message = Message
thr-message-placeholder = Write a message…
thr-send = Send
thr-format-hint = **bold**, _italic_, links and @mentions are shown formatted.
thr-closed-hint = This discussion is closed. Reopen it to write.
thr-draft-saved = Draft saved
thr-sent = Message sent.
thr-closed-done = Discussion closed.
thr-reopened-done = Discussion reopened.
thr-priority-done = Priority changed.
thr-duplicated = Discussion duplicated: here is the copy.
thr-left = You left the discussion.
thr-marked-unread-done = Discussion marked as unread.
thr-participants-added = Participants added.
thr-participant-removed = Participant removed.
thr-acknowledged = Message acknowledged.
thr-retracted-done = Message retracted.
thr-edited-done = Message changed.
thr-write = Write
thr-patient-of = Patient:

## The patient's circle and its invitations (circ-, helper B)
email-circle-invitation-subject = { $inviter } invites you to join your care team on Cercle
email-circle-invitation-body =
    Hello { $name },

    { $inviter } ({ $org }) invites you to join your care team on Cercle, the secure platform where your care team talks with you and your loved ones.

    Open this link (valid 14 days):
    { $link }

    You will create your Cercle account (or sign in), then { $check }

    If you were not expecting this invitation, ignore this message.

    — Cercle
circ-mail-check-question = answer the security question agreed with your care team.
circ-mail-check-code = enter the 12-digit secret code that we send you in a separate email.
sms-circle-invitation = Cercle: { $inviter } ({ $org }) invites you to join your care team: { $link }
email-circle-code-subject = Your secret code to join your care team on Cercle
email-circle-code-body =
    Hello { $name },

    Here is your secret code to join your care team ({ $org }) on Cercle:

    { $code }

    Enter it after opening the invitation link you received in another message. Never share it: your care team will never ask you for it.

    — Cercle
error-invalid-circle-section = Choose a section: patient, responsible person or observer.
error-invalid-invitation-method = Choose how to send the invitation (email or SMS) and the access check (security question or secret code).
error-invitation-email-missing = Give this person's email address to invite them by email.
error-invitation-phone-missing = Give this person's mobile number to invite them by SMS.
error-secret-code-by-email-only = The secret code is sent by email only. Choose the security question for an SMS invitation.
error-security-question-invalid = Write a security question (1 to 200 characters).
error-security-answer-missing = Write the expected answer.
error-security-answer-is-question = The answer cannot be the question itself.
error-invitation-locked = Too many wrong tries: this invitation is locked. Ask your care team to send a new one.
error-invitation-already-accepted = This invitation was already used.
error-invitation-cancelled = This invitation was cancelled.
error-invitation-expired = This invitation expired. Ask your care team to send a new one.
error-already-in-circle = You are already in this patient's circle.
error-circle-member-joined = This person already joined the circle.
error-circle-not-invited = This person has no invitation to send again: invite them.
error-circle-member-not-cancellable = This person's place can no longer be cancelled.
error-answer-wrong = Wrong answer. { $left } tries left.
circ-nav-care = Care teams
circ-title = Circle of { $name }
circ-intro = The people who take part in this patient's care from home: the patient, the responsible persons (caregivers) and the observers. They reach only the care channels they are added to.
circ-back = Back to the patient file
circ-section-patient = Patient
circ-section-responsible = Responsible persons
circ-section-observer = Observers
circ-section-responsible-hint = Caregivers, family and close ones.
circ-section-observer-hint = They read and do not write.
circ-empty = No one yet.
circ-state-preallocated = Pre-allocated, not invited
circ-state-invited = Invited
circ-state-joined = Joined
circ-state-cancelled = Cancelled
circ-state-expired = Invitation expired
circ-state-locked = Locked after 5 wrong tries
circ-via-email = email
circ-via-sms = SMS
circ-method-question = security question
circ-method-code = secret code by separate email
circ-invitation-line = By { $via }, { $method }
circ-failures = { $count } wrong tries
circ-expires = Valid until { $date }
circ-question-shown = Question: { $question }
circ-action-invite = Invite now
circ-action-resend = Resend
circ-action-cancel = Cancel
circ-cancel-confirm = Cancel this person's place? Their invitation link stops working.
circ-add-title = Add someone to the circle
circ-add-hint = Pre-allocate a person (to add them to care channels before inviting) or invite them now.
circ-field-section = Section
circ-field-first-name = First name
circ-field-last-name = Last name
circ-field-email = Email
circ-field-phone = Mobile number
circ-field-language = Language of the messages
circ-field-relationship = Relationship (optional)
circ-field-relationship-hint = For example: daughter, spouse, neighbour.
circ-field-invite-now = Invite now
circ-field-via = Send the invitation by
circ-field-method = Access check
circ-field-question = Security question
circ-field-question-hint = Agree on it with the person: they will see it and must answer it.
circ-field-answer = Expected answer
circ-field-answer-hint = Case, accents and extra spaces are ignored. The answer is kept only in a protected form.
circ-code-email-only = The secret code is sent by email only.
circ-add-submit = Add to the circle
circ-invite-title = Invite { $name }
circ-invite-submit = Send the invitation
circ-added = Person added to the circle.
circ-invited-done = Invitation sent.
circ-resent-done = Invitation sent again: the earlier link no longer works.
circ-cancelled-done = Place cancelled.
circ-manager-only = Only the patient and caregiver managers of this file's unit change the circle.
circ-archived = This file is archived: no new invitation.
circ-lang-fr = French
circ-lang-en = English
circ-join-title = Join your care team
circ-join-hello = Hello { $name },
circ-join-intro = { $inviter } ({ $org }) invites you to join your care team on Cercle.
circ-join-explain = Cercle is the secure platform where your care team talks with you and your loved ones. To join, create your account or sign in, then prove that the invitation is yours.
circ-join-explain-question = You will answer a security question agreed with your care team.
circ-join-explain-code = You will enter the 12-digit secret code received in a separate email.
circ-join-create = Create my account
circ-join-sign-in = I already have an account
circ-join-continue = Continue my account setup
circ-join-question = Question
circ-join-answer = Your answer
circ-join-code = Secret code (12 digits)
circ-join-submit = Join my care team
circ-join-tries-left = { $left } tries left before the invitation locks.
circ-join-state-accepted = This invitation was already used. If it was you, your care teams are under "Care teams".
circ-join-state-locked = Too many wrong tries: this invitation is locked. Ask your care team to send a new one.
circ-join-state-cancelled = This invitation was cancelled by your care team.
circ-join-state-expired = This invitation expired. Ask your care team to send a new one.
circ-join-state-replaced = A newer invitation replaced this one: use the link of the latest message you received.
circ-joined = Welcome: you joined your care team.
circ-join-go-care = Go to my care teams

## Patient files (helper A, pf-): errors, lists, the new file form and a file's page.
error-invalid-patient-name = Enter the patient's first and last name (at most 100 characters each).
error-invalid-birth-date = Enter a real birth date (YYYY-MM-DD), not in the future.
error-invalid-health-insurance-number = The health insurance number has 4 letters then 8 digits, like ABCD 1234 5678 (month 01 to 12, or 51 to 62; day 01 to 31).
error-invalid-file-number = The file number holds 1 to 40 letters, digits, dashes, slashes or spaces.
error-patient-archived = This patient file is archived: restore it first.
error-patient-not-archived = This patient file is not archived.
pf-title = Patient files
pf-new = New patient file
pf-tabs-label = Lists of patient files
pf-tab-active = With active threads
pf-tab-participating = Where I participate
pf-search-label = Search the patient files of your units
pf-search-placeholder = Name, file number or health insurance number
pf-search-submit = Search
pf-search-hint = Accents and case do not matter. Only the files of your units, those you opened and those you take part in are searched.
pf-show-archived = Show archived files
pf-search-results = Results for “{ $q }”
pf-none-active = No patient file has an open discussion you or your teams take part in.
pf-none-participating = You take part in no discussion or care channel of a patient file yet.
pf-none-search = No patient file found.
pf-refine = Only the first 100 files are shown: refine the search.
pf-archived = Archived
pf-born = Born { $date }
pf-file-number-short = File
pf-new-title = New patient file
pf-new-lead = The file is opened in { $org }. Any member of the organization may open one; it belongs to a unit (the whole organization by default).
pf-first-name = First name
pf-last-name = Last name
pf-birth-date = Date of birth
pf-hin = Health insurance number
pf-hin-hint = Québec format: 4 letters and 8 digits, e.g. ABCD 1234 5678.
pf-file-number = File number
pf-file-number-hint = The organization's own number, up to 40 letters, digits, - or /.
pf-unit = Unit
pf-optional = (optional)
pf-consents = Consents
pf-consent-care-team = Sharing with the care team
pf-consent-caregivers = Sharing with responsible persons (caregivers)
pf-consent-electronic = Electronic communications
pf-consent-given = given
pf-consent-not-given = not given
pf-create-submit = Open the file
pf-created = Patient file opened.
pf-updated = Patient file changed.
pf-archived-done = Patient file archived.
pf-restored-done = Patient file restored.
pf-back = All patient files
pf-identity = Identity
pf-not-given = Not given
pf-actions = Actions on the file
pf-circle = Patient's circle
pf-channels = Care channels
pf-archive = Archive
pf-archive-confirm = Archive this file? It will be hidden from lists and take no new discussions, channels or invitations; it stays readable and can be restored.
pf-restore = Restore
pf-archived-notice = This file is archived: it is hidden from lists and takes no new discussions, channels or invitations. Its history stays readable.
pf-edit = Change the identity or consents
pf-save = Save the changes
pf-read-only = You can read this file; only the person who opened it and those who manage patients' identity can change it.
pf-threads = Discussions about this patient
pf-threads-hint = Only the discussions you take part in are shown.
pf-threads-none = You take part in no discussion about this patient.
pf-new-thread = New discussion
pf-priority = High priority
pf-closed = Closed

# Care channels, pinned documents, the patient's experience (chan-, care-)
chan-updated-document = Updated document: { $name }
error-author-team = The team of the discussion's author cannot be removed from it.
error-already-pinned = This document is already pinned in this channel.
error-circle-member-cancelled = This person was removed from the patient's circle.
chan-title = Care channels
chan-intro = Care channels bring professionals, the patient and their caregivers together around a patient file.
chan-none = You take part in no care channel.
chan-go-patients = Open a patient file
chan-of-file = Care channels of { $name }
chan-none-file = No care channel you take part in for this patient.
chan-create = Create a channel
chan-create-submit = Create the channel
chan-created = Channel created. Send the first message to open it to its participants.
chan-title-label = Channel title
chan-title-hint = The patient sees it as the name of their care team (120 characters at most).
chan-professionals = Professionals and teams
chan-circle = Patient's circle
chan-section-title-patient = Patient
chan-section-title-responsible = Responsible persons
chan-section-title-observer = Observers
chan-section-patient = Patient
chan-section-responsible = Responsible person
chan-section-observer = Observer
chan-state-preallocated = pre-allocated
chan-state-invited = invited
chan-state-joined = joined
chan-state-cancelled = cancelled
chan-state-expired = expired
chan-state-locked = locked
chan-kind-team = Team
chan-kind-professional = Professional
chan-eyebrow = Care channel
chan-back = Care channel
chan-draft = Draft
chan-draft-hint = This channel is a draft: only you see it. The first message opens it to its participants.
chan-first-message = First message
chan-first-message-hint = The first message opens the channel: every participant then sees it, with all its discussions.
chan-threads = Channel discussions
chan-no-threads = No open discussion in this channel.
chan-new-thread = New discussion in this channel
chan-participants = Participants
chan-participants-count = { $count ->
    [one] 1 participant
   *[other] { $count } participants
}
chan-add-participants = Add participants
chan-pinned = Pinned documents
chan-pinned-none = No pinned document.
chan-pin = Pin a document
chan-pin-choose = Attachment of a discussion of the channel
chan-pin-submit = Pin
chan-pinned-done = Document pinned.
chan-update = Update
chan-updated = New version sent.
chan-version-n = Version { $n }
chan-version-thread = discussion
chan-history = History ({ $count ->
    [one] 1 version
   *[other] { $count } versions
})
care-title = My care teams
care-intro = The care teams looking after you. Write to them, attach photos, videos or voice messages.
care-none = You are not in any care team yet.
care-none-hint = A professional will add you to the team looking after you.
care-eyebrow = My care team
care-people = In this team
care-new-message = New message
care-observer = read only
care-observer-hint = You follow this team read-only: you read the messages and cannot write.
care-back = My care team

# Thread participants from the patient's circle
thr-section-patient = patient
thr-section-responsible = responsible person
thr-section-observer = observer
care-photo-title = My photo
# Availability (schedule and unavailability periods)
error-availability-slot-invalid = Each time slot has a day of the week and a start before its end, between 12:00 a.m. and midnight.
error-availability-slots-overlap = Two time slots on the same day overlap.
error-availability-too-many-slots = A schedule holds at most 50 time slots.
error-availability-period-inverted = The return date must come after the start of the absence.
error-availability-period-past = This absence is already over.
error-availability-periods-overlap = This period overlaps another of your absences.
error-availability-too-many-periods = You already have 100 upcoming absences: remove some before adding more.
nav-availability = Availability
avail-title = My availability
avail-intro = Your working hours (local time: { $zone }) and your absences. During an absence, your colleagues see "Absent until …" on your profile and when they add you to a discussion.
avail-schedule-title = Weekly schedule
avail-schedule-hint = With no time slot, you are considered available at all times. Several slots per day are possible.
avail-schedule-empty = No schedule: available at all times.
avail-day = Day
avail-start = Start
avail-end = End
avail-add-slot = Add the slot
avail-remove = Remove
avail-periods-title = Absences
avail-periods-empty = No absence planned.
avail-period-from = From
avail-period-return = Return date
avail-period-message = Message for your colleagues (optional, at most 280 characters)
avail-add-period = Add the absence
avail-current = now
avail-saved = Availability saved.
avail-absent-until = Absent until { $date }
avail-day-0 = Sunday
avail-day-1 = Monday
avail-day-2 = Tuesday
avail-day-3 = Wednesday
avail-day-4 = Thursday
avail-day-5 = Friday
avail-day-6 = Saturday

## Web Push (notifications on this device)
error-push-subscription-invalid = This browser's notification subscription is not valid.

## Notifications (centre, preferences, push, email alert, SMS)
notif-push-title = Cercle
notif-message-clinical = New message in a clinical thread
notif-message-collaboration = New message in a discussion
notif-message-direct = New direct message
notif-message-channel = New message in a care channel
notif-urgent-clinical = High-priority message in a clinical thread: please acknowledge
notif-urgent-collaboration = High-priority message in a discussion: please acknowledge
notif-urgent-direct = High-priority direct message: please acknowledge
notif-urgent-channel = High-priority message in a care channel: please acknowledge
notif-triage = New thread in your team's triage box
notif-friend-request = New friend request
notif-pinned-version = New version of a pinned document
notif-invitation = You are invited to join an organization: see the email we sent you
notif-other = New notification
notif-title = Notifications
notif-nav = Notifications
notif-unread-count = { $count ->
    [one] 1 unread
   *[other] { $count } unread
}
notif-empty = No notifications yet.
notif-empty-hint = New messages, threads in your teams' triage boxes, friend requests and invitations appear here.
notif-mark-all-read = Mark all as read
notif-open = Open
notif-by = by { $name }
notif-folded = { $count } messages
notif-unread = Unread
notif-preferences = Notification preferences
notif-prefs-intro = Your devices ring during your working hours only (see Availability), and not while you are away. High-priority messages always ring.
notif-prefs-email = Email me when a notification stays unread
notif-prefs-delay = After
notif-prefs-delay-mins = { $count ->
    [one] 1 minute
   *[other] { $count } minutes
}
notif-prefs-delay-hours = { $count ->
    [one] 1 hour
   *[other] { $count } hours
}
notif-prefs-save = Save
notif-prefs-saved = Your notification preferences were saved.
notif-prefs-sms = Unacknowledged high-priority messages are sent to your phone by SMS.
notif-prefs-no-phone = You have no verified phone number: unacknowledged high-priority messages are sent to you by email instead.
notif-prefs-push = Notifications on this browser
notif-prefs-push-hint = Turn them on from the Security page, for each browser or phone you use.
notif-prefs-muted = Muted threads
notif-prefs-muted-none = You have not muted any thread.
notif-mute = Mute
notif-unmute = Unmute
notif-muted = Muted: this thread's messages no longer ring your devices (high priority still does).
notif-muted-flash = Thread muted.
notif-unmuted-flash = Thread unmuted.
error-notification-delay-invalid = Choose one of the proposed delays.
email-notification-alert-subject = You have unread notifications on Cercle
email-notification-alert-body =
    Hello { $name },

    { $count ->
        [one] 1 notification is waiting for you on Cercle.
       *[other] { $count } notifications are waiting for you on Cercle.
    }

    See them here:
    { $link }

    You can change when these emails are sent on your notification preferences page.

    — Cercle
sms-urgent-message = Cercle: a high-priority message is waiting for your acknowledgement: { $link }
email-urgent-message-subject = A high-priority message is waiting for you on Cercle
email-urgent-message-body =
    A high-priority message is waiting for your acknowledgement on Cercle:
    { $link }

    — Cercle
error-push-too-many-subscriptions = At most 20 browsers can receive your notifications; remove one first.
push-title = Notifications on this device
push-help = Receive a notification on this device when something needs you. Notifications never show patient information.
push-enable = Enable notifications on this device
push-disable = Turn off notifications on this device
push-enabled = Notifications are on for this device.
push-disabled = Notifications are off for this device.
push-denied = Notifications are blocked for this site in your browser settings.
push-unsupported = This browser cannot receive notifications.
push-failed = Notifications could not be set up. Try again.

## Teams and triage (SPEC 7)
tm-title = Teams
tm-none = You belong to no team yet.
tm-none-hint = An administrator of your organization adds people to teams.
tm-switch = My teams
tm-role-manager = manager
tm-role-participant = participant
tm-write-title = Write to a team
tm-write-team = Team
tm-write-subject = Subject
tm-write-body = Message (optional)
tm-write-send = Send to the team
tm-written = Your message was sent to the team's triage box.
tm-triage = Triage box
tm-triage-empty = Nothing is waiting in the triage box.
tm-threads = The team's discussions
tm-threads-empty = No discussion assigned here.
tm-members = Members
tm-members-empty = This team has no members yet.
tm-state-in-triage = Waiting in the triage box
tm-responsible = Responsible: { $name }
tm-take = Take it
tm-assign = Assign
tm-assign-me = Assign to me
tm-assign-who = Member to assign
tm-return = Return to triage
tm-unassign = Unassign me
tm-join = Add me to the discussion
tm-taken = You are now responsible for this discussion.
tm-assigned = The discussion was assigned.
tm-returned = The discussion is back in the triage box.
tm-unassigned = You are no longer assigned to this discussion.
tm-joined = You were added to the discussion.
error-not-team-member = This person is not a member of the team.
error-not-responsible = Only the person responsible for this discussion can return it to triage.
error-not-in-triage = This discussion is no longer waiting in the triage box.
error-not-assigned = You are not assigned to this discussion.
error-invalid-team-role = The role must be manager or participant.

## Teams UI (thread block, admin members)
tm-thread-actions = Actions for the team { $team }
tm-invite = Invite
tm-invite-who = Teammate to invite
tm-invited = Your teammate now takes part in the discussion.
tm-remove-team = Remove the team from the discussion
tm-remove-team-confirm = Remove { $team } from this discussion? Its members will no longer see it, except those who take part in person.
tm-team-removed = The team was removed from the discussion.
admin-team-members = Members ({ $count })
admin-team-members-hint = Managers see every discussion of the team and assign them; participants see the ones assigned to them.
admin-team-members-empty = No one in this team yet.
admin-team-role-manager = Manager
admin-team-role-participant = Participant
admin-team-member-role-of = Role of { $name } in the team
admin-team-member-change = Change the role
admin-team-member-remove = Remove from the team
admin-team-member-remove-confirm = Remove { $name } from the team { $team }?
admin-team-member-add-title = Add a member
admin-team-member-none-left = Every member of the organization is already in this team.
admin-team-member-person = Person
admin-team-member-role = Role in the team
admin-team-member-add = Add to the team
admin-team-member-saved = Team member saved.
admin-team-member-removed = The person was removed from the team.

# issue 13: mail and retries
admin-tab-mail = Failed mail
admin-mail-hint = Email and SMS that could not be delivered after { $hours } hours of retries. Their content is not shown: it may hold a code or a link. "Send again" queues the message once more, with the same Message-ID, so a recipient who did receive it sees it only once.
admin-mail-empty = No failed message.
admin-mail-col-kind = Message
admin-mail-col-error = Last error
admin-mail-attempts = ({ $count } attempts)
admin-mail-kind-signup-code = Sign-up code
admin-mail-kind-signin-code = Sign-in code
admin-mail-kind-phone-code = Phone verification code
admin-mail-kind-recovery-code = Recovery code notice
admin-mail-kind-reset-link = Password reset link
admin-mail-kind-account-exists = Account already exists
admin-mail-kind-security-notice = Security notice
admin-mail-kind-welcome = Welcome
admin-mail-kind-invitation = Organization invitation
admin-mail-kind-friend-request = Friend request
admin-mail-kind-network-invitation = Network invitation
admin-mail-kind-profession-validated = Profession validated
admin-mail-kind-profession-rejected = Profession rejected
admin-mail-kind-circle-invitation = Care circle invitation
admin-mail-kind-circle-code = Care circle secret code
admin-mail-kind-notification-alert = Unread notifications
admin-mail-kind-urgent-message = High-priority message
admin-mail-send-again = Send again
admin-mail-sent-again = The message is queued again.
error-outbox-not-failed = This message is not among the failed ones (it was already sent again).
error-idempotency-key-invalid = The Idempotency-Key header must hold 1 to 100 printable ASCII characters.
error-idempotency-key-reused = This Idempotency-Key was already used for another request. Use a new key for each action.
error-idempotency-key-in-progress = The same request is still being handled. Try again in a moment.

# issue 13: edges
error-professionals-only = This part of Cercle is for professionals. Your care teams are under “My care teams”.

# issue 13: storage faults
error-storage-full = The server's storage is full, so nothing was saved. Please try again in a few minutes; if it goes on, tell your administrator.
error-database-unavailable = The service is briefly unavailable, so nothing was done. Please try again in a few moments.
error-file-storage-unavailable = The file storage cannot be reached right now, so the file was not saved. Please try again in a few moments; if it goes on, tell your administrator.

# issue 14: home page
home-in-org = Your starting point in { $org }.
home-no-org = You are not in an organization yet: an administrator's invitation brings you into one. Meanwhile, the network is open to you.
home-unread-title = Unread messages
home-unread-count = { $count ->
    [one] 1 thread with unread messages
   *[other] { $count } threads with unread messages
}
home-unread-none = You are all caught up: no unread messages.
home-all-threads = All threads
home-teams-title = My teams
home-teams-none = You are not in a team yet.
home-teams-none-hint = An administrator of your organization adds you to your teams.
home-all-teams = All teams
home-team-manager = (manager)
home-triage-count = { $count ->
    [one] 1 thread to triage
   *[other] { $count } threads to triage
}
home-triage-none = Triage box empty
home-patients-title = Patient files with active threads
home-patients-none = No patient file has an active thread you take part in.
home-all-patients = All patient files
home-waiting-title = Waiting for you
home-friend-requests = { $count ->
    [one] 1 friend request
   *[other] { $count } friend requests
}
home-answer-requests = Answer
home-invitations = { $count ->
    [one] 1 invitation to the network not yet accepted
   *[other] { $count } invitations to the network not yet accepted
}
home-see-invitations = See my invitations
home-directory-title = My directory
home-directory-none = Your directory is empty: add the colleagues and workplaces you reach often.
home-search-network = Search the network
home-all-directory = Whole directory

# issue 14: patient and caregiver join, file default unit
signup-care-title = Create your account to join your care team
signup-care-intro = { $inviter } ({ $org }) invited you to join your care team on Cercle. Check your name and email address, then choose a password.
signup-care-why = Your account lets you write to your care team, read what they share with you and follow the care of your loved one. It is free.
signup-care-submit = Create my account
terms-care-title = Using Cercle with your care team
terms-care-intro = Cercle is where your care team and you talk about your care or the care of your loved one. Before you continue, please read this:
terms-care-point-1 = Cercle is not for emergencies. In an emergency, call 911. For a health question at night or on the weekend, call Info-Santé 811.
terms-care-point-2 = Your care team answers during its working hours. An answer can take a day or more.
terms-care-point-3 = What you write and share goes to your care team and to the people of the circle you were invited into. Only share what you are comfortable with.
terms-care-point-4 = Keep your password, your PIN and your recovery code to yourself, and lock Cercle when you leave your device.
terms-care-point-5 = Every access to your file is recorded. You can leave at any time by asking your care team to remove you.
terms-care-accept = I understand and accept
care-circle-of = Care team of { $name } · { $org }
care-circle-mine = My care team · { $org }
care-my-place-patient = You are the patient.
care-my-place-responsible = You are a responsible person (caregiver).
care-my-place-observer = You follow this care team read-only.
care-professional = professional who invited you
care-circle-no-channel = Your care team has not written yet. Their first message will show up here, and you will get a notification.
care-settings = My settings
care-availability-hint = tell your care team when you can be reached and when you are away.
care-notif-hint = choose how and when Cercle lets you know about new messages.
avail-care-intro = When you can be reached (local time: { $zone }) and when you will be away.
avail-care-period-message = A word for your care team (optional, up to 280 characters)
circ-why-not-manager = You cannot invite anyone into this circle: only a patient and caregiver manager of the unit “{ $unit }”, where this file is placed, can. Ask one of them, or ask an administrator for this role.
circ-why-not-manager-elsewhere = You hold this role in: { $units }. Files you open there get circles you can manage.
pf-unit-default-hint = New files go to the unit where you manage patients and caregivers, so that you can invite them.

# issue 14: a11y
nav-more = More
nav-account-menu = Account menu

# issue 14: bell and circle sections
notif-live-unread = { $count ->
    [0] No unread notifications
    [one] 1 unread
   *[other] { $count } unread
}
circ-section-switch = “{ $section }” section present in this circle
circ-section-switch-apply = Apply
circ-section-state-on = This section is present in the circle.
circ-section-state-off = This section is switched off for this patient.
circ-section-off-note = Switched off for this patient: no one is added or invited here.
circ-section-on-done = The section is switched on.
circ-section-off-done = The section is switched off.
circ-add-all-off = Every section of this circle is switched off: switch one on to add someone.
error-circle-section-off = This section of the circle is switched off for this patient: switch it on first.
error-circle-section-not-empty = People are in this section or invited to it: cancel their places before switching it off.

# issue 14: dates and time zones, audit log in words
error-invalid-time-zone = This time zone is unknown. Choose a name from the list, for example America/Montreal or America/Halifax.
section-time-zone = Time zone
tz-current = Dates and times are shown to you in { $zone } time (now: { $now }).
field-time-zone = Your time zone
tz-hint = Leave empty to follow your organization's ({ $zone }). In the Magdalen Islands: America/Halifax.
tz-save = Save time zone
tz-saved = Time zone saved.
admin-tab-organization = Organization
admin-org-time-zone = Organization's time zone
admin-org-time-zone-current = The organization lives in { $zone } time (now: { $now }).
admin-org-time-zone-hint = Dates and times are shown in this time zone to everyone of the organization who did not choose their own. In the Magdalen Islands: America/Halifax.
admin-org-time-zone-saved = Organization's time zone saved.
admin-org-time-zone-root-only = Only an administrator of the whole organization can change its time zone.
admin-org-time-zone-field = Time zone (IANA name, for example America/Halifax)
admin-audit-anyone = Anyone
admin-audit-all-targets = All targets
admin-audit-show-own = Show my own page views
admin-audit-times-in = Times in { $zone } time (the CSV is in UTC, with the codes).
admin-audit-actor-anonymous = Someone not signed in
admin-audit-actor-system = System
admin-audit-actor-user = Former user
admin-audit-this-organization = This organization
audit-ev-audit-exported = Audit log exported (CSV)
audit-ev-audit-searched = Audit log viewed
audit-ev-auth-account-locked = Account locked after too many attempts
audit-ev-auth-account-switched = Switched account on the device
audit-ev-auth-code-checked = Verification code accepted
audit-ev-auth-code-failed = Wrong verification code
audit-ev-auth-code-sent = Verification code sent
audit-ev-auth-email-verified = Email address verified
audit-ev-auth-password-accepted = Password accepted
audit-ev-auth-password-changed = Password changed
audit-ev-auth-password-confirm-failed = Wrong password at confirmation
audit-ev-auth-password-reset = Password reset
audit-ev-auth-pin-changed = PIN changed
audit-ev-auth-pin-erase = Session erased after too many wrong PINs
audit-ev-auth-pin-failed = Wrong PIN
audit-ev-auth-pin-set = PIN set
audit-ev-auth-recovery-code-created = Recovery code created
audit-ev-auth-recovery-code-renewed = Recovery code renewed
audit-ev-auth-recovery-failed = Wrong recovery code
audit-ev-auth-recovery-used = Recovery code used
audit-ev-auth-reset-requested = Password reset requested
audit-ev-auth-second-factor-changed = Verification method changed
audit-ev-auth-session-closed = Session closed
audit-ev-auth-session-locked = Session locked
audit-ev-auth-session-unlocked = Session unlocked
audit-ev-auth-sign-in = Signed in
audit-ev-auth-sign-in-failed = Sign-in refused
audit-ev-auth-sign-in-refused-locked = Sign-in refused: account locked
audit-ev-auth-sign-out-everywhere = Signed out everywhere
audit-ev-auth-sign-up-existing = Sign-up with an address already in use
audit-ev-auth-sign-up-started = Sign-up started
audit-ev-auth-terms-accepted = Terms of use accepted
audit-ev-auth-totp-setup-started = Authenticator app setup started
audit-ev-availability-period-added = Absence added
audit-ev-availability-period-removed = Absence removed
audit-ev-availability-schedule-updated = Availability schedule changed
audit-ev-channel-created = Care channel created
audit-ev-channel-document-pinned = Document pinned to the channel
audit-ev-channel-document-updated = Pinned document updated
audit-ev-channel-listed = Care channels listed
audit-ev-channel-participant-added = Participant added to the channel
audit-ev-channel-participant-removed = Participant removed from the channel
audit-ev-channel-pinned-listed = Pinned documents viewed
audit-ev-channel-read = Care channel viewed
audit-ev-channel-thread-created = Thread created in the channel
audit-ev-channel-threads-listed = Channel threads listed
audit-ev-circle-invitation-accepted = Circle invitation accepted
audit-ev-circle-invitation-cancelled = Circle invitation cancelled
audit-ev-circle-invitation-created = Circle invitation created
audit-ev-circle-invitation-failed = Wrong answer to a circle invitation
audit-ev-circle-invitation-locked = Circle invitation locked
audit-ev-circle-invitation-resent = Circle invitation sent again
audit-ev-circle-invitation-sent = Circle invitation sent
audit-ev-circle-listed = Patient's circle viewed
audit-ev-circle-member-added = Person added to the circle
audit-ev-circle-section-on = Circle section switched on
audit-ev-circle-section-off = Circle section switched off
audit-ev-demo-circle-member-joined = Demo: circle member joined
audit-ev-demo-org-created = Demo: organization created
audit-ev-demo-user-created = Demo: account created
audit-ev-network-bootstrap = First network administrator created
audit-ev-network-friend-accepted = Friend request accepted
audit-ev-network-friend-ignored = Friend request ignored
audit-ev-network-friend-removed = Friend removed
audit-ev-network-friend-requested = Friend request sent
audit-ev-network-invitation-accepted = Network invitation accepted
audit-ev-network-invitation-sent = Network invitation sent
audit-ev-network-organization-validation-changed = Organization's profession validation changed
audit-ev-network-photo-changed = Photo changed
audit-ev-network-photo-removed = Photo removed
audit-ev-network-profession-added = Profession added
audit-ev-network-profession-proof-read = Profession proof viewed
audit-ev-network-profession-proof-sent = Profession proof sent
audit-ev-network-profession-rejected = Profession rejected
audit-ev-network-profession-removed = Profession removed
audit-ev-network-profession-validated = Profession validated
audit-ev-network-profile-updated = Profile updated
audit-ev-network-verifier-added = Verifier added
audit-ev-network-verifier-removed = Verifier removed
audit-ev-network-workplace-created = Workplace created
audit-ev-network-workplace-joined = Workplace joined
audit-ev-network-workplace-left = Workplace left
audit-ev-org-created = Organization created
audit-ev-org-invitation-accepted = Organization invitation accepted
audit-ev-org-invitation-cancelled = Organization invitation cancelled
audit-ev-org-invitation-created = Organization invitation created
audit-ev-org-invitation-resent = Organization invitation sent again
audit-ev-org-member-removed = Member removed
audit-ev-org-members-listed = Members listed
audit-ev-org-role-granted = Role granted
audit-ev-org-role-revoked = Role revoked
audit-ev-org-roles-applied = Roles applied
audit-ev-org-structure-listed = Organization structure viewed
audit-ev-org-switched = Active organization switched
audit-ev-org-team-created = Team created
audit-ev-org-team-member-removed = Team member removed
audit-ev-org-team-member-set = Team member added or changed
audit-ev-org-team-updated = Team updated
audit-ev-org-time-zone-changed = Organization time zone changed
audit-ev-org-unit-archived = Unit archived
audit-ev-org-unit-created = Unit created
audit-ev-org-unit-moved = Unit moved
audit-ev-org-unit-renamed = Unit renamed
audit-ev-org-unit-restored = Unit restored
audit-ev-org-workplace-created = Workplace created
audit-ev-org-workplace-updated = Workplace updated
audit-ev-outbox-sent-again = Message sent again
audit-ev-patient-archived = Patient file archived
audit-ev-patient-created = Patient file created
audit-ev-patient-exported = Patient file exported
audit-ev-patient-file-read = Patient file viewed
audit-ev-patient-file-updated = Patient file updated
audit-ev-patient-listed = Patient files listed
audit-ev-patient-read = Patient file viewed
audit-ev-patient-restored = Patient file restored
audit-ev-patient-updated = Patient file updated
audit-ev-push-subscribed = Push notifications turned on
audit-ev-push-subscription-gone = Push subscription expired
audit-ev-push-subscription-renewed = Push subscription renewed
audit-ev-push-unsubscribed = Push notifications turned off
audit-ev-team-manager-joined = Team manager joined the thread
audit-ev-team-removed-from-thread = Team removed from the thread
audit-ev-team-teammate-invited = Teammate invited to the thread
audit-ev-team-thread-assigned = Thread assigned
audit-ev-team-thread-returned = Thread returned to the team
audit-ev-team-thread-taken = Thread taken
audit-ev-team-thread-unassigned = Thread unassigned
audit-ev-team-threads-listed = Triage box viewed
audit-ev-call-started = Call started
audit-ev-call-joined = Joined a call
audit-ev-call-left = Left a call
audit-ev-call-ended = Call ended
audit-ev-call-participant-muted = Call participant muted
audit-ev-call-participant-removed = Call participant removed
audit-ev-call-read = Call viewed
audit-ev-call-history-read = Calls of a thread viewed
audit-ev-call-declined = Call declined
audit-ev-call-participant-lost = Call participant lost (connection)
audit-ev-thread-attachment-read = Attachment viewed
audit-ev-thread-attachment-uploaded = Attachment uploaded
audit-ev-thread-closed = Thread closed
audit-ev-thread-created = Thread created
audit-ev-thread-direct-created = Direct message started
audit-ev-thread-exported = Thread exported as PDF
audit-ev-thread-left = Left the thread
audit-ev-thread-message-acknowledged = Message acknowledged
audit-ev-thread-message-edited = Message edited
audit-ev-thread-message-posted = Message sent
audit-ev-thread-message-retracted = Message retracted
audit-ev-thread-messages-read = Messages read
audit-ev-thread-participant-removed = Participant removed from the thread
audit-ev-thread-participants-added = Participants added to the thread
audit-ev-thread-priority-changed = Thread priority changed
audit-ev-thread-read = Thread viewed
audit-ev-thread-reopened = Thread reopened
audit-ev-user-deleted = Account deleted
audit-ev-user-language-changed = Language changed
audit-ev-user-time-zone-changed = Personal time zone changed
audit-target-attachment = Attachment
audit-target-call = Call
audit-target-audit = Audit log
audit-target-availability = Availability
audit-target-channel = Care channel
audit-target-circle-invitation = Circle invitation
audit-target-circle-member = Circle member
audit-target-code = Code
audit-target-invitation = Invitation
audit-target-member = Member
audit-target-network-invitation = Network invitation
audit-target-organization = Organization
audit-target-outbox = Email or text message
audit-target-patient-file = Patient file
audit-target-profession = Profession
audit-target-profile = Profile
audit-target-push-subscription = Push subscription
audit-target-role = Role
audit-target-session = Session
audit-target-team = Team
audit-target-thread = Discussion thread
audit-target-unit = Unit
audit-target-user = Person
audit-target-workplace = Workplace

## The FHIR directory (OperationOutcome diagnostics)
fhir-unknown-parameter = This server does not support the search parameter “{ $name }” for this resource type (see /fhir/metadata).
fhir-bad-value = The value of “{ $name }” cannot be read.
fhir-unknown-type = The resource type “{ $name }” is not served here (Practitioner, PractitionerRole, Organization, Location, HealthcareService).
# Calls: peer-to-peer signalling, the call screen, the incoming-call banner (callv-)
error-signal-sdp-too-large = This session description is too large (32 KiB at most between two people; through the forwarding unit, 20 KiB per participant the call may hold).
error-signal-sdp-malformed = This session description is malformed: it must start with v=0 and hold one field per line.
error-signal-candidate-invalid = This network candidate is invalid (1 KiB at most, on one line).
error-signal-invalid = This call signal is incomplete or does not match its kind.
error-signal-unit-disabled = Calls of three or more need the forwarding unit, which is not enabled on this server (sfu_enabled).
error-signal-unit-unavailable = The forwarding unit cannot take this signal now (full, busy or not connected yet): try again.
callv-title-audio = Audio call
callv-title-video = Video call
callv-back = Back to the conversation
callv-status-label = Call status
callv-status-connecting = Connecting…
callv-status-waiting = Waiting for the other person to join.
callv-status-connected = Connected.
callv-status-reconnecting = Connection lost, reconnecting…
callv-status-ended = The call has ended.
callv-status-left = You left the call.
callv-status-removed = You were removed from the call.
callv-status-not-in = You are not in this call.
callv-status-media-error = Cercle cannot use your microphone or camera: check the browser's permissions. You can still hear the others.
callv-sfu-notice = Calls of three or more people need the forwarding unit, which is not enabled on this server yet: the participant list and the controls work, sound and video do not.
callv-videos = Videos of the call
callv-you = You
callv-local-video = Your camera
callv-remote-video = Video of { $name }
callv-join = Join the call
callv-controls = Call controls
callv-mute = Mute the microphone
callv-unmute = Unmute the microphone
callv-camera-off = Turn the camera off
callv-camera-on = Turn the camera on
callv-share = Share the screen
callv-share-stop = Stop sharing the screen
callv-hand-raise = Raise your hand
callv-hand-lower = Lower your hand
callv-microphone = Microphone
callv-camera = Camera
callv-devices = Devices
callv-leave = Leave the call
callv-end = End the call for everyone
callv-end-confirm = End the call for everyone?
callv-participants = Participants
callv-muted = microphone off
callv-speaking = speaking
callv-hand-raised = hand raised
callv-mute-person = Mute { $name }
callv-remove-person = Remove { $name } from the call
callv-remove-confirm = Remove { $name } from the call? They will not be able to join it again.
callv-start-audio = Start an audio call
callv-start-video = Start a video call
callv-start-label = Call
callv-banner-label = Incoming call
callv-banner-audio = { $name } is calling you (audio).
callv-banner-video = { $name } is calling you (video).
callv-accept = Accept
callv-decline = Decline
callv-started-by = Started by { $name }

## ---- Service accounts (issue 18, part 3: SMART Backend Services) ----
error-service-keys-invalid = Give a JWK set of 1 to 10 public keys: EC (P-256 or P-384) or RSA (2048 bits or more), without any private part.
error-service-scope-unknown = Choose at least one scope among system/Patient.cru, cercle/circle.invite and cercle/directory.read.
error-service-member-not-found = This email is not that of a professional member of the organization.
error-service-account-name-taken = A service account already has this name.
error-service-not-allowed = A service account cannot use this part of the API.
oauth-unsupported-grant-type = Only grant_type=client_credentials is supported.
oauth-invalid-scope = Ask for scopes granted to this service account (space-separated).
oauth-assertion-type = client_assertion_type must be urn:ietf:params:oauth:client-assertion-type:jwt-bearer.
oauth-assertion-missing = client_assertion is missing or longer than 8 KiB.
oauth-unknown-client = Unknown client: iss and sub must both be the service account's id.
oauth-client-disabled = This service account is disabled.
oauth-bad-signature = The assertion is not signed by a registered key of this service account (ES256, ES384, RS256 or RS384).
oauth-bad-audience = The assertion's aud must be this server's token endpoint URL.
oauth-assertion-expired = The assertion has expired.
oauth-assertion-too-long = The assertion's exp is more than five minutes ahead.
oauth-jti-missing = The assertion needs a jti of 1 to 255 characters.
oauth-jti-replayed = This assertion's jti was already used.
admin-audit-actor-service = Service account
audit-ev-patient-linked = Patient file linked by its health insurance number
audit-ev-service-account-created = Service account registered
audit-ev-service-keys-replaced = Service account's keys replaced
audit-ev-service-scopes-changed = Service account's scopes changed
audit-ev-service-account-disabled = Service account disabled
audit-ev-service-account-enabled = Service account enabled
audit-ev-service-token-issued = Service account's access token issued
audit-ev-service-token-refused = Service account's token request refused
audit-ev-service-api-call = API call by a service account
audit-target-service-account = Service account
audit-target-api = API operation
admin-tab-services = Service accounts
svc-new = Register a service account
svc-hint = A hosting partner or an EMR signs a client assertion with its private key (SMART Backend Services) and trades it here for a five-minute access token. It acts for one organization, through one of its professional members: that member's roles are the ceiling of what it may do. Token endpoint:
svc-field-name = Name
svc-field-org = Organization it acts for
svc-field-member = Email of the member it acts through
svc-field-scopes = Scopes
svc-scope-system-Patient-cru = open, link and read patient files
svc-scope-cercle-circle-invite = add patients and caregivers to a circle and send their invitations
svc-scope-cercle-directory-read = read the directory (network search and FHIR)
svc-field-jwks = Public keys (JWK set)
svc-jwks-hint = A JSON JWK set: an object whose "keys" list holds 1 to 10 public EC (P-256, P-384) or RSA (2048 bits or more) keys, each best with its "kid"; never a private part.
svc-create = Register
svc-empty = No service account yet.
svc-disabled = Disabled
svc-client-id = client_id:
svc-through = through { $email }
svc-keys = Keys:
svc-enable = Enable
svc-disable = Disable
svc-disable-confirm = Disable { $name }? Its tokens stop working at once.
svc-rotate = Replace the keys
svc-rotate-hint = The whole new JWK set. To rotate without interruption, send the new key beside the old, then the new one alone once the partner signs with it. Tokens issued so far end.
svc-rotate-submit = Replace the keys
svc-created = Service account registered.
svc-keys-replaced = Keys replaced.
svc-disabled-done = Service account disabled.
svc-enabled-done = Service account enabled.
# ---------- Integrated bubble: SMART on FHIR EHR launch (issue 18, part 1) ----------
smart-refused-title = Cercle cannot open here
smart-refused-help = Close this panel and open Cercle again from your medical record. If it happens again, tell your network administrator.
smart-activate-title = Activate your account in the integrated bubble
smart-activate-intro = The first time, sign in with your Cercle email and password, then the code. Cercle then opens directly from your medical record.
smart-activate-submit = Activate
smart-activate-code-intro = Enter the code you just received to link your Cercle account to your medical record.
smart-activate-pin-intro = This device already knows your account: enter your PIN to link it to your medical record.
smart-threads = Discussions
smart-no-threads = No discussion about this patient yet.
smart-open-full = Open in Cercle (new window)
error-smart-unknown-issuer = This medical record is not registered with Cercle. Your network administrator can register it.
error-smart-emr-unreachable = Your medical record did not answer as expected. Try again in a moment.
error-smart-bad-state = This launch is not valid or was already used. Open Cercle again from your medical record.
error-smart-expired = This launch expired. Open Cercle again from your medical record.
error-smart-signature = Your medical record's identity could not be verified. Nothing was opened.
error-smart-patient-not-creatable = This patient has no file in Cercle that you can reach, and you cannot create it here.
error-emr-invalid-issuer = The issuer must be the EMR's FHIR base URL, starting with https://.
error-emr-invalid-client-id = The client id is required (at most 200 characters, no spaces).
error-emr-invalid-origin = Each origin is https://host or https://host:port, nothing after (at most 10).
error-emr-issuer-taken = An EMR with this issuer is already registered.
admin-emrs-tab = EMRs
admin-emrs-title = Medical records (integrated bubble)
admin-emrs-intro = Medical records (EMRs) that may open Cercle in an integrated bubble (SMART on FHIR launch). Only the origins listed may show Cercle in a frame.
admin-emrs-none = No EMR registered yet.
admin-emrs-name = Name
admin-emrs-issuer = FHIR base URL (issuer)
admin-emrs-client-id = Client id
admin-emrs-origins = Origins allowed to frame Cercle (one per line)
admin-emrs-enabled = Enabled
admin-emrs-disabled = Disabled
admin-emrs-register = Register the EMR
admin-emrs-registered = EMR registered.
admin-emrs-enable = Enable
admin-emrs-disable = Disable
admin-emrs-saved = EMR saved.
