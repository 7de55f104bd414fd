//! `cercle-bench node-sockets` (hidden; started by `cercle-bench nodes`):
//! holds idle authenticated event WebSockets to one node, in a process of
//! its own. The container's open-file limit is 20,000 per process and cannot
//! be raised (section 10 of docs/benchmarks.md), so the client side of more
//! than ~19,000 sockets must be spread over several processes.
//!
//! It writes one JSON object per line on its standard output:
//!
//! * `{"opened":n,"failed":f,"error":"…"}` once every socket was tried;
//! * `{"m":k,"s":j,"t":ns}`: socket `j` received the message whose body
//!   starts with `n<k> `, at `t` nanoseconds of `CLOCK_MONOTONIC` (one clock
//!   for every process of the machine, so the parent can subtract its own
//!   send instant);
//! * `{"reopened":j}`: socket `j`'s stream was closed by the node and
//!   opened again with `?since=` its last event, as a page does (what it
//!   missed is replayed and reported as arrivals);
//! * `{"closed":j}`: socket `j`'s stream ended and could not be opened
//!   again.
//!
//! It exits when its standard input closes: the parent closes it to stop
//! it, and the kernel closes it when the parent dies, so no socket holder
//! outlives a benchmark.

use super::load::{connect_since, event_id_in, Opened};
use crate::serve;
use anyhow::{bail, Context};
use futures_util::StreamExt;
use std::io::Write;
use std::net::{IpAddr, Ipv4Addr};
use std::path::PathBuf;
use std::sync::mpsc;
use std::sync::Arc;
use tokio_tungstenite::tungstenite::Message;

#[derive(clap::Args)]
pub struct SocketsArgs {
    /// The node, `http://127.0.0.1:<port>`.
    #[arg(long)]
    base: String,
    /// Bearer tokens, one a line; socket `j` uses token `(first + j) % count`.
    #[arg(long)]
    tokens: PathBuf,
    /// Sockets to open.
    #[arg(long)]
    count: usize,
    /// Index of this process's first socket among all of the run's (spreads the people).
    #[arg(long, default_value_t = 0)]
    first: usize,
    /// Source addresses 127.3.<block>.x: one block per process, so that no
    /// two processes share an address's ephemeral ports.
    #[arg(long)]
    block: u8,
}

/// Sockets per source address (an address has ~28,000 ephemeral ports).
const SOCKETS_PER_ADDRESS: usize = 10_000;

/// The source address of socket `j` of the process with `block`.
pub fn address_of(block: u8, j: usize) -> IpAddr {
    IpAddr::V4(Ipv4Addr::new(127, 3, block, 1 + (j / SOCKETS_PER_ADDRESS) as u8))
}

/// `CLOCK_MONOTONIC` in nanoseconds: the same clock in every process.
pub fn mono_ns() -> u64 {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: clock_gettime writes into a struct we own.
    unsafe {
        libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts);
    }
    ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
}

/// The `k` of a fan-out message's frame (`"body":"n<k> …`).
pub fn mark_in(frame: &str) -> Option<usize> {
    let rest = &frame[frame.find("\"body\":\"n")? + 9..];
    let end = rest.find(|c: char| !c.is_ascii_digit())?;
    if !rest[end..].starts_with(' ') {
        return None;
    }
    rest[..end].parse().ok()
}

pub async fn run(args: &SocketsArgs) -> anyhow::Result<()> {
    let (files, _) = super::idle::raise_open_files();
    if args.count as u64 + 100 > files {
        bail!(
            "{} sockets asked, {files} open files at most in this process",
            args.count
        );
    }
    let text = std::fs::read_to_string(&args.tokens).with_context(|| format!("reading {}", args.tokens.display()))?;
    let tokens: Vec<String> = text.lines().filter(|l| !l.is_empty()).map(str::to_string).collect();
    if tokens.is_empty() {
        bail!("no token in {}", args.tokens.display());
    }

    // Stop when standard input closes (the parent stopped us, or died).
    std::thread::spawn(|| {
        let _ = std::io::copy(&mut std::io::stdin().lock(), &mut std::io::sink());
        std::process::exit(0);
    });
    // One writer, so that lines never interleave; it flushes whenever it
    // has caught up.
    let (out, lines) = mpsc::channel::<String>();
    std::thread::spawn(move || {
        let mut w = std::io::BufWriter::new(std::io::stdout().lock());
        while let Ok(line) = lines.recv() {
            let _ = writeln!(w, "{line}");
            while let Ok(more) = lines.try_recv() {
                let _ = writeln!(w, "{more}");
            }
            if w.flush().is_err() {
                std::process::exit(0);
            }
        }
    });

    let base = Arc::new(args.base.clone());
    let tokens = Arc::new(tokens);
    let (first, block) = (args.first, args.block);
    let opened = {
        let (base, tokens) = (base.clone(), tokens.clone());
        serve::load(args.count, 64, move |j| {
            let (b, t) = (base.clone(), tokens.clone());
            async move { connect_since(&b, &t[(first + j) % t.len()], Some(address_of(block, j)), None).await }
        })
        .await
    };
    let mut ok = 0;
    let mut failed = 0;
    let mut error = None;
    for (j, r, _) in opened.results {
        match r {
            Ok(stream) => {
                ok += 1;
                let socket = Socket {
                    j,
                    base: base.clone(),
                    token: tokens[(first + j) % tokens.len()].clone(),
                    local: address_of(block, j),
                };
                tokio::spawn(read(stream, socket, out.clone()));
            }
            Err(e) => {
                failed += 1;
                error.get_or_insert(format!("{e:#}"));
            }
        }
    }
    let report = serde_json::json!({ "opened": ok, "failed": failed, "error": error });
    out.send(report.to_string())?;
    // The readers run until the parent closes our standard input.
    std::future::pending::<()>().await;
    Ok(())
}

/// Socket `j` of this process: where it connects, as whom, from where.
struct Socket {
    j: usize,
    base: Arc<String>,
    token: String,
    local: IpAddr,
}

/// How often a closed stream is opened again before it counts as closed.
const REOPEN_TRIES: u64 = 10;

/// Notes when each fan-out message reaches socket `j`. When the node
/// closes the stream, opens it again from its last event as a page does
/// (the parent counts what it then replays as arrivals, later); gives up
/// after [`REOPEN_TRIES`].
async fn read(stream: Opened, socket: Socket, out: mpsc::Sender<String>) {
    let j = socket.j;
    let mut last = stream.ready;
    let mut ws = stream.ws;
    loop {
        while let Some(frame) = ws.next().await {
            match frame {
                Ok(Message::Text(t)) => note(&t, j, &mut last, &out),
                Ok(_) => {}
                Err(_) => break,
            }
        }
        let mut back = None;
        for attempt in 0..REOPEN_TRIES {
            // Spread out, so that streams closed together do not all come back at once.
            let wait = 200 * (attempt + 1) + (j as u64 % 10) * 50;
            tokio::time::sleep(std::time::Duration::from_millis(wait)).await;
            if let Ok(again) = connect_since(&socket.base, &socket.token, Some(socket.local), last).await {
                back = Some(again);
                break;
            }
        }
        let Some(again) = back else { break };
        let _ = out.send(format!("{{\"reopened\":{j}}}"));
        for t in &again.missed {
            note(t, j, &mut last, &out);
        }
        ws = again.ws;
    }
    let _ = out.send(format!("{{\"closed\":{j}}}"));
}

/// One frame of socket `j`: its event id moves `last`; a fan-out mark is an arrival.
fn note(frame: &str, j: usize, last: &mut Option<i64>, out: &mpsc::Sender<String>) {
    if let Some(id) = event_id_in(frame) {
        *last = Some(last.map_or(id, |l| l.max(id)));
    }
    if let Some(k) = mark_in(frame) {
        let at = mono_ns();
        let _ = out.send(format!("{{\"m\":{k},\"s\":{j},\"t\":{at}}}"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_fan_out_mark() {
        assert_eq!(mark_in(r#"{"type":"message","body":"n12 fan-out"}"#), Some(12));
        assert_eq!(mark_in(r#"{"body":"n0 x"}"#), Some(0));
        // The load's messages (`m<seq>`) and other bodies are not marks.
        assert_eq!(mark_in(r#"{"body":"m3 x"}"#), None);
        assert_eq!(mark_in(r#"{"body":"nothing"}"#), None);
        assert_eq!(mark_in(r#"{"body":"n7"}"#), None);
    }

    #[test]
    fn addresses_by_block_and_socket() {
        assert_eq!(address_of(2, 0), IpAddr::V4(Ipv4Addr::new(127, 3, 2, 1)));
        assert_eq!(address_of(2, 9_999), address_of(2, 0));
        assert_eq!(address_of(2, 10_000), IpAddr::V4(Ipv4Addr::new(127, 3, 2, 2)));
        assert_ne!(address_of(1, 0), address_of(2, 0));
    }
}
