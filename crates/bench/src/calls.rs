//! `cercle-bench calls`: what one node's selective forwarding unit carries.
//!
//! The unit (`cercle-sfu`, its own thread and UDP socket on loopback) and
//! synthetic participants from the same WebRTC stack (str0m clients, each
//! with its own socket, all driven by this thread): each sends an audio
//! packet every 20 ms and a 1000-byte video frame every 33 ms, the unit
//! forwards each to every other participant of its call. For each size
//! (`calls x participants`), once every participant receives every other,
//! it measures for `--seconds`:
//! * frames forwarded per second and Mbit/s written to receivers;
//! * the CPU time of the unit's thread (`/proc/thread-self/stat`, 10 ms
//!   ticks), as % of one core and per forwarded stream;
//! * the send→receive time of frames through the unit (loopback; the
//!   participants' own polling, 0.5 ms a round, is in it).
//!
//! The participants run on the same 2 cores as the unit: past a size, they
//! are the limit, not the unit (the received frames/s then fall short of
//! what was sent, which the table shows).

use crate::stats::{percentile, sorted};
use anyhow::Context;
use cercle_sfu::synthetic::Swarm;
use cercle_sfu::{Config, Unit};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

#[derive(clap::Args)]
pub struct CallsArgs {
    /// Sizes to measure: `calls x participants per call`, comma-separated.
    #[arg(long, default_value = "1x3,1x5,2x4,1x8")]
    sizes: String,
    /// Seconds measured for each size.
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// Seconds allowed for everyone to receive everyone.
    #[arg(long, default_value_t = 60)]
    connect_timeout: u64,
}

fn parse_sizes(raw: &str) -> anyhow::Result<Vec<(usize, usize)>> {
    raw.split(',')
        .map(|s| {
            let (c, p) = s
                .trim()
                .split_once('x')
                .with_context(|| format!("size {s:?}: calls x participants"))?;
            Ok((c.parse()?, p.parse()?))
        })
        .collect()
}

pub async fn run(args: &CallsArgs) -> anyhow::Result<()> {
    let sizes = parse_sizes(&args.sizes)?;
    let seconds = args.seconds;
    let connect = Duration::from_secs(args.connect_timeout);
    // The swarm blocks its thread (and waits for the unit on runtimes of
    // its own): a plain thread, outside this runtime.
    let rows = std::thread::spawn(move || -> anyhow::Result<Vec<String>> {
        sizes
            .into_iter()
            .map(|(calls, participants)| measure(calls, participants, seconds, connect))
            .collect()
    })
    .join()
    .map_err(|_| anyhow::anyhow!("the measuring thread panicked"))??;
    println!("| calls × participants | streams in | forwarded streams | frames/s forwarded (sent × receivers) | Mbit/s forwarded | unit CPU (% of a core) | CPU per forwarded stream (% of a core) | latency p50 / p99 (ms) |");
    println!("|---|---|---|---|---|---|---|---|");
    for r in rows {
        println!("{r}");
    }
    Ok(())
}

fn measure(calls: usize, participants: usize, seconds: u64, connect: Duration) -> anyhow::Result<String> {
    let mut config = Config::with_participants(SocketAddr::from(([127, 0, 0, 1], 0)), participants.max(2));
    config.max_calls = calls.max(1);
    let (handle, signals) = Unit::start(config)?;
    let mut swarm = Swarm::new(handle, signals);
    let mut index = 0u8;
    for c in 0..calls {
        for p in 0..participants {
            index = index.wrapping_add(1);
            swarm
                .join(&format!("call-{c}"), &format!("p-{c}-{p}"), index)
                .map_err(|e| anyhow::anyhow!("join: {e}"))?;
        }
    }
    let everyone = swarm
        .run_until(connect, |s| {
            s.clients.iter().all(|(call, _, c)| {
                s.clients
                    .iter()
                    .filter(|(other_call, _, o)| other_call == call && o.index != c.index)
                    .all(|(_, _, o)| c.from(o.index).video > 0 && c.from(o.index).audio > 0)
            })
        })
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    anyhow::ensure!(
        everyone,
        "{calls}x{participants}: not everyone received everyone within {connect:?}"
    );
    for (_, _, c) in &mut swarm.clients {
        c.latencies_us.clear();
    }
    let wait = Duration::from_secs(10);
    let before = swarm.handle.stats().wait(wait).map_err(|e| anyhow::anyhow!("{e}"))?;
    let start = Instant::now();
    swarm
        .run_for(Duration::from_secs(seconds))
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let elapsed = start.elapsed().as_secs_f64();
    let after = swarm.handle.stats().wait(wait).map_err(|e| anyhow::anyhow!("{e}"))?;
    let frames = (after.forwarded_frames - before.forwarded_frames) as f64 / elapsed;
    let mbits = (after.forwarded_bytes - before.forwarded_bytes) as f64 * 8.0 / elapsed / 1e6;
    let cpu = match (before.cpu_ms, after.cpu_ms) {
        (Some(b), Some(a)) => Some((a - b) as f64 / 10.0 / elapsed),
        _ => None,
    };
    let streams_in = calls * participants * 2;
    let forwarded = calls * participants * (participants - 1) * 2;
    // 50 audio packets and 30.3 video frames a second on each stream pair.
    let expected = (calls * participants * (participants - 1)) as f64 * (50.0 + 1000.0 / 33.0);
    let latencies: Vec<f64> = swarm
        .clients
        .iter()
        .flat_map(|(_, _, c)| c.latencies_us.iter().map(|us| *us as f64 / 1000.0))
        .collect();
    let l = sorted(&latencies);
    let cpu_text = cpu.map(|c| format!("{c:.1}")).unwrap_or_else(|| "–".into());
    let per_stream = cpu
        .map(|c| format!("{:.2}", c / forwarded as f64))
        .unwrap_or_else(|| "–".into());
    Ok(format!(
        "| {calls} × {participants} | {streams_in} | {forwarded} | {frames:.0} ({expected:.0}) | {mbits:.2} | {cpu_text} | {per_stream} | {:.2} / {:.2} |",
        percentile(&l, 50.0),
        percentile(&l, 99.0)
    ))
}
