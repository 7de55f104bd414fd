//! `cercle-bench` (or `cercle-bench serve`): measures a release build of the
//! `cercle` binary from the outside, as an operator would see it:
//!
//! * cold start: time from spawning `cercle serve` to the first `200` from
//!   `GET /readyz`, on an empty data folder (migrations and key generation
//!   included) and again on the same, existing folder;
//! * idle memory: `VmRSS` / `VmHWM` from `/proc/<pid>/status` once the
//!   server has been ready and idle for a while (Linux only);
//! * Argon2id-bound throughput: `POST /api/v1/auth/sign-up` for new accounts
//!   (one Argon2id hash each), then, once their addresses are confirmed with
//!   the codes from the development outbox (not timed),
//!   `POST /api/v1/auth/sign-in` once per account (one Argon2id verification each).
//!
//! The server is not modified. Its per-address sign-up limit (30 per
//! 15 minutes) is met the way real traffic meets it: every simulated person
//! connects from its own loopback address (127.1.x.y; Linux routes the whole
//! 127/8 to `lo`). Each account signs in once, so the per-account limit on
//! code sends (5 per 15 minutes) is never reached. The general per-address
//! request limiter is raised with `CERCLE_REQUESTS_PER_SEC` for the load
//! phase only. Results are printed as Markdown.

use anyhow::{bail, Context};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::future::Future;
use std::net::{IpAddr, Ipv4Addr};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::stats::{mib, ms, percentile, sorted, spread};

#[derive(clap::Args)]
pub struct ServeArgs {
    /// The `cercle` binary to measure (default: `$CARGO_TARGET_DIR/release/cercle`,
    /// else next to this program, else `./target/release/cercle`).
    #[arg(long)]
    cercle: Option<PathBuf>,
    /// Cold starts to measure (each on a fresh data folder, then restarted once).
    #[arg(long, default_value_t = 5)]
    runs: usize,
    /// Accounts created and signed in for the throughput measurement (0: skip).
    #[arg(long, default_value_t = 200)]
    signins: usize,
    /// Requests in flight during the throughput measurement.
    #[arg(long, default_value_t = 8)]
    concurrency: usize,
    /// Idle time before reading memory, in milliseconds.
    #[arg(long, default_value_t = 2000)]
    idle_ms: u64,
    /// Argon2id memory cost passed as CERCLE_ARGON2_MEMORY_KIB (server default: 19456).
    #[arg(long, default_value_t = 19_456)]
    argon2_memory_kib: u32,
    /// Argon2id passes passed as CERCLE_ARGON2_ITERATIONS (server default: 2).
    #[arg(long, default_value_t = 2)]
    argon2_iterations: u32,
    /// Argon2id lanes passed as CERCLE_ARGON2_PARALLELISM (server default: 1).
    #[arg(long, default_value_t = 1)]
    argon2_parallelism: u32,
    /// Keep the temporary folders (data and server logs) instead of removing them.
    #[arg(long)]
    keep: bool,
}

const READY_TIMEOUT: Duration = Duration::from_secs(30);
const POLL_EVERY: Duration = Duration::from_millis(5);
pub(crate) const PASSWORD: &str = "Bench-passphrase-2026";

/// Runs the measurements and prints them as Markdown.
pub async fn run(args: &ServeArgs) -> anyhow::Result<()> {
    let cercle = cercle_binary(args.cercle.as_deref())?;
    if args.concurrency == 0 {
        bail!("--concurrency must be at least 1");
    }
    let root = std::env::temp_dir().join(format!("cercle-bench-{}", std::process::id()));
    std::fs::create_dir_all(&root).with_context(|| format!("creating {}", root.display()))?;
    eprintln!("cercle-bench: binary {}, scratch {}", cercle.display(), root.display());

    let result = measure(args, &cercle, &root).await;
    if args.keep {
        eprintln!("cercle-bench: kept {}", root.display());
    } else {
        let _ = std::fs::remove_dir_all(&root);
    }
    let report = result?;
    println!("{report}");
    Ok(())
}

/// The `cercle` binary to measure: `--cercle`, or the release build next to
/// the benchmark (or in `CARGO_TARGET_DIR`), as an absolute path.
pub(crate) fn cercle_binary(given: Option<&std::path::Path>) -> anyhow::Result<PathBuf> {
    let cercle = given.map(PathBuf::from).unwrap_or_else(default_binary);
    std::fs::canonicalize(&cercle).with_context(|| {
        format!(
            "cercle binary not found at {} (build it with `cargo build --release -p cercle`, or pass --cercle)",
            cercle.display()
        )
    })
}

fn default_binary() -> PathBuf {
    let name = if cfg!(windows) { "cercle.exe" } else { "cercle" };
    if let Some(dir) = std::env::var_os("CARGO_TARGET_DIR").filter(|d| !d.is_empty()) {
        let p = PathBuf::from(dir).join("release").join(name);
        if p.exists() {
            return p;
        }
    }
    if let Some(p) = std::env::current_exe()
        .ok()
        .and_then(|e| e.parent().map(|d| d.join(name)))
    {
        if p.exists() {
            return p;
        }
    }
    PathBuf::from("target").join("release").join(name)
}

// ---------------------------------------------------------------- the server

pub(crate) struct Server {
    child: tokio::process::Child,
    pub(crate) pid: u32,
    pub(crate) base: String,
    pub(crate) log: PathBuf,
}

fn free_port() -> anyhow::Result<u16> {
    let l = std::net::TcpListener::bind("127.0.0.1:0").context("finding a free port")?;
    Ok(l.local_addr()?.port())
}

/// Spawns `cercle serve` and waits for the first `200` from `/readyz`.
/// Returns the server and the time from spawn to that answer.
pub(crate) async fn start(
    cercle: &Path,
    data_dir: &Path,
    log: &Path,
    env: &[(&str, String)],
) -> anyhow::Result<(Server, Duration)> {
    let port = free_port()?;
    let base = format!("http://127.0.0.1:{port}");
    let poll = reqwest::Client::builder().timeout(Duration::from_secs(2)).build()?;
    let log_file = std::fs::File::create(log).with_context(|| format!("creating {}", log.display()))?;
    let mut cmd = tokio::process::Command::new(cercle);
    cmd.arg("serve");
    // Only the settings given here: none inherited from the caller's shell.
    for (k, _) in std::env::vars_os() {
        if k.to_string_lossy().starts_with("CERCLE_") {
            cmd.env_remove(&k);
        }
    }
    cmd.env("CERCLE_DATA_DIR", data_dir)
        .env("CERCLE_LISTEN", format!("127.0.0.1:{port}"));
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.stdin(Stdio::null())
        .stdout(Stdio::from(log_file.try_clone()?))
        .stderr(Stdio::from(log_file))
        .kill_on_drop(true);
    die_with_parent(&mut cmd);

    let url = format!("{base}/readyz");
    let t0 = Instant::now();
    let mut child = cmd.spawn().with_context(|| format!("starting {}", cercle.display()))?;
    let pid = child.id().context("the server exited at once")?;
    loop {
        if let Ok(r) = poll.get(&url).send().await {
            if r.status() == reqwest::StatusCode::OK {
                break;
            }
        }
        if let Some(status) = child.try_wait()? {
            bail!("the server exited ({status}) before it was ready:\n{}", tail(log));
        }
        if t0.elapsed() > READY_TIMEOUT {
            let _ = child.kill().await;
            bail!("the server was not ready after {READY_TIMEOUT:?}:\n{}", tail(log));
        }
        tokio::time::sleep(POLL_EVERY).await;
    }
    let elapsed = t0.elapsed();
    Ok((
        Server {
            child,
            pid,
            base,
            log: log.to_path_buf(),
        },
        elapsed,
    ))
}

/// Makes the child get SIGKILL when this process dies, whatever kills it
/// (`kill_on_drop` only covers the paths that run destructors, not a
/// signal). Linux; elsewhere nothing is added.
pub(crate) fn die_with_parent(cmd: &mut tokio::process::Command) {
    #[cfg(target_os = "linux")]
    // SAFETY: between fork and exec only `prctl`, which is async-signal-safe,
    // runs; it touches no memory of ours.
    unsafe {
        cmd.pre_exec(|| {
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    #[cfg(not(target_os = "linux"))]
    let _ = cmd;
}

impl Server {
    /// SIGTERM (graceful stop), SIGKILL after 15 s.
    pub(crate) async fn stop(mut self) -> anyhow::Result<()> {
        let _ = std::process::Command::new("kill")
            .arg("-TERM")
            .arg(self.pid.to_string())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        match tokio::time::timeout(Duration::from_secs(15), self.child.wait()).await {
            Ok(r) => {
                r?;
            }
            Err(_) => {
                self.child.kill().await?;
            }
        }
        Ok(())
    }

    pub(crate) fn memory(&self) -> anyhow::Result<Memory> {
        memory_of(self.pid)
    }

    pub(crate) fn cpu(&self) -> anyhow::Result<Cpu> {
        cpu_of(self.pid)
    }
}

pub(crate) fn tail(log: &Path) -> String {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(20)..].join("\n")
}

#[derive(Clone, Copy)]
pub(crate) struct Memory {
    pub(crate) rss_kib: u64,
    pub(crate) hwm_kib: u64,
}

pub(crate) fn memory_of(pid: u32) -> anyhow::Result<Memory> {
    let path = format!("/proc/{pid}/status");
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("reading {path} (memory is measured on Linux only)"))?;
    let field = |name: &str| -> anyhow::Result<u64> {
        let line = text
            .lines()
            .find(|l| l.starts_with(name))
            .with_context(|| format!("{name} missing from {path}"))?;
        let n = line[name.len()..].trim().trim_end_matches("kB").trim();
        n.parse().with_context(|| format!("reading {line:?}"))
    };
    Ok(Memory {
        rss_kib: field("VmRSS:")?,
        hwm_kib: field("VmHWM:")?,
    })
}

/// CPU time used by a process so far, all threads.
#[derive(Clone, Copy)]
pub(crate) struct Cpu {
    pub(crate) user: Duration,
    pub(crate) sys: Duration,
}

impl Cpu {
    pub(crate) fn since(self, earlier: Cpu) -> Cpu {
        Cpu {
            user: self.user.saturating_sub(earlier.user),
            sys: self.sys.saturating_sub(earlier.sys),
        }
    }
}

pub(crate) fn cpu_of(pid: u32) -> anyhow::Result<Cpu> {
    let path = format!("/proc/{pid}/stat");
    let text = std::fs::read_to_string(&path).with_context(|| format!("reading {path}"))?;
    // Fields after the command name (which may hold spaces): state is field 3,
    // utime and stime are fields 14 and 15, in clock ticks.
    let rest = text.rsplit_once(')').map(|(_, r)| r).unwrap_or_default();
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| -> anyhow::Result<u64> {
        let f = fields
            .get(i - 3)
            .with_context(|| format!("field {i} missing from {path}"))?;
        f.parse().with_context(|| format!("reading field {i} of {path}: {f:?}"))
    };
    let hz = clock_ticks_per_second();
    let to_duration = |t: u64| Duration::from_secs_f64(t as f64 / hz);
    Ok(Cpu {
        user: to_duration(ticks(14)?),
        sys: to_duration(ticks(15)?),
    })
}

/// `getconf CLK_TCK` (100 on every common Linux).
fn clock_ticks_per_second() -> f64 {
    std::process::Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse::<f64>().ok())
        .filter(|hz| *hz > 0.0)
        .unwrap_or(100.0)
}

// ---------------------------------------------------------------- load

pub(crate) struct Load<T> {
    pub(crate) results: Vec<(usize, anyhow::Result<T>, Duration)>,
    pub(crate) wall: Duration,
}

impl<T> Load<T> {
    pub(crate) fn ok(&self) -> usize {
        self.results.iter().filter(|r| r.1.is_ok()).count()
    }

    pub(crate) fn first_error(&self) -> Option<String> {
        self.results
            .iter()
            .find_map(|r| r.1.as_ref().err().map(|e| format!("{e:#}")))
    }

    /// Latencies of the successful requests, in ms, sorted.
    fn latencies(&self) -> Vec<f64> {
        sorted(
            &self
                .results
                .iter()
                .filter(|r| r.1.is_ok())
                .map(|r| ms(r.2))
                .collect::<Vec<_>>(),
        )
    }

    /// A Markdown row; `cpu` is the server's CPU time during the phase.
    fn row(&self, label: &str, cpu: Cpu) -> String {
        let lat = self.latencies();
        let rate = self.ok() as f64 / self.wall.as_secs_f64();
        let per_ok = |d: Duration| ms(d) / self.ok().max(1) as f64;
        format!(
            "| {label} | {} | {} | {:.2} | {:.1} | {:.1} | {:.1} | {:.1} | {:.1} + {:.1} |",
            self.results.len(),
            self.ok(),
            self.wall.as_secs_f64(),
            rate,
            percentile(&lat, 50.0),
            percentile(&lat, 95.0),
            lat.last().copied().unwrap_or(f64::NAN),
            per_ok(cpu.user),
            per_ok(cpu.sys),
        )
    }
}

/// Runs `job(0..n)` with `concurrency` calls in flight; times each call and the whole.
pub(crate) async fn load<T, F, Fut>(n: usize, concurrency: usize, job: F) -> Load<T>
where
    T: Send + 'static,
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = anyhow::Result<T>> + Send,
{
    let job = Arc::new(job);
    let next = Arc::new(AtomicUsize::new(0));
    let t0 = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..concurrency.min(n.max(1)) {
        let job = job.clone();
        let next = next.clone();
        workers.push(tokio::spawn(async move {
            let mut done = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= n {
                    break;
                }
                let t = Instant::now();
                let r = job(i).await;
                done.push((i, r, t.elapsed()));
            }
            done
        }));
    }
    let mut results = Vec::with_capacity(n);
    for w in workers {
        if let Ok(done) = w.await {
            results.extend(done);
        }
    }
    let wall = t0.elapsed();
    results.sort_by_key(|r| r.0);
    Load { results, wall }
}

/// The loopback address person `i` connects from: 127.1.x.y.
pub(crate) fn address_of(i: usize) -> IpAddr {
    IpAddr::V4(Ipv4Addr::new(
        127,
        1 + (i / (254 * 256)) as u8,
        ((i / 254) % 256) as u8,
        (1 + i % 254) as u8,
    ))
}

fn email_of(i: usize) -> String {
    format!("person{i}@bench.cercle.test")
}

pub(crate) async fn expect(resp: reqwest::Response, want: reqwest::StatusCode) -> anyhow::Result<Value> {
    let status = resp.status();
    let body = resp.text().await.unwrap_or_default();
    if status != want {
        bail!("{status}: {}", body.chars().take(200).collect::<String>());
    }
    Ok(serde_json::from_str(&body).unwrap_or(Value::Null))
}

/// Codes from the development outbox, by recipient (newest message first).
fn outbox_codes(html: &str) -> HashMap<String, String> {
    let mut codes = HashMap::new();
    for article in html.split("<article").skip(1) {
        let Some(to) = article.split("data-to=\"").nth(1).and_then(|s| s.split('"').next()) else {
            continue;
        };
        let body = article.split("</header>").nth(1).unwrap_or(article);
        if let Some(code) = six_digits(body) {
            codes.entry(to.to_string()).or_insert(code);
        }
    }
    codes
}

pub(crate) fn six_digits(text: &str) -> Option<String> {
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i].is_ascii_digit() {
            let start = i;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            if i - start == 6 {
                return Some(text[start..i].to_string());
            }
        } else {
            i += 1;
        }
    }
    None
}

// ---------------------------------------------------------------- the measurements

struct ColdRun {
    first: Duration,
    restart: Duration,
    first_mem: Memory,
    restart_mem: Memory,
}

async fn measure(args: &ServeArgs, cercle: &Path, root: &Path) -> anyhow::Result<String> {
    let idle = Duration::from_millis(args.idle_ms);
    let mut cold = Vec::new();
    for run in 0..args.runs {
        let dir = root.join(format!("cold-{run}"));
        let data = dir.join("data");
        std::fs::create_dir_all(&dir)?;
        let (server, first) = start(cercle, &data, &dir.join("serve-1.log"), &[]).await?;
        tokio::time::sleep(idle).await;
        let first_mem = server.memory()?;
        server.stop().await?;
        let (server, restart) = start(cercle, &data, &dir.join("serve-2.log"), &[]).await?;
        tokio::time::sleep(idle).await;
        let restart_mem = server.memory()?;
        server.stop().await?;
        eprintln!(
            "cold start {}/{}: empty folder {:.1} ms ({:.1} MiB), existing folder {:.1} ms ({:.1} MiB)",
            run + 1,
            args.runs,
            ms(first),
            mib(first_mem.rss_kib),
            ms(restart),
            mib(restart_mem.rss_kib)
        );
        cold.push(ColdRun {
            first,
            restart,
            first_mem,
            restart_mem,
        });
    }

    let mut out = String::new();
    let line = |out: &mut String, s: &str| {
        out.push_str(s);
        out.push('\n');
    };
    line(
        &mut out,
        &format!("### Cold start of `cercle serve` ({} runs)\n", cold.len()),
    );
    line(
        &mut out,
        "Time from spawning the process to the first `200` from `GET /readyz` (polled every 5 ms), SQLite.\n",
    );
    line(&mut out, "| Start | min (ms) | median (ms) | max (ms) |");
    line(&mut out, "|---|---:|---:|---:|");
    let f = |sel: fn(&ColdRun) -> f64| cold.iter().map(sel).collect::<Vec<_>>();
    line(
        &mut out,
        &format!(
            "| Empty data folder (migrations, key generation) | {} |",
            spread(&f(|c| ms(c.first)), 1)
        ),
    );
    line(
        &mut out,
        &format!(
            "| Existing data folder (restart) | {} |",
            spread(&f(|c| ms(c.restart)), 1)
        ),
    );
    line(&mut out, "");
    line(
        &mut out,
        &format!(
            "### Idle memory ({} s after ready, `/proc/<pid>/status`)\n",
            idle.as_secs_f64()
        ),
    );
    line(&mut out, "| Process | min (MiB) | median (MiB) | max (MiB) |");
    line(&mut out, "|---|---:|---:|---:|");
    line(
        &mut out,
        &format!(
            "| VmRSS, first start | {} |",
            spread(&f(|c| mib(c.first_mem.rss_kib)), 1)
        ),
    );
    line(
        &mut out,
        &format!(
            "| VmHWM (peak RSS), first start | {} |",
            spread(&f(|c| mib(c.first_mem.hwm_kib)), 1)
        ),
    );
    line(
        &mut out,
        &format!("| VmRSS, restart | {} |", spread(&f(|c| mib(c.restart_mem.rss_kib)), 1)),
    );
    line(
        &mut out,
        &format!(
            "| VmHWM (peak RSS), restart | {} |",
            spread(&f(|c| mib(c.restart_mem.hwm_kib)), 1)
        ),
    );

    if args.signins > 0 {
        out.push('\n');
        out.push_str(&throughput(args, cercle, root).await?);
    }
    Ok(out)
}

async fn throughput(args: &ServeArgs, cercle: &Path, root: &Path) -> anyhow::Result<String> {
    let n = args.signins;
    let dir = root.join("load");
    std::fs::create_dir_all(&dir)?;
    let env = [
        ("CERCLE_REQUESTS_PER_SEC", "100000".to_string()),
        ("CERCLE_ARGON2_MEMORY_KIB", args.argon2_memory_kib.to_string()),
        ("CERCLE_ARGON2_ITERATIONS", args.argon2_iterations.to_string()),
        ("CERCLE_ARGON2_PARALLELISM", args.argon2_parallelism.to_string()),
    ];
    let (server, _) = start(cercle, &dir.join("data"), &dir.join("serve.log"), &env).await?;
    let result = throughput_on(args, &server, n).await;
    // What the server says it used (its start-up line prints the configuration).
    let log = std::fs::read_to_string(&server.log).unwrap_or_default();
    let argon2_seen = log
        .split_whitespace()
        .find(|w| w.starts_with("argon2="))
        .map(str::to_string);
    server.stop().await?;
    let Phases {
        signup,
        signin,
        signup_cpu,
        signin_cpu,
        mem,
    } = result?;

    let mut out = String::new();
    let params = format!(
        "Argon2id m={} KiB, t={}, p={}",
        args.argon2_memory_kib, args.argon2_iterations, args.argon2_parallelism
    );
    out.push_str(&format!(
        "### Argon2id-bound throughput ({params}; {n} accounts, {} in flight)\n\n",
        args.concurrency
    ));
    if let Some(seen) = argon2_seen {
        out.push_str(&format!("Server start-up line: `{seen}`.\n\n"));
    }
    out.push_str(
        "| Request | sent | OK | wall (s) | OK/s | p50 (ms) | p95 (ms) | max (ms) | server CPU per OK, user + sys (ms) |\n",
    );
    out.push_str("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    out.push_str(&signup.row(
        "`POST /api/v1/auth/sign-up` (Argon2id hash; writes user, session, code, email, address counter, 2 audit records)",
        signup_cpu,
    ));
    out.push('\n');
    out.push_str(&signin.row(
        "`POST /api/v1/auth/sign-in`, right password (Argon2id verify; writes session, code, email, 2 audit records)",
        signin_cpu,
    ));
    out.push('\n');
    out.push_str(&format!(
        "\nServer memory right after the load: VmRSS {:.1} MiB, VmHWM {:.1} MiB; after {:.0} s idle: VmRSS {:.1} MiB.\n",
        mib(mem[0].rss_kib),
        mib(mem[0].hwm_kib),
        args.idle_ms as f64 / 1000.0,
        mib(mem[1].rss_kib)
    ));
    for (what, l) in [("sign-up", signup.first_error()), ("sign-in", signin.first_error())] {
        if let Some(e) = l {
            out.push_str(&format!("\nFirst {what} failure: {e}\n"));
        }
    }
    Ok(out)
}

/// What the load phases measured.
struct Phases {
    signup: Load<String>,
    signin: Load<()>,
    signup_cpu: Cpu,
    signin_cpu: Cpu,
    /// Right after the sign-ins, and after `--idle-ms` more.
    mem: [Memory; 2],
}

async fn throughput_on(args: &ServeArgs, server: &Server, n: usize) -> anyhow::Result<Phases> {
    let base = Arc::new(server.base.clone());
    // One client (so one source address) per person, built before timing.
    let mut people = Vec::with_capacity(n);
    for i in 0..n {
        people.push(
            reqwest::Client::builder()
                .local_address(address_of(i))
                .timeout(Duration::from_secs(60))
                .build()?,
        );
    }
    let people = Arc::new(people);
    if let Some(c) = people.first() {
        c.get(format!("{base}/healthz")).send().await.context(
            "connecting from 127.1.0.1 (the benchmark gives each person its own loopback address, which needs Linux)",
        )?;
    }

    // 1. Sign-up: one Argon2id hash per request.
    let cpu_before = server.cpu()?;
    let (b, p) = (base.clone(), people.clone());
    let signup = load(n, args.concurrency, move |i| {
        let (b, p) = (b.clone(), p.clone());
        async move {
            let resp = p[i]
                .post(format!("{b}/api/v1/auth/sign-up"))
                .json(&json!({ "email": email_of(i), "password": PASSWORD, "name": "Bench Person", "language": "en" }))
                .send()
                .await?;
            let v = expect(resp, reqwest::StatusCode::CREATED).await?;
            v["token"]
                .as_str()
                .map(str::to_string)
                .context("no token in the sign-up answer")
        }
    })
    .await;
    let signup_cpu = server.cpu()?.since(cpu_before);
    eprintln!("sign-up: {}/{} in {:.2} s", signup.ok(), n, signup.wall.as_secs_f64());
    if signup.ok() == 0 {
        bail!("no sign-up succeeded: {}", signup.first_error().unwrap_or_default());
    }

    // 2. Confirm the email addresses with the codes from the development outbox (not timed).
    let mut pending: Vec<(usize, String)> = signup
        .results
        .iter()
        .filter_map(|(i, r, _)| r.as_ref().ok().map(|t| (*i, t.clone())))
        .collect();
    let plain = reqwest::Client::builder().timeout(Duration::from_secs(60)).build()?;
    for round in 0..6 {
        if pending.is_empty() {
            break;
        }
        // Let the outbox worker write what the last requests queued.
        tokio::time::sleep(Duration::from_millis(300)).await;
        let html = plain.get(format!("{base}/dev/outbox")).send().await?.text().await?;
        let codes = outbox_codes(&html);
        let mut missing = Vec::new();
        for (i, token) in pending {
            match codes.get(&email_of(i)) {
                Some(code) => {
                    let resp = people[i]
                        .post(format!("{base}/api/v1/auth/code"))
                        .bearer_auth(&token)
                        .json(&json!({ "code": code }))
                        .send()
                        .await?;
                    expect(resp, reqwest::StatusCode::OK)
                        .await
                        .with_context(|| format!("confirming {}", email_of(i)))?;
                }
                None => missing.push((i, token)),
            }
        }
        // The outbox page shows the latest 200 messages: ask again for the others.
        for (i, token) in missing.iter().take(150) {
            let resp = people[*i]
                .post(format!("{base}/api/v1/auth/code/resend"))
                .bearer_auth(token)
                .send()
                .await?;
            expect(resp, reqwest::StatusCode::ACCEPTED)
                .await
                .with_context(|| format!("resending to {} (round {round})", email_of(*i)))?;
        }
        pending = missing;
    }
    if !pending.is_empty() {
        bail!("{} accounts could not be confirmed", pending.len());
    }
    let confirmed: Arc<Vec<usize>> = Arc::new(signup.results.iter().filter(|r| r.1.is_ok()).map(|r| r.0).collect());

    // 3. Sign-in: one Argon2id verification per request, each account once.
    let cpu_before = server.cpu()?;
    let (b, p, c) = (base.clone(), people.clone(), confirmed.clone());
    let signin = load(confirmed.len(), args.concurrency, move |k| {
        let (b, p, c) = (b.clone(), p.clone(), c.clone());
        async move {
            let i = c[k];
            let resp = p[i]
                .post(format!("{b}/api/v1/auth/sign-in"))
                .json(&json!({ "email": email_of(i), "password": PASSWORD }))
                .send()
                .await?;
            let v = expect(resp, reqwest::StatusCode::OK).await?;
            if v["next"] != "code" {
                bail!("unexpected answer {v}");
            }
            Ok(())
        }
    })
    .await;
    let signin_cpu = server.cpu()?.since(cpu_before);
    eprintln!(
        "sign-in: {}/{} in {:.2} s",
        signin.ok(),
        confirmed.len(),
        signin.wall.as_secs_f64()
    );
    let busy = server.memory()?;
    tokio::time::sleep(Duration::from_millis(args.idle_ms)).await;
    let idle = server.memory()?;
    Ok(Phases {
        signup,
        signin,
        signup_cpu,
        signin_cpu,
        mem: [busy, idle],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_codes_from_the_outbox() {
        let html = r#"<article class="card mail" data-channel="email" data-to="a@x.test"><header>2026-01-02 10:11:12 UTC</header><h2>Your Cercle code: 123456</h2></article>
<article class="card mail" data-channel="email" data-to="a@x.test"><header>x</header><h2>Your Cercle code: 999999</h2></article>"#;
        let codes = outbox_codes(html);
        assert_eq!(codes.get("a@x.test").map(String::as_str), Some("123456"));
    }

    #[test]
    fn distinct_addresses() {
        assert_eq!(address_of(0), IpAddr::V4(Ipv4Addr::new(127, 1, 0, 1)));
        assert_eq!(address_of(254), IpAddr::V4(Ipv4Addr::new(127, 1, 1, 1)));
        assert_ne!(address_of(253), address_of(254));
    }
}
