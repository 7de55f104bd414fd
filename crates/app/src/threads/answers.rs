//! One answer per person and thread per node to "may this person's live
//! connections receive this thread's events now" ([`super::access`]'s
//! question), shared by all of that person's connections on the node.
//!
//! Why: a message in a thread reaches every open connection of its
//! participants at once, and each connection that has not yet seen the
//! thread asks. 10,000 connections of 100 people asked 10,000 times on a
//! pool of 16 connections, past the pool's wait, and a third to three
//! quarters of the streams closed (docs/benchmarks.md section 27). Now the
//! first connection asks and the others wait for its answer.
//!
//! Built on [`crate::flights`]. An answer is forgotten, before the
//! connections hear of it, when the node learns that something it depends
//! on changed: the person's sessions or reach
//! ([`super::hub::access_changed`], a resync of the bus) or the thread's
//! participants (its `participants` event). A connection that acts on that
//! news therefore asks again and never gets an answer given before the
//! change. An answer is also kept no longer than [`KEEP`], so that a lost
//! notice costs what it cost before (each connection checks its session
//! and threads again every half minute at most). An answer that could not
//! be had (the database busy or failing) goes to the connections that
//! waited for it and is not kept.

use crate::flights::{Flights, Keep};
use cercle_domain::{ThreadId, UserId};
use std::time::Duration;

/// How long an answer serves connections that ask later: long enough for
/// all of a node's connections to take one event (seconds under a herd),
/// short beside the connections' own recheck.
pub const KEEP: Duration = Duration::from_secs(5);

/// What one check said.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// The thread's events may reach the person.
    Yes,
    /// They may not (not a participant, not in the thread's organization,
    /// no such thread).
    No,
    /// The database could not be reached: unknown, and not kept.
    Busy,
    /// The check failed otherwise: not kept.
    Failed,
}

impl Keep for Answer {
    fn kept(&self) -> bool {
        matches!(self, Answer::Yes | Answer::No)
    }
}

/// The node's answers, by person and thread.
#[derive(Debug)]
pub struct Answers(Flights<(UserId, ThreadId), Answer>);

impl Default for Answers {
    fn default() -> Self {
        Answers(Flights::new(KEEP, "cercle_live_access_checks_total"))
    }
}

impl Answers {
    /// The answer for this person and thread: the one kept or being asked
    /// if any, otherwise `check`'s (run once, whoever else asks meanwhile).
    pub async fn get<F, Fut>(&self, user: UserId, thread: ThreadId, check: F) -> Answer
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Answer>,
    {
        self.0.get((user, thread), check).await
    }

    /// Forgets the person's answers (`None`: everyone's).
    pub fn forget_person(&self, user: Option<UserId>) {
        match user {
            Some(u) => self.0.forget(|(who, _), _| *who == u),
            None => self.0.forget(|_, _| true),
        }
    }

    /// Forgets every answer about the thread.
    pub fn forget_thread(&self, thread: ThreadId) {
        self.0.forget(|(_, t), _| *t == thread);
    }

    /// How many checks were made since the node started.
    pub fn checks(&self) -> u64 {
        self.0.runs()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};
    use std::sync::Arc;
    use std::time::Duration;

    /// A check that takes a while, counting how often it runs.
    async fn slow(runs: &AtomicU32, answer: Answer) -> Answer {
        runs.fetch_add(1, Ordering::SeqCst);
        tokio::time::sleep(Duration::from_millis(50)).await;
        answer
    }

    #[tokio::test]
    async fn a_thousand_connections_of_one_person_make_one_check() {
        let answers = Arc::new(Answers::default());
        let runs = Arc::new(AtomicU32::new(0));
        let (user, thread) = (UserId::new(), ThreadId::new());
        let mut tasks = Vec::new();
        for _ in 0..1000 {
            let (answers, runs) = (Arc::clone(&answers), Arc::clone(&runs));
            tasks.push(tokio::spawn(async move {
                answers.get(user, thread, || slow(&runs, Answer::Yes)).await
            }));
        }
        for t in tasks {
            assert_eq!(t.await.unwrap(), Answer::Yes);
        }
        assert_eq!(runs.load(Ordering::SeqCst), 1);
        assert_eq!(answers.checks(), 1);
        // Asked again later (within KEEP): still no second check.
        assert_eq!(answers.get(user, thread, || slow(&runs, Answer::No)).await, Answer::Yes);
        assert_eq!(runs.load(Ordering::SeqCst), 1);
        // Another person, another thread: their own checks.
        assert_eq!(
            answers.get(UserId::new(), thread, || slow(&runs, Answer::No)).await,
            Answer::No
        );
        assert_eq!(
            answers.get(user, ThreadId::new(), || slow(&runs, Answer::No)).await,
            Answer::No
        );
        assert_eq!(runs.load(Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn a_change_makes_the_next_ask_check_again() {
        let answers = Answers::default();
        let runs = AtomicU32::new(0);
        let (user, thread) = (UserId::new(), ThreadId::new());
        assert_eq!(
            answers.get(user, thread, || slow(&runs, Answer::Yes)).await,
            Answer::Yes
        );
        answers.forget_thread(thread);
        assert_eq!(answers.get(user, thread, || slow(&runs, Answer::No)).await, Answer::No);
        answers.forget_person(Some(user));
        assert_eq!(
            answers.get(user, thread, || slow(&runs, Answer::Yes)).await,
            Answer::Yes
        );
        answers.forget_person(None);
        assert_eq!(answers.get(user, thread, || slow(&runs, Answer::No)).await, Answer::No);
        // Someone else's change keeps this answer.
        answers.forget_person(Some(UserId::new()));
        answers.forget_thread(ThreadId::new());
        assert_eq!(answers.get(user, thread, || slow(&runs, Answer::Yes)).await, Answer::No);
        assert_eq!(runs.load(Ordering::SeqCst), 4);
    }

    /// A check running when the change is heard answers those who asked
    /// before it, never one who asks after.
    #[tokio::test]
    async fn an_answer_asked_before_a_change_is_not_given_after_it() {
        let answers = Arc::new(Answers::default());
        let (user, thread) = (UserId::new(), ThreadId::new());
        let (release, wait) = tokio::sync::oneshot::channel::<()>();
        let before = {
            let answers = Arc::clone(&answers);
            tokio::spawn(async move {
                answers
                    .get(user, thread, || async move {
                        let _ = wait.await;
                        Answer::Yes
                    })
                    .await
            })
        };
        // The first check is running (the cell is in the map) …
        while answers.checks() == 0 {
            tokio::task::yield_now().await;
        }
        // … when the node hears that the thread's participants changed.
        answers.forget_thread(thread);
        let after = answers.get(user, thread, || async { Answer::No }).await;
        release.send(()).unwrap();
        assert_eq!(before.await.unwrap(), Answer::Yes);
        assert_eq!(after, Answer::No);
        assert_eq!(answers.checks(), 2);
    }

    #[tokio::test]
    async fn an_unknown_answer_is_shared_but_not_kept() {
        let answers = Answers::default();
        let runs = AtomicU32::new(0);
        let (user, thread) = (UserId::new(), ThreadId::new());
        assert_eq!(
            answers.get(user, thread, || slow(&runs, Answer::Busy)).await,
            Answer::Busy
        );
        assert_eq!(
            answers.get(user, thread, || slow(&runs, Answer::Failed)).await,
            Answer::Failed
        );
        assert_eq!(
            answers.get(user, thread, || slow(&runs, Answer::Yes)).await,
            Answer::Yes
        );
        assert_eq!(runs.load(Ordering::SeqCst), 3);
    }
}
