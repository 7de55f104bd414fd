//! `cercle-bench disk`: how long this machine's disk takes to make a write
//! durable, the floor under every acknowledged message (a commit waits for
//! one such sync on either database).
//!
//! Appends `--size` bytes to a file and syncs its data (`fdatasync`, what
//! SQLite's `synchronous = FULL` and PostgreSQL's default `wal_sync_method`
//! do at a commit), `--count` times, one after the other, and prints the
//! latency's percentiles. A sync that takes tens of milliseconds now and then
//! is a delivery that does too, whatever the server does.

use crate::stats::{ms, percentile, sorted};
use anyhow::Context;
use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

#[derive(clap::Args)]
pub struct DiskArgs {
    /// Folder on the disk to measure (a file is created there and removed).
    #[arg(long, default_value = "/tmp")]
    dir: PathBuf,
    /// Syncs to time.
    #[arg(long, default_value_t = 3_000)]
    count: usize,
    /// Bytes appended before each sync (8 KiB: one WAL page).
    #[arg(long, default_value_t = 8_192)]
    size: usize,
}

pub fn run(args: &DiskArgs) -> anyhow::Result<()> {
    anyhow::ensure!(args.count > 0 && args.size > 0, "--count and --size must not be 0");
    let path = args.dir.join(format!("cercle-bench-disk-{}", std::process::id()));
    let result = measure(&path, args);
    let _ = std::fs::remove_file(&path);
    let mut latencies = result?;
    let total: f64 = latencies.iter().sum();
    latencies = sorted(&latencies);
    println!(
        "| disk ({}) | syncs | syncs/s | p50 (ms) | p99 (ms) | p99.9 (ms) | max (ms) |",
        args.dir.display()
    );
    println!("|---|---|---|---|---|---|---|");
    println!(
        "| append {} B + fdatasync | {} | {:.0} | {:.2} | {:.2} | {:.2} | {:.2} |",
        args.size,
        latencies.len(),
        latencies.len() as f64 / (total / 1000.0),
        percentile(&latencies, 50.0),
        percentile(&latencies, 99.0),
        percentile(&latencies, 99.9),
        percentile(&latencies, 100.0),
    );
    Ok(())
}

/// Each sync's latency in milliseconds.
fn measure(path: &std::path::Path, args: &DiskArgs) -> anyhow::Result<Vec<f64>> {
    let mut file = std::fs::OpenOptions::new()
        .create_new(true)
        .append(true)
        .open(path)
        .with_context(|| format!("creating {}", path.display()))?;
    let page = vec![0x5a_u8; args.size];
    let mut latencies = Vec::with_capacity(args.count);
    for _ in 0..args.count {
        let start = Instant::now();
        file.write_all(&page)?;
        file.sync_data()?;
        latencies.push(ms(start.elapsed()));
    }
    Ok(latencies)
}
