//! `cercle-bench attachments`: what uploads cost the server, measured from
//! the outside on a release `cercle serve` (one node, SQLite or PostgreSQL).
//!
//! The people, organization, patient file and thread are set up as for
//! `cercle-bench threads` ([`crate::threads::setup`]). Then `--files`
//! videos of `--size-mib` MiB (64 by default, the largest allowed) and
//! `--small` voice messages of 512 KiB are uploaded (`PUT
//! /api/v1/threads/{id}/files`, with `Content-Length`), `--parallel` at a
//! time, and each video is downloaded back and compared byte for byte.
//!
//! Memory: the server's peak resident set (`VmHWM`) is reset just before the
//! uploads (`echo 5 > /proc/<pid>/clear_refs`), so the peak read after them
//! is the uploads' own; its growth is that peak less the resident set read
//! before (`VmRSS`). The resident set is also sampled every 5 ms meanwhile.

use crate::scratch::Scratch;
use crate::serve::{self, Server};
use crate::stats::mib;
use anyhow::{bail, Context};
use cercle_store::Backend;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

#[derive(clap::Args)]
pub struct AttachmentsArgs {
    /// The `cercle` binary to measure (default: `$CARGO_TARGET_DIR/release/cercle`,
    /// else next to this program, else `./target/release/cercle`).
    #[arg(long)]
    cercle: Option<PathBuf>,
    /// Which database the server uses.
    #[arg(long, value_enum, default_value_t = Which::Sqlite)]
    backend: Which,
    /// PostgreSQL server (any existing database on it): a scratch database
    /// `cercle_bench_attachments_<random>` is created there, then dropped.
    #[arg(
        long,
        env = "CERCLE_BENCH_POSTGRES",
        default_value = "postgres://postgres@127.0.0.1:5432/postgres"
    )]
    postgres: String,
    /// Large files (videos) to upload.
    #[arg(long, default_value_t = 4)]
    files: usize,
    /// Size of each large file, in MiB (at most 64, the largest video).
    #[arg(long, default_value_t = 64)]
    size_mib: usize,
    /// Small files (voice messages of 512 KiB) to upload after them.
    #[arg(long, default_value_t = 10)]
    small: usize,
    /// Uploads in flight at once.
    #[arg(long, default_value_t = 1)]
    parallel: usize,
    /// Keep the data folder / PostgreSQL database instead of removing them.
    #[arg(long)]
    keep: bool,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Which {
    Sqlite,
    Postgres,
}

const MIB: usize = 1024 * 1024;

pub async fn run(args: &AttachmentsArgs) -> anyhow::Result<()> {
    if args.files == 0 || args.size_mib == 0 || args.size_mib > 64 || args.parallel == 0 {
        bail!("--files and --parallel must not be 0, --size-mib must be 1 to 64");
    }
    // The server allows 60 uploads per person and hour.
    if args.files + args.small > 60 {
        bail!("at most 60 uploads in all (the server's limit per person and hour)");
    }
    let cercle = serve::cercle_binary(args.cercle.as_deref())?;
    let backend = match args.backend {
        Which::Sqlite => Backend::Sqlite,
        Which::Postgres => Backend::Postgres,
    };
    eprintln!("cercle-bench attachments: binary {}", cercle.display());
    let root = std::env::temp_dir().join(format!(
        "cercle-bench-attachments-{}-{}",
        backend.name(),
        std::process::id()
    ));
    std::fs::create_dir_all(&root).with_context(|| format!("creating {}", root.display()))?;
    let scratch = match backend {
        Backend::Postgres => Some(Scratch::create(backend, &args.postgres, "attachments").await?),
        Backend::Sqlite => None,
    };
    let db_url = match &scratch {
        Some(s) => s.url.clone(),
        None => format!("sqlite://{}", root.join("data").join("cercle.db").display()),
    };
    let mut env = vec![
        ("CERCLE_REQUESTS_PER_SEC", "1000000".to_string()),
        ("CERCLE_ARGON2_MEMORY_KIB", "1024".to_string()),
        ("CERCLE_ARGON2_ITERATIONS", "1".to_string()),
        ("CERCLE_ARGON2_PARALLELISM", "1".to_string()),
    ];
    if scratch.is_some() {
        env.push(("CERCLE_DATABASE_URL", db_url.clone()));
    }
    let result = async {
        let (server, _) = serve::start(&cercle, &root.join("data"), &root.join("serve.log"), &env).await?;
        eprintln!("{}: server pid {} at {}", backend.name(), server.pid, server.base);
        let outcome = measure(args, &server, &db_url).await;
        let log = server.log.clone();
        server.stop().await?;
        outcome.with_context(|| format!("server log:\n{}", serve::tail(&log)))
    }
    .await;
    if let Some(s) = scratch {
        s.finish(args.keep).await;
    }
    if args.keep {
        eprintln!("cercle-bench attachments: kept {}", root.display());
    } else {
        let _ = std::fs::remove_dir_all(&root);
    }
    let report = result?;
    println!("{}", render(args, backend, &cercle, &report));
    Ok(())
}

struct Report {
    rss_before_kib: u64,
    hwm_after_kib: u64,
    sampled_max_kib: u64,
    rss_after_kib: u64,
    upload: Duration,
    download: Duration,
    small: Duration,
}

/// An MP4 video of `len` bytes (an `ftyp` box, then varied bytes).
fn video(len: usize) -> Vec<u8> {
    let mut v = vec![0, 0, 0, 24];
    v.extend_from_slice(b"ftypisom\0\0\x02\0isommp41");
    v.extend((v.len()..len).map(|i| (i.wrapping_mul(2_654_435_761) >> 11) as u8));
    v
}

/// A voice message (Ogg) of `len` bytes.
fn voice(len: usize) -> Vec<u8> {
    let mut v = b"OggS".to_vec();
    v.extend((4..len).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8));
    v
}

/// Forgets the server's peak resident set so far (Linux: `clear_refs` 5).
fn reset_peak(pid: u32) -> anyhow::Result<()> {
    std::fs::write(format!("/proc/{pid}/clear_refs"), "5")
        .context("resetting VmHWM (needs Linux and the server's user)")
}

async fn measure(args: &AttachmentsArgs, server: &Server, db_url: &str) -> anyhow::Result<Report> {
    let world = crate::threads::setup::build(server, db_url, 2).await?;
    let http = reqwest::Client::builder()
        .local_address(serve::address_of(0))
        .timeout(Duration::from_secs(300))
        .build()?;
    let token = world.tokens[0].clone();
    let upload_url = |name: &str, kind: &str| {
        format!(
            "{}/api/v1/threads/{}/files?name={name}&kind={kind}",
            server.base, world.thread_id
        )
    };
    let file = Arc::new(video(args.size_mib * MIB));
    // Let the set-up's work settle, then start from a fresh peak.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let rss_before_kib = server.memory()?.rss_kib;
    reset_peak(server.pid)?;

    let sampling = Arc::new(AtomicBool::new(true));
    let sampled_max = Arc::new(AtomicU64::new(rss_before_kib));
    let sampler = {
        let (sampling, sampled_max, pid) = (sampling.clone(), sampled_max.clone(), server.pid);
        tokio::spawn(async move {
            while sampling.load(Ordering::Relaxed) {
                if let Ok(m) = serve::memory_of(pid) {
                    sampled_max.fetch_max(m.rss_kib, Ordering::Relaxed);
                }
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        })
    };

    let t0 = Instant::now();
    let mut ids = Vec::new();
    for batch in (0..args.files).collect::<Vec<_>>().chunks(args.parallel) {
        let mut sends = tokio::task::JoinSet::new();
        for i in batch {
            let (http, token, file) = (http.clone(), token.clone(), file.clone());
            let url = upload_url(&format!("video-{i}.mp4"), "video");
            sends.spawn(async move {
                let resp = http
                    .put(url)
                    .bearer_auth(token)
                    .body(file.as_ref().clone())
                    .send()
                    .await?;
                let m = serve::expect(resp, reqwest::StatusCode::CREATED).await?;
                m["attachments"][0]["id"]
                    .as_str()
                    .map(str::to_string)
                    .context("no attachment id in the answer")
            });
        }
        while let Some(id) = sends.join_next().await {
            ids.push(id??);
        }
    }
    let upload = t0.elapsed();

    let t1 = Instant::now();
    let small = voice(512 * 1024);
    for i in 0..args.small {
        let resp = http
            .put(upload_url(&format!("note-{i}.ogg"), "voice"))
            .bearer_auth(&token)
            .body(small.clone())
            .send()
            .await?;
        serve::expect(resp, reqwest::StatusCode::CREATED).await?;
    }
    let small_time = t1.elapsed();

    sampling.store(false, Ordering::Relaxed);
    sampler.await?;
    let after = server.memory()?;

    let t2 = Instant::now();
    for id in &ids {
        let resp = http
            .get(format!("{}/api/v1/attachments/{id}", server.base))
            .bearer_auth(&token)
            .send()
            .await?;
        if resp.status() != reqwest::StatusCode::OK {
            bail!("download of {id}: {}", resp.status());
        }
        let body = resp.bytes().await?;
        if body.as_ref() != file.as_slice() {
            bail!("download of {id}: {} bytes, not the file uploaded", body.len());
        }
    }
    let download = t2.elapsed();
    Ok(Report {
        rss_before_kib,
        hwm_after_kib: after.hwm_kib,
        sampled_max_kib: sampled_max.load(Ordering::Relaxed).max(after.rss_kib),
        rss_after_kib: after.rss_kib,
        upload,
        download,
        small: small_time,
    })
}

fn render(args: &AttachmentsArgs, backend: Backend, cercle: &std::path::Path, r: &Report) -> String {
    let total_mb = (args.files * args.size_mib * MIB) as f64 / 1e6;
    let rate = |d: Duration| total_mb / d.as_secs_f64().max(1e-9);
    let growth = r.hwm_after_kib.saturating_sub(r.rss_before_kib);
    let mut out = String::new();
    out.push_str(&format!(
        "### Attachments, {} ({}; {} × {} MiB videos, {} at a time, then {} voice messages of 512 KiB)\n\n",
        backend.name(),
        cercle.display(),
        args.files,
        args.size_mib,
        args.parallel,
        args.small
    ));
    out.push_str("| | |\n|---|---|\n");
    out.push_str(&format!("| server RSS before | {:.1} MiB |\n", mib(r.rss_before_kib)));
    out.push_str(&format!(
        "| peak RSS during the uploads (VmHWM) | {:.1} MiB |\n",
        mib(r.hwm_after_kib)
    ));
    out.push_str(&format!(
        "| **peak growth** (VmHWM − RSS before) | **{:.1} MiB** |\n",
        mib(growth)
    ));
    out.push_str(&format!(
        "| largest RSS sampled every 5 ms | {:.1} MiB |\n",
        mib(r.sampled_max_kib)
    ));
    out.push_str(&format!("| RSS after | {:.1} MiB |\n", mib(r.rss_after_kib)));
    out.push_str(&format!(
        "| upload, videos | {:.0} MB/s ({:.2} s) |\n",
        rate(r.upload),
        r.upload.as_secs_f64()
    ));
    out.push_str(&format!(
        "| download, videos (compared byte for byte) | {:.0} MB/s ({:.2} s) |\n",
        rate(r.download),
        r.download.as_secs_f64()
    ));
    if args.small > 0 {
        out.push_str(&format!(
            "| small uploads | {:.1} ms each |\n",
            r.small.as_secs_f64() * 1000.0 / args.small as f64
        ));
    }
    out
}
