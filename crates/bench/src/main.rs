//! `cercle-bench`: benchmark program (not a test). Prints Markdown.
//!
//! * `cercle-bench [serve] [options]`: cold start, idle memory and
//!   Argon2id-bound sign-up/sign-in throughput of a release `cercle serve`,
//!   measured from the outside (see `serve.rs`);
//! * `cercle-bench audit [options]`: audit search latency over generated
//!   events on SQLite and PostgreSQL, through the same store function the
//!   API uses (see `audit/`);
//! * `cercle-bench search [options]`: network search latency over a
//!   generated network of people and workplaces on SQLite and PostgreSQL,
//!   through the same store function the API uses (see `search/`).
//! * `cercle-bench threads [options]`: real-time delivery of discussion
//!   messages (acknowledged sends/s, send→deliver latency) and idle
//!   WebSockets per node, on a release `cercle serve` (see `threads/`).
//! * `cercle-bench attachments [options]`: peak memory growth of a release
//!   `cercle serve` while 64 MiB files are uploaded, and upload/download
//!   throughput (see `attachments.rs`).
//! * `cercle-bench notifications [options]`: in process, the cost of
//!   recording notifications when a message is posted (fan-out to 10, 100,
//!   1000 participants) and the throughput of the notification worker, on
//!   SQLite and PostgreSQL (see `notifications.rs`).
//! * `cercle-bench calls [options]`: the participants and forwarded
//!   streams one selective forwarding unit carries, its CPU per forwarded
//!   stream and the latency it adds, the unit in a child process of its own
//!   (`calls-unit`, hidden) and synthetic str0m participants on loopback
//!   in this one (see `calls.rs`, `calls_unit.rs`).
//! * `cercle-bench nodes [options]`: several `cercle serve` on one
//!   PostgreSQL database, idle WebSockets spread over them (held by child
//!   processes, `node-sockets`, hidden), and messages posted through one
//!   reaching every socket of every node (see `threads/nodes.rs`).
//! * `cercle-bench scale [options]`: the latency of what users do most
//!   over HTTP on a release `cercle serve` holding 1× and 10× the demo's
//!   data, on SQLite and PostgreSQL (see `scale.rs`).
//! * `cercle-bench disk [options]`: the latency of a durable write
//!   (append and `fdatasync`) on this machine's disk, the floor under every
//!   commit (see `disk.rs`).
//! * `cercle-bench hops [options]`: the processor one SQLite read costs
//!   through sqlx's driver (a thread per connection) against rusqlite on the
//!   caller's thread (see `hops.rs`).

mod attachments;
mod audit;
mod blobs;
mod calls;
mod calls_unit;
mod disk;
mod hops;
mod notifications;
mod scale;
mod scratch;
mod search;
mod serve;
mod stats;
mod threads;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "cercle-bench",
    about = "Benchmarks of Cercle: `serve` (the default), `audit`, `search`, `threads`, `attachments`, `notifications`, `blobs`, `calls`, `nodes`, `scale`, `disk` and `hops`",
    args_conflicts_with_subcommands = true
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    /// Options of `serve`, when no subcommand is given.
    #[command(flatten)]
    serve: serve::ServeArgs,
}

#[derive(Subcommand)]
enum Command {
    /// Cold start, idle memory and sign-in throughput of `cercle serve` (the default).
    Serve(serve::ServeArgs),
    /// Audit search latency (p50/p99) over generated events, SQLite and/or PostgreSQL.
    Audit(audit::AuditArgs),
    /// Network search latency (p50/p99) over generated profiles, SQLite and/or PostgreSQL.
    Search(search::SearchArgs),
    /// Discussions: acknowledged sends/s, send→deliver latency, idle WebSockets per node.
    Threads(threads::ThreadsArgs),
    /// Attachments: server memory growth while 64 MiB files are uploaded, upload/download MB/s.
    Attachments(attachments::AttachmentsArgs),
    /// Notifications: post latency by fan-out size, worker rows/s and round latency.
    Notifications(notifications::NotificationsArgs),
    /// Attachments' blob stores: MB/s stored and read, range latency, local disk and S3.
    Blobs(blobs::BlobsArgs),
    /// Calls' forwarding unit: streams carried, CPU per forwarded stream, added latency.
    Calls(calls::CallsArgs),
    /// Several nodes on one PostgreSQL database: idle WebSockets per node, fan-out to all of them.
    Nodes(threads::nodes::NodesArgs),
    /// Idle WebSockets to one node, held in a process of its own (started by `nodes`).
    #[command(hide = true)]
    NodeSockets(threads::sockets::SocketsArgs),
    /// Latency of sign-in, home, threads, search, patient files, audit at 1× and 10× the demo's data.
    Scale(scale::ScaleArgs),
    /// The forwarding unit of `calls`, in a process of its own (started by `calls`).
    #[command(hide = true)]
    CallsUnit(calls_unit::UnitArgs),
    /// The disk's sync latency (append + fdatasync): p50/p99/max, syncs/s.
    Disk(disk::DiskArgs),
    /// One SQLite read's processor: sqlx's driver against rusqlite on the caller's thread.
    Hops(hops::HopsArgs),
}

#[tokio::main]
async fn main() {
    let cli = Cli::parse();
    let result = match &cli.command {
        None => serve::run(&cli.serve).await,
        Some(Command::Serve(args)) => serve::run(args).await,
        Some(Command::Audit(args)) => audit::run(args).await,
        Some(Command::Search(args)) => search::run(args).await,
        Some(Command::Threads(args)) => threads::run(args).await,
        Some(Command::Attachments(args)) => attachments::run(args).await,
        Some(Command::Notifications(args)) => notifications::run(args).await,
        Some(Command::Blobs(args)) => blobs::run(args).await,
        Some(Command::Calls(args)) => calls::run(args).await,
        Some(Command::Nodes(args)) => threads::nodes::run(args).await,
        Some(Command::NodeSockets(args)) => threads::sockets::run(args).await,
        Some(Command::Scale(args)) => scale::run(args).await,
        Some(Command::Disk(args)) => disk::run(args),
        Some(Command::Hops(args)) => hops::run(args),
        // Blocking (it waits on the unit outside this runtime): a thread.
        Some(Command::CallsUnit(args)) => std::thread::scope(|s| {
            s.spawn(|| calls_unit::serve(args))
                .join()
                .unwrap_or_else(|_| Err(anyhow::anyhow!("the unit's thread panicked")))
        }),
    };
    if let Err(e) = result {
        eprintln!("error: {e:#}");
        std::process::exit(2);
    }
}
