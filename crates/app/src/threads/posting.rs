//! Message posts written together: the writes of one group commit
//! (`cercle_store::batch`) that are message posts go in a few multi-row
//! statements for the whole group, not a dozen each.
//!
//! What a post needs to know before it is written — the thread and whether
//! its author may write in it (and that it is open), the author's name for
//! the answer — is read before it is queued, on the read pool, so that the
//! single writer only writes. A post checked just before a change that
//! closes the thread or removes its author, and written just after it, is
//! kept, as if it had arrived a moment earlier: both happen within the
//! same few milliseconds, and what comes after the change is refused.
//!
//! The group then, in one savepoint of the batch's transaction:
//! 1. claims the posts' idempotency keys (a key already claimed refuses
//!    that post alone, as before);
//! 2. takes each thread's sequence numbers once for all its posts;
//! 3. inserts the messages, moves their authors' read marks, clears their
//!    drafts;
//! 4. tells the notifications of every message
//!    ([`crate::notifications::on_messages`]) and logs the threads' events
//!    with the bell entries;
//! 5. appends the audit records, chained here, in one insert.
//!
//! A post is answered once the transaction committed, with its own
//! message; a statement that fails undoes the whole group and every post of
//! it learns that it was not kept (none is lost; each may be sent again).

use super::input::folded;
use super::views::MessageView;
use crate::bus::Bus;
use crate::idempotency::Claim;
use crate::{AppError, AppResult};
use cercle_domain::audit::NewAuditEvent;
use cercle_domain::events::{EventKind, Topic};
use cercle_domain::{AuditId, Clock, MessageId, Timestamp, UserId};
use cercle_store::batch::{Answer, GroupFuture, Grouped};
use cercle_store::threads::{self as store, MessageRow, ThreadRow};
use cercle_store::{Conn, Fault, StoreError};
use std::sync::Arc;
use tokio::sync::oneshot;

/// A message post, checked and ready to be written.
pub(crate) struct Post {
    pub bus: Arc<dyn Bus>,
    pub clock: Arc<dyn Clock>,
    pub thread: ThreadRow,
    pub author_id: UserId,
    pub message_id: MessageId,
    pub body: String,
    pub priority: bool,
    pub claim: Option<Claim>,
    pub audit: NewAuditEvent,
    /// The answer, but for its sequence number and time.
    pub view: MessageView,
    pub reply: oneshot::Sender<AppResult<MessageView>>,
}

impl Post {
    fn answer(self) -> Answer {
        Box::new(move |committed: Result<(), StoreError>| {
            let _ = self.reply.send(committed.map(|()| self.view).map_err(AppError::from));
        })
    }

    fn refuse(self, e: AppError) {
        let _ = self.reply.send(Err(e));
    }
}

impl Grouped for Post {
    fn run_all(all: Vec<Post>, conn: &mut Conn) -> GroupFuture<'_> {
        Box::pin(async move {
            let mut posts = all;
            let outcome = write_all(&mut posts, conn).await;
            let answers = posts.into_iter().map(Post::answer).collect();
            match outcome {
                Ok(()) => (answers, Ok(())),
                Err(e) => (answers, Err(e.fault())),
            }
        })
    }

    fn fail(self, e: StoreError) {
        self.refuse(e.into());
    }
}

/// Writes `posts`; those refused on their own are answered and taken out.
async fn write_all(posts: &mut Vec<Post>, conn: &mut Conn) -> Result<(), StoreError> {
    let Some(first) = posts.first() else {
        return Ok(());
    };
    let (bus, now) = (first.bus.clone(), first.clock.now());
    claim_keys(posts, conn, now).await?;
    if posts.is_empty() {
        return Ok(());
    }
    let numbered = number(posts, conn, now).await?;

    let rows: Vec<MessageRow> = posts
        .iter()
        .map(|p| MessageRow {
            id: p.message_id,
            thread_id: p.thread.id,
            seq: p.view.seq,
            author_id: p.author_id,
            body: p.body.clone(),
            priority: p.priority,
            created_at: now.0,
            edited_at: None,
            retracted_at: None,
        })
        .collect();
    let texts: Vec<String> = posts.iter().map(|p| folded(&p.body)).collect();
    let pairs: Vec<(&MessageRow, &str)> = rows.iter().zip(texts.iter().map(String::as_str)).collect();
    store::insert_messages(&mut *conn, &pairs).await?;

    // Each author's read mark moves to their last message of the group.
    let mut marks: Vec<(store::ThreadUser, i64)> = Vec::new();
    for p in posts.iter() {
        let key = (p.thread.id, p.author_id);
        match marks.iter_mut().find(|(k, _)| *k == key) {
            Some((_, seq)) => *seq = (*seq).max(p.view.seq),
            None => marks.push((key, p.view.seq)),
        }
    }
    store::mark_read_many(&mut *conn, &marks, now).await?;
    let keys: Vec<store::ThreadUser> = marks.iter().map(|(k, _)| *k).collect();
    store::clear_drafts(&mut *conn, &keys).await?;

    tell(posts, &numbered, conn, &*bus, now).await?;

    let audit: Vec<(AuditId, &NewAuditEvent)> = posts.iter().map(|p| (AuditId::new(), &p.audit)).collect();
    cercle_store::audit::append_many(&mut *conn, &audit, now).await?;
    Ok(())
}

/// Claims the idempotency keys; a post whose key is taken (by an earlier
/// request, or by a post before it in this group) is refused alone.
async fn claim_keys(posts: &mut Vec<Post>, conn: &mut Conn, now: Timestamp) -> Result<(), StoreError> {
    let mut claimed: Vec<(UserId, &str)> = Vec::new();
    let mut fresh = Vec::with_capacity(posts.len());
    for p in posts.iter() {
        fresh.push(match &p.claim {
            Some(c) if claimed.contains(&(c.person_id, c.key.as_str())) => false,
            Some(c) => {
                claimed.push((c.person_id, c.key.as_str()));
                true
            }
            None => true,
        });
    }
    let new_keys: Vec<cercle_store::idempotency::NewKey> = posts
        .iter()
        .zip(&fresh)
        .filter_map(|(p, fresh)| match &p.claim {
            Some(c) if *fresh => Some((c.person_id, c.key.as_str(), c.request_hash.as_str())),
            _ => None,
        })
        .collect();
    let mut stored = cercle_store::idempotency::insert_new(&mut *conn, &new_keys, now.0)
        .await?
        .into_iter();
    for (p, fresh) in posts.iter().zip(fresh.iter_mut()) {
        if p.claim.is_some() && *fresh {
            *fresh = stored.next().unwrap_or(false);
        }
    }
    let mut kept = Vec::with_capacity(posts.len());
    for (p, fresh) in posts.drain(..).zip(fresh) {
        if fresh {
            kept.push(p);
        } else {
            p.refuse(AppError::Conflict(crate::idempotency::IN_PROGRESS));
        }
    }
    *posts = kept;
    Ok(())
}

/// Numbers the posts: each thread's sequence numbers taken once for all of
/// its posts, numbered in the order they were queued. The threads are taken
/// in the order of their ids, the order in which a read of notifications
/// locks them on PostgreSQL (`notifications::lock_threads`), so that the
/// two never wait for each other in a circle. Returns where each thread's
/// numbering stands.
async fn number(
    posts: &mut [Post],
    conn: &mut Conn,
    now: Timestamp,
) -> Result<Vec<(cercle_domain::ThreadId, store::Numbered)>, StoreError> {
    let mut threads: Vec<cercle_domain::ThreadId> = posts.iter().map(|p| p.thread.id).collect();
    threads.sort();
    threads.dedup();
    let mut numbered = Vec::with_capacity(threads.len());
    for thread_id in threads {
        let messages: Vec<(UserId, bool)> = posts
            .iter()
            .filter(|p| p.thread.id == thread_id)
            .map(|p| (p.author_id, p.priority))
            .collect();
        let n = messages.len() as i64;
        let taken = store::take_seqs(&mut *conn, thread_id, &messages, now).await?;
        let mut seq = taken.last_seq - n;
        for p in posts.iter_mut().filter(|p| p.thread.id == thread_id) {
            seq += 1;
            p.view.seq = seq;
            p.view.created_at = now.0;
        }
        numbered.push((thread_id, taken));
    }
    Ok(numbered)
}

/// Tells the notifications and logs the threads' entries for the messages.
async fn tell(
    posts: &[Post],
    numbered: &[(cercle_domain::ThreadId, store::Numbered)],
    conn: &mut Conn,
    bus: &dyn Bus,
    now: Timestamp,
) -> Result<(), StoreError> {
    let payloads: Vec<String> = posts
        .iter()
        .map(|p| serde_json::to_string(&p.view))
        .collect::<Result<_, _>>()
        .map_err(|e| into_store(AppError::Internal(e.to_string())))?;
    let events: Vec<cercle_store::events::NewEvent> = posts
        .iter()
        .zip(&payloads)
        .map(|(p, payload)| cercle_store::events::NewEvent {
            topic: Topic::Thread(p.thread.id),
            kind: EventKind::Message,
            payload,
        })
        .collect();
    let mut posted: Vec<crate::notifications::Posted> = Vec::new();
    for p in posts {
        let message = (p.author_id, p.message_id, p.priority);
        match posted.iter_mut().find(|t| t.thread.id == p.thread.id) {
            Some(t) => t.messages.push(message),
            None => posted.push(crate::notifications::Posted {
                thread: &p.thread,
                messages: vec![message],
                numbered: numbered
                    .iter()
                    .find(|(t, _)| *t == p.thread.id)
                    .map(|&(_, n)| n)
                    .ok_or_else(|| into_store(AppError::Internal("a post of a thread not numbered".into())))?,
            }),
        }
    }
    crate::notifications::on_messages(bus, conn, &posted, events, now)
        .await
        .map_err(into_store)
}

/// The notifications speak `AppError` (a storage fault was logged when it
/// became one); the group's posts learn the fault.
fn into_store(e: AppError) -> StoreError {
    StoreError::Batch(match e {
        AppError::StorageFull => Fault::StorageFull,
        AppError::DatabaseUnavailable => Fault::Unavailable,
        other => {
            tracing::warn!(error = %other, "telling of a group of messages failed");
            Fault::Other
        }
    })
}
