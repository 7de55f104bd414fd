//! `cercle-bench threads`: real-time delivery of discussion messages,
//! measured from the outside on a release `cercle serve` (one node).
//!
//! For each backend (SQLite in a temporary data folder, PostgreSQL in a
//! scratch database created and dropped here):
//!
//! 1. **Setup** (not timed, see [`setup`]): people sign up through the API
//!    (each from its own loopback address) and confirm their address with
//!    the code the server queued; one organization with all of them as
//!    members is written into the database; a patient file and one clinical
//!    thread are created through the API, with everyone a participant.
//! 2. **Load** (see [`load`]): `--listeners` participants open the event
//!    WebSocket (`GET /api/v1/events`); for each rate of `--rates`, an
//!    open-loop scheduler posts `POST /api/v1/threads/{id}/messages` at that
//!    rate for `--seconds`, round-robin over the senders. Each body carries
//!    a sequence number; the send instant is kept in this process, so a
//!    listener computes send→deliver latency on the same monotonic clock.
//!    The server's own histograms (`/metrics`, see [`stages`]) are read
//!    before and after each rate: where the time went inside the server.
//! 3. **Idle sockets** (see [`idle`]): on a fresh server over the same
//!    database, `--idle-sockets` authenticated WebSockets are opened and
//!    left idle; the server's resident memory is read at steps, and two
//!    messages are then fanned out to all of them, one after the other.

mod idle;
mod load;
pub(crate) mod nodes;
pub(crate) mod setup;
pub(crate) mod sockets;
mod stages;

use crate::scratch::Scratch;
use crate::serve::{self, Server};
use crate::stats::mib;
use anyhow::{bail, Context};
use cercle_store::Backend;
use std::path::{Path, PathBuf};

#[derive(clap::Args)]
pub struct ThreadsArgs {
    /// The `cercle` binary to measure (default: `$CARGO_TARGET_DIR/release/cercle`,
    /// else next to this program, else `./target/release/cercle`).
    #[arg(long)]
    cercle: Option<PathBuf>,
    #[command(flatten)]
    db: crate::scratch::Databases,
    /// Participants listening on the event WebSocket.
    #[arg(long, default_value_t = 20)]
    listeners: usize,
    /// Target send rates (messages per second), one measurement each, rising.
    #[arg(long, value_delimiter = ',', default_value = "100,250,500,1000,2000,4000")]
    rates: Vec<u32>,
    /// Duration of each rate, in seconds.
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// People posting, round-robin (0: enough that none posts more than 100
    /// messages in the whole run, below the server's 120 per minute).
    #[arg(long, default_value_t = 0)]
    senders: usize,
    /// Sends in flight at most; beyond, the scheduler waits (and falls behind).
    #[arg(long, default_value_t = 1024)]
    max_in_flight: usize,
    /// Go on with the next rate even when one fell short.
    #[arg(long)]
    all_rates: bool,
    /// Idle WebSockets to open (0: skip), capped by the open-file limit.
    #[arg(long, default_value_t = 50_000)]
    idle_sockets: usize,
    /// Seconds to watch the server's CPU once the idle sockets are open.
    #[arg(long, default_value_t = 35)]
    idle_watch: u64,
    /// Keep the data folder / PostgreSQL database instead of removing them.
    #[arg(long)]
    keep: bool,
    /// Write each acknowledged post (`rate,seq,sent_ms,post_ms`: when it
    /// was sent since the run began, how long its answer took) to this CSV
    /// file, to see whether slow answers come together (a stall) or apart.
    #[arg(long)]
    posts_csv: Option<PathBuf>,
}

/// Messages one sender posts at most in the whole run (server: 120 per minute).
const PER_SENDER: u64 = 100;

pub async fn run(args: &ThreadsArgs) -> anyhow::Result<()> {
    if args.listeners == 0 || args.rates.is_empty() || args.seconds == 0 || args.max_in_flight == 0 {
        bail!("--listeners, --rates, --seconds and --max-in-flight must not be empty or 0");
    }
    let cercle = serve::cercle_binary(args.cercle.as_deref())?;
    let (files, refused) = idle::raise_open_files();
    let refused = refused.map(|r| format!(" ({r})")).unwrap_or_default();
    eprintln!(
        "cercle-bench threads: binary {}; open files: {files}{refused} (inherited by the server)",
        cercle.display()
    );
    let backends = args.db.backend.backends();
    let mut out = String::new();
    out.push_str(&format!(
        "Open-file limit (soft = hard) of this program and of the server: {files}{refused}.\n\n"
    ));
    for (k, &backend) in backends.iter().enumerate() {
        let root = std::env::temp_dir().join(format!(
            "cercle-bench-threads-{}-{}",
            backend.name(),
            std::process::id()
        ));
        std::fs::create_dir_all(&root).with_context(|| format!("creating {}", root.display()))?;
        let scratch = match backend {
            Backend::Postgres => Some(Scratch::create(backend, &args.db.postgres, "threads").await?),
            Backend::Sqlite => None,
        };
        let db_url = match &scratch {
            Some(s) => s.url.clone(),
            None => format!("sqlite://{}", root.join("data").join("cercle.db").display()),
        };
        // The idle sockets are measured once, on the first backend.
        let idle_target = if k == 0 { args.idle_sockets } else { 0 };
        let result = one_backend(
            args,
            &cercle,
            &root,
            backend,
            &db_url,
            scratch.is_some(),
            idle_target,
            files,
        )
        .await;
        if let Some(s) = scratch {
            s.finish(args.keep).await;
        }
        if args.keep {
            eprintln!("cercle-bench threads: kept {}", root.display());
        } else {
            let _ = std::fs::remove_dir_all(&root);
        }
        out.push_str(&result?);
    }
    println!("{out}");
    Ok(())
}

fn server_env(db_url: &str, postgres: bool) -> Vec<(&'static str, String)> {
    let mut env = vec![
        // The per-address request limiter stays out of the way (every
        // person has its own address anyway).
        ("CERCLE_REQUESTS_PER_SEC", "1000000".to_string()),
        // Accounts are only set up here: cheap hashes make the setup quick;
        // nothing is hashed while messages are measured.
        ("CERCLE_ARGON2_MEMORY_KIB", "1024".to_string()),
        ("CERCLE_ARGON2_ITERATIONS", "1".to_string()),
        ("CERCLE_ARGON2_PARALLELISM", "1".to_string()),
        // The benchmark reads the server's histograms at each step.
        ("CERCLE_METRICS_TOKEN", stages::TOKEN.to_string()),
    ];
    if postgres {
        env.push(("CERCLE_DATABASE_URL", db_url.to_string()));
    }
    env
}

#[allow(clippy::too_many_arguments)]
async fn one_backend(
    args: &ThreadsArgs,
    cercle: &Path,
    root: &Path,
    backend: Backend,
    db_url: &str,
    postgres: bool,
    idle_target: usize,
    files: u64,
) -> anyhow::Result<String> {
    let total: u64 = args.rates.iter().map(|r| u64::from(*r) * args.seconds).sum();
    let senders = if args.senders > 0 {
        args.senders
    } else {
        (total.div_ceil(PER_SENDER) as usize).max(args.listeners)
    };
    let people = senders.max(args.listeners);
    let env = server_env(db_url, postgres);
    let data = root.join("data");
    let (server, _) = serve::start(cercle, &data, &root.join("serve-load.log"), &env).await?;
    eprintln!(
        "{}: server pid {} at {}; setting up {people} people",
        backend.name(),
        server.pid,
        server.base
    );
    let outcome = async {
        let world = setup::build(&server, db_url, people).await?;
        let steps = load::run(args, &server, &world, senders).await?;
        anyhow::Ok((world, steps))
    }
    .await;
    let log = server.log.clone();
    server.stop().await?;
    let (world, steps) = outcome.with_context(|| format!("server log:\n{}", serve::tail(&log)))?;

    let mut out = String::new();
    out.push_str(&load::render(args, backend, senders, &steps));
    if idle_target > 0 {
        let (server, _) = serve::start(cercle, &data, &root.join("serve-idle.log"), &env).await?;
        let result = idle::run(&server, &world, idle_target, files, args.idle_watch).await;
        let log = server.log.clone();
        server.stop().await?;
        let report = result.with_context(|| format!("server log:\n{}", serve::tail(&log)))?;
        out.push_str(&idle::render(backend, &report));
    }
    Ok(out)
}

/// Resident memory of the server, in MiB.
fn rss_mib(server: &Server) -> anyhow::Result<f64> {
    Ok(mib(server.memory()?.rss_kib))
}
