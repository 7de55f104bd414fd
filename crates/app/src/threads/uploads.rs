//! Message attachments: what an upload is, checked from its content, and
//! what is stored of it. Pure and free of I/O: the thread services call
//! [`prepare`] (on a blocking thread, photos take a while to decode) and
//! store what it returns.
//!
//! - The kind and the content type are sniffed from the bytes, never taken
//!   from the file name or from what the client declares. The name and the
//!   declared kind are only checked against the content ([`FileError::Mismatch`]).
//! - Allowed: photos (JPEG, PNG, WebP), videos (MP4/QuickTime, WebM), voice
//!   messages (Ogg, WAV, MP3, MP4 audio; WebM or MP4 when declared as voice),
//!   documents (PDF, plain UTF-8 text, Word/Excel/PowerPoint OOXML, legacy
//!   OLE Office files, RTF). Everything else is refused, and so is a name
//!   whose extension runs code when opened (`.exe`, `.bat`, `.html`, `.svg`…),
//!   whatever the content.
//! - Photos are decoded under limits (decompression bombs are refused),
//!   turned upright from their EXIF orientation and re-encoded as a baseline
//!   JPEG from the pixels alone, at most [`PHOTO_MAX_SIDE`] pixels on the long
//!   side: no EXIF (no GPS position), no XMP, no ICC profile, no comment
//!   survives. A PNG or WebP is also stored as a JPEG (transparent parts
//!   composed over white) and its name ends in `.jpg`. Other kinds are stored
//!   as uploaded.
//!
//! Encryption at rest is the caller's: `ServerKey::encrypt` takes any bytes.

use std::io::Cursor;

use image::codecs::jpeg::JpegEncoder;
use image::imageops::{self, FilterType};
use image::metadata::Orientation;
use image::{DynamicImage, ImageDecoder, ImageError, ImageFormat, ImageReader, Limits, RgbImage};
use serde::{Deserialize, Serialize};

const MIB: usize = 1024 * 1024;

/// The largest photo accepted, in bytes (before re-encoding).
pub const MAX_PHOTO: usize = 20 * MIB;
/// The largest video accepted, in bytes.
pub const MAX_VIDEO: usize = 64 * MIB;
/// The largest voice message accepted, in bytes.
pub const MAX_VOICE: usize = 10 * MIB;
/// The largest document accepted, in bytes.
pub const MAX_DOCUMENT: usize = 25 * MIB;
/// The largest upload of any kind.
pub const MAX_ANY: usize = MAX_VIDEO;

/// The long side of a stored photo, at most, in pixels.
pub const PHOTO_MAX_SIDE: u32 = 2048;
/// The long side of a photo's thumbnail, at most, in pixels.
pub const THUMBNAIL_MAX_SIDE: u32 = 320;
/// The longest cleaned file name, in characters.
pub const MAX_NAME_CHARS: usize = 120;

/// The widest and tallest photo decoded, in pixels.
const MAX_DIMENSION: u32 = 12_000;
/// The most memory a photo decoder may ask for: a 64-megapixel RGB photo
/// fits (192 MiB), a 12000 x 12000 one does not (and is refused as too large).
const MAX_DECODED_BYTES: u64 = 256 * 1024 * 1024;
/// JPEG quality of stored photos and thumbnails.
const JPEG_QUALITY: u8 = 85;

const JPEG: &str = "image/jpeg";
const PNG: &str = "image/png";
const WEBP: &str = "image/webp";
const MP4: &str = "video/mp4";
const QUICKTIME: &str = "video/quicktime";
const WEBM: &str = "video/webm";
const AUDIO_WEBM: &str = "audio/webm";
const AUDIO_MP4: &str = "audio/mp4";
const OGG: &str = "audio/ogg";
const WAV: &str = "audio/wav";
const MP3: &str = "audio/mpeg";
const PDF: &str = "application/pdf";
const TEXT: &str = "text/plain";
const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const PPTX: &str = "application/vnd.openxmlformats-officedocument.presentationml.presentation";
const OLE: &str = "application/x-ole-storage";
const RTF: &str = "application/rtf";

/// What an attachment is, as shown in a thread.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AttachmentKind {
    Photo,
    Video,
    Voice,
    Document,
}

impl AttachmentKind {
    pub const ALL: [AttachmentKind; 4] = [
        AttachmentKind::Photo,
        AttachmentKind::Video,
        AttachmentKind::Voice,
        AttachmentKind::Document,
    ];

    /// The stored and serialized name (`"photo"`, `"video"`, `"voice"`, `"document"`).
    pub fn as_str(&self) -> &'static str {
        match self {
            AttachmentKind::Photo => "photo",
            AttachmentKind::Video => "video",
            AttachmentKind::Voice => "voice",
            AttachmentKind::Document => "document",
        }
    }

    /// The inverse of [`AttachmentKind::as_str`].
    pub fn parse(s: &str) -> Option<AttachmentKind> {
        AttachmentKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The largest upload of this kind, in bytes.
    pub fn max_bytes(&self) -> usize {
        match self {
            AttachmentKind::Photo => MAX_PHOTO,
            AttachmentKind::Video => MAX_VIDEO,
            AttachmentKind::Voice => MAX_VOICE,
            AttachmentKind::Document => MAX_DOCUMENT,
        }
    }
}

/// An upload checked and ready to be stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prepared {
    pub kind: AttachmentKind,
    /// Decided from the content, never from the name or the declared kind.
    /// Photos are always `image/jpeg` (they are re-encoded).
    pub content_type: &'static str,
    /// The cleaned file name (see [`clean_name`]); a photo's ends in `.jpg`.
    pub name: String,
    /// What to store: a photo re-encoded without metadata, anything else as uploaded.
    pub bytes: Vec<u8>,
    /// Photos only: a JPEG of at most [`THUMBNAIL_MAX_SIDE`] pixels on the long side.
    pub thumbnail: Option<Vec<u8>>,
    /// Photos only: the size of the stored (upright, resized) photo.
    pub width: Option<u32>,
    pub height: Option<u32>,
}

/// Why an upload was refused. Each has a stable code for clients.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FileError {
    #[error("the file is empty")]
    Empty,
    /// Too many bytes, or (photos) too many pixels; `limit` is the byte limit
    /// of the kind.
    #[error("the file is too large (at most {limit} bytes)")]
    TooLarge { limit: usize },
    #[error("this type of file is not allowed")]
    NotAllowed,
    /// The declared kind, or the extension of the name, says something else
    /// than the content (a PDF named `scan.jpg`, a PDF sent as a photo).
    #[error("the file is not what its name or declared kind says")]
    Mismatch,
    #[error("the file is damaged")]
    Damaged,
}

impl FileError {
    /// The stable code clients see and the suffix of the message id.
    pub fn code(&self) -> &'static str {
        match self {
            FileError::Empty => "file-empty",
            FileError::TooLarge { .. } => "file-too-large",
            FileError::NotAllowed => "file-not-allowed",
            FileError::Mismatch => "file-mismatch",
            FileError::Damaged => "file-damaged",
        }
    }
}

/// Checks an upload and turns it into what is stored.
///
/// `declared` is what the client says it sends (the voice recorder says
/// `Voice`); it is checked, not trusted, and only decides between voice and
/// video for a WebM or MP4 container, which may hold either. A name with an
/// audio-only extension (`.m4a`, `.weba`, `.opus`, `.oga`) does the same when
/// nothing is declared.
///
/// Refused, in this order: empty; more bytes than the declared kind allows
/// (than [`MAX_ANY`] if none); a name with a dangerous extension; content not
/// allowed (or a damaged Office file); a declared kind or name extension that
/// disagrees with the content; more bytes than the content's kind allows; a
/// photo that does not decode, or has too many pixels.
pub fn prepare(name: &str, declared: Option<AttachmentKind>, bytes: &[u8]) -> Result<Prepared, FileError> {
    prepare_owned(name, declared, bytes.to_vec())
}

/// [`prepare`], keeping the bytes given when they are stored as uploaded
/// (no copy of a large file).
pub fn prepare_owned(name: &str, declared: Option<AttachmentKind>, bytes: Vec<u8>) -> Result<Prepared, FileError> {
    let (kind, content_type, name) = identify(name, declared, bytes.len(), &bytes, true)?;
    if kind != AttachmentKind::Photo {
        return Ok(Prepared {
            kind,
            content_type,
            name,
            bytes,
            thumbnail: None,
            width: None,
            height: None,
        });
    }
    let format = match content_type {
        PNG => ImageFormat::Png,
        WEBP => ImageFormat::WebP,
        _ => ImageFormat::Jpeg,
    };
    if format == ImageFormat::Jpeg && !jpeg_is_complete(&bytes) {
        return Err(FileError::Damaged);
    }
    let photo = process_photo(&bytes, format)?;
    Ok(Prepared {
        kind,
        content_type: JPEG,
        name: with_jpg_extension(&name),
        bytes: photo.bytes,
        thumbnail: Some(photo.thumbnail),
        width: Some(photo.width),
        height: Some(photo.height),
    })
}

/// The checks of [`prepare`] before a photo is decoded, on a file of
/// `size` bytes that starts with `bytes` (all of it when `complete`): its
/// kind, content type and cleaned name. Of a text not `complete`, only the
/// start is checked here (the rest with a [`TextCheck`]).
fn identify(
    name: &str,
    declared: Option<AttachmentKind>,
    size: usize,
    bytes: &[u8],
    complete: bool,
) -> Result<(AttachmentKind, &'static str, String), FileError> {
    if size == 0 {
        return Err(FileError::Empty);
    }
    let limit = declared.map_or(MAX_ANY, |k| k.max_bytes());
    if size > limit {
        return Err(FileError::TooLarge { limit });
    }
    let name = clean_name(name);
    let extension = extension_of(&name).map(|e| e.to_ascii_lowercase());
    let extension = extension.as_deref();
    if extension.is_some_and(is_dangerous_extension) {
        return Err(FileError::NotAllowed);
    }

    let (mut kind, mut content_type) = classify(bytes, complete)?;
    let voice_hinted = match declared {
        Some(k) => k == AttachmentKind::Voice,
        None => extension.is_some_and(is_audio_only_extension),
    };
    if voice_hinted {
        match content_type {
            WEBM => (kind, content_type) = (AttachmentKind::Voice, AUDIO_WEBM),
            MP4 => (kind, content_type) = (AttachmentKind::Voice, AUDIO_MP4),
            _ => {}
        }
    }
    if declared.is_some_and(|d| d != kind) {
        return Err(FileError::Mismatch);
    }
    if let Some(extension) = extension {
        if !extension_agrees(extension, kind, content_type) {
            return Err(FileError::Mismatch);
        }
    }
    if size > kind.max_bytes() {
        return Err(FileError::TooLarge {
            limit: kind.max_bytes(),
        });
    }
    Ok((kind, content_type, name))
}

/// The first bytes of an upload read before [`plan`] decides how the rest
/// is checked; a file this small is checked whole with [`prepare`].
pub const HEAD: usize = 256 * 1024;

/// How an upload larger than [`HEAD`] is checked, decided from its size
/// (said before its bytes) and its first bytes.
#[derive(Debug)]
pub enum Plan {
    /// Checked whole, by [`prepare`], so read into memory first: photos
    /// (decoded and re-encoded, at most [`MAX_PHOTO`]) and Office files
    /// (their list of parts is at the end, at most [`MAX_DOCUMENT`]).
    Whole,
    /// Checked from its first bytes (a text also byte by byte, with
    /// [`TextCheck`]), and stored as it arrives, never whole in memory.
    Stream(Streamed),
}

/// A file checked from its first bytes, stored as uploaded.
#[derive(Debug)]
pub struct Streamed {
    pub kind: AttachmentKind,
    pub content_type: &'static str,
    /// The cleaned file name.
    pub name: String,
    /// Plain text: every byte is checked as it arrives.
    pub text: Option<TextCheck>,
}

/// Decides how an upload of `size` bytes starting with `head` (at least
/// [`HEAD`] bytes, or all of it) is checked, refusing at once what its size,
/// its name or its first bytes already refuse.
pub fn plan(name: &str, declared: Option<AttachmentKind>, size: usize, head: &[u8]) -> Result<Plan, FileError> {
    if let Some(kind_limit) = checked_whole(head) {
        if size == 0 {
            return Err(FileError::Empty);
        }
        let limit = declared.map_or(MAX_ANY, |k| k.max_bytes()).min(kind_limit);
        if size > limit {
            return Err(FileError::TooLarge { limit });
        }
        return Ok(Plan::Whole);
    }
    let (kind, content_type, name) = identify(name, declared, size, head, size <= head.len())?;
    Ok(Plan::Stream(Streamed {
        kind,
        content_type,
        name,
        text: (content_type == TEXT).then(TextCheck::new),
    }))
}

/// Content whose check needs the whole file, and the most bytes of it: photos
/// and ZIP files (Office documents).
fn checked_whole(bytes: &[u8]) -> Option<usize> {
    let riff_webp = bytes.starts_with(b"RIFF") && bytes.get(8..12) == Some(b"WEBP".as_slice());
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) || bytes.starts_with(b"\x89PNG\r\n\x1a\n") || riff_webp {
        Some(MAX_PHOTO)
    } else if bytes.starts_with(b"PK\x03\x04") {
        Some(MAX_DOCUMENT)
    } else {
        None
    }
}

/// The check of plain text ([`is_plain_text`]) on a text arriving in
/// pieces: valid UTF-8 without NUL, and, when it starts with `<`, no tag
/// that makes it HTML or SVG. It keeps a few bytes between pieces only.
#[derive(Debug, Default)]
pub struct TextCheck {
    /// The start of a character cut by the end of the last piece.
    cut: Vec<u8>,
    /// Whether the text starts with `<` (after blanks): `None` while only
    /// blanks came.
    markup: Option<bool>,
    /// The end of the text so far, where a tag cut by the end of the last
    /// piece may start.
    tail: Vec<u8>,
}

/// The bytes from a `<` that tell whether an active tag starts there.
const TAG_WINDOW: usize = 17;

impl TextCheck {
    pub fn new() -> TextCheck {
        TextCheck::default()
    }

    /// The next piece of the text.
    pub fn feed(&mut self, bytes: &[u8]) -> Result<(), FileError> {
        let mut joined = std::mem::take(&mut self.cut);
        joined.extend_from_slice(bytes);
        let valid = match std::str::from_utf8(&joined) {
            Ok(text) => text,
            // Cut in the middle of a character: the rest comes next.
            Err(e) if e.error_len().is_none() => {
                let (text, cut) = joined.split_at(e.valid_up_to());
                self.cut = cut.to_vec();
                std::str::from_utf8(text).map_err(|_| FileError::NotAllowed)?
            }
            Err(_) => return Err(FileError::NotAllowed),
        };
        if valid.contains('\0') {
            return Err(FileError::NotAllowed);
        }
        if self.markup.is_none() {
            let start = valid.trim_start_matches(['\u{feff}', ' ', '\t', '\r', '\n', '\x0c']);
            if !start.is_empty() {
                self.markup = Some(start.starts_with('<'));
            }
        }
        if self.markup == Some(true) {
            let mut scan = std::mem::take(&mut self.tail);
            scan.extend_from_slice(valid.as_bytes());
            // A `<` too near the end is looked at again with the next piece.
            let decided = scan.len().saturating_sub(TAG_WINDOW);
            if (0..decided).any(|i| scan[i] == b'<' && active_tag_at(&scan, i)) {
                return Err(FileError::NotAllowed);
            }
            self.tail = scan[decided..].to_vec();
        }
        Ok(())
    }

    /// After the last piece.
    pub fn finish(self) -> Result<(), FileError> {
        if !self.cut.is_empty() || contains_active_markup(&self.tail) {
            return Err(FileError::NotAllowed);
        }
        Ok(())
    }
}

/// The kind and content type of allowed content, from its bytes alone;
/// `None` for anything not allowed (or an Office file too damaged to tell).
///
/// WebM and MP4 (video brands) come out as video: whether they are a voice
/// message is for [`prepare`] to decide from the declared kind.
pub fn sniff(bytes: &[u8]) -> Option<(AttachmentKind, &'static str)> {
    classify(bytes, true).ok()
}

/// [`sniff`], telling a damaged Office file from content not allowed. Of a
/// file not `complete` (its first bytes only), a text is only checked as
/// far as it goes.
fn classify(bytes: &[u8], complete: bool) -> Result<(AttachmentKind, &'static str), FileError> {
    use AttachmentKind::{Document, Photo, Video, Voice};
    let starts = |magic: &[u8]| bytes.starts_with(magic);
    let riff = |form: &[u8; 4]| starts(b"RIFF") && bytes.get(8..12) == Some(form.as_slice());

    if starts(&[0xFF, 0xD8, 0xFF]) {
        return Ok((Photo, JPEG));
    }
    if starts(b"\x89PNG\r\n\x1a\n") {
        return Ok((Photo, PNG));
    }
    if riff(b"WEBP") {
        return Ok((Photo, WEBP));
    }
    if riff(b"WAVE") {
        return Ok((Voice, WAV));
    }
    if bytes.get(4..8) == Some(b"ftyp".as_slice()) {
        // HEIC/HEIF/AVIF (we cannot decode them) and unknown brands are refused.
        return iso_media(bytes).ok_or(FileError::NotAllowed);
    }
    if starts(&[0x1A, 0x45, 0xDF, 0xA3]) {
        // Matroska other than WebM is refused.
        return match ebml_doc_type(bytes) {
            Some(b"webm") => Ok((Video, WEBM)),
            _ => Err(FileError::NotAllowed),
        };
    }
    if starts(b"OggS") {
        return Ok((Voice, OGG));
    }
    if starts(b"ID3") || is_mp3_frame(bytes) {
        return Ok((Voice, MP3));
    }
    if starts(b"%PDF-") {
        return Ok((Document, PDF));
    }
    if starts(b"PK\x03\x04") {
        return office_zip(bytes).map(|t| (Document, t));
    }
    if starts(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        return Ok((Document, OLE));
    }
    if starts(b"{\\rtf") {
        return Ok((Document, RTF));
    }
    if is_executable(bytes) {
        return Err(FileError::NotAllowed);
    }
    let text = if complete {
        is_plain_text(bytes)
    } else {
        TextCheck::new().feed(bytes).is_ok()
    };
    if text {
        return Ok((Document, TEXT));
    }
    Err(FileError::NotAllowed)
}

/// An ISO base media file (`ftyp` box): MP4, QuickTime or MP4 audio.
fn iso_media(bytes: &[u8]) -> Option<(AttachmentKind, &'static str)> {
    let size = usize::try_from(u32::from_be_bytes(bytes.get(0..4)?.try_into().ok()?)).ok()?;
    if !(16..=4096).contains(&size) || size % 4 != 0 {
        return None;
    }
    let major = bytes.get(8..12)?;
    // Compatible brands, after the minor version; a short file is only checked as far as it goes.
    let compatible = bytes.get(16..size.min(bytes.len()))?;
    let image_brands: [&[u8]; 7] = [b"heic", b"heix", b"heim", b"heis", b"mif1", b"msf1", b"avif"];
    let is_image = |brand: &[u8]| image_brands.contains(&brand);
    if is_image(major) || compatible.chunks_exact(4).any(is_image) {
        return None;
    }
    match major {
        b"M4A " | b"M4B " => Some((AttachmentKind::Voice, AUDIO_MP4)),
        b"qt  " => Some((AttachmentKind::Video, QUICKTIME)),
        b"isom" | b"iso2" | b"iso3" | b"iso4" | b"iso5" | b"iso6" | b"mp41" | b"mp42" | b"avc1" | b"M4V " | b"M4VH"
        | b"M4VP" => Some((AttachmentKind::Video, MP4)),
        _ => None,
    }
}

/// The DocType of an EBML header (`webm`, `matroska`), if it can be read.
fn ebml_doc_type(bytes: &[u8]) -> Option<&[u8]> {
    let rest = bytes.get(4..)?;
    let (size, used) = ebml_vint(rest)?;
    let header = rest.get(used..)?;
    // An unknown or absurd size: read what there is of the first 4 KiB.
    let end = usize::try_from(size).ok().filter(|&s| s <= 4096).unwrap_or(4096);
    let mut header = header.get(..end.min(header.len()))?;
    while !header.is_empty() {
        let id_len = usize::try_from(header.first()?.leading_zeros()).ok()? + 1;
        if id_len > 4 {
            return None;
        }
        let id = header.get(..id_len)?;
        let (size, used) = ebml_vint(header.get(id_len..)?)?;
        let start = id_len + used;
        let end = start.checked_add(usize::try_from(size).ok()?)?;
        let value = header.get(start..end)?;
        if id == [0x42, 0x82] {
            return Some(value);
        }
        header = header.get(end..)?;
    }
    None
}

/// An EBML variable-size integer: its value and its length in bytes.
fn ebml_vint(bytes: &[u8]) -> Option<(u64, usize)> {
    let first = *bytes.first()?;
    let len = usize::try_from(first.leading_zeros()).ok()? + 1;
    if len > 8 {
        return None;
    }
    let mut value = u64::from(first) & (0xFF >> len);
    for &b in bytes.get(1..len)? {
        value = (value << 8) | u64::from(b);
    }
    Some((value, len))
}

/// An MPEG audio frame header (an MP3 without ID3 tag): sync, a valid
/// version, layer, bit rate and sample rate.
fn is_mp3_frame(bytes: &[u8]) -> bool {
    let [0xFF, b1, b2, ..] = *bytes else { return false };
    let sync = b1 & 0xE0 == 0xE0;
    let version_ok = (b1 >> 3) & 0b11 != 0b01;
    let layer_ok = (b1 >> 1) & 0b11 != 0b00;
    let bitrate_ok = !matches!(b2 >> 4, 0b0000 | 0b1111);
    let rate_ok = (b2 >> 2) & 0b11 != 0b11;
    bytes.len() >= 4 && sync && version_ok && layer_ok && bitrate_ok && rate_ok
}

/// Windows, Linux and macOS executables, and scripts with a `#!` line.
fn is_executable(bytes: &[u8]) -> bool {
    const MAGICS: [&[u8]; 8] = [
        b"MZ",
        b"\x7fELF",
        b"#!",
        &[0xFE, 0xED, 0xFA, 0xCE],
        &[0xFE, 0xED, 0xFA, 0xCF],
        &[0xCE, 0xFA, 0xED, 0xFE],
        &[0xCF, 0xFA, 0xED, 0xFE],
        &[0xCA, 0xFE, 0xBA, 0xBE],
    ];
    MAGICS.iter().any(|m| bytes.starts_with(m))
}

/// Valid UTF-8 without NUL, and not markup a browser would run (HTML,
/// scripts, SVG). A UTF-16 text has NULs and is refused.
fn is_plain_text(bytes: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return false;
    };
    if text.contains('\0') {
        return false;
    }
    let start = text.trim_start_matches(['\u{feff}', ' ', '\t', '\r', '\n', '\x0c']);
    !(start.starts_with('<') && contains_active_markup(start.as_bytes()))
}

/// Whether some `<` opens a tag that makes the text HTML or SVG.
fn contains_active_markup(text: &[u8]) -> bool {
    text.iter()
        .enumerate()
        .any(|(i, &b)| b == b'<' && active_tag_at(text, i))
}

/// Whether the `<` at `i` opens a tag that makes the text HTML or SVG.
fn active_tag_at(text: &[u8], i: usize) -> bool {
    const TAGS: [&[u8]; 10] = [
        b"<script",
        b"<html",
        b"<!doctype html",
        b"<head",
        b"<body",
        b"<svg",
        b"<iframe",
        b"<object",
        b"<embed",
        b"<?xml-stylesheet",
    ];
    // A whole tag name: `<body>` or `<svg:svg`, but not FHIR's `<bodySite>`.
    let ends_name = |b: Option<&u8>| !b.is_some_and(|&b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
    let rest = &text[i..];
    TAGS.iter()
        .any(|tag| rest.get(..tag.len()).is_some_and(|r| r.eq_ignore_ascii_case(tag)) && ends_name(rest.get(tag.len())))
}

/// An Office Open XML file: a ZIP with `[Content_Types].xml` and a
/// `word/`, `xl/` or `ppt/` part. Macro-enabled files (with a
/// `vbaProject.bin`) and other ZIPs are refused; a ZIP whose entries cannot
/// be read is damaged. Nothing is decompressed.
fn office_zip(bytes: &[u8]) -> Result<&'static str, FileError> {
    let names = zip_names(bytes);
    if names.is_empty() {
        return Err(FileError::Damaged);
    }
    let has = |prefix: &[u8]| names.iter().any(|n| n.starts_with(prefix));
    let macros = names.iter().any(|n| {
        n.rsplit(|&b| b == b'/')
            .next()
            .is_some_and(|file| file.eq_ignore_ascii_case(b"vbaProject.bin"))
    });
    if macros || !names.iter().any(|n| *n == b"[Content_Types].xml") {
        return Err(FileError::NotAllowed);
    }
    if has(b"word/") {
        Ok(DOCX)
    } else if has(b"xl/") {
        Ok(XLSX)
    } else if has(b"ppt/") {
        Ok(PPTX)
    } else {
        Err(FileError::NotAllowed)
    }
}

/// The most ZIP entries looked at.
const MAX_ZIP_ENTRIES: usize = 10_000;

/// The entry names of a ZIP: from its central directory, or, if it has none
/// that can be read, from walking its local file headers.
fn zip_names(bytes: &[u8]) -> Vec<&[u8]> {
    match central_directory_names(bytes) {
        Some(names) if !names.is_empty() => names,
        _ => local_header_names(bytes),
    }
}

fn u16_at(bytes: &[u8], at: usize) -> Option<usize> {
    Some(usize::from(u16::from_le_bytes(bytes.get(at..at + 2)?.try_into().ok()?)))
}

fn u32_at(bytes: &[u8], at: usize) -> Option<usize> {
    usize::try_from(u32::from_le_bytes(bytes.get(at..at + 4)?.try_into().ok()?)).ok()
}

fn central_directory_names(bytes: &[u8]) -> Option<Vec<&[u8]>> {
    // The end record is 22 bytes plus a comment of up to 65535 bytes.
    let earliest = bytes.len().saturating_sub(22 + 65_535);
    let end = (earliest..=bytes.len().checked_sub(22)?)
        .rev()
        .find(|&i| bytes[i..].starts_with(b"PK\x05\x06"))?;
    let count = u16_at(bytes, end + 10)?;
    let mut at = u32_at(bytes, end + 16)?;
    let mut names = Vec::new();
    for _ in 0..count.min(MAX_ZIP_ENTRIES) {
        if !bytes.get(at..)?.starts_with(b"PK\x01\x02") {
            break;
        }
        let name_len = u16_at(bytes, at + 28)?;
        let extra_len = u16_at(bytes, at + 30)?;
        let comment_len = u16_at(bytes, at + 32)?;
        names.push(bytes.get(at + 46..at + 46 + name_len)?);
        at += 46 + name_len + extra_len + comment_len;
    }
    Some(names)
}

fn local_header_names(bytes: &[u8]) -> Vec<&[u8]> {
    let mut names = Vec::new();
    let mut at = 0;
    while names.len() < MAX_ZIP_ENTRIES && bytes.get(at..).is_some_and(|b| b.starts_with(b"PK\x03\x04")) {
        let (Some(flags), Some(size), Some(name_len), Some(extra_len)) = (
            u16_at(bytes, at + 6),
            u32_at(bytes, at + 18),
            u16_at(bytes, at + 26),
            u16_at(bytes, at + 28),
        ) else {
            break;
        };
        let Some(name) = bytes.get(at + 30..at + 30 + name_len) else {
            break;
        };
        names.push(name);
        // Sizes after the data (streamed entries): the next header cannot be found.
        if flags & 0x08 != 0 && size == 0 {
            break;
        }
        at += 30 + name_len + extra_len + size;
    }
    names
}

/// A JPEG whose scan data ends with the end-of-image marker. The decoder
/// fills a truncated scan with grey instead of failing; this tells an
/// interrupted upload. Data after the marker (motion photos) is allowed.
fn jpeg_is_complete(bytes: &[u8]) -> bool {
    // Walk the segments before the first scan (so that the end marker of an
    // EXIF thumbnail is not taken for ours), then look for the end marker:
    // in scan data, 0xFF is always followed by 0x00 or a restart marker.
    let mut at = 2;
    loop {
        let Some(&[first, marker]) = bytes.get(at..at + 2) else {
            return false;
        };
        if first != 0xFF {
            at += 1; // garbage between segments, which decoders skip
            continue;
        }
        match marker {
            0xFF => at += 1, // fill byte
            0x01 | 0xD0..=0xD7 => at += 2,
            0xD9 => return false, // an end before any scan
            _ => {
                let Some(length) = bytes
                    .get(at + 2..at + 4)
                    .map(|l| usize::from(u16::from_be_bytes([l[0], l[1]])))
                else {
                    return false;
                };
                at += 2 + length;
                if marker == 0xDA {
                    return bytes
                        .get(at..)
                        .is_some_and(|scan| scan.windows(2).any(|w| w == [0xFF, 0xD9]));
                }
            }
        }
    }
}

struct Photo {
    bytes: Vec<u8>,
    thumbnail: Vec<u8>,
    width: u32,
    height: u32,
}

/// Decodes under limits, applies the EXIF orientation, and encodes the
/// stored photo and its thumbnail anew.
fn process_photo(bytes: &[u8], format: ImageFormat) -> Result<Photo, FileError> {
    let too_large = FileError::TooLarge { limit: MAX_PHOTO };
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_DIMENSION);
    limits.max_image_height = Some(MAX_DIMENSION);
    limits.max_alloc = Some(MAX_DECODED_BYTES);
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(from_image_error)?;
    if decoder.total_bytes() > MAX_DECODED_BYTES {
        return Err(too_large);
    }
    // A damaged EXIF block is no reason to refuse the pixels.
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let mut image = DynamicImage::from_decoder(decoder).map_err(from_image_error)?;
    image.apply_orientation(orientation);
    let upright = crate::network::photo::flatten_on_white(image);
    if upright.width() == 0 || upright.height() == 0 {
        return Err(FileError::Damaged);
    }
    let stored = match shrink(&upright, PHOTO_MAX_SIDE) {
        Some(smaller) => smaller,
        None => upright,
    };
    let thumbnail = shrink(&stored, THUMBNAIL_MAX_SIDE);
    Ok(Photo {
        bytes: encode_jpeg(&stored)?,
        thumbnail: encode_jpeg(thumbnail.as_ref().unwrap_or(&stored))?,
        width: stored.width(),
        height: stored.height(),
    })
}

fn from_image_error(error: ImageError) -> FileError {
    match error {
        ImageError::Limits(_) => FileError::TooLarge { limit: MAX_PHOTO },
        _ => FileError::Damaged,
    }
}

/// RGB at 8 bits, transparent parts composed over white.
/// The image scaled down to at most `max_side` on its long side, keeping
/// its proportions; `None` when it is small enough already.
fn shrink(image: &RgbImage, max_side: u32) -> Option<RgbImage> {
    let (width, height) = image.dimensions();
    let long = width.max(height);
    if long <= max_side {
        return None;
    }
    let scale = |side: u32| -> u32 {
        let scaled = (u64::from(side) * u64::from(max_side) + u64::from(long) / 2) / u64::from(long);
        u32::try_from(scaled).unwrap_or(max_side).clamp(1, max_side)
    };
    let (w, h) = (scale(width), scale(height));
    // A fast box filter down to twice the size, then Lanczos3: same look, far less work.
    if long > 2 * max_side {
        let smaller = imageops::thumbnail(image, 2 * w, 2 * h);
        Some(imageops::resize(&smaller, w, h, FilterType::Lanczos3))
    } else {
        Some(imageops::resize(image, w, h, FilterType::Lanczos3))
    }
}

fn encode_jpeg(image: &RgbImage) -> Result<Vec<u8>, FileError> {
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY)
        .encode_image(image)
        // Encoding a bounded RGB buffer into memory does not fail; should it
        // ever, the upload is what we could not handle.
        .map_err(|_| FileError::Damaged)?;
    Ok(out)
}

/// A file name safe to store, show and offer for download: the last path
/// component, without control or invisible formatting characters (such as
/// the right-to-left override that shows `fdp.exe` as `exe.pdf`), with
/// `<>:"|?*` replaced by `_`, without leading or trailing dots and spaces,
/// at most [`MAX_NAME_CHARS`] characters keeping the extension; `"file"`
/// when nothing is left.
pub fn clean_name(name: &str) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = last
        .chars()
        .filter(|&c| !c.is_control() && !is_invisible(c))
        .map(|c| {
            if matches!(c, '<' | '>' | ':' | '"' | '|' | '?' | '*') {
                '_'
            } else {
                c
            }
        })
        .collect();
    let trimmed = trim_name(&cleaned);
    if trimmed.is_empty() {
        return "file".to_string();
    }
    match extension_of(trimmed) {
        Some(extension) => {
            let stem = &trimmed[..trimmed.len() - extension.len() - 1];
            join_name(stem, extension)
        }
        None => trimmed
            .chars()
            .take(MAX_NAME_CHARS)
            .collect::<String>()
            .trim_end()
            .to_string(),
    }
}

/// Unicode formatting characters that change how a name reads without showing.
fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{061C}' | '\u{180E}' | '\u{200B}'..='\u{200F}' | '\u{2028}'..='\u{202E}'
        | '\u{2060}'..='\u{2069}' | '\u{FEFF}' | '\u{FFF9}'..='\u{FFFB}')
}

fn trim_name(name: &str) -> &str {
    name.trim_matches(|c: char| c.is_whitespace() || c == '.')
}

/// The extension of a cleaned name: 1 to 10 ASCII letters or digits after
/// the last dot, with something before it.
fn extension_of(name: &str) -> Option<&str> {
    let (stem, extension) = name.rsplit_once('.')?;
    let valid = !trim_name(stem).is_empty()
        && (1..=10).contains(&extension.len())
        && extension.bytes().all(|b| b.is_ascii_alphanumeric());
    valid.then_some(extension)
}

/// `stem.extension`, the stem cut so that the whole fits [`MAX_NAME_CHARS`].
fn join_name(stem: &str, extension: &str) -> String {
    let room = MAX_NAME_CHARS - 1 - extension.len();
    let stem: String = stem.chars().take(room).collect();
    let stem = trim_name(&stem);
    let stem = if stem.is_empty() { "file" } else { stem };
    format!("{stem}.{extension}")
}

/// A photo is stored as a JPEG: its name says so.
fn with_jpg_extension(name: &str) -> String {
    match extension_of(name) {
        Some(e) if e.eq_ignore_ascii_case("jpg") || e.eq_ignore_ascii_case("jpeg") => name.to_string(),
        Some(e) => join_name(&name[..name.len() - e.len() - 1], "jpg"),
        None => join_name(name, "jpg"),
    }
}

/// Extensions that run something when the file is opened (or that a
/// browser renders as a page), refused whatever the content.
fn is_dangerous_extension(extension: &str) -> bool {
    matches!(
        extension,
        "exe"
            | "com"
            | "scr"
            | "pif"
            | "cpl"
            | "msi"
            | "msp"
            | "mst"
            | "dll"
            | "sys"
            | "drv"
            | "ocx"
            | "bat"
            | "cmd"
            | "ps1"
            | "psm1"
            | "psd1"
            | "ps1xml"
            | "vb"
            | "vbs"
            | "vbe"
            | "js"
            | "jse"
            | "mjs"
            | "wsf"
            | "wsh"
            | "wsc"
            | "hta"
            | "jar"
            | "lnk"
            | "url"
            | "scf"
            | "reg"
            | "inf"
            | "chm"
            | "msc"
            | "gadget"
            | "application"
            | "appref"
            | "appx"
            | "msix"
            | "iso"
            | "img"
            | "vhd"
            | "vhdx"
            | "sh"
            | "bash"
            | "zsh"
            | "csh"
            | "ksh"
            | "command"
            | "app"
            | "pkg"
            | "dmg"
            | "deb"
            | "rpm"
            | "apk"
            | "appimage"
            | "desktop"
            | "py"
            | "pyw"
            | "pl"
            | "rb"
            | "php"
            | "html"
            | "htm"
            | "xhtml"
            | "shtml"
            | "mht"
            | "mhtml"
            | "svg"
            | "svgz"
            | "xml1"
            | "xsl"
            | "xslt"
            | "docm"
            | "dotm"
            | "xlsm"
            | "xltm"
            | "xlam"
            | "xll"
            | "pptm"
            | "potm"
            | "ppam"
            | "ppsm"
            | "sldm"
    )
}

/// Audio-only extensions, which make a WebM or MP4 container a voice message.
fn is_audio_only_extension(extension: &str) -> bool {
    matches!(
        extension,
        "m4a" | "weba" | "opus" | "oga" | "ogg" | "mp3" | "wav" | "aac"
    )
}

/// Whether a known extension agrees with the content; an unknown one always does.
fn extension_agrees(extension: &str, kind: AttachmentKind, content_type: &str) -> bool {
    use AttachmentKind::{Document, Photo, Video, Voice};
    match extension {
        // Photos are re-encoded anyway: any image extension for any image.
        "jpg" | "jpeg" | "jpe" | "jfif" | "png" | "webp" | "gif" | "bmp" | "tif" | "tiff" | "heic" | "heif"
        | "avif" => kind == Photo,
        "mp4" | "m4v" | "webm" => matches!(kind, Video | Voice),
        "mov" | "qt" | "mkv" | "avi" | "3gp" | "wmv" => kind == Video,
        "m4a" | "weba" | "opus" | "oga" | "ogg" | "mp3" | "wav" | "aac" | "flac" | "amr" => kind == Voice,
        "pdf" => content_type == PDF,
        "docx" | "dotx" => content_type == DOCX,
        "xlsx" | "xltx" => content_type == XLSX,
        "pptx" | "potx" | "ppsx" => content_type == PPTX,
        // Word has long saved RTF under a .doc name.
        "doc" | "dot" => content_type == OLE || content_type == RTF,
        "xls" | "xlt" | "ppt" | "pot" | "pps" | "msg" => content_type == OLE,
        "rtf" => content_type == RTF,
        "txt" | "text" | "md" | "csv" | "tsv" | "log" | "json" | "xml" | "hl7" | "ics" | "vcf" => {
            kind == Document && content_type == TEXT
        }
        _ => true,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::secrets::ServerKey;
    use image::codecs::png::PngEncoder;
    use image::codecs::webp::WebPEncoder;
    use image::{ImageEncoder, Rgb, Rgba, RgbaImage};

    const RED: [u8; 3] = [255, 0, 0];
    const BLUE: [u8; 3] = [0, 0, 255];

    /// Latitude 48/1, 51/1, 0x13371337/0xC0FFEE42: the last rational is a
    /// marker no encoder would write by chance.
    const GPS_LATITUDE: [u8; 24] = [
        0, 0, 0, 48, 0, 0, 0, 1, 0, 0, 0, 51, 0, 0, 0, 1, 0x13, 0x37, 0x13, 0x37, 0xC0, 0xFF, 0xEE, 0x42,
    ];

    fn halves(width: u32, height: u32) -> RgbImage {
        RgbImage::from_fn(width, height, |x, _| if x < width / 2 { Rgb(RED) } else { Rgb(BLUE) })
    }

    fn jpeg(image: &RgbImage) -> Vec<u8> {
        let mut out = Vec::new();
        JpegEncoder::new_with_quality(&mut out, 95).encode_image(image).unwrap();
        out
    }

    fn png_rgba(image: &RgbaImage) -> Vec<u8> {
        let mut out = Vec::new();
        PngEncoder::new(&mut out)
            .write_image(
                image.as_raw(),
                image.width(),
                image.height(),
                image::ExtendedColorType::Rgba8,
            )
            .unwrap();
        out
    }

    /// A big-endian TIFF block: IFD0 with Orientation and a GPSInfo pointer,
    /// then a GPS IFD with a latitude reference and the planted latitude.
    fn exif_tiff(orientation: u16) -> Vec<u8> {
        fn entry(t: &mut Vec<u8>, tag: u16, kind: u16, count: u32, value: [u8; 4]) {
            t.extend_from_slice(&tag.to_be_bytes());
            t.extend_from_slice(&kind.to_be_bytes());
            t.extend_from_slice(&count.to_be_bytes());
            t.extend_from_slice(&value);
        }
        let ifd0 = 8u32;
        let gps_ifd = ifd0 + 2 + 2 * 12 + 4;
        let latitude = gps_ifd + 2 + 2 * 12 + 4;
        let mut t = b"MM\0\x2a".to_vec();
        t.extend_from_slice(&ifd0.to_be_bytes());
        t.extend_from_slice(&2u16.to_be_bytes());
        let o = orientation.to_be_bytes();
        entry(&mut t, 0x0112, 3, 1, [o[0], o[1], 0, 0]);
        entry(&mut t, 0x8825, 4, 1, gps_ifd.to_be_bytes());
        t.extend_from_slice(&0u32.to_be_bytes());
        t.extend_from_slice(&2u16.to_be_bytes());
        entry(&mut t, 0x0001, 2, 2, *b"N\0\0\0");
        entry(&mut t, 0x0002, 5, 3, latitude.to_be_bytes());
        t.extend_from_slice(&0u32.to_be_bytes());
        assert_eq!(t.len() as u32, latitude);
        t.extend_from_slice(&GPS_LATITUDE);
        t
    }

    /// Puts an APP1 "Exif" segment right after the SOI marker.
    fn with_exif(jpeg: &[u8], tiff: &[u8]) -> Vec<u8> {
        let mut payload = b"Exif\0\0".to_vec();
        payload.extend_from_slice(tiff);
        let length = u16::try_from(payload.len() + 2).unwrap();
        let mut out = jpeg[..2].to_vec();
        out.extend_from_slice(&[0xFF, 0xE1]);
        out.extend_from_slice(&length.to_be_bytes());
        out.extend_from_slice(&payload);
        out.extend_from_slice(&jpeg[2..]);
        out
    }

    fn contains(haystack: &[u8], needle: &[u8]) -> bool {
        haystack.windows(needle.len()).any(|w| w == needle)
    }

    fn decode_jpeg(bytes: &[u8]) -> RgbImage {
        assert!(bytes.starts_with(&[0xFF, 0xD8, 0xFF]));
        image::load_from_memory_with_format(bytes, ImageFormat::Jpeg)
            .unwrap()
            .into_rgb8()
    }

    fn near(pixel: &Rgb<u8>, expected: [u8; 3]) -> bool {
        pixel.0.iter().zip(expected).all(|(&a, b)| a.abs_diff(b) <= 40)
    }

    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for &byte in bytes {
            crc ^= u32::from(byte);
            for _ in 0..8 {
                crc = if crc & 1 != 0 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }

    fn png_chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
        out.extend_from_slice(&u32::try_from(data.len()).unwrap().to_be_bytes());
        let mut body = kind.to_vec();
        body.extend_from_slice(data);
        out.extend_from_slice(&body);
        out.extend_from_slice(&crc32(&body).to_be_bytes());
    }

    /// A ZIP of stored (uncompressed) entries, with or without its central directory.
    fn zip(entries: &[(&str, &[u8])], central_directory: bool) -> Vec<u8> {
        let mut out = Vec::new();
        let mut central = Vec::new();
        for (name, data) in entries {
            let offset = u32::try_from(out.len()).unwrap();
            let crc = crc32(data);
            let size = u32::try_from(data.len()).unwrap();
            let name_len = u16::try_from(name.len()).unwrap();
            out.extend_from_slice(b"PK\x03\x04");
            out.extend_from_slice(&20u16.to_le_bytes()); // version needed
            out.extend_from_slice(&0u16.to_le_bytes()); // flags
            out.extend_from_slice(&0u16.to_le_bytes()); // stored
            out.extend_from_slice(&[0; 4]); // time, date
            out.extend_from_slice(&crc.to_le_bytes());
            out.extend_from_slice(&size.to_le_bytes());
            out.extend_from_slice(&size.to_le_bytes());
            out.extend_from_slice(&name_len.to_le_bytes());
            out.extend_from_slice(&0u16.to_le_bytes()); // extra
            out.extend_from_slice(name.as_bytes());
            out.extend_from_slice(data);

            central.extend_from_slice(b"PK\x01\x02");
            central.extend_from_slice(&20u16.to_le_bytes()); // made by
            central.extend_from_slice(&20u16.to_le_bytes()); // needed
            central.extend_from_slice(&[0; 8]); // flags, method, time, date
            central.extend_from_slice(&crc.to_le_bytes());
            central.extend_from_slice(&size.to_le_bytes());
            central.extend_from_slice(&size.to_le_bytes());
            central.extend_from_slice(&name_len.to_le_bytes());
            central.extend_from_slice(&[0; 12]); // extra, comment, disk, attributes
            central.extend_from_slice(&offset.to_le_bytes());
            central.extend_from_slice(name.as_bytes());
        }
        if central_directory {
            let offset = u32::try_from(out.len()).unwrap();
            let count = u16::try_from(entries.len()).unwrap();
            out.extend_from_slice(&central);
            out.extend_from_slice(b"PK\x05\x06");
            out.extend_from_slice(&[0; 4]); // disks
            out.extend_from_slice(&count.to_le_bytes());
            out.extend_from_slice(&count.to_le_bytes());
            out.extend_from_slice(&u32::try_from(central.len()).unwrap().to_le_bytes());
            out.extend_from_slice(&offset.to_le_bytes());
            out.extend_from_slice(&0u16.to_le_bytes()); // comment
        }
        out
    }

    const CONTENT_TYPES: &[u8] =
        br#"<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>"#;

    fn office(part: &str) -> Vec<u8> {
        zip(
            &[
                ("[Content_Types].xml", CONTENT_TYPES),
                ("_rels/.rels", b"<Relationships/>"),
                (part, b"<doc/>"),
            ],
            true,
        )
    }

    fn ftyp(major: &[u8; 4], compatible: &[&[u8; 4]]) -> Vec<u8> {
        let size = u32::try_from(16 + 4 * compatible.len()).unwrap();
        let mut out = size.to_be_bytes().to_vec();
        out.extend_from_slice(b"ftyp");
        out.extend_from_slice(major);
        out.extend_from_slice(&0x200u32.to_be_bytes());
        for brand in compatible {
            out.extend_from_slice(*brand);
        }
        // An empty media data box.
        out.extend_from_slice(&8u32.to_be_bytes());
        out.extend_from_slice(b"mdat");
        out
    }

    fn ebml(doc_type: &str) -> Vec<u8> {
        let mut header = vec![0x42, 0x86, 0x81, 0x01]; // EBMLVersion 1
        header.extend_from_slice(&[0x42, 0xF7, 0x81, 0x01]); // EBMLReadVersion 1
        header.extend_from_slice(&[0x42, 0x82, 0x80 | u8::try_from(doc_type.len()).unwrap()]);
        header.extend_from_slice(doc_type.as_bytes());
        header.extend_from_slice(&[0x42, 0x87, 0x81, 0x04]); // DocTypeVersion 4
        let mut out = vec![0x1A, 0x45, 0xDF, 0xA3, 0x80 | u8::try_from(header.len()).unwrap()];
        out.extend_from_slice(&header);
        // A Segment of unknown size.
        out.extend_from_slice(&[0x18, 0x53, 0x80, 0x67, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]);
        out
    }

    const OGG: &[u8] = b"OggS\x00\x02\x00\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01\x13OpusHead\x01\x01\x38\x01\x80\xbb\x00\x00\x00\x00\x00";
    const PDF_SAMPLE: &[u8] = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n";

    fn ok(name: &str, declared: Option<AttachmentKind>, bytes: &[u8]) -> Prepared {
        prepare(name, declared, bytes).unwrap()
    }

    fn err(name: &str, declared: Option<AttachmentKind>, bytes: &[u8]) -> FileError {
        prepare(name, declared, bytes).unwrap_err()
    }

    #[test]
    fn files_kind_round_trips() {
        for kind in AttachmentKind::ALL {
            assert_eq!(AttachmentKind::parse(kind.as_str()), Some(kind));
            let json = serde_json::to_string(&kind).unwrap();
            assert_eq!(json, format!("\"{}\"", kind.as_str()));
            assert_eq!(serde_json::from_str::<AttachmentKind>(&json).unwrap(), kind);
        }
        assert_eq!(AttachmentKind::parse("Photo"), None);
        assert_eq!(AttachmentKind::parse(""), None);
    }

    #[test]
    fn files_error_codes() {
        assert_eq!(FileError::Empty.code(), "file-empty");
        assert_eq!(FileError::TooLarge { limit: 1 }.code(), "file-too-large");
        assert_eq!(FileError::NotAllowed.code(), "file-not-allowed");
        assert_eq!(FileError::Mismatch.code(), "file-mismatch");
        assert_eq!(FileError::Damaged.code(), "file-damaged");
    }

    #[test]
    fn files_jpeg_exif_gps_stripped_orientation_applied_and_resized() {
        let input = with_exif(&jpeg(&halves(3000, 1000)), &exif_tiff(6));
        assert!(contains(&input, b"Exif\0\0"));
        assert!(contains(&input, &GPS_LATITUDE));
        let p = ok("IMG_0001.JPG", Some(AttachmentKind::Photo), &input);
        assert_eq!(p.kind, AttachmentKind::Photo);
        assert_eq!(p.content_type, "image/jpeg");
        assert_eq!(p.name, "IMG_0001.JPG");
        // Upright (a quarter turn), at most 2048 on the long side.
        assert_eq!((p.width, p.height), (Some(683), Some(2048)));
        for bytes in [&p.bytes, p.thumbnail.as_ref().unwrap()] {
            assert!(!contains(bytes, b"Exif"));
            assert!(!contains(bytes, &GPS_LATITUDE));
            assert!(!contains(bytes, &[0x13, 0x37, 0x13, 0x37]));
            assert!(!contains(bytes, b"MM\0\x2a"));
            assert!(!contains(bytes, &[0xFF, 0xE1]), "no APP1 segment");
        }
        let stored = decode_jpeg(&p.bytes);
        assert_eq!(stored.dimensions(), (683, 2048));
        // Turned a quarter clockwise: the red left half is now on top.
        assert!(
            near(stored.get_pixel(340, 200), RED),
            "{:?}",
            stored.get_pixel(340, 200)
        );
        assert!(
            near(stored.get_pixel(340, 1800), BLUE),
            "{:?}",
            stored.get_pixel(340, 1800)
        );
        let thumbnail = decode_jpeg(p.thumbnail.as_ref().unwrap());
        assert_eq!(thumbnail.dimensions(), (107, 320));
        assert!(thumbnail.width().max(thumbnail.height()) <= THUMBNAIL_MAX_SIDE);
    }

    #[test]
    fn files_small_photo_is_not_enlarged() {
        let p = ok("a.jpeg", None, &jpeg(&halves(64, 32)));
        assert_eq!((p.width, p.height), (Some(64), Some(32)));
        assert_eq!(decode_jpeg(p.thumbnail.as_ref().unwrap()).dimensions(), (64, 32));
        assert_eq!(p.name, "a.jpeg");
    }

    #[test]
    fn files_png_is_stored_as_jpeg_on_white() {
        let image = RgbaImage::from_fn(64, 64, |x, _| {
            if x < 32 {
                Rgba([0, 0, 0, 0])
            } else {
                Rgba([0, 0, 255, 255])
            }
        });
        let p = ok("screenshot.png", None, &png_rgba(&image));
        assert_eq!(p.kind, AttachmentKind::Photo);
        assert_eq!(p.content_type, "image/jpeg");
        assert_eq!(p.name, "screenshot.jpg");
        let stored = decode_jpeg(&p.bytes);
        assert!(near(stored.get_pixel(10, 32), [255, 255, 255]));
        assert!(near(stored.get_pixel(54, 32), BLUE));
        assert_eq!(sniff(&png_rgba(&image)), Some((AttachmentKind::Photo, "image/png")));
    }

    #[test]
    fn files_webp_is_accepted() {
        let image = halves(64, 64);
        let mut bytes = Vec::new();
        WebPEncoder::new_lossless(&mut bytes)
            .encode(image.as_raw(), 64, 64, image::ExtendedColorType::Rgb8)
            .unwrap();
        assert_eq!(sniff(&bytes), Some((AttachmentKind::Photo, "image/webp")));
        let p = ok("", Some(AttachmentKind::Photo), &bytes);
        assert_eq!(p.name, "file.jpg");
        assert!(near(decode_jpeg(&p.bytes).get_pixel(10, 32), RED));
    }

    #[test]
    fn files_pdf_is_a_document() {
        let p = ok("compte-rendu.pdf", Some(AttachmentKind::Document), PDF_SAMPLE);
        assert_eq!((p.kind, p.content_type), (AttachmentKind::Document, "application/pdf"));
        assert_eq!(p.bytes, PDF_SAMPLE);
        assert_eq!((p.thumbnail, p.width, p.height), (None, None, None));
    }

    #[test]
    fn files_office_documents_from_their_parts() {
        let p = ok("lettre.docx", None, &office("word/document.xml"));
        assert_eq!((p.kind, p.content_type), (AttachmentKind::Document, DOCX));
        assert_eq!(ok("t.xlsx", None, &office("xl/workbook.xml")).content_type, XLSX);
        assert_eq!(ok("s.pptx", None, &office("ppt/presentation.xml")).content_type, PPTX);
        // Only local headers (no central directory): still told apart.
        let bare = zip(
            &[("[Content_Types].xml", CONTENT_TYPES), ("word/document.xml", b"<w/>")],
            false,
        );
        assert_eq!(sniff(&bare), Some((AttachmentKind::Document, DOCX)));
        // A .docx name on a spreadsheet is a mismatch.
        assert_eq!(err("t.docx", None, &office("xl/workbook.xml")), FileError::Mismatch);
    }

    #[test]
    fn files_other_zips_and_macros_are_refused() {
        let plain = zip(&[("notes.txt", b"hello")], true);
        assert_eq!(err("archive.zip", None, &plain), FileError::NotAllowed);
        let no_types = zip(&[("word/document.xml", b"<w/>")], true);
        assert_eq!(err("x.docx", None, &no_types), FileError::NotAllowed);
        let macros = zip(
            &[
                ("[Content_Types].xml", CONTENT_TYPES),
                ("word/document.xml", b"<w/>"),
                ("word/vbaProject.bin", b"\xd0\xcf"),
            ],
            true,
        );
        assert_eq!(err("x.docx", None, &macros), FileError::NotAllowed);
        assert_eq!(err("x.docx", None, b"PK\x03\x04\x14"), FileError::Damaged);
    }

    #[test]
    fn files_legacy_office_rtf_and_text() {
        let mut ole = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
        ole.resize(512, 0);
        let p = ok("ancien.doc", None, &ole);
        assert_eq!((p.kind, p.content_type), (AttachmentKind::Document, OLE));
        assert_eq!(ok("a.xls", None, &ole).content_type, OLE);
        let rtf = b"{\\rtf1\\ansi Bonjour}";
        assert_eq!(ok("a.rtf", None, rtf).content_type, RTF);
        assert_eq!(ok("a.doc", None, rtf).content_type, RTF);
        let text = "Tension 12/8, à revoir dans 15 jours.\n".as_bytes();
        let p = ok("notes.txt", None, text);
        assert_eq!((p.kind, p.content_type), (AttachmentKind::Document, "text/plain"));
        assert_eq!(ok("notes", None, text).content_type, "text/plain");
        // Clinical XML (not HTML) is plain text; "<3" is not markup.
        assert_eq!(
            ok("cda.xml", None, b"<?xml version=\"1.0\"?><ClinicalDocument/>").content_type,
            TEXT
        );
        assert_eq!(ok("m.txt", None, b"<3 merci").content_type, TEXT);
        let fhir = b"<Observation xmlns=\"http://hl7.org/fhir\"><bodySite/><headline/></Observation>";
        assert_eq!(ok("obs.xml", None, fhir).content_type, TEXT);
        // Not UTF-8, or with NUL: refused.
        assert_eq!(err("a.txt", None, b"caf\xe9"), FileError::NotAllowed);
        assert_eq!(err("a.txt", None, b"a\0b"), FileError::NotAllowed);
    }

    #[test]
    fn files_videos_from_their_containers() {
        let mp4 = ftyp(b"isom", &[b"isom", b"iso2", b"avc1", b"mp41"]);
        let p = ok("clip.mp4", None, &mp4);
        assert_eq!((p.kind, p.content_type), (AttachmentKind::Video, "video/mp4"));
        assert_eq!(p.bytes, mp4);
        assert_eq!(sniff(&ftyp(b"mp42", &[b"mp42"])), Some((AttachmentKind::Video, MP4)));
        assert_eq!(
            sniff(&ftyp(b"qt  ", &[b"qt  "])),
            Some((AttachmentKind::Video, QUICKTIME))
        );
        assert_eq!(
            ok("IMG_1.MOV", None, &ftyp(b"qt  ", &[b"qt  "])).content_type,
            QUICKTIME
        );
        let webm = ebml("webm");
        let p = ok("clip.webm", Some(AttachmentKind::Video), &webm);
        assert_eq!((p.kind, p.content_type), (AttachmentKind::Video, "video/webm"));
        assert_eq!(err("a.mkv", None, &ebml("matroska")), FileError::NotAllowed);
    }

    #[test]
    fn files_voice_messages() {
        let p = ok("message", Some(AttachmentKind::Voice), OGG);
        assert_eq!((p.kind, p.content_type), (AttachmentKind::Voice, "audio/ogg"));
        // A WebM or MP4 recorded as a voice message.
        let p = ok("voice.webm", Some(AttachmentKind::Voice), &ebml("webm"));
        assert_eq!((p.kind, p.content_type), (AttachmentKind::Voice, "audio/webm"));
        let p = ok(
            "voice.mp4",
            Some(AttachmentKind::Voice),
            &ftyp(b"iso5", &[b"iso5", b"mp41"]),
        );
        assert_eq!((p.kind, p.content_type), (AttachmentKind::Voice, "audio/mp4"));
        let p = ok("memo.m4a", None, &ftyp(b"M4A ", &[b"M4A ", b"isom"]));
        assert_eq!((p.kind, p.content_type), (AttachmentKind::Voice, "audio/mp4"));
        assert_eq!(
            ok("memo.m4a", None, &ftyp(b"isom", &[b"isom"])).kind,
            AttachmentKind::Voice
        );
        let wav = b"RIFF\x24\x00\x00\x00WAVEfmt \x10\x00\x00\x00\x01\x00\x01\x00\x40\x1f\x00\x00\x80\x3e\x00\x00\x02\x00\x10\x00data\x00\x00\x00\x00";
        assert_eq!(ok("a.wav", None, wav).content_type, "audio/wav");
        assert_eq!(
            ok("a.mp3", None, b"ID3\x04\x00\x00\x00\x00\x00\x00").content_type,
            "audio/mpeg"
        );
        // MPEG-1 layer III, 128 kbit/s, 44.1 kHz.
        assert_eq!(
            sniff(&[0xFF, 0xFB, 0x90, 0x64, 0, 0]),
            Some((AttachmentKind::Voice, MP3))
        );
        // Audio is not a video, and a video is not a photo.
        assert_eq!(err("x.ogg", Some(AttachmentKind::Video), OGG), FileError::Mismatch);
        assert_eq!(
            err("x", Some(AttachmentKind::Photo), &ebml("webm")),
            FileError::Mismatch
        );
    }

    #[test]
    fn files_heic_gif_and_unknown_are_refused() {
        assert_eq!(
            err("IMG.HEIC", None, &ftyp(b"heic", &[b"mif1", b"heic"])),
            FileError::NotAllowed
        );
        assert_eq!(
            err("a.mp4", None, &ftyp(b"mp42", &[b"mp42", b"heic"])),
            FileError::NotAllowed
        );
        assert_eq!(err("a.avif", None, &ftyp(b"avif", &[b"avif"])), FileError::NotAllowed);
        let gif: &[u8] = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;";
        assert_eq!(err("a.gif", None, gif), FileError::NotAllowed);
        assert_eq!(sniff(gif), None);
        assert_eq!(sniff(&[0x00, 0x01, 0x02, 0xFF]), None);
    }

    #[test]
    fn files_executables_are_refused() {
        let mut exe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00".to_vec();
        exe.resize(128, 0);
        exe.extend_from_slice(b"PE\0\0");
        assert_eq!(err("setup.exe", None, &exe), FileError::NotAllowed);
        assert_eq!(err("photo.jpg", None, &exe), FileError::NotAllowed);
        let mut elf = b"\x7fELF\x02\x01\x01\x00".to_vec();
        elf.resize(64, 0);
        assert_eq!(err("run", None, &elf), FileError::NotAllowed);
        assert_eq!(err("run.txt", None, b"#!/bin/sh\nrm -rf ~\n"), FileError::NotAllowed);
        // Text under a name that runs when opened.
        assert_eq!(err("notes.bat", None, b"echo hello"), FileError::NotAllowed);
        assert_eq!(err("x.PS1", None, b"Get-Process"), FileError::NotAllowed);
        assert_eq!(err("report.pdf.exe", None, PDF_SAMPLE), FileError::NotAllowed);
        assert_eq!(err("m.docm", None, &office("word/document.xml")), FileError::NotAllowed);
    }

    #[test]
    fn files_html_and_svg_are_refused() {
        let html = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>";
        assert_eq!(err("page.txt", None, html), FileError::NotAllowed);
        assert_eq!(
            err("page", None, b"  <div>hi</div><SCRIPT src=x></SCRIPT>"),
            FileError::NotAllowed
        );
        assert_eq!(
            err("p", None, b"\xef\xbb\xbf<HTML><p>x</p></HTML>"),
            FileError::NotAllowed
        );
        let svg = br#"<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>"#;
        assert_eq!(err("logo.svg", None, svg), FileError::NotAllowed);
        assert_eq!(err("logo.txt", None, svg), FileError::NotAllowed);
        assert_eq!(sniff(svg), None);
    }

    #[test]
    fn files_mismatches() {
        // A text file renamed .jpg.
        assert_eq!(err("scan.jpg", None, b"just some text"), FileError::Mismatch);
        // A PDF named as a photo, or sent as one.
        assert_eq!(err("scan.jpg", None, PDF_SAMPLE), FileError::Mismatch);
        assert_eq!(
            err("scan.pdf", Some(AttachmentKind::Photo), PDF_SAMPLE),
            FileError::Mismatch
        );
        // A photo sent as a voice message, or named as a PDF.
        let photo = jpeg(&halves(16, 16));
        assert_eq!(err("a.jpg", Some(AttachmentKind::Voice), &photo), FileError::Mismatch);
        assert_eq!(err("a.pdf", None, &photo), FileError::Mismatch);
        // Plain text named as a PDF.
        assert_eq!(err("a.pdf", None, b"hello"), FileError::Mismatch);
        // Any image extension is fine for any image: it is re-encoded.
        assert_eq!(ok("a.png", None, &photo).name, "a.jpg");
    }

    #[test]
    fn files_empty_and_too_large() {
        assert_eq!(err("a.pdf", None, b""), FileError::Empty);
        let mut big = PDF_SAMPLE.to_vec();
        big.resize(MAX_DOCUMENT + 1, b' ');
        assert_eq!(err("a.pdf", None, &big), FileError::TooLarge { limit: MAX_DOCUMENT });
        assert_eq!(
            err("a.pdf", Some(AttachmentKind::Document), &big),
            FileError::TooLarge { limit: MAX_DOCUMENT }
        );
        let mut voice = OGG.to_vec();
        voice.resize(MAX_VOICE + 1, 0);
        assert_eq!(err("v.ogg", None, &voice), FileError::TooLarge { limit: MAX_VOICE });
        let mut huge = ftyp(b"isom", &[b"isom"]);
        huge.resize(MAX_ANY + 1, 0);
        assert_eq!(err("v.mp4", None, &huge), FileError::TooLarge { limit: MAX_ANY });
        let mut photo = jpeg(&halves(16, 16));
        photo.resize(MAX_PHOTO + 1, 0);
        assert_eq!(
            err("a.jpg", Some(AttachmentKind::Photo), &photo),
            FileError::TooLarge { limit: MAX_PHOTO }
        );
    }

    #[test]
    fn files_truncated_jpeg_is_damaged() {
        let bytes = jpeg(&halves(256, 256));
        for cut in [20, bytes.len() / 2, bytes.len() - 2] {
            assert_eq!(err("a.jpg", None, &bytes[..cut]), FileError::Damaged, "cut at {cut}");
        }
        // Complete, with data after the end (as in motion photos): accepted.
        let mut trailing = bytes.clone();
        trailing.extend_from_slice(&ftyp(b"mp42", &[b"mp42"]));
        assert_eq!(ok("a.jpg", None, &trailing).kind, AttachmentKind::Photo);
        // An EXIF block holding an end marker does not make a cut file whole.
        let mut tiff = exif_tiff(1);
        tiff.extend_from_slice(&[0xFF, 0xD9]);
        let with_marker = with_exif(&bytes, &tiff);
        assert_eq!(
            err("a.jpg", None, &with_marker[..with_marker.len() / 2]),
            FileError::Damaged
        );
    }

    #[test]
    fn files_damaged_png_is_damaged() {
        let image = RgbaImage::from_pixel(64, 64, Rgba([1, 2, 3, 255]));
        let bytes = png_rgba(&image);
        assert_eq!(err("a.png", None, &bytes[..bytes.len() / 2]), FileError::Damaged);
    }

    #[test]
    fn files_png_bomb_header_is_refused_without_allocating() {
        let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
        let mut ihdr = Vec::new();
        ihdr.extend_from_slice(&100_000u32.to_be_bytes());
        ihdr.extend_from_slice(&100_000u32.to_be_bytes());
        ihdr.extend_from_slice(&[8, 6, 0, 0, 0]); // 8-bit RGBA, no interlace
        png_chunk(&mut bytes, b"IHDR", &ihdr);
        png_chunk(&mut bytes, b"IDAT", &[0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]);
        png_chunk(&mut bytes, b"IEND", &[]);
        assert_eq!(err("bomb.png", None, &bytes), FileError::TooLarge { limit: MAX_PHOTO });
        // Within the side limit, but over the memory limit: 11000 x 11000 RGBA.
        let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
        let mut ihdr = Vec::new();
        ihdr.extend_from_slice(&11_000u32.to_be_bytes());
        ihdr.extend_from_slice(&11_000u32.to_be_bytes());
        ihdr.extend_from_slice(&[8, 6, 0, 0, 0]);
        png_chunk(&mut bytes, b"IHDR", &ihdr);
        png_chunk(&mut bytes, b"IDAT", &[0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]);
        png_chunk(&mut bytes, b"IEND", &[]);
        assert_eq!(err("bomb.png", None, &bytes), FileError::TooLarge { limit: MAX_PHOTO });
    }

    #[test]
    fn files_jpeg_bomb_header_is_refused() {
        let mut bytes = jpeg(&halves(16, 16));
        let sof = bytes.windows(2).position(|w| w == [0xFF, 0xC0]).unwrap();
        bytes[sof + 5..sof + 7].copy_from_slice(&60_000u16.to_be_bytes());
        bytes[sof + 7..sof + 9].copy_from_slice(&60_000u16.to_be_bytes());
        assert_eq!(err("a.jpg", None, &bytes), FileError::TooLarge { limit: MAX_PHOTO });
    }

    #[test]
    fn files_names_are_cleaned() {
        assert_eq!(clean_name("../../etc/passwd"), "passwd");
        assert_eq!(clean_name("C:\\Users\\marie\\Desktop\\bilan.pdf"), "bilan.pdf");
        assert_eq!(clean_name("bi\u{0}lan\r\n\t.pdf"), "bilan.pdf");
        assert_eq!(clean_name("\u{1b}[31mrouge\u{7f}.txt"), "[31mrouge.txt");
        // The right-to-left override that shows "fdp.exe" as "exe.pdf".
        assert_eq!(clean_name("facture\u{202E}fdp.exe"), "facturefdp.exe");
        assert_eq!(clean_name("a\u{200B}b\u{FEFF}.txt"), "ab.txt");
        assert_eq!(clean_name("what?\"*<>|:.txt"), "what_______.txt");
        assert_eq!(clean_name(""), "file");
        assert_eq!(clean_name("   "), "file");
        assert_eq!(clean_name(".."), "file");
        assert_eq!(clean_name("dir/"), "file");
        assert_eq!(clean_name(".bashrc"), "bashrc");
        assert_eq!(clean_name("  notes.txt . "), "notes.txt");
        assert_eq!(clean_name("Compte rendu été.pdf"), "Compte rendu été.pdf");

        let long = format!("{}.pdf", "é".repeat(300));
        let cleaned = clean_name(&long);
        assert_eq!(cleaned.chars().count(), MAX_NAME_CHARS);
        assert!(cleaned.ends_with("é.pdf"));
        let spaced = format!("{} x.docx", "a".repeat(114));
        assert_eq!(clean_name(&spaced), format!("{}.docx", "a".repeat(114)));
        let no_extension = "n".repeat(500);
        assert_eq!(clean_name(&no_extension).chars().count(), MAX_NAME_CHARS);
        // Not an extension: too long, or not alphanumeric.
        let odd = format!("a.{}", "b".repeat(200));
        assert_eq!(clean_name(&odd).chars().count(), MAX_NAME_CHARS);
        assert!(clean_name(&odd).starts_with("a.bbb"));

        // A photo's name is made to end in .jpg, still within the limit.
        assert_eq!(with_jpg_extension("scan.PNG"), "scan.jpg");
        assert_eq!(with_jpg_extension("scan"), "scan.jpg");
        assert_eq!(with_jpg_extension(&"p".repeat(120)).chars().count(), MAX_NAME_CHARS);
        let p = ok("../../secret/../IMG\u{202E}gpj.exe.png", None, &jpeg(&halves(8, 8)));
        assert_eq!(p.name, "IMGgpj.exe.jpg");
    }

    #[test]
    fn text_checked_in_pieces_agrees_with_the_whole() {
        let texts: [&[u8]; 9] = [
            "Compte rendu: plaie propre, pansement refait à 14 h, fièvre 38,2 °C. 😀".as_bytes(),
            b"  <Observation><bodySite/><headline/></Observation>",
            b"\n<p>hello</p><BODY onload=x>",
            b"<p>a</p><?xml-stylesheet href=x?>",
            b"<div>texte</div><svg:svg/>",
            b"plain <script> not at the start",
            b"caf\xe9",
            b"a\0b",
            "fin coupée \u{e9}".as_bytes(),
        ];
        for text in texts {
            let whole = is_plain_text(text);
            for cut in 0..=text.len() {
                let mut check = TextCheck::new();
                let streamed =
                    check.feed(&text[..cut]).is_ok() && check.feed(&text[cut..]).is_ok() && check.finish().is_ok();
                assert_eq!(streamed, whole, "{:?} cut at {cut}", String::from_utf8_lossy(text));
            }
            // Byte by byte.
            let mut check = TextCheck::new();
            let streamed = text.iter().all(|b| check.feed(&[*b]).is_ok()) && check.finish().is_ok();
            assert_eq!(streamed, whole, "{:?} byte by byte", String::from_utf8_lossy(text));
        }
        // A character cut by the end of the file.
        let mut check = TextCheck::new();
        assert!(check.feed(b"caf\xc3").is_ok());
        assert_eq!(check.finish(), Err(FileError::NotAllowed));
    }

    #[test]
    fn large_uploads_are_planned_from_their_first_bytes() {
        let big = |start: &[u8]| {
            let mut v = start.to_vec();
            v.resize(HEAD, b'a');
            v
        };
        let size = 30 * MIB;
        // Photos and Office files are checked whole, within their own limit.
        let jpeg = big(&[0xFF, 0xD8, 0xFF, 0xE0]);
        assert!(matches!(plan("a.jpg", None, 5 * MIB, &jpeg), Ok(Plan::Whole)));
        assert_eq!(
            plan("a.jpg", None, MAX_PHOTO + 1, &jpeg).unwrap_err(),
            FileError::TooLarge { limit: MAX_PHOTO }
        );
        let docx = big(b"PK\x03\x04");
        assert!(matches!(plan("a.docx", None, 5 * MIB, &docx), Ok(Plan::Whole)));
        assert_eq!(
            plan("a.docx", None, size, &docx).unwrap_err(),
            FileError::TooLarge { limit: MAX_DOCUMENT }
        );
        // Videos, voice, PDF and text stream.
        let mp4 = big(&ftyp(b"isom", &[b"isom", b"mp41"]));
        match plan("clip.mp4", None, MAX_VIDEO, &mp4) {
            Ok(Plan::Stream(s)) => {
                assert_eq!(
                    (s.kind, s.content_type, s.name.as_str()),
                    (AttachmentKind::Video, MP4, "clip.mp4")
                );
                assert!(s.text.is_none());
            }
            other => panic!("{other:?}"),
        }
        match plan("voice", Some(AttachmentKind::Voice), MAX_VOICE, &mp4) {
            Ok(Plan::Stream(s)) => assert_eq!(s.content_type, AUDIO_MP4),
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            plan("a.pdf", None, 2 * MIB, &big(PDF_SAMPLE)),
            Ok(Plan::Stream(_))
        ));
        match plan("notes.txt", None, 2 * MIB, &big(b"Notes")) {
            Ok(Plan::Stream(s)) => assert!(s.text.is_some()),
            other => panic!("{other:?}"),
        }
        // Refused from the first bytes, the size or the name alone.
        assert_eq!(
            plan("a.ogg", None, MAX_VOICE + 1, &big(OGG)).unwrap_err(),
            FileError::TooLarge { limit: MAX_VOICE }
        );
        assert_eq!(
            plan("a.mp4", None, MAX_ANY + 1, &mp4).unwrap_err(),
            FileError::TooLarge { limit: MAX_ANY }
        );
        assert_eq!(
            plan("a.mp4", Some(AttachmentKind::Photo), 2 * MIB, &mp4).unwrap_err(),
            FileError::Mismatch
        );
        assert_eq!(plan("run.exe", None, 2 * MIB, &mp4).unwrap_err(), FileError::NotAllowed);
        assert_eq!(
            plan("a.mkv", None, 2 * MIB, &big(&ebml("matroska"))).unwrap_err(),
            FileError::NotAllowed
        );
        assert_eq!(
            plan("x", None, 2 * MIB, &big(b"<html><body>")).unwrap_err(),
            FileError::NotAllowed
        );
    }

    #[test]
    fn files_encrypting_25_mib_round_trips() {
        let key = ServerKey::generate();
        let bytes: Vec<u8> = (0..MAX_DOCUMENT)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        let start = std::time::Instant::now();
        let sealed = key.encrypt(&bytes).unwrap();
        let encrypted = start.elapsed();
        let start = std::time::Instant::now();
        let opened = key.decrypt(&sealed).unwrap();
        let decrypted = start.elapsed();
        assert_eq!(opened, bytes);
        println!(
            "ServerKey::encrypt of {} MiB: {encrypted:?} ({} MiB of base64 text); decrypt: {decrypted:?}",
            MAX_DOCUMENT / MIB,
            sealed.len() / MIB,
        );
    }
}
