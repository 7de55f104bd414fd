//! `cercle-bench search`: network search latency over a generated network.
//!
//! For each backend: a fresh store (a temporary SQLite folder, or a scratch
//! PostgreSQL database created and dropped here) with the server's
//! migrations, `--profiles` generated people (and organizations, workplaces,
//! professions, friendships) bulk-loaded with their search index, the
//! planner's statistics gathered, then each query of [`queries::QUERIES`]
//! timed for three searchers through `cercle_store::search::search`, the
//! function behind the API.

mod check;
mod dataset;
mod names;
mod queries;
mod seed;

use crate::scratch::Scratch;
use crate::stats::{percentile, sorted};
use anyhow::{bail, Context};
use cercle_store::{Backend, Conn, Store};
use dataset::Universe;
use queries::{Timing, Who, QUERIES};
use seed::Seeded;
use sqlx::Row;
use std::collections::HashMap;
use std::time::Instant;

/// The p99 the issue asks for.
const TARGET_P99_MS: f64 = 20.0;

#[derive(clap::Args)]
pub struct SearchArgs {
    /// People to generate.
    #[arg(long, default_value_t = 1_000_000)]
    profiles: usize,
    #[command(flatten)]
    db: crate::scratch::Databases,
    /// Timed runs of each query for each searcher.
    #[arg(long, default_value_t = 30)]
    runs: usize,
    /// Untimed runs of each query for each searcher before the timed ones.
    #[arg(long, default_value_t = 3)]
    warmup: usize,
    /// Seed of the generator: the same seed gives the same network.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Keep the SQLite folder or PostgreSQL database instead of removing it.
    #[arg(long)]
    keep: bool,
    /// Measure on a database kept by an earlier run (`--keep`) with the
    /// same `--profiles` and `--seed`, instead of creating and seeding one
    /// (`sqlite:<path>` or `postgres://…`; repeatable).
    #[arg(long)]
    existing: Vec<String>,
    /// Measure only the queries whose text contains this (for investigating).
    #[arg(long)]
    only: Option<String>,
    /// Before measuring, check every answer against the one computed in
    /// memory from the generated network (slow beyond ~50,000 profiles).
    #[arg(long)]
    check: bool,
    /// A `PRAGMA` run on the measuring SQLite connection before the searches
    /// (e.g. `cache_size = -65536`, `mmap_size = 1073741824`), to try a
    /// setting the server does not use (repeatable; default: the server's).
    #[arg(long)]
    sqlite_pragma: Vec<String>,
}

pub async fn run(args: &SearchArgs) -> anyhow::Result<()> {
    if args.profiles < 10_000 || args.runs == 0 {
        bail!("--profiles must be at least 10000 and --runs at least 1");
    }
    let backends = args.db.backend.backends();
    let t = Instant::now();
    let universe = Universe::new(args.seed, args.profiles);
    let generate = t.elapsed().as_secs_f64();
    eprintln!(
        "cercle-bench search: {} people generated in {generate:.1} s",
        universe.people.len()
    );
    let mut reports = Vec::new();
    if !args.existing.is_empty() {
        for url in &args.existing {
            let backend = Backend::from_url(url)?;
            eprintln!("cercle-bench search: {} (existing {url})", backend.name());
            let store = Store::open(url).await.with_context(|| format!("opening {url}"))?;
            let result = measure_seeded(args, &store, &universe, Seeded::default()).await;
            store.close().await;
            reports.push((backend, result?));
        }
        println!("{}", render(args, &universe, generate, &reports));
        return Ok(());
    }
    for &backend in backends {
        eprintln!("cercle-bench search: {} ({} profiles)", backend.name(), args.profiles);
        let scratch = Scratch::create(backend, &args.db.postgres, "search").await?;
        let result = measure(args, backend, &scratch.url, &universe).await;
        scratch.finish(args.keep).await;
        reports.push((backend, result?));
    }
    println!("{}", render(args, &universe, generate, &reports));
    Ok(())
}

struct Report {
    seeded: Seeded,
    sizes: Sizes,
    timings: Vec<Timing>,
    /// With `--check`: how many documents each (query, searcher) should find.
    expected: HashMap<(usize, Who), usize>,
}

async fn measure(args: &SearchArgs, backend: Backend, url: &str, universe: &Universe) -> anyhow::Result<Report> {
    // The schema exactly as the server creates it.
    let store = Store::open(url).await.with_context(|| format!("opening {url}"))?;
    store.migrate().await.context("applying the migrations")?;
    store.close().await;

    let seeded = seed::seed(backend, url, universe, args.seed).await?;

    // A new store, so that its connections read the fresh statistics.
    let store = Store::open(url).await.with_context(|| format!("opening {url}"))?;
    let result = measure_seeded(args, &store, universe, seeded).await;
    store.close().await;
    result
}

async fn measure_seeded(
    args: &SearchArgs,
    store: &Store,
    universe: &Universe,
    seeded: Seeded,
) -> anyhow::Result<Report> {
    let mut expected = HashMap::new();
    if args.check {
        let c = check::run(store, universe).await?;
        eprintln!(
            "  check: {} complete answers equal to the expected ones, {} truncated ones within them",
            c.complete, c.truncated
        );
        expected = c.expected;
    }
    let sizes = sizes(store).await?;
    let setup: Vec<String> = match store.backend() {
        Backend::Sqlite => args.sqlite_pragma.iter().map(|p| format!("PRAGMA {p}")).collect(),
        Backend::Postgres => Vec::new(),
    };
    let timings = queries::measure(store, universe, args.warmup, args.runs, args.only.as_deref(), &setup).await?;
    Ok(Report {
        seeded,
        sizes,
        timings,
        expected,
    })
}

// ---------------------------------------------------------------- sizes on disk

const SEARCH_TABLES: &str = "('search_docs', 'search_postings', 'search_vocab', 'search_prefixes', 'search_variants')";

#[derive(Default)]
struct Sizes {
    database: u64,
    /// The five search tables and their indexes.
    search: Option<u64>,
}

async fn sizes(store: &Store) -> anyhow::Result<Sizes> {
    let mut conn = store.reader().await?;
    match store.backend() {
        Backend::Sqlite => {
            let row = sqlx::query(
                "SELECT CAST(page_count AS BIGINT) AS pages, CAST(page_size AS BIGINT) AS size \
                 FROM pragma_page_count(), pragma_page_size()",
            )
            .fetch_one(&mut *conn)
            .await?;
            let database = (row.try_get::<i64, _>("pages")? * row.try_get::<i64, _>("size")?) as u64;
            // `dbstat` is compiled into most SQLite builds, not all.
            let search = one_i64(
                &mut conn,
                &format!(
                    "SELECT CAST(COALESCE(SUM(pgsize), 0) AS BIGINT) FROM dbstat WHERE name IN \
                     (SELECT name FROM sqlite_master WHERE tbl_name IN {SEARCH_TABLES})"
                ),
            )
            .await;
            Ok(Sizes { database, search })
        }
        Backend::Postgres => Ok(Sizes {
            database: one_i64(&mut conn, "SELECT pg_database_size(current_database())")
                .await
                .unwrap_or(0),
            search: one_i64(
                &mut conn,
                &format!(
                    "SELECT CAST(SUM(pg_total_relation_size(c.oid)) AS BIGINT) FROM pg_class c \
                     WHERE c.relname IN {SEARCH_TABLES} AND c.relkind = 'r'"
                ),
            )
            .await,
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

/// 1234567 → "1,234,567".
fn thousands(n: u64) -> String {
    let digits: Vec<char> = n.to_string().chars().rev().collect();
    let groups: Vec<String> = digits.chunks(3).map(|g| g.iter().rev().collect()).collect();
    groups.into_iter().rev().collect::<Vec<_>>().join(",")
}

fn hits(t: &Timing, expected: Option<&usize>) -> String {
    let mut s = t.hits.to_string();
    if let Some(n) = expected {
        s.push_str(&format!(" of {n}"));
    }
    if t.personal > 0 {
        s.push_str(&format!(" ({} colleagues/friends)", t.personal));
    }
    if t.truncated {
        s.push_str(", truncated");
    }
    s
}

fn render(args: &SearchArgs, u: &Universe, generate: f64, reports: &[(Backend, Report)]) -> String {
    let mut out = format!(
        "### Network search latency ({} profiles, {} runs per query and searcher after {} warm-up runs)\n\n",
        thousands(u.people.len() as u64),
        args.runs,
        args.warmup
    );
    out.push_str("Searchers:\n\n");
    for who in Who::ALL {
        out.push_str(&format!("- **{}**: {}\n", who.short(), who.label(u)));
    }
    out.push_str("\n| # | Query | What it exercises | Filter |\n|---:|---|---|---|\n");
    for (i, q) in QUERIES.iter().enumerate() {
        out.push_str(&format!(
            "| {} | `{}` | {} | {} |\n",
            i + 1,
            q.text,
            q.what,
            q.filter.label()
        ));
    }
    out.push('\n');

    // Query × searcher, the backends side by side.
    out.push_str("#### Per query and searcher\n\n| # | Query | Filter | Searcher |");
    for (backend, _) in reports {
        out.push_str(&format!(
            " {0} p50 (ms) | {0} p99 (ms) | {0} max (ms) |",
            backend.name()
        ));
    }
    out.push_str(" hits |\n|---:|---|---|---|");
    out.push_str(&"---:|---:|---:|".repeat(reports.len()));
    out.push_str("---|\n");
    let rows = reports.first().map(|(_, r)| r.timings.len()).unwrap_or(0);
    for i in 0..rows {
        let Some(first) = reports.first().and_then(|(_, r)| r.timings.get(i)) else {
            continue;
        };
        let q = &QUERIES[first.query];
        out.push_str(&format!(
            "| {} | `{}` | {} | {} |",
            first.query + 1,
            q.text,
            q.filter.label(),
            first.who.short()
        ));
        let mut found: Vec<String> = Vec::new();
        for (backend, r) in reports {
            let Some(t) = r.timings.get(i) else { continue };
            out.push_str(&format!(" {:.2} | {:.2} | {:.2} |", t.p50(), t.p99(), t.max()));
            let h = hits(t, r.expected.get(&(t.query, t.who)));
            if !found.iter().any(|f| f.ends_with(&h)) {
                found.push(if found.is_empty() {
                    h
                } else {
                    format!("{}: {h}", backend.name())
                });
            }
        }
        out.push_str(&format!(" {} |\n", found.join("; ")));
    }
    out.push('\n');

    // Overall.
    out.push_str("#### Overall\n\n| Backend | Searcher | searches | p50 (ms) | p99 (ms) | max (ms) | queries with p99 > 20 ms |\n|---|---|---:|---:|---:|---:|---|\n");
    for (backend, r) in reports {
        let mut groups: Vec<(String, Vec<&Timing>)> = Who::ALL
            .iter()
            .map(|w| {
                (
                    w.short().to_string(),
                    r.timings.iter().filter(|t| t.who == *w).collect(),
                )
            })
            .collect();
        groups.push(("all".into(), r.timings.iter().collect()));
        for (label, ts) in groups {
            let all: Vec<f64> = sorted(&ts.iter().flat_map(|t| t.latencies.iter().copied()).collect::<Vec<_>>());
            let slow: Vec<String> = ts
                .iter()
                .filter(|t| t.p99() > TARGET_P99_MS)
                .map(|t| format!("{}{}", t.query + 1, if label == "all" { t.who.short() } else { "" }))
                .collect();
            out.push_str(&format!(
                "| {} | {} | {} | {:.2} | {:.2} | {:.2} | {} |\n",
                backend.name(),
                label,
                all.len(),
                percentile(&all, 50.0),
                percentile(&all, 99.0),
                all.last().copied().unwrap_or(f64::NAN),
                if slow.is_empty() {
                    "none".into()
                } else {
                    slow.join(", ")
                }
            ));
        }
    }

    // Seeding.
    out.push_str(&format!(
        "\n#### Seeding (network generated in memory in {generate:.1} s)\n\n| Backend | load (s) | statistics (s) | database (MiB) | search tables + indexes (MiB) |\n|---|---:|---:|---:|---:|\n"
    ));
    for (backend, r) in reports {
        let secs = |d: std::time::Duration| {
            if r.seeded.counts.is_empty() {
                "–".to_string()
            } else {
                format!("{:.1}", d.as_secs_f64())
            }
        };
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} |\n",
            backend.name(),
            secs(r.seeded.load),
            secs(r.seeded.analyze),
            mib(r.sizes.database),
            r.sizes.search.map(mib).unwrap_or_else(|| "–".into())
        ));
    }
    if let Some((_, r)) = reports.first().filter(|(_, r)| !r.seeded.counts.is_empty()) {
        out.push_str("\n| Table | rows |\n|---|---:|\n");
        for (table, n) in &r.seeded.counts {
            out.push_str(&format!("| `{table}` | {} |\n", thousands(*n)));
        }
    }

    // The words the queries lean on.
    let mut df: HashMap<String, u64> = HashMap::new();
    for p in &u.people {
        for t in cercle_domain::search::terms(&p.name, cercle_store::search::MAX_TERMS) {
            *df.entry(t).or_default() += 1;
        }
    }
    out.push_str("\nPeople whose name holds the word:");
    for w in [
        "tremblay", "gagnon", "cote", "marie", "jean", "eve", "pierre", "nguyen", "bourdeau",
    ] {
        out.push_str(&format!(" `{w}` {},", thousands(df.get(w).copied().unwrap_or(0))));
    }
    out.pop();
    out.push_str(".\n");
    out
}

#[cfg(test)]
mod tests {
    use super::thousands;

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000), "1,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }
}
