//! A real SMTP listener on loopback that keeps what it receives.

use base64::Engine;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

#[derive(Debug, Clone)]
pub struct Mail {
    pub to: Vec<String>,
    pub subject: String,
    pub body: String,
    /// The `Message-ID` header, as sent.
    pub message_id: String,
}

/// How the listener answers the end of a message's DATA.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// `250`: accepted (the default).
    Accept,
    /// `451` (try again later) for the next `n` messages, then accept.
    RefuseNext(usize),
    /// Keeps the message and never answers: a server that received the
    /// whole message and stalls, as when the sending node dies before the
    /// reply.
    StallAfterData,
}

#[derive(Clone)]
pub struct SmtpSink {
    port: u16,
    mails: Arc<Mutex<Vec<Mail>>>,
    /// Every message whose DATA arrived whole, accepted or not.
    received: Arc<Mutex<Vec<Mail>>>,
    mode: Arc<Mutex<Mode>>,
}

impl SmtpSink {
    pub async fn start() -> SmtpSink {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind smtp");
        let port = listener.local_addr().expect("addr").port();
        let sink = SmtpSink {
            port,
            mails: Arc::new(Mutex::new(Vec::new())),
            received: Arc::new(Mutex::new(Vec::new())),
            mode: Arc::new(Mutex::new(Mode::Accept)),
        };
        let shared = sink.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let shared = shared.clone();
                tokio::spawn(async move {
                    let _ = tokio::time::timeout(Duration::from_secs(30), session(stream, shared)).await;
                });
            }
        });
        sink
    }

    pub fn set_mode(&self, mode: Mode) {
        if let Ok(mut m) = self.mode.lock() {
            *m = mode;
        }
    }

    /// Every message whose DATA arrived whole (accepted, refused or stalled).
    pub fn received(&self) -> Vec<Mail> {
        self.received.lock().map(|m| m.clone()).unwrap_or_default()
    }

    /// What a receiver that drops duplicates by `Message-ID` keeps.
    pub fn distinct(&self) -> Vec<Mail> {
        let mut seen = std::collections::HashSet::new();
        self.received()
            .into_iter()
            .filter(|m| seen.insert(m.message_id.clone()))
            .collect()
    }

    /// The answer to the message just received, moving the mode on.
    fn answer(&self) -> Mode {
        let Ok(mut m) = self.mode.lock() else {
            return Mode::Accept;
        };
        let now = *m;
        if let Mode::RefuseNext(n) = now {
            *m = if n <= 1 { Mode::Accept } else { Mode::RefuseNext(n - 1) };
        }
        now
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn all(&self) -> Vec<Mail> {
        self.mails.lock().map(|m| m.clone()).unwrap_or_default()
    }

    pub fn to(&self, address: &str) -> Vec<Mail> {
        self.all()
            .into_iter()
            .filter(|m| m.to.iter().any(|t| t.eq_ignore_ascii_case(address)))
            .collect()
    }

    /// Waits (bounded) for the `n`-th mail (1-based) to `address`.
    pub async fn nth_to(&self, address: &str, n: usize) -> Mail {
        crate::eventually(&format!("mail #{n} to {address}"), async || {
            self.to(address).get(n - 1).cloned()
        })
        .await
    }

    /// Waits for a mail to `address` whose subject contains `needle`, after the first `skip` such mails.
    pub async fn wait_subject(&self, address: &str, needle: &str, skip: usize) -> Mail {
        crate::eventually(&format!("mail to {address} about {needle:?}"), async || {
            self.to(address)
                .into_iter()
                .filter(|m| m.subject.contains(needle))
                .nth(skip)
        })
        .await
    }
}

async fn session(stream: tokio::net::TcpStream, sink: SmtpSink) -> std::io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read);
    write.write_all(b"220 testkit SMTP ready\r\n").await?;
    let mut to = Vec::new();
    let mut line = String::new();
    loop {
        line.clear();
        if lines.read_line(&mut line).await? == 0 {
            return Ok(());
        }
        let upper = line.to_ascii_uppercase();
        if upper.starts_with("EHLO") || upper.starts_with("HELO") {
            write.write_all(b"250-testkit\r\n250 8BITMIME\r\n").await?;
        } else if upper.starts_with("MAIL FROM") {
            to.clear();
            write.write_all(b"250 OK\r\n").await?;
        } else if upper.starts_with("RCPT TO") {
            let addr = line.split(['<', '>']).nth(1).unwrap_or("").to_string();
            to.push(addr);
            write.write_all(b"250 OK\r\n").await?;
        } else if upper.starts_with("DATA") {
            write.write_all(b"354 go ahead\r\n").await?;
            let mut data = String::new();
            loop {
                line.clear();
                if lines.read_line(&mut line).await? == 0 {
                    return Ok(());
                }
                if line == ".\r\n" || line == ".\n" {
                    break;
                }
                data.push_str(
                    line.strip_prefix('.')
                        .filter(|_| line.starts_with(".."))
                        .unwrap_or(&line),
                );
            }
            let (subject, body, message_id) = parse(&data);
            let mail = Mail {
                to: to.clone(),
                subject,
                body,
                message_id,
            };
            if let Ok(mut m) = sink.received.lock() {
                m.push(mail.clone());
            }
            match sink.answer() {
                Mode::Accept => {
                    if let Ok(mut m) = sink.mails.lock() {
                        m.push(mail);
                    }
                    write.write_all(b"250 queued\r\n").await?;
                }
                Mode::RefuseNext(_) => write.write_all(b"451 try again later\r\n").await?,
                Mode::StallAfterData => {
                    // Holds the connection without a word until the other
                    // side goes away.
                    while lines.read_line(&mut line).await? != 0 {
                        line.clear();
                    }
                    return Ok(());
                }
            }
        } else if upper.starts_with("QUIT") {
            write.write_all(b"221 bye\r\n").await?;
            return Ok(());
        } else {
            write.write_all(b"250 OK\r\n").await?;
        }
    }
}

/// Subject (RFC 2047 decoded), body (transfer encoding decoded) and Message-ID.
fn parse(data: &str) -> (String, String, String) {
    let data = data.replace("\r\n", "\n");
    let (head, body) = data.split_once("\n\n").unwrap_or((&data, ""));
    // Unfold continuation lines.
    let head = head.replace("\n ", " ").replace("\n\t", " ");
    let header = |name: &str| {
        head.lines()
            .find(|l| {
                l.to_ascii_lowercase()
                    .starts_with(&format!("{}:", name.to_ascii_lowercase()))
            })
            .map(|l| l[name.len() + 1..].trim().to_string())
            .unwrap_or_default()
    };
    let subject = decode_words(&header("Subject"));
    let message_id = header("Message-ID");
    let encoding = header("Content-Transfer-Encoding").to_ascii_lowercase();
    let body = match encoding.as_str() {
        "base64" => {
            let compact: String = body.chars().filter(|c| !c.is_whitespace()).collect();
            String::from_utf8_lossy(
                &base64::engine::general_purpose::STANDARD
                    .decode(compact)
                    .unwrap_or_default(),
            )
            .into_owned()
        }
        "quoted-printable" => quoted_printable(body),
        _ => body.to_string(),
    };
    (subject, body, message_id)
}

fn quoted_printable(s: &str) -> String {
    let s = s.replace("=\n", "");
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'=' && i + 2 < bytes.len() {
            if let Ok(v) = u8::from_str_radix(&s[i + 1..i + 3], 16) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `=?utf-8?b?…?=` and `=?utf-8?q?…?=` words.
fn decode_words(s: &str) -> String {
    let mut out = String::new();
    // Space between two encoded words is dropped; any other space is kept.
    let mut previous_encoded = false;
    for word in s.split_whitespace() {
        let decoded = word
            .strip_prefix("=?")
            .and_then(|w| w.strip_suffix("?="))
            .and_then(|w| {
                let mut parts = w.splitn(3, '?');
                let (_charset, enc, text) = (parts.next()?, parts.next()?, parts.next()?);
                match enc.to_ascii_lowercase().as_str() {
                    "b" => base64::engine::general_purpose::STANDARD
                        .decode(text)
                        .ok()
                        .map(|b| String::from_utf8_lossy(&b).into_owned()),
                    "q" => Some(quoted_printable(&text.replace('_', " "))),
                    _ => None,
                }
            });
        let encoded = decoded.is_some();
        if !(out.is_empty() || encoded && previous_encoded) {
            out.push(' ');
        }
        out.push_str(&decoded.unwrap_or_else(|| word.to_string()));
        previous_encoded = encoded;
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn decodes() {
        assert_eq!(super::quoted_printable("Bonjour =C3=A9t=\n=C3=A9"), "Bonjour été");
        assert_eq!(super::decode_words("=?utf-8?b?w6l0w6k=?="), "été");
        assert_eq!(
            super::decode_words("un =?utf-8?b?w6l0w6k=?= =?utf-8?b?w6k=?= fin"),
            "un étéé fin"
        );
    }
}
