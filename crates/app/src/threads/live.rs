//! Catching up on a live connection: the logged events after a point that
//! the person may see (threads they reach now, their own notifications and
//! other events on their person topic: an incoming call, a call declined).

use super::access::may_receive_live;
use super::hub::{self, Event};
use crate::{AppResult, Ctx};
use cercle_domain::events::Topic;
use cercle_domain::ThreadId;
use std::collections::HashMap;

/// The events of threads the person may see, after `since` (catching up).
pub async fn events_since(ctx: &Ctx, user_id: &str, since: i64, limit: i64) -> AppResult<(Vec<Event>, i64)> {
    let events = hub::logged_after(ctx, since, limit).await?;
    let last = events.last().and_then(|e| e.id).unwrap_or(since);
    let mut cache: HashMap<ThreadId, bool> = HashMap::new();
    let mut out = Vec::new();
    // Changes of one's notifications: only the latest of the batch counts
    // (the stream sends the state at that moment), and never another's.
    let latest_mine = events
        .iter()
        .rev()
        .find(|e| crate::notifications::live_concerns(e, user_id) == Some(true))
        .and_then(|e| e.id);
    for e in events {
        if crate::notifications::live_concerns(&e, user_id).is_some() {
            if e.id.is_some() && e.id == latest_mine {
                out.push(Event::new(e.id, e.topic, e.kind, serde_json::Value::Null));
            }
            continue;
        }
        if let Some(mine) = personal_concerns(&e, user_id) {
            if mine {
                out.push(e);
            }
            continue;
        }
        // Threads the person reaches now; no other topic reaches pages yet.
        let Some(thread) = e.topic.thread() else {
            continue;
        };
        let visible = match cache.get(&thread) {
            Some(v) => *v,
            None => {
                let v = may_receive_live(ctx, user_id, &thread.to_string()).await?;
                cache.insert(thread, v);
                v
            }
        };
        if visible {
            out.push(e);
        }
    }
    Ok((out, last))
}

/// Whether an event of someone's own other than the bell (an incoming call,
/// a call declined: on a person topic) is this person's: `Some` for such
/// events, `None` for the others (threads' events, the bell).
pub fn personal_concerns(e: &Event, user_id: &str) -> Option<bool> {
    if e.kind == crate::notifications::LIVE_KIND {
        return None;
    }
    match e.topic {
        Topic::Person(p) => Some(p.to_string() == user_id),
        _ => None,
    }
}
