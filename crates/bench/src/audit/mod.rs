//! `cercle-bench audit`: audit search latency over a generated log.
//!
//! For each backend: a fresh store (a temporary SQLite folder, or a scratch
//! PostgreSQL database created and dropped here), the server's migrations,
//! `--events` generated records inserted in multi-row statements with a
//! valid hash chain and the chain head set, the chain verified the way
//! `cercle admin verify-audit` does, then each search of [`queries`] timed
//! through `cercle_store::audit::search`, the function behind the API.

pub(crate) mod dataset;
mod queries;

use crate::scratch::Scratch;
use anyhow::{bail, Context};
use cercle_domain::audit::{verify_chain, AuditRecord, GENESIS_HASH};
use cercle_store::{audit, Backend, Conn, Store};
use dataset::{Generator, Rng, Universe};
use queries::Timing;
use sqlx::Row;
use std::time::{Duration, Instant};

#[derive(clap::Args)]
pub struct AuditArgs {
    /// Events to generate.
    #[arg(long, default_value_t = 1_000_000)]
    events: u64,
    #[command(flatten)]
    db: crate::scratch::Databases,
    /// Timed runs of each search.
    #[arg(long, default_value_t = 200)]
    runs: usize,
    /// Untimed runs of each search before the timed ones.
    #[arg(long, default_value_t = 20)]
    warmup: usize,
    /// Rows per INSERT statement (default: 50 on SQLite, where sqlx binds
    /// slow down with the number of parameters, 500 on PostgreSQL).
    #[arg(long)]
    batch: Option<usize>,
    /// Seed of the generator: the same seed gives the same data and searches.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Keep the SQLite folder or PostgreSQL database instead of removing it.
    #[arg(long)]
    keep: bool,
}

/// Rows per transaction while loading.
const ROWS_PER_TX: u64 = 50_000;
const COLUMNS: usize = 16;
/// Bound parameters one statement may hold (SQLite's limit; PostgreSQL's is 65535).
const MAX_PARAMETERS: usize = 32_766;

pub async fn run(args: &AuditArgs) -> anyhow::Result<()> {
    if args.batch.is_some_and(|b| b == 0 || b * COLUMNS > MAX_PARAMETERS) {
        bail!("--batch must be between 1 and {}", MAX_PARAMETERS / COLUMNS);
    }
    if args.events == 0 || args.runs == 0 {
        bail!("--events and --runs must be at least 1");
    }
    let backends = args.db.backend.backends();
    let universe = Universe::new(&mut Rng::new(args.seed));
    let mut reports = Vec::new();
    for &backend in backends {
        eprintln!("cercle-bench audit: {} ({} events)", backend.name(), args.events);
        let scratch = Scratch::create(backend, &args.db.postgres, "audit").await?;
        let result = measure(args, &scratch.url, &universe).await;
        scratch.finish(args.keep).await;
        reports.push((backend, result?));
    }
    println!("{}", render(args, &reports));
    Ok(())
}

// ---------------------------------------------------------------- one backend

struct Report {
    load: Duration,
    verify: Duration,
    sizes: Sizes,
    timings: Vec<Timing>,
}

async fn measure(args: &AuditArgs, url: &str, universe: &Universe) -> anyhow::Result<Report> {
    let store = Store::open(url).await.with_context(|| format!("opening {url}"))?;
    store.migrate().await.context("applying the migrations")?;
    let result = measure_on(args, &store, universe).await;
    store.close().await;
    result
}

async fn measure_on(args: &AuditArgs, store: &Store, universe: &Universe) -> anyhow::Result<Report> {
    let t = Instant::now();
    load(store, universe, args).await?;
    let load = t.elapsed();
    eprintln!("  generated and inserted in {:.1} s", load.as_secs_f64());
    let t = Instant::now();
    after_load(store).await?;
    eprintln!(
        "  after the load (PostgreSQL: VACUUM ANALYZE): {:.1} s",
        t.elapsed().as_secs_f64()
    );

    let t = Instant::now();
    let records = verify(store).await?;
    let verify = t.elapsed();
    eprintln!("  chain of {records} records verified in {:.1} s", verify.as_secs_f64());

    let sizes = sizes(store).await?;
    let timings = queries::measure(store, universe, args.events, args.seed, args.warmup, args.runs).await?;
    Ok(Report {
        load,
        verify,
        sizes,
        timings,
    })
}

/// Inserts the generated records, `--batch` rows per statement, and sets the chain head.
async fn load(store: &Store, universe: &Universe, args: &AuditArgs) -> anyhow::Result<()> {
    let batch = args.batch.unwrap_or(match store.backend() {
        Backend::Sqlite => 50,
        Backend::Postgres => 500,
    }) as u64;
    let mut generator = Generator::new(universe, args.seed, args.events);
    let mut left = args.events;
    let mut next_report = 0;
    while left > 0 {
        let mut tx = store.begin().await?;
        let mut in_tx = 0;
        while left > 0 && in_tx < ROWS_PER_TX {
            let n = left.min(batch);
            let rows: Vec<AuditRecord> = (0..n).map(|_| generator.next_record()).collect();
            insert(&mut tx, &rows).await?;
            left -= n;
            in_tx += n;
        }
        let (seq, hash) = generator.head();
        sqlx::query("UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1")
            .bind(seq)
            .bind(hash.to_string())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        if seq >= next_report {
            eprintln!("  {seq} / {}", args.events);
            next_report = seq + 200_000;
        }
    }
    Ok(())
}

/// One multi-row INSERT with the server's column list.
async fn insert(conn: &mut Conn, rows: &[AuditRecord]) -> anyhow::Result<()> {
    let mut sql = String::from(
        "INSERT INTO audit_events (seq, id, at, org_id, unit_id, actor_kind, actor_id, event, action, target_type, target_id, scopes, ip, prev_hash, hash, patient_id) VALUES ",
    );
    for i in 0..rows.len() {
        sql.push_str(if i == 0 { "(" } else { ", (" });
        for c in 0..COLUMNS {
            if c > 0 {
                sql.push_str(", ");
            }
            sql.push_str(&format!("${}", i * COLUMNS + c + 1));
        }
        sql.push(')');
    }
    let mut q = sqlx::query(&sql);
    for r in rows {
        q = q
            .bind(r.seq)
            .bind(&r.id)
            .bind(r.at)
            .bind(&r.org_id)
            .bind(&r.unit_id)
            .bind(r.actor_kind.as_str())
            .bind(&r.actor_id)
            .bind(&r.event)
            .bind(&r.action)
            .bind(&r.target_type)
            .bind(&r.target_id)
            .bind(&r.scopes)
            .bind(&r.ip)
            .bind(&r.prev_hash)
            .bind(&r.hash)
            .bind(cercle_domain::audit::patient_of(&r.scopes));
    }
    q.execute(conn).await.context("inserting audit events")?;
    Ok(())
}

/// PostgreSQL: `VACUUM ANALYZE`, which autovacuum would run on its own
/// shortly after such a load. SQLite: nothing (the server runs no `ANALYZE`).
async fn after_load(store: &Store) -> anyhow::Result<()> {
    if store.backend() == Backend::Postgres {
        let mut conn = store.reader().await?;
        sqlx::query("VACUUM ANALYZE audit_events")
            .execute(&mut *conn)
            .await
            .context("VACUUM ANALYZE")?;
    }
    Ok(())
}

/// Walks the chain in pages of 1000, as `cercle admin verify-audit` does.
async fn verify(store: &Store) -> anyhow::Result<i64> {
    let mut conn = store.reader().await?;
    let (head_seq, head_hash) = audit::head(&mut conn).await?;
    let mut prev = GENESIS_HASH.to_string();
    let mut last_seq = 0;
    loop {
        let page = audit::page(&mut conn, last_seq, 1000).await?;
        let Some(last) = page.last() else { break };
        last_seq = last.seq;
        prev = verify_chain(&prev, &page).map_err(|b| anyhow::anyhow!("generated chain broken: {b:?}"))?;
    }
    if last_seq != head_seq || prev != head_hash {
        bail!("chain head ({head_seq}) does not match the last record ({last_seq})");
    }
    Ok(last_seq)
}

// ---------------------------------------------------------------- sizes on disk

#[derive(Default)]
struct Sizes {
    database: u64,
    table: Option<u64>,
    indexes: Option<u64>,
}

async fn sizes(store: &Store) -> anyhow::Result<Sizes> {
    let mut conn = store.reader().await?;
    match store.backend() {
        Backend::Sqlite => {
            sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
                .execute(&mut *conn)
                .await?;
            let row = sqlx::query(
                "SELECT CAST(page_count AS BIGINT) AS pages, CAST(page_size AS BIGINT) AS size \
                 FROM pragma_page_count(), pragma_page_size()",
            )
            .fetch_one(&mut *conn)
            .await?;
            let database = (row.try_get::<i64, _>("pages")? * row.try_get::<i64, _>("size")?) as u64;
            // `dbstat` is compiled into most SQLite builds, not all.
            let object = |name: &'static str| {
                format!("SELECT CAST(COALESCE(SUM(pgsize), 0) AS BIGINT) AS bytes FROM dbstat WHERE name {name}")
            };
            let table = one_i64(&mut conn, &object("= 'audit_events'")).await;
            let indexes = one_i64(
                &mut conn,
                &object("IN (SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'audit_events')"),
            )
            .await;
            Ok(Sizes {
                database,
                table,
                indexes,
            })
        }
        Backend::Postgres => Ok(Sizes {
            database: one_i64(&mut conn, "SELECT pg_database_size(current_database())")
                .await
                .unwrap_or(0),
            table: one_i64(&mut conn, "SELECT pg_table_size('audit_events')").await,
            indexes: one_i64(&mut conn, "SELECT pg_indexes_size('audit_events')").await,
        }),
    }
}

async fn one_i64(conn: &mut Conn, sql: &str) -> Option<u64> {
    let row = sqlx::query(sql).fetch_one(conn).await.ok()?;
    row.try_get::<i64, _>(0).ok().map(|v| v as u64)
}

// ---------------------------------------------------------------- report

fn mib(bytes: u64) -> String {
    format!("{:.0}", bytes as f64 / (1024.0 * 1024.0))
}

fn render(args: &AuditArgs, reports: &[(Backend, Report)]) -> String {
    let mut out = format!(
        "### Audit search latency ({} events, {} runs per search after {} warm-up runs, limit 50)\n\n",
        args.events, args.runs, args.warmup
    );
    out.push_str("| Search |");
    for (b, _) in reports {
        out.push_str(&format!(" {0} p50 (ms) | {0} p99 (ms) | {0} max (ms) |", b.name()));
    }
    out.push_str(" rows returned (mean) |\n|---|");
    out.push_str(&"---:|---:|---:|".repeat(reports.len()));
    out.push_str("---:|\n");
    for search in queries::Search::ALL {
        out.push_str(&format!("| {} |", search.label()));
        let mut rows = f64::NAN;
        for (_, r) in reports {
            if let Some(t) = r.timings.iter().find(|t| t.search == search) {
                out.push_str(&format!(" {:.2} | {:.2} | {:.2} |", t.p50(), t.p99(), t.max()));
                rows = t.mean_rows();
            }
        }
        out.push_str(&format!(" {rows:.1} |\n"));
    }
    out.push_str(&format!(
        "\n| Backend | generate + insert {} events (s) | events/s | verify the chain (s) | database (MiB) | `audit_events` table (MiB) | its indexes (MiB) |\n|---|---:|---:|---:|---:|---:|---:|\n",
        args.events
    ));
    for (b, r) in reports {
        let opt = |v: Option<u64>| v.map(mib).unwrap_or_else(|| "–".into());
        out.push_str(&format!(
            "| {} | {:.1} | {:.0} | {:.1} | {} | {} | {} |\n",
            b.name(),
            r.load.as_secs_f64(),
            args.events as f64 / r.load.as_secs_f64(),
            r.verify.as_secs_f64(),
            mib(r.sizes.database),
            opt(r.sizes.table),
            opt(r.sizes.indexes),
        ));
    }
    out
}
