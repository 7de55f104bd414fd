//! Idle WebSockets on one node: how much memory each costs the server.
//!
//! A fresh server over the database of the load run (so the people and the
//! thread exist) gets up to `--idle-sockets` authenticated event streams,
//! opened 64 at a time from loopback addresses 127.2.0.x (10,000 per
//! address, well under the ~28,000 ephemeral ports one address has) in five
//! equal steps; its `VmRSS` is read 2 s after each step. Then its CPU is
//! watched while they sit idle, and two messages are posted, one after the
//! other, to the thread all of them follow, to time their fan-out to every
//! socket: the first after the idle watch (every stream checks again who may
//! see the thread, its cache having been cleared by the 30 s re-check), the
//! second once the first reached everyone (the checks cached: what is left is
//! the encoding and sending of the frame).

use super::load::{connect, Ws};
use super::setup::World;
use crate::serve::{self, Cpu, Server};
use crate::stats::{ms, percentile, sorted};
use cercle_store::Backend;
use futures_util::StreamExt;
use serde_json::json;
use std::net::{IpAddr, Ipv4Addr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::Message;

const SOCKETS_PER_ADDRESS: usize = 10_000;
/// File descriptors left for everything else (database, logs, clients).
const SPARE_FILES: u64 = 600;

/// Raises this process's open-file limit as far as allowed (the server,
/// spawned later, inherits it): first to 1,048,576 (needs CAP_SYS_RESOURCE),
/// else the soft limit to the hard one. Returns the soft limit in force and,
/// when 1,048,576 was refused, why.
pub fn raise_open_files() -> (u64, Option<String>) {
    let mut r = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    let mut refused = None;
    // SAFETY: plain system calls on a struct we own.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut r) != 0 {
            return (0, Some(std::io::Error::last_os_error().to_string()));
        }
        let big = libc::rlimit {
            rlim_cur: 1 << 20,
            rlim_max: 1 << 20,
        };
        if r.rlim_max >= big.rlim_max || libc::setrlimit(libc::RLIMIT_NOFILE, &big) != 0 {
            if r.rlim_max < big.rlim_max {
                refused = Some(format!(
                    "raising the hard limit {} to {} refused: {}",
                    r.rlim_max,
                    big.rlim_max,
                    std::io::Error::last_os_error()
                ));
            }
            let soft = libc::rlimit {
                rlim_cur: r.rlim_max,
                rlim_max: r.rlim_max,
            };
            libc::setrlimit(libc::RLIMIT_NOFILE, &soft);
        }
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut r) != 0 {
            return (0, Some(std::io::Error::last_os_error().to_string()));
        }
    }
    (r.rlim_cur, refused)
}

fn address_of(i: usize) -> IpAddr {
    IpAddr::V4(Ipv4Addr::new(127, 2, 0, 1 + (i / SOCKETS_PER_ADDRESS) as u8))
}

pub struct IdleReport {
    asked: usize,
    files: u64,
    target: usize,
    opened: usize,
    failed: usize,
    first_error: Option<String>,
    /// (sockets open, server VmRSS MiB)
    points: Vec<(usize, f64)>,
    open_wall: Duration,
    watch: Duration,
    watch_cpu: Cpu,
    rss_after_watch: f64,
    /// Per message posted (first, then second): sorted ms post → arrival
    /// on each socket, and the POST's own answer time.
    fanouts: Vec<Fanout>,
}

struct Fanout {
    ms: Vec<f64>,
    post_ms: f64,
}

/// Messages posted to every idle socket, one after the other.
const FANOUT_MESSAGES: usize = 2;

pub async fn run(
    server: &Server,
    world: &World,
    asked: usize,
    files: u64,
    watch_secs: u64,
) -> anyhow::Result<IdleReport> {
    let target = asked.min(files.saturating_sub(SPARE_FILES) as usize);
    if target < asked {
        eprintln!("  idle sockets: {asked} asked, {target} possible under the open-file limit {files}");
    }
    let participants = world.tokens.len().clamp(1, 100);
    tokio::time::sleep(Duration::from_secs(2)).await;
    let mut points = vec![(0, super::rss_mib(server)?)];
    let epoch = Instant::now();
    let arrivals: Arc<Vec<AtomicU64>> = Arc::new((0..target * FANOUT_MESSAGES).map(|_| AtomicU64::new(0)).collect());
    let mut readers = Vec::with_capacity(target);
    let mut failed = 0;
    let mut first_error = None;
    let base = Arc::new(server.base.clone());
    let tokens = Arc::new(world.tokens.clone());
    let t0 = Instant::now();
    let chunks = 5;
    for c in 0..chunks {
        let from = target * c / chunks;
        let to = target * (c + 1) / chunks;
        let (b, t) = (base.clone(), tokens.clone());
        let opened = serve::load(to - from, 64, move |k| {
            let (b, t) = (b.clone(), t.clone());
            let i = from + k;
            async move { connect(&b, &t[i % participants], Some(address_of(i))).await }
        })
        .await;
        for (k, r, _) in opened.results {
            match r {
                Ok(ws) => readers.push(tokio::spawn(read(ws, from + k, target, epoch, arrivals.clone()))),
                Err(e) => {
                    failed += 1;
                    first_error.get_or_insert(format!("{e:#}"));
                }
            }
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
        let rss = super::rss_mib(server)?;
        eprintln!(
            "  idle sockets: {} open ({failed} failed), server VmRSS {rss:.1} MiB",
            readers.len()
        );
        points.push((readers.len(), rss));
        if failed > 0 && first_error.is_some() && readers.len() < to / 2 {
            break;
        }
    }
    let open_wall = t0.elapsed();
    let opened = readers.len();

    // Idle: what the open sockets cost the server's CPU.
    let cpu0 = server.cpu()?;
    let w0 = Instant::now();
    tokio::time::sleep(Duration::from_secs(watch_secs)).await;
    let watch_cpu = server.cpu()?.since(cpu0);
    let watch = w0.elapsed();
    let rss_after_watch = super::rss_mib(server)?;

    // Messages to all of them, one after the other: each once the one
    // before reached every socket (or a minute passed).
    let mut fanouts = Vec::new();
    for m in 0..FANOUT_MESSAGES {
        let mine = &arrivals[m * target..(m + 1) * target];
        let sent = epoch.elapsed().as_nanos() as u64;
        let resp = world.clients[0]
            .post(format!("{}/api/v1/threads/{}/messages", server.base, world.thread_id))
            .bearer_auth(&world.tokens[0])
            .json(&json!({ "body": format!("m{m} fan-out to every idle socket") }))
            .send()
            .await?;
        serve::expect(resp, reqwest::StatusCode::CREATED).await?;
        let post_ms = (epoch.elapsed().as_nanos() as u64 - sent) as f64 / 1e6;
        let deadline = Instant::now() + Duration::from_secs(60);
        let count = || mine.iter().filter(|a| a.load(Ordering::Relaxed) > 0).count();
        while count() < opened && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let arrived: Vec<f64> = mine
            .iter()
            .map(|a| a.load(Ordering::Relaxed))
            .filter(|a| *a > 0)
            .map(|a| ms(Duration::from_nanos(a.saturating_sub(sent))))
            .collect();
        fanouts.push(Fanout {
            ms: sorted(&arrived),
            post_ms,
        });
    }
    for r in readers {
        r.abort();
    }
    Ok(IdleReport {
        asked,
        files,
        target,
        opened,
        failed,
        first_error,
        points,
        open_wall,
        watch,
        watch_cpu,
        rss_after_watch,
        fanouts,
    })
}

/// Reads the socket until it closes; notes when each fan-out message
/// (`m<k> …`) arrives, in `arrivals[k * sockets + i]`.
async fn read(mut ws: Ws, i: usize, sockets: usize, epoch: Instant, arrivals: Arc<Vec<AtomicU64>>) {
    while let Some(frame) = ws.next().await {
        match frame {
            Ok(Message::Text(t)) if t.contains("\"body\":\"m") => {
                let k = (0..FANOUT_MESSAGES)
                    .find(|k| t.contains(&format!("\"body\":\"m{k} ")))
                    .unwrap_or(0);
                let _ = arrivals[k * sockets + i].compare_exchange(
                    0,
                    epoch.elapsed().as_nanos() as u64,
                    Ordering::Relaxed,
                    Ordering::Relaxed,
                );
            }
            Ok(_) => {}
            Err(_) => break,
        }
    }
}

pub fn render(backend: Backend, r: &IdleReport) -> String {
    let mut out = format!(
        "### Idle WebSockets on one node ({}; {} asked, {} under the open-file limit of {})\n\n",
        backend.name(),
        r.asked,
        r.target,
        r.files
    );
    out.push_str("| sockets open | server VmRSS (MiB) | per socket since none (KiB) |\n|---:|---:|---:|\n");
    let base = r.points.first().map_or(0.0, |p| p.1);
    for &(n, rss) in &r.points {
        let per = if n > 0 {
            format!("{:.1}", (rss - base) * 1024.0 / n as f64)
        } else {
            "–".into()
        };
        out.push_str(&format!("| {n} | {rss:.1} | {per} |\n"));
    }
    let last = r.points.last().copied().unwrap_or((0, base));
    let per_kib = if last.0 > 0 {
        (last.1 - base) * 1024.0 / last.0 as f64
    } else {
        f64::NAN
    };
    let within = (2048.0 - base) * 1024.0 / per_kib;
    out.push_str(&format!(
        "\n{} sockets opened in {:.1} s ({} failed{}). Memory: {per_kib:.1} KiB per idle socket over a base of {base:.1} MiB, \
         so **about {:.0} idle WebSockets within 2 GiB** (2048 MiB − base, divided by the per-socket cost).\n",
        r.opened,
        r.open_wall.as_secs_f64(),
        r.failed,
        r.first_error
            .as_ref()
            .map(|e| format!("; first failure: {e}"))
            .unwrap_or_default(),
        within
    ));
    out.push_str(&format!(
        "\nIdle for {:.0} s with {} sockets open: server CPU {:.2} s user + {:.2} s system ({:.1} % of one core); VmRSS then {:.1} MiB.\n",
        r.watch.as_secs_f64(),
        r.opened,
        r.watch_cpu.user.as_secs_f64(),
        r.watch_cpu.sys.as_secs_f64(),
        100.0 * (r.watch_cpu.user + r.watch_cpu.sys).as_secs_f64() / r.watch.as_secs_f64(),
        r.rss_after_watch
    ));
    if r.target < r.asked && last.0 > 0 {
        out.push_str(&format!(
            "\nAt the {} asked (not reachable here: open-file limit): base + {} × {per_kib:.1} KiB = **{:.0} MiB** projected.\n",
            r.asked,
            r.asked,
            base + per_kib * r.asked as f64 / 1024.0
        ));
    }
    let what = [
        "first, after the idle watch: every stream checks who may see the thread again",
        "second, once the first reached every socket: the checks cached",
    ];
    out.push_str("\nMessages posted, one after the other, to the thread all of them follow:\n\n");
    out.push_str("| message | POST answered (ms) | reached | post → arrival p50 (ms) | p99 (ms) | max (ms) |\n|---|---:|---:|---:|---:|---:|\n");
    for (k, f) in r.fanouts.iter().enumerate() {
        out.push_str(&format!(
            "| {} | {:.1} | {} / {} | {:.1} | {:.1} | {:.1} |\n",
            what.get(k).copied().unwrap_or("next"),
            f.post_ms,
            f.ms.len(),
            r.opened,
            percentile(&f.ms, 50.0),
            percentile(&f.ms, 99.0),
            f.ms.last().copied().unwrap_or(f64::NAN),
        ));
    }
    out.push('\n');
    out
}
