//! Metrics through the `metrics` crates: counters, gauges and histograms are
//! recorded where things happen, with the `metrics` macros, into one
//! Prometheus recorder per process; `/metrics` renders it, behind its bearer
//! token. The exporter's own HTTP listener is not used (no second port to
//! guard). Labels carry route patterns and status classes only, never a
//! path, an id or anything about a patient.

use crate::WebState;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use std::future::Future;
use std::sync::OnceLock;
use std::time::Duration;

/// Histogram buckets, in seconds, for every latency we measure: from a
/// cached page (1 ms) to a request held up by a busy database (10 s).
const LATENCY_BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// Buckets, in seconds, for the group commit's waits and syncs: a sync to
/// disk takes from a tenth of a millisecond (a fast SSD) to tens.
const WRITE_BUCKETS: &[f64] = &[
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0,
];

/// Buckets for how many writes shared one commit (at most
/// `cercle_store::batch::MAX_WRITES`).
const BATCH_BUCKETS: &[f64] = &[1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0, 512.0, 1024.0];

/// The process's recorder, installed by the first [`Metrics`]. `None` when
/// another global recorder was there first (then only `cercle_build_info`
/// is rendered).
static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

fn handle() -> Option<&'static PrometheusHandle> {
    HANDLE
        .get_or_init(|| {
            let builder = PrometheusBuilder::new()
                .set_buckets(LATENCY_BUCKETS)
                .and_then(|b| b.set_buckets_for_metric(Matcher::Full("cercle_write_batch_size".into()), BATCH_BUCKETS))
                .and_then(|b| {
                    b.set_buckets_for_metric(Matcher::Full("cercle_write_queue_wait_seconds".into()), WRITE_BUCKETS)
                })
                .and_then(|b| {
                    b.set_buckets_for_metric(Matcher::Full("cercle_write_commit_seconds".into()), WRITE_BUCKETS)
                });
            let recorder = match builder {
                Ok(builder) => builder.build_recorder(),
                Err(e) => {
                    tracing::warn!(error = %e, "metrics buckets refused; metrics disabled");
                    return None;
                }
            };
            let handle = recorder.handle();
            if let Err(e) = ::metrics::set_global_recorder(recorder) {
                tracing::warn!(error = %e, "another metrics recorder is installed; /metrics shows build info only");
                return None;
            }
            describe();
            Some(handle)
        })
        .as_ref()
}

/// The `# HELP` line of every metric Cercle records.
fn describe() {
    use ::metrics::{describe_counter, describe_gauge, describe_histogram};
    describe_counter!("cercle_http_requests_total", "HTTP requests answered, by status class.");
    describe_histogram!(
        "cercle_http_request_duration_seconds",
        "Time spent answering requests, per route pattern and method."
    );
    describe_gauge!(
        "cercle_http_requests_in_flight",
        "Requests being answered now, per route pattern."
    );
    describe_counter!(
        "cercle_http_requests_abandoned_total",
        "Requests whose client went away before the answer, per route pattern."
    );
    describe_counter!(
        "cercle_http_rate_limited_total",
        "Requests refused by the per-address rate limit."
    );
    describe_gauge!("cercle_websockets_open", "Live connections (WebSocket) open now.");
    describe_histogram!(
        "cercle_message_post_duration_seconds",
        "Time to post a message (checks, write, commit)."
    );
    describe_histogram!(
        "cercle_delivery_lag_seconds",
        "From an event's commit to its hand-over to this node's connections."
    );
    describe_histogram!(
        "cercle_write_batch_size",
        "Writes that shared one transaction and one commit (group commit)."
    );
    describe_histogram!(
        "cercle_write_queue_wait_seconds",
        "From a write's arrival at the group-commit writer to the start of its work."
    );
    describe_histogram!(
        "cercle_write_commit_seconds",
        "Time of one group commit (the sync to disk)."
    );
    describe_counter!(
        "cercle_live_access_checks_total",
        "Checks of whether a person's live connections may receive a thread (one per person and thread, shared)."
    );
    describe_counter!(
        "cercle_live_bell_reads_total",
        "Reads of a person's bell for their live connections (one per person, language and change, shared)."
    );
    describe_counter!(
        "cercle_sqlite_inline_fallbacks_total",
        "SQLite reads on the request's own thread that could not answer and were read again through the pool."
    );
    describe_counter!(
        "cercle_account_language_reads_total",
        "Reads of the account language of a bearer token (kept by the node for a minute)."
    );
    describe_gauge!(
        "cercle_outbox_depth",
        "Email and SMS messages waiting to be sent (read at each scrape)."
    );
    describe_gauge!(
        "cercle_push_queue_depth",
        "Web Push deliveries waiting (read at each scrape)."
    );
}

/// The web layer's view of the metrics: installing the recorder once.
pub struct Metrics(());

impl Default for Metrics {
    fn default() -> Self {
        // Histogram samples wait in the recorder until drained; a scrape
        // drains them, and this keeps memory bounded between scrapes (or with
        // no scraper at all). One task per server, ending with its runtime.
        if let (Some(handle), Ok(runtime)) = (handle(), tokio::runtime::Handle::try_current()) {
            runtime.spawn(async move {
                let mut every = tokio::time::interval(Duration::from_secs(5));
                loop {
                    every.tick().await;
                    handle.run_upkeep();
                }
            });
        }
        Metrics(())
    }
}

pub fn record_rate_limited() {
    ::metrics::counter!("cercle_http_rate_limited_total").increment(1);
}

/// A request being answered, counted in `cercle_http_requests_in_flight`
/// (per route pattern: axum's `MatchedPath`, or `unmatched`) until dropped.
/// Dropping is what ends it whichever way the request ends: answered, failed,
/// or abandoned when the client goes away (hyper then drops the request's
/// future, and code after an `.await` never runs); an abandoned one is
/// counted in `cercle_http_requests_abandoned_total`.
pub struct InFlight {
    route: String,
    gauge: ::metrics::Gauge,
    answered: bool,
}

impl InFlight {
    pub fn enter(route: &str) -> InFlight {
        let gauge = ::metrics::gauge!("cercle_http_requests_in_flight", "route" => route.to_string());
        gauge.increment(1.0);
        InFlight {
            route: route.to_string(),
            gauge,
            answered: false,
        }
    }

    /// The request was answered: its status class, and how long it took
    /// per route and method.
    pub fn answered(mut self, method: &str, status: u16, elapsed: Duration) {
        self.answered = true;
        let class = match status {
            200..=299 => "2xx",
            300..=399 => "3xx",
            400..=499 => "4xx",
            _ => "5xx",
        };
        ::metrics::counter!("cercle_http_requests_total", "class" => class).increment(1);
        ::metrics::histogram!(
            "cercle_http_request_duration_seconds",
            "route" => self.route.clone(),
            "method" => method.to_string()
        )
        .record(elapsed.as_secs_f64());
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.gauge.decrement(1.0);
        if !self.answered {
            ::metrics::counter!("cercle_http_requests_abandoned_total", "route" => self.route.clone()).increment(1);
        }
    }
}

/// Runs a WebSocket connection, counted in `cercle_websockets_open` for as
/// long as it lasts (a guard again, so that a dropped connection counts down).
pub async fn open_socket(connection: impl Future<Output = ()>) {
    let _open = OpenSocket::enter();
    connection.await
}

struct OpenSocket(::metrics::Gauge);

impl OpenSocket {
    fn enter() -> OpenSocket {
        let gauge = ::metrics::gauge!("cercle_websockets_open");
        gauge.increment(1.0);
        OpenSocket(gauge)
    }
}

impl Drop for OpenSocket {
    fn drop(&mut self) {
        self.0.decrement(1.0);
    }
}

/// `/metrics` behind its bearer token: with a token configured, only that
/// token opens it (401 otherwise); without one, it is open in development
/// and absent (404) in production.
pub async fn guarded(State(state): State<WebState>, headers: axum::http::HeaderMap) -> axum::response::Response {
    use axum::http::{header, StatusCode};
    use sha2::Digest;
    use subtle::ConstantTimeEq;
    match &state.metrics_token_hash {
        None if state.ctx.config.production => return StatusCode::NOT_FOUND.into_response(),
        None => {}
        Some(expected) => {
            let presented = headers
                .get(header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.strip_prefix("Bearer "))
                .map(str::trim)
                .unwrap_or("");
            let digest: [u8; 32] = sha2::Sha256::digest(presented.as_bytes()).into();
            if presented.is_empty() || !bool::from(digest.ct_eq(expected)) {
                return (StatusCode::UNAUTHORIZED, [(header::WWW_AUTHENTICATE, "Bearer")]).into_response();
            }
        }
    }
    render(State(state)).await.into_response()
}

pub async fn render(State(state): State<WebState>) -> impl IntoResponse {
    // Queue depths are read now, so that each scrape sees the queues as they are.
    cercle_app::telemetry::sample_queues(&state.ctx).await;
    let mut body = handle().map(PrometheusHandle::render).unwrap_or_default();
    // Per server rather than per process (the tests run several in one).
    body.push_str(&format!(
        "# HELP cercle_build_info Version of Cercle and database backend.\n\
         # TYPE cercle_build_info gauge\n\
         cercle_build_info{{version=\"{}\",backend=\"{}\"}} 1\n",
        env!("CARGO_PKG_VERSION"),
        state.ctx.store.backend().name(),
    ));
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], body)
}
