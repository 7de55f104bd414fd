//! Wiring: turns a [`Config`] into a running Cercle. The binary's
//! subcommands and the test kit both start Cercle through here.

pub mod backup;
pub mod config;
pub mod sfu;

use anyhow::Context;
use axum::serve::ListenerExt;
use cercle_app::adapters::sms::HttpSmsGateway;
use cercle_app::adapters::smtp::{SmtpMailer, SmtpSecurity, SmtpSettings};
use cercle_app::outbox::{Mailer, OutboxOnly, SmsSender};
use cercle_app::secrets::{HashCost, Hasher, ServerKey};
use cercle_app::{AppConfig, Ctx};
use cercle_domain::{Clock, Timestamp};
use cercle_store::Store;
pub use config::Config;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

/// The real clock. The only place Cercle reads the system time.
pub struct SystemClock;

impl Clock for SystemClock {
    #[allow(clippy::disallowed_methods)]
    fn now(&self) -> Timestamp {
        let ms = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as i64)
            .unwrap_or(0);
        Timestamp(ms)
    }
}

/// The server key: from configuration, or generated once into the data folder.
pub fn load_key(config: &Config) -> anyhow::Result<ServerKey> {
    if let Some(hex) = &config.secret_key {
        return parse_key(hex.trim()).context("CERCLE_SECRET_KEY must be 64 hex characters");
    }
    let path = config.data_dir.join("keys").join("server.key");
    if path.exists() {
        let text = std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
        return parse_key(text.trim()).with_context(|| format!("{} is damaged", path.display()));
    }
    create_private_dir(&config.data_dir.join("keys"))?;
    let bytes: [u8; 32] = cercle_app::secrets::random_bytes();
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    write_private(&path, &hex)?;
    Ok(ServerKey::from_bytes(bytes))
}

/// The VAPID key of Web Push (RFC 8292): generated once into
/// `<data_dir>/keys/vapid.key` beside the server key (base64url of the P-256
/// private scalar). When the server key comes from configuration (several
/// nodes without a shared data folder), it is derived from the server key so
/// that every node signs with the same key.
pub fn load_vapid_key(config: &Config, key: &ServerKey) -> anyhow::Result<cercle_app::push::VapidKey> {
    use cercle_app::push::{web_push, VapidKey};
    if config.secret_key.is_some() {
        let seed_hex = key.keyed_hash(&["vapid-key-v1"]);
        let mut seed = [0u8; 32];
        for (i, b) in seed.iter_mut().enumerate() {
            *b = seed_hex
                .get(i * 2..i * 2 + 2)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .unwrap_or(0);
        }
        return Ok(VapidKey::derive_from(&seed));
    }
    let path = config.data_dir.join("keys").join("vapid.key");
    if path.exists() {
        let text = std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
        return web_push::unb64(text.trim())
            .and_then(|b| VapidKey::from_bytes(&b))
            .with_context(|| format!("{} is damaged", path.display()));
    }
    create_private_dir(&config.data_dir.join("keys"))?;
    let vapid = VapidKey::generate();
    write_private(&path, &web_push::b64(&vapid.secret_bytes()))?;
    Ok(vapid)
}

fn parse_key(hex: &str) -> Option<ServerKey> {
    if hex.len() != 64 {
        return None;
    }
    let mut bytes = [0u8; 32];
    for (i, b) in bytes.iter_mut().enumerate() {
        *b = u8::from_str_radix(hex.get(i * 2..i * 2 + 2)?, 16).ok()?;
    }
    Some(ServerKey::from_bytes(bytes))
}

/// Creates a folder (and its missing parents) that only its owner can open:
/// the data folder and backups hold the database, keys and attachments, and
/// under the usual umask (022) a plain `create_dir_all` would leave them
/// readable by every account on the machine. A folder that already exists is
/// left as the operator made it.
pub fn create_private_dir(path: &Path) -> anyhow::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder
        .create(path)
        .with_context(|| format!("creating {}", path.display()))
}

/// Writes a file only its owner can read.
pub fn write_private(path: &Path, content: &str) -> anyhow::Result<()> {
    use std::io::Write;
    #[cfg(unix)]
    use std::os::unix::fs::OpenOptionsExt;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    options.mode(0o600);
    let mut f = options
        .open(path)
        .with_context(|| format!("writing {}", path.display()))?;
    f.write_all(content.as_bytes())?;
    Ok(())
}

/// Adapters that tests may replace (the clock, where mail goes).
#[derive(Default)]
pub struct Overrides {
    pub clock: Option<Arc<dyn Clock>>,
    pub mailer: Option<Arc<dyn Mailer>>,
    pub sms: Option<Arc<dyn SmsSender>>,
    pub push_sender: Option<Arc<dyn cercle_app::push::PushSender>>,
    /// In place of the forwarding unit of `sfu_enabled`.
    pub forwarding: Option<Arc<dyn cercle_app::calls::forwarding::Forwarding>>,
}

/// Opens the database (migrating it) and builds the service context.
pub async fn build_ctx(config: &Config, overrides: Overrides) -> anyhow::Result<Ctx> {
    if config.database_url().starts_with("sqlite:") {
        create_private_dir(&config.data_dir)?;
    }
    let store = Store::open(&config.database_url())
        .await
        .context("opening the database")?;
    store.migrate().await.context("migrating the database")?;
    let mailer: Arc<dyn Mailer> = match (overrides.mailer, &config.smtp_host) {
        (Some(m), _) => m,
        (None, Some(host)) => {
            let security = match config.smtp_security.as_str() {
                "none" => SmtpSecurity::None,
                "tls" => SmtpSecurity::Tls,
                _ => SmtpSecurity::Starttls,
            };
            Arc::new(
                SmtpMailer::new(&SmtpSettings {
                    host: host.clone(),
                    port: config.smtp_port,
                    security,
                    username: config.smtp_username.clone(),
                    password: config.smtp_password.clone(),
                    from: config.smtp_from.clone(),
                    timeout_secs: config.smtp_timeout_secs,
                })
                .map_err(|e| anyhow::anyhow!("SMTP settings: {e}"))?,
            )
        }
        (None, None) => Arc::new(OutboxOnly),
    };
    let sms: Arc<dyn SmsSender> = match (overrides.sms, &config.sms_gateway_url) {
        (Some(s), _) => s,
        (None, Some(url)) => Arc::new(
            HttpSmsGateway::new(url.clone(), config.sms_gateway_token.clone())
                .map_err(|e| anyhow::anyhow!("SMS gateway: {e}"))?,
        ),
        (None, None) => Arc::new(OutboxOnly),
    };
    let cost = HashCost {
        memory_kib: config.argon2_memory_kib,
        iterations: config.argon2_iterations,
        parallelism: config.argon2_parallelism,
    };
    let key = load_key(config)?;
    let push = cercle_app::push::PushSettings::new(
        load_vapid_key(config, &key)?,
        config.public_url(),
        std::time::Duration::from_secs(10),
        config.push_allow_local && !config.production,
    );
    let push_sender: Arc<dyn cercle_app::push::PushSender> = match overrides.push_sender {
        Some(s) => s,
        None => Arc::new(cercle_app::adapters::push_http::HttpPushSender::new(&push)),
    };
    // The transport between nodes, chosen once: NATS if configured, else
    // the database's own.
    let nats = config
        .nats_url
        .as_deref()
        .map(|url| (url, config.nats_subject.as_str()));
    let bus = cercle_app::bus::configured(&store, nats);
    let blobs = open_blobs(config).await?;
    let forwarding: Arc<dyn cercle_app::calls::forwarding::Forwarding> = match overrides.forwarding {
        Some(f) => f,
        None if config.sfu_enabled => Arc::new(sfu::UnitForwarding::start(config)?),
        None => Arc::new(cercle_app::calls::forwarding::NoForwarding),
    };
    let ctx = Ctx {
        store,
        clock: overrides.clock.unwrap_or_else(|| Arc::new(SystemClock)),
        mailer,
        sms,
        key,
        hasher: Hasher::new(cost).map_err(|e| anyhow::anyhow!("{e}"))?,
        config: AppConfig {
            public_url: config.public_url(),
            production: config.production,
            idle_lock_secs: config.idle_lock_secs,
            messages_per_minute: config.messages_per_minute,
            call_max_participants: config.call_max_participants,
            call_ring_timeout_secs: config.call_ring_timeout_secs,
            call_presence_timeout_secs: config.call_presence_timeout_secs,
            turn: cercle_app::calls::ice::TurnSettings {
                urls: config.turn_urls.clone(),
                secret: config.turn_secret.clone(),
                ttl_secs: config.turn_ttl_secs,
            },
            notifications: cercle_app::notifications::NotifySettings {
                email_delay_mins: config.email_alert_delay_mins,
                escalation: cercle_domain::notification_rules::Escalation {
                    repeat_every_secs: config.urgent_repeat_secs,
                    sms_after_secs: config.urgent_sms_after_secs,
                },
                ..Default::default()
            },
            mail: cercle_app::outbox::MailSettings {
                retry_secs: config.mail_retry_hours * 3600,
                send_timeout_secs: config.smtp_timeout_secs,
                ..Default::default()
            },
        },
        outbox_wake: Arc::new(tokio::sync::Notify::new()),
        notify_wake: Arc::new(tokio::sync::Notify::new()),
        notify_rounds: Arc::new(tokio::sync::watch::channel(0).0),
        hub: Arc::new(cercle_app::threads::hub::Hub::default()),
        languages: Arc::new(cercle_app::accounts::languages::Languages::default()),
        bus,
        push,
        push_sender,
        blobs,
        forwarding,
        unit_route: Arc::new(cercle_app::calls::route::Router::new()),
    };
    // A database from before the network search gets its index once.
    let indexed = cercle_app::search_index::rebuild_if_empty(&ctx)
        .await
        .map_err(|e| anyhow::anyhow!("building the search index: {e}"))?;
    if indexed > 0 {
        tracing::info!(documents = indexed, "search index built");
    }
    Ok(ctx)
}

/// The configured blob store: the local folder, or the object storage
/// (whose bucket and keys are checked here, so that a wrong setting stops
/// the node at start with a clear error).
pub async fn open_blobs(config: &Config) -> anyhow::Result<Arc<dyn cercle_app::blobs::BlobStore>> {
    match config.s3_settings()? {
        None => {
            let blob_dir = config.blob_dir();
            let blobs = cercle_app::adapters::local_blobs::LocalBlobs::open(&blob_dir)
                .with_context(|| format!("creating {}", blob_dir.display()))?;
            Ok(Arc::new(blobs))
        }
        Some(settings) => {
            let blobs = cercle_app::adapters::s3_blobs::S3Blobs::new(&settings).map_err(|e| anyhow::anyhow!(e))?;
            blobs.check().await.with_context(|| {
                format!(
                    "object storage: bucket {} at {} (blob_store = \"s3\")",
                    settings.bucket, settings.endpoint
                )
            })?;
            Ok(Arc::new(blobs))
        }
    }
}

/// A running server.
pub struct Running {
    pub addr: SocketAddr,
    pub ctx: Ctx,
    shutdown: tokio::sync::watch::Sender<bool>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Running {
    /// Stops accepting, finishes requests in flight, delivers what is queued.
    pub async fn stop(self) {
        let _ = self.shutdown.send(true);
        for t in self.tasks {
            let _ = tokio::time::timeout(std::time::Duration::from_secs(10), t).await;
        }
        self.ctx.store.close().await;
    }

    pub fn shutdown_signal(&self) -> tokio::sync::watch::Receiver<bool> {
        self.shutdown.subscribe()
    }

    /// Ends the node's tasks at once, with none of a stop's work (nothing
    /// delivered, handed over or closed): a node that crashed, for tests.
    pub fn abort(self) {
        for t in self.tasks {
            t.abort();
        }
    }

    pub fn trigger_shutdown(&self) {
        let _ = self.shutdown.send(true);
    }
}

/// Binds the configured address, spawns the HTTP server and the outbox worker.
pub async fn start(config: &Config, ctx: Ctx) -> anyhow::Result<Running> {
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("listening on {}", config.listen))?;
    start_on(listener, config, ctx).await
}

/// The same, on a listener already bound (tests bind port 0 first to learn
/// the address that goes into links).
pub async fn start_on(listener: tokio::net::TcpListener, config: &Config, ctx: Ctx) -> anyhow::Result<Running> {
    let addr = listener.local_addr()?;
    let (tx, rx) = tokio::sync::watch::channel(false);
    let state = cercle_web::WebState::new(ctx.clone(), config.requests_per_sec)
        .with_trusted_proxies(config.trusted_proxies()?)
        .with_metrics_token(config.metrics_token.as_deref());
    if config.production && config.metrics_token.is_none() {
        tracing::warn!("no metrics_token (CERCLE_METRICS_TOKEN): /metrics answers 404 in production");
    }
    let limiter = tokio::spawn(cercle_web::middleware::limiter_upkeep(
        state.limiter.clone(),
        rx.clone(),
    ));
    let app = cercle_web::router(state).into_make_service_with_connect_info::<SocketAddr>();
    let mut server_rx = rx.clone();
    let server = tokio::spawn(async move {
        let graceful = async move {
            while !*server_rx.borrow() {
                if server_rx.changed().await.is_err() {
                    break;
                }
            }
        };
        // Small writes go out at once (no Nagle): a WebSocket frame or an
        // answer held back until the previous packet's acknowledgement can
        // wait for the peer's delayed ACK (40 ms on Linux).
        let listener = listener.tap_io(|tcp| {
            if let Err(e) = tcp.set_nodelay(true) {
                tracing::debug!(error = %e, "TCP_NODELAY not set on a connection");
            }
        });
        if let Err(e) = axum::serve(listener, app).with_graceful_shutdown(graceful).await {
            tracing::error!(error = %e, "server stopped");
        }
    });
    let bus = {
        let (bus, stop) = (ctx.bus.clone(), rx.clone());
        tokio::spawn(async move { bus.run(stop).await })
    };
    let dispatcher = tokio::spawn(cercle_app::threads::hub::run_dispatcher(ctx.clone(), rx.clone()));
    let push_worker = tokio::spawn(cercle_app::push::run_worker(ctx.clone(), rx.clone()));
    let notifier = tokio::spawn(cercle_app::notifications::run_worker(ctx.clone(), rx.clone()));
    let sweeper = tokio::spawn(cercle_app::blobs::run_sweeper(ctx.clone(), rx.clone()));
    let calls_worker = tokio::spawn(cercle_app::calls::run_worker(ctx.clone(), rx.clone()));
    let unit_signals = tokio::spawn(cercle_app::calls::signal::run_unit_signals(ctx.clone(), rx.clone()));
    let unit_route = tokio::spawn(cercle_app::calls::route::run(ctx.clone(), rx.clone()));
    let worker = tokio::spawn(cercle_app::outbox::run_worker(ctx.clone(), rx));
    Ok(Running {
        addr,
        ctx,
        shutdown: tx,
        tasks: vec![
            server,
            worker,
            bus,
            dispatcher,
            push_worker,
            notifier,
            limiter,
            sweeper,
            calls_worker,
            unit_signals,
            unit_route,
        ],
    })
}

/// Structured logs; `CERCLE_LOG` (or `RUST_LOG`) sets the filter.
pub fn init_logging(format: &str) {
    let filter = std::env::var("CERCLE_LOG")
        .or_else(|_| std::env::var("RUST_LOG"))
        .unwrap_or_else(|_| "info,sqlx=warn,tower_http=warn".into());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
        .with_target(false);
    let _ = if format == "json" {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
}
