//! The language of the account behind a bearer token, kept by the node for
//! a minute ([`KEEP`]), for answering API callers who say none (no
//! `Accept-Language`).
//!
//! Why: that question was one more database read before every such
//! request, a message post included (26,022 of them in one load run,
//! docs/benchmarks.md section 26), for an answer that changes only when the
//! person changes their language. The node forgets a person's entries when
//! they change it here ([`super::security::set_language`]); another node
//! answers in the former language for at most [`KEEP`]. A token's entry
//! says nothing about whether the token is still valid: every request is
//! authenticated afterwards as before, and an entry holds no secret (the
//! key is the token's hash, as stored in the database).

use cercle_domain::{Language, UserId};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long a token's language serves without asking the database again.
pub const KEEP: Duration = Duration::from_secs(60);

/// Above this many entries, the stale ones are dropped at the next insert,
/// and all of them if that is not enough (bounded memory, whatever tokens
/// come in); the stale ones are also dropped once per [`KEEP`].
const PRUNE_ABOVE: usize = 50_000;

struct Entry {
    user_id: UserId,
    language: Language,
    at: Instant,
}

/// The node's languages, by token hash, and when the stale ones were last
/// dropped.
#[derive(Default)]
pub struct Languages {
    map: Mutex<(HashMap<String, Entry>, Option<Instant>)>,
}

impl std::fmt::Debug for Languages {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Languages").finish_non_exhaustive()
    }
}

impl Languages {
    /// The language kept for this token hash, if fresh at `now`.
    pub fn get(&self, token_hash: &str, now: Instant) -> Option<Language> {
        let kept = self.map.lock().unwrap_or_else(|p| p.into_inner());
        kept.0
            .get(token_hash)
            .filter(|e| now.saturating_duration_since(e.at) < KEEP)
            .map(|e| e.language)
    }

    /// Keeps what the database said of this token hash at `now`.
    pub fn put(&self, token_hash: &str, user_id: UserId, language: Language, now: Instant) {
        let mut kept = self.map.lock().unwrap_or_else(|p| p.into_inner());
        let (map, pruned) = &mut *kept;
        let due = pruned.is_none_or(|at| now.saturating_duration_since(at) >= KEEP);
        if map.len() >= PRUNE_ABOVE || due {
            map.retain(|_, e| now.saturating_duration_since(e.at) < KEEP);
            *pruned = Some(now);
            if map.len() >= PRUNE_ABOVE {
                map.clear();
            }
        }
        map.insert(
            token_hash.to_string(),
            Entry {
                user_id,
                language,
                at: now,
            },
        );
    }

    /// Forgets every token of this person (their language changed).
    pub fn forget(&self, user_id: UserId) {
        let mut kept = self.map.lock().unwrap_or_else(|p| p.into_inner());
        kept.0.retain(|_, e| e.user_id != user_id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kept_for_a_minute_and_forgotten_on_a_change() {
        let l = Languages::default();
        let now = Instant::now();
        let (u1, u2) = (UserId::new(), UserId::new());
        assert_eq!(l.get("h1", now), None);
        l.put("h1", u1, Language::En, now);
        l.put("h2", u1, Language::En, now);
        l.put("h3", u2, Language::Fr, now);
        assert_eq!(l.get("h1", now + KEEP / 2), Some(Language::En));
        assert_eq!(l.get("h1", now + KEEP), None, "no longer than KEEP");
        l.forget(u1);
        assert_eq!(l.get("h1", now), None);
        assert_eq!(l.get("h2", now), None, "every token of the person");
        assert_eq!(l.get("h3", now), Some(Language::Fr), "not another's");
    }

    #[test]
    fn bounded_whatever_comes_in() {
        let l = Languages::default();
        let now = Instant::now();
        let u = UserId::new();
        for i in 0..(PRUNE_ABOVE + 10) {
            l.put(&format!("h{i}"), u, Language::Fr, now);
        }
        let len = l.map.lock().unwrap_or_else(|p| p.into_inner()).0.len();
        assert!(len <= PRUNE_ABOVE, "{len}");
    }

    #[test]
    fn a_quiet_node_drops_what_went_stale() {
        let l = Languages::default();
        let now = Instant::now();
        for i in 0..100 {
            l.put(&format!("h{i}"), UserId::new(), Language::En, now);
        }
        l.put("late", UserId::new(), Language::En, now + KEEP / 2);
        l.put("later", UserId::new(), Language::En, now + KEEP + KEEP / 4);
        let len = l.map.lock().unwrap_or_else(|p| p.into_inner()).0.len();
        assert_eq!(len, 2, "the stale ones dropped once a minute went by");
    }
}
