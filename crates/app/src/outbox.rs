//! The outbox of email and SMS: a message is written in the same transaction
//! as the action, and a worker delivers it with retries through two ports,
//! [`Mailer`] and [`SmsSender`] (the SMTP and SMS-gateway adapters are in
//! [`crate::adapters`]). Not to be confused with [`crate::notifications`],
//! the in-app bell.

use crate::{Client, Ctx};
use cercle_domain::audit::{Actor, AuditAction, NewAuditEvent};
use cercle_domain::outbox::{OutboxChannel, OutboxKind, OutboxStatus};
use cercle_domain::policy::{may, Permission, Principal};
use cercle_domain::{Language, OutboxId, Timestamp};
use cercle_i18n::ta;
use cercle_store::{outbox, Conn};
use std::time::Duration;

#[async_trait::async_trait]
pub trait Mailer: Send + Sync + 'static {
    /// Sends one email. `message_id` (`<…@…>`) is the same on every attempt
    /// of one outbox message, so that receivers drop a second copy.
    async fn send(&self, to: &str, subject: &str, body: &str, message_id: &str) -> Result<(), String>;
}

#[async_trait::async_trait]
pub trait SmsSender: Send + Sync + 'static {
    async fn send(&self, to: &str, body: &str) -> Result<(), String>;
}

/// Development: delivers nowhere; the message stays readable in `/dev/outbox`.
pub struct OutboxOnly;

#[async_trait::async_trait]
impl Mailer for OutboxOnly {
    async fn send(&self, _to: &str, _subject: &str, _body: &str, _message_id: &str) -> Result<(), String> {
        Ok(())
    }
}

#[async_trait::async_trait]
impl SmsSender for OutboxOnly {
    async fn send(&self, _to: &str, _body: &str) -> Result<(), String> {
        Ok(())
    }
}

/// Every email and SMS Cercle sends. Texts live in the Fluent files
/// (`email-<kind>-subject`, `email-<kind>-body`, `sms-<kind>`).
#[derive(Debug, Clone)]
pub enum Outgoing {
    SignupCode {
        name: String,
        code: String,
    },
    SigninCode {
        name: String,
        code: String,
    },
    PhoneCode {
        code: String,
    },
    RecoveryCode {
        name: String,
        code: String,
    },
    ResetLink {
        name: String,
        link: String,
    },
    AccountExists {
        name: String,
        link: String,
    },
    SecurityNotice {
        name: String,
        what: String,
    },
    Welcome {
        name: String,
        link: String,
    },
    Invitation {
        name: String,
        org: String,
        inviter: String,
        link: String,
    },
    FriendRequest {
        name: String,
        from: String,
        link: String,
    },
    NetworkInvitation {
        name: String,
        inviter: String,
        profession: String,
        link: String,
    },
    ProfessionValidated {
        name: String,
        profession: String,
    },
    ProfessionRejected {
        name: String,
        profession: String,
        reason: String,
    },
    /// An invitation into a patient's circle (email or SMS): who invites,
    /// the link; never patient data. `method` (question | code) says how the
    /// invitee will prove who they are.
    CircleInvitation {
        name: String,
        org: String,
        inviter: String,
        link: String,
        method: String,
    },
    /// The secret code of a circle invitation, in an email of its own.
    CircleCode {
        name: String,
        org: String,
        code: String,
    },
    /// Notifications stayed unread: how many, and the notification centre.
    /// Never what they are about.
    NotificationAlert {
        name: String,
        count: String,
        link: String,
    },
    /// A high-priority message still unacknowledged (SMS): the link only.
    UrgentMessage {
        link: String,
    },
}

impl Outgoing {
    pub fn kind(&self) -> OutboxKind {
        match self {
            Outgoing::SignupCode { .. } => OutboxKind::SignupCode,
            Outgoing::SigninCode { .. } => OutboxKind::SigninCode,
            Outgoing::PhoneCode { .. } => OutboxKind::PhoneCode,
            Outgoing::RecoveryCode { .. } => OutboxKind::RecoveryCode,
            Outgoing::ResetLink { .. } => OutboxKind::ResetLink,
            Outgoing::AccountExists { .. } => OutboxKind::AccountExists,
            Outgoing::SecurityNotice { .. } => OutboxKind::SecurityNotice,
            Outgoing::Welcome { .. } => OutboxKind::Welcome,
            Outgoing::Invitation { .. } => OutboxKind::Invitation,
            Outgoing::FriendRequest { .. } => OutboxKind::FriendRequest,
            Outgoing::NetworkInvitation { .. } => OutboxKind::NetworkInvitation,
            Outgoing::ProfessionValidated { .. } => OutboxKind::ProfessionValidated,
            Outgoing::ProfessionRejected { .. } => OutboxKind::ProfessionRejected,
            Outgoing::CircleInvitation { .. } => OutboxKind::CircleInvitation,
            Outgoing::CircleCode { .. } => OutboxKind::CircleCode,
            Outgoing::NotificationAlert { .. } => OutboxKind::NotificationAlert,
            Outgoing::UrgentMessage { .. } => OutboxKind::UrgentMessage,
        }
    }

    fn args(&self, lang: Language) -> Vec<(&'static str, String)> {
        match self {
            Outgoing::SignupCode { name, code } | Outgoing::SigninCode { name, code } => {
                vec![("name", name.clone()), ("code", code.clone())]
            }
            Outgoing::PhoneCode { code } => vec![("code", code.clone())],
            Outgoing::RecoveryCode { name, code } => {
                vec![("name", name.clone()), ("code", code.clone())]
            }
            Outgoing::ResetLink { name, link }
            | Outgoing::AccountExists { name, link }
            | Outgoing::Welcome { name, link } => {
                vec![("name", name.clone()), ("link", link.clone())]
            }
            Outgoing::Invitation {
                name,
                org,
                inviter,
                link,
            } => {
                vec![
                    ("name", name.clone()),
                    ("org", org.clone()),
                    ("inviter", inviter.clone()),
                    ("link", link.clone()),
                ]
            }
            Outgoing::FriendRequest { name, from, link } => {
                vec![("name", name.clone()), ("from", from.clone()), ("link", link.clone())]
            }
            Outgoing::NetworkInvitation {
                name,
                inviter,
                profession,
                link,
            } => vec![
                ("name", name.clone()),
                ("inviter", inviter.clone()),
                ("profession", profession.clone()),
                ("link", link.clone()),
            ],
            Outgoing::ProfessionValidated { name, profession } => {
                vec![("name", name.clone()), ("profession", profession.clone())]
            }
            Outgoing::ProfessionRejected {
                name,
                profession,
                reason,
            } => vec![
                ("name", name.clone()),
                ("profession", profession.clone()),
                ("reason", reason.clone()),
            ],
            Outgoing::CircleInvitation {
                name,
                org,
                inviter,
                link,
                method,
            } => vec![
                ("name", name.clone()),
                ("org", org.clone()),
                ("inviter", inviter.clone()),
                ("link", link.clone()),
                (
                    "check",
                    cercle_i18n::t(
                        lang,
                        if method == "code" {
                            "circ-mail-check-code"
                        } else {
                            "circ-mail-check-question"
                        },
                    ),
                ),
            ],
            Outgoing::CircleCode { name, org, code } => {
                vec![("name", name.clone()), ("org", org.clone()), ("code", code.clone())]
            }
            Outgoing::NotificationAlert { name, count, link } => {
                vec![("name", name.clone()), ("count", count.clone()), ("link", link.clone())]
            }
            Outgoing::UrgentMessage { link } => vec![("link", link.clone())],
            Outgoing::SecurityNotice { name, what } => {
                vec![
                    ("name", name.clone()),
                    ("what", cercle_i18n::t(lang, &format!("notice-{what}"))),
                ]
            }
        }
    }

    /// `(subject, body)` of the email in `lang`.
    pub fn email(&self, lang: Language) -> (String, String) {
        let args = self.args(lang);
        let a: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let kind = self.kind();
        (
            ta(lang, &format!("email-{kind}-subject"), &a),
            ta(lang, &format!("email-{kind}-body"), &a),
        )
    }

    /// The SMS text in `lang`.
    pub fn sms(&self, lang: Language) -> String {
        let args = self.args(lang);
        let a: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
        ta(lang, &format!("sms-{}", self.kind()), &a)
    }
}

/// Queues an email in the caller's transaction; it leaves once committed.
pub async fn queue_email(
    conn: &mut Conn,
    to: &str,
    lang: Language,
    msg: &Outgoing,
    now: Timestamp,
) -> crate::AppResult<()> {
    let (subject, body) = msg.email(lang);
    outbox::enqueue(
        conn,
        &outbox::NewOutgoing {
            id: OutboxId::new(),
            channel: OutboxChannel::Email,
            kind: msg.kind(),
            recipient: to,
            subject: &subject,
            body: &body,
        },
        now,
    )
    .await?;
    Ok(())
}

/// Queues an SMS in the caller's transaction.
pub async fn queue_sms(
    conn: &mut Conn,
    to: &str,
    lang: Language,
    msg: &Outgoing,
    now: Timestamp,
) -> crate::AppResult<()> {
    outbox::enqueue(
        conn,
        &outbox::NewOutgoing {
            id: OutboxId::new(),
            channel: OutboxChannel::Sms,
            kind: msg.kind(),
            recipient: to,
            subject: "",
            body: &msg.sms(lang),
        },
        now,
    )
    .await?;
    Ok(())
}

/// How the outbox worker retries.
#[derive(Debug, Clone, Copy)]
pub struct MailSettings {
    /// A message is retried for at least this long (from when it was queued,
    /// or sent again), then marked failed.
    pub retry_secs: i64,
    /// The longest wait between two attempts (the back-off doubles from 5 s
    /// up to this).
    pub max_backoff_secs: i64,
    /// One attempt (SMTP conversation or gateway request) is abandoned after
    /// this long; a claimed message is left alone for this plus a margin.
    pub send_timeout_secs: u64,
}

impl Default for MailSettings {
    fn default() -> Self {
        MailSettings {
            retry_secs: 24 * 3600,
            max_backoff_secs: 15 * 60,
            send_timeout_secs: 20,
        }
    }
}

impl MailSettings {
    /// The wait after the `attempts`-th failed attempt: 5 s, 10 s, 20 s…
    /// capped.
    pub fn backoff_secs(&self, attempts: i64) -> i64 {
        let exp = attempts.saturating_sub(1).clamp(0, 20) as u32;
        (5_i64 << exp).min(self.max_backoff_secs.max(1))
    }

    /// How long a claimed message is left to the node that claimed it: one
    /// attempt's bound plus a margin. A node that dies holding a message
    /// leaves it to the others after this.
    pub fn lease_secs(&self) -> i64 {
        self.send_timeout_secs as i64 + 10
    }
}

/// The `Message-ID` of an outbox message: `<id@host of the public URL>`.
pub fn message_id_for(id: &str, public_url: &str) -> String {
    let rest = public_url.split_once("://").map(|(_, r)| r).unwrap_or(public_url);
    let host = rest
        .split(['/', '?', '#'])
        .next()
        .unwrap_or("")
        .rsplit('@')
        .next()
        .unwrap_or("");
    // Drop a port; keep a bracketed IPv6 literal whole.
    let host = if host.starts_with('[') {
        host.split(']').next().map(|h| format!("{h}]")).unwrap_or_default()
    } else {
        host.split(':').next().unwrap_or("").to_string()
    };
    let host: String = host
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'))
        .collect();
    let host = if host.is_empty() {
        "cercle.local".to_string()
    } else {
        host
    };
    format!("<{id}@{host}>")
}

/// Delivers what is due; returns how many messages left.
pub async fn deliver_due(ctx: &Ctx) -> crate::AppResult<usize> {
    let now = ctx.clock.now();
    let settings = ctx.config.mail;
    let due = {
        let mut conn = ctx.store.reader().await?;
        outbox::due(&mut conn, now, 20).await?
    };
    let mut sent = 0;
    for msg in due {
        // The Message-ID is fixed in the row before the first attempt leaves,
        // so every attempt, on any node, after any crash, carries the same.
        let message_id = msg
            .message_id
            .clone()
            .unwrap_or_else(|| message_id_for(&msg.id.to_string(), &ctx.config.public_url));
        {
            let mut tx = ctx.store.begin().await?;
            let claimed =
                outbox::claim(&mut tx, msg.id, &message_id, now, now.plus_secs(settings.lease_secs())).await?;
            tx.commit().await?;
            if !claimed {
                continue;
            }
        }
        let attempt = async {
            match msg.channel {
                OutboxChannel::Sms => ctx.sms.send(&msg.recipient, &msg.body).await,
                OutboxChannel::Email => {
                    ctx.mailer
                        .send(&msg.recipient, &msg.subject, &msg.body, &message_id)
                        .await
                }
            }
        };
        let result = match tokio::time::timeout(Duration::from_secs(settings.send_timeout_secs), attempt).await {
            Ok(r) => r,
            Err(_) => Err(format!("no answer within {} s", settings.send_timeout_secs)),
        };
        let mut tx = ctx.store.begin().await?;
        let at = ctx.clock.now();
        match result {
            Ok(()) => {
                outbox::mark_sent(&mut tx, msg.id, !ctx.config.production, at).await?;
                sent += 1;
            }
            Err(e) => {
                let attempts = msg.attempts + 1;
                // Retried for the whole window, then failed: a failed
                // message keeps its body so that it can be sent again.
                let give_up = at.0 - msg.retry_since >= settings.retry_secs * 1000;
                // The error of a mail server never holds the message body.
                tracing::warn!(channel = %msg.channel, kind = %msg.kind, attempt = attempts, give_up, error = %e, "delivery failed");
                let next = at.plus_secs(settings.backoff_secs(attempts));
                outbox::mark_retry(&mut tx, msg.id, &e, next, give_up, at).await?;
            }
        }
        tx.commit().await?;
    }
    Ok(sent)
}

/// Runs until `shutdown` turns true: delivers at once when woken, and every
/// second otherwise (retries, messages queued by other nodes).
pub async fn run_worker(ctx: Ctx, mut shutdown: tokio::sync::watch::Receiver<bool>) {
    let mut purged_at = 0_i64;
    loop {
        if let Err(e) = deliver_due(&ctx).await {
            tracing::warn!(error = %e, "outbox worker");
        }
        // Expired idempotency keys go once a minute (lookups ignore them anyway).
        let now = ctx.clock.now().0;
        if now - purged_at >= 60_000 {
            purged_at = now;
            if let Err(e) = crate::idempotency::purge(&ctx).await {
                tracing::warn!(error = %e, "idempotency keys");
            }
        }
        tokio::select! {
            _ = ctx.outbox_wake.notified() => {}
            _ = tokio::time::sleep(Duration::from_secs(1)) => {}
            _ = shutdown.changed() => {}
        }
        if *shutdown.borrow() {
            // One last pass so that a code asked for just before shutdown leaves.
            let _ = deliver_due(&ctx).await;
            return;
        }
    }
}

/// The development outbox (refused in production mode, where bodies are
/// not kept).
pub async fn dev_outbox(ctx: &Ctx) -> crate::AppResult<Vec<outbox::OutboxRow>> {
    if ctx.config.production {
        return Err(crate::AppError::NotFound);
    }
    let mut conn = ctx.store.reader().await?;
    Ok(outbox::recent(&mut conn, 200).await?)
}

/// A message the worker gave up on, as network administrators see it: what
/// and to whom (masked), never its subject or body, which may hold a code
/// or a link to patient data.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct FailedMessage {
    pub id: String,
    /// email | sms
    pub channel: String,
    /// What it is (`signin-code`, `invitation`…).
    pub kind: String,
    /// The address or number, masked (`ma***@clinique.test`, `***1234`).
    pub recipient: String,
    pub message_id: Option<String>,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub created_at: i64,
    pub failed_at: Option<i64>,
}

/// An address or phone number with most of it hidden.
pub fn mask_recipient(channel: OutboxChannel, to: &str) -> String {
    if channel == OutboxChannel::Sms {
        let digits: Vec<char> = to.chars().filter(char::is_ascii_digit).collect();
        let tail: String = digits[digits.len().saturating_sub(4)..].iter().collect();
        return format!("***{tail}");
    }
    match to.rsplit_once('@') {
        Some((local, domain)) => {
            let head: String = local.chars().take(2).collect();
            format!("{head}***@{domain}")
        }
        None => "***".into(),
    }
}

/// The messages that finally failed (network administrators).
pub async fn failed_messages(ctx: &Ctx, principal: &Principal) -> crate::AppResult<Vec<FailedMessage>> {
    if !may(principal, &Permission::ManageOutbox) {
        return Err(crate::AppError::Forbidden);
    }
    let mut conn = ctx.store.reader().await?;
    let rows = outbox::failed(&mut conn, 200).await?;
    Ok(rows
        .into_iter()
        .map(|r| FailedMessage {
            recipient: mask_recipient(r.channel, &r.recipient),
            id: r.id.to_string(),
            channel: r.channel.as_str().into(),
            kind: r.kind.as_str().into(),
            message_id: r.message_id,
            attempts: r.attempts,
            last_error: r.last_error,
            created_at: r.created_at,
            failed_at: r.failed_at,
        })
        .collect())
}

/// "Send again": a failed message is queued again, due now, with its
/// attempts from zero, a new retry window and the same `Message-ID`.
/// Audited.
pub async fn send_again(ctx: &Ctx, client: &Client, principal: &Principal, id: OutboxId) -> crate::AppResult<()> {
    if !may(principal, &Permission::ManageOutbox) {
        return Err(crate::AppError::Forbidden);
    }
    let actor = match principal {
        Principal::User(u) => Actor::User(u.user_id),
        _ => Actor::System,
    };
    let now = ctx.clock.now();
    let mut tx = ctx.store.begin().await?;
    let row = outbox::get(&mut tx, id).await?.ok_or(crate::AppError::NotFound)?;
    if row.status != OutboxStatus::Failed {
        return Err(crate::AppError::Conflict("outbox-not-failed"));
    }
    outbox::send_again(&mut tx, id, now).await?;
    crate::audit::record(
        &mut tx,
        NewAuditEvent::new(actor, "outbox.sent_again", AuditAction::Update, "outbox")
            .target(id)
            .scope("channel", row.channel)
            .ip(client.ip.clone()),
        now,
    )
    .await?;
    ctx.commit_and_send(tx).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_id_takes_the_public_host() {
        assert_eq!(
            message_id_for("abc", "https://cercle.example.org/"),
            "<abc@cercle.example.org>"
        );
        assert_eq!(message_id_for("abc", "http://127.0.0.1:8080"), "<abc@127.0.0.1>");
        assert_eq!(message_id_for("abc", "http://[::1]:8080/x"), "<abc@[::1]>");
        assert_eq!(message_id_for("abc", ""), "<abc@cercle.local>");
    }

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let s = MailSettings::default();
        let waits: Vec<i64> = (1..=10).map(|n| s.backoff_secs(n)).collect();
        assert_eq!(waits, [5, 10, 20, 40, 80, 160, 320, 640, 900, 900]);
        // Over 24 hours: 8 attempts in the first 21 minutes, then every 15 minutes.
        let (mut t, mut n) = (0, 0);
        while t < s.retry_secs {
            n += 1;
            t += s.backoff_secs(n);
        }
        assert!((100..=110).contains(&n), "{n} attempts");
    }

    #[test]
    fn recipients_are_masked() {
        assert_eq!(
            mask_recipient(OutboxChannel::Email, "marie@clinique.test"),
            "ma***@clinique.test"
        );
        assert_eq!(mask_recipient(OutboxChannel::Sms, "+15145551234"), "***1234");
    }

    #[test]
    fn every_message_exists_in_both_languages() {
        let all = [
            Outgoing::SignupCode {
                name: "N".into(),
                code: "123456".into(),
            },
            Outgoing::SigninCode {
                name: "N".into(),
                code: "123456".into(),
            },
            Outgoing::PhoneCode { code: "123456".into() },
            Outgoing::RecoveryCode {
                name: "N".into(),
                code: "ABCD".into(),
            },
            Outgoing::ResetLink {
                name: "N".into(),
                link: "http://x/r".into(),
            },
            Outgoing::AccountExists {
                name: "N".into(),
                link: "http://x/s".into(),
            },
            Outgoing::SecurityNotice {
                name: "N".into(),
                what: "password-changed".into(),
            },
            Outgoing::Welcome {
                name: "N".into(),
                link: "http://x/w".into(),
            },
            Outgoing::NotificationAlert {
                name: "N".into(),
                count: "3".into(),
                link: "http://x/notifications".into(),
            },
            Outgoing::UrgentMessage {
                link: "http://x/threads/t".into(),
            },
        ];
        for lang in Language::ALL {
            for m in &all {
                let (subject, body) = m.email(lang);
                assert!(
                    !subject.starts_with("email-") && !body.starts_with("email-"),
                    "{m:?} {lang:?}"
                );
                assert!(!body.contains("notice-"), "{m:?} {lang:?}: {body}");
            }
            for m in [&all[1], &all[2], &all[9]] {
                assert!(!m.sms(lang).starts_with("sms-"), "{m:?} {lang:?}");
            }
        }
    }
}
