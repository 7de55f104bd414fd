//! Attachments' files, out of the database (issue 16): the [`BlobStore`]
//! port, the encrypted format of a blob, byte ranges, and the sweep of
//! blobs that no row names. The local-disk adapter is
//! [`crate::adapters::local_blobs`].
//!
//! **Format.** A blob is the file encrypted in chunks with the STREAM
//! construction (Hoang, Reyhanitabar, Rogaway and Vizár, 2015) over
//! XChaCha20-Poly1305, under a key derived from the server key and the
//! blob's name ([`ServerKey::blob_cipher`]):
//!
//! | bytes | what |
//! |---|---|
//! | 8 | `CERCLEB1` |
//! | 4 | the chunk size, big-endian (64 KiB) |
//! | 8 | the file's size, big-endian |
//! | 19 | a random nonce prefix |
//! | then | each chunk's ciphertext followed by its 16-byte tag |
//!
//! The header is every chunk's associated data, so a changed header fails
//! every chunk; a chunk's number and a "last chunk" flag are in its nonce,
//! so chunks cannot be swapped, dropped or the file cut short unnoticed.
//! Chunk `i` sits at a known offset: a `Range` request reads and decrypts
//! only the chunks it covers, and a download is decrypted 1 MiB at a time
//! as it is sent.
//!
//! **Writing.** A file is sealed and written as it arrives, never whole in
//! memory ([`BlobUpload`]): its size is known before its first byte (the
//! request's `Content-Length`), so the header comes first, then each chunk
//! as soon as it is whole, 1 MiB at a time. The store's port takes the
//! blob in pieces ([`BlobStore::create`], [`BlobWriter`]) and only ever
//! appends, which object storage can do too.
//!
//! **Durability.** A blob is stored, and on stable storage (the adapter's
//! [`BlobWriter::finish`] returns only then), before the transaction that
//! names it commits. A blob given up while it is written (a refused file, a
//! client gone mid-upload) is removed at once ([`BlobWriter::abort`], or
//! the writer dropped).
//! When that transaction fails, the blob is removed at once if the database
//! confirms that no row names it (a commit whose answer was lost may have
//! succeeded: then it stays). Whatever else is left — a node killed
//! between the two, a request abandoned by its client — is removed by
//! [`sweep`], at start and every hour, once older than [`SWEEP_GRACE`]
//! (so that a blob whose transaction is still running on another node is
//! never taken). No row ever names a missing blob.

use crate::secrets::ServerKey;
use crate::{AppError, AppResult, Ctx};
use cercle_domain::Timestamp;
use chacha20poly1305::aead::generic_array::GenericArray;
use chacha20poly1305::aead::stream::{NewStream, StreamBE32, StreamPrimitive};
use chacha20poly1305::XChaCha20Poly1305;
use futures_util::StreamExt;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

/// Plaintext bytes per chunk.
pub const CHUNK: u64 = 64 * 1024;
const MAGIC: &[u8; 8] = b"CERCLEB1";
const NONCE_PREFIX: usize = 19;
/// Bytes before the first chunk.
pub const HEADER: usize = 8 + 4 + 8 + NONCE_PREFIX;
const TAG: u64 = 16;
/// Chunks read and decrypted at a time while a download is sent (1 MiB).
const CHUNKS_PER_READ: u64 = 16;
/// An unnamed blob younger than this is left alone by the sweep: its
/// transaction may still be running (on this node or another).
pub const SWEEP_GRACE: Duration = Duration::from_secs(3600);

#[derive(Debug, thiserror::Error)]
pub enum BlobError {
    #[error("no such blob")]
    NotFound,
    #[error("blob storage full")]
    Full,
    /// The storage cannot be reached right now (object storage down).
    #[error("blob storage unavailable: {0}")]
    Unavailable(String),
    #[error("blob storage: {0}")]
    Failed(String),
}

impl From<BlobError> for AppError {
    fn from(e: BlobError) -> Self {
        match e {
            BlobError::Full => {
                tracing::warn!("storage full: blob write refused");
                AppError::StorageFull
            }
            BlobError::Unavailable(why) => {
                tracing::warn!(error = %why, "blob storage unavailable");
                AppError::FileStorageUnavailable
            }
            other => AppError::Internal(other.to_string()),
        }
    }
}

/// Where blobs are kept: the local disk of a single node
/// ([`crate::adapters::local_blobs`]) or S3-compatible object storage for
/// several nodes ([`crate::adapters::s3_blobs`]). Blobs are opaque, already encrypted
/// bytes; the adapter never sees a file in clear.
#[async_trait::async_trait]
pub trait BlobStore: Send + Sync + 'static {
    /// Starts a new blob, written in pieces. Nothing is under `name` until
    /// [`BlobWriter::finish`] returns.
    async fn create(&self, name: &str) -> Result<Box<dyn BlobWriter>, BlobError>;
    /// Up to `len` bytes of the blob from `offset` (fewer at its end).
    async fn read(&self, name: &str, offset: u64, len: u64) -> Result<Vec<u8>, BlobError>;
    /// Removes a blob; nothing if it is not there.
    async fn delete(&self, name: &str) -> Result<(), BlobError>;
    /// The names of the blobs stored before `before`, for the sweep (and,
    /// with every blob, for the backup). Only lists.
    async fn stored_before(&self, before: Timestamp) -> Result<Vec<String>, BlobError>;
    /// Removes what writes started before `before` left unfinished (a node
    /// killed mid-write: a temporary file, an unfinished multipart upload);
    /// returns how many. For the sweep only: a write in progress is younger
    /// than its grace period.
    async fn remove_unfinished_before(&self, before: Timestamp) -> Result<usize, BlobError>;
}

/// A blob being written, in order. Dropped unfinished, it is given up as
/// by [`BlobWriter::abort`] (a request cancelled mid-upload).
#[async_trait::async_trait]
pub trait BlobWriter: Send {
    /// Appends `bytes` to the blob.
    async fn write(&mut self, bytes: Vec<u8>) -> Result<(), BlobError>;
    /// Stores the blob under its name. Returns only once it is on stable
    /// storage, whole: a crash at any point leaves the whole blob under its
    /// name or nothing.
    async fn finish(self: Box<Self>) -> Result<(), BlobError>;
    /// Gives the blob up: nothing of it stays.
    async fn abort(self: Box<Self>);
}

/// A blob name: letters, digits and `-`, 2 to 64 of them (ids are UUIDs),
/// so that it is a safe file or object name.
pub fn valid_name(name: &str) -> bool {
    (2..=64).contains(&name.len()) && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}

/// The header of a blob, as stored (it is every chunk's associated data).
#[derive(Clone)]
struct Header {
    size: u64,
    chunk: u64,
    nonce: [u8; NONCE_PREFIX],
    bytes: [u8; HEADER],
}

impl Header {
    fn new(size: u64) -> Header {
        let nonce: [u8; NONCE_PREFIX] = crate::secrets::random_bytes();
        let mut bytes = [0u8; HEADER];
        bytes[..8].copy_from_slice(MAGIC);
        bytes[8..12].copy_from_slice(&(CHUNK as u32).to_be_bytes());
        bytes[12..20].copy_from_slice(&size.to_be_bytes());
        bytes[20..].copy_from_slice(&nonce);
        Header {
            size,
            chunk: CHUNK,
            nonce,
            bytes,
        }
    }

    fn parse(raw: &[u8]) -> Option<Header> {
        let bytes: [u8; HEADER] = raw.get(..HEADER)?.try_into().ok()?;
        if &bytes[..8] != MAGIC {
            return None;
        }
        let chunk = u64::from(u32::from_be_bytes(bytes[8..12].try_into().ok()?));
        let size = u64::from_be_bytes(bytes[12..20].try_into().ok()?);
        // A chunk size read back must be sane before it sizes any buffer.
        if !(1024..=16 * 1024 * 1024).contains(&chunk) {
            return None;
        }
        let h = Header {
            size,
            chunk,
            nonce: bytes[20..].try_into().ok()?,
            bytes,
        };
        (h.chunks() <= u64::from(u32::MAX)).then_some(h)
    }

    /// How many chunks (an empty file is one empty chunk).
    fn chunks(&self) -> u64 {
        self.size.div_ceil(self.chunk).max(1)
    }

    /// Plaintext bytes in chunk `i`.
    fn plain_len(&self, i: u64) -> u64 {
        if i + 1 == self.chunks() {
            self.size - i * self.chunk
        } else {
            self.chunk
        }
    }

    /// Where chunk `i` starts in the blob.
    fn offset(&self, i: u64) -> u64 {
        HEADER as u64 + i * (self.chunk + TAG)
    }

    fn stream(&self, key: &ServerKey, name: &str) -> StreamBE32<XChaCha20Poly1305> {
        StreamBE32::from_aead(key.blob_cipher(name), GenericArray::from_slice(&self.nonce))
    }
}

/// Encrypts a file, as it arrives, into a blob: the header first
/// ([`Sealer::new`]), then each chunk once it is whole ([`Sealer::seal`]).
pub struct Sealer {
    header: Header,
    stream: StreamBE32<XChaCha20Poly1305>,
    /// The next chunk to seal.
    next: u64,
    /// Plaintext received, not yet sealed (less than a chunk).
    pending: Vec<u8>,
    received: u64,
}

impl Sealer {
    /// A sealer for a file of `size` bytes going into blob `name`, and the
    /// blob's header (its first bytes).
    pub fn new(key: &ServerKey, name: &str, size: u64) -> AppResult<(Sealer, Vec<u8>)> {
        let header = Header::new(size);
        if header.chunks() > u64::from(u32::MAX) {
            return Err(AppError::Internal("file too large for a blob".into()));
        }
        let stream = header.stream(key, name);
        let bytes = header.bytes.to_vec();
        let sealer = Sealer {
            header,
            stream,
            next: 0,
            pending: Vec::new(),
            received: 0,
        };
        Ok((sealer, bytes))
    }

    /// The next bytes of the file: the sealed chunks they complete (none
    /// while a chunk is not whole; the last one once all `size` bytes came).
    pub fn seal(&mut self, plain: &[u8]) -> AppResult<Vec<u8>> {
        self.received += plain.len() as u64;
        if self.received > self.header.size {
            return Err(AppError::Internal("more bytes than the file's size".into()));
        }
        let h = &self.header;
        let mut out = Vec::with_capacity(plain.len() + (plain.len() / CHUNK as usize + 1) * TAG as usize);
        let mut rest = plain;
        while self.next < h.chunks() {
            let need = h.plain_len(self.next) as usize;
            let take = (need - self.pending.len()).min(rest.len());
            self.pending.extend_from_slice(&rest[..take]);
            rest = &rest[take..];
            if self.pending.len() < need {
                break;
            }
            let mut buffer = std::mem::take(&mut self.pending);
            self.stream
                .encrypt_in_place(self.next as u32, self.next + 1 == h.chunks(), &h.bytes, &mut buffer)
                .map_err(|_| AppError::Internal("encryption failed".into()))?;
            out.extend_from_slice(&buffer);
            self.next += 1;
        }
        Ok(out)
    }

    /// Whether every chunk is sealed (all `size` bytes came).
    pub fn finished(&self) -> bool {
        self.next == self.header.chunks()
    }
}

/// Encrypts a whole file into a blob named `name`.
pub fn seal(key: &ServerKey, name: &str, plain: &[u8]) -> AppResult<Vec<u8>> {
    let (mut sealer, mut out) = Sealer::new(key, name, plain.len() as u64)?;
    out.extend_from_slice(&sealer.seal(plain)?);
    Ok(out)
}

fn damaged(name: &str) -> AppError {
    // The name is an attachment id, no patient data.
    tracing::error!(blob = name, "blob damaged or under the wrong key: refused");
    AppError::Internal("blob damaged".into())
}

/// A blob whose header was read and checked against what its row says.
pub struct Opened {
    store: Arc<dyn BlobStore>,
    key: ServerKey,
    name: String,
    header: Header,
}

/// Opens the blob `name`, which the database says holds `size` bytes.
pub async fn open(ctx: &Ctx, name: &str, size: u64) -> AppResult<Opened> {
    let raw = match ctx.blobs.read(name, 0, HEADER as u64).await {
        Err(BlobError::NotFound) => {
            tracing::error!(blob = name, "blob missing");
            return Err(AppError::Internal("blob missing".into()));
        }
        other => other?,
    };
    let header = Header::parse(&raw)
        .filter(|h| h.size == size)
        .ok_or_else(|| damaged(name))?;
    Ok(Opened {
        store: ctx.blobs.clone(),
        key: ctx.key.clone(),
        name: name.to_string(),
        header,
    })
}

impl Opened {
    /// The plaintext of chunks `first..first + count`, read in one go and
    /// decrypted off the async threads.
    async fn chunks(&self, first: u64, count: u64) -> AppResult<Vec<u8>> {
        let h = self.header.clone();
        let end = (first + count).min(h.chunks());
        let len: u64 = (first..end).map(|i| h.plain_len(i) + TAG).sum();
        let raw = self.store.read(&self.name, h.offset(first), len).await?;
        if raw.len() as u64 != len {
            return Err(damaged(&self.name));
        }
        let (key, name) = (self.key.clone(), self.name.clone());
        tokio::task::spawn_blocking(move || {
            let stream = h.stream(&key, &name);
            let mut out = Vec::with_capacity(raw.len());
            let mut at = 0usize;
            for i in first..end {
                let n = (h.plain_len(i) + TAG) as usize;
                let mut buffer = raw[at..at + n].to_vec();
                at += n;
                stream
                    .decrypt_in_place(i as u32, i + 1 == h.chunks(), &h.bytes, &mut buffer)
                    .map_err(|_| damaged(&name))?;
                out.extend_from_slice(&buffer);
            }
            Ok(out)
        })
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
    }
}

/// A file being sent, in pieces.
pub type ByteStream = Pin<Box<dyn futures_util::Stream<Item = Result<Vec<u8>, std::io::Error>> + Send>>;

/// Where a download stands between pieces.
struct Cursor {
    opened: Arc<Opened>,
    next: u64,
    last: u64,
    start: u64,
    end: u64,
}

impl Cursor {
    /// The next piece (up to [`CHUNKS_PER_READ`] chunks), cut to the range.
    async fn piece(&mut self) -> AppResult<Vec<u8>> {
        let count = CHUNKS_PER_READ.min(self.last + 1 - self.next);
        let mut plain = self.opened.chunks(self.next, count).await?;
        let base = self.next * self.opened.header.chunk;
        self.next += count;
        let to = (self.end + 1 - base).min(plain.len() as u64) as usize;
        plain.truncate(to);
        plain.drain(..self.start.saturating_sub(base) as usize);
        Ok(plain)
    }
}

/// Bytes `start..=end` of an opened blob, decrypted as they are sent. The
/// first piece is decrypted before this returns, so that a damaged blob is
/// an error answer rather than a success with garbage; a piece found
/// damaged later ends the stream with an error (the client sees the
/// transfer cut short, never wrong bytes).
pub async fn stream_range(opened: Opened, start: u64, end: u64) -> AppResult<ByteStream> {
    if opened.header.size == 0 {
        return Ok(Box::pin(futures_util::stream::empty()));
    }
    let chunk = opened.header.chunk;
    let mut cursor = Cursor {
        opened: Arc::new(opened),
        next: start / chunk,
        last: end / chunk,
        start,
        end,
    };
    let first = cursor.piece().await?;
    let rest = futures_util::stream::unfold(cursor, |mut c| async move {
        if c.next > c.last {
            return None;
        }
        match c.piece().await {
            Ok(piece) => Some((Ok(piece), c)),
            Err(e) => {
                // Nothing after an error.
                c.next = c.last + 1;
                Some((Err(std::io::Error::other(e.to_string())), c))
            }
        }
    });
    Ok(Box::pin(
        futures_util::stream::once(async move { Ok(first) }).chain(rest),
    ))
}

/// One byte range of a `Range` header (`bytes=0-99`, `bytes=100-`,
/// `bytes=-100`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ByteRange {
    From { start: u64, end: Option<u64> },
    Last(u64),
}

impl ByteRange {
    /// Reads a `Range` header. Anything but one well-formed byte range
    /// (several ranges, another unit, a malformed one) is `None`: the whole
    /// file is then sent, as HTTP allows (RFC 9110, 14.2).
    pub fn parse(header: &str) -> Option<ByteRange> {
        let (unit, spec) = header.trim().split_once('=')?;
        if !unit.trim().eq_ignore_ascii_case("bytes") || spec.contains(',') {
            return None;
        }
        let (a, b) = spec.trim().split_once('-')?;
        let number = |s: &str| -> Option<u64> {
            (!s.is_empty() && s.len() <= 19 && s.bytes().all(|c| c.is_ascii_digit()))
                .then(|| s.parse().ok())
                .flatten()
        };
        match (a.trim(), b.trim()) {
            ("", n) => number(n).map(ByteRange::Last),
            (s, "") => number(s).map(|start| ByteRange::From { start, end: None }),
            (s, e) => {
                let (start, end) = (number(s)?, number(e)?);
                (end >= start).then_some(ByteRange::From { start, end: Some(end) })
            }
        }
    }

    /// The first and last byte within a file of `size` bytes; `None` when
    /// none of it is there (answered 416).
    pub fn resolve(self, size: u64) -> Option<(u64, u64)> {
        if size == 0 {
            return None;
        }
        match self {
            ByteRange::From { start, end } => (start < size).then(|| (start, end.unwrap_or(size - 1).min(size - 1))),
            ByteRange::Last(0) => None,
            ByteRange::Last(n) => Some((size.saturating_sub(n), size - 1)),
        }
    }
}

/// Plaintext sealed and written at a time (16 chunks).
const BATCH: usize = (CHUNK * CHUNKS_PER_READ) as usize;

/// The blob of an upload, sealed and written as the file arrives, before
/// the transaction that names it: at most about [`BATCH`] bytes of the file
/// (and as much sealed) are in memory at a time.
pub struct BlobUpload {
    writer: Option<Box<dyn BlobWriter>>,
    sealer: Option<Sealer>,
    /// Plaintext waiting for a whole batch.
    pending: Vec<u8>,
}

impl BlobUpload {
    /// Starts blob `name` for a file of `size` bytes (its header is written).
    pub async fn start(ctx: &Ctx, name: &str, size: u64) -> AppResult<BlobUpload> {
        let (sealer, header) = Sealer::new(&ctx.key, name, size)?;
        let mut writer = ctx.blobs.create(name).await?;
        if let Err(e) = writer.write(header).await {
            writer.abort().await;
            return Err(e.into());
        }
        Ok(BlobUpload {
            writer: Some(writer),
            sealer: Some(sealer),
            pending: Vec::with_capacity(BATCH),
        })
    }

    /// The next bytes of the file. On an error, call [`BlobUpload::abort`].
    pub async fn push(&mut self, mut plain: &[u8]) -> AppResult<()> {
        while !plain.is_empty() {
            let take = (BATCH - self.pending.len()).min(plain.len());
            self.pending.extend_from_slice(&plain[..take]);
            plain = &plain[take..];
            if self.pending.len() == BATCH {
                self.flush().await?;
            }
        }
        Ok(())
    }

    /// Seals what is pending (off the async threads) and writes it.
    async fn flush(&mut self) -> AppResult<()> {
        let mut sealer = self
            .sealer
            .take()
            .ok_or_else(|| AppError::Internal("blob upload over".into()))?;
        let plain = std::mem::take(&mut self.pending);
        let (sealer, sealed, plain) = tokio::task::spawn_blocking(move || {
            let sealed = sealer.seal(&plain);
            (sealer, sealed, plain)
        })
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
        self.sealer = Some(sealer);
        // The buffer is used again for the next batch.
        self.pending = plain;
        self.pending.clear();
        let sealed = sealed?;
        if sealed.is_empty() {
            return Ok(());
        }
        let writer = self
            .writer
            .as_mut()
            .ok_or_else(|| AppError::Internal("blob upload over".into()))?;
        Ok(writer.write(sealed).await?)
    }

    /// Writes the rest and stores the blob whole, on stable storage. Every
    /// byte of the file must have come. On an error, call
    /// [`BlobUpload::abort`].
    pub async fn finish(&mut self) -> AppResult<()> {
        self.flush().await?;
        if !self.sealer.as_ref().is_some_and(Sealer::finished) {
            return Err(AppError::Internal("fewer bytes than the file's size".into()));
        }
        let writer = self
            .writer
            .take()
            .ok_or_else(|| AppError::Internal("blob upload over".into()))?;
        Ok(writer.finish().await?)
    }

    /// Gives the blob up: nothing of it stays.
    pub async fn abort(&mut self) {
        if let Some(writer) = self.writer.take() {
            writer.abort().await;
        }
    }
}

/// After the transaction that was to name blob `name` failed: removes the
/// blob when the database confirms that no row names it. When the database
/// cannot say (unreachable), the blob stays for the sweep: an orphan costs
/// space, a row without its blob would lose a file.
pub async fn discard(ctx: &Ctx, name: &str) {
    let named = match ctx.store.reader().await {
        Ok(mut conn) => cercle_store::threads::blob_named(&mut conn, name).await.ok(),
        Err(_) => None,
    };
    if named == Some(false) {
        if let Err(e) = ctx.blobs.delete(name).await {
            tracing::warn!(error = %e, blob = name, "removing the blob of a failed upload");
        }
    }
}

/// Removes the blobs stored more than [`SWEEP_GRACE`] ago that no row
/// names (left by a node killed between storing a blob and committing its
/// row, or by an abandoned request), and the writes of that age left
/// unfinished. Returns how many blobs.
pub async fn sweep(ctx: &Ctx) -> AppResult<usize> {
    let before = Timestamp(ctx.clock.now().0 - SWEEP_GRACE.as_millis() as i64);
    // Not listing them (not every S3-compatible store can) does not stop
    // the sweep of the blobs.
    match ctx.blobs.remove_unfinished_before(before).await {
        Ok(0) => {}
        Ok(unfinished) => tracing::info!(unfinished, "unfinished blob writes removed"),
        Err(e) => tracing::warn!(error = %e, "unfinished blob writes not removed"),
    }
    let mut removed = 0;
    for name in ctx.blobs.stored_before(before).await? {
        let named = {
            let mut conn = ctx.store.reader().await?;
            cercle_store::threads::blob_named(&mut conn, &name).await?
        };
        if !named {
            ctx.blobs.delete(&name).await?;
            removed += 1;
        }
    }
    if removed > 0 {
        tracing::info!(removed, "blobs no message names removed");
    }
    Ok(removed)
}

/// Sweeps at start, then every hour, until shutdown.
pub async fn run_sweeper(ctx: Ctx, mut shutdown: tokio::sync::watch::Receiver<bool>) {
    loop {
        if let Err(e) = sweep(&ctx).await {
            tracing::warn!(error = %e, "blob sweep");
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs(3600)) => {}
            _ = shutdown.changed() => {}
        }
        if *shutdown.borrow() {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_parse_and_resolve() {
        let r = |s: &str| ByteRange::parse(s);
        assert_eq!(
            r("bytes=0-99"),
            Some(ByteRange::From {
                start: 0,
                end: Some(99)
            })
        );
        assert_eq!(r("bytes=100-"), Some(ByteRange::From { start: 100, end: None }));
        assert_eq!(r("bytes=-5"), Some(ByteRange::Last(5)));
        for bad in [
            "bytes=5-1",
            "bytes=0-1,4-5",
            "items=0-1",
            "bytes=a-b",
            "bytes=-",
            "bytes=1",
        ] {
            assert_eq!(r(bad), None, "{bad}");
        }
        assert_eq!(r("bytes=0-99").and_then(|b| b.resolve(50)), Some((0, 49)));
        assert_eq!(r("bytes=-5").and_then(|b| b.resolve(50)), Some((45, 49)));
        assert_eq!(r("bytes=-500").and_then(|b| b.resolve(50)), Some((0, 49)));
        assert_eq!(r("bytes=50-").and_then(|b| b.resolve(50)), None);
        assert_eq!(r("bytes=-0").and_then(|b| b.resolve(50)), None);
    }

    #[test]
    fn a_file_sealed_in_pieces_opens_as_one_sealed_whole() {
        let key = ServerKey::generate();
        for size in [0u64, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK, 3 * CHUNK + 77] {
            let plain: Vec<u8> = (0..size).map(|i| (i % 253) as u8).collect();
            let (mut sealer, mut sealed) = Sealer::new(&key, "blob-1", size).unwrap();
            // Pieces of odd sizes, across chunk boundaries.
            for piece in plain.chunks(10_007) {
                sealed.extend_from_slice(&sealer.seal(piece).unwrap());
            }
            if size == 0 {
                sealed.extend_from_slice(&sealer.seal(&[]).unwrap());
            }
            assert!(sealer.finished(), "{size}");
            assert!(sealer.seal(b"x").is_err(), "nothing past the size");
            let h = Header::parse(&sealed).unwrap();
            assert_eq!(sealed.len() as u64, HEADER as u64 + size + h.chunks() * TAG);
            let mut opened = Vec::new();
            for i in 0..h.chunks() {
                let from = h.offset(i) as usize;
                let mut buffer = sealed[from..from + (h.plain_len(i) + TAG) as usize].to_vec();
                h.stream(&key, "blob-1")
                    .decrypt_in_place(i as u32, i + 1 == h.chunks(), &h.bytes, &mut buffer)
                    .unwrap();
                opened.extend_from_slice(&buffer);
            }
            assert_eq!(opened, plain, "{size}");
        }
    }

    #[test]
    fn a_blob_opens_chunk_by_chunk_and_refuses_changes() {
        let key = ServerKey::generate();
        let plain: Vec<u8> = (0..(CHUNK * 2 + 10)).map(|i| (i % 251) as u8).collect();
        let sealed = seal(&key, "blob-1", &plain).unwrap();
        assert_eq!(sealed.len(), HEADER + plain.len() + 3 * TAG as usize);
        let h = Header::parse(&sealed).unwrap();
        let open = |blob: &[u8], name: &str, i: u64| {
            let from = h.offset(i) as usize;
            let mut buffer = blob[from..from + (h.plain_len(i) + TAG) as usize].to_vec();
            h.stream(&key, name)
                .decrypt_in_place(i as u32, i + 1 == h.chunks(), &h.bytes, &mut buffer)
                .map(|()| buffer)
        };
        assert_eq!(open(&sealed, "blob-1", 2).unwrap(), plain[2 * CHUNK as usize..]);
        assert_eq!(
            open(&sealed, "blob-1", 1).unwrap(),
            plain[CHUNK as usize..2 * CHUNK as usize]
        );
        assert!(open(&sealed, "blob-2", 0).is_err(), "another name, another key");
        let mut changed = sealed.clone();
        changed[HEADER + 5] ^= 1;
        assert!(open(&changed, "blob-1", 0).is_err());
        assert!(open(&changed, "blob-1", 1).is_ok(), "other chunks still open");
    }
}
