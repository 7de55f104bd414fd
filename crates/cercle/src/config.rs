//! Configuration: defaults, then a TOML file, then `CERCLE_*` variables.

use anyhow::{bail, Context};
use serde::Deserialize;
use std::net::SocketAddr;
use std::path::PathBuf;

/// The forwarding unit's default UDP port (`sfu_bind`).
pub const DEFAULT_SFU_PORT: u16 = 10_000;

/// The default most calls through one node's forwarding unit (`sfu_max_calls`).
pub const DEFAULT_SFU_MAX_CALLS: usize = 20;

#[derive(Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Where the SQLite database, keys and attachments live.
    pub data_dir: PathBuf,
    /// Where attachments' files are kept (encrypted blobs): `local` (the
    /// folder `blob_dir`, a single node) or `s3` (a bucket of S3-compatible
    /// object storage, shared by several nodes).
    pub blob_store: String,
    /// With `blob_store = "local"`; default: `<data_dir>/blobs`.
    pub blob_dir: Option<PathBuf>,
    /// With `blob_store = "s3"`: the S3 API's address (`http://garage:3900`),
    /// reached with path-style URLs.
    pub s3_endpoint: Option<String>,
    pub s3_bucket: Option<String>,
    /// The region the server expects in signatures (Garage: its
    /// `s3_region`, `garage` by default).
    pub s3_region: String,
    pub s3_access_key_id: Option<String>,
    pub s3_secret_access_key: Option<String>,
    /// Put before every blob's object name, so that a bucket may hold other
    /// things (letters, digits, `-`, `_`, `.`, `/`; may be empty).
    pub s3_prefix: String,
    /// Address and port to listen on.
    pub listen: SocketAddr,
    /// `sqlite:…` or `postgres://…`; default: SQLite in the data folder.
    pub database_url: Option<String>,
    /// The address people use to reach Cercle (links in emails).
    pub public_url: Option<String>,
    /// Production mode: no development outbox, SMTP required.
    pub production: bool,
    /// Automatic lock after this many idle seconds.
    pub idle_lock_secs: i64,
    /// Messages one person may post per minute (on each node) before the
    /// next is refused as a flood.
    pub messages_per_minute: i64,
    /// The most people in one call at once; the next one to join is
    /// refused (409 `call-full`).
    pub call_max_participants: usize,
    /// Seconds a call rings (nobody but its starter in it) before it ends
    /// as unanswered.
    pub call_ring_timeout_secs: i64,
    /// Seconds without a heartbeat from a participant's client before they
    /// are marked gone (connection lost).
    pub call_presence_timeout_secs: i64,
    /// STUN and TURN servers for calls (`stun:host:3478`,
    /// `turn:host:3478?transport=udp`, `turns:host:5349`); empty: browsers
    /// use host candidates only (a LAN).
    pub turn_urls: Vec<String>,
    /// The secret shared with the TURN server (coturn's
    /// `static-auth-secret`): Cercle issues short-lived TURN REST
    /// credentials per call from it. None: the URLs are handed out bare.
    pub turn_secret: Option<String>,
    /// Seconds TURN credentials stay valid.
    pub turn_ttl_secs: i64,
    /// Runs the selective forwarding unit of calls of three or more in this
    /// node (one UDP port, `sfu_bind`). Off by default.
    pub sfu_enabled: bool,
    /// The unit's UDP address (one port for every call).
    pub sfu_bind: SocketAddr,
    /// The address announced to participants as the unit's (its port is
    /// `sfu_bind`'s); needed when `sfu_bind` is `0.0.0.0` or `[::]`.
    pub sfu_public_ip: Option<std::net::IpAddr>,
    /// The most calls the unit carries at once; the next is refused.
    pub sfu_max_calls: usize,
    /// Minutes an unread notification waits before its email alert (people
    /// may choose their own on the preferences page).
    pub email_alert_delay_mins: i64,
    /// An unacknowledged high-priority message rings again this often…
    pub urgent_repeat_secs: i64,
    /// …and goes by SMS once this long after it was sent.
    pub urgent_sms_after_secs: i64,
    pub smtp_host: Option<String>,
    pub smtp_port: u16,
    /// none | starttls | tls
    pub smtp_security: String,
    pub smtp_username: Option<String>,
    pub smtp_password: Option<String>,
    pub smtp_from: String,
    /// One delivery attempt (SMTP conversation, SMS gateway request) is
    /// abandoned after this many seconds and retried.
    pub smtp_timeout_secs: u64,
    /// Email and SMS are retried (back-off doubling from 5 s up to 15 min)
    /// for this many hours, then shown as failed to network administrators.
    pub mail_retry_hours: i64,
    /// HTTP SMS gateway (`POST {url}` with `{to, body}`); none: development outbox only.
    pub sms_gateway_url: Option<String>,
    pub sms_gateway_token: Option<String>,
    pub argon2_memory_kib: u32,
    pub argon2_iterations: u32,
    pub argon2_parallelism: u32,
    /// 64 hex characters; default: generated once into `<data_dir>/keys/server.key`.
    pub secret_key: Option<String>,
    /// Requests per second per address (bursts of ten times that).
    pub requests_per_sec: u32,
    /// text | json
    pub log_format: String,
    /// Proxies in front of Cercle (addresses or blocks, `10.0.0.0/8`): only
    /// from them is `X-Forwarded-For` believed, for the rate limits and the
    /// address in the audit log. Empty: the TCP peer is the client.
    pub trusted_proxies: Vec<String>,
    /// Bearer token that `/metrics` asks for. In production `/metrics`
    /// answers 404 without one; in development it is open unless one is set.
    pub metrics_token: Option<String>,
    /// Accept Web Push endpoints over `http://` or on local and private
    /// addresses (a push service on this machine: tests only). Refused in
    /// production.
    pub push_allow_local: bool,
    /// A NATS server (`nats://host:4222`) through which the nodes tell each
    /// other of new events; none: the database's own way (one node on
    /// SQLite, `LISTEN/NOTIFY` on PostgreSQL).
    pub nats_url: Option<String>,
    /// The subjects' prefix on that server, so that installations sharing
    /// it stay apart (letters, digits, `-`, `_`, dot-separated).
    pub nats_subject: String,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            data_dir: PathBuf::from("cercle-data"),
            blob_store: "local".into(),
            blob_dir: None,
            s3_endpoint: None,
            s3_bucket: None,
            s3_region: "us-east-1".into(),
            s3_access_key_id: None,
            s3_secret_access_key: None,
            s3_prefix: "blobs/".into(),
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            database_url: None,
            public_url: None,
            production: false,
            idle_lock_secs: 15 * 60,
            messages_per_minute: cercle_app::threads::service::DEFAULT_MESSAGES_PER_MINUTE,
            call_max_participants: cercle_app::calls::DEFAULT_MAX_PARTICIPANTS,
            call_ring_timeout_secs: cercle_app::calls::DEFAULT_RING_TIMEOUT_SECS,
            call_presence_timeout_secs: cercle_app::calls::DEFAULT_PRESENCE_TIMEOUT_SECS,
            turn_urls: Vec::new(),
            turn_secret: None,
            turn_ttl_secs: cercle_app::calls::ice::DEFAULT_TURN_TTL_SECS,
            sfu_enabled: false,
            sfu_bind: SocketAddr::from(([0, 0, 0, 0], DEFAULT_SFU_PORT)),
            sfu_public_ip: None,
            sfu_max_calls: DEFAULT_SFU_MAX_CALLS,
            email_alert_delay_mins: 15,
            urgent_repeat_secs: 5 * 60,
            urgent_sms_after_secs: 15 * 60,
            smtp_host: None,
            smtp_port: 587,
            smtp_security: "starttls".into(),
            smtp_username: None,
            smtp_password: None,
            smtp_from: "Cercle <no-reply@cercle.local>".into(),
            smtp_timeout_secs: 20,
            mail_retry_hours: 24,
            sms_gateway_url: None,
            sms_gateway_token: None,
            argon2_memory_kib: 19_456,
            argon2_iterations: 2,
            argon2_parallelism: 1,
            secret_key: None,
            requests_per_sec: 20,
            log_format: "text".into(),
            trusted_proxies: Vec::new(),
            metrics_token: None,
            push_allow_local: false,
            nats_url: None,
            nats_subject: "cercle".into(),
        }
    }
}

fn env(name: &str) -> Option<String> {
    std::env::var(format!("CERCLE_{name}")).ok().filter(|v| !v.is_empty())
}

fn parse<T: std::str::FromStr>(name: &str, raw: String) -> anyhow::Result<T> {
    raw.parse()
        .map_err(|_| anyhow::anyhow!("CERCLE_{name}: cannot read {raw:?}"))
}

impl Config {
    /// Reads the file (if any), then the environment.
    pub fn load(file: Option<&std::path::Path>) -> anyhow::Result<Config> {
        let path = file.map(PathBuf::from).or_else(|| env("CONFIG").map(PathBuf::from));
        let mut c = match path {
            Some(p) => {
                let text = std::fs::read_to_string(&p).with_context(|| format!("reading {}", p.display()))?;
                toml::from_str(&text).with_context(|| format!("in {}", p.display()))?
            }
            None => Config::default(),
        };
        if let Some(v) = env("DATA_DIR") {
            c.data_dir = PathBuf::from(v);
        }
        if let Some(v) = env("BLOB_STORE") {
            c.blob_store = v;
        }
        if let Some(v) = env("BLOB_DIR") {
            c.blob_dir = Some(PathBuf::from(v));
        }
        if let Some(v) = env("S3_ENDPOINT") {
            c.s3_endpoint = Some(v);
        }
        if let Some(v) = env("S3_BUCKET") {
            c.s3_bucket = Some(v);
        }
        if let Some(v) = env("S3_REGION") {
            c.s3_region = v;
        }
        if let Some(v) = env("S3_ACCESS_KEY_ID") {
            c.s3_access_key_id = Some(v);
        }
        if let Some(v) = env("S3_SECRET_ACCESS_KEY") {
            c.s3_secret_access_key = Some(v);
        }
        if let Ok(v) = std::env::var("CERCLE_S3_PREFIX") {
            // May be set empty: no prefix.
            c.s3_prefix = v;
        }
        if let Some(v) = env("LISTEN") {
            c.listen = parse("LISTEN", v)?;
        }
        if let Some(v) = env("DATABASE_URL") {
            c.database_url = Some(v);
        }
        if let Some(v) = env("PUBLIC_URL") {
            c.public_url = Some(v);
        }
        if let Some(v) = env("PRODUCTION") {
            c.production = parse("PRODUCTION", v)?;
        }
        if let Some(v) = env("IDLE_LOCK_SECS") {
            c.idle_lock_secs = parse("IDLE_LOCK_SECS", v)?;
        }
        if let Some(v) = env("MESSAGES_PER_MINUTE") {
            c.messages_per_minute = parse("MESSAGES_PER_MINUTE", v)?;
        }
        if let Some(v) = env("CALL_MAX_PARTICIPANTS") {
            c.call_max_participants = parse("CALL_MAX_PARTICIPANTS", v)?;
        }
        if let Some(v) = env("CALL_RING_TIMEOUT_SECS") {
            c.call_ring_timeout_secs = parse("CALL_RING_TIMEOUT_SECS", v)?;
        }
        if let Some(v) = env("CALL_PRESENCE_TIMEOUT_SECS") {
            c.call_presence_timeout_secs = parse("CALL_PRESENCE_TIMEOUT_SECS", v)?;
        }
        if let Some(v) = env("TURN_URLS") {
            c.turn_urls = v
                .split(',')
                .map(str::trim)
                .filter(|u| !u.is_empty())
                .map(str::to_string)
                .collect();
        }
        if let Some(v) = env("TURN_SECRET") {
            c.turn_secret = Some(v);
        }
        if let Some(v) = env("TURN_TTL_SECS") {
            c.turn_ttl_secs = parse("TURN_TTL_SECS", v)?;
        }
        if let Some(v) = env("SFU_ENABLED") {
            c.sfu_enabled = parse("SFU_ENABLED", v)?;
        }
        if let Some(v) = env("SFU_BIND") {
            c.sfu_bind = parse("SFU_BIND", v)?;
        }
        if let Some(v) = env("SFU_PUBLIC_IP") {
            c.sfu_public_ip = Some(parse("SFU_PUBLIC_IP", v)?);
        }
        if let Some(v) = env("SFU_MAX_CALLS") {
            c.sfu_max_calls = parse("SFU_MAX_CALLS", v)?;
        }
        if let Some(v) = env("EMAIL_ALERT_DELAY_MINS") {
            c.email_alert_delay_mins = parse("EMAIL_ALERT_DELAY_MINS", v)?;
        }
        if let Some(v) = env("URGENT_REPEAT_SECS") {
            c.urgent_repeat_secs = parse("URGENT_REPEAT_SECS", v)?;
        }
        if let Some(v) = env("URGENT_SMS_AFTER_SECS") {
            c.urgent_sms_after_secs = parse("URGENT_SMS_AFTER_SECS", v)?;
        }
        if let Some(v) = env("SMTP_HOST") {
            c.smtp_host = Some(v);
        }
        if let Some(v) = env("SMTP_PORT") {
            c.smtp_port = parse("SMTP_PORT", v)?;
        }
        if let Some(v) = env("SMTP_SECURITY") {
            c.smtp_security = v;
        }
        if let Some(v) = env("SMTP_USERNAME") {
            c.smtp_username = Some(v);
        }
        if let Some(v) = env("SMTP_PASSWORD") {
            c.smtp_password = Some(v);
        }
        if let Some(v) = env("SMTP_FROM") {
            c.smtp_from = v;
        }
        if let Some(v) = env("SMTP_TIMEOUT_SECS") {
            c.smtp_timeout_secs = parse("SMTP_TIMEOUT_SECS", v)?;
        }
        if let Some(v) = env("MAIL_RETRY_HOURS") {
            c.mail_retry_hours = parse("MAIL_RETRY_HOURS", v)?;
        }
        if let Some(v) = env("SMS_GATEWAY_URL") {
            c.sms_gateway_url = Some(v);
        }
        if let Some(v) = env("SMS_GATEWAY_TOKEN") {
            c.sms_gateway_token = Some(v);
        }
        if let Some(v) = env("ARGON2_MEMORY_KIB") {
            c.argon2_memory_kib = parse("ARGON2_MEMORY_KIB", v)?;
        }
        if let Some(v) = env("ARGON2_ITERATIONS") {
            c.argon2_iterations = parse("ARGON2_ITERATIONS", v)?;
        }
        if let Some(v) = env("ARGON2_PARALLELISM") {
            c.argon2_parallelism = parse("ARGON2_PARALLELISM", v)?;
        }
        if let Some(v) = env("SECRET_KEY") {
            c.secret_key = Some(v);
        }
        if let Some(v) = env("REQUESTS_PER_SEC") {
            c.requests_per_sec = parse("REQUESTS_PER_SEC", v)?;
        }
        if let Some(v) = env("LOG_FORMAT") {
            c.log_format = v;
        }
        if let Some(v) = env("TRUSTED_PROXIES") {
            c.trusted_proxies = v
                .split(',')
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .map(str::to_string)
                .collect();
        }
        if let Some(v) = env("METRICS_TOKEN") {
            c.metrics_token = Some(v);
        }
        if let Some(v) = env("PUSH_ALLOW_LOCAL") {
            c.push_allow_local = parse("PUSH_ALLOW_LOCAL", v)?;
        }
        if let Some(v) = env("NATS_URL") {
            c.nats_url = Some(v);
        }
        if let Some(v) = env("NATS_SUBJECT") {
            c.nats_subject = v;
        }
        c.validate()?;
        Ok(c)
    }

    pub fn validate(&self) -> anyhow::Result<()> {
        if self.production && self.smtp_host.is_none() {
            bail!("production mode needs an SMTP server (CERCLE_SMTP_HOST): sign-in codes go by email");
        }
        if !(60..=24 * 3600).contains(&self.idle_lock_secs) {
            bail!("idle_lock_secs must be between 60 and 86400");
        }
        if !(1..=100_000).contains(&self.messages_per_minute) {
            bail!("messages_per_minute must be between 1 and 100000");
        }
        if !(2..=cercle_app::calls::MAX_PARTICIPANTS_SETTING).contains(&self.call_max_participants) {
            bail!(
                "call_max_participants must be between 2 and {}",
                cercle_app::calls::MAX_PARTICIPANTS_SETTING
            );
        }
        if !(10..=600).contains(&self.call_ring_timeout_secs) {
            bail!("call_ring_timeout_secs must be between 10 and 600");
        }
        if !(10..=600).contains(&self.call_presence_timeout_secs) {
            bail!("call_presence_timeout_secs must be between 10 and 600");
        }
        if !(60..=7 * 24 * 3600).contains(&self.turn_ttl_secs) {
            bail!("turn_ttl_secs must be between 60 and 604800");
        }
        if let Some(bad) = self
            .turn_urls
            .iter()
            .find(|u| !["stun:", "turn:", "turns:"].iter().any(|p| u.starts_with(p)) || u.len() > 256)
        {
            bail!("turn_urls: {bad:?} is no stun:, turn: or turns: URL");
        }
        if self.turn_secret.as_deref().is_some_and(|s| s.len() < 16) {
            bail!("turn_secret must be at least 16 characters");
        }
        if !(1..=1000).contains(&self.sfu_max_calls) {
            bail!("sfu_max_calls must be between 1 and 1000");
        }
        if self.sfu_enabled && self.sfu_bind.ip().is_unspecified() && self.sfu_public_ip.is_none() {
            bail!(
                "sfu_enabled with sfu_bind on every address ({}) needs sfu_public_ip: the address participants reach",
                self.sfu_bind
            );
        }
        if self
            .sfu_public_ip
            .is_some_and(|ip| ip.is_unspecified() || ip.is_multicast())
        {
            bail!("sfu_public_ip must be one host's address");
        }
        if !(1..=7 * 24 * 60).contains(&self.email_alert_delay_mins) {
            bail!("email_alert_delay_mins must be between 1 and 10080");
        }
        if !(30..=24 * 3600).contains(&self.urgent_repeat_secs)
            || !(30..=24 * 3600).contains(&self.urgent_sms_after_secs)
        {
            bail!("urgent_repeat_secs and urgent_sms_after_secs must be between 30 and 86400");
        }
        if !["none", "starttls", "tls"].contains(&self.smtp_security.as_str()) {
            bail!("smtp_security must be none, starttls or tls");
        }
        if !(1..=300).contains(&self.smtp_timeout_secs) {
            bail!("smtp_timeout_secs must be between 1 and 300");
        }
        if !(1..=24 * 30).contains(&self.mail_retry_hours) {
            bail!("mail_retry_hours must be between 1 and 720");
        }
        if self.requests_per_sec == 0 {
            bail!("requests_per_sec must be at least 1");
        }
        self.trusted_proxies()?;
        if self.metrics_token.as_ref().is_some_and(|t| t.len() < 16) {
            bail!("metrics_token must be at least 16 characters");
        }
        if self.production && self.push_allow_local {
            bail!("push_allow_local is for tests and development: it is refused in production mode");
        }
        self.s3_settings()?;
        let token_ok = |t: &str| !t.is_empty() && t.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if self.nats_subject.len() > 100 || !self.nats_subject.split('.').all(token_ok) {
            bail!("nats_subject must be dot-separated words of letters, digits, - and _ (at most 100 characters)");
        }
        if self
            .nats_url
            .as_deref()
            .is_some_and(|u| !u.starts_with("nats://") && !u.starts_with("tls://"))
        {
            bail!("nats_url must start with nats:// or tls://");
        }
        Ok(())
    }

    /// The trusted proxies, read.
    pub fn trusted_proxies(&self) -> anyhow::Result<Vec<cercle_domain::net::IpBlock>> {
        self.trusted_proxies
            .iter()
            .map(|p| {
                cercle_domain::net::IpBlock::parse(p)
                    .ok_or_else(|| anyhow::anyhow!("trusted_proxies: {p:?} is not an address nor a block (10.0.0.0/8)"))
            })
            .collect()
    }

    pub fn database_url(&self) -> String {
        self.database_url
            .clone()
            .unwrap_or_else(|| format!("sqlite://{}", self.data_dir.join("cercle.db").display()))
    }

    /// The object storage's settings with `blob_store = "s3"` (checked),
    /// `None` with `blob_store = "local"`.
    pub fn s3_settings(&self) -> anyhow::Result<Option<cercle_app::adapters::s3_blobs::S3Settings>> {
        match self.blob_store.as_str() {
            "local" => return Ok(None),
            "s3" => {}
            _ => bail!("blob_store must be local or s3"),
        }
        let needed = |value: &Option<String>, name: &str| -> anyhow::Result<String> {
            value
                .clone()
                .ok_or_else(|| anyhow::anyhow!("blob_store = \"s3\" needs {name} (CERCLE_{})", name.to_uppercase()))
        };
        let endpoint = needed(&self.s3_endpoint, "s3_endpoint")?;
        if !endpoint.starts_with("http://") && !endpoint.starts_with("https://") {
            bail!("s3_endpoint must start with http:// or https://");
        }
        let bucket = needed(&self.s3_bucket, "s3_bucket")?;
        // S3's rules for a bucket name: 3 to 63 lowercase letters, digits,
        // `-` and `.`.
        if !(3..=63).contains(&bucket.len())
            || !bucket
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.')
        {
            bail!("s3_bucket must be 3 to 63 lowercase letters, digits, - and .");
        }
        let prefix_ok = |c: char| c.is_ascii_alphanumeric() || "-_./".contains(c);
        if self.s3_prefix.len() > 100 || !self.s3_prefix.chars().all(prefix_ok) {
            bail!("s3_prefix must be letters, digits, -, _, . and / (at most 100 characters)");
        }
        if self.s3_region.is_empty() {
            bail!("s3_region must not be empty");
        }
        Ok(Some(cercle_app::adapters::s3_blobs::S3Settings {
            endpoint,
            bucket,
            region: self.s3_region.clone(),
            access_key_id: needed(&self.s3_access_key_id, "s3_access_key_id")?,
            secret_access_key: needed(&self.s3_secret_access_key, "s3_secret_access_key")?,
            prefix: self.s3_prefix.clone(),
        }))
    }

    /// Where the blobs are, as the start-up line says it.
    fn blobs_described(&self) -> String {
        match self.blob_store.as_str() {
            "s3" => format!(
                "s3 s3_endpoint={} s3_bucket={} s3_region={} s3_prefix={:?} s3_access_key_id={} s3_secret_access_key={}",
                self.s3_endpoint.as_deref().map(hide_credentials).unwrap_or_default(),
                self.s3_bucket.as_deref().unwrap_or(""),
                self.s3_region,
                self.s3_prefix,
                self.s3_access_key_id.as_deref().unwrap_or("(none)"),
                if self.s3_secret_access_key.is_some() { "****" } else { "(none)" },
            ),
            _ => format!("local blob_dir={}", self.blob_dir().display()),
        }
    }

    /// The folder of the attachments' blobs.
    pub fn blob_dir(&self) -> PathBuf {
        self.blob_dir.clone().unwrap_or_else(|| self.data_dir.join("blobs"))
    }

    pub fn public_url(&self) -> String {
        self.public_url
            .clone()
            .unwrap_or_else(|| format!("http://{}", self.listen))
            .trim_end_matches('/')
            .to_string()
    }

    /// The configuration as printed at start-up: secrets masked.
    pub fn describe(&self) -> String {
        let mask = |o: &Option<String>| if o.is_some() { "****" } else { "(none)" };
        let db = self.database_url();
        // A PostgreSQL URL may hold a password.
        let db = hide_credentials(&db);
        format!(
            "data_dir={} blob_store={} listen={} database_url={} public_url={} production={} idle_lock_secs={} messages_per_minute={} call_max_participants={} call_ring_timeout_secs={} call_presence_timeout_secs={} \
             turn_urls={} turn_secret={} turn_ttl_secs={} \
             sfu_enabled={} sfu_bind={} sfu_public_ip={} sfu_max_calls={} email_alert_delay_mins={} urgent_repeat_secs={} urgent_sms_after_secs={} smtp_host={} smtp_port={} smtp_security={} smtp_username={} smtp_password={} smtp_from={} \
             smtp_timeout_secs={} mail_retry_hours={} sms_gateway_url={} sms_gateway_token={} argon2=m{}KiB,t{},p{} secret_key={} requests_per_sec={} log_format={} \
             trusted_proxies={} metrics_token={} push_allow_local={} nats_url={} nats_subject={}",
            self.data_dir.display(),
            self.blobs_described(),
            self.listen,
            db,
            self.public_url(),
            self.production,
            self.idle_lock_secs,
            self.messages_per_minute,
            self.call_max_participants,
            self.call_ring_timeout_secs,
            self.call_presence_timeout_secs,
            if self.turn_urls.is_empty() { "(none: host candidates only)".to_string() } else { self.turn_urls.join(",") },
            mask(&self.turn_secret),
            self.turn_ttl_secs,
            self.sfu_enabled,
            self.sfu_bind,
            self.sfu_public_ip
                .map(|ip| ip.to_string())
                .unwrap_or_else(|| "(none: sfu_bind's)".into()),
            self.sfu_max_calls,
            self.email_alert_delay_mins,
            self.urgent_repeat_secs,
            self.urgent_sms_after_secs,
            self.smtp_host.as_deref().unwrap_or("(none: development outbox)"),
            self.smtp_port,
            self.smtp_security,
            self.smtp_username.as_deref().unwrap_or("(none)"),
            mask(&self.smtp_password),
            self.smtp_from,
            self.smtp_timeout_secs,
            self.mail_retry_hours,
            self.sms_gateway_url.as_deref().unwrap_or("(none: development outbox)"),
            mask(&self.sms_gateway_token),
            self.argon2_memory_kib,
            self.argon2_iterations,
            self.argon2_parallelism,
            mask(&self.secret_key),
            self.requests_per_sec,
            self.log_format,
            if self.trusted_proxies.is_empty() {
                "(none)".to_string()
            } else {
                self.trusted_proxies.join(",")
            },
            mask(&self.metrics_token),
            self.push_allow_local,
            self.nats_url
                .as_deref()
                .map(hide_credentials)
                .unwrap_or_else(|| "(none: the database tells the nodes)".into()),
            self.nats_subject,
        )
    }
}

/// A URL with what stands between `://` and `@` (a user and password) masked.
fn hide_credentials(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => format!("{}://****{}", &url[..s], &url[at..]),
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn describe_masks_secrets() {
        let c = Config {
            smtp_password: Some("hunter2hunter2".into()),
            database_url: Some("postgres://cercle:s3cret@db:5432/cercle".into()),
            secret_key: Some("ab".repeat(32)),
            metrics_token: Some("metrics-token-value-42".into()),
            nats_url: Some("nats://bus:natsp4ss@nats:4222".into()),
            blob_store: "s3".into(),
            s3_endpoint: Some("http://garage:3900".into()),
            s3_bucket: Some("cercle".into()),
            s3_access_key_id: Some("GK31c2f218a2e44f485b94239e".into()),
            s3_secret_access_key: Some("b892c0665f0ada8a4755dae98baa3b133590e11dae3bcc1f".into()),
            ..Config::default()
        };
        let d = c.describe();
        assert!(
            d.contains("blob_store=s3 s3_endpoint=http://garage:3900 s3_bucket=cercle"),
            "{d}"
        );
        assert!(!d.contains("b892c0665f0ada8a4755dae98baa3b133590e11dae3bcc1f"), "{d}");
        assert!(d.contains("nats_url=nats://****@nats:4222"), "{d}");
        assert!(
            !d.contains("natsp4ss")
                && !d.contains("hunter2")
                && !d.contains("s3cret")
                && !d.contains(&"ab".repeat(32))
                && !d.contains("metrics-token-value-42"),
            "{d}"
        );
        assert!(d.contains("postgres://****@db:5432/cercle"), "{d}");
    }

    #[test]
    fn call_timeouts_default_to_60_and_30_seconds_and_are_bounded() {
        let c = Config::default();
        assert_eq!((c.call_ring_timeout_secs, c.call_presence_timeout_secs), (60, 30));
        assert!(c.validate().is_ok());
        let c: Config = toml::from_str("call_ring_timeout_secs = 45\ncall_presence_timeout_secs = 20").unwrap();
        assert_eq!((c.call_ring_timeout_secs, c.call_presence_timeout_secs), (45, 20));
        assert!(c.validate().is_ok());
        assert!(c
            .describe()
            .contains("call_ring_timeout_secs=45 call_presence_timeout_secs=20"));
        for (ring, presence) in [(5, 30), (601, 30), (60, 0), (60, 601)] {
            let c = Config {
                call_ring_timeout_secs: ring,
                call_presence_timeout_secs: presence,
                ..Config::default()
            };
            assert!(c.validate().is_err(), "{ring} {presence}");
        }
    }

    #[test]
    fn the_forwarding_unit_is_off_by_default_and_checked() {
        let c = Config::default();
        assert!(!c.sfu_enabled);
        assert_eq!(
            (c.sfu_bind.port(), c.sfu_max_calls),
            (DEFAULT_SFU_PORT, DEFAULT_SFU_MAX_CALLS)
        );
        assert!(c.validate().is_ok());
        let c: Config = toml::from_str(
            "sfu_enabled = true\nsfu_bind = \"0.0.0.0:40000\"\nsfu_public_ip = \"192.0.2.7\"\nsfu_max_calls = 5",
        )
        .unwrap();
        assert!(c.validate().is_ok());
        assert!(c
            .describe()
            .contains("sfu_enabled=true sfu_bind=0.0.0.0:40000 sfu_public_ip=192.0.2.7 sfu_max_calls=5"));
        let no_ip = Config {
            sfu_public_ip: None,
            ..c.clone()
        };
        assert!(no_ip.validate().is_err(), "every address and no public one");
        let on_one: Config = toml::from_str("sfu_enabled = true\nsfu_bind = \"127.0.0.1:0\"").unwrap();
        assert!(on_one.validate().is_ok());
        for calls in [0, 1001] {
            let c = Config {
                sfu_max_calls: calls,
                ..Config::default()
            };
            assert!(c.validate().is_err(), "{calls}");
        }
    }

    #[test]
    fn production_needs_smtp() {
        let c = Config {
            production: true,
            ..Config::default()
        };
        assert!(c.validate().is_err());
    }

    #[test]
    fn edges_settings_are_checked() {
        let c: Config =
            toml::from_str("trusted_proxies = [\"10.0.0.0/8\", \"2001:db8::1\"]\nmetrics_token = \"0123456789abcdef\"")
                .unwrap();
        assert_eq!(c.trusted_proxies().unwrap().len(), 2);
        assert!(c.validate().is_ok());
        let bad = Config {
            trusted_proxies: vec!["10.0.0.0/99".into()],
            ..Config::default()
        };
        assert!(bad.validate().is_err());
        let short = Config {
            metrics_token: Some("short".into()),
            ..Config::default()
        };
        assert!(short.validate().is_err());
        let local_push_in_production = Config {
            production: true,
            smtp_host: Some("smtp".into()),
            push_allow_local: true,
            ..Config::default()
        };
        assert!(local_push_in_production.validate().is_err());
    }

    #[test]
    fn object_storage_settings_are_checked() {
        let s3 = |tweak: fn(&mut Config)| {
            let mut c = Config {
                blob_store: "s3".into(),
                s3_endpoint: Some("http://127.0.0.1:3900".into()),
                s3_bucket: Some("cercle-blobs".into()),
                s3_access_key_id: Some("GKid".into()),
                s3_secret_access_key: Some("secret".into()),
                ..Config::default()
            };
            tweak(&mut c);
            c.validate().map_err(|e| e.to_string())
        };
        assert_eq!(s3(|_| {}), Ok(()));
        assert!(s3(|c| c.blob_store = "disk".into()).is_err());
        let missing = s3(|c| c.s3_secret_access_key = None).unwrap_err();
        assert!(missing.contains("CERCLE_S3_SECRET_ACCESS_KEY"), "{missing}");
        assert!(s3(|c| c.s3_endpoint = Some("garage:3900".into())).is_err());
        assert!(s3(|c| c.s3_bucket = Some("Cercle_Blobs".into())).is_err());
        assert!(s3(|c| c.s3_prefix = "../x y".into()).is_err());
        assert!(s3(|c| c.s3_prefix = String::new()).is_ok());
        // Local needs none of them.
        assert!(Config::default().validate().is_ok());
    }

    #[test]
    fn file_rejects_unknown_keys() {
        assert!(toml::from_str::<Config>("lisen = \"127.0.0.1:1\"").is_err());
        let c: Config = toml::from_str("listen = \"127.0.0.1:9000\"\nproduction = false").unwrap();
        assert_eq!(c.listen.port(), 9000);
    }
}
