//! An uploaded file as it arrives (issue 16): read in pieces, checked from
//! its first bytes ([`files::plan`]) and, unless its check needs it whole,
//! sealed and written to its blob as it comes, so that a 64 MiB video is
//! never whole in memory.
//!
//! - Files of at most [`files::HEAD`] bytes, photos (at most 20 MiB: they
//!   are decoded and re-encoded) and Office files (at most 25 MiB: the list
//!   of their parts is at their end) are read whole, then checked by
//!   [`files::prepare_owned`] as before.
//! - Everything else (videos, voice, PDF, legacy Office, RTF, plain text) is
//!   checked from its first bytes, text also byte by byte, and stored as it
//!   arrives: about 2 MiB of it in memory at a time.
//!
//! The size is known before the first byte (the request's `Content-Length`):
//! an upload too large for its declared kind, or for the kind its first
//! bytes show, is refused before the rest is read. A refused file or an
//! interrupted upload leaves no blob.

use super::uploads::{self as files, AttachmentKind, FileError, Plan, Prepared};
use crate::blobs::BlobUpload;
use crate::{AppError, AppResult, Ctx};
use bytes::Bytes;
use cercle_domain::InputError;
use futures_util::StreamExt;
use std::pin::Pin;

/// The bytes of an upload, as they arrive.
pub type FileBody = Pin<Box<dyn futures_util::Stream<Item = Result<Bytes, std::io::Error>> + Send>>;

/// A file being uploaded: its size, said before its bytes, and its bytes.
pub struct IncomingFile {
    pub size: u64,
    pub body: FileBody,
}

impl IncomingFile {
    /// A file already in memory (the demo, tests).
    pub fn from_bytes(bytes: Vec<u8>) -> IncomingFile {
        IncomingFile {
            size: bytes.len() as u64,
            body: Box::pin(futures_util::stream::once(async move { Ok(Bytes::from(bytes)) })),
        }
    }

    /// The next piece; `None` at the end. A broken transfer (the client
    /// gone), or more bytes than said, is an interrupted upload.
    async fn next(&mut self, received: &mut u64) -> AppResult<Option<Bytes>> {
        match self.body.next().await {
            None => Ok(None),
            Some(Ok(piece)) => {
                *received += piece.len() as u64;
                if *received > self.size {
                    return Err(InputError::UploadInterrupted.into());
                }
                Ok(Some(piece))
            }
            Some(Err(_)) => Err(InputError::UploadInterrupted.into()),
        }
    }

    /// Reads what is left of a file refused before its end, and drops it:
    /// an HTTP/1.1 client reads the answer only once it has sent its whole
    /// body, so a connection closed under it would lose the refusal. At most
    /// the size said (at most 65 MiB, the attachments' body limit), and
    /// never kept.
    pub async fn discard_rest(&mut self) {
        while let Some(Ok(_)) = self.body.next().await {}
    }

    /// Reads into `bytes` until it holds `until` bytes or the file ends;
    /// `received` counts what came.
    async fn read_into(&mut self, bytes: &mut Vec<u8>, until: usize, received: &mut u64) -> AppResult<()> {
        while bytes.len() < until {
            match self.next(received).await? {
                Some(piece) => bytes.extend_from_slice(&piece),
                None => break,
            }
        }
        Ok(())
    }
}

pub(crate) fn file_error(e: FileError) -> AppError {
    AppError::Input(match e {
        FileError::Empty => InputError::FileEmpty,
        FileError::TooLarge { .. } => InputError::FileTooLarge,
        FileError::NotAllowed => InputError::FileNotAllowed,
        FileError::Mismatch => InputError::FileMismatch,
        FileError::Damaged => InputError::FileDamaged,
    })
}

/// What was stored of a file, in blob `blob`.
pub(crate) struct Stored {
    pub kind: AttachmentKind,
    pub content_type: &'static str,
    pub name: String,
    pub size: u64,
    /// Photos only.
    pub thumbnail: Option<Vec<u8>>,
    pub width: Option<u32>,
    pub height: Option<u32>,
}

/// Checks the file arriving and stores it as blob `blob` (whole and on
/// stable storage when this returns); refused, it leaves no blob.
pub(crate) async fn store(
    ctx: &Ctx,
    blob: &str,
    name: &str,
    declared: Option<AttachmentKind>,
    mut file: IncomingFile,
) -> AppResult<Stored> {
    let stored = checked_and_stored(ctx, blob, name, declared, &mut file).await;
    if stored.is_err() {
        file.discard_rest().await;
    }
    stored
}

async fn checked_and_stored(
    ctx: &Ctx,
    blob: &str,
    name: &str,
    declared: Option<AttachmentKind>,
    file: &mut IncomingFile,
) -> AppResult<Stored> {
    let size = usize::try_from(file.size).unwrap_or(usize::MAX);
    // Too large for any upload, or empty: refused before anything is read.
    let limit = declared.map_or(files::MAX_ANY, |k| k.max_bytes());
    if size > limit {
        return Err(file_error(FileError::TooLarge { limit }));
    }
    if size == 0 {
        return Err(file_error(FileError::Empty));
    }
    let mut received = 0u64;
    let mut head = Vec::with_capacity(size.min(files::HEAD));
    file.read_into(&mut head, size.min(files::HEAD), &mut received).await?;
    if size <= files::HEAD {
        return whole(ctx, blob, name, declared, head, file, received).await;
    }
    match files::plan(name, declared, size, &head).map_err(file_error)? {
        Plan::Whole => {
            head.reserve_exact(size - head.len());
            whole(ctx, blob, name, declared, head, file, received).await
        }
        Plan::Stream(streamed) => {
            let mut upload = BlobUpload::start(ctx, blob, file.size).await?;
            let result = stream(&mut upload, streamed.text, head, file, received).await;
            if let Err(e) = result {
                upload.abort().await;
                return Err(e);
            }
            Ok(Stored {
                kind: streamed.kind,
                content_type: streamed.content_type,
                name: streamed.name,
                size: file.size,
                thumbnail: None,
                width: None,
                height: None,
            })
        }
    }
}

/// Reads the rest of a file checked whole, checks it and stores it.
async fn whole(
    ctx: &Ctx,
    blob: &str,
    name: &str,
    declared: Option<AttachmentKind>,
    mut bytes: Vec<u8>,
    file: &mut IncomingFile,
    mut received: u64,
) -> AppResult<Stored> {
    let size = usize::try_from(file.size).unwrap_or(usize::MAX);
    file.read_into(&mut bytes, size, &mut received).await?;
    if file.next(&mut received).await?.is_some() || received != file.size {
        return Err(InputError::UploadInterrupted.into());
    }
    let name = name.to_string();
    let prepared: Prepared = tokio::task::spawn_blocking(move || files::prepare_owned(&name, declared, bytes))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
        .map_err(file_error)?;
    let size = prepared.bytes.len() as u64;
    let mut upload = BlobUpload::start(ctx, blob, size).await?;
    let written = async {
        for piece in prepared.bytes.chunks(1024 * 1024) {
            upload.push(piece).await?;
        }
        upload.finish().await
    }
    .await;
    if let Err(e) = written {
        upload.abort().await;
        return Err(e);
    }
    Ok(Stored {
        kind: prepared.kind,
        content_type: prepared.content_type,
        name: prepared.name,
        size,
        thumbnail: prepared.thumbnail,
        width: prepared.width,
        height: prepared.height,
    })
}

/// Seals and writes a file checked from its first bytes as it arrives; a
/// text is checked byte by byte on the way.
async fn stream(
    upload: &mut BlobUpload,
    mut text: Option<files::TextCheck>,
    head: Vec<u8>,
    file: &mut IncomingFile,
    mut received: u64,
) -> AppResult<()> {
    if let Some(t) = text.as_mut() {
        t.feed(&head).map_err(file_error)?;
    }
    upload.push(&head).await?;
    drop(head);
    while let Some(piece) = file.next(&mut received).await? {
        if let Some(t) = text.as_mut() {
            t.feed(&piece).map_err(file_error)?;
        }
        upload.push(&piece).await?;
    }
    if received != file.size {
        return Err(InputError::UploadInterrupted.into());
    }
    if let Some(t) = text {
        t.finish().map_err(file_error)?;
    }
    upload.finish().await
}
