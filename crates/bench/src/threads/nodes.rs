//! `cercle-bench nodes`: several `cercle serve` nodes on one PostgreSQL
//! database, each holding its share of idle authenticated WebSockets, and
//! messages posted through the first node reaching every socket of every
//! node (issue 16: "a second node on PostgreSQL that doubles the listeners
//! served").
//!
//! 1. **Setup** (not timed, [`super::setup`]): a scratch database, people
//!    signed up through a first server, one organization and one thread with
//!    all of them; that server is then stopped.
//! 2. For each count of `--nodes` (e.g. `1,2`): that many fresh `cercle
//!    serve` on the database, each on its own port and data folder, all with
//!    the same server key; they tell each other of new events through
//!    PostgreSQL (`LISTEN/NOTIFY`), or NATS with `--nats-url`.
//! 3. `--sockets-per-node` event streams per node, held by child processes
//!    of this program (`node-sockets`, one node each, at most
//!    `--sockets-per-child` sockets each): one process may hold at most
//!    20,000 descriptors here, so the client side must be spread too. Each
//!    node's `VmRSS` is read before and after, its CPU while they sit idle.
//! 4. `--messages` messages are posted through node 1, one after the other
//!    (each once the one before reached every socket, or `--wait` seconds
//!    passed). The children report each socket's arrival on
//!    `CLOCK_MONOTONIC`, the same clock as the send instant here: per node,
//!    how many arrived (none may be lost), post → arrival p50/p99, and the
//!    node's CPU while it fanned them out.
//!
//! Every wait is bounded. Servers and children are killed when dropped
//! (every early return), die with this process (`PR_SET_PDEATHSIG`), and
//! the children also stop when their standard input closes.

use super::setup::{self, World};
use super::sockets::mono_ns;
use crate::scratch::Scratch;
use crate::serve::{self, Cpu, Server};
use crate::stats::{mib, percentile, sorted};
use anyhow::{bail, Context};
use cercle_store::Backend;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};
use tokio::io::AsyncBufReadExt;
use tokio::sync::mpsc;

#[derive(clap::Args)]
pub struct NodesArgs {
    /// The `cercle` binary to measure (default: `$CARGO_TARGET_DIR/release/cercle`,
    /// else next to this program, else `./target/release/cercle`).
    #[arg(long)]
    cercle: Option<PathBuf>,
    /// PostgreSQL server (any existing database on it): a scratch database
    /// `cercle_bench_nodes_<random>` is created there, then dropped.
    #[arg(
        long,
        env = "CERCLE_BENCH_POSTGRES",
        default_value = "postgres://postgres@127.0.0.1:5432/postgres"
    )]
    postgres: String,
    /// Node counts to measure, one run each, on the same database.
    #[arg(long, value_delimiter = ',', default_value = "1,2")]
    nodes: Vec<usize>,
    /// Idle WebSockets per node (a node holds at most its open-file limit
    /// minus what it needs for the rest: ~19,400 here).
    #[arg(long, default_value_t = 19_000)]
    sockets_per_node: usize,
    /// Sockets one child process holds at most (its own open-file limit).
    #[arg(long, default_value_t = 19_000)]
    sockets_per_child: usize,
    /// People in the thread; the sockets are spread over them.
    #[arg(long, default_value_t = 100)]
    people: usize,
    /// Messages posted through node 1, one after the other.
    #[arg(long, default_value_t = 3)]
    messages: usize,
    /// Seconds to watch the nodes' CPU once the sockets are open.
    #[arg(long, default_value_t = 10)]
    idle_watch: u64,
    /// Seconds each message may take to reach every socket.
    #[arg(long, default_value_t = 60)]
    wait: u64,
    /// Seconds the sockets of a run may take to open, all children together.
    #[arg(long, default_value_t = 900)]
    open_timeout: u64,
    /// Tell the nodes of each other's events through this NATS server
    /// (e.g. nats://127.0.0.1:4222) instead of PostgreSQL's LISTEN/NOTIFY.
    #[arg(long)]
    nats_url: Option<String>,
    /// Keep the data folders and the PostgreSQL database.
    #[arg(long)]
    keep: bool,
}

/// One child process's share: `count` sockets to node `node`; `first` is
/// the index of its first socket among the run's (which person it starts
/// with).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Share {
    pub node: usize,
    pub count: usize,
    pub first: usize,
}

/// Splits `total` into `parts` counts differing by at most one.
pub fn split_even(total: usize, parts: usize) -> Vec<usize> {
    if parts == 0 {
        return Vec::new();
    }
    (0..parts)
        .map(|k| total / parts + usize::from(k < total % parts))
        .collect()
}

/// The children of a run: every node gets `per_node` sockets, held by as
/// few children as `per_child` allows, split evenly among them.
pub fn plan(nodes: usize, per_node: usize, per_child: usize) -> Vec<Share> {
    let mut shares = Vec::new();
    if per_child == 0 {
        return shares;
    }
    let mut first = 0;
    for node in 0..nodes {
        for count in split_even(per_node, per_node.div_ceil(per_child)) {
            shares.push(Share { node, count, first });
            first += count;
        }
    }
    shares
}

pub async fn run(args: &NodesArgs) -> anyhow::Result<()> {
    if args.nodes.is_empty() || args.nodes.contains(&0) || args.sockets_per_node == 0 || args.people == 0 {
        bail!("--nodes, --sockets-per-node and --people must not be empty or 0");
    }
    if args.sockets_per_child == 0 || args.messages == 0 {
        bail!("--sockets-per-child and --messages must not be 0");
    }
    let children = args
        .nodes
        .iter()
        .map(|&n| plan(n, args.sockets_per_node, args.sockets_per_child).len());
    if children.max().unwrap_or(0) > 255 {
        bail!("more than 255 child processes in a run (one source address block each)");
    }
    let cercle = serve::cercle_binary(args.cercle.as_deref())?;
    let (files, refused) = super::idle::raise_open_files();
    let refused = refused.map(|r| format!(" ({r})")).unwrap_or_default();
    eprintln!(
        "cercle-bench nodes: binary {}; open files per process: {files}{refused}",
        cercle.display()
    );
    if args.sockets_per_node as u64 + 300 > files {
        eprintln!(
            "  warning: {} sockets per node under an open-file limit of {files}: some will be refused",
            args.sockets_per_node
        );
    }
    let root = std::env::temp_dir().join(format!("cercle-bench-nodes-{}", std::process::id()));
    std::fs::create_dir_all(&root).with_context(|| format!("creating {}", root.display()))?;
    let scratch = Scratch::create(Backend::Postgres, &args.postgres, "nodes").await?;
    // Everything that runs processes is inside: when it returns, early or
    // not, they have been stopped or killed (dropped), and only then is the
    // database dropped.
    let result = measure(args, &cercle, &root, &scratch.url).await;
    scratch.finish(args.keep).await;
    if args.keep {
        eprintln!("cercle-bench nodes: kept {}", root.display());
    } else {
        let _ = std::fs::remove_dir_all(&root);
    }
    let runs = result?;
    let mut out = format!(
        "Open-file limit (soft = hard) of every process: {files}{refused}. Events between nodes: {}.\n\n",
        match &args.nats_url {
            Some(u) => format!("NATS at `{u}`"),
            None => "PostgreSQL `LISTEN/NOTIFY`".to_string(),
        }
    );
    out.push_str(&render(args, &runs));
    println!("{out}");
    Ok(())
}

fn node_env(args: &NodesArgs, db_url: &str, key: &str) -> Vec<(&'static str, String)> {
    let mut env = vec![
        ("CERCLE_DATABASE_URL", db_url.to_string()),
        // Every node must share the server key (docs/operations.md, Sessions).
        ("CERCLE_SECRET_KEY", key.to_string()),
        // The per-address request limiter stays out of the way.
        ("CERCLE_REQUESTS_PER_SEC", "1000000".to_string()),
        // Accounts are only set up here: cheap hashes.
        ("CERCLE_ARGON2_MEMORY_KIB", "1024".to_string()),
        ("CERCLE_ARGON2_ITERATIONS", "1".to_string()),
        ("CERCLE_ARGON2_PARALLELISM", "1".to_string()),
    ];
    if let Some(url) = &args.nats_url {
        env.push(("CERCLE_NATS_URL", url.clone()));
        // One subject per run, in case the NATS server is shared.
        env.push(("CERCLE_NATS_SUBJECT", format!("cercle-bench-{}", std::process::id())));
    }
    env
}

async fn measure(args: &NodesArgs, cercle: &Path, root: &Path, db_url: &str) -> anyhow::Result<Vec<RunResult>> {
    let key = format!("{}{}", uuid::Uuid::new_v4().simple(), uuid::Uuid::new_v4().simple());
    let env = node_env(args, db_url, &key);
    let setup_dir = root.join("setup");
    let (server, _) = serve::start(cercle, &setup_dir.join("data"), &root.join("serve-setup.log"), &env).await?;
    eprintln!("setup: server pid {}; {} people", server.pid, args.people);
    let world = setup::build(&server, db_url, args.people).await;
    let log = server.log.clone();
    server.stop().await?;
    let world = world.with_context(|| format!("server log:\n{}", serve::tail(&log)))?;
    let tokens = root.join("tokens.txt");
    std::fs::write(&tokens, world.tokens.join("\n")).context("writing the tokens")?;

    let mut runs = Vec::new();
    for &n in &args.nodes {
        let mut servers = Vec::new();
        for k in 0..n {
            let dir = root.join(format!("run{n}-node{k}"));
            let (s, _) = serve::start(
                cercle,
                &dir.join("data"),
                &root.join(format!("serve-run{n}-node{k}.log")),
                &env,
            )
            .await?;
            eprintln!("{n} node(s): node {} pid {} at {}", k + 1, s.pid, s.base);
            servers.push(s);
        }
        let result = one_run(args, &servers, &world, &tokens).await;
        let logs: Vec<PathBuf> = servers.iter().map(|s| s.log.clone()).collect();
        for s in servers {
            s.stop().await?;
        }
        let run = result.with_context(|| {
            logs.iter()
                .map(|l| format!("{}:\n{}", l.display(), serve::tail(l)))
                .collect::<Vec<_>>()
                .join("\n")
        })?;
        runs.push(run);
    }
    Ok(runs)
}

/// A child process holding sockets; killed when dropped.
struct Holder {
    child: tokio::process::Child,
    stdin: Option<tokio::process::ChildStdin>,
}

impl Holder {
    /// Closes its standard input (it exits), waits 10 s at most, then kills.
    async fn stop(mut self) {
        drop(self.stdin.take());
        if tokio::time::timeout(Duration::from_secs(10), self.child.wait())
            .await
            .is_err()
        {
            let _ = self.child.kill().await;
        }
    }
}

/// What a child said, tagged with its index.
enum Report {
    Opened {
        opened: usize,
        failed: usize,
        error: Option<String>,
    },
    Arrival {
        m: usize,
        s: usize,
        t: u64,
    },
    /// A stream the node closed, opened again from its last event.
    Reopened,
    /// A stream closed for good (it could not be opened again).
    Closed,
    /// Its standard output ended: it exited.
    Gone,
}

fn parse(line: &str) -> Option<Report> {
    let v: Value = serde_json::from_str(line).ok()?;
    let n = |k: &str| v.get(k).and_then(Value::as_u64);
    if let Some(opened) = n("opened") {
        return Some(Report::Opened {
            opened: opened as usize,
            failed: n("failed").unwrap_or(0) as usize,
            error: v.get("error").and_then(Value::as_str).map(str::to_string),
        });
    }
    if let (Some(m), Some(s), Some(t)) = (n("m"), n("s"), n("t")) {
        return Some(Report::Arrival {
            m: m as usize,
            s: s as usize,
            t,
        });
    }
    if n("reopened").is_some() {
        return Some(Report::Reopened);
    }
    if n("closed").is_some() {
        return Some(Report::Closed);
    }
    None
}

fn spawn_holder(
    share: Share,
    block: usize,
    base: &str,
    tokens: &Path,
    tx: mpsc::UnboundedSender<(usize, Report)>,
) -> anyhow::Result<Holder> {
    let exe = std::env::current_exe()?;
    let mut cmd = tokio::process::Command::new(exe);
    cmd.arg("node-sockets")
        .arg("--base")
        .arg(base)
        .arg("--tokens")
        .arg(tokens)
        .arg("--count")
        .arg(share.count.to_string())
        .arg("--first")
        .arg(share.first.to_string())
        .arg("--block")
        .arg(block.to_string())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .kill_on_drop(true);
    serve::die_with_parent(&mut cmd);
    let mut child = cmd.spawn().context("starting a node-sockets child")?;
    let stdin = child.stdin.take();
    let stdout = child.stdout.take().context("no stdout")?;
    tokio::spawn(async move {
        let mut lines = tokio::io::BufReader::new(stdout).lines();
        while let Ok(Some(line)) = lines.next_line().await {
            if let Some(r) = parse(&line) {
                if tx.send((block, r)).is_err() {
                    return;
                }
            }
        }
        let _ = tx.send((block, Report::Gone));
    });
    Ok(Holder { child, stdin })
}

/// One node's figures in a run.
pub struct NodeResult {
    sockets: usize,
    failed: usize,
    closed: usize,
    reopened: usize,
    rss_before: f64,
    rss_open: f64,
    rss_after: f64,
    idle_cpu: Cpu,
    /// Summed over the messages, each from its POST to its last arrival.
    fanout_cpu: Cpu,
    /// Per message: sorted ms post → arrival, one per socket reached.
    arrivals: Vec<Vec<f64>>,
}

pub struct RunResult {
    nodes: usize,
    children: usize,
    open_wall: Duration,
    watch: Duration,
    first_error: Option<String>,
    post_ms: Vec<f64>,
    per_node: Vec<NodeResult>,
}

/// Arrivals as the children report them: per child, per message, per socket
/// (0: not yet).
struct Tally {
    opened: Vec<Option<(usize, usize)>>,
    gone: Vec<bool>,
    closed: Vec<usize>,
    reopened: Vec<usize>,
    at: Vec<Vec<Vec<u64>>>,
    /// Distinct (socket, message) arrivals, per message.
    reached: Vec<usize>,
    first_error: Option<String>,
}

impl Tally {
    fn apply(&mut self, c: usize, r: Report) {
        match r {
            Report::Opened { opened, failed, error } => {
                self.opened[c] = Some((opened, failed));
                if let Some(e) = error {
                    self.first_error.get_or_insert(e);
                }
            }
            Report::Arrival { m, s, t } => {
                // Only the first arrival counts (a frame could repeat the body).
                if let Some(slot) = self.at[c].get_mut(m).and_then(|v| v.get_mut(s)) {
                    if *slot == 0 {
                        *slot = t;
                        self.reached[m] += 1;
                    }
                }
            }
            Report::Reopened => self.reopened[c] += 1,
            Report::Closed => self.closed[c] += 1,
            Report::Gone => self.gone[c] = true,
        }
    }
}

/// Feeds reports into `tally` until `done` or `deadline`; false on the deadline.
async fn drain(
    rx: &mut mpsc::UnboundedReceiver<(usize, Report)>,
    tally: &mut Tally,
    deadline: Instant,
    done: impl Fn(&Tally) -> bool,
) -> bool {
    loop {
        if done(tally) {
            return true;
        }
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, rx.recv()).await {
            Ok(Some((c, r))) => tally.apply(c, r),
            Ok(None) | Err(_) => return done(tally),
        }
    }
}

async fn one_run(args: &NodesArgs, servers: &[Server], world: &World, tokens: &Path) -> anyhow::Result<RunResult> {
    let n = servers.len();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let rss_before: Vec<f64> = servers.iter().map(rss).collect::<anyhow::Result<_>>()?;

    let shares = plan(n, args.sockets_per_node, args.sockets_per_child);
    let (tx, mut rx) = mpsc::unbounded_channel();
    let mut holders = Vec::new();
    for (c, share) in shares.iter().enumerate() {
        holders.push(spawn_holder(*share, c, &servers[share.node].base, tokens, tx.clone())?);
    }
    drop(tx);
    let mut tally = Tally {
        opened: vec![None; holders.len()],
        gone: vec![false; holders.len()],
        closed: vec![0; holders.len()],
        reopened: vec![0; holders.len()],
        at: shares.iter().map(|s| vec![vec![0; s.count]; args.messages]).collect(),
        reached: vec![0; args.messages],
        first_error: None,
    };
    eprintln!(
        "{n} node(s): {} child process(es) opening {} sockets per node",
        holders.len(),
        args.sockets_per_node
    );
    let t0 = Instant::now();
    let deadline = t0 + Duration::from_secs(args.open_timeout);
    let all_said = |t: &Tally| t.opened.iter().zip(&t.gone).all(|(o, g)| o.is_some() || *g);
    if !drain(&mut rx, &mut tally, deadline, all_said).await {
        bail!("the sockets were not all open after {} s", args.open_timeout);
    }
    if let Some(c) = (0..holders.len()).find(|&c| tally.opened[c].is_none()) {
        bail!("node-sockets child {c} exited before it had opened its sockets (its error is above)");
    }
    let open_wall = t0.elapsed();
    let opened: Vec<usize> = tally.opened.iter().map(|o| o.map_or(0, |o| o.0)).collect();
    let total: usize = opened.iter().sum();
    eprintln!(
        "{n} node(s): {total} sockets open in {:.1} s ({} failed)",
        open_wall.as_secs_f64(),
        tally.opened.iter().map(|o| o.map_or(0, |o| o.1)).sum::<usize>()
    );

    tokio::time::sleep(Duration::from_secs(3)).await;
    let rss_open: Vec<f64> = servers.iter().map(rss).collect::<anyhow::Result<_>>()?;
    let cpu0: Vec<Cpu> = servers.iter().map(Server::cpu).collect::<anyhow::Result<_>>()?;
    let w0 = Instant::now();
    // Reports (closed sockets) keep coming in while idle.
    let watch_end = w0 + Duration::from_secs(args.idle_watch);
    drain(&mut rx, &mut tally, watch_end, |_| false).await;
    let watch = w0.elapsed();
    let idle_cpu: Vec<Cpu> = servers
        .iter()
        .zip(&cpu0)
        .map(|(s, c)| s.cpu().map(|now| now.since(*c)))
        .collect::<anyhow::Result<_>>()?;

    // The messages, through node 1, one after the other.
    let mut fanout_cpu = vec![
        Cpu {
            user: Duration::ZERO,
            sys: Duration::ZERO
        };
        n
    ];
    let mut post_ms = Vec::new();
    let mut sent_at = Vec::new();
    for m in 0..args.messages {
        let before: Vec<Cpu> = servers.iter().map(Server::cpu).collect::<anyhow::Result<_>>()?;
        let sent = mono_ns();
        let resp = world.clients[0]
            .post(format!(
                "{}/api/v1/threads/{}/messages",
                servers[0].base, world.thread_id
            ))
            .bearer_auth(&world.tokens[0])
            .json(&json!({ "body": format!("n{m} fan-out over {n} node(s)") }))
            .send()
            .await?;
        serve::expect(resp, reqwest::StatusCode::CREATED).await?;
        post_ms.push((mono_ns() - sent) as f64 / 1e6);
        sent_at.push(sent);
        let deadline = Instant::now() + Duration::from_secs(args.wait);
        let everyone = drain(&mut rx, &mut tally, deadline, |t| t.reached[m] >= total).await;
        for (k, s) in servers.iter().enumerate() {
            let c = s.cpu()?.since(before[k]);
            fanout_cpu[k] = Cpu {
                user: fanout_cpu[k].user + c.user,
                sys: fanout_cpu[k].sys + c.sys,
            };
        }
        eprintln!(
            "{n} node(s): message {} reached {}/{total} sockets{}",
            m + 1,
            tally.reached[m],
            if everyone { "" } else { " (wait over)" }
        );
        // A pause, so that each message starts from idle nodes.
        drain(&mut rx, &mut tally, Instant::now() + Duration::from_secs(1), |_| false).await;
    }
    let rss_after: Vec<f64> = servers.iter().map(rss).collect::<anyhow::Result<_>>()?;
    for h in holders.drain(..) {
        h.stop().await;
    }

    let per_node = (0..n)
        .map(|k| {
            let mine: Vec<usize> = (0..shares.len()).filter(|&c| shares[c].node == k).collect();
            let arrivals = (0..args.messages)
                .map(|m| {
                    let ms: Vec<f64> = mine
                        .iter()
                        .flat_map(|&c| tally.at[c][m].iter())
                        .filter(|&&t| t > 0)
                        .map(|&t| t.saturating_sub(sent_at[m]) as f64 / 1e6)
                        .collect();
                    sorted(&ms)
                })
                .collect();
            NodeResult {
                sockets: mine.iter().map(|&c| opened[c]).sum(),
                failed: mine.iter().map(|&c| tally.opened[c].map_or(0, |o| o.1)).sum(),
                closed: mine.iter().map(|&c| tally.closed[c]).sum(),
                reopened: mine.iter().map(|&c| tally.reopened[c]).sum(),
                rss_before: rss_before[k],
                rss_open: rss_open[k],
                rss_after: rss_after[k],
                idle_cpu: idle_cpu[k],
                fanout_cpu: fanout_cpu[k],
                arrivals,
            }
        })
        .collect();
    Ok(RunResult {
        nodes: n,
        children: shares.len(),
        open_wall,
        watch,
        first_error: tally.first_error,
        post_ms,
        per_node,
    })
}

fn rss(server: &Server) -> anyhow::Result<f64> {
    Ok(mib(server.memory()?.rss_kib))
}

fn cores(c: Cpu, wall: Duration) -> f64 {
    100.0 * (c.user + c.sys).as_secs_f64() / wall.as_secs_f64().max(1e-9)
}

pub fn render(args: &NodesArgs, runs: &[RunResult]) -> String {
    let mut out = format!(
        "### Nodes on one PostgreSQL database: {} idle WebSockets per node, {} messages through node 1\n\n",
        args.sockets_per_node, args.messages
    );
    out.push_str(
        "| nodes | node | sockets open (failed, closed, reopened) | VmRSS before / with sockets / after (MiB) | per socket (KiB) | idle CPU (% of a core) | fan-out CPU per message (ms) | reached / expected | lost | post → arrival p50 / p99 (ms) |\n\
         |---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n",
    );
    for r in runs {
        for (k, nr) in r.per_node.iter().enumerate() {
            let reached: usize = nr.arrivals.iter().map(Vec::len).sum();
            let expected = nr.sockets * args.messages;
            let all: Vec<f64> = sorted(&nr.arrivals.concat());
            let per_socket = if nr.sockets > 0 {
                (nr.rss_open - nr.rss_before) * 1024.0 / nr.sockets as f64
            } else {
                f64::NAN
            };
            let fan = (nr.fanout_cpu.user + nr.fanout_cpu.sys).as_secs_f64() * 1000.0 / args.messages as f64;
            out.push_str(&format!(
                "| {} | {} | {} ({}, {}, {}) | {:.1} / {:.1} / {:.1} | {per_socket:.1} | {:.1} | {fan:.0} | {reached} / {expected} | {} | {:.0} / {:.0} |\n",
                r.nodes,
                k + 1,
                nr.sockets,
                nr.failed,
                nr.closed,
                nr.reopened,
                nr.rss_before,
                nr.rss_open,
                nr.rss_after,
                cores(nr.idle_cpu, r.watch),
                expected.saturating_sub(reached),
                percentile(&all, 50.0),
                percentile(&all, 99.0),
            ));
        }
    }
    out.push_str("\nPer message (post → arrival on each socket of the node, ms):\n\n");
    out.push_str("| nodes | message | POST answered (ms) | node | reached | p50 | p99 | max |\n|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for r in runs {
        for m in 0..args.messages {
            for (k, nr) in r.per_node.iter().enumerate() {
                let a = &nr.arrivals[m];
                out.push_str(&format!(
                    "| {} | {} | {:.1} | {} | {} / {} | {:.0} | {:.0} | {:.0} |\n",
                    r.nodes,
                    m + 1,
                    r.post_ms.get(m).copied().unwrap_or(f64::NAN),
                    k + 1,
                    a.len(),
                    nr.sockets,
                    percentile(a, 50.0),
                    percentile(a, 99.0),
                    a.last().copied().unwrap_or(f64::NAN),
                ));
            }
        }
    }
    out.push('\n');
    for r in runs {
        let total: usize = r.per_node.iter().map(|n| n.sockets).sum();
        out.push_str(&format!(
            "{} node(s): {total} sockets held by {} child process(es), opened in {:.1} s; idle watch {:.0} s{}.\n",
            r.nodes,
            r.children,
            r.open_wall.as_secs_f64(),
            r.watch.as_secs_f64(),
            r.first_error
                .as_ref()
                .map(|e| format!("; first failure: {e}"))
                .unwrap_or_default()
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_evenly() {
        assert_eq!(split_even(10, 3), vec![4, 3, 3]);
        assert_eq!(split_even(9, 3), vec![3, 3, 3]);
        assert_eq!(split_even(2, 3), vec![1, 1, 0]);
        assert!(split_even(5, 0).is_empty());
    }

    #[test]
    fn one_child_per_node_when_it_fits() {
        assert_eq!(
            plan(2, 19_000, 19_000),
            vec![
                Share {
                    node: 0,
                    count: 19_000,
                    first: 0
                },
                Share {
                    node: 1,
                    count: 19_000,
                    first: 19_000
                },
            ]
        );
    }

    #[test]
    fn a_node_s_sockets_over_several_children() {
        let p = plan(3, 25_000, 10_000);
        // 3 children per node, 8,334 / 8,333 / 8,333.
        assert_eq!(p.len(), 9);
        for node in 0..3 {
            let mine: Vec<_> = p.iter().filter(|s| s.node == node).collect();
            assert_eq!(mine.iter().map(|s| s.count).sum::<usize>(), 25_000);
            assert!(mine.iter().all(|s| s.count <= 10_000 && s.count >= 8_333));
        }
        // The socket indexes follow each other: every person gets its share.
        for w in p.windows(2) {
            assert_eq!(w[1].first, w[0].first + w[0].count);
        }
        assert_eq!(p[0].first, 0);
    }

    #[test]
    fn reads_the_children_s_lines() {
        match parse(r#"{"opened":5,"failed":1,"error":"refused"}"#) {
            Some(Report::Opened {
                opened: 5,
                failed: 1,
                error: Some(e),
            }) => assert_eq!(e, "refused"),
            _ => panic!("opened line not read"),
        }
        assert!(matches!(
            parse(r#"{"m":2,"s":7,"t":123}"#),
            Some(Report::Arrival { m: 2, s: 7, t: 123 })
        ));
        assert!(matches!(parse(r#"{"closed":3}"#), Some(Report::Closed)));
        assert!(matches!(parse(r#"{"reopened":3}"#), Some(Report::Reopened)));
        assert!(parse("not json").is_none());
    }

    #[test]
    fn a_socket_counts_once_per_message() {
        let mut t = Tally {
            opened: vec![None],
            gone: vec![false],
            closed: vec![0],
            reopened: vec![0],
            at: vec![vec![vec![0; 2]; 1]],
            reached: vec![0],
            first_error: None,
        };
        t.apply(0, Report::Arrival { m: 0, s: 1, t: 10 });
        t.apply(0, Report::Arrival { m: 0, s: 1, t: 20 });
        // Out of range (a message or socket the run does not know): ignored.
        t.apply(0, Report::Arrival { m: 5, s: 0, t: 30 });
        assert_eq!(t.reached, vec![1]);
        assert_eq!(t.at[0][0], vec![0, 10]);
    }
}
