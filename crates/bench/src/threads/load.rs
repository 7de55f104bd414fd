//! Senders at rising rates, listeners on the event WebSocket.
//!
//! Open loop: message `k` of a step is due at `k / rate` seconds after the
//! step's start, whatever happened to the ones before (at most
//! `--max-in-flight` sends wait for their answer; beyond, the scheduler
//! waits too and falls behind, which shows as an achieved rate below the
//! target). A message's body is `m<seq> …`; its send instant (taken right
//! before the request leaves) is kept in a table indexed by `seq`, and every
//! listener reading `"body":"m<seq>` computes now − send instant on the same
//! monotonic clock.

use super::setup::World;
use crate::serve::{self, Cpu, Server};
use crate::stats::{ms, percentile, sorted};
use anyhow::{bail, Context};
use cercle_store::Backend;
use futures_util::StreamExt;
use serde_json::json;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;

pub type Ws = tokio_tungstenite::WebSocketStream<tokio::net::TcpStream>;

/// Opens an authenticated event stream from `local` (any port), waits for
/// its `ready` frame.
pub async fn connect(base: &str, token: &str, local: Option<IpAddr>) -> anyhow::Result<Ws> {
    connect_since(base, token, local, None).await.map(|o| o.ws)
}

/// An event stream opened and ready.
pub struct Opened {
    pub ws: Ws,
    /// The frames replayed before `ready` (`?since=`).
    pub missed: Vec<String>,
    /// Where `ready` said the stream stands (its `last`): the `since` to
    /// come back with if it closes before any event.
    pub ready: Option<i64>,
}

/// [`connect`], replaying from the event after `since` as a page does when
/// it comes back (`?since=`: what was missed comes before `ready`, and is
/// returned with the stream).
pub async fn connect_since(
    base: &str,
    token: &str,
    local: Option<IpAddr>,
    since: Option<i64>,
) -> anyhow::Result<Opened> {
    let addr: SocketAddr = base
        .trim_start_matches("http://")
        .parse()
        .with_context(|| format!("reading the address of {base}"))?;
    let socket = tokio::net::TcpSocket::new_v4()?;
    if let Some(ip) = local {
        socket.bind(SocketAddr::new(ip, 0))?;
    }
    let fut = async {
        let stream = socket.connect(addr).await?;
        stream.set_nodelay(true)?;
        let query = since.map(|id| format!("?since={id}")).unwrap_or_default();
        let mut req = format!("ws://{addr}/api/v1/events{query}").into_client_request()?;
        req.headers_mut()
            .insert("Authorization", format!("Bearer {token}").parse()?);
        let (mut ws, _) = tokio_tungstenite::client_async(req, stream).await?;
        let mut missed = Vec::new();
        let ready = loop {
            match ws.next().await {
                Some(Ok(Message::Text(t))) if t.contains("\"type\":\"ready\"") => break ready_last(&t),
                Some(Ok(Message::Text(t))) => missed.push(t.to_string()),
                Some(Ok(_)) => {}
                Some(Err(e)) => return Err(e.into()),
                None => bail!("the stream closed before it was ready"),
            }
        };
        anyhow::Ok(Opened { ws, missed, ready })
    };
    tokio::time::timeout(Duration::from_secs(20), fut)
        .await
        .context("no `ready` frame within 20 s")?
}

/// The `last` of a `ready` frame.
pub fn ready_last(frame: &str) -> Option<i64> {
    serde_json::from_str::<serde_json::Value>(frame)
        .ok()?
        .get("last")?
        .as_i64()
}

/// The event id a frame starts with (`{"id":…`); `None` for frames that
/// are not logged events (`ready`, the bell, typing).
pub fn event_id_in(frame: &str) -> Option<i64> {
    let rest = frame.strip_prefix("{\"id\":")?;
    let end = rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len());
    rest[..end].parse().ok()
}

/// The sequence number in a message frame (`"body":"m<seq> …`).
pub fn seq_in(frame: &str) -> Option<usize> {
    let rest = &frame[frame.find("\"body\":\"m")? + 9..];
    let end = rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len());
    rest[..end].parse().ok()
}

/// Send instants (ns since `epoch`, + 1; 0 = not sent) and deliveries.
struct Shared {
    epoch: Instant,
    sent_at: Vec<AtomicU64>,
    delivered: AtomicU64,
    /// Streams the server closed and the listener opened again.
    reconnects: AtomicU64,
}

impl Shared {
    fn now_ns(&self) -> u64 {
        self.epoch.elapsed().as_nanos() as u64
    }
}

/// One listener's deliveries: (seq, latency in µs).
type Deliveries = Arc<Mutex<Vec<(u32, u32)>>>;

/// Where a listener connects, and as whom.
struct Listener {
    base: String,
    token: String,
}

/// A listener takes every frame of its stream; when the server closes it
/// (a node going away, an access check that could not be answered), it
/// comes back with `?since=` its last event, as a page does, so that the
/// deliveries count what the product guarantees: every acknowledged
/// message reaches every page that stays open. Each message counts once.
async fn listen(opened: Opened, who: Listener, shared: Arc<Shared>, out: Deliveries) {
    let mut got = Got {
        last: opened.ready,
        ..Got::default()
    };
    let mut ws = opened.ws;
    loop {
        while let Some(frame) = ws.next().await {
            match frame {
                Ok(Message::Text(t)) => got.take(&t, &shared, &out),
                Ok(_) => continue,
                Err(_) => break,
            }
        }
        // Closed: come back, a few times at most (the run's own deadline
        // ends the task in any case).
        let mut back = None;
        for attempt in 0..20u64 {
            tokio::time::sleep(Duration::from_millis(100 * (attempt + 1))).await;
            if let Ok(again) = connect_since(&who.base, &who.token, None, got.last).await {
                back = Some(again);
                break;
            }
        }
        let Some(again) = back else { return };
        shared.reconnects.fetch_add(1, Ordering::Relaxed);
        for text in &again.missed {
            got.take(text, &shared, &out);
        }
        ws = again.ws;
    }
}

/// What one listener has received: its last event id, the messages seen.
#[derive(Default)]
struct Got {
    last: Option<i64>,
    seen: std::collections::HashSet<usize>,
}

impl Got {
    fn take(&mut self, text: &str, shared: &Shared, out: &Deliveries) {
        let now = shared.now_ns();
        if let Some(id) = event_id_in(text) {
            self.last = Some(self.last.map_or(id, |l| l.max(id)));
        }
        let Some(seq) = seq_in(text) else { return };
        let sent = shared.sent_at.get(seq).map_or(0, |s| s.load(Ordering::Acquire));
        if sent == 0 || !self.seen.insert(seq) {
            return;
        }
        let micros = (now.saturating_sub(sent - 1) / 1000).min(u64::from(u32::MAX)) as u32;
        if let Ok(mut v) = out.lock() {
            v.push((seq as u32, micros));
        }
        shared.delivered.fetch_add(1, Ordering::Relaxed);
    }
}

/// What one rate gave.
pub struct Step {
    pub target: u32,
    pub planned: u64,
    pub acked: u64,
    pub errors: u64,
    pub first_error: Option<String>,
    /// Start of the step to the last answer.
    pub wall: Duration,
    /// Sorted, ms.
    pub post_ms: Vec<f64>,
    /// Sorted, ms, over every (listener, message) delivery.
    pub deliver_ms: Vec<f64>,
    pub expected: u64,
    pub server_cpu: Cpu,
    pub bench_cpu: Cpu,
    pub rss_mib: f64,
    /// The server's own histograms over the step (`stages::render`).
    pub stages: Vec<String>,
}

impl Step {
    pub fn achieved(&self) -> f64 {
        self.acked as f64 / self.wall.as_secs_f64()
    }

    pub fn delivered(&self) -> u64 {
        self.deliver_ms.len() as u64
    }

    /// The target was met: ≥ 95 %, no error, every delivery made.
    pub fn sustained(&self) -> bool {
        self.achieved() >= 0.95 * f64::from(self.target) && self.errors == 0 && self.delivered() >= self.expected
    }
}

pub async fn run(
    args: &super::ThreadsArgs,
    server: &Server,
    world: &World,
    senders: usize,
) -> anyhow::Result<Vec<Step>> {
    let total: u64 = args.rates.iter().map(|r| u64::from(*r) * args.seconds).sum();
    let shared = Arc::new(Shared {
        epoch: Instant::now(),
        sent_at: (0..total).map(|_| AtomicU64::new(0)).collect(),
        delivered: AtomicU64::new(0),
        reconnects: AtomicU64::new(0),
    });
    let mut listeners = Vec::new();
    let mut outs: Vec<Deliveries> = Vec::new();
    for i in 0..args.listeners {
        let opened = connect_since(&server.base, &world.tokens[i], None, None)
            .await
            .with_context(|| format!("listener {i}"))?;
        let out: Deliveries = Arc::new(Mutex::new(Vec::new()));
        outs.push(out.clone());
        let who = Listener {
            base: server.base.clone(),
            token: world.tokens[i].clone(),
        };
        listeners.push(tokio::spawn(listen(opened, who, shared.clone(), out)));
    }
    eprintln!("  {} listeners ready; {senders} senders", args.listeners);
    let url = Arc::new(format!("{}/api/v1/threads/{}/messages", server.base, world.thread_id));
    let clients = Arc::new(world.clients.clone());
    let tokens = Arc::new(world.tokens.clone());
    let sem = Arc::new(tokio::sync::Semaphore::new(args.max_in_flight));

    let mut steps = Vec::new();
    let mut first_seq = 0u64;
    let csv = args.posts_csv.as_deref();
    let mut posts = vec!["rate,seq,sent_ms,post_ms\n".to_string()];
    for &rate in &args.rates {
        if rate == 0 {
            continue;
        }
        let n = u64::from(rate) * args.seconds;
        let cpu0 = server.cpu()?;
        let bench0 = serve::cpu_of(std::process::id())?;
        let delivered0 = shared.delivered.load(Ordering::Relaxed);
        let scraped0 = super::stages::scrape(&server.base).await;
        let start = tokio::time::Instant::now();
        let started = Instant::now();
        let interval = Duration::from_secs_f64(1.0 / f64::from(rate));
        let mut sends = Vec::with_capacity(n as usize);
        for k in 0..n {
            tokio::time::sleep_until(start + interval.mul_f64(k as f64)).await;
            let permit = sem.clone().acquire_owned().await?;
            let seq = first_seq + k;
            let person = (seq as usize) % senders;
            let (url, clients, tokens, shared) = (url.clone(), clients.clone(), tokens.clone(), shared.clone());
            sends.push(tokio::spawn(async move {
                let body = json!({ "body": format!("m{seq} load test message from the benchmark") });
                let t = Instant::now();
                shared.sent_at[seq as usize].store(shared.now_ns() + 1, Ordering::Release);
                let result = async {
                    let resp = clients[person]
                        .post(url.as_str())
                        .bearer_auth(&tokens[person])
                        .json(&body)
                        .send()
                        .await?;
                    serve::expect(resp, reqwest::StatusCode::CREATED).await.map(|_| ())
                }
                .await;
                let took = t.elapsed();
                drop(permit);
                (result.map_err(|e| format!("{e:#}")), took, seq)
            }));
        }
        let mut acked = 0u64;
        let mut errors = 0u64;
        let mut first_error = None;
        let mut post_ms = Vec::with_capacity(n as usize);
        for s in sends {
            match s.await {
                Ok((Ok(()), took, seq)) => {
                    acked += 1;
                    post_ms.push(ms(took));
                    if csv.is_some() {
                        let sent = shared.sent_at[seq as usize].load(Ordering::Acquire).saturating_sub(1);
                        posts.push(format!("{rate},{seq},{:.3},{:.3}\n", sent as f64 / 1e6, ms(took)));
                    }
                }
                Ok((Err(e), _, _)) => {
                    errors += 1;
                    first_error.get_or_insert(e);
                }
                Err(e) => {
                    errors += 1;
                    first_error.get_or_insert(e.to_string());
                }
            }
        }
        let wall = started.elapsed();
        // Every acknowledged message should reach every listener.
        let expected = acked * args.listeners as u64;
        let deadline = Instant::now() + Duration::from_secs(30);
        while shared.delivered.load(Ordering::Relaxed) - delivered0 < expected && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let server_cpu = server.cpu()?.since(cpu0);
        let stages = match (scraped0, super::stages::scrape(&server.base).await) {
            (Ok(before), Ok(after)) => super::stages::render(&before, &after),
            (Err(e), _) | (_, Err(e)) => vec![format!("no server metrics: {e:#}")],
        };
        let bench_cpu = serve::cpu_of(std::process::id())?.since(bench0);
        let range = first_seq..first_seq + n;
        let mut deliver_ms = Vec::new();
        for out in &outs {
            if let Ok(mut v) = out.lock() {
                for (seq, micros) in v.drain(..) {
                    if range.contains(&u64::from(seq)) {
                        deliver_ms.push(f64::from(micros) / 1000.0);
                    }
                }
            }
        }
        let step = Step {
            target: rate,
            planned: n,
            acked,
            errors,
            first_error,
            wall,
            post_ms: sorted(&post_ms),
            deliver_ms: sorted(&deliver_ms),
            expected,
            server_cpu,
            bench_cpu,
            rss_mib: super::rss_mib(server)?,
            stages,
        };
        eprintln!(
            "  rate {rate}/s: {acked}/{n} acknowledged, {errors} errors, {:.0}/s; deliveries {}/{}, p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms; server CPU {:.2} cores; listeners reconnected so far: {}",
            step.achieved(),
            step.delivered(),
            step.expected,
            percentile(&step.deliver_ms, 50.0),
            percentile(&step.deliver_ms, 99.0),
            step.deliver_ms.last().copied().unwrap_or(f64::NAN),
            cores(step.server_cpu, step.wall),
            shared.reconnects.load(Ordering::Relaxed),
        );
        for line in &step.stages {
            eprintln!("    {line}");
        }
        let stop = !step.sustained() && !args.all_rates;
        if let Some(e) = &step.first_error {
            eprintln!("  first error: {e}");
        }
        steps.push(step);
        first_seq += n;
        if stop {
            break;
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
    for l in listeners {
        l.abort();
    }
    if let Some(path) = csv {
        std::fs::write(path, posts.concat()).with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(steps)
}

fn cores(cpu: Cpu, wall: Duration) -> f64 {
    (cpu.user + cpu.sys).as_secs_f64() / wall.as_secs_f64()
}

pub fn render(args: &super::ThreadsArgs, backend: Backend, senders: usize, steps: &[Step]) -> String {
    let mut out = format!(
        "### {} — {} listeners, {senders} senders, {} s per rate\n\n",
        backend.name(),
        args.listeners,
        args.seconds
    );
    out.push_str(
        "| target (msg/s) | sent | acknowledged (201) | errors | achieved (ack/s) | POST p50 / p99 (ms) | deliveries | deliver p50 (ms) | deliver p99 (ms) | deliver max (ms) | server CPU (cores) | bench CPU (cores) | server RSS (MiB) |\n",
    );
    out.push_str("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for s in steps {
        out.push_str(&format!(
            "| {} | {} | {} | {} | {:.0} | {:.1} / {:.1} | {} / {} | {:.1} | {:.1} | {:.1} | {:.2} | {:.2} | {:.0} |\n",
            s.target,
            s.planned,
            s.acked,
            s.errors,
            s.achieved(),
            percentile(&s.post_ms, 50.0),
            percentile(&s.post_ms, 99.0),
            s.delivered(),
            s.expected,
            percentile(&s.deliver_ms, 50.0),
            percentile(&s.deliver_ms, 99.0),
            s.deliver_ms.last().copied().unwrap_or(f64::NAN),
            cores(s.server_cpu, s.wall),
            cores(s.bench_cpu, s.wall),
            s.rss_mib,
        ));
    }
    let best = steps.iter().filter(|s| s.sustained()).map(|s| s.target).max();
    out.push_str(&match best {
        Some(r) => format!(
            "\nHighest rate sustained (≥ 95 % acknowledged, no error, every delivery made): **{r} messages/s**.\n"
        ),
        None => "\nNo rate was sustained.\n".to_string(),
    });
    out.push_str("\nThe server's own histograms over each rate (`/metrics`; quantiles are bucket edges):\n");
    for s in steps {
        out.push_str(&format!("\n- {} msg/s: {}\n", s.target, s.stages.join("; ")));
    }
    for s in steps {
        if let Some(e) = &s.first_error {
            out.push_str(&format!("\nFirst error at {} msg/s: {e}\n", s.target));
        }
    }
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_sequence_number() {
        let frame = r#"{"id":7,"thread_id":"t","type":"message","data":{"id":"x","body":"m1234 load test","seq":3}}"#;
        assert_eq!(seq_in(frame), Some(1234));
        assert_eq!(seq_in(r#"{"type":"ready","last":3}"#), None);
    }

    #[test]
    fn reads_the_event_id() {
        let frame = r#"{"id":7,"thread_id":"t","type":"message","data":{"id":"x","body":"m1234 load test","seq":3}}"#;
        assert_eq!(event_id_in(frame), Some(7));
        assert_eq!(event_id_in(r#"{"type":"ready","last":3}"#), None);
        assert_eq!(event_id_in(r#"{"type":"bell","data":{"id":9}}"#), None);
    }

    #[test]
    fn reads_where_ready_stands() {
        assert_eq!(ready_last(r#"{"type":"ready","last":42}"#), Some(42));
        assert_eq!(ready_last(r#"{"type":"ready"}"#), None);
        assert_eq!(ready_last("not json"), None);
    }
}
