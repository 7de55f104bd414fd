//! Adapters: how Cercle reaches the world outside its database, each behind
//! a port its use case defines (the outbox's `Mailer` and `SmsSender`,
//! push's `PushSender`, the blobs' `BlobStore`). Use cases never name a
//! library of these; an adapter never decides anything (object storage and
//! call signalling belong here next).

pub mod local_blobs;
pub mod push_http;
pub mod s3_blobs;
pub mod smart_http;
pub mod sms;
pub mod smtp;
