//! `Idempotency-Key`: a client that lost the answer to a request (the
//! connection dropped) sends it again with the same key and gets the first
//! answer instead of a second message, thread, file or upload.
//!
//! The contract (docs/operations.md): a key is 1 to 100 printable ASCII
//! characters, chosen by the client, one per user action. Within 24 hours,
//! the same person sending the same key with the same request gets the first
//! successful answer (status and body) without the work being done again;
//! with a different request, 422 `idempotency-key-reused`. Keys are per
//! person: another person's identical key is unrelated. A refused request
//! did nothing and keeps nothing: sending it again runs it again.
//!
//! How: the key's row is inserted in the transaction of the work itself
//! ([`claim_in`], called by the service right after it begins), so the row
//! exists if and only if the work was committed, and its primary key makes
//! a concurrent duplicate fail before doing anything (it then waits for the
//! first one's answer and returns it). The answer is recorded just after.

use crate::{AppError, AppResult, Client, Ctx};
use cercle_domain::{InputError, Timestamp, UserId};
use cercle_store::{idempotency as store, Conn, StoreError};
use sha2::{Digest, Sha256};
use std::future::Future;
use std::time::Duration;

/// How long a key is remembered.
pub const KEY_TTL_SECS: i64 = 24 * 3600;

pub(crate) const IN_PROGRESS: &str = "idempotency-key-in-progress";

/// How long a duplicate waits for the first request's answer.
const WAIT_FOR_FIRST: Duration = Duration::from_secs(10);

/// A client's key, checked: 1 to 100 printable ASCII characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    pub fn parse(raw: &str) -> Result<IdempotencyKey, InputError> {
        if raw.is_empty() || raw.len() > 100 || !raw.bytes().all(|b| (0x20..=0x7e).contains(&b)) {
            return Err(InputError::IdempotencyKeyInvalid);
        }
        Ok(IdempotencyKey(raw.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What identifies a request, whatever its key: SHA-256 over its method,
/// path, query and body.
pub fn request_hash(method: &str, path_and_query: &str, body: &[u8]) -> String {
    let mut h = RequestHasher::new(method, path_and_query);
    h.update(body);
    h.hash()
}

/// [`request_hash`] of a body read in pieces (an upload streamed).
#[derive(Clone)]
pub struct RequestHasher(Sha256);

impl RequestHasher {
    pub fn new(method: &str, path_and_query: &str) -> RequestHasher {
        let mut h = Sha256::new();
        h.update(method.as_bytes());
        h.update([0]);
        h.update(path_and_query.as_bytes());
        h.update([0]);
        RequestHasher(h)
    }

    /// The next piece of the body.
    pub fn update(&mut self, piece: &[u8]) {
        self.0.update(piece);
    }

    /// The hash of the request, once its whole body went through.
    pub fn hash(&self) -> String {
        self.0.clone().finalize().iter().map(|b| format!("{b:02x}")).collect()
    }
}

/// The key a request carries into its service (through [`Client`]).
#[derive(Debug, Clone)]
pub struct Claim {
    pub person_id: UserId,
    pub key: String,
    pub request_hash: String,
}

/// An answer, as first given.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    pub status: u16,
    pub body: serde_json::Value,
}

impl Answer {
    pub fn created(body: serde_json::Value) -> Answer {
        Answer { status: 201, body }
    }
}

/// Called by a service in its transaction before its work: records the
/// request's key, if it has one. A concurrent duplicate fails here.
pub async fn claim_in(conn: &mut Conn, client: &Client, now: Timestamp) -> AppResult<()> {
    if let Some(c) = &client.idempotency {
        store::insert(conn, c.person_id, &c.key, &c.request_hash, now.0)
            .await
            .map_err(|e| match e {
                StoreError::Conflict => AppError::Conflict(IN_PROGRESS),
                other => other.into(),
            })?;
    }
    Ok(())
}

/// Runs `work` once per key: the first answer again for a repeated key,
/// 422 for a key reused on another request, else the work with the key
/// claimed in its transaction.
pub async fn run<F, Fut>(
    ctx: &Ctx,
    client: &Client,
    person_id: UserId,
    key: Option<&IdempotencyKey>,
    request_hash: &str,
    work: F,
) -> AppResult<Answer>
where
    F: FnOnce(Client) -> Fut,
    Fut: Future<Output = AppResult<Answer>>,
{
    let Some(key) = key else {
        return work(client.clone()).await;
    };
    if let Some(answer) = earlier(ctx, person_id, key.as_str(), request_hash, Unseen::IsNew).await? {
        return Ok(answer);
    }
    let mut claimed = client.clone();
    claimed.idempotency = Some(Claim {
        person_id,
        key: key.as_str().to_string(),
        request_hash: request_hash.to_string(),
    });
    match work(claimed).await {
        Ok(answer) => {
            let text = serde_json::to_string(&answer.body).map_err(|e| AppError::Internal(e.to_string()))?;
            let mut tx = ctx.store.begin().await?;
            store::complete(&mut tx, person_id, key.as_str(), i64::from(answer.status), &text).await?;
            tx.commit().await?;
            Ok(answer)
        }
        // A concurrent request with the same key did it first: its answer.
        // It may share our group commit and not be visible yet.
        Err(AppError::Conflict(IN_PROGRESS)) => {
            match earlier(ctx, person_id, key.as_str(), request_hash, Unseen::Wait).await? {
                Some(answer) => Ok(answer),
                None => Err(AppError::Conflict(IN_PROGRESS)),
            }
        }
        // Refused: nothing was done (the refusal is not kept; sending the
        // request again runs it again).
        Err(e) => Err(e),
    }
}

/// What a key nobody is seen to hold means to [`earlier`].
#[derive(Clone, Copy, PartialEq)]
enum Unseen {
    /// Before our own claim: the key is new.
    IsNew,
    /// After our claim conflicted: the first request holds it in a
    /// transaction not committed yet (a group commit we may share); wait
    /// for it as for its answer.
    Wait,
}

/// The answer already given to this key, waiting (bounded) for it if the
/// first request is still finishing.
async fn earlier(
    ctx: &Ctx,
    person_id: UserId,
    key: &str,
    request_hash: &str,
    unseen: Unseen,
) -> AppResult<Option<Answer>> {
    let deadline = tokio::time::Instant::now() + WAIT_FOR_FIRST;
    loop {
        let row = {
            let mut conn = ctx.store.reader().await?;
            store::get(&mut conn, person_id, key).await?
        };
        let Some(row) = row else {
            if unseen == Unseen::IsNew {
                return Ok(None);
            }
            // Still not there: the first request was refused after all
            // (its claim rolled back); sending it again runs it.
            if tokio::time::Instant::now() >= deadline {
                return Err(AppError::Conflict(IN_PROGRESS));
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
            continue;
        };
        let expired_before = ctx.clock.now().0 - KEY_TTL_SECS * 1000;
        if row.created_at < expired_before {
            let mut tx = ctx.store.begin().await?;
            store::forget_expired(&mut tx, person_id, key, expired_before).await?;
            tx.commit().await?;
            return Ok(None);
        }
        if row.request_hash != request_hash {
            return Err(InputError::IdempotencyKeyReused.into());
        }
        if let (Some(status), Some(text)) = (row.status, row.response.as_deref()) {
            let body = serde_json::from_str(text).map_err(|e| AppError::Internal(e.to_string()))?;
            return Ok(Some(Answer {
                status: u16::try_from(status).unwrap_or(200),
                body,
            }));
        }
        // Committed, the answer not recorded yet (or its node died then).
        if tokio::time::Instant::now() >= deadline {
            return Err(AppError::Conflict(IN_PROGRESS));
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// Forgets the keys older than 24 hours (the outbox worker calls this).
pub async fn purge(ctx: &Ctx) -> AppResult<u64> {
    let before = ctx.clock.now().0 - KEY_TTL_SECS * 1000;
    let mut tx = ctx.store.begin().await?;
    let n = store::purge(&mut tx, before).await?;
    tx.commit().await?;
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_printable_ascii_up_to_100() {
        assert!(IdempotencyKey::parse("3f1c2a4e-8d2b-4b1e-9c1a-7e5f6a7b8c9d").is_ok());
        assert!(IdempotencyKey::parse(&"k".repeat(100)).is_ok());
        assert!(IdempotencyKey::parse("").is_err());
        assert!(IdempotencyKey::parse(&"k".repeat(101)).is_err());
        assert!(IdempotencyKey::parse("clé").is_err());
        assert!(IdempotencyKey::parse("a\tb").is_err());
    }

    #[test]
    fn the_hash_covers_path_and_body() {
        let a = request_hash("POST", "/api/v1/threads/1/messages", b"{\"body\":\"x\"}");
        assert_eq!(
            a,
            request_hash("POST", "/api/v1/threads/1/messages", b"{\"body\":\"x\"}")
        );
        assert_ne!(
            a,
            request_hash("POST", "/api/v1/threads/2/messages", b"{\"body\":\"x\"}")
        );
        assert_ne!(
            a,
            request_hash("POST", "/api/v1/threads/1/messages", b"{\"body\":\"y\"}")
        );
    }
}
