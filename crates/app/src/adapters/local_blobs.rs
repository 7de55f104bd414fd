//! The blob store on the local disk of a single node: one file per blob
//! under a folder (`<data_dir>/blobs` unless configured), spread over 256
//! subfolders named by the blob name's last two characters (the random end
//! of a UUIDv7). A blob is written, piece by piece, under a temporary name
//! (`.tmp-…`) in its subfolder, then fsynced, renamed to its name, and the
//! subfolder fsynced: once `finish` returns, the blob survives a crash or
//! power loss. A write given up (or its writer dropped) removes its
//! temporary file at once; a crash leaves at most a temporary file (removed
//! by the sweep).

use crate::blobs::{valid_name, BlobError, BlobStore, BlobWriter};
use cercle_domain::Timestamp;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

const TEMPORARY: &str = ".tmp-";

pub struct LocalBlobs {
    root: PathBuf,
}

impl LocalBlobs {
    /// Uses (and creates, readable by its owner only) the folder `root`.
    pub fn open(root: &Path) -> io::Result<LocalBlobs> {
        let mut builder = fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::DirBuilderExt;
            builder.mode(0o700);
        }
        builder.create(root)?;
        Ok(LocalBlobs {
            root: root.to_path_buf(),
        })
    }

    /// The blob's subfolder and file.
    fn place(&self, name: &str) -> Result<(PathBuf, PathBuf), BlobError> {
        if !valid_name(name) {
            return Err(BlobError::Failed("not a blob name".into()));
        }
        let dir = self.root.join(&name[name.len() - 2..]);
        let file = dir.join(name);
        Ok((dir, file))
    }
}

fn failed(e: io::Error) -> BlobError {
    match e.kind() {
        io::ErrorKind::NotFound => BlobError::NotFound,
        io::ErrorKind::StorageFull | io::ErrorKind::QuotaExceeded => BlobError::Full,
        _ => BlobError::Failed(e.to_string()),
    }
}

async fn blocking<T: Send + 'static>(work: impl FnOnce() -> io::Result<T> + Send + 'static) -> Result<T, BlobError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| BlobError::Failed(e.to_string()))?
        .map_err(failed)
}

/// Makes a folder's entries (a new file's name, a rename) durable.
fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

/// Opens a new temporary file for blob `name` (no blob of that name may
/// exist yet).
fn create_temporary(root: &Path, dir: &Path, file: &Path, name: &str) -> io::Result<(File, PathBuf)> {
    if !dir.exists() {
        fs::create_dir_all(dir)?;
        sync_dir(root)?;
    }
    if file.exists() {
        return Err(io::Error::new(io::ErrorKind::AlreadyExists, "blob exists"));
    }
    let suffix: [u8; 8] = crate::secrets::random_bytes();
    let suffix: String = suffix.iter().map(|b| format!("{b:02x}")).collect();
    let temporary = dir.join(format!("{TEMPORARY}{name}-{suffix}"));
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let f = options.open(&temporary)?;
    Ok((f, temporary))
}

/// A blob being written into its temporary file.
struct LocalWriter {
    /// `None` while a write is under way on a blocking thread.
    file: Option<File>,
    temporary: PathBuf,
    dir: PathBuf,
    target: PathBuf,
    /// Renamed to its name, or removed: nothing left to clean.
    settled: bool,
}

impl Drop for LocalWriter {
    fn drop(&mut self) {
        if !self.settled {
            let _ = fs::remove_file(&self.temporary);
        }
    }
}

#[async_trait::async_trait]
impl BlobWriter for LocalWriter {
    async fn write(&mut self, bytes: Vec<u8>) -> Result<(), BlobError> {
        let mut f = self
            .file
            .take()
            .ok_or_else(|| BlobError::Failed("an earlier write failed".into()))?;
        let f = blocking(move || {
            f.write_all(&bytes)?;
            Ok(f)
        })
        .await?;
        self.file = Some(f);
        Ok(())
    }

    async fn finish(mut self: Box<Self>) -> Result<(), BlobError> {
        let f = self
            .file
            .take()
            .ok_or_else(|| BlobError::Failed("an earlier write failed".into()))?;
        let (temporary, dir, target) = (self.temporary.clone(), self.dir.clone(), self.target.clone());
        blocking(move || {
            f.sync_all()?;
            drop(f);
            if target.exists() {
                return Err(io::Error::new(io::ErrorKind::AlreadyExists, "blob exists"));
            }
            fs::rename(&temporary, &target)?;
            sync_dir(&dir)
        })
        .await?;
        // Renamed: dropping `self` must not remove anything. (On an error
        // above, the drop removes the temporary file.)
        self.settled = true;
        Ok(())
    }

    async fn abort(mut self: Box<Self>) {
        self.file = None;
        let temporary = self.temporary.clone();
        self.settled = true;
        if let Err(e) = blocking(move || fs::remove_file(temporary)).await {
            if !matches!(e, BlobError::NotFound) {
                tracing::warn!(error = %e, "removing an unfinished blob");
            }
        }
    }
}

#[async_trait::async_trait]
impl BlobStore for LocalBlobs {
    async fn create(&self, name: &str) -> Result<Box<dyn BlobWriter>, BlobError> {
        let (dir, target) = self.place(name)?;
        let (root, name) = (self.root.clone(), name.to_string());
        let (d, t) = (dir.clone(), target.clone());
        let (file, temporary) = blocking(move || create_temporary(&root, &d, &t, &name)).await?;
        Ok(Box::new(LocalWriter {
            file: Some(file),
            temporary,
            dir,
            target,
            settled: false,
        }))
    }

    async fn read(&self, name: &str, offset: u64, len: u64) -> Result<Vec<u8>, BlobError> {
        let (_, file) = self.place(name)?;
        blocking(move || {
            let mut f = File::open(file)?;
            f.seek(SeekFrom::Start(offset))?;
            let mut out = Vec::with_capacity(len.min(16 * 1024 * 1024) as usize);
            f.take(len).read_to_end(&mut out)?;
            Ok(out)
        })
        .await
    }

    async fn delete(&self, name: &str) -> Result<(), BlobError> {
        let (_, file) = self.place(name)?;
        match blocking(move || fs::remove_file(file)).await {
            Err(BlobError::NotFound) => Ok(()),
            other => other,
        }
    }

    async fn stored_before(&self, before: Timestamp) -> Result<Vec<String>, BlobError> {
        let root = self.root.clone();
        blocking(move || {
            let entries = entries_before(&root, before)?;
            Ok(entries
                .into_iter()
                .map(|(_, name)| name)
                .filter(|n| valid_name(n))
                .collect())
        })
        .await
    }

    /// The temporary files last written before `before`: writes that never
    /// finished (the node stopped).
    async fn remove_unfinished_before(&self, before: Timestamp) -> Result<usize, BlobError> {
        let root = self.root.clone();
        blocking(move || {
            let mut removed = 0;
            for (path, name) in entries_before(&root, before)? {
                if name.starts_with(TEMPORARY) && fs::remove_file(path).is_ok() {
                    removed += 1;
                }
            }
            Ok(removed)
        })
        .await
    }
}

/// The files of the blob folders last changed before `before`, with their
/// names.
fn entries_before(root: &Path, before: Timestamp) -> io::Result<Vec<(PathBuf, String)>> {
    let mut found = Vec::new();
    for dir in fs::read_dir(root)? {
        let dir = dir?;
        if !dir.file_type()?.is_dir() {
            continue;
        }
        for entry in fs::read_dir(dir.path())? {
            let entry = entry?;
            let modified = entry
                .metadata()?
                .modified()?
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_millis() as i64)
                .unwrap_or(0);
            if modified < before.0 {
                found.push((entry.path(), entry.file_name().to_string_lossy().to_string()));
            }
        }
    }
    Ok(found)
}
