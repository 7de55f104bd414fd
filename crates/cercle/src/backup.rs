//! `cercle backup` and `cercle restore`.
//!
//! A backup is a folder: `manifest.txt`, the server key, the attachments'
//! blobs (`blobs/`), and the database: for SQLite a consistent copy made with
//! `VACUUM INTO` (safe while the server runs: it reads one snapshot), for
//! PostgreSQL a `pg_dump` archive.
//!
//! The database is copied first, the blobs after: a blob is stored before
//! the row that names it commits and is never removed while named, so every
//! row of the copied database finds its blob in the backup. Blobs stored
//! after the copy are extra; with no row naming them, the restored node's
//! sweep removes them.
//!
//! The blobs are in the backup whichever the store: copied from the local
//! folder, or downloaded from the object storage (`blob_store = "s3"`),
//! into the same layout (`blobs/<last two characters>/<name>`); `restore`
//! puts them into the store the restored node is configured with, so a
//! backup moves an installation from one store to the other too.

use crate::config::Config;
use anyhow::{bail, Context};
use cercle_app::blobs::{BlobError, BlobStore};
use cercle_store::{Backend, Store};
use std::path::Path;

const MANIFEST: &str = "manifest.txt";

pub async fn backup(config: &Config, out: &Path) -> anyhow::Result<()> {
    if out.exists() && std::fs::read_dir(out)?.next().is_some() {
        bail!("{} is not empty: choose a new folder for the backup", out.display());
    }
    crate::create_private_dir(out)?;
    let url = config.database_url();
    let backend = Backend::from_url(&url)?;
    match backend {
        Backend::Sqlite => {
            let store = Store::open(&url).await?;
            let target = out.join("cercle.db");
            store
                .snapshot_sqlite(&target.to_string_lossy())
                .await
                .context("copying the database")?;
            store.close().await;
        }
        Backend::Postgres => {
            let status = std::process::Command::new("pg_dump")
                .args(["--format=custom", "--no-owner", "--file"])
                .arg(out.join("cercle.pgdump"))
                .arg(&url)
                .status()
                .context("running pg_dump (install the PostgreSQL client tools)")?;
            if !status.success() {
                bail!("pg_dump failed");
            }
        }
    }
    copy_tree(&config.data_dir.join("keys"), &out.join("keys"))?;
    if config.s3_settings()?.is_some() {
        let store = crate::open_blobs(config).await?;
        download_blobs(store.as_ref(), &out.join("blobs"))
            .await
            .context("downloading the blobs from the object storage")?;
    } else {
        copy_blobs(&config.blob_dir(), &out.join("blobs")).context("copying the blobs")?;
    }
    let manifest = format!(
        "cercle-backup 1\nversion {}\nbackend {}\n",
        env!("CARGO_PKG_VERSION"),
        backend.name()
    );
    std::fs::write(out.join(MANIFEST), manifest)?;
    Ok(())
}

pub async fn restore(config: &Config, from: &Path) -> anyhow::Result<()> {
    let manifest = std::fs::read_to_string(from.join(MANIFEST))
        .with_context(|| format!("{} is not a Cercle backup", from.display()))?;
    if !manifest.starts_with("cercle-backup 1") {
        bail!("unknown backup format");
    }
    let url = config.database_url();
    match Backend::from_url(&url)? {
        Backend::Sqlite => {
            let source = from.join("cercle.db");
            if !source.exists() {
                bail!("this backup holds a PostgreSQL dump: restore it with a postgres database_url");
            }
            let target = url
                .trim_start_matches("sqlite://")
                .trim_start_matches("sqlite:")
                .split('?')
                .next()
                .unwrap_or("")
                .to_string();
            let target = Path::new(&target);
            if target.exists() {
                bail!("{} already exists: restore into a new data folder", target.display());
            }
            if let Some(parent) = target.parent() {
                crate::create_private_dir(parent)?;
            }
            std::fs::copy(&source, target).context("copying the database")?;
        }
        Backend::Postgres => {
            let status = std::process::Command::new("pg_restore")
                .args(["--no-owner", "--exit-on-error", "--dbname"])
                .arg(&url)
                .arg(from.join("cercle.pgdump"))
                .status()
                .context("running pg_restore (install the PostgreSQL client tools)")?;
            if !status.success() {
                bail!("pg_restore failed");
            }
        }
    }
    if config.data_dir.join("keys").join("server.key").exists() {
        bail!(
            "{} already has a server key: restore into a new data folder",
            config.data_dir.display()
        );
    }
    copy_tree(&from.join("keys"), &config.data_dir.join("keys"))?;
    if config.s3_settings()?.is_some() {
        let store = crate::open_blobs(config).await?;
        upload_blobs(&from.join("blobs"), store.as_ref())
            .await
            .context("uploading the blobs to the object storage")?;
    } else {
        copy_blobs(&from.join("blobs"), &config.blob_dir()).context("copying the blobs")?;
    }
    // Bring the restored database up to this version's schema.
    let store = Store::open(&url).await?;
    store.migrate().await?;
    store.close().await;
    Ok(())
}

fn copy_tree(from: &Path, to: &Path) -> anyhow::Result<()> {
    if !from.exists() {
        return Ok(());
    }
    crate::create_private_dir(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_tree(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), &target)?;
        }
    }
    Ok(())
}

/// Copies a blob folder (its subfolders of blobs), leaving out unfinished
/// writes (`.tmp-…`) and a blob removed meanwhile (a failed upload's).
fn copy_blobs(from: &Path, to: &Path) -> anyhow::Result<()> {
    if !from.exists() {
        return Ok(());
    }
    crate::create_private_dir(to)?;
    for dir in std::fs::read_dir(from)? {
        let dir = dir?;
        if !dir.file_type()?.is_dir() {
            continue;
        }
        let target = to.join(dir.file_name());
        crate::create_private_dir(&target)?;
        for entry in std::fs::read_dir(dir.path())? {
            let entry = entry?;
            let name = entry.file_name();
            if name.to_string_lossy().starts_with('.') {
                continue;
            }
            match std::fs::copy(entry.path(), target.join(&name)) {
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                other => {
                    other?;
                }
            }
        }
    }
    Ok(())
}

/// Bytes read from the object storage at a time while downloading a blob.
const PIECE: u64 = 8 * 1024 * 1024;

/// Downloads every blob of the object storage into `to` (the local store's
/// layout), each written to a temporary file and renamed once whole. A
/// blob removed meanwhile (a failed upload's) is left out.
async fn download_blobs(store: &dyn BlobStore, to: &Path) -> anyhow::Result<()> {
    crate::create_private_dir(to)?;
    let everything = cercle_domain::Timestamp(i64::MAX);
    for name in store.stored_before(everything).await? {
        let mut bytes = Vec::new();
        let whole = loop {
            match store.read(&name, bytes.len() as u64, PIECE).await {
                Ok(piece) => {
                    let short = (piece.len() as u64) < PIECE;
                    bytes.extend_from_slice(&piece);
                    if short {
                        break true;
                    }
                }
                Err(BlobError::NotFound) => break false,
                Err(e) => return Err(e.into()),
            }
        };
        if !whole {
            continue;
        }
        let dir = to.join(&name[name.len() - 2..]);
        crate::create_private_dir(&dir)?;
        let temporary = dir.join(format!(".{name}"));
        std::fs::write(&temporary, &bytes)?;
        std::fs::rename(&temporary, dir.join(&name))?;
    }
    Ok(())
}

/// Uploads the blobs of a backup's folder (the local store's layout) to
/// the object storage.
async fn upload_blobs(from: &Path, store: &dyn BlobStore) -> anyhow::Result<()> {
    if !from.exists() {
        return Ok(());
    }
    for dir in std::fs::read_dir(from)? {
        let dir = dir?;
        if !dir.file_type()?.is_dir() {
            continue;
        }
        for entry in std::fs::read_dir(dir.path())? {
            let entry = entry?;
            let name = entry.file_name().to_string_lossy().to_string();
            if !cercle_app::blobs::valid_name(&name) {
                continue;
            }
            // A piece at a time: a blob is never whole in memory.
            let mut file = std::fs::File::open(entry.path())?;
            let mut writer = store.create(&name).await?;
            loop {
                let mut piece = vec![0u8; 1024 * 1024];
                let n = std::io::Read::read(&mut file, &mut piece)?;
                if n == 0 {
                    break;
                }
                piece.truncate(n);
                if let Err(e) = writer.write(piece).await {
                    writer.abort().await;
                    return Err(e.into());
                }
            }
            writer.finish().await?;
        }
    }
    Ok(())
}
