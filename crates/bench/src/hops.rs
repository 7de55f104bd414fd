//! `cercle-bench hops`: the processor one SQLite read costs through sqlx's
//! driver, which runs each connection on a thread of its own and hands it
//! every statement and every row across a channel, against the same
//! statement run by rusqlite on the caller's own thread. What separates the
//! two is the hand-off (docs/architecture.md, "Hops per message"), the
//! largest part of the server's processor left at the SQLite ceiling
//! (docs/benchmarks.md section 31).
//!
//! The statement has the shape of a request's first read: a session and its
//! account, joined, found by the token's hash. Both drivers read the same
//! file (WAL, 10,000 sessions) from `--tasks` tasks at once on a runtime of
//! two threads, as requests do; the processor is the whole process's.

use anyhow::Context;
use sqlx::any::AnyPoolOptions;
use sqlx::Row;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

#[derive(clap::Args)]
pub struct HopsArgs {
    /// Reads per driver and round.
    #[arg(long, default_value_t = 40_000)]
    reads: usize,
    /// Tasks reading at once.
    #[arg(long, default_value_t = 64)]
    tasks: usize,
    /// Rounds (each driver once per round, alternated).
    #[arg(long, default_value_t = 3)]
    rounds: usize,
}

const SESSIONS: usize = 10_000;

const READ: &str = "SELECT s.id AS s_id, s.user_id, s.created_at, s.state, u.name, u.language, u.locked \
                    FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1";

pub fn run(args: &HopsArgs) -> anyhow::Result<()> {
    anyhow::ensure!(
        args.reads > 0 && args.tasks > 0 && args.rounds > 0,
        "--reads, --tasks and --rounds must not be 0"
    );
    let dir = std::env::temp_dir().join(format!("cercle-bench-hops-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let file = dir.join("hops.db");
    // A runtime of its own, on a thread of its own (the program's `main`
    // already runs one): two workers, as the server on this machine.
    let result = seed(&file).and_then(|()| {
        std::thread::scope(|s| {
            s.spawn(|| {
                tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(2)
                    .enable_all()
                    .build()?
                    .block_on(measure(&file, args))
            })
            .join()
            .map_err(|_| anyhow::anyhow!("the measuring thread panicked"))?
        })
    });
    let _ = std::fs::remove_dir_all(&dir);
    let rows = result?;
    println!("| round | driver | processor per read (µs) | reads/s |");
    println!("|---:|---|---:|---:|");
    for (round, driver, per_read, rate) in rows {
        println!("| {round} | {driver} | {per_read:.1} | {rate:.0} |");
    }
    Ok(())
}

fn seed(file: &Path) -> anyhow::Result<()> {
    let conn = rusqlite::Connection::open(file)?;
    conn.execute_batch(
        "PRAGMA journal_mode = WAL;
         CREATE TABLE users (id TEXT PRIMARY KEY, name TEXT NOT NULL, language TEXT NOT NULL, locked INTEGER NOT NULL);
         CREATE TABLE sessions (id TEXT PRIMARY KEY, token_hash TEXT NOT NULL UNIQUE, user_id TEXT NOT NULL,
                                created_at INTEGER NOT NULL, state TEXT NOT NULL);",
    )?;
    let tx = conn.unchecked_transaction()?;
    for i in 0..SESSIONS {
        tx.execute(
            "INSERT INTO users VALUES (?1, ?2, 'fr', 0)",
            (format!("u{i}"), format!("Person {i}")),
        )?;
        tx.execute(
            "INSERT INTO sessions VALUES (?1, ?2, ?3, 1, 'active')",
            (format!("s{i}"), format!("h{i}"), format!("u{i}")),
        )?;
    }
    tx.commit()?;
    Ok(())
}

/// (round, driver, µs of processor per read, reads per second).
async fn measure(file: &Path, args: &HopsArgs) -> anyhow::Result<Vec<(usize, &'static str, f64, f64)>> {
    sqlx::any::install_default_drivers();
    // As the server's read pool: four connections, no ping before a lend.
    let pool = AnyPoolOptions::new()
        .max_connections(4)
        .test_before_acquire(false)
        .connect(&format!("sqlite://{}", file.display()))
        .await?;
    let file: Arc<str> = Arc::from(file.to_string_lossy().as_ref());
    let (reads, step) = (args.reads, args.tasks);
    let mut rows = Vec::new();
    for round in 1..=args.rounds {
        let (per_read, rate) = in_tasks(args, |k| {
            let pool = pool.clone();
            async move {
                for i in (k..reads).step_by(step) {
                    let mut conn = pool.acquire().await?;
                    let row = sqlx::query(READ)
                        .bind(format!("h{}", i % SESSIONS))
                        .fetch_one(&mut *conn)
                        .await?;
                    std::hint::black_box(row.try_get::<String, _>("name")?);
                }
                anyhow::Ok(())
            }
        })
        .await?;
        rows.push((round, "sqlx (a thread per connection)", per_read, rate));

        let (per_read, rate) = in_tasks(args, |k| {
            let file = file.clone();
            async move {
                for i in (k..reads).step_by(step) {
                    std::hint::black_box(inline_read(&file, &format!("h{}", i % SESSIONS))?);
                    // Let the other tasks in, as an await of sqlx would.
                    tokio::task::yield_now().await;
                }
                anyhow::Ok(())
            }
        })
        .await?;
        rows.push((round, "rusqlite (on the caller's thread)", per_read, rate));
    }
    pool.close().await;
    Ok(rows)
}

/// The read on this thread's own connection (opened at its first read).
fn inline_read(file: &str, token_hash: &str) -> anyhow::Result<String> {
    thread_local! {
        static CONN: std::cell::RefCell<Option<rusqlite::Connection>> = const { std::cell::RefCell::new(None) };
    }
    CONN.with(|cell| {
        let mut slot = cell.borrow_mut();
        if slot.is_none() {
            *slot = Some(rusqlite::Connection::open(file).context("opening the file")?);
        }
        let conn = slot.as_ref().context("no connection")?;
        let mut statement = conn.prepare_cached(&READ.replace("$1", "?1"))?;
        Ok(statement.query_row([token_hash], |r| r.get::<_, String>("name"))?)
    })
}

/// Runs `task(k)` for k in 0..`--tasks` at once, `--reads` reads in all;
/// returns the process's processor per read (µs) and the reads per second.
async fn in_tasks<F, Fut>(args: &HopsArgs, task: F) -> anyhow::Result<(f64, f64)>
where
    F: Fn(usize) -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<()>> + Send + 'static,
{
    let before = crate::serve::cpu_of(std::process::id())?;
    let start = Instant::now();
    let tasks: Vec<_> = (0..args.tasks).map(|k| tokio::spawn(task(k))).collect();
    for t in tasks {
        t.await??;
    }
    let wall = start.elapsed().as_secs_f64();
    let cpu = crate::serve::cpu_of(std::process::id())?.since(before);
    let reads = args.reads as f64;
    Ok(((cpu.user + cpu.sys).as_secs_f64() / reads * 1e6, reads / wall))
}
