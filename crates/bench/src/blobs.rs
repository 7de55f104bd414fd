//! `cercle-bench blobs`: how fast the blob stores move attachments' files,
//! the local disk against S3-compatible object storage, through the same
//! `BlobStore` port the app uses.
//!
//! For each store (a temporary folder; and the bucket that `CERCLE_S3_*`
//! names, as `cercle` reads them, under a prefix of its own, when
//! `CERCLE_S3_ENDPOINT` is set): `--count` blobs of `--size-mib` MiB
//! (random bytes, not encrypted here: the store sees only bytes) are
//! stored one after the other (timed: `put` returns once the blob is on
//! stable storage), then read whole one after the other in 1 MiB pieces as
//! a download reads them (timed), then `--ranges` reads of 100 bytes at
//! random places (timed one by one: a player seeking), then removed.

use crate::stats::{ms, percentile, sorted};
use cercle_app::adapters::local_blobs::LocalBlobs;
use cercle_app::adapters::s3_blobs::{S3Blobs, S3Settings};
use cercle_app::blobs::BlobStore;
use std::time::Instant;

#[derive(clap::Args)]
pub struct BlobsArgs {
    /// Size of each blob, in MiB.
    #[arg(long, default_value_t = 16)]
    size_mib: u64,
    /// Blobs stored and read per store.
    #[arg(long, default_value_t = 6)]
    count: usize,
    /// 100-byte range reads per store.
    #[arg(long, default_value_t = 50)]
    ranges: usize,
}

const PIECE: u64 = 1024 * 1024;

fn s3_from_env() -> Option<S3Settings> {
    let var = |name: &str| std::env::var(format!("CERCLE_S3_{name}")).ok();
    Some(S3Settings {
        endpoint: var("ENDPOINT")?,
        bucket: var("BUCKET")?,
        region: var("REGION").unwrap_or_else(|| "us-east-1".into()),
        access_key_id: var("ACCESS_KEY_ID")?,
        secret_access_key: var("SECRET_ACCESS_KEY")?,
        prefix: format!("bench-{}/", uuid::Uuid::new_v4().simple()),
    })
}

pub async fn run(args: &BlobsArgs) -> anyhow::Result<()> {
    let dir = std::env::temp_dir().join(format!("cercle-bench-blobs-{}", uuid::Uuid::new_v4().simple()));
    let local = LocalBlobs::open(&dir)?;
    println!(
        "blobs: {} × {} MiB per store, read in 1 MiB pieces; {} range reads of 100 bytes",
        args.count, args.size_mib, args.ranges
    );
    let result = measure("local disk", &local, args).await;
    let _ = std::fs::remove_dir_all(&dir);
    result?;
    match s3_from_env() {
        Some(settings) => {
            let s3 = S3Blobs::new(&settings).map_err(|e| anyhow::anyhow!(e))?;
            s3.check().await?;
            measure(&format!("S3 at {}", settings.endpoint), &s3, args).await?;
        }
        None => {
            println!("S3: not measured (set CERCLE_S3_ENDPOINT, _BUCKET, _REGION, _ACCESS_KEY_ID, _SECRET_ACCESS_KEY)")
        }
    }
    Ok(())
}

async fn measure(label: &str, store: &dyn BlobStore, args: &BlobsArgs) -> anyhow::Result<()> {
    let size = args.size_mib * PIECE;
    let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
    let mut random = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let names: Vec<String> = (0..args.count).map(|_| uuid::Uuid::now_v7().to_string()).collect();
    let blob: Vec<u8> = (0..size).map(|_| random() as u8).collect();
    let megabytes = (size * args.count as u64) as f64 / 1e6;

    let started = Instant::now();
    for name in &names {
        // In 1 MiB pieces, as an upload arrives.
        let mut w = store.create(name).await?;
        for piece in blob.chunks(PIECE as usize) {
            w.write(piece.to_vec()).await?;
        }
        w.finish().await?;
    }
    let put_secs = started.elapsed().as_secs_f64();

    let started = Instant::now();
    for name in &names {
        let mut at = 0;
        while at < size {
            let piece = store.read(name, at, PIECE).await?;
            anyhow::ensure!(!piece.is_empty(), "short read");
            at += piece.len() as u64;
        }
    }
    let get_secs = started.elapsed().as_secs_f64();

    let mut times = Vec::with_capacity(args.ranges);
    for i in 0..args.ranges {
        let name = &names[i % names.len()];
        let at = random() % (size - 100);
        let started = Instant::now();
        let bytes = store.read(name, at, 100).await?;
        times.push(ms(started.elapsed()));
        anyhow::ensure!(bytes.len() == 100, "range read");
    }
    let times = sorted(&times);
    for name in &names {
        store.delete(name).await?;
    }
    println!(
        "{label}: store {:.0} MB/s, read {:.0} MB/s, 100-byte range p50 {:.2} ms p99 {:.2} ms",
        megabytes / put_secs,
        megabytes / get_secs,
        percentile(&times, 50.0),
        percentile(&times, 99.0),
    );
    Ok(())
}
