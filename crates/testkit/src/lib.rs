//! Test kit: starts the real Cercle on port 0 with a fresh database (SQLite
//! file or a new PostgreSQL database), a real SMTP listener and an HTTP SMS
//! gateway listener, and a clock the test can move.

pub mod browser;
pub mod people;
pub mod pg_cluster;
pub mod s3;
pub mod smart_ehr;
pub mod sms_gateway;
pub mod smtp;

use cercle::{Config, Overrides, Running};
use cercle_domain::clock::{Clock, ManualClock};
use cercle_domain::Timestamp;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// Which database a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Db {
    Sqlite,
    Postgres,
}

/// PostgreSQL server used by the tests (`CERCLE_TEST_POSTGRES`).
pub fn postgres_admin_url() -> String {
    std::env::var("CERCLE_TEST_POSTGRES").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

fn postgres_base() -> String {
    let admin = postgres_admin_url();
    match admin.rfind('/') {
        Some(i) if i > "postgres://".len() => admin[..i].to_string(),
        _ => admin,
    }
}

/// Records that a test did not run, and why: one `SKIPPED <test>: <why>`
/// line on the terminal even when the test passes (written to stderr
/// directly, past the harness's capture of `eprintln!`), and the same line
/// appended to the file `CERCLE_SKIPPED_LOG` names, which `scripts/test.sh`
/// counts at the end. A skipped test passes; this keeps it from passing
/// silently. The harness names each test's thread after the test.
pub fn report_skipped(why: &str) {
    use std::io::Write;
    let test = std::thread::current().name().unwrap_or("(unnamed test)").to_string();
    let line = format!("SKIPPED {test}: {why}\n");
    let _ = std::io::stderr().write_all(line.as_bytes());
    if let Some(path) = std::env::var_os("CERCLE_SKIPPED_LOG") {
        if let Ok(mut file) = std::fs::OpenOptions::new().create(true).append(true).open(path) {
            let _ = file.write_all(line.as_bytes());
        }
    }
}

/// True when the PostgreSQL runs are switched off (`CERCLE_SKIP_POSTGRES=1`);
/// the skip is then reported ([`report_skipped`]).
pub fn skip_postgres() -> bool {
    let skip = std::env::var("CERCLE_SKIP_POSTGRES").is_ok_and(|v| v == "1");
    if skip {
        report_skipped("CERCLE_SKIP_POSTGRES=1, not run on PostgreSQL");
    }
    skip
}

/// True when the NATS runs are switched off (`CERCLE_SKIP_NATS=1`, for a
/// machine without a NATS server); the skip is then reported.
pub fn skip_nats() -> bool {
    let skip = std::env::var("CERCLE_SKIP_NATS").is_ok_and(|v| v == "1");
    if skip {
        report_skipped("CERCLE_SKIP_NATS=1, not run through NATS");
    }
    skip
}

/// The NATS server the tests use (`CERCLE_TEST_NATS`, default the local one).
pub fn nats_url() -> String {
    std::env::var("CERCLE_TEST_NATS").unwrap_or_else(|_| "nats://127.0.0.1:4222".into())
}

pub struct TestApp {
    pub url: String,
    pub clock: Arc<ManualClock>,
    pub smtp: smtp::SmtpSink,
    pub sms: sms_gateway::SmsGateway,
    pub config: Config,
    pub data_dir: PathBuf,
    pub http: reqwest::Client,
    running: Option<Running>,
    pg_database: Option<String>,
}

fn real_now() -> Timestamp {
    cercle::SystemClock.now()
}

pub fn temp_dir(prefix: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("{prefix}-{}", uuid::Uuid::new_v4().simple()));
    let _ = std::fs::create_dir_all(&dir);
    dir
}

impl TestApp {
    pub async fn spawn(db: Db) -> TestApp {
        Self::spawn_with(db, |_| {}).await
    }

    /// Starts Cercle; `tweak` may change the configuration first.
    pub async fn spawn_with(db: Db, tweak: impl FnOnce(&mut Config)) -> TestApp {
        let smtp = smtp::SmtpSink::start().await;
        let sms = sms_gateway::SmsGateway::start().await;
        let data_dir = temp_dir("cercle-test");
        let (database_url, pg_database) = match db {
            Db::Sqlite => (format!("sqlite://{}", data_dir.join("cercle.db").display()), None),
            Db::Postgres => {
                let name = format!("cercle_t_{}", uuid::Uuid::new_v4().simple());
                create_pg_database(&name).await;
                (format!("{}/{name}", postgres_base()), Some(name))
            }
        };
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind port 0");
        let addr = listener.local_addr().expect("local addr");
        let mut config = Config {
            data_dir: data_dir.clone(),
            listen: addr,
            database_url: Some(database_url),
            public_url: Some(format!("http://{addr}")),
            smtp_host: Some("127.0.0.1".into()),
            smtp_port: smtp.port(),
            smtp_security: "none".into(),
            sms_gateway_url: Some(sms.url()),
            sms_gateway_token: Some("test-gateway-token".into()),
            // Cheap hashing keeps the suite fast; benchmarks measure the real cost.
            argon2_memory_kib: 64,
            argon2_iterations: 1,
            argon2_parallelism: 1,
            requests_per_sec: 1000,
            // The push tests' push service listens on loopback over HTTP.
            push_allow_local: true,
            ..Config::default()
        };
        tweak(&mut config);
        let clock = Arc::new(ManualClock::starting_at(real_now()));
        let ctx = cercle::build_ctx(
            &config,
            Overrides {
                clock: Some(clock.clone()),
                ..Overrides::default()
            },
        )
        .await
        .expect("build context");
        let running = cercle::start_on(listener, &config, ctx).await.expect("start server");
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()
            .expect("http client");
        TestApp {
            url: format!("http://{addr}"),
            clock,
            smtp,
            sms,
            config,
            data_dir,
            http,
            running: Some(running),
            pg_database,
        }
    }

    pub fn ctx(&self) -> &cercle_app::Ctx {
        &self.running.as_ref().expect("running").ctx
    }

    /// The value of a metric at `/metrics` (the sum over the lines of
    /// `name` carrying every `label="value"` given; 0 when there is none).
    /// The recorder is the process's: other tests' servers add to the same
    /// metrics, so tests read labels only they use, or wait for a value.
    pub async fn metric(&self, name: &str, labels: &[(&str, &str)]) -> f64 {
        let text = self
            .http
            .get(format!("{}/metrics", self.url))
            .send()
            .await
            .expect("metrics")
            .text()
            .await
            .expect("metrics text");
        metric_in(&text, name, labels)
    }

    /// Drives the email and SMS outbox to completion: delivers what is due
    /// and waits (bounded) until no message is waiting, so that a test can
    /// then check that a message was NOT sent. Enqueuing happens in the
    /// request's own transaction, so everything a finished request queued
    /// is covered; a message the background worker has claimed counts as
    /// waiting until it is sent.
    pub async fn drain_outbox(&self) {
        eventually("the outbox to be empty", async || {
            let _ = cercle_app::outbox::deliver_due(self.ctx()).await;
            let mut conn = self.ctx().store.reader().await.ok()?;
            (cercle_store::outbox::waiting_count(&mut conn).await.ok()? == 0).then_some(())
        })
        .await
    }

    /// Waits (bounded) until the server is done with `count` more requests
    /// on `route` (a pattern, `/api/v1/threads/{id}/files`) than `before`
    /// ([`TestApp::requests_done`]), answered or abandoned by their client:
    /// after a client hangs up, what the server did about it is then final.
    pub async fn wait_requests_done(&self, route: &str, before: f64, count: f64) {
        eventually(&format!("{count} more request(s) on {route} finished"), async || {
            (self.requests_done(route).await >= before + count).then_some(())
        })
        .await
    }

    /// Requests on `route` the server is done with, answered or abandoned
    /// (from `/metrics`; the process's, see [`TestApp::metric`]).
    pub async fn requests_done(&self, route: &str) -> f64 {
        let labels = [("route", route)];
        self.metric("cercle_http_request_duration_seconds_count", &labels).await
            + self.metric("cercle_http_requests_abandoned_total", &labels).await
    }

    /// An attachment's bytes through the JSON API: (status, bytes).
    pub async fn download_attachment(&self, token: &str, id: &str) -> (u16, Vec<u8>) {
        let r = self
            .http
            .get(format!("{}/api/v1/attachments/{id}", self.url))
            .bearer_auth(token)
            .send()
            .await
            .expect("download");
        let status = r.status().as_u16();
        (status, r.bytes().await.expect("bytes").to_vec())
    }

    /// Moves the server's clock forward.
    pub fn advance(&self, secs: i64) {
        self.clock.advance_secs(secs);
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: serde_json::Value) -> (u16, serde_json::Value) {
        let mut req = self.http.post(format!("{}/api/v1{path}", self.url)).json(&body);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        status_and_json(req.send().await.expect("request")).await
    }

    pub async fn put(&self, path: &str, token: Option<&str>, body: serde_json::Value) -> (u16, serde_json::Value) {
        let mut req = self.http.put(format!("{}/api/v1{path}", self.url)).json(&body);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        status_and_json(req.send().await.expect("request")).await
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> (u16, serde_json::Value) {
        let mut req = self.http.get(format!("{}/api/v1{path}", self.url));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        status_and_json(req.send().await.expect("request")).await
    }

    pub async fn delete(&self, path: &str, token: Option<&str>) -> (u16, serde_json::Value) {
        let mut req = self.http.delete(format!("{}/api/v1{path}", self.url));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        status_and_json(req.send().await.expect("request")).await
    }

    /// Stops the server (graceful) and starts it again on the same address
    /// and data (a restart: nothing in memory survives).
    pub async fn restart(&mut self) {
        self.stop().await;
        let listener = tokio::net::TcpListener::bind(self.config.listen)
            .await
            .expect("bind the same address again");
        let ctx = cercle::build_ctx(
            &self.config,
            Overrides {
                clock: Some(self.clock.clone()),
                ..Overrides::default()
            },
        )
        .await
        .expect("build context");
        self.running = Some(
            cercle::start_on(listener, &self.config, ctx)
                .await
                .expect("restart server"),
        );
    }

    /// Another node serving the same database (PostgreSQL: a cluster of two).
    pub async fn spawn_node(&self) -> TestNode {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind port 0");
        let addr = listener.local_addr().expect("local addr");
        let mut config = self.config.clone();
        config.listen = addr;
        let ctx = cercle::build_ctx(
            &config,
            Overrides {
                clock: Some(self.clock.clone()),
                ..Overrides::default()
            },
        )
        .await
        .expect("build context");
        let running = cercle::start_on(listener, &config, ctx).await.expect("start node");
        TestNode {
            url: format!("http://{addr}"),
            running: Some(running),
        }
    }

    /// Stops the server (graceful) but keeps the data.
    pub async fn stop(&mut self) {
        if let Some(r) = self.running.take() {
            r.stop().await;
        }
    }
}

/// An answer's status and its body as JSON (as a JSON string when it is
/// not JSON).
pub async fn status_and_json(resp: reqwest::Response) -> (u16, serde_json::Value) {
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap_or_default();
    let json = serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text));
    (status, json)
}

async fn create_pg_database(name: &str) {
    use sqlx::Connection;
    let mut conn = sqlx::PgConnection::connect(&postgres_admin_url())
        .await
        .unwrap_or_else(|e| panic!("PostgreSQL is not reachable at {} ({e}). Start it, or set CERCLE_TEST_POSTGRES, or run with CERCLE_SKIP_POSTGRES=1.", postgres_admin_url()));
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .await
        .expect("create database");
    let _ = conn.close().await;
}

fn drop_pg_database(name: String) {
    // Drop runs outside any async context we can await in: use a thread
    // with its own small runtime, bounded in time.
    let handle = std::thread::spawn(move || {
        let Ok(rt) = tokio::runtime::Builder::new_current_thread().enable_all().build() else {
            return;
        };
        rt.block_on(async move {
            use sqlx::Connection;
            let fut = async {
                if let Ok(mut conn) = sqlx::PgConnection::connect(&postgres_admin_url()).await {
                    let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                        .execute(&mut conn)
                        .await;
                    let _ = conn.close().await;
                }
            };
            let _ = tokio::time::timeout(Duration::from_secs(20), fut).await;
        });
    });
    let _ = handle.join();
}

/// An empty database with no server on it (a SQLite file in a temporary
/// folder, or a new PostgreSQL database), removed when dropped: for tests
/// of the store itself.
pub struct EmptyDb {
    pub url: String,
    dir: PathBuf,
    pg_database: Option<String>,
}

impl EmptyDb {
    pub async fn new(db: Db) -> EmptyDb {
        let dir = temp_dir("cercle-store");
        match db {
            Db::Sqlite => EmptyDb {
                url: format!("sqlite://{}", dir.join("cercle.db").display()),
                dir,
                pg_database: None,
            },
            Db::Postgres => {
                let name = format!("cercle_t_{}", uuid::Uuid::new_v4().simple());
                create_pg_database(&name).await;
                EmptyDb {
                    url: format!("{}/{name}", postgres_base()),
                    dir,
                    pg_database: Some(name),
                }
            }
        }
    }
}

impl Drop for EmptyDb {
    fn drop(&mut self) {
        if let Some(name) = self.pg_database.take() {
            drop_pg_database(name);
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A second node of a [`TestApp`].
pub struct TestNode {
    pub url: String,
    running: Option<Running>,
}

impl TestNode {
    pub fn ctx(&self) -> &cercle_app::Ctx {
        &self.running.as_ref().expect("running").ctx
    }

    /// Stops the node (gracefully: its tasks finish their work and end).
    pub async fn stop(&mut self) {
        if let Some(r) = self.running.take() {
            r.stop().await;
        }
    }

    /// Ends the node's tasks at once, as a node that crashed: nothing of a
    /// stop's work is done (its connections already open may linger).
    pub fn kill(&mut self) {
        if let Some(r) = self.running.take() {
            r.abort();
        }
    }
}

impl Drop for TestNode {
    fn drop(&mut self) {
        if let Some(r) = self.running.take() {
            r.trigger_shutdown();
        }
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(r) = self.running.take() {
            r.trigger_shutdown();
        }
        if let Some(name) = self.pg_database.take() {
            drop_pg_database(name);
        }
        let _ = std::fs::remove_dir_all(&self.data_dir);
    }
}

/// The first run of six digits in a text (a code in an email or SMS).
pub fn find_code(text: &str) -> Option<String> {
    let chars: Vec<char> = text.chars().collect();
    chars.windows(6).enumerate().find_map(|(i, w)| {
        let before = i
            .checked_sub(1)
            .and_then(|j| chars.get(j))
            .is_some_and(|c| c.is_ascii_digit());
        let after = chars.get(i + 6).is_some_and(|c| c.is_ascii_digit());
        (w.iter().all(|c| c.is_ascii_digit()) && !before && !after).then(|| w.iter().collect())
    })
}

/// The first `http…` link in a text.
pub fn find_link(text: &str) -> Option<String> {
    let start = text.find("http")?;
    Some(text[start..].split_whitespace().next()?.to_string())
}

/// Waits (bounded) until `check` holds, polling.
pub async fn eventually<T>(what: &str, mut check: impl AsyncFnMut() -> Option<T>) -> T {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    loop {
        if let Some(v) = check().await {
            return v;
        }
        if tokio::time::Instant::now() > deadline {
            panic!("timed out waiting for {what}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// See [`TestApp::metric`].
pub fn metric_in(text: &str, name: &str, labels: &[(&str, &str)]) -> f64 {
    text.lines()
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| {
            let rest = line.strip_prefix(name)?;
            let (labelled, value) = match rest.strip_prefix('{') {
                Some(r) => r.split_once("} ")?,
                None => ("", rest.strip_prefix(' ')?),
            };
            labels
                .iter()
                .all(|(k, v)| labelled.contains(&format!("{k}=\"{v}\"")))
                .then(|| value.trim().parse::<f64>().ok())
                .flatten()
        })
        .sum()
}
