//! Email and SMS: adapters behind two traits, an outbox written in the same
//! transaction as the action, and a worker that delivers with retries.

use crate::Ctx;
use cercle_domain::{Language, Timestamp};
use cercle_i18n::ta;
use cercle_store::{outbox, Conn};
use std::time::Duration;

#[async_trait::async_trait]
pub trait Mailer: Send + Sync + 'static {
    async fn send(&self, to: &str, subject: &str, body: &str) -> Result<(), String>;
}

#[async_trait::async_trait]
pub trait SmsSender: Send + Sync + 'static {
    async fn send(&self, to: &str, body: &str) -> Result<(), String>;
}

/// How to reach the SMTP server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SmtpSecurity {
    /// Plain connection (a local relay, or tests).
    None,
    /// Upgrade with STARTTLS (port 587).
    Starttls,
    /// TLS from the start (port 465).
    Tls,
}

#[derive(Clone)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    pub security: SmtpSecurity,
    pub username: Option<String>,
    pub password: Option<String>,
    pub from: String,
}

/// Real email over SMTP (lettre).
pub struct SmtpMailer {
    transport: lettre::AsyncSmtpTransport<lettre::Tokio1Executor>,
    from: lettre::message::Mailbox,
}

impl SmtpMailer {
    pub fn new(s: &SmtpSettings) -> Result<Self, String> {
        use lettre::AsyncSmtpTransport as T;
        let builder = match s.security {
            SmtpSecurity::None => T::<lettre::Tokio1Executor>::builder_dangerous(&s.host),
            SmtpSecurity::Starttls => {
                T::<lettre::Tokio1Executor>::starttls_relay(&s.host).map_err(|e| e.to_string())?
            }
            SmtpSecurity::Tls => T::<lettre::Tokio1Executor>::relay(&s.host).map_err(|e| e.to_string())?,
        };
        let mut builder = builder.port(s.port).timeout(Some(Duration::from_secs(20)));
        if let (Some(u), Some(p)) = (&s.username, &s.password) {
            builder = builder.credentials(lettre::transport::smtp::authentication::Credentials::new(
                u.clone(),
                p.clone(),
            ));
        }
        let from = s.from.parse().map_err(|e| format!("invalid sender address: {e}"))?;
        Ok(SmtpMailer {
            transport: builder.build(),
            from,
        })
    }
}

#[async_trait::async_trait]
impl Mailer for SmtpMailer {
    async fn send(&self, to: &str, subject: &str, body: &str) -> Result<(), String> {
        use lettre::AsyncTransport;
        let message = lettre::Message::builder()
            .from(self.from.clone())
            .to(to.parse().map_err(|e| format!("invalid recipient: {e}"))?)
            .subject(subject)
            .header(lettre::message::header::ContentType::TEXT_PLAIN)
            .body(body.to_string())
            .map_err(|e| e.to_string())?;
        self.transport.send(message).await.map_err(|e| e.to_string())?;
        Ok(())
    }
}

/// Development: delivers nowhere; the message stays readable in `/dev/outbox`.
pub struct OutboxOnly;

#[async_trait::async_trait]
impl Mailer for OutboxOnly {
    async fn send(&self, _to: &str, _subject: &str, _body: &str) -> Result<(), String> {
        Ok(())
    }
}

#[async_trait::async_trait]
impl SmsSender for OutboxOnly {
    async fn send(&self, _to: &str, _body: &str) -> Result<(), String> {
        Ok(())
    }
}

/// An SMS gateway reached over HTTP: `POST {url}` with a JSON body
/// `{"to": "+15145551234", "body": "…"}` and a bearer token. Commercial
/// gateways (Twilio, Vonage, …) sit behind a small relay speaking this.
pub struct HttpSmsGateway {
    client: reqwest::Client,
    url: String,
    token: Option<String>,
}

impl HttpSmsGateway {
    pub fn new(url: String, token: Option<String>) -> Result<Self, String> {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(15))
            .build()
            .map_err(|e| e.to_string())?;
        Ok(HttpSmsGateway { client, url, token })
    }
}

#[async_trait::async_trait]
impl SmsSender for HttpSmsGateway {
    async fn send(&self, to: &str, body: &str) -> Result<(), String> {
        let mut req = self
            .client
            .post(&self.url)
            .json(&serde_json::json!({ "to": to, "body": body }));
        if let Some(t) = &self.token {
            req = req.bearer_auth(t);
        }
        let resp = req.send().await.map_err(|e| format!("gateway unreachable: {e}"))?;
        if resp.status().is_success() {
            Ok(())
        } else {
            Err(format!("gateway answered {}", resp.status()))
        }
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
    fn kind(&self) -> &'static str {
        match self {
            Outgoing::SignupCode { .. } => "signup-code",
            Outgoing::SigninCode { .. } => "signin-code",
            Outgoing::PhoneCode { .. } => "phone-code",
            Outgoing::RecoveryCode { .. } => "recovery-code",
            Outgoing::ResetLink { .. } => "reset-link",
            Outgoing::AccountExists { .. } => "account-exists",
            Outgoing::SecurityNotice { .. } => "security-notice",
            Outgoing::Welcome { .. } => "welcome",
            Outgoing::Invitation { .. } => "invitation",
            Outgoing::FriendRequest { .. } => "friend-request",
            Outgoing::NetworkInvitation { .. } => "network-invitation",
            Outgoing::ProfessionValidated { .. } => "profession-validated",
            Outgoing::ProfessionRejected { .. } => "profession-rejected",
            Outgoing::CircleInvitation { .. } => "circle-invitation",
            Outgoing::CircleCode { .. } => "circle-code",
            Outgoing::NotificationAlert { .. } => "notification-alert",
            Outgoing::UrgentMessage { .. } => "urgent-message",
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
    outbox::enqueue(conn, &uuid_v7(), "email", to, &subject, &body, now).await?;
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
    outbox::enqueue(conn, &uuid_v7(), "sms", to, "", &msg.sms(lang), now).await?;
    Ok(())
}

fn uuid_v7() -> String {
    cercle_domain::MessageId::new().to_string()
}

const MAX_ATTEMPTS: i64 = 8;

/// Delivers what is due; returns how many messages left.
pub async fn deliver_due(ctx: &Ctx) -> crate::AppResult<usize> {
    let now = ctx.clock.now();
    let due = {
        let mut conn = ctx.store.reader().await?;
        outbox::due(&mut conn, now, 20).await?
    };
    let mut sent = 0;
    for msg in due {
        {
            let mut tx = ctx.store.begin().await?;
            let claimed = outbox::claim(&mut tx, &msg.id, now, now.plus_secs(120)).await?;
            tx.commit().await?;
            if !claimed {
                continue;
            }
        }
        let result = match msg.channel.as_str() {
            "sms" => ctx.sms.send(&msg.recipient, &msg.body).await,
            _ => ctx.mailer.send(&msg.recipient, &msg.subject, &msg.body).await,
        };
        let mut tx = ctx.store.begin().await?;
        match result {
            Ok(()) => {
                outbox::mark_sent(&mut tx, &msg.id, !ctx.config.production, ctx.clock.now()).await?;
                sent += 1;
            }
            Err(e) => {
                // The error of a mail server never holds the message body.
                tracing::warn!(channel = %msg.channel, attempt = msg.attempts + 1, error = %e, "delivery failed");
                let backoff = 5_i64 * 2_i64.pow((msg.attempts as u32).min(10));
                let give_up = msg.attempts + 1 >= MAX_ATTEMPTS;
                outbox::mark_retry(&mut tx, &msg.id, &e, ctx.clock.now().plus_secs(backoff), give_up).await?;
            }
        }
        tx.commit().await?;
    }
    Ok(sent)
}

/// Runs until `shutdown` turns true: delivers at once when woken, and every
/// second otherwise (retries, messages queued by other nodes).
pub async fn run_worker(ctx: Ctx, mut shutdown: tokio::sync::watch::Receiver<bool>) {
    loop {
        if let Err(e) = deliver_due(&ctx).await {
            tracing::warn!(error = %e, "outbox worker");
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

#[cfg(test)]
mod tests {
    use super::*;

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
