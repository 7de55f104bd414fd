//! Email over SMTP (lettre): the production [`Mailer`].

use crate::outbox::Mailer;
use std::time::Duration;

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
    /// Bound of each SMTP command.
    pub timeout_secs: u64,
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
        let mut builder = builder.port(s.port).timeout(Some(Duration::from_secs(s.timeout_secs)));
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
    async fn send(&self, to: &str, subject: &str, body: &str, message_id: &str) -> Result<(), String> {
        use lettre::AsyncTransport;
        let message = lettre::Message::builder()
            .message_id(Some(message_id.to_string()))
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
