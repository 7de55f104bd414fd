## Cercle — français

app-name = Cercle
app-tagline = Collaboration clinique sécurisée
skip-to-content = Aller au contenu
nav-home = Accueil
nav-patients = Patients
nav-channels = Canaux
nav-teams = Équipes
nav-network = Réseau
nav-admin = Administration
nav-security = Sécurité
nav-menu = Menu
action-lock = Verrouiller
action-sign-out = Se déconnecter
action-switch-account = Changer de compte
action-back = Retour
action-continue = Continuer
action-cancel = Annuler
language-switch = English
language-name = Français
field-language = Langue
language-fr = Français
language-en = English
footer-text = Cercle — collaboration clinique libre
dev-outbox-link = Boîte d'envoi de développement (courriels et SMS)

## Erreurs
error-title = Un problème est survenu
error-invalid-email = Entrez une adresse courriel valide, comme nom@clinique.ca.
error-invalid-phone = Entrez un numéro de téléphone valide, comme 514 555-1234 ou +33 6 12 34 56 78.
error-password-too-short = Le mot de passe doit compter au moins 10 caractères.
error-password-too-long = Le mot de passe peut compter au plus 128 caractères.
error-password-too-weak = Ce mot de passe est trop facile à deviner. Utilisez une phrase plus longue qui ne contient pas votre courriel.
error-invalid-pin = Le NIP compte de 4 à 8 chiffres.
error-pin-too-weak = Ce NIP est trop facile à deviner (chiffres répétés ou consécutifs).
error-pin-mismatch = Les deux NIP ne sont pas identiques.
error-invalid-code = Entrez le code exactement comme vous l'avez reçu.
error-invalid-name = Entrez votre nom (100 caractères au plus).
error-invalid-title = Entrez un nom de 1 à 120 caractères.
error-invalid-language = Choisissez le français ou l'anglais.
error-bad-credentials = Courriel ou mot de passe incorrect.
error-account-locked = Trop de tentatives erronées : ce compte est verrouillé jusqu'à { $until }. Vous pouvez réinitialiser votre mot de passe pour le déverrouiller dès maintenant.
error-rate-limited = Trop de tentatives. Attendez quelques minutes, puis réessayez.
error-code-wrong = Code erroné. Il reste { $left } essais.
error-code-expired = Ce code a expiré ou a déjà été utilisé. Demandez un nouveau code.
error-not-authenticated = Veuillez vous connecter.
error-session-locked = Cette session est verrouillée. Entrez votre NIP.
error-pin-wrong = NIP erroné. Il reste { $left } essais avant que cette session soit effacée de cet appareil.
error-session-erased = Trop de NIP erronés : cette session a été effacée de cet appareil. Connectez-vous de nouveau.
error-forbidden = Vous n'êtes pas autorisé à faire ceci.
error-not-found = Cette page ou cet élément n'existe pas.
error-link-invalid = Ce lien a expiré ou a déjà été utilisé. Demandez-en un nouveau.
error-wrong-step = Cette étape n'est pas disponible maintenant.
error-conflict = Cet élément existe déjà.
error-already-bootstrapped = Le réseau a déjà un administrateur.
error-email-taken = Cette adresse courriel a déjà un compte.
error-internal = Une erreur inattendue est survenue. Rien n'a été modifié. Veuillez réessayer.
error-csrf = Ce formulaire a expiré. Rechargez la page et réessayez.
error-bad-request = La requête n'a pas pu être lue.
error-body-too-large = La requête est trop volumineuse.
error-unsupported-media-type = Type de contenu non pris en charge.
error-go-home = Retour à Cercle

## Inscription
signup-title = Créer votre compte
signup-intro = Pour les professionnels de la santé qui rejoignent le réseau Cercle de façon autonome. Vous avez reçu une invitation? Utilisez le lien qu'elle contient.
field-name = Nom complet
field-email = Courriel
field-password = Mot de passe
password-hint = Au moins 10 caractères. Une courte phrase est facile à retenir et difficile à deviner.
signup-submit = Créer le compte
have-account = Vous avez déjà un compte?
signup-steps = Étape { $step } de 4

## Codes
code-title = Entrez votre code
code-sent-email = Nous avons envoyé un code à 6 chiffres à { $destination }. Il est valide 10 minutes.
code-sent-sms = Nous avons envoyé un code à 6 chiffres par SMS au { $destination }. Il est valide 10 minutes.
code-totp = Entrez le code à 6 chiffres affiché dans votre application d'authentification.
field-code = Code
code-submit = Vérifier
code-resend = Envoyer un nouveau code
code-resent = Un nouveau code est en route.
use-recovery = Vous n'avez plus accès à vos codes? Utilisez votre code de récupération
recovery-signin-title = Utiliser votre code de récupération
recovery-signin-intro = Entrez le code de récupération conservé à la création de votre compte. Il ne fonctionne qu'une fois : vous en recevrez un nouveau, et les codes vous parviendront de nouveau par courriel.
field-recovery-code = Code de récupération
recovery-signin-submit = Se connecter

## Conditions
terms-title = Conditions d'utilisation
terms-intro = Cercle contient des renseignements de santé. Avant de continuer :
terms-point-1 = J'utilise Cercle uniquement pour les soins des patients auxquels je participe, et je ne consulte que ce dont j'ai besoin pour ces soins.
terms-point-2 = Je garde pour moi mon mot de passe, mon NIP et mon code de récupération, et je verrouille Cercle quand je quitte mon appareil.
terms-point-3 = Chaque accès aux renseignements des patients est consigné dans un journal d'audit que mon organisation peut consulter.
terms-point-4 = Je respecte les règles de confidentialité de ma profession et de mon organisation.
terms-accept = J'accepte les conditions d'utilisation

## Code de récupération
recovery-title = Conservez votre code de récupération
recovery-intro = Si vous perdez l'accès à votre courriel, à votre téléphone ou à votre application d'authentification, ce code vous permet de revenir. Il n'est affiché qu'une seule fois; nous vous l'avons aussi envoyé par courriel. Gardez-le en lieu sûr, loin de votre appareil.
recovery-saved = J'ai conservé mon code de récupération
recovery-copy = Copier
recovery-copied = Copié

## NIP
pin-setup-title = Choisissez votre NIP
pin-setup-intro = Votre NIP déverrouille Cercle sur cet appareil après une pause ou quand vous le verrouillez. De 4 à 8 chiffres; après 5 NIP erronés, la session est effacée de l'appareil.
field-pin = NIP
field-pin-confirm = NIP de nouveau
pin-setup-submit = Enregistrer le NIP

## Connexion
signin-title = Se connecter à Cercle
signin-submit = Se connecter
forgot-password = Mot de passe oublié?
create-account = Créer un compte
accounts-title = Choisir un compte
accounts-intro = Comptes connectés sur cet appareil. Chacun demande son propre NIP.
accounts-add = Se connecter avec un autre compte
lock-title = Cercle est verrouillé
lock-intro = { $name }, entrez votre NIP pour continuer.
lock-submit = Déverrouiller
lock-forgot = NIP oublié? Déconnectez-vous, puis reconnectez-vous avec votre mot de passe.

## Réinitialisation du mot de passe
forgot-title = Réinitialiser votre mot de passe
forgot-intro = Entrez votre courriel. S'il correspond à un compte, vous recevrez un lien pour choisir un nouveau mot de passe. Le lien est valide une heure et ne fonctionne qu'une fois.
forgot-submit = Envoyer le lien
forgot-sent = Si cette adresse a un compte, un lien est en route. Consultez votre boîte de réception (et vos indésirables).
reset-title = Choisir un nouveau mot de passe
reset-intro = Après ce changement, il faudra vous reconnecter sur tous vos appareils.
field-new-password = Nouveau mot de passe
reset-submit = Enregistrer le nouveau mot de passe
reset-done = Votre mot de passe a été changé. Vous pouvez maintenant vous connecter.

## Accueil
home-title = Accueil
home-welcome = Bienvenue, { $name }
section-soon = Cet espace est prêt à recevoir les données de votre organisation.
home-security-card = Votre compte est protégé par un mot de passe, un code à chaque connexion et un NIP sur cet appareil.
home-admin-card = Vous administrez ce réseau.

## Sécurité
security-title = Sécurité
security-intro = Gérez votre façon de vous connecter et les endroits où vous êtes connecté.
section-password = Mot de passe
field-current-password = Mot de passe actuel
password-change-submit = Changer le mot de passe
password-changed = Mot de passe changé. Vos autres sessions ont été fermées.
section-pin = NIP
pin-change-submit = Changer le NIP
pin-changed = NIP changé.
section-factor = Code de connexion
factor-current = Vos codes de connexion proviennent actuellement de : { $factor }
factor-email = courriel
factor-sms = SMS
factor-totp = application d'authentification
factor-to-sms = Recevoir les codes par SMS
field-phone = Téléphone mobile
phone-send-code = Envoyer un code de vérification
phone-code-sent = Nous avons envoyé un code par SMS au { $destination }.
phone-confirm = Confirmer le numéro
factor-sms-done = Les codes de connexion arrivent maintenant par SMS.
factor-to-totp = Utiliser une application d'authentification
totp-intro = Balayez ce code QR avec votre application d'authentification (ou entrez la clé), puis entrez le code qu'elle affiche.
totp-secret-label = Clé
totp-confirm = Confirmer
factor-totp-done = Les codes de connexion proviennent maintenant de votre application d'authentification.
factor-to-email = Recevoir de nouveau les codes par courriel
factor-email-done = Les codes de connexion arrivent maintenant par courriel.
section-recovery = Code de récupération
recovery-renew-intro = Un nouveau code remplace l'ancien, qui cesse aussitôt de fonctionner.
recovery-renew-submit = Générer un nouveau code de récupération
section-sessions = Où vous êtes connecté
session-current = Cet appareil
session-end = Fermer cette session
sessions-end-all = Se déconnecter partout
session-last-seen = Dernière activité { $when }
session-ended = Session fermée.

# Connexion mobile instantanée (issue 18, partie 4)
nav-connect = Connecter un téléphone
connect-title = Connecter un téléphone
connect-intro = Ouvrez Cercle sur votre téléphone sans taper votre mot de passe : affichez un code ici et scannez-le avec l'appareil photo du téléphone. Le téléphone demande ensuite votre NIP.
connect-how = Afficher un code à scanner
connect-show = Afficher un code
connect-new = Afficher un nouveau code
connect-scan = Scannez ce code avec votre téléphone
connect-qr-label = Code QR qui ouvre Cercle sur votre téléphone
connect-link-label = Ou ouvrez ce lien sur le téléphone
connect-expires = Valable une fois, jusqu'au { $when }, tant que cette session reste connectée et déverrouillée.
connect-connected = Connecté sur un nouvel appareil : { $device }. Il figure parmi les endroits où vous êtes connecté.
connect-note = Le téléphone ouvre votre compte verrouillé : votre NIP habituel le déverrouille, et le code ne le change jamais. Le code est valable une fois, 2 minutes, et seulement tant que cette session reste connectée et déverrouillée.
connect-sessions-link = Où vous êtes connecté
connect-security-intro = Ouvrez Cercle sur votre téléphone en scannant un code affiché ici, sans taper votre mot de passe.
connect-open = Connecter un téléphone
connect-phone-title = Ouvrir Cercle sur ce téléphone
connect-phone-working = Ouverture de votre session…
connect-phone-failed = Votre session n'a pas pu être ouverte. Affichez un nouveau code sur votre ordinateur et réessayez.
connect-noscript = Cette page a besoin de JavaScript pour ouvrir votre session.
connect-sign-in-instead = Me connecter plutôt avec mon mot de passe
error-connect-malformed = Ce lien est incomplet ou modifié. Affichez un nouveau code sur votre ordinateur et scannez-le de nouveau.
error-connect-unknown = Ce code n'est pas valide. Affichez un nouveau code sur votre ordinateur.
error-connect-expired = Ce code a expiré (il est valable 2 minutes). Affichez un nouveau code sur votre ordinateur.
error-connect-used = Ce code a déjà été utilisé. Affichez un nouveau code sur votre ordinateur.
error-connect-signed-out = La session qui a affiché ce code a été déconnectée. Connectez-vous sur votre ordinateur et affichez un nouveau code.
error-connect-locked = La session qui a affiché ce code est verrouillée. Déverrouillez-la sur votre ordinateur et affichez un nouveau code.
audit-ev-auth-connect-code-created = Code affiché pour connecter un téléphone
audit-ev-auth-connect-code-redeemed = Téléphone connecté avec un code
audit-ev-auth-connect-code-refused = Code pour connecter un téléphone refusé
audit-target-connect-code = Code pour connecter un téléphone

section-language = Langue
language-save = Enregistrer la langue
language-saved = Langue enregistrée.
section-delete = Supprimer mon compte
delete-intro = Votre nom, votre courriel et votre téléphone sont effacés et vous êtes déconnecté partout. Les messages cliniques que vous avez écrits restent aux dossiers des organisations, attribués à un ancien utilisateur. Cette action est irréversible.
delete-submit = Supprimer définitivement mon compte
delete-done = Votre compte a été supprimé.
section-activity = Activité de sécurité récente
activity-empty = Aucune activité pour l’instant.
col-when = Quand
col-event = Événement
col-address = Adresse
col-actor = Acteur

## Boîte d'envoi de développement
outbox-title = Boîte d'envoi de développement
outbox-intro = Chaque courriel et SMS envoyé par Cercle, du plus récent au plus ancien. Cette page n'existe qu'en dehors du mode production.
outbox-empty = Rien n'a encore été envoyé.
col-channel = Canal
col-to = Destinataire
col-subject = Objet
col-status = État

## Courriels et SMS
email-signature = — Cercle
email-signup-code-subject = Votre code Cercle : { $code }
email-signup-code-body =
    Bonjour { $name },

    Votre code pour confirmer votre adresse courriel sur Cercle est : { $code }

    Il est valide 10 minutes. Si vous n'avez pas créé de compte Cercle, ignorez ce courriel.

    — Cercle
email-signin-code-subject = Votre code de connexion Cercle : { $code }
email-signin-code-body =
    Bonjour { $name },

    Votre code pour vous connecter à Cercle est : { $code }

    Il est valide 10 minutes. Si vous n'avez pas tenté de vous connecter, changez votre mot de passe dès maintenant.

    — Cercle
email-phone-code-subject = Votre code de vérification Cercle : { $code }
email-phone-code-body =
    Votre code pour confirmer votre numéro de téléphone sur Cercle est : { $code }

    — Cercle
email-recovery-code-subject = Votre code de récupération Cercle
email-recovery-code-body =
    Bonjour { $name },

    Votre code de récupération Cercle est : { $code }

    Gardez-le en lieu sûr. Il vous permet de revenir dans votre compte si vous perdez l'accès à vos codes de connexion, et il ne fonctionne qu'une fois. Tout code de récupération précédent ne fonctionne plus.

    — Cercle
email-reset-link-subject = Réinitialiser votre mot de passe Cercle
email-reset-link-body =
    Bonjour { $name },

    Pour choisir un nouveau mot de passe, ouvrez ce lien d'ici une heure :
    { $link }

    Le lien ne fonctionne qu'une fois. Si vous n'avez rien demandé, ignorez ce courriel : votre mot de passe reste le même.

    — Cercle
email-account-exists-subject = Quelqu'un a tenté de créer un compte Cercle avec votre adresse
email-account-exists-body =
    Bonjour { $name },

    Quelqu'un a tenté de créer un nouveau compte Cercle avec cette adresse courriel, qui a déjà un compte. Si c'était vous, connectez-vous plutôt :
    { $link }

    Si ce n'était pas vous, vous pouvez ignorer ce courriel.

    — Cercle
email-security-notice-subject = Changement de sécurité sur votre compte Cercle
email-security-notice-body =
    Bonjour { $name },

    { $what }

    Si vous n'êtes pas à l'origine de ce changement, réinitialisez votre mot de passe dès maintenant et communiquez avec votre administrateur.

    — Cercle
email-welcome-subject = Bienvenue dans Cercle : choisissez votre mot de passe
email-welcome-body =
    Bonjour { $name },

    Vous êtes l'administrateur de ce réseau Cercle. Choisissez votre mot de passe avec ce lien (valide 72 heures, un seul usage) :
    { $link }

    — Cercle
notice-password-changed = Votre mot de passe a été changé.
notice-pin-changed = Votre NIP a été changé.
notice-factor-sms = Vos codes de connexion arrivent maintenant par SMS.
notice-factor-totp = Vos codes de connexion proviennent maintenant d'une application d'authentification.
notice-factor-email = Vos codes de connexion arrivent maintenant par courriel.
notice-recovery-used = Votre code de récupération a servi à vous connecter. Conservez le nouveau code de récupération affiché après la connexion.
notice-account-deleted = Votre compte Cercle a été supprimé.
sms-signup-code = Cercle : votre code est { $code }. Valide 10 minutes.
sms-signin-code = Cercle : votre code de connexion est { $code }. Valide 10 minutes. Ne le communiquez jamais.
sms-phone-code = Cercle : votre code de vérification est { $code }.
sms-recovery-code = Cercle : votre code de récupération est { $code }.
sms-reset-link = Cercle : réinitialisez votre mot de passe : { $link }
sms-account-exists = Cercle : quelqu'un a tenté de créer un compte avec votre adresse.
sms-security-notice = Cercle : { $what }
sms-welcome = Cercle : choisissez votre mot de passe : { $link }
email-invitation-subject = { $inviter } vous invite à { $org } sur Cercle
email-invitation-body =
    Bonjour { $name },

    { $inviter } vous invite à rejoindre { $org } sur Cercle, le réseau sécurisé où les professionnels de la santé travaillent ensemble.

    Ouvrez ce lien pour accepter (valide 7 jours) :
    { $link }

    Si vous n'avez pas encore de compte Cercle, vous en créerez un avec cette adresse courriel.

    — Cercle
sms-invitation = Cercle : { $inviter } vous invite à { $org } : { $link }
error-no-active-organization = Choisissez d'abord une organisation : vous n'êtes pas (ou plus) membre de l'organisation active.
error-name-taken = Ce nom est déjà utilisé ici. Choisissez-en un autre.
error-root-unit = L'unité racine d'une organisation ne peut être ni déplacée ni archivée.
error-unit-cycle = Une unité ne peut pas être déplacée sous elle-même ni sous l'une de ses unités.
error-archived = Cette unité est archivée.
error-invalid-kind = Choisissez un type de lieu de travail dans la liste.
error-invalid-address = L'adresse est trop longue ou contient des caractères non valides.
error-no-role = Choisissez au moins un rôle.
error-no-staff-kind = Choisissez personnel professionnel, personnel administratif, ou les deux.
error-invitation-not-pending = Cette invitation a déjà été acceptée, annulée ou a expiré.
error-invitation-other-email = Cette invitation a été envoyée à une autre adresse courriel. Connectez-vous avec cette adresse pour l'accepter.
error-last-administrator = L'organisation doit garder au moins un administrateur.
error-invalid-action = Choisissez une action dans la liste.

## Organisations dans l'en-tête
org-active-label = Organisation active :
org-switch = Changer d'organisation
org-choose = Choisir une organisation
org-switched = L'organisation active a changé.
home-org-admin-card = Vous administrez votre organisation.

## Invitations
invitation-title = Invitation à Cercle
invitation-intro = Vous êtes invité·e à rejoindre { $org } sur Cercle.
invitation-for = Invitation pour
invitation-account-intro = Pour accepter, créez votre compte Cercle avec cette adresse courriel, ou connectez-vous si vous en avez déjà un. Vous reviendrez ici ensuite.
invitation-create-account = Créer mon compte
invitation-sign-in = Me connecter
invitation-accept = Accepter l'invitation
invitation-accepted = Invitation acceptée : vous êtes maintenant membre de l'organisation.
invitation-other-account = Vous êtes connecté·e en tant que { $email }, mais cette invitation a été envoyée à { $invited }. Déconnectez-vous, puis connectez-vous avec l'adresse invitée.
signup-invited-intro = Vous avez été invité·e à rejoindre { $org }. Créez votre compte avec l'adresse courriel invitée; vous accepterez l'invitation juste après.

## Rôles et types de lieux de travail
role-administrator = Administrateur
role-member = Membre
role-team-manager = Gestionnaire d'équipe
role-team-participant = Participant d'équipe
role-patient-caregiver-manager = Gestionnaire de patients et proches aidants
role-auditor = Auditeur
workplace-kind-clinic = Clinique
workplace-kind-pharmacy = Pharmacie
workplace-kind-hospital = Hôpital
workplace-kind-community = Organisme communautaire
workplace-kind-other = Autre
audit-action-create = Création
audit-action-read = Lecture
audit-action-update = Modification
audit-action-delete = Suppression
audit-action-list = Liste
audit-action-export = Exportation

## Administration
admin-title = Administration
admin-tab-organizations = Organisations
admin-tab-network = Activité du réseau
admin-tab-units = Unités
admin-tab-workplaces = Lieux de travail
admin-tab-teams = Équipes
admin-tab-members = Membres
admin-tab-invitations = Invitations
admin-tab-audit = Journal d'audit
admin-no-org-hint = Acceptez une invitation à une organisation, ou choisissez-en une dans le menu en haut de la page.
admin-manage = Gérer
admin-edit = Modifier
admin-save = Enregistrer
admin-saved = Modifications enregistrées.
admin-rename = Renommer
admin-move = Déplacer
admin-archive = Archiver
admin-restore = Restaurer
admin-archived = archivé
admin-field-unit = Unité
admin-field-parent = Sous l'unité
admin-field-unit-name = Nom de l'unité
admin-field-move-under = Déplacer sous
admin-field-workplace = Lieu de travail
admin-field-workplace-name = Nom du lieu de travail
admin-field-kind = Type
admin-field-address = Adresse
admin-field-phone = Téléphone (facultatif)
admin-field-team-name = Nom de l'équipe
admin-field-role = Rôle
admin-field-org-name = Nom de l'organisation
admin-field-admin-email = Courriel de l'administrateur
admin-field-admin-name = Nom de l'administrateur
admin-unit-new = Nouvelle unité
admin-unit-create = Créer l'unité
admin-unit-created = Unité créée.
admin-unit-renamed = Unité renommée.
admin-unit-moved = Unité déplacée.
admin-unit-archived = Unité archivée.
admin-unit-restored = Unité restaurée.
admin-unit-tree = Unités organisationnelles
admin-unit-tree-hint = Un rôle accordé sur une unité vaut pour toutes les unités en dessous. L'unité racine ne peut être ni déplacée ni archivée.
admin-unit-root = racine
admin-unit-archive-confirm = Archiver cette unité? Elle pourra être restaurée plus tard.
admin-workplace-new = Nouveau lieu de travail
admin-workplace-hint = Les lieux de travail (cliniques, pharmacies, sites hospitaliers) sont visibles sur le réseau.
admin-workplace-create = Créer le lieu de travail
admin-workplace-created = Lieu de travail créé.
admin-workplace-empty = Aucun lieu de travail pour l’instant.
admin-workplace-archive-confirm = Archiver ce lieu de travail?
admin-team-new = Nouvelle équipe
admin-team-create = Créer l'équipe
admin-team-created = Équipe créée.
admin-team-empty = Aucune équipe pour l’instant.
admin-team-no-workplace = Aucun lieu de travail (l'unité seulement)
admin-team-archive-confirm = Archiver cette équipe?
admin-members-hint = Les membres et les rôles qu'ils détiennent sur les unités. Pour ajouter quelqu'un, envoyez une invitation :
admin-professional = Professionnel
admin-administrative = Personnel administratif
admin-member-no-role = Aucun rôle.
admin-grant = Accorder le rôle
admin-role-granted = Rôle accordé.
admin-revoke = Retirer
admin-revoke-label = Retirer { $role } sur { $unit }
admin-role-revoked = Rôle retiré.
admin-member-audit = Son activité
admin-member-remove = Retirer de l'organisation
admin-member-remove-confirm = Retirer { $name } de l'organisation? Tous ses rôles prennent fin maintenant.
admin-member-removed = Membre retiré.
admin-invite-title = Inviter quelqu'un
admin-invite-hint = La personne reçoit un courriel avec un lien valide 7 jours. Une personne déjà membre de l'organisation reçoit les rôles tout de suite, sans courriel.
admin-invite-staff = En tant que
admin-invite-roles = Rôles sur l'unité
admin-invite-submit = Envoyer l'invitation
admin-invitation-sent = Invitation envoyée.
admin-invitation-applied = Cette personne est déjà membre : les rôles s'appliquent maintenant.
admin-invitation-cancelled = Invitation annulée.
admin-invitation-resent = Un nouveau lien a été envoyé; le précédent ne fonctionne plus.
admin-invite-pending = Invitations en attente
admin-invite-none = Aucune invitation en attente.
admin-invite-expires = expire le { $date }
admin-invite-resend = Renvoyer
admin-invite-cancel = Annuler
admin-invite-cancel-confirm = Annuler l'invitation envoyée à { $email }?
admin-audit-actor = Personne
admin-audit-patient = Patient (identifiant)
admin-audit-target = Cible
admin-audit-action = Action
admin-audit-all-actions = Toutes les actions
admin-audit-all-units = Toutes les unités
admin-audit-from = Du
admin-audit-to = Au (inclus)
admin-audit-search = Rechercher
admin-audit-csv = Télécharger le CSV
admin-audit-hint = Les plus récentes d'abord. Seules les métadonnées sont enregistrées, jamais le contenu. Le CSV contient tous les résultats de la recherche.
admin-audit-empty = Rien ne correspond à cette recherche.
admin-audit-older = Entrées plus anciennes
admin-audit-bad-date = Entrez les dates au format AAAA-MM-JJ.
admin-org-new = Nouvelle organisation
admin-org-hint = L'organisation est créée avec son unité racine; son premier administrateur reçoit une invitation par courriel.
admin-org-create = Créer et inviter
admin-org-created = Organisation créée; son administrateur a été invité.
admin-org-empty = Aucune organisation pour l’instant.
admin-org-invite-admin = Inviter un administrateur
admin-network-settings = Paramètres du réseau
admin-setting-public-url = Adresse publique
admin-setting-mode = Mode
admin-setting-production = Production
admin-setting-development = Développement (boîte d'envoi à /dev/outbox)
admin-setting-idle-lock = Verrouillage automatique
admin-setting-minutes = après { $minutes } minutes d'inactivité
admin-setting-database = Base de données
admin-setting-argon2 = Hachage des mots de passe (Argon2id)
admin-network-settings-hint = Ces valeurs viennent du fichier de configuration du serveur et des variables CERCLE_*; modifiez-les là, puis redémarrez.
admin-invite-expired = expirée le { $date } : renvoyez-la pour donner un nouveau lien

## Network: emails, SMS and errors
email-friend-request-subject = { $from } souhaite devenir votre ami sur Cercle
email-friend-request-body =
    Bonjour { $name },

    { $from } vous a envoyé une demande d’ami sur Cercle. Les amis voient le numéro de téléphone partagé l'un de l'autre et peuvent s'écrire directement.

    Acceptez ou ignorez la demande ici :
    { $link }

    — Cercle
sms-friend-request = Cercle : { $from } vous a envoyé une demande d’ami : { $link }
email-network-invitation-subject = { $inviter } vous invite au réseau Cercle
email-network-invitation-body =
    Bonjour { $name },

    { $inviter } vous invite à rejoindre Cercle, le réseau sécurisé où les professionnels de la santé travaillent ensemble, et se porte garant de votre profession : { $profession }.

    Ouvrez ce lien pour accepter (valide 7 jours) :
    { $link }

    Si vous n'avez pas encore de compte Cercle, vous en créerez un avec cette adresse courriel. Votre profession est validée dès que vous acceptez.

    — Cercle
sms-network-invitation = Cercle : { $inviter } vous invite au réseau : { $link }
email-profession-validated-subject = Votre profession est validée sur Cercle
email-profession-validated-body =
    Bonjour { $name },

    Votre profession ({ $profession }) est maintenant validée. Vous pouvez chercher dans tout le réseau Cercle et être trouvé par les autres professionnels validés (sauf si vous avez restreint votre visibilité).

    — Cercle
sms-profession-validated = Cercle : votre profession ({ $profession }) est validée.
email-profession-rejected-subject = Votre profession n'a pas pu être validée sur Cercle
email-profession-rejected-body =
    Bonjour { $name },

    L'équipe de vérification n'a pas pu valider votre profession ({ $profession }).

    Motif : { $reason }

    Vous pouvez envoyer une nouvelle preuve depuis votre profil.

    — Cercle
sms-profession-rejected = Cercle : votre profession ({ $profession }) n'a pas été validée : { $reason }
error-profession-not-validated = Faites valider votre profession pour chercher dans tout le réseau et inviter des professionnels. D’ici là, vous trouvez les personnes de vos organisations et vos amis.
error-text-too-long = Ce texte est trop long.
error-invalid-text = Ce texte contient des caractères non permis.
error-unknown-profession = Choisissez une profession dans la liste.
error-search-too-short = Tapez au moins deux lettres.
error-invalid-permit = Entrez le numéro de permis tel qu'il figure sur votre permis (lettres, chiffres et tirets, 30 au plus).
error-invalid-document = Envoyez la preuve en PDF, JPEG ou PNG.
error-document-too-large = Le document peut faire au plus 5 Mo.
error-photo-too-large = La photo est trop grande (8 Mo et 8000 pixels de côté au plus).
error-photo-not-an-image = Choisissez une image JPEG, PNG ou WebP.
error-photo-bad-crop = Le cadre choisi dépasse de l'image. Choisissez-le de nouveau.
error-invalid-reason = Indiquez le motif, pour que la personne sache quoi faire.
error-profession-declared = Cette profession figure déjà à votre profil.
error-too-many-professions = Un profil compte au plus 5 professions.
error-profession-validated = Cette profession est déjà validée.
error-profession-not-pending = Cette profession n'attend plus de décision.
error-friend-self = Vous ne pouvez pas vous envoyer une demande d’ami.
error-already-friends = Vous êtes déjà amis.
error-request-already-sent = Votre demande d’ami a déjà été envoyée.
error-directory-full = Votre bottin est plein (2000 entrées). Retirez d'abord quelqu'un.
error-workplace-exists = Un lieu de travail de ce nom à cette adresse existe déjà : cherchez-le et joignez-vous-y.
error-already-working-here = Vous travaillez déjà ici.

## Réseau : mon profil, professions, invitations, vérification (netp-)
netp-profile-title = Mon profil
netp-profile-intro = Ce que vous dites de vous au réseau. Les personnes qui vous trouvent ou cliquent sur votre nom le voient.
netp-profile-public = Voir mon profil comme les autres
netp-profile-saved = Profil enregistré.
netp-save = Enregistrer mon profil
netp-photo-title = Photo
netp-photo-alt = Photo de { $name }
netp-photo-hint = Une photo carrée, affichée en rond. JPEG, PNG ou WebP, jusqu'à 8 Mo. Seul le carré cadré est gardé, sans position ni détails de l'appareil.
netp-photo-choose = Choisir une photo
netp-photo-change = Changer la photo
netp-photo-remove = Retirer la photo
netp-photo-remove-confirm = Retirer votre photo ? Vos initiales seront affichées à la place.
netp-photo-removed = Photo retirée.
netp-photo-crop-hint = Faites glisser l'image (ou utilisez les flèches du clavier) et zoomez pour que votre visage remplisse le cercle.
netp-photo-frame-label = Cadre de la photo
netp-photo-zoom = Zoom
netp-photo-save = Enregistrer la photo
netp-photo-sending = Envoi de la photo…
netp-photo-saved = Photo enregistrée.
netp-upload-failed = Le fichier n'a pas pu être envoyé. Vérifiez votre connexion, puis réessayez.
netp-about-title = À propos de moi
netp-field-presentation = Présentation
netp-hint-presentation = Qui vous êtes, votre pratique, les patients que vous suivez.
netp-field-diplomas = Diplômes
netp-field-competencies = Compétences particulières
netp-field-contact = Coordonnées professionnelles
netp-hint-contact = Vues par toutes les personnes qui peuvent voir votre profil : téléphone au travail, heures de bureau, adresse de votre cabinet.
netp-field-languages = Langues parlées
netp-field-other-languages = Autres langues
netp-hint-other-languages = Codes de deux ou trois lettres, séparés par des virgules (par exemple : es, de, ar).
netp-field-shared-phone = Téléphone partagé avec mes amis
netp-hint-shared-phone = Seuls vos amis sur Cercle voient ce numéro. Laissez vide pour n'en partager aucun.
netp-field-restrict = Limiter ma visibilité à mes organisations
netp-hint-restrict = Si la case est cochée, seules les personnes de vos organisations vous trouvent dans la recherche. Les personnes de l'extérieur avec qui vous partagez une discussion voient toujours votre profil.
netp-professions-title = Professions
netp-professions-hint = Une profession validée vous permet de chercher dans tout le réseau et d'inviter des professionnels. Pour la faire valider, envoyez votre numéro de permis et une preuve (PDF, JPEG ou PNG, jusqu'à 5 Mo) : l'équipe de vérification répond par courriel.
netp-professions-empty = Aucune profession pour l’instant : ajoutez la vôtre ci-dessous.
netp-profession-add-label = Ajouter une profession
netp-profession-choose = Choisir…
netp-profession-add = Ajouter
netp-profession-added = Profession ajoutée. Envoyez sa preuve pour la faire valider.
netp-profession-remove = Retirer
netp-profession-remove-label = Retirer { $profession }
netp-profession-remove-confirm = Retirer { $profession } de votre profil ? Une validation sera perdue.
netp-profession-removed = Profession retirée.
netp-status-unverified = Non vérifiée
netp-status-pending = En vérification
netp-status-validated = Validée
netp-status-rejected = Refusée
netp-via-vouch = Validée sur invitation d'un professionnel validé.
netp-via-organization = Validée par votre organisation.
netp-via-verification-team = Validée par l'équipe de vérification.
netp-pending-detail = Envoyée à l'équipe de vérification (permis { $permit }). Vous recevrez sa réponse par courriel.
netp-unverified-detail = Pas encore vérifiée : envoyez votre numéro de permis et une preuve.
netp-rejected-reason = Motif :
netp-rejected-again = Vous pouvez envoyer une nouvelle preuve ci-dessous.
netp-field-permit = Numéro de permis
netp-field-document = Document de preuve
netp-hint-document = Votre permis ou votre carte de membre de l'ordre professionnel : PDF, JPEG ou PNG, jusqu'à 5 Mo.
netp-proof-send = Envoyer pour vérification
netp-proof-sending = Envoi de la preuve…
netp-proof-no-file = Choisissez le document à envoyer.
netp-proof-sent = Preuve envoyée : l'équipe de vérification répondra par courriel.
netp-invite-card-title = Inviter un collègue
netp-invite-card = Les professionnels validés peuvent inviter un collègue dans le réseau et se porter garants de sa profession.
netp-invite-card-link = Inviter un professionnel
netp-verify-card-title = Équipe de vérification
netp-verify-card = Des preuves de profession attendent une décision.
netp-verify-card-link = Ouvrir la file de vérification
netp-invite-title = Inviter un professionnel
netp-invite-intro = Invitez dans le réseau Cercle un professionnel de la santé que vous connaissez. Vous vous portez garant·e de sa profession : elle est validée dès qu'il ou elle accepte.
netp-invite-validate-first = Faire valider ma profession
netp-invite-language = Langue de l'invitation
netp-invite-profession = Profession dont vous vous portez garant·e
netp-invite-vouch = En envoyant cette invitation, vous confirmez connaître cette personne et qu'elle exerce cette profession.
netp-invite-submit = Envoyer l'invitation
netp-invite-sent = Invitation envoyée.
netp-invite-sent-title = Invitations envoyées
netp-invite-sent-empty = Aucune invitation envoyée pour l’instant.
netp-invite-expires = Valide jusqu'au { $date }
netp-invite-status-pending = En attente
netp-invite-status-accepted = Acceptée
netp-invite-status-expired = Expirée
netp-join-title = Invitation au réseau Cercle
netp-join-intro = { $inviter } vous invite dans le réseau Cercle en tant que { $profession }.
netp-join-for = Invitation pour
netp-join-profession = Profession garantie
netp-join-explain = Accepter valide cette profession sur votre profil : vous pourrez chercher dans tout le réseau et être trouvé·e par les autres professionnels validés.
netp-join-account-intro = Pour accepter, créez votre compte Cercle avec cette adresse courriel, ou connectez-vous si vous en avez déjà un. Vous reviendrez ici ensuite.
netp-join-accept = Accepter et rejoindre le réseau
netp-join-accepted = Bienvenue dans le réseau : votre profession est validée.
netp-join-other-account = Vous êtes connecté·e en tant que { $email }, mais cette invitation a été envoyée à { $invited }. Déconnectez-vous, puis connectez-vous avec l'adresse invitée.
netp-verify-title = Vérification des professions
netp-verify-intro = Comparez chaque preuve au tableau de l'ordre professionnel, puis approuvez-la, ou refusez-la avec un motif que la personne lira.
netp-verify-count = En attente d'une décision ({ $count })
netp-verify-empty = Rien à vérifier.
netp-verify-empty-hint = Les demandes apparaissent ici quand quelqu'un envoie la preuve d'une profession.
netp-verify-added = Profession ajoutée le
netp-verify-proof = Télécharger la preuve
netp-verify-no-proof = Aucun document n'a été envoyé.
netp-verify-approve = Approuver
netp-verify-reject = Refuser…
netp-verify-reason = Motif (la personne le lira)
netp-verify-reject-submit = Refuser
netp-verify-approved = Profession validée : la personne est avisée par courriel.
netp-verify-rejected = Profession refusée : la personne est avisée par courriel, avec votre motif.
netp-team-title = Équipe de vérification
netp-team-intro = Les membres de l'équipe examinent les preuves de profession. Les administrateurs du réseau peuvent aussi le faire.
netp-team-hint = Ils approuvent ou refusent les preuves de profession envoyées par les professionnels.
netp-team-manage = Gérer l'équipe de vérification
netp-team-queue-link = File de vérification
netp-team-empty = Personne pour l’instant, à part les administrateurs du réseau.
netp-team-add-email = Courriel d'un compte Cercle
netp-team-add = Ajouter à l'équipe
netp-team-added = Ajouté·e à l'équipe de vérification.
netp-team-remove = Retirer de l'équipe
netp-team-remove-confirm = Retirer { $name } de l'équipe de vérification ?
netp-team-removed = Retiré·e de l'équipe de vérification.
netp-org-validates = Valide les professions de ses membres
netp-org-validation-allow = Lui permettre de valider les professions de ses membres
netp-org-validation-stop = Retirer la validation par cette organisation
netp-org-validation-on = L'organisation peut maintenant valider les professions de ses membres.
netp-org-validation-off = L'organisation ne valide plus les professions de ses membres.
netp-members-professions-title = Professions des membres
netp-members-professions-hint = Le réseau permet à votre organisation de valider les professions de ses membres. Ne validez que ce que vous avez vérifié.
netp-members-professions-not-allowed = Les administrateurs du réseau n'ont pas permis à { $org } de valider les professions de ses membres. Les membres envoient leur preuve à l'équipe de vérification depuis leur profil.
netp-members-professions-empty = Toutes les professions déclarées par vos membres sont validées.
netp-members-validate = Valider
netp-members-validate-confirm = Valider la profession { $profession } de { $name } ?
netp-member-validated = Profession validée.

## Network pages: search, profiles, directory, friends, workplaces (net-)
net-subnav-label = Réseau
net-tab-search = Recherche
net-tab-directory = Mon bottin
net-tab-friends = Amis
net-tab-workplaces = Lieux de travail
net-tab-profile = Mon profil
net-requests-waiting = Demandes d'amitié en attente : { $count }
net-search-title = Chercher dans le réseau
net-search-title-q = Recherche : { $q }
net-search-lead = Trouvez des collègues, des professionnels de la santé et des lieux de travail par leur nom.
net-search-label = Nom d'une personne ou d'un lieu de travail
net-search-placeholder = p. ex. Tremblay, pharmacie…
net-search-submit = Chercher
net-filter-kind = Afficher
net-kind-all = Personnes et lieux de travail
net-kind-people = Personnes seulement
net-kind-workplaces = Lieux de travail seulement
net-filter-profession = Profession
net-profession-any = Toutes les professions
net-filter-workplace = Seulement les personnes qui travaillent à { $workplace }
net-filter-clear = Retirer ce filtre
net-search-empty = Qui cherchez-vous?
net-search-empty-hint = Tapez une partie d'un nom : les accents, les majuscules et l'ordre des mots ne comptent pas, et une faute de frappe est pardonnée.
net-tile-directory = Les personnes et les lieux de travail que vous gardez sous la main.
net-tile-friends = Les demandes à traiter et vos amis.
net-tile-workplaces = Cliniques, pharmacies, hôpitaux : trouvez le vôtre ou créez-le.
net-tile-profile = Ce que les autres voient de vous.
net-results = Résultats
net-no-results = Aucune personne ni aucun lieu de travail ne correspond. Vérifiez l'orthographe ou tapez moins de mots.
net-refine = Beaucoup d'autres correspondent : ajoutez un mot (un nom de famille, une ville) pour préciser la recherche.
net-validate-link = Faire valider ma profession
net-pages = Pages
net-previous = Précédente
net-next = Suivante
net-page-n = Page { $page }
net-colleague = Collègue
net-friend = Ami
net-in-directory = Dans mon bottin
net-independent = Indépendant
net-status-validated = Validée
net-status-pending = Vérification en cours
net-status-unverified = Non vérifiée
net-status-rejected = Non validée
net-no-profession = Aucune profession indiquée.
net-edit-my-profile = Modifier mon profil
net-directory-add = Ajouter à mon bottin
net-directory-remove = Retirer de mon bottin
net-directory-added = Ajouté à votre bottin.
net-directory-removed = Retiré de votre bottin.
net-directory-private = Votre bottin est privé : vous seul le voyez, et la personne ajoutée n'en est pas avisée.
net-friend-request = Envoyer une demande d’amitié
net-friend-requested = Demande d'amitié envoyée.
net-request-sent = Demande d'amitié envoyée
net-request-withdraw = Retirer la demande
net-request-withdrawn = Demande d'amitié retirée.
net-request-received = { $name } vous a envoyé une demande d’amitié
net-request-accept = Accepter
net-request-ignore = Ignorer
net-friend-accepted = Vous êtes maintenant amis.
net-friend-ignored = Demande ignorée. La personne n'en est pas avisée.
net-friends-already = Amis
net-unfriend = Retirer de mes amis
net-unfriend-confirm = Retirer { $name } de vos amis? Vous ne verrez plus le numéro de téléphone partagé l'un de l'autre.
net-friend-removed = Vous n'êtes plus amis.
net-shared-phone = Numéro de téléphone partagé
net-shared-phone-friend = Partagé avec vous parce que vous êtes amis.
net-shared-phone-self = Seuls vos amis voient ce numéro.
net-about = À propos
net-profile-empty = Cette personne n'a pas encore rempli son profil.
net-presentation = Présentation
net-diplomas = Diplômes
net-competencies = Compétences particulières
net-contact = Coordonnées
net-languages = Langues
net-workplaces-of = Lieux de travail
net-no-workplace = Aucun lieu de travail indiqué.
net-directory-title = Mon bottin
net-directory-empty = Votre bottin est vide.
net-directory-empty-hint = Cherchez dans le réseau, ouvrez un profil ou un lieu de travail, puis choisissez « Ajouter à mon bottin ».
net-directory-people = Personnes
net-directory-workplaces = Lieux de travail
net-directory-no-people = Personne pour l’instant.
net-directory-no-workplaces = Aucun lieu de travail pour l’instant.
net-remove = Retirer
net-friends-title = Amis
net-friends-lead = Les amis voient le numéro de téléphone partagé l'un de l'autre et peuvent s'écrire et s'appeler directement.
net-incoming = Demandes reçues
net-ignore-hint = Ignorer une demande est discret : la personne n'en est pas avisée.
net-friends-list = Mes amis
net-no-friends = Pas encore d'amis. Ouvrez le profil d'un collègue et envoyez une demande d’amitié.
net-outgoing = Demandes envoyées
net-workplaces-title = Lieux de travail
net-workplaces-lead = Tous les lieux de travail du réseau. Ouvrez-en un pour voir qui y travaille.
net-workplaces-all = Tous les lieux de travail
net-workplaces-none = Aucun lieu de travail pour l’instant.
net-workplace-create = Créer mon lieu de travail
net-workplace-create-hint = Professionnel indépendant? Si votre lieu de travail n'est pas encore dans le réseau, créez-le pour que vos collègues vous trouvent. Vous y êtes inscrit aussitôt.
net-workplace-name = Nom
net-workplace-kind = Type
net-workplace-address = Adresse
net-workplace-phone = Téléphone
net-optional = (facultatif)
net-workplace-create-submit = Créer le lieu de travail
net-workplace-created = Lieu de travail créé. Vous y travaillez maintenant.
net-workplace-join = Je travaille ici
net-workplace-joined = Vous travaillez maintenant ici : vos collègues vous trouveront à ce lieu de travail.
net-workplace-leave = Je ne travaille plus ici
net-workplace-leave-confirm = Quitter { $workplace }? Vous ne serez plus dans la liste des personnes qui y travaillent.
net-workplace-left = Vous ne travaillez plus ici.
net-i-work-here = Je travaille ici
net-search-here = Chercher les personnes d'ici
net-workplace-members = Personnes qui travaillent ici
net-workplace-no-members = Personne que vous pouvez voir ne travaille ici pour l’instant.
net-workplace-teams = Équipes
netp-team-no-account = Aucun compte Cercle n'utilise cette adresse. La personne doit d'abord créer son compte.
net-tab-invite = Inviter
net-tab-verification = Vérification
former-user = Ancien utilisateur
thread-export-closed = Fermée par { $name } le { $date }

## Threads: errors
error-empty-message = Écrivez quelque chose avant d'envoyer.
error-message-too-long = Un message compte au plus 10 000 caractères.
error-file-empty = Ce fichier est vide.
error-file-too-large = Ce fichier est trop gros (photos 20 Mo, vidéos 64 Mo, messages vocaux 10 Mo, documents 25 Mo).
error-file-not-allowed = Ce type de fichier n'est pas accepté. Envoyez des photos, vidéos, messages vocaux, documents PDF, Office ou texte.
error-file-mismatch = Ce fichier n'est pas ce que son nom ou son type indique. Vérifiez le fichier et réessayez.
error-file-damaged = Ce fichier est endommagé et ne peut pas être lu.
error-upload-interrupted = L'envoi a été interrompu avant la fin du fichier : envoyez-le de nouveau.
error-length-required = Envoyez le fichier avec sa taille (un en-tête Content-Length).
error-thread-closed = Cette discussion est fermée : rouvrez-la pour écrire.
error-thread-open = Cette discussion est ouverte : fermez-la d'abord.
error-message-retracted = Ce message a été retiré.
error-not-priority = Seuls les messages prioritaires demandent une confirmation de lecture.
error-too-many-participants = Une discussion compte au plus 100 participants à la fois.
error-call-active = Un appel est déjà en cours dans cette discussion : rejoignez-le.
error-call-ended = Cet appel est terminé.
error-not-in-call = Vous n'êtes pas dans cet appel.
error-call-removed = Vous avez été retiré de cet appel et ne pouvez pas le rejoindre de nouveau.
error-call-full = Cet appel est complet : il réunit au plus { $max } personnes à la fois.
error-in-call = Vous êtes dans cet appel : quittez-le plutôt que de le refuser.

# Appels : l'historique des appels d'une discussion (call-)
call-history-started-audio = Appel audio lancé par { $name }
call-history-started-video = Appel vidéo lancé par { $name }
call-history-joined = { $name } a rejoint l'appel
call-history-left = { $name } a quitté l'appel
call-history-removed = { $by } a retiré { $name } de l'appel
call-history-ended = Appel terminé, durée { $duration }
call-history-ended-unanswered = Appel terminé, sans réponse
call-history-declined = { $name } a refusé l'appel
call-history-lost = { $name } a quitté l'appel : connexion perdue
# Sonnerie sur l'application installée (Web Push) : des mots génériques, jamais de données de patient
call-push-title-audio = Appel audio entrant
call-push-title-video = Appel vidéo entrant
call-push-body = Ouvrez Cercle pour répondre.
call-duration-hms = { $h } h { $m } min { $s } s
call-duration-ms = { $m } min { $s } s
call-duration-s = { $s } s

# Pièces jointes : contrôles du compositeur, éditeur de photo, message vocal, galerie (att-)
att-attach = Joindre
att-record = Message vocal
att-limits = Photos jusqu'à 20 Mo, vidéos 64 Mo, messages vocaux 10 Mo, documents 25 Mo. Les photos sont envoyées sans leurs métadonnées (lieu, appareil).
att-caption = Légende (facultative)
att-send = Envoyer
att-sending = Envoi en cours…
att-sent = Envoyé.
att-failed = Le fichier n'a pas pu être envoyé. Vérifiez votre connexion, puis réessayez.
att-editor-title = Modifier la photo avant l'envoi
att-editor-hint = Masquez ce qui pourrait identifier le patient : recadrez, dessinez par-dessus ou floutez une zone.
att-tools-label = Outils de retouche de la photo
att-tool-crop = Recadrer
att-tool-rotate = Pivoter
att-tool-draw = Dessiner
att-tool-blur = Flouter
att-tool-undo = Défaire
att-tool-reset = Recommencer
att-tool-hint-crop = Tracez un rectangle autour de ce qu'il faut garder.
att-tool-hint-draw = Dessinez à main levée sur les détails à masquer.
att-tool-hint-blur = Tracez un rectangle sur la zone à flouter.
att-canvas-label = La photo en cours de retouche
att-recording = Enregistrement
att-stop = Arrêter
att-rec-ready = Écoutez-le, puis envoyez-le.
att-mic-denied = Le micro n'est pas disponible. Autorisez ce site à l'utiliser, puis réessayez.
att-rec-unsupported = Ce navigateur ne peut pas enregistrer de message vocal.
att-voice-label = Message vocal
att-photo-alt = Photo : { $name }
att-download = Télécharger
att-size-b = { $n } o
att-size-kb = { $n } ko
att-size-mb = { $n } Mo
att-by = Envoyé par { $name }
att-gallery-title = Pièces jointes
att-gallery-page-title = Pièces jointes de la discussion
att-gallery-link = Toutes les pièces jointes
att-gallery-empty = Aucune pièce jointe dans cette discussion pour l’instant.
att-section-photos = Photos
att-section-videos = Vidéos
att-section-voice = Messages vocaux
att-section-documents = Documents
att-attach-title = Envoyer des fichiers
att-attach-link = Envoyer des fichiers ou un message vocal
att-back = Retour à la discussion

## Discussions (thr-)
nav-threads = Discussions
thr-title = Discussions
thr-new = Nouvelle discussion
thr-new-title = Nouvelle discussion
thr-tab-open = Ouvertes
thr-tab-closed = Fermées
thr-search-label = Chercher dans les messages
thr-search-placeholder = Chercher dans les messages de mes discussions
thr-search-submit = Chercher
thr-search-results = Résultats
thr-search-none = Aucun résultat.
thr-none = Aucune discussion ouverte pour l’instant.
thr-none-closed = Aucune discussion fermée.
thr-direct = Messages directs
thr-kind = Type de discussion
thr-kind-clinical = Clinique (au sujet d’un patient)
thr-kind-collaboration = Collaboration
thr-kind-direct = Messages directs
thr-high-priority = Haute priorité
thr-unread-count = { $count } non lu(s)
thr-marked-unread = Non lue
thr-clinical-needs-org = Une discussion clinique appartient à une organisation : choisissez d’abord votre organisation active.
thr-patient = Patient
thr-patient-choose = Dossier patient
thr-patient-new = Nouveau dossier patient…
thr-patient-new-hint = Pour un nouveau dossier, indiquez le nom et la date de naissance.
thr-first-name = Prénom
thr-last-name = Nom
thr-birth-date = Date de naissance
thr-title-label = Objet
thr-participants = Participants
thr-picker-search = Ajouter des personnes
thr-picker-placeholder = Nom d’un collègue ou d’un contact
thr-picker-hint = Votre bottin vient en premier. Choisissez une équipe pour envoyer la discussion à sa boîte de triage.
thr-picker-none = Personne de trouvé.
thr-picker-add = Ajouter
thr-in-directory = Dans mon bottin
thr-from-directory = De mon bottin
thr-teams = Équipes
thr-create = Commencer la discussion
thr-priority-message = Haute priorité
thr-retracted = Message retiré
thr-replaced = remplacé le
thr-edited = (modifié)
thr-acknowledged-by = Pris en compte par
thr-acknowledge = Prendre en compte
thr-seen-by = Vu par
thr-edit = Modifier
thr-edit-save = Enregistrer la modification
thr-retract = Retirer
thr-retract-confirm = Retirer ce message ? Une trace reste dans la discussion.
thr-closed-by = Fermée par { $name } le { $date }
thr-export = Exporter en PDF
thr-participants-count = Participants ({ $count })
thr-you = (vous)
thr-remove = Retirer
thr-remove-confirm = Retirer { $name } de la discussion ?
thr-add-participants = Ajouter des participants
thr-add = Ajouter
thr-priority-on = Marquer haute priorité
thr-priority-off = Priorité normale
thr-mark-unread = Marquer comme non lue
thr-duplicate = Dupliquer
thr-close = Fermer
thr-close-confirm = Fermer cette discussion ? Personne ne pourra y écrire avant sa réouverture.
thr-reopen = Rouvrir
thr-leave = Quitter
thr-leave-confirm = Quitter cette discussion ? Vous ne la verrez plus.
thr-typing = { $name } écrit…
thr-send-failed = Le message n’a pas pu être envoyé. Réessayez.
thr-offline = Connexion perdue : reconnexion…
thr-no-messages = Aucun message : écrivez le premier.
thr-message = Message
thr-message-placeholder = Écrire un message…
thr-send = Envoyer
thr-format-hint = **gras**, _italique_, les liens et les @mentions sont mis en forme.
thr-closed-hint = Cette discussion est fermée. Rouvrez-la pour écrire.
thr-draft-saved = Brouillon enregistré
thr-sent = Message envoyé.
thr-closed-done = Discussion fermée.
thr-reopened-done = Discussion rouverte.
thr-priority-done = Priorité modifiée.
thr-duplicated = Discussion dupliquée : voici la copie.
thr-left = Vous avez quitté la discussion.
thr-marked-unread-done = Discussion marquée comme non lue.
thr-participants-added = Participants ajoutés.
thr-participant-removed = Participant retiré.
thr-acknowledged = Message pris en compte.
thr-retracted-done = Message retiré.
thr-edited-done = Message modifié.
thr-write = Écrire
thr-patient-of = Patient :

## Le cercle du patient et ses invitations (circ-, assistant B)
email-circle-invitation-subject = { $inviter } vous invite à rejoindre votre équipe de soins sur Cercle
email-circle-invitation-body =
    Bonjour { $name },

    { $inviter } ({ $org }) vous invite à rejoindre votre équipe de soins sur Cercle, la plateforme sécurisée où votre équipe de soins échange avec vous et vos proches.

    Ouvrez ce lien (valide 14 jours) :
    { $link }

    Vous créerez votre compte Cercle (ou vous vous connecterez), puis vous devrez { $check }

    Si vous n'attendiez pas cette invitation, ignorez ce message.

    — Cercle
circ-mail-check-question = répondre à la question de sécurité convenue avec votre équipe de soins.
circ-mail-check-code = saisir le code secret de 12 chiffres que nous vous envoyons dans un courriel séparé.
sms-circle-invitation = Cercle : { $inviter } ({ $org }) vous invite à rejoindre votre équipe de soins : { $link }
email-circle-code-subject = Votre code secret pour rejoindre votre équipe de soins sur Cercle
email-circle-code-body =
    Bonjour { $name },

    Voici votre code secret pour rejoindre votre équipe de soins ({ $org }) sur Cercle :

    { $code }

    Saisissez-le après avoir ouvert le lien d'invitation reçu dans un autre message. Ne le communiquez à personne : votre équipe de soins ne vous le demandera jamais.

    — Cercle
error-invalid-circle-section = Choisissez une section : patient, personne responsable ou observateur.
error-invalid-invitation-method = Choisissez comment envoyer l'invitation (courriel ou texto) et la vérification d'accès (question de sécurité ou code secret).
error-invitation-email-missing = Indiquez l'adresse courriel de cette personne pour l'inviter par courriel.
error-invitation-phone-missing = Indiquez le numéro de cellulaire de cette personne pour l'inviter par texto.
error-secret-code-by-email-only = Le code secret est envoyé par courriel seulement. Choisissez la question de sécurité pour une invitation par texto.
error-security-question-invalid = Écrivez une question de sécurité (1 à 200 caractères).
error-security-answer-missing = Écrivez la réponse attendue.
error-security-answer-is-question = La réponse ne peut pas être la question elle-même.
error-invitation-locked = Trop d'essais erronés : cette invitation est verrouillée. Demandez à votre équipe de soins de vous en envoyer une nouvelle.
error-invitation-already-accepted = Cette invitation a déjà été utilisée.
error-invitation-cancelled = Cette invitation a été annulée.
error-invitation-expired = Cette invitation a expiré. Demandez à votre équipe de soins de vous en envoyer une nouvelle.
error-already-in-circle = Vous faites déjà partie du cercle de ce patient.
error-circle-member-joined = Cette personne a déjà rejoint le cercle.
error-circle-not-invited = Cette personne n'a pas d'invitation à renvoyer : invitez-la.
error-circle-member-not-cancellable = La place de cette personne ne peut plus être annulée.
error-answer-wrong = Réponse erronée. Il reste { $left } essais.
circ-nav-care = Équipes de soins
circ-title = Cercle de { $name }
circ-intro = Les personnes qui participent aux soins de ce patient à domicile : le patient, les personnes responsables (proches aidants) et les observateurs. Elles n'accèdent qu'aux canaux de soins auxquels elles sont ajoutées.
circ-back = Retour au dossier patient
circ-section-patient = Patient
circ-section-responsible = Personnes responsables
circ-section-observer = Observateurs
circ-section-responsible-hint = Proches aidants, famille et entourage.
circ-section-observer-hint = Ils lisent et n'écrivent pas.
circ-empty = Personne pour l’instant.
circ-state-preallocated = Préassigné, non invité
circ-state-invited = Invité
circ-state-joined = A rejoint
circ-state-cancelled = Annulé
circ-state-expired = Invitation expirée
circ-state-locked = Verrouillée après 5 essais erronés
circ-via-email = courriel
circ-via-sms = texto
circ-method-question = question de sécurité
circ-method-code = code secret par courriel séparé
circ-invitation-line = Par { $via }, { $method }
circ-failures = { $count } essais erronés
circ-expires = Valide jusqu'au { $date }
circ-question-shown = Question : { $question }
circ-action-invite = Inviter maintenant
circ-action-resend = Renvoyer
circ-action-cancel = Annuler
circ-cancel-confirm = Annuler la place de cette personne ? Son lien d'invitation ne fonctionnera plus.
circ-add-title = Ajouter une personne au cercle
circ-add-hint = Préassignez une personne (pour l'ajouter aux canaux de soins avant de l'inviter) ou invitez-la maintenant.
circ-field-section = Section
circ-field-first-name = Prénom
circ-field-last-name = Nom
circ-field-email = Courriel
circ-field-phone = Numéro de cellulaire
circ-field-language = Langue des messages
circ-field-relationship = Lien (facultatif)
circ-field-relationship-hint = Par exemple : fille, conjoint, voisine.
circ-field-invite-now = Inviter maintenant
circ-field-via = Envoyer l'invitation par
circ-field-method = Vérification d'accès
circ-field-question = Question de sécurité
circ-field-question-hint = Convenez-en avec la personne : elle la verra et devra y répondre.
circ-field-answer = Réponse attendue
circ-field-answer-hint = Les majuscules, les accents et les espaces en trop sont ignorés. La réponse n'est conservée que sous une forme protégée.
circ-code-email-only = Le code secret est envoyé par courriel seulement.
circ-add-submit = Ajouter au cercle
circ-invite-title = Inviter { $name }
circ-invite-submit = Envoyer l'invitation
circ-added = Personne ajoutée au cercle.
circ-invited-done = Invitation envoyée.
circ-resent-done = Invitation renvoyée : le lien précédent ne fonctionne plus.
circ-cancelled-done = Place annulée.
circ-manager-only = Seuls les gestionnaires des patients et proches aidants de l'unité de ce dossier modifient le cercle.
circ-archived = Ce dossier est archivé : aucune nouvelle invitation.
circ-lang-fr = Français
circ-lang-en = Anglais
circ-join-title = Rejoindre votre équipe de soins
circ-join-hello = Bonjour { $name },
circ-join-intro = { $inviter } ({ $org }) vous invite à rejoindre votre équipe de soins sur Cercle.
circ-join-explain = Cercle est la plateforme sécurisée où votre équipe de soins échange avec vous et vos proches. Pour la rejoindre, créez votre compte ou connectez-vous, puis prouvez que l'invitation vous est destinée.
circ-join-explain-question = Vous répondrez à une question de sécurité convenue avec votre équipe de soins.
circ-join-explain-code = Vous saisirez le code secret de 12 chiffres reçu dans un courriel séparé.
circ-join-create = Créer mon compte
circ-join-sign-in = J'ai déjà un compte
circ-join-continue = Poursuivre la création de mon compte
circ-join-question = Question
circ-join-answer = Votre réponse
circ-join-code = Code secret (12 chiffres)
circ-join-submit = Rejoindre mon équipe de soins
circ-join-tries-left = Il reste { $left } essais avant que l'invitation soit verrouillée.
circ-join-state-accepted = Cette invitation a déjà été utilisée. Si c'était vous, vos équipes se trouvent sous « Équipes de soins ».
circ-join-state-locked = Trop d'essais erronés : cette invitation est verrouillée. Demandez à votre équipe de soins de vous en envoyer une nouvelle.
circ-join-state-cancelled = Cette invitation a été annulée par votre équipe de soins.
circ-join-state-expired = Cette invitation a expiré. Demandez à votre équipe de soins de vous en envoyer une nouvelle.
circ-join-state-replaced = Une invitation plus récente remplace celle-ci : utilisez le lien du dernier message reçu.
circ-joined = Bienvenue : vous avez rejoint votre équipe de soins.
circ-join-go-care = Aller à mes équipes de soins

## Dossiers patients (assistant A, pf-) : erreurs, listes, formulaire de nouveau dossier et page d'un dossier.
error-invalid-patient-name = Entrez le prénom et le nom du patient (100 caractères au plus chacun).
error-invalid-birth-date = Entrez une vraie date de naissance (AAAA-MM-JJ), pas dans le futur.
error-invalid-health-insurance-number = Le numéro d'assurance maladie compte 4 lettres puis 8 chiffres, comme ABCD 1234 5678 (mois 01 à 12, ou 51 à 62 ; jour 01 à 31).
error-invalid-file-number = Le numéro de dossier compte de 1 à 40 lettres, chiffres, tirets, barres obliques ou espaces.
error-patient-archived = Ce dossier patient est archivé : restaurez-le d'abord.
error-patient-not-archived = Ce dossier patient n'est pas archivé.
pf-title = Dossiers patients
pf-new = Nouveau dossier patient
pf-tabs-label = Listes de dossiers patients
pf-tab-active = Avec discussions actives
pf-tab-participating = Où je participe
pf-search-label = Chercher parmi les dossiers patients de vos unités
pf-search-placeholder = Nom, numéro de dossier ou numéro d'assurance maladie
pf-search-submit = Chercher
pf-search-hint = Les accents et les majuscules ne comptent pas. Seuls les dossiers de vos unités, ceux que vous avez ouverts et ceux auxquels vous participez sont cherchés.
pf-show-archived = Afficher les dossiers archivés
pf-search-results = Résultats pour « { $q } »
pf-none-active = Aucun dossier patient n’a de discussion ouverte à laquelle vous ou vos équipes participez.
pf-none-participating = Vous ne participez encore à aucune discussion ni canal de soins d'un dossier patient.
pf-none-search = Aucun dossier patient trouvé.
pf-refine = Seuls les 100 premiers dossiers sont affichés : précisez la recherche.
pf-archived = Archivé
pf-born = Né(e) le { $date }
pf-file-number-short = Dossier
pf-new-title = Nouveau dossier patient
pf-new-lead = Le dossier est ouvert dans { $org }. Tout membre de l'organisation peut en ouvrir un ; il appartient à une unité (toute l'organisation par défaut).
pf-first-name = Prénom
pf-last-name = Nom
pf-birth-date = Date de naissance
pf-hin = Numéro d'assurance maladie
pf-hin-hint = Format du Québec : 4 lettres et 8 chiffres, p. ex. ABCD 1234 5678.
pf-file-number = Numéro de dossier
pf-file-number-hint = Le numéro propre à l'organisation, jusqu'à 40 lettres, chiffres, - ou /.
pf-unit = Unité
pf-optional = (facultatif)
pf-consents = Consentements
pf-consent-care-team = Partage avec l'équipe de soins
pf-consent-caregivers = Partage avec les personnes responsables (proches aidants)
pf-consent-electronic = Communications électroniques
pf-consent-given = donné
pf-consent-not-given = non donné
pf-create-submit = Ouvrir le dossier
pf-created = Dossier patient ouvert.
pf-updated = Dossier patient modifié.
pf-archived-done = Dossier patient archivé.
pf-restored-done = Dossier patient restauré.
pf-back = Tous les dossiers patients
pf-identity = Identité
pf-not-given = Non indiqué
pf-actions = Actions sur le dossier
pf-circle = Cercle du patient
pf-channels = Canaux de soins
pf-archive = Archiver
pf-archive-confirm = Archiver ce dossier ? Il sera masqué des listes et n'acceptera plus de nouvelles discussions, de canaux ni d'invitations ; il reste lisible et peut être restauré.
pf-restore = Restaurer
pf-archived-notice = Ce dossier est archivé : il est masqué des listes et n'accepte plus de nouvelles discussions, de canaux ni d'invitations. Son historique reste lisible.
pf-edit = Modifier l'identité ou les consentements
pf-save = Enregistrer les modifications
pf-read-only = Vous pouvez lire ce dossier ; seuls la personne qui l'a ouvert et ceux qui gèrent l'identité des patients peuvent le modifier.
pf-threads = Discussions sur ce patient
pf-threads-hint = Seules les discussions auxquelles vous participez sont affichées.
pf-threads-none = Vous ne participez à aucune discussion sur ce patient.
pf-new-thread = Nouvelle discussion
pf-priority = Priorité haute
pf-closed = Fermée

# Canaux de soins, documents épinglés, expérience du patient (chan-, care-)
chan-updated-document = Document mis à jour : { $name }
error-author-team = L'équipe de l'auteur de la discussion ne peut pas en être retirée.
error-already-pinned = Ce document est déjà épinglé dans ce canal.
error-circle-member-cancelled = Cette personne a été retirée du cercle du patient.
chan-title = Canaux de soins
chan-intro = Les canaux de soins réunissent les professionnels, le patient et ses proches autour d'un dossier patient.
chan-none = Vous ne participez à aucun canal de soins.
chan-go-patients = Ouvrir un dossier patient
chan-of-file = Canaux de soins de { $name }
chan-none-file = Aucun canal de soins pour ce patient auquel vous participez.
chan-create = Créer un canal
chan-create-submit = Créer le canal
chan-created = Canal créé. Envoyez le premier message pour l'ouvrir aux participants.
chan-title-label = Titre du canal
chan-title-hint = Le patient le verra comme le nom de son équipe de soins (120 caractères au plus).
chan-professionals = Professionnels et équipes
chan-circle = Cercle du patient
chan-section-title-patient = Patient
chan-section-title-responsible = Personnes responsables
chan-section-title-observer = Observateurs
chan-section-patient = Patient
chan-section-responsible = Personne responsable
chan-section-observer = Observateur
chan-state-preallocated = préassigné
chan-state-invited = invité
chan-state-joined = a rejoint
chan-state-cancelled = annulé
chan-state-expired = expiré
chan-state-locked = verrouillé
chan-kind-team = Équipe
chan-kind-professional = Professionnel
chan-eyebrow = Canal de soins
chan-back = Canal de soins
chan-draft = Brouillon
chan-draft-hint = Ce canal est un brouillon : vous seul le voyez. Il s'ouvre aux participants avec le premier message.
chan-first-message = Premier message
chan-first-message-hint = Le premier message ouvre le canal : chaque participant le voit alors, avec toutes ses discussions.
chan-threads = Discussions du canal
chan-no-threads = Aucune discussion ouverte dans ce canal.
chan-new-thread = Nouvelle discussion dans ce canal
chan-participants = Participants
chan-participants-count = { $count ->
    [one] 1 participant
   *[other] { $count } participants
}
chan-add-participants = Ajouter des participants
chan-pinned = Documents épinglés
chan-pinned-none = Aucun document épinglé.
chan-pin = Épingler un document
chan-pin-choose = Pièce jointe d'une discussion du canal
chan-pin-submit = Épingler
chan-pinned-done = Document épinglé.
chan-update = Mettre à jour
chan-updated = Nouvelle version envoyée.
chan-version-n = Version { $n }
chan-version-thread = discussion
chan-history = Historique ({ $count ->
    [one] 1 version
   *[other] { $count } versions
})
care-title = Mes équipes de soins
care-intro = Les équipes de soins qui vous accompagnent. Écrivez-leur, joignez des photos, des vidéos ou des messages vocaux.
care-none = Vous ne faites encore partie d’aucune équipe de soins.
care-none-hint = Un professionnel vous ajoutera à l'équipe qui vous suit.
care-eyebrow = Mon équipe de soins
care-people = Dans cette équipe
care-new-message = Nouveau message
care-observer = lecture seule
care-observer-hint = Vous suivez cette équipe en lecture seule : vous lisez les messages sans pouvoir écrire.
care-back = Mon équipe de soins

# Thread participants from the patient's circle
thr-section-patient = patient
thr-section-responsible = personne responsable
thr-section-observer = observateur
care-photo-title = Ma photo
# Availability (schedule and unavailability periods)
error-availability-slot-invalid = Chaque plage horaire a un jour de la semaine et une heure de début avant l'heure de fin, entre 0 h 00 et 24 h 00.
error-availability-slots-overlap = Deux plages horaires du même jour se chevauchent.
error-availability-too-many-slots = Un horaire compte au plus 50 plages.
error-availability-period-inverted = La date de retour doit être après le début de l'absence.
error-availability-period-past = Cette période d'absence est déjà terminée.
error-availability-periods-overlap = Cette période chevauche une autre de vos périodes d'absence.
error-availability-too-many-periods = Vous avez déjà 100 périodes d'absence à venir : supprimez-en avant d'en ajouter.
nav-availability = Disponibilités
avail-title = Mes disponibilités
avail-intro = Votre horaire de travail (heure locale : { $zone }) et vos absences. Pendant une absence, vos collègues voient « Absent jusqu'au … » sur votre profil et quand ils vous ajoutent à une discussion.
avail-schedule-title = Horaire de la semaine
avail-schedule-hint = Sans aucune plage, vous êtes considéré disponible en tout temps. Plusieurs plages par jour sont possibles.
avail-schedule-empty = Aucun horaire : disponible en tout temps.
avail-day = Jour
avail-start = Début
avail-end = Fin
avail-add-slot = Ajouter la plage
avail-remove = Supprimer
avail-periods-title = Absences
avail-periods-empty = Aucune absence prévue.
avail-period-from = Du
avail-period-return = Date de retour
avail-period-message = Message pour vos collègues (facultatif, 280 caractères au plus)
avail-add-period = Ajouter l'absence
avail-current = en cours
avail-saved = Disponibilités enregistrées.
avail-absent-until = Absent jusqu'au { $date }
avail-day-0 = dimanche
avail-day-1 = lundi
avail-day-2 = mardi
avail-day-3 = mercredi
avail-day-4 = jeudi
avail-day-5 = vendredi
avail-day-6 = samedi

## Web Push (notifications sur cet appareil)
error-push-subscription-invalid = L'abonnement aux notifications de ce navigateur n'est pas valide.

## Notifications (centre, preferences, push, email alert, SMS)
notif-push-title = Cercle
notif-message-clinical = Nouveau message dans une discussion clinique
notif-message-collaboration = Nouveau message dans une discussion
notif-message-direct = Nouveau message direct
notif-message-channel = Nouveau message dans un canal de soins
notif-urgent-clinical = Message prioritaire dans une discussion clinique : veuillez en accuser réception
notif-urgent-collaboration = Message prioritaire dans une discussion : veuillez en accuser réception
notif-urgent-direct = Message direct prioritaire : veuillez en accuser réception
notif-urgent-channel = Message prioritaire dans un canal de soins : veuillez en accuser réception
notif-triage = Nouvelle discussion dans la boîte de triage de votre équipe
notif-friend-request = Nouvelle demande d’ami
notif-pinned-version = Nouvelle version d'un document épinglé
notif-invitation = Vous êtes invité à joindre une organisation : voyez le courriel que nous vous avons envoyé
notif-other = Nouvelle notification
notif-title = Notifications
notif-nav = Notifications
notif-unread-count = { $count ->
    [one] 1 non lue
   *[other] { $count } non lues
}
notif-empty = Aucune notification pour l’instant.
notif-empty-hint = Les nouveaux messages, les discussions dans la boîte de triage de vos équipes, les demandes d’ami et les invitations s'affichent ici.
notif-mark-all-read = Tout marquer comme lu
notif-open = Ouvrir
notif-by = par { $name }
notif-folded = { $count } messages
notif-unread = Non lue
notif-preferences = Préférences de notification
notif-prefs-intro = Vos appareils sonnent seulement pendant vos heures de travail (voir Disponibilités), et pas pendant vos absences. Les messages prioritaires sonnent toujours.
notif-prefs-email = M'envoyer un courriel quand une notification reste non lue
notif-prefs-delay = Après
notif-prefs-delay-mins = { $count ->
    [one] 1 minute
   *[other] { $count } minutes
}
notif-prefs-delay-hours = { $count ->
    [one] 1 heure
   *[other] { $count } heures
}
notif-prefs-save = Enregistrer
notif-prefs-saved = Vos préférences de notification ont été enregistrées.
notif-prefs-sms = Les messages prioritaires sans accusé de réception vous sont envoyés par texto.
notif-prefs-no-phone = Vous n'avez pas de numéro de téléphone vérifié : les messages prioritaires sans accusé de réception vous sont envoyés par courriel.
notif-prefs-push = Notifications sur ce navigateur
notif-prefs-push-hint = Activez-les à partir de la page Sécurité, pour chaque navigateur ou téléphone que vous utilisez.
notif-prefs-muted = Discussions en sourdine
notif-prefs-muted-none = Vous n'avez mis aucune discussion en sourdine.
notif-mute = Mettre en sourdine
notif-unmute = Réactiver le son
notif-muted = En sourdine : les messages de cette discussion ne font plus sonner vos appareils (sauf les messages prioritaires).
notif-muted-flash = Discussion mise en sourdine.
notif-unmuted-flash = Son de la discussion réactivé.
error-notification-delay-invalid = Choisissez l'un des délais proposés.
email-notification-alert-subject = Des notifications non lues vous attendent sur Cercle
email-notification-alert-body =
    Bonjour { $name },

    { $count ->
        [one] 1 notification vous attend sur Cercle.
       *[other] { $count } notifications vous attendent sur Cercle.
    }

    Consultez-les ici :
    { $link }

    Vous pouvez choisir quand ces courriels sont envoyés dans vos préférences de notification.

    — Cercle
sms-urgent-message = Cercle : un message prioritaire attend votre accusé de réception : { $link }
email-urgent-message-subject = Un message prioritaire vous attend sur Cercle
email-urgent-message-body =
    Un message prioritaire attend votre accusé de réception sur Cercle :
    { $link }

    — Cercle
error-push-too-many-subscriptions = Au plus 20 navigateurs peuvent recevoir vos notifications; retirez-en un d'abord.
push-title = Notifications sur cet appareil
push-help = Recevez une notification sur cet appareil quand on a besoin de vous. Les notifications ne montrent jamais d'information sur un patient.
push-enable = Activer les notifications sur cet appareil
push-disable = Désactiver les notifications sur cet appareil
push-enabled = Les notifications sont activées pour cet appareil.
push-disabled = Les notifications sont désactivées pour cet appareil.
push-denied = Les notifications sont bloquées pour ce site dans les réglages du navigateur.
push-unsupported = Ce navigateur ne peut pas recevoir de notifications.
push-failed = Les notifications n'ont pas pu être activées. Réessayez.

## Équipes et triage (SPEC 7)
tm-title = Équipes
tm-none = Vous ne faites encore partie d’aucune équipe.
tm-none-hint = Un administrateur de votre organisation ajoute les personnes aux équipes.
tm-switch = Mes équipes
tm-role-manager = gestionnaire
tm-role-participant = participant
tm-write-title = Écrire à une équipe
tm-write-team = Équipe
tm-write-subject = Objet
tm-write-body = Message (facultatif)
tm-write-send = Envoyer à l'équipe
tm-written = Votre message a été envoyé dans la boîte de triage de l'équipe.
tm-triage = Boîte de triage
tm-triage-empty = Rien n'attend dans la boîte de triage.
tm-threads = Les discussions de l'équipe
tm-threads-empty = Aucune discussion assignée ici.
tm-members = Membres
tm-members-empty = Cette équipe n'a pas encore de membres.
tm-state-in-triage = En attente dans la boîte de triage
tm-responsible = Responsable : { $name }
tm-take = La prendre
tm-assign = Assigner
tm-assign-me = Me l'assigner
tm-assign-who = Membre à assigner
tm-return = Remettre au triage
tm-unassign = Me désassigner
tm-join = M'ajouter à la discussion
tm-taken = Vous êtes maintenant responsable de cette discussion.
tm-assigned = La discussion a été assignée.
tm-returned = La discussion est de retour dans la boîte de triage.
tm-unassigned = Vous n'êtes plus assigné à cette discussion.
tm-joined = Vous avez été ajouté à la discussion.
error-not-team-member = Cette personne ne fait pas partie de l'équipe.
error-not-responsible = Seule la personne responsable de cette discussion peut la remettre au triage.
error-not-in-triage = Cette discussion n'attend plus dans la boîte de triage.
error-not-assigned = Vous n'êtes pas assigné à cette discussion.
error-invalid-team-role = Le rôle doit être gestionnaire ou participant.

## Teams UI (thread block, admin members)
tm-thread-actions = Actions de l'équipe { $team }
tm-invite = Inviter
tm-invite-who = Collègue de l'équipe à inviter
tm-invited = Votre collègue fait maintenant partie de la discussion.
tm-remove-team = Retirer l'équipe de la discussion
tm-remove-team-confirm = Retirer { $team } de cette discussion? Ses membres n'y auront plus accès, sauf ceux qui y participent en personne.
tm-team-removed = L'équipe a été retirée de la discussion.
admin-team-members = Membres ({ $count })
admin-team-members-hint = Les gestionnaires voient toutes les discussions de l'équipe et les assignent; les participants voient celles qui leur sont assignées.
admin-team-members-empty = Personne dans cette équipe pour l’instant.
admin-team-role-manager = Gestionnaire
admin-team-role-participant = Participant
admin-team-member-role-of = Rôle de { $name } dans l'équipe
admin-team-member-change = Changer le rôle
admin-team-member-remove = Retirer de l'équipe
admin-team-member-remove-confirm = Retirer { $name } de l'équipe { $team }?
admin-team-member-add-title = Ajouter un membre
admin-team-member-none-left = Tous les membres de l'organisation font déjà partie de cette équipe.
admin-team-member-person = Personne
admin-team-member-role = Rôle dans l'équipe
admin-team-member-add = Ajouter à l'équipe
admin-team-member-saved = Membre de l'équipe enregistré.
admin-team-member-removed = La personne a été retirée de l'équipe.

# issue 13: mail and retries
admin-tab-mail = Envois en échec
admin-mail-hint = Courriels et SMS qui n'ont pu être remis après { $hours } heures de nouvelles tentatives. Leur contenu n'est pas affiché : il peut contenir un code ou un lien. « Renvoyer » remet le message en file, avec le même Message-ID, pour qu'un destinataire qui l'aurait déjà reçu ne le voie qu'une fois.
admin-mail-empty = Aucun envoi en échec.
admin-mail-col-kind = Message
admin-mail-col-error = Dernière erreur
admin-mail-attempts = ({ $count } tentatives)
admin-mail-kind-signup-code = Code d'inscription
admin-mail-kind-signin-code = Code de connexion
admin-mail-kind-phone-code = Code de vérification du téléphone
admin-mail-kind-recovery-code = Avis de code de récupération
admin-mail-kind-reset-link = Lien de réinitialisation du mot de passe
admin-mail-kind-account-exists = Compte déjà existant
admin-mail-kind-security-notice = Avis de sécurité
admin-mail-kind-welcome = Bienvenue
admin-mail-kind-invitation = Invitation dans une organisation
admin-mail-kind-friend-request = Demande d'ami
admin-mail-kind-network-invitation = Invitation au réseau
admin-mail-kind-profession-validated = Profession validée
admin-mail-kind-profession-rejected = Profession refusée
admin-mail-kind-circle-invitation = Invitation au cercle de soins
admin-mail-kind-circle-code = Code secret du cercle de soins
admin-mail-kind-notification-alert = Notifications non lues
admin-mail-kind-urgent-message = Message de haute priorité
admin-mail-send-again = Renvoyer
admin-mail-sent-again = Le message est remis en file d'envoi.
error-outbox-not-failed = Ce message n'est pas parmi les envois en échec (il a déjà été renvoyé).
error-idempotency-key-invalid = L'en-tête Idempotency-Key doit contenir de 1 à 100 caractères ASCII imprimables.
error-idempotency-key-reused = Cette clé Idempotency-Key a déjà servi pour une autre requête. Utilisez une nouvelle clé pour chaque action.
error-idempotency-key-in-progress = La même requête est encore en cours de traitement. Réessayez dans un instant.

# issue 13: edges
error-professionals-only = Cette partie de Cercle est réservée aux professionnels. Vos équipes de soins sont sous « Mes équipes de soins ».

# issue 13: storage faults
error-storage-full = L'espace de stockage du serveur est plein : rien n'a été enregistré. Veuillez réessayer dans quelques minutes ; si le problème persiste, prévenez votre administrateur.
error-database-unavailable = Le service est momentanément indisponible : rien n'a été fait. Veuillez réessayer dans quelques instants.
error-file-storage-unavailable = Le stockage des fichiers est injoignable pour le moment : le fichier n'a pas été enregistré. Veuillez réessayer dans quelques instants ; si le problème persiste, prévenez votre administrateur.

# issue 14: home page
home-in-org = Votre point de départ dans { $org }.
home-no-org = Vous ne faites pas encore partie d’une organisation : l’invitation d’un administrateur vous y fera entrer. D’ici là, le réseau vous est ouvert.
home-unread-title = Messages non lus
home-unread-count = { $count ->
    [one] 1 discussion avec des messages non lus
   *[other] { $count } discussions avec des messages non lus
}
home-unread-none = Vous êtes à jour : aucun message non lu.
home-all-threads = Toutes les discussions
home-teams-title = Mes équipes
home-teams-none = Vous ne faites partie d’aucune équipe pour l’instant.
home-teams-none-hint = Un administrateur de votre organisation vous ajoute à vos équipes.
home-all-teams = Toutes les équipes
home-team-manager = (gestionnaire)
home-triage-count = { $count ->
    [one] 1 discussion à trier
   *[other] { $count } discussions à trier
}
home-triage-none = Boîte de tri vide
home-patients-title = Dossiers patients avec discussions actives
home-patients-none = Aucun dossier patient n’a de discussion active à laquelle vous participez.
home-all-patients = Tous les dossiers patients
home-waiting-title = En attente de votre part
home-friend-requests = { $count ->
    [one] 1 demande d’ami
   *[other] { $count } demandes d’ami
}
home-answer-requests = Répondre
home-invitations = { $count ->
    [one] 1 invitation au réseau pas encore acceptée
   *[other] { $count } invitations au réseau pas encore acceptées
}
home-see-invitations = Voir mes invitations
home-directory-title = Mon bottin
home-directory-none = Votre bottin est vide : ajoutez-y les collègues et les lieux de travail que vous joignez souvent.
home-search-network = Chercher dans le réseau
home-all-directory = Tout le bottin

# issue 14: patient and caregiver join, file default unit
signup-care-title = Créez votre compte pour rejoindre votre équipe de soins
signup-care-intro = { $inviter } ({ $org }) vous invite à rejoindre votre équipe de soins sur Cercle. Vérifiez votre nom et votre adresse courriel, puis choisissez un mot de passe.
signup-care-why = Votre compte vous permet d'écrire à votre équipe de soins, de lire ce qu'elle vous transmet et de suivre les soins de votre proche. Il est gratuit.
signup-care-submit = Créer mon compte
terms-care-title = Utiliser Cercle avec votre équipe de soins
terms-care-intro = Cercle est l'endroit où votre équipe de soins et vous échangez au sujet de vos soins ou de ceux de votre proche. Avant de continuer, lisez ceci :
terms-care-point-1 = Cercle ne sert pas aux urgences. En cas d'urgence, composez le 911. Pour une question de santé le soir ou la fin de semaine, appelez Info-Santé 811.
terms-care-point-2 = Votre équipe de soins répond pendant ses heures de travail. Une réponse peut prendre une journée ou plus.
terms-care-point-3 = Ce que vous écrivez et partagez va à votre équipe de soins et aux personnes du cercle où vous avez été invité. Ne partagez que ce qui vous convient.
terms-care-point-4 = Gardez pour vous votre mot de passe, votre NIP et votre code de récupération, et verrouillez Cercle quand vous quittez votre appareil.
terms-care-point-5 = Chaque accès à votre dossier est enregistré. Vous pouvez partir en tout temps en demandant à votre équipe de soins de vous retirer.
terms-care-accept = J'ai compris et j'accepte
care-circle-of = Équipe de soins de { $name } · { $org }
care-circle-mine = Mon équipe de soins · { $org }
care-my-place-patient = Vous êtes le patient.
care-my-place-responsible = Vous êtes une personne responsable (proche aidant).
care-my-place-observer = Vous suivez cette équipe de soins en lecture seule.
care-professional = professionnel qui vous a invité
care-circle-no-channel = Votre équipe de soins ne vous a pas encore écrit. Son premier message apparaîtra ici et vous recevrez une notification.
care-settings = Mes réglages
care-availability-hint = indiquez à votre équipe de soins quand vous joindre et quand vous êtes absent.
care-notif-hint = choisissez comment et quand Cercle vous avertit des nouveaux messages.
avail-care-intro = Quand on peut vous joindre (heure locale : { $zone }) et quand vous serez absent.
avail-care-period-message = Un mot pour votre équipe de soins (facultatif, 280 caractères au plus)
circ-why-not-manager = Vous ne pouvez inviter personne dans ce cercle : seul un gestionnaire des patients et proches aidants de l'unité « { $unit } », où se trouve ce dossier, le peut. Demandez-le à l'un d'eux, ou demandez ce rôle à un administrateur.
circ-why-not-manager-elsewhere = Vous avez ce rôle dans : { $units }. Les dossiers que vous y ouvrez ont un cercle que vous pouvez gérer.
pf-unit-default-hint = Les nouveaux dossiers vont dans l'unité où vous gérez les patients et proches aidants, pour que vous puissiez les inviter.

# issue 14: a11y
nav-more = Plus
nav-account-menu = Menu du compte

# issue 14: bell and circle sections
notif-live-unread = { $count ->
    [0] Aucune notification non lue
    [one] 1 non lue
   *[other] { $count } non lues
}
circ-section-switch = Section « { $section } » présente dans ce cercle
circ-section-switch-apply = Appliquer
circ-section-state-on = Cette section est présente dans le cercle.
circ-section-state-off = Cette section est désactivée pour ce patient.
circ-section-off-note = Désactivée pour ce patient : personne n’y est ajouté ni invité.
circ-section-on-done = La section est activée.
circ-section-off-done = La section est désactivée.
circ-add-all-off = Toutes les sections de ce cercle sont désactivées : activez-en une pour ajouter quelqu’un.
error-circle-section-off = Cette section du cercle est désactivée pour ce patient : activez-la d’abord.
error-circle-section-not-empty = Des personnes sont dans cette section ou y sont invitées : annulez leurs places avant de la désactiver.

# issue 14: dates and time zones, audit log in words
error-invalid-time-zone = Ce fuseau horaire est inconnu. Choisissez un nom de la liste, par exemple America/Montreal ou America/Halifax.
section-time-zone = Fuseau horaire
tz-current = Les dates et heures vous sont montrées à l'heure de { $zone } (maintenant : { $now }).
field-time-zone = Votre fuseau horaire
tz-hint = Laissez vide pour suivre celui de votre organisation ({ $zone }). Aux Îles-de-la-Madeleine : America/Halifax.
tz-save = Enregistrer le fuseau horaire
tz-saved = Fuseau horaire enregistré.
admin-tab-organization = Organisation
admin-org-time-zone = Fuseau horaire de l'organisation
admin-org-time-zone-current = L'organisation vit à l'heure de { $zone } (maintenant : { $now }).
admin-org-time-zone-hint = Les dates et heures sont montrées dans ce fuseau à chaque personne de l'organisation qui n'a pas choisi le sien. Aux Îles-de-la-Madeleine : America/Halifax.
admin-org-time-zone-saved = Fuseau horaire de l'organisation enregistré.
admin-org-time-zone-root-only = Seul un administrateur de toute l'organisation peut changer son fuseau horaire.
admin-org-time-zone-field = Fuseau horaire (nom IANA, par exemple America/Halifax)
admin-audit-anyone = Tout le monde
admin-audit-all-targets = Toutes les cibles
admin-audit-show-own = Montrer mes propres consultations
admin-audit-times-in = Heures à l'heure de { $zone } (le CSV est en UTC, avec les codes).
admin-audit-actor-anonymous = Personne non connectée
admin-audit-actor-system = Système
admin-audit-actor-user = Ancien utilisateur
admin-audit-this-organization = Cette organisation
audit-ev-audit-exported = Journal d'audit exporté (CSV)
audit-ev-audit-searched = Journal d'audit consulté
audit-ev-auth-account-locked = Compte verrouillé après trop d'essais
audit-ev-auth-account-switched = Changement de compte sur l'appareil
audit-ev-auth-code-checked = Code de vérification accepté
audit-ev-auth-code-failed = Code de vérification erroné
audit-ev-auth-code-sent = Code de vérification envoyé
audit-ev-auth-email-verified = Adresse courriel vérifiée
audit-ev-auth-password-accepted = Mot de passe accepté
audit-ev-auth-password-changed = Mot de passe modifié
audit-ev-auth-password-confirm-failed = Mot de passe de confirmation erroné
audit-ev-auth-password-reset = Mot de passe réinitialisé
audit-ev-auth-pin-changed = NIP modifié
audit-ev-auth-pin-erase = Session effacée après trop de NIP erronés
audit-ev-auth-pin-failed = NIP erroné
audit-ev-auth-pin-set = NIP choisi
audit-ev-auth-recovery-code-created = Code de récupération créé
audit-ev-auth-recovery-code-renewed = Code de récupération renouvelé
audit-ev-auth-recovery-failed = Code de récupération erroné
audit-ev-auth-recovery-used = Code de récupération utilisé
audit-ev-auth-reset-requested = Réinitialisation du mot de passe demandée
audit-ev-auth-second-factor-changed = Méthode de vérification modifiée
audit-ev-auth-session-closed = Session fermée
audit-ev-auth-session-locked = Session verrouillée
audit-ev-auth-session-unlocked = Session déverrouillée
audit-ev-auth-sign-in = Connexion
audit-ev-auth-sign-in-failed = Connexion refusée
audit-ev-auth-sign-in-refused-locked = Connexion refusée : compte verrouillé
audit-ev-auth-sign-out-everywhere = Déconnexion de tous les appareils
audit-ev-auth-sign-up-existing = Inscription avec une adresse déjà utilisée
audit-ev-auth-sign-up-started = Inscription commencée
audit-ev-auth-terms-accepted = Conditions d'utilisation acceptées
audit-ev-auth-totp-setup-started = Configuration d'une application d'authentification
audit-ev-availability-period-added = Absence ajoutée
audit-ev-availability-period-removed = Absence retirée
audit-ev-availability-schedule-updated = Horaire de disponibilité modifié
audit-ev-channel-created = Canal de soins créé
audit-ev-channel-document-pinned = Document épinglé au canal
audit-ev-channel-document-updated = Document épinglé mis à jour
audit-ev-channel-listed = Liste des canaux de soins consultée
audit-ev-channel-participant-added = Participant ajouté au canal
audit-ev-channel-participant-removed = Participant retiré du canal
audit-ev-channel-pinned-listed = Documents épinglés consultés
audit-ev-channel-read = Canal de soins consulté
audit-ev-channel-thread-created = Fil créé dans le canal
audit-ev-channel-threads-listed = Fils du canal consultés
audit-ev-circle-invitation-accepted = Invitation au cercle acceptée
audit-ev-circle-invitation-cancelled = Invitation au cercle annulée
audit-ev-circle-invitation-created = Invitation au cercle créée
audit-ev-circle-invitation-failed = Réponse erronée à une invitation au cercle
audit-ev-circle-invitation-locked = Invitation au cercle verrouillée
audit-ev-circle-invitation-resent = Invitation au cercle renvoyée
audit-ev-circle-invitation-sent = Invitation au cercle envoyée
audit-ev-circle-listed = Cercle du patient consulté
audit-ev-circle-member-added = Personne ajoutée au cercle
audit-ev-circle-section-on = Section du cercle activée
audit-ev-circle-section-off = Section du cercle désactivée
audit-ev-demo-circle-member-joined = Démo : membre du cercle inscrit
audit-ev-demo-org-created = Démo : organisation créée
audit-ev-demo-user-created = Démo : compte créé
audit-ev-network-bootstrap = Premier administrateur du réseau créé
audit-ev-network-friend-accepted = Demande d'ami acceptée
audit-ev-network-friend-ignored = Demande d'ami ignorée
audit-ev-network-friend-removed = Ami retiré
audit-ev-network-friend-requested = Demande d'ami envoyée
audit-ev-network-invitation-accepted = Invitation au réseau acceptée
audit-ev-network-invitation-sent = Invitation au réseau envoyée
audit-ev-network-organization-validation-changed = Validation des professions par l'organisation modifiée
audit-ev-network-photo-changed = Photo modifiée
audit-ev-network-photo-removed = Photo retirée
audit-ev-network-profession-added = Profession ajoutée
audit-ev-network-profession-proof-read = Preuve de profession consultée
audit-ev-network-profession-proof-sent = Preuve de profession envoyée
audit-ev-network-profession-rejected = Profession refusée
audit-ev-network-profession-removed = Profession retirée
audit-ev-network-profession-validated = Profession validée
audit-ev-network-profile-updated = Profil modifié
audit-ev-network-verifier-added = Vérificateur ajouté
audit-ev-network-verifier-removed = Vérificateur retiré
audit-ev-network-workplace-created = Lieu de travail créé
audit-ev-network-workplace-joined = Lieu de travail rejoint
audit-ev-network-workplace-left = Lieu de travail quitté
audit-ev-org-created = Organisation créée
audit-ev-org-invitation-accepted = Invitation à l'organisation acceptée
audit-ev-org-invitation-cancelled = Invitation à l'organisation annulée
audit-ev-org-invitation-created = Invitation à l'organisation créée
audit-ev-org-invitation-resent = Invitation à l'organisation renvoyée
audit-ev-org-member-removed = Membre retiré
audit-ev-org-members-listed = Liste des membres consultée
audit-ev-org-role-granted = Rôle accordé
audit-ev-org-role-revoked = Rôle retiré
audit-ev-org-roles-applied = Rôles appliqués
audit-ev-org-structure-listed = Structure de l'organisation consultée
audit-ev-org-switched = Organisation active changée
audit-ev-org-team-created = Équipe créée
audit-ev-org-team-member-removed = Membre retiré de l'équipe
audit-ev-org-team-member-set = Membre d'équipe ajouté ou modifié
audit-ev-org-team-updated = Équipe modifiée
audit-ev-org-time-zone-changed = Fuseau horaire de l'organisation modifié
audit-ev-org-unit-archived = Unité archivée
audit-ev-org-unit-created = Unité créée
audit-ev-org-unit-moved = Unité déplacée
audit-ev-org-unit-renamed = Unité renommée
audit-ev-org-unit-restored = Unité restaurée
audit-ev-org-workplace-created = Lieu de travail créé
audit-ev-org-workplace-updated = Lieu de travail modifié
audit-ev-outbox-sent-again = Message renvoyé
audit-ev-patient-archived = Dossier patient archivé
audit-ev-patient-created = Dossier patient créé
audit-ev-patient-exported = Dossier patient exporté
audit-ev-patient-file-read = Dossier patient consulté
audit-ev-patient-file-updated = Dossier patient modifié
audit-ev-patient-listed = Liste des dossiers patients consultée
audit-ev-patient-read = Dossier patient consulté
audit-ev-patient-restored = Dossier patient restauré
audit-ev-patient-updated = Dossier patient modifié
audit-ev-push-subscribed = Notifications poussées activées
audit-ev-push-subscription-gone = Abonnement aux notifications poussées expiré
audit-ev-push-subscription-renewed = Abonnement aux notifications poussées renouvelé
audit-ev-push-unsubscribed = Notifications poussées désactivées
audit-ev-team-manager-joined = Gestionnaire d'équipe ajouté au fil
audit-ev-team-removed-from-thread = Équipe retirée du fil
audit-ev-team-teammate-invited = Coéquipier invité au fil
audit-ev-team-thread-assigned = Fil assigné
audit-ev-team-thread-returned = Fil retourné à l'équipe
audit-ev-team-thread-taken = Fil pris en charge
audit-ev-team-thread-unassigned = Fil désassigné
audit-ev-team-threads-listed = Boîte de triage consultée
audit-ev-call-started = Appel lancé
audit-ev-call-joined = Appel rejoint
audit-ev-call-left = Appel quitté
audit-ev-call-ended = Appel terminé
audit-ev-call-participant-muted = Participant à un appel mis en sourdine
audit-ev-call-participant-removed = Participant retiré d'un appel
audit-ev-call-read = Appel consulté
audit-ev-call-history-read = Appels d'un fil consultés
audit-ev-call-declined = Appel refusé
audit-ev-call-participant-lost = Participant à un appel perdu (connexion)
audit-ev-thread-attachment-read = Pièce jointe consultée
audit-ev-thread-attachment-uploaded = Pièce jointe envoyée
audit-ev-thread-closed = Fil fermé
audit-ev-thread-created = Fil créé
audit-ev-thread-direct-created = Message direct commencé
audit-ev-thread-exported = Fil exporté en PDF
audit-ev-thread-left = Fil quitté
audit-ev-thread-message-acknowledged = Message accusé de réception
audit-ev-thread-message-edited = Message modifié
audit-ev-thread-message-posted = Message envoyé
audit-ev-thread-message-retracted = Message retiré
audit-ev-thread-messages-read = Messages lus
audit-ev-thread-participant-removed = Participant retiré du fil
audit-ev-thread-participants-added = Participants ajoutés au fil
audit-ev-thread-priority-changed = Priorité du fil modifiée
audit-ev-thread-read = Fil consulté
audit-ev-thread-reopened = Fil rouvert
audit-ev-user-deleted = Compte supprimé
audit-ev-user-language-changed = Langue modifiée
audit-ev-user-time-zone-changed = Fuseau horaire personnel modifié
audit-target-attachment = Pièce jointe
audit-target-call = Appel
audit-target-audit = Journal d'audit
audit-target-availability = Disponibilité
audit-target-channel = Canal de soins
audit-target-circle-invitation = Invitation au cercle
audit-target-circle-member = Membre du cercle
audit-target-code = Code
audit-target-invitation = Invitation
audit-target-member = Membre
audit-target-network-invitation = Invitation au réseau
audit-target-organization = Organisation
audit-target-outbox = Courriel ou texto
audit-target-patient-file = Dossier patient
audit-target-profession = Profession
audit-target-profile = Profil
audit-target-push-subscription = Abonnement aux notifications
audit-target-role = Rôle
audit-target-session = Session
audit-target-team = Équipe
audit-target-thread = Fil de discussion
audit-target-unit = Unité
audit-target-user = Personne
audit-target-workplace = Lieu de travail

## The FHIR directory (OperationOutcome diagnostics)
fhir-unknown-parameter = Ce serveur ne prend pas en charge le paramètre de recherche « { $name } » pour ce type de ressource (voir /fhir/metadata).
fhir-bad-value = La valeur de « { $name } » ne peut pas être lue.
fhir-unknown-type = Le type de ressource « { $name } » n'est pas servi ici (Practitioner, PractitionerRole, Organization, Location, HealthcareService).
# Appels : signalisation pair à pair, l'écran d'appel, le bandeau d'appel entrant (callv-)
error-signal-sdp-too-large = Cette description de session est trop grande (32 Kio au plus entre deux personnes ; par l'unité de transfert, 20 Kio par participant que l'appel peut compter).
error-signal-sdp-malformed = Cette description de session est mal formée : elle doit commencer par v=0 et tenir un champ par ligne.
error-signal-candidate-invalid = Ce candidat réseau n'est pas valide (1 Kio au plus, sur une ligne).
error-signal-invalid = Ce signal d'appel est incomplet ou ne correspond pas à son type.
error-signal-unit-disabled = Les appels à trois ou plus ont besoin de l'unité de transfert, qui n'est pas activée sur ce serveur (sfu_enabled).
error-signal-unit-unavailable = L'unité de transfert ne peut pas prendre ce signal maintenant (pleine, occupée ou pas encore connectée) : réessayez.
callv-title-audio = Appel audio
callv-title-video = Appel vidéo
callv-back = Retour à la discussion
callv-status-label = État de l'appel
callv-status-connecting = Connexion…
callv-status-waiting = En attente de l'autre personne.
callv-status-connected = Connecté.
callv-status-reconnecting = Connexion perdue, reconnexion…
callv-status-ended = L'appel est terminé.
callv-status-left = Vous avez quitté l'appel.
callv-status-removed = Vous avez été retiré de l'appel.
callv-status-not-in = Vous n'êtes pas dans cet appel.
callv-status-media-error = Cercle ne peut pas utiliser votre micro ou votre caméra : vérifiez les autorisations du navigateur. Vous pouvez tout de même entendre les autres.
callv-sfu-notice = Les appels de trois personnes ou plus passent par l'unité de relais, qui n'est pas encore activée sur ce serveur : la liste des participants et les commandes fonctionnent, le son et la vidéo non.
callv-videos = Vidéos de l'appel
callv-you = Vous
callv-local-video = Votre caméra
callv-remote-video = Vidéo de { $name }
callv-join = Rejoindre l'appel
callv-controls = Commandes de l'appel
callv-mute = Couper le micro
callv-unmute = Rétablir le micro
callv-camera-off = Éteindre la caméra
callv-camera-on = Allumer la caméra
callv-share = Partager l'écran
callv-share-stop = Arrêter le partage d'écran
callv-hand-raise = Lever la main
callv-hand-lower = Baisser la main
callv-microphone = Micro
callv-camera = Caméra
callv-devices = Appareils
callv-leave = Quitter l'appel
callv-end = Terminer l'appel pour tous
callv-end-confirm = Terminer l'appel pour tous ?
callv-participants = Participants
callv-muted = micro coupé
callv-speaking = parle
callv-hand-raised = main levée
callv-mute-person = Couper le micro de { $name }
callv-remove-person = Retirer { $name } de l'appel
callv-remove-confirm = Retirer { $name } de l'appel ? Cette personne ne pourra plus le rejoindre.
callv-start-audio = Lancer un appel audio
callv-start-video = Lancer un appel vidéo
callv-start-label = Appel
callv-banner-label = Appel entrant
callv-banner-audio = { $name } vous appelle (audio).
callv-banner-video = { $name } vous appelle (vidéo).
callv-accept = Accepter
callv-decline = Refuser
callv-started-by = Lancé par { $name }

## ---- Service accounts (issue 18, part 3: SMART Backend Services) ----
error-service-keys-invalid = Donnez un jeu JWK de 1 à 10 clés publiques : EC (P-256 ou P-384) ou RSA (2048 bits ou plus), sans aucune partie privée.
error-service-scope-unknown = Choisissez au moins une portée parmi system/Patient.cru, cercle/circle.invite et cercle/directory.read.
error-service-member-not-found = Ce courriel n'est pas celui d'un membre professionnel de l'organisation.
error-service-account-name-taken = Un compte de service porte déjà ce nom.
error-service-not-allowed = Un compte de service ne peut pas utiliser cette partie de l'API.
oauth-unsupported-grant-type = Seul grant_type=client_credentials est pris en charge.
oauth-invalid-scope = Demandez des portées accordées à ce compte de service (séparées par des espaces).
oauth-assertion-type = client_assertion_type doit être urn:ietf:params:oauth:client-assertion-type:jwt-bearer.
oauth-assertion-missing = client_assertion manque ou dépasse 8 Kio.
oauth-unknown-client = Client inconnu : iss et sub doivent tous deux être l'identifiant du compte de service.
oauth-client-disabled = Ce compte de service est désactivé.
oauth-bad-signature = L'assertion n'est pas signée par une clé enregistrée de ce compte de service (ES256, ES384, RS256 ou RS384).
oauth-bad-audience = Le aud de l'assertion doit être l'URL du point de jeton de ce serveur.
oauth-assertion-expired = L'assertion est expirée.
oauth-assertion-too-long = Le exp de l'assertion dépasse de plus de cinq minutes l'heure actuelle.
oauth-jti-missing = L'assertion doit porter un jti de 1 à 255 caractères.
oauth-jti-replayed = Le jti de cette assertion a déjà servi.
admin-audit-actor-service = Compte de service
audit-ev-patient-linked = Dossier patient relié par son numéro d'assurance maladie
audit-ev-service-account-created = Compte de service enregistré
audit-ev-service-keys-replaced = Clés du compte de service remplacées
audit-ev-service-scopes-changed = Portées du compte de service modifiées
audit-ev-service-account-disabled = Compte de service désactivé
audit-ev-service-account-enabled = Compte de service réactivé
audit-ev-service-token-issued = Jeton d'accès du compte de service émis
audit-ev-service-token-refused = Demande de jeton du compte de service refusée
audit-ev-service-api-call = Appel à l'API par un compte de service
audit-target-service-account = Compte de service
audit-target-api = Opération de l'API
admin-tab-services = Comptes de service
svc-new = Enregistrer un compte de service
svc-hint = Un partenaire d'hébergement ou un DMÉ signe une assertion client avec sa clé privée (SMART Backend Services) et l'échange ici contre un jeton d'accès de cinq minutes. Il agit pour une organisation, par l'un de ses membres professionnels : les rôles de ce membre sont le plafond de ce qu'il peut faire. Point de jeton :
svc-field-name = Nom
svc-field-org = Organisation pour laquelle il agit
svc-field-member = Courriel du membre par lequel il agit
svc-field-scopes = Portées
svc-scope-system-Patient-cru = ouvrir, relier et lire des dossiers patients
svc-scope-cercle-circle-invite = ajouter des patients et des proches à un cercle et leur envoyer l'invitation
svc-scope-cercle-directory-read = lire le répertoire (recherche du réseau et FHIR)
svc-field-jwks = Clés publiques (jeu JWK)
svc-jwks-hint = Un jeu JWK en JSON : un objet dont la liste "keys" contient de 1 à 10 clés publiques EC (P-256, P-384) ou RSA (2048 bits ou plus), idéalement chacune avec son "kid" ; jamais de partie privée.
svc-create = Enregistrer
svc-empty = Aucun compte de service pour l'instant.
svc-disabled = Désactivé
svc-client-id = client_id :
svc-through = par { $email }
svc-keys = Clés :
svc-enable = Réactiver
svc-disable = Désactiver
svc-disable-confirm = Désactiver { $name } ? Ses jetons cessent de fonctionner aussitôt.
svc-rotate = Remplacer les clés
svc-rotate-hint = Le nouveau jeu JWK complet. Pour changer de clé sans interruption, envoyez la nouvelle clé avec l'ancienne, puis la nouvelle seule quand le partenaire signe avec elle. Les jetons émis jusque-là prennent fin.
svc-rotate-submit = Remplacer les clés
svc-created = Compte de service enregistré.
svc-keys-replaced = Clés remplacées.
svc-disabled-done = Compte de service désactivé.
svc-enabled-done = Compte de service réactivé.
# ---------- Bulle intégrée : lancement SMART on FHIR depuis le DMÉ (issue 18, partie 1) ----------
smart-refused-title = Cercle ne peut pas s'ouvrir ici
smart-refused-help = Fermez ce panneau et ouvrez Cercle de nouveau depuis votre dossier médical. Si cela se reproduit, prévenez l'administrateur de votre réseau.
smart-activate-title = Activer votre compte dans la bulle intégrée
smart-activate-intro = La première fois, connectez-vous avec le courriel et le mot de passe de votre compte Cercle, puis le code. Cercle s'ouvrira ensuite directement depuis votre dossier médical.
smart-activate-submit = Activer
smart-activate-code-intro = Entrez le code que vous venez de recevoir pour lier votre compte Cercle à votre dossier médical.
smart-activate-pin-intro = Cet appareil connaît déjà votre compte : entrez votre NIP pour le lier à votre dossier médical.
smart-threads = Discussions
smart-no-threads = Aucune discussion sur ce patient pour l'instant.
smart-open-full = Ouvrir dans Cercle (nouvelle fenêtre)
error-smart-unknown-issuer = Ce dossier médical n'est pas inscrit auprès de Cercle. L'administrateur de votre réseau peut l'inscrire.
error-smart-emr-unreachable = Votre dossier médical n'a pas répondu comme prévu. Réessayez dans un instant.
error-smart-bad-state = Ce lancement n'est pas valide ou a déjà servi. Ouvrez Cercle de nouveau depuis votre dossier médical.
error-smart-expired = Ce lancement a expiré. Ouvrez Cercle de nouveau depuis votre dossier médical.
error-smart-signature = L'identité de votre dossier médical n'a pas pu être vérifiée. Rien n'a été ouvert.
error-smart-patient-not-creatable = Ce patient n'a pas de dossier dans Cercle auquel vous avez accès, et vous ne pouvez pas le créer ici.
error-emr-invalid-issuer = L'émetteur doit être l'URL de base FHIR du DMÉ, commençant par https://.
error-emr-invalid-client-id = L'identifiant client est requis (200 caractères au plus, sans espace).
error-emr-invalid-origin = Chaque origine est https://hôte ou https://hôte:port, rien après (10 au plus).
error-emr-issuer-taken = Un DMÉ avec cet émetteur est déjà inscrit.
admin-emrs-tab = DMÉ
admin-emrs-title = Dossiers médicaux (bulle intégrée)
admin-emrs-intro = Les dossiers médicaux électroniques (DMÉ) qui peuvent ouvrir Cercle dans une bulle intégrée (lancement SMART on FHIR). Seules les origines listées peuvent afficher Cercle dans un cadre.
admin-emrs-none = Aucun DMÉ inscrit pour l'instant.
admin-emrs-name = Nom
admin-emrs-issuer = URL de base FHIR (émetteur)
admin-emrs-client-id = Identifiant client
admin-emrs-origins = Origines autorisées à encadrer Cercle (une par ligne)
admin-emrs-enabled = Actif
admin-emrs-disabled = Désactivé
admin-emrs-register = Inscrire le DMÉ
admin-emrs-registered = DMÉ inscrit.
admin-emrs-enable = Activer
admin-emrs-disable = Désactiver
admin-emrs-saved = DMÉ enregistré.
