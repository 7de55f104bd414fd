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
//! key is the token's hash, as stored in the database). Built on
//! [`crate::flights`]: requests of one token at the same moment also share
//! one read, and an unknown token or a failed read is not kept.

use crate::flights::{Flights, Keep};
use cercle_domain::{Language, UserId};
use std::time::Duration;

/// How long a token's language serves without asking the database again.
pub const KEEP: Duration = Duration::from_secs(60);

/// What the database said of a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lookup {
    /// The token's (not deleted) account, and its language.
    Found(UserId, Language),
    /// No such token: nothing to keep.
    Unknown,
    /// The database could not be reached: not kept.
    Busy,
    /// The read failed otherwise: not kept.
    Failed,
}

impl Keep for Lookup {
    fn kept(&self) -> bool {
        matches!(self, Lookup::Found(..))
    }
}

/// The node's languages, by token hash.
#[derive(Debug)]
pub struct Languages(Flights<String, Lookup>);

impl Default for Languages {
    fn default() -> Self {
        Languages(Flights::new(KEEP, "cercle_account_language_reads_total"))
    }
}

impl Languages {
    /// What is known of this token hash: kept, being read, or `read`'s.
    pub async fn get<F, Fut>(&self, token_hash: &str, read: F) -> Lookup
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Lookup>,
    {
        self.0.get(token_hash.to_string(), read).await
    }

    /// Forgets every token of this person (their language changed), and
    /// any read still running.
    pub fn forget(&self, user_id: UserId) {
        self.0.forget(|_, v| match v {
            Some(Lookup::Found(who, _)) => *who == user_id,
            Some(_) => false,
            None => true,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    async fn read(runs: &AtomicU32, l: Lookup) -> Lookup {
        runs.fetch_add(1, Ordering::SeqCst);
        l
    }

    #[tokio::test]
    async fn kept_and_forgotten_on_a_change() {
        let l = Languages::default();
        let runs = AtomicU32::new(0);
        let (u1, u2) = (UserId::new(), UserId::new());
        let en = Lookup::Found(u1, Language::En);
        let fr = Lookup::Found(u2, Language::Fr);
        assert_eq!(l.get("h1", || read(&runs, en)).await, en);
        assert_eq!(l.get("h2", || read(&runs, en)).await, en);
        assert_eq!(l.get("h3", || read(&runs, fr)).await, fr);
        assert_eq!(l.get("h1", || read(&runs, fr)).await, en, "kept");
        assert_eq!(runs.load(Ordering::SeqCst), 3);
        l.forget(u1);
        let en_now = Lookup::Found(u1, Language::Fr);
        assert_eq!(l.get("h1", || read(&runs, en_now)).await, en_now);
        assert_eq!(
            l.get("h2", || read(&runs, en_now)).await,
            en_now,
            "every token of the person"
        );
        assert_eq!(l.get("h3", || read(&runs, en)).await, fr, "not another's");
        assert_eq!(runs.load(Ordering::SeqCst), 5);
    }

    #[tokio::test]
    async fn an_unknown_token_or_a_failed_read_is_not_kept() {
        let l = Languages::default();
        let runs = AtomicU32::new(0);
        for miss in [Lookup::Unknown, Lookup::Busy, Lookup::Failed] {
            assert_eq!(l.get("h", || read(&runs, miss)).await, miss);
        }
        let found = Lookup::Found(UserId::new(), Language::En);
        assert_eq!(l.get("h", || read(&runs, found)).await, found);
        assert_eq!(runs.load(Ordering::SeqCst), 4);
    }
}
