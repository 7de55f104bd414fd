//! The blob store in S3-compatible object storage (Garage, MinIO, AWS S3…),
//! for several nodes sharing the same files. One object per blob, named
//! `<prefix><blob name>` in one bucket, reached with path-style URLs
//! (`<endpoint>/<bucket>/<key>`), each request signed with AWS Signature
//! Version 4 by `rusty-s3` and sent by the `reqwest` client the app already
//! uses.
//!
//! **Whole or absent.** A blob of up to one part (8 MiB) is sent with one
//! `PUT`; a larger one as a multipart upload, each 8 MiB part sent as soon
//! as it is full (so a 64 MiB video never sits whole in memory), then
//! completed. Either way S3 makes the object visible only once all of it is
//! stored, so a node killed during the upload leaves no object; an
//! abandoned multipart upload is aborted (on `abort`, or when the writer is
//! dropped), and one left by a killed node (its parts hold space, though no
//! object shows them) is aborted by the sweep once older than its grace
//! period (`remove_unfinished_before`), as the local-disk adapter removes
//! its temporary files. `finish` returns once the server
//! answered, that is once it has stored the object; the server must write
//! to stable storage before answering (Garage: `data_fsync` and
//! `metadata_fsync`, see docs/operations.md).
//!
//! **Faults.** Every request is bounded in time; one that could not reach
//! the server, or that the server answered 5xx or 429, is tried again
//! (three tries in all, 100 ms then 400 ms apart); then the error is
//! [`BlobError::Unavailable`]. A request that timed out is not tried again:
//! it already waited its whole bound.
//!
//! The secret key never leaves this module: signed URLs carry a signature,
//! and errors are written without their URL (which holds it).

use crate::blobs::{valid_name, BlobError, BlobStore, BlobWriter};
use cercle_domain::Timestamp;
use rusty_s3::actions::{CreateMultipartUpload, ListObjectsV2, S3Action};
use rusty_s3::{Bucket, Credentials, UrlStyle};
use std::time::Duration;

/// How long a signed URL stays valid (longer than any request's bound).
const SIGNED_FOR: Duration = Duration::from_secs(15 * 60);
/// The bound of a request that moves little data.
const SMALL_REQUEST: Duration = Duration::from_secs(30);
const CONNECT: Duration = Duration::from_secs(5);
const TRIES: u32 = 3;
/// Objects (and unfinished uploads) listed per request by the sweep (S3's
/// most).
const LIST_PAGE: usize = 1000;
/// A multipart upload's part (S3 asks at least 5 MiB of every part but the
/// last): what a writer holds in memory at most, besides one piece.
const PART: usize = 8 * 1024 * 1024;

/// Where the objects are and how to sign for them.
#[derive(Clone)]
pub struct S3Settings {
    /// `http(s)://host:port` of the S3 API.
    pub endpoint: String,
    pub bucket: String,
    pub region: String,
    pub access_key_id: String,
    pub secret_access_key: String,
    /// Put before every blob's name (`blobs/`), so that a bucket may hold
    /// other things, or several installations.
    pub prefix: String,
}

#[derive(Clone)]
pub struct S3Blobs {
    bucket: Bucket,
    credentials: Credentials,
    prefix: String,
    http: reqwest::Client,
}

impl S3Blobs {
    pub fn new(settings: &S3Settings) -> Result<S3Blobs, String> {
        let endpoint = url::Url::parse(&settings.endpoint).map_err(|e| format!("s3_endpoint: {e}"))?;
        let bucket = Bucket::new(
            endpoint,
            UrlStyle::Path,
            settings.bucket.clone(),
            settings.region.clone(),
        )
        .map_err(|e| format!("s3_endpoint or s3_bucket: {e:?}"))?;
        let http = reqwest::Client::builder()
            .connect_timeout(CONNECT)
            .build()
            .map_err(|e| e.to_string())?;
        Ok(S3Blobs {
            bucket,
            credentials: Credentials::new(settings.access_key_id.clone(), settings.secret_access_key.clone()),
            prefix: settings.prefix.clone(),
            http,
        })
    }

    fn key(&self, name: &str) -> Result<String, BlobError> {
        if !valid_name(name) {
            return Err(BlobError::Failed("not a blob name".into()));
        }
        Ok(format!("{}{name}", self.prefix))
    }

    /// Checks that the bucket answers and the keys are accepted (at start,
    /// so that a wrong setting stops the node with a clear error).
    pub async fn check(&self) -> Result<(), BlobError> {
        let url = self.bucket.head_bucket(Some(&self.credentials)).sign(SIGNED_FOR);
        let r = self.send(|| self.http.head(url.clone()), SMALL_REQUEST).await?;
        match r.status().as_u16() {
            200 => Ok(()),
            404 => Err(BlobError::Failed(format!("bucket {} not found", self.bucket.name()))),
            403 => Err(BlobError::Failed(format!(
                "access to bucket {} refused (check the keys and the key's rights on the bucket)",
                self.bucket.name()
            ))),
            status => Err(BlobError::Failed(format!("bucket check answered {status}"))),
        }
    }

    /// The multipart uploads under the prefix that were started and never
    /// completed nor aborted (S3 `ListMultipartUploads`), in key order,
    /// asked `page` at a time (S3 gives at most 1000).
    pub async fn unfinished_uploads(&self, page: usize) -> Result<Vec<Unfinished>, BlobError> {
        let mut found = Vec::new();
        // Where the next page starts: after this key, or (when the page
        // ended among one key's uploads) after this upload of it.
        let mut markers: Option<(String, Option<String>)> = None;
        loop {
            // rusty-s3 0.7 has no action for this call: the bucket listing
            // `GET /<bucket>/?list-type=2` signs the same request but for
            // its query, which is ours to change before signing.
            let mut list = self.bucket.list_objects_v2(Some(&self.credentials));
            let query = list.query_mut();
            query.remove("list-type");
            query.insert("uploads", "1");
            query.insert("prefix", self.prefix.as_str());
            query.insert("max-uploads", page.to_string());
            if let Some((key, upload)) = &markers {
                query.insert("key-marker", key.clone());
                if let Some(upload) = upload {
                    query.insert("upload-id-marker", upload.clone());
                }
            }
            let url = list.sign(SIGNED_FOR);
            let r = self.send(|| self.http.get(url.clone()), SMALL_REQUEST).await?;
            let body = success_body("list of unfinished uploads", r).await?;
            let listed = parse_uploads(&body)?;
            for upload in listed.uploads {
                let initiated = upload.initiated.parse::<jiff::Timestamp>().map_err(|e| {
                    BlobError::Failed(format!("object storage list of unfinished uploads: a date: {e}"))
                })?;
                found.push(Unfinished {
                    // Asked URL-encoded (`encoding-type=url`, kept from the
                    // bucket listing), as the objects' keys.
                    key: decoded(&upload.key),
                    upload_id: upload.upload_id,
                    initiated: Timestamp(initiated.as_millisecond()),
                });
            }
            let next = match (listed.is_truncated, listed.next_key_marker) {
                (true, Some(key)) if !key.is_empty() => {
                    Some((decoded(&key), listed.next_upload_id_marker.filter(|u| !u.is_empty())))
                }
                _ => None,
            };
            // A server that says "more" without moving on would loop forever.
            if next.is_none() || next == markers {
                return Ok(found);
            }
            markers = next;
        }
    }

    /// Aborts a multipart upload: its parts are removed. Done already (by
    /// another node's sweep) counts as done.
    async fn abort_multipart(&self, key: &str, upload_id: &str) -> Result<(), BlobError> {
        let url = self
            .bucket
            .abort_multipart_upload(Some(&self.credentials), key, upload_id)
            .sign(SIGNED_FOR);
        let r = self.send(|| self.http.delete(url.clone()), SMALL_REQUEST).await?;
        if r.status().is_success() || r.status() == reqwest::StatusCode::NOT_FOUND {
            Ok(())
        } else {
            Err(unexpected("multipart abort", r).await)
        }
    }

    /// Sends a request (built anew for each try), within `bound`, trying
    /// again after a transient fault.
    async fn send(
        &self,
        build: impl Fn() -> reqwest::RequestBuilder,
        bound: Duration,
    ) -> Result<reqwest::Response, BlobError> {
        let mut wait = Duration::from_millis(100);
        let mut tries = 0;
        loop {
            tries += 1;
            let last = tries == TRIES;
            match build().timeout(bound).send().await {
                Ok(r) if transient(r.status()) && !last => {}
                Ok(r) if transient(r.status()) => {
                    return Err(BlobError::Unavailable(format!(
                        "object storage answered {}",
                        r.status()
                    )));
                }
                Ok(r) => return Ok(r),
                Err(e) if e.is_timeout() => {
                    return Err(BlobError::Unavailable(format!(
                        "object storage did not answer within {} s",
                        bound.as_secs()
                    )));
                }
                Err(e) if last => return Err(BlobError::Unavailable(format!("object storage: {}", described(e)))),
                Err(_) => {}
            }
            tokio::time::sleep(wait).await;
            wait *= 4;
        }
    }
}

/// A multipart upload started and never completed nor aborted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unfinished {
    /// The object's key (prefix and blob name).
    pub key: String,
    pub upload_id: String,
    /// When it was started, by the store's clock.
    pub initiated: Timestamp,
}

/// A page of the answer to `ListMultipartUploads`: what the sweep reads of it.
#[derive(serde::Deserialize)]
struct UploadsPage {
    #[serde(rename = "Upload", default)]
    uploads: Vec<ListedUpload>,
    #[serde(rename = "IsTruncated", default)]
    is_truncated: bool,
    #[serde(rename = "NextKeyMarker")]
    next_key_marker: Option<String>,
    #[serde(rename = "NextUploadIdMarker")]
    next_upload_id_marker: Option<String>,
}

#[derive(serde::Deserialize)]
struct ListedUpload {
    #[serde(rename = "Key")]
    key: String,
    #[serde(rename = "UploadId")]
    upload_id: String,
    #[serde(rename = "Initiated")]
    initiated: String,
}

fn parse_uploads(body: &[u8]) -> Result<UploadsPage, BlobError> {
    quick_xml::de::from_reader(body)
        .map_err(|e| BlobError::Failed(format!("object storage list of unfinished uploads: {e}")))
}

/// A key as listed with `encoding-type=url`.
fn decoded(key: &str) -> String {
    percent_encoding::percent_decode_str(key)
        .decode_utf8_lossy()
        .to_string()
}

fn transient(status: reqwest::StatusCode) -> bool {
    (status.is_server_error() && status != reqwest::StatusCode::INSUFFICIENT_STORAGE)
        || status == reqwest::StatusCode::TOO_MANY_REQUESTS
}

/// A client error with its causes ("connection refused"), without its
/// URL: a signed URL is a credential until it expires.
fn described(e: reqwest::Error) -> String {
    let e = e.without_url();
    let mut text = e.to_string();
    let mut cause = std::error::Error::source(&e);
    while let Some(c) = cause {
        text.push_str(": ");
        text.push_str(&c.to_string());
        cause = c.source();
    }
    text
}

/// The bound of a request that moves `bytes`: 30 s, and one more second
/// per MiB (a 64 MiB video: 94 s).
fn bound_for(bytes: u64) -> Duration {
    SMALL_REQUEST + Duration::from_secs(bytes.min(1 << 40) / (1024 * 1024))
}

/// The whole body of an answer.
async fn body_of(r: reqwest::Response) -> Result<bytes::Bytes, BlobError> {
    r.bytes()
        .await
        .map_err(|e| BlobError::Unavailable(format!("object storage: {}", described(e))))
}

/// The body of a successful answer; `what` names the call in the error.
async fn success_body(what: &str, r: reqwest::Response) -> Result<bytes::Bytes, BlobError> {
    if !r.status().is_success() {
        return Err(unexpected(what, r).await);
    }
    body_of(r).await
}

/// An answer that is not the one expected, with the start of its body (S3
/// error documents name a code such as `NoSuchBucket`, never a secret).
async fn unexpected(what: &str, r: reqwest::Response) -> BlobError {
    let status = r.status();
    if status == reqwest::StatusCode::INSUFFICIENT_STORAGE {
        return BlobError::Full;
    }
    let body = r.text().await.unwrap_or_default();
    let code = body
        .split_once("<Code>")
        .and_then(|(_, rest)| rest.split_once("</Code>"))
        .map(|(code, _)| code.chars().take(60).collect::<String>())
        .unwrap_or_default();
    BlobError::Failed(format!("object storage {what}: {status} {code}"))
}

/// A blob being written: the part being filled, and the multipart upload
/// once the blob is larger than a part.
struct S3Writer {
    store: S3Blobs,
    key: String,
    part: Vec<u8>,
    upload: Option<Multipart>,
}

struct Multipart {
    id: String,
    /// The ETag of each part sent, in order.
    etags: Vec<String>,
}

impl S3Writer {
    /// Sends `bytes` as the next part, starting the multipart upload first.
    async fn send_part(&mut self, bytes: Vec<u8>) -> Result<(), BlobError> {
        let s = &self.store;
        if self.upload.is_none() {
            let url = s
                .bucket
                .create_multipart_upload(Some(&s.credentials), &self.key)
                .sign(SIGNED_FOR);
            let r = s.send(|| s.http.post(url.clone()), SMALL_REQUEST).await?;
            let body = success_body("multipart start", r).await?;
            let started = CreateMultipartUpload::parse_response(&body)
                .map_err(|e| BlobError::Failed(format!("object storage multipart start: {e}")))?;
            self.upload = Some(Multipart {
                id: started.upload_id().to_string(),
                etags: Vec::new(),
            });
        }
        let Some(upload) = self.upload.as_mut() else {
            return Err(BlobError::Failed("no multipart upload".into()));
        };
        let number = u16::try_from(upload.etags.len() + 1)
            .map_err(|_| BlobError::Failed("a blob of more than 65,535 parts".into()))?;
        let url = s
            .bucket
            .upload_part(Some(&s.credentials), &self.key, number, &upload.id)
            .sign(SIGNED_FOR);
        let bound = bound_for(bytes.len() as u64);
        let body = bytes::Bytes::from(bytes);
        let r = s.send(|| s.http.put(url.clone()).body(body.clone()), bound).await?;
        if !r.status().is_success() {
            return Err(unexpected("multipart part", r).await);
        }
        let etag = r
            .headers()
            .get(reqwest::header::ETAG)
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| BlobError::Failed("object storage: a part without ETag".into()))?;
        upload.etags.push(etag.to_string());
        Ok(())
    }

    /// Aborts the multipart upload, if one was started (best effort: the
    /// sweep aborts what is left once older than its grace period).
    async fn abort_upload(store: &S3Blobs, key: &str, upload: Multipart) {
        if let Err(e) = store.abort_multipart(key, &upload.id).await {
            tracing::warn!(error = %e, "an abandoned multipart upload could not be aborted");
        }
    }
}

#[async_trait::async_trait]
impl BlobWriter for S3Writer {
    async fn write(&mut self, bytes: Vec<u8>) -> Result<(), BlobError> {
        self.part.extend_from_slice(&bytes);
        while self.part.len() >= PART {
            let rest = self.part.split_off(PART);
            let full = std::mem::replace(&mut self.part, rest);
            self.send_part(full).await?;
        }
        Ok(())
    }

    async fn finish(mut self: Box<Self>) -> Result<(), BlobError> {
        let last = std::mem::take(&mut self.part);
        if self.upload.is_none() {
            // Small: one PUT.
            let s = &self.store;
            let url = s.bucket.put_object(Some(&s.credentials), &self.key).sign(SIGNED_FOR);
            let bound = bound_for(last.len() as u64);
            let body = bytes::Bytes::from(last);
            let r = s.send(|| s.http.put(url.clone()).body(body.clone()), bound).await?;
            return if r.status().is_success() {
                Ok(())
            } else {
                Err(unexpected("PUT", r).await)
            };
        }
        if !last.is_empty() {
            self.send_part(last).await?;
        }
        let Some(upload) = self.upload.take() else {
            return Err(BlobError::Failed("no multipart upload".into()));
        };
        let s = self.store.clone();
        let action = s.bucket.complete_multipart_upload(
            Some(&s.credentials),
            &self.key,
            &upload.id,
            upload.etags.iter().map(String::as_str),
        );
        let url = action.sign(SIGNED_FOR);
        let body = action.body();
        let r = s
            .send(|| s.http.post(url.clone()).body(body.clone()), SMALL_REQUEST)
            .await;
        let r = match r {
            Ok(r) => r,
            Err(e) => {
                S3Writer::abort_upload(&s, &self.key, upload).await;
                return Err(e);
            }
        };
        let status = r.status();
        // S3 may answer 200 and still report an error in the body.
        let body = body_of(r).await?;
        if status.is_success() && !String::from_utf8_lossy(&body).contains("<Error>") {
            Ok(())
        } else {
            S3Writer::abort_upload(&s, &self.key, upload).await;
            Err(BlobError::Failed(format!(
                "object storage multipart completion: {status}"
            )))
        }
    }

    async fn abort(mut self: Box<Self>) {
        if let Some(upload) = self.upload.take() {
            S3Writer::abort_upload(&self.store, &self.key, upload).await;
        }
    }
}

impl Drop for S3Writer {
    /// Dropped unfinished (a request abandoned by its client): the
    /// multipart upload is aborted in the background.
    fn drop(&mut self) {
        if let Some(upload) = self.upload.take() {
            if let Ok(runtime) = tokio::runtime::Handle::try_current() {
                let (store, key) = (self.store.clone(), self.key.clone());
                runtime.spawn(async move { S3Writer::abort_upload(&store, &key, upload).await });
            }
        }
    }
}

#[async_trait::async_trait]
impl BlobStore for S3Blobs {
    async fn create(&self, name: &str) -> Result<Box<dyn BlobWriter>, BlobError> {
        Ok(Box::new(S3Writer {
            store: self.clone(),
            key: self.key(name)?,
            part: Vec::new(),
            upload: None,
        }))
    }

    async fn read(&self, name: &str, offset: u64, len: u64) -> Result<Vec<u8>, BlobError> {
        let key = self.key(name)?;
        if len == 0 {
            return Ok(Vec::new());
        }
        let url = self.bucket.get_object(Some(&self.credentials), &key).sign(SIGNED_FOR);
        let last = offset.saturating_add(len - 1);
        let range = format!("bytes={offset}-{last}");
        let r = self
            .send(
                || self.http.get(url.clone()).header(reqwest::header::RANGE, &range),
                bound_for(len),
            )
            .await?;
        match r.status().as_u16() {
            // 206 for the range; 200 should a server ignore ranges (then
            // the part asked for is cut here).
            200 | 206 => {
                let whole = r.status() == reqwest::StatusCode::OK;
                let body = body_of(r).await?;
                if whole {
                    let from = (offset.min(body.len() as u64)) as usize;
                    let to = (last.saturating_add(1).min(body.len() as u64)) as usize;
                    Ok(body[from..to].to_vec())
                } else {
                    Ok(body.to_vec())
                }
            }
            // The range starts past the end: nothing there.
            416 => Ok(Vec::new()),
            404 => Err(BlobError::NotFound),
            _ => Err(unexpected("GET", r).await),
        }
    }

    async fn delete(&self, name: &str) -> Result<(), BlobError> {
        let key = self.key(name)?;
        let url = self
            .bucket
            .delete_object(Some(&self.credentials), &key)
            .sign(SIGNED_FOR);
        let r = self.send(|| self.http.delete(url.clone()), SMALL_REQUEST).await?;
        // S3 answers 204 whether or not the object was there.
        if r.status().is_success() || r.status() == reqwest::StatusCode::NOT_FOUND {
            Ok(())
        } else {
            Err(unexpected("DELETE", r).await)
        }
    }

    async fn stored_before(&self, before: Timestamp) -> Result<Vec<String>, BlobError> {
        let mut names = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let mut list = self.bucket.list_objects_v2(Some(&self.credentials));
            list.with_prefix(self.prefix.as_str());
            list.with_max_keys(LIST_PAGE);
            if let Some(t) = &token {
                list.with_continuation_token(t.clone());
            }
            let url = list.sign(SIGNED_FOR);
            let r = self.send(|| self.http.get(url.clone()), SMALL_REQUEST).await?;
            let body = success_body("list", r).await?;
            let page = ListObjectsV2::parse_response(&body)
                .map_err(|e| BlobError::Failed(format!("object storage list: {e}")))?;
            for object in page.contents {
                // rusty-s3 asks for keys URL-encoded (`encoding-type=url`).
                let key = percent_encoding::percent_decode_str(&object.key).decode_utf8_lossy();
                let Some(name) = key.strip_prefix(self.prefix.as_str()) else {
                    continue;
                };
                let stored = object
                    .last_modified
                    .parse::<jiff::Timestamp>()
                    .map_err(|e| BlobError::Failed(format!("object storage list: a date: {e}")))?;
                if valid_name(name) && stored.as_millisecond() < before.0 {
                    names.push(name.to_string());
                }
            }
            match page.next_continuation_token {
                Some(t) if !t.is_empty() => token = Some(t),
                _ => return Ok(names),
            }
        }
    }

    /// Aborts the multipart uploads started before `before` and never
    /// finished (a node killed mid-upload). The grace period covers an
    /// upload in progress: one that took longer (an hour for a 64 MiB file:
    /// a client sending under about 18 KB/s) would be aborted and refused,
    /// never stored in part. One that cannot be aborted now is left for the
    /// next sweep.
    async fn remove_unfinished_before(&self, before: Timestamp) -> Result<usize, BlobError> {
        let mut aborted = 0;
        for upload in self.unfinished_uploads(LIST_PAGE).await? {
            let ours = upload.key.strip_prefix(self.prefix.as_str()).is_some_and(valid_name);
            if !ours || upload.initiated.0 >= before.0 {
                continue;
            }
            match self.abort_multipart(&upload.key, &upload.upload_id).await {
                Ok(()) => aborted += 1,
                Err(e) => tracing::warn!(error = %e, "an unfinished multipart upload could not be aborted"),
            }
        }
        Ok(aborted)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The answer of AWS's documentation (ListMultipartUploads, truncated),
    /// with a key URL-encoded as `encoding-type=url` asks.
    #[test]
    fn a_list_of_unfinished_uploads_is_read_with_its_markers() {
        let body = br#"<?xml version="1.0" encoding="UTF-8"?>
<ListMultipartUploadsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Bucket>bucket</Bucket>
  <KeyMarker></KeyMarker>
  <UploadIdMarker></UploadIdMarker>
  <NextKeyMarker>blobs%2Fmy-movie</NextKeyMarker>
  <NextUploadIdMarker>YW55IGlkZWEgd2h5IGVsdmluZydzIHVwbG9hZCBmYWlsZWQ</NextUploadIdMarker>
  <MaxUploads>2</MaxUploads>
  <IsTruncated>true</IsTruncated>
  <Upload>
    <Key>blobs%2Fmy-divisor</Key>
    <UploadId>XMgbGlrZSBlbHZpbmcncyBub3QgaGF2aW5nIG11Y2ggbHVjaw</UploadId>
    <Initiator><ID>arn:aws:iam::111122223333:user/user1</ID><DisplayName>user1</DisplayName></Initiator>
    <Owner><ID>75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a</ID><DisplayName>owner</DisplayName></Owner>
    <StorageClass>STANDARD</StorageClass>
    <Initiated>2010-11-10T20:48:33.000Z</Initiated>
  </Upload>
  <Upload>
    <Key>blobs%2Fmy-movie</Key>
    <UploadId>VXBsb2FkIElEIGZvciBlbHZpbmcncyBteS1tb3ZpZS5tMnRzIHVwbG9hZA</UploadId>
    <StorageClass>STANDARD</StorageClass>
    <Initiated>2010-11-10T20:48:33.000Z</Initiated>
  </Upload>
</ListMultipartUploadsResult>"#;
        let page = parse_uploads(body).unwrap();
        assert_eq!(page.uploads.len(), 2);
        assert_eq!(decoded(&page.uploads[0].key), "blobs/my-divisor");
        assert_eq!(
            page.uploads[1].upload_id,
            "VXBsb2FkIElEIGZvciBlbHZpbmcncyBteS1tb3ZpZS5tMnRzIHVwbG9hZA"
        );
        assert_eq!(page.uploads[1].initiated, "2010-11-10T20:48:33.000Z");
        assert!(page.is_truncated);
        assert_eq!(
            page.next_key_marker.as_deref().map(decoded).as_deref(),
            Some("blobs/my-movie")
        );
        assert!(page.next_upload_id_marker.is_some());

        let empty = parse_uploads(
            br#"<ListMultipartUploadsResult><Bucket>b</Bucket><IsTruncated>false</IsTruncated></ListMultipartUploadsResult>"#,
        )
        .unwrap();
        assert!(empty.uploads.is_empty() && !empty.is_truncated);
    }
}
