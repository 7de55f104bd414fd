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
//! By default the unit runs in a child process of its own (`cercle-bench
//! calls-unit`, see `calls_unit.rs`) and the participants in this one, so
//! that each process's CPU is measured apart (`/proc/<pid>/stat`): the
//! unit's process (its thread, its signalling) and the participants'.
//! `--in-process` keeps both in one process (the unit's thread's CPU only).
//! The participants still run on the same 2 cores as the unit: past a
//! size, they are the limit, not the unit (the received frames/s then fall
//! short of what was sent, which the table shows).

use crate::calls_unit::{process_cpu_ms, UnitProcess};
use crate::stats::{percentile, sorted};
use anyhow::Context;
use cercle_sfu::synthetic::{Client, Swarm};
use cercle_sfu::{Config, Unit};
use serde_json::Value;
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
    /// The unit in this process, beside the participants (by default it
    /// runs in a child process of its own: `calls-unit`).
    #[arg(long)]
    in_process: bool,
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
    let in_process = args.in_process;
    // The swarm blocks its thread (and waits for the unit on runtimes of
    // its own): a plain thread, outside this runtime.
    let rows = std::thread::spawn(move || -> anyhow::Result<Vec<String>> {
        sizes
            .into_iter()
            .map(|(calls, participants)| {
                if in_process {
                    measure(calls, participants, seconds, connect)
                } else {
                    measure_apart(calls, participants, seconds, connect)
                }
            })
            .collect()
    })
    .join()
    .map_err(|_| anyhow::anyhow!("the measuring thread panicked"))??;
    if in_process {
        println!("| calls × participants | streams in | forwarded streams | frames/s forwarded (sent × receivers) | Mbit/s forwarded | unit CPU (% of a core) | CPU per forwarded stream (% of a core) | latency p50 / p99 (ms) |");
        println!("|---|---|---|---|---|---|---|---|");
    } else {
        println!("| calls × participants | streams in | forwarded streams | frames/s forwarded (sent × receivers) | Mbit/s forwarded | unit thread CPU (% of a core) | unit process CPU (% of a core) | unit process CPU per forwarded stream (% of a core) | participants' process CPU (% of a core) | latency p50 / p99 (ms) |");
        println!("|---|---|---|---|---|---|---|---|---|---|");
    }
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

/// One size with the unit in a child process ([`UnitProcess`]) and the
/// participants in this one.
fn measure_apart(calls: usize, participants: usize, seconds: u64, connect: Duration) -> anyhow::Result<String> {
    let mut unit = UnitProcess::start(calls, participants)?;
    let base = Instant::now();
    let mut clients: Vec<(String, String, Client)> = Vec::new();
    let mut index = 0u8;
    for c in 0..calls {
        for p in 0..participants {
            index = index.wrapping_add(1);
            let (call, who) = (format!("call-{c}"), format!("p-{c}-{p}"));
            let (mut client, offer) = Client::new(index, base).map_err(|e| anyhow::anyhow!("client: {e}"))?;
            let answer = unit.join(&call, &who, &offer)?;
            client
                .accept_answer(&answer)
                .map_err(|e| anyhow::anyhow!("answer: {e}"))?;
            clients.push((call, who, client));
        }
    }
    // One round: the unit's offers answered, every client stepped, a short
    // sleep (the load generator's pace, as the in-process swarm's).
    let step = |unit: &mut UnitProcess, clients: &mut Vec<(String, String, Client)>| -> anyhow::Result<()> {
        while let Ok(o) = unit.offers.try_recv() {
            if let Some((_, _, c)) = clients.iter_mut().find(|(c, p, _)| *c == o.call && *p == o.participant) {
                let answer = c.accept_offer(&o.sdp).map_err(|e| anyhow::anyhow!("offer: {e}"))?;
                unit.answer(&o.call, &o.participant, &answer)?;
            }
        }
        for (_, _, c) in clients.iter_mut() {
            c.step();
        }
        #[allow(clippy::disallowed_methods)]
        std::thread::sleep(Duration::from_micros(500));
        Ok(())
    };
    let deadline = Instant::now() + connect;
    loop {
        step(&mut unit, &mut clients)?;
        let everyone = clients.iter().all(|(call, _, c)| {
            clients
                .iter()
                .filter(|(other_call, _, o)| other_call == call && o.index != c.index)
                .all(|(_, _, o)| c.from(o.index).video > 0 && c.from(o.index).audio > 0)
        });
        if everyone {
            break;
        }
        anyhow::ensure!(
            Instant::now() < deadline,
            "{calls}x{participants}: not everyone received everyone within {connect:?}"
        );
    }
    for (_, _, c) in &mut clients {
        c.latencies_us.clear();
    }
    let me = std::process::id();
    let before = unit.stats()?;
    let (unit_before, me_before) = (process_cpu_ms(unit.pid()), process_cpu_ms(me));
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(seconds) {
        step(&mut unit, &mut clients)?;
    }
    let elapsed = start.elapsed().as_secs_f64();
    let (unit_after, me_after) = (process_cpu_ms(unit.pid()), process_cpu_ms(me));
    let after = unit.stats()?;
    let n = |v: &Value, k: &str| v[k].as_u64().unwrap_or(0);
    let frames = n(&after, "forwarded_frames").saturating_sub(n(&before, "forwarded_frames")) as f64 / elapsed;
    let mbits = n(&after, "forwarded_bytes").saturating_sub(n(&before, "forwarded_bytes")) as f64 * 8.0 / elapsed / 1e6;
    let pct = |b: Option<u64>, a: Option<u64>| match (b, a) {
        (Some(b), Some(a)) => Some(a.saturating_sub(b) as f64 / 10.0 / elapsed),
        _ => None,
    };
    let thread_cpu = pct(before["cpu_ms"].as_u64(), after["cpu_ms"].as_u64());
    let unit_cpu = pct(unit_before, unit_after);
    let me_cpu = pct(me_before, me_after);
    let streams_in = calls * participants * 2;
    let forwarded = calls * participants * (participants - 1) * 2;
    let expected = (calls * participants * (participants - 1)) as f64 * (50.0 + 1000.0 / 33.0);
    let latencies: Vec<f64> = clients
        .iter()
        .flat_map(|(_, _, c)| c.latencies_us.iter().map(|us| *us as f64 / 1000.0))
        .collect();
    let l = sorted(&latencies);
    let text = |c: Option<f64>, d: usize| c.map(|c| format!("{c:.d$}")).unwrap_or_else(|| "–".into());
    Ok(format!(
        "| {calls} × {participants} | {streams_in} | {forwarded} | {frames:.0} ({expected:.0}) | {mbits:.2} | {} | {} | {} | {} | {:.2} / {:.2} |",
        text(thread_cpu, 1),
        text(unit_cpu, 1),
        text(unit_cpu.map(|c| c / forwarded as f64), 3),
        text(me_cpu, 1),
        percentile(&l, 50.0),
        percentile(&l, 99.0)
    ))
}
