//! One read for everyone who asks the same thing at once: the first asker
//! runs it, the others that ask meanwhile wait for its result, and later
//! ones take it for a short while ([`Flights::new`]'s `keep`).
//!
//! Why: one event reaches every open connection of a node at the same
//! moment, and each connection that then reads the database on its own
//! (may my person receive this thread? what is my person's bell now?)
//! starves the node's pool when a person has many (10,000 streams of 100
//! people: 10,000 reads for 100 answers, docs/benchmarks.md sections 27
//! and 28). Our own small map rather than a caching crate: what matters is
//! when a result is forgotten, and its users decide that ([`Flights::forget`]).

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::OnceCell;

/// Whether a result may serve later askers (an answer) or only those who
/// waited for it (a failure: the next asker tries again).
pub trait Keep {
    fn kept(&self) -> bool;
}

impl<T> Keep for Option<T> {
    fn kept(&self) -> bool {
        self.is_some()
    }
}

/// Above this many results kept, the stale ones are dropped at the next
/// ask (bounded memory whatever the traffic); they are also dropped once
/// per `keep` (a quiet node does not hold yesterday's results).
const PRUNE_ABOVE: usize = 50_000;

/// A read asked at `asked`: done, or still running (its waiters share the
/// cell).
struct Flight<V> {
    asked: Instant,
    cell: Arc<OnceCell<V>>,
}

/// The results by key, and when the stale ones were last dropped.
struct Kept<K, V> {
    map: HashMap<K, Flight<V>>,
    pruned: Instant,
}

/// The results by key.
pub struct Flights<K, V> {
    kept: Mutex<Kept<K, V>>,
    keep: Duration,
    /// Counted in this metric (a counter) at each read actually run.
    metric: &'static str,
    runs: AtomicU64,
}

impl<K, V> std::fmt::Debug for Flights<K, V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Flights")
            .field("metric", &self.metric)
            .field("runs", &self.runs.load(Ordering::Relaxed))
            .finish()
    }
}

impl<K: Eq + Hash, V: Clone + Keep> Flights<K, V> {
    /// Results serve later askers for `keep`; each read run counts in the
    /// counter `metric`.
    pub fn new(keep: Duration, metric: &'static str) -> Self {
        Flights {
            kept: Mutex::new(Kept {
                map: HashMap::new(),
                pruned: Instant::now(),
            }),
            keep,
            metric,
            runs: AtomicU64::new(0),
        }
    }

    /// The result for `key`: the one kept or being read if any, otherwise
    /// `read`'s (run once, whoever else asks meanwhile).
    pub async fn get<F, Fut>(&self, key: K, read: F) -> V
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = V>,
    {
        let cell = self.cell(key, Instant::now());
        cell.get_or_init(|| {
            self.runs.fetch_add(1, Ordering::Relaxed);
            metrics::counter!(self.metric).increment(1);
            read()
        })
        .await
        .clone()
    }

    fn serves(&self, f: &Flight<V>, now: Instant) -> bool {
        now.duration_since(f.asked) < self.keep && f.cell.get().is_none_or(Keep::kept)
    }

    fn cell(&self, key: K, now: Instant) -> Arc<OnceCell<V>> {
        // A poisoned lock only means another task panicked while holding
        // it; the map itself is always whole (single inserts and removes).
        let mut kept = self.kept.lock().unwrap_or_else(|p| p.into_inner());
        if kept.map.len() > PRUNE_ABOVE || now.saturating_duration_since(kept.pruned) >= self.keep {
            kept.map.retain(|_, f| self.serves(f, now));
            kept.pruned = now;
        }
        let map = &mut kept.map;
        if let Some(f) = map.get(&key) {
            if self.serves(f, now) {
                return Arc::clone(&f.cell);
            }
        }
        let cell = Arc::new(OnceCell::new());
        map.insert(
            key,
            Flight {
                asked: now,
                cell: Arc::clone(&cell),
            },
        );
        cell
    }

    /// Forgets every result that is `gone` by its key and its value
    /// (`None` for a read still running): the next asker reads again; a
    /// read running now answers only those who asked before.
    pub fn forget(&self, gone: impl Fn(&K, Option<&V>) -> bool) {
        let mut kept = self.kept.lock().unwrap_or_else(|p| p.into_inner());
        kept.map.retain(|k, f| !gone(k, f.cell.get()));
    }

    /// How many reads were run since the node started.
    pub fn runs(&self) -> u64 {
        self.runs.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicU32;

    const KEEP: Duration = Duration::from_secs(5);

    /// A read that takes a while, counting how often it runs.
    async fn slow(runs: &AtomicU32, v: Option<u32>) -> Option<u32> {
        runs.fetch_add(1, Ordering::SeqCst);
        tokio::time::sleep(Duration::from_millis(50)).await;
        v
    }

    #[tokio::test]
    async fn a_thousand_askers_make_one_read() {
        let flights = Arc::new(Flights::<u32, Option<u32>>::new(KEEP, "test_runs_total"));
        let runs = Arc::new(AtomicU32::new(0));
        let mut tasks = Vec::new();
        for _ in 0..1000 {
            let (flights, runs) = (Arc::clone(&flights), Arc::clone(&runs));
            tasks.push(tokio::spawn(
                async move { flights.get(1, || slow(&runs, Some(7))).await },
            ));
        }
        for t in tasks {
            assert_eq!(t.await.unwrap(), Some(7));
        }
        assert_eq!((runs.load(Ordering::SeqCst), flights.runs()), (1, 1));
        // Asked again later (within keep): no second read; another key: its own.
        assert_eq!(flights.get(1, || slow(&runs, Some(8))).await, Some(7));
        assert_eq!(flights.get(2, || slow(&runs, Some(9))).await, Some(9));
        assert_eq!(runs.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn a_failure_is_shared_but_not_kept() {
        let flights = Flights::<u32, Option<u32>>::new(KEEP, "test_runs_total");
        let runs = AtomicU32::new(0);
        assert_eq!(flights.get(1, || slow(&runs, None)).await, None);
        assert_eq!(flights.get(1, || slow(&runs, Some(3))).await, Some(3));
        assert_eq!(runs.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn forgotten_results_are_read_again() {
        let flights = Flights::<u32, Option<u32>>::new(KEEP, "test_runs_total");
        let runs = AtomicU32::new(0);
        flights.get(1, || slow(&runs, Some(1))).await;
        flights.get(2, || slow(&runs, Some(2))).await;
        flights.forget(|k, _| *k == 1);
        assert_eq!(flights.get(1, || slow(&runs, Some(10))).await, Some(10));
        assert_eq!(flights.get(2, || slow(&runs, Some(20))).await, Some(2));
        assert_eq!(runs.load(Ordering::SeqCst), 3);
        // By value: those that read 10.
        flights.forget(|_, v| v == Some(&Some(10)));
        assert_eq!(flights.get(1, || slow(&runs, Some(11))).await, Some(11));
        assert_eq!(flights.get(2, || slow(&runs, Some(21))).await, Some(2));
        assert_eq!(runs.load(Ordering::SeqCst), 4);
    }

    #[test]
    fn a_result_serves_no_longer_than_keep() {
        let flights = Flights::<u32, Option<u32>>::new(KEEP, "test_runs_total");
        let now = Instant::now();
        let cell = flights.cell(1, now);
        cell.set(Some(1)).unwrap();
        assert!(Arc::ptr_eq(&cell, &flights.cell(1, now + KEEP / 2)));
        let again = flights.cell(1, now + KEEP);
        assert!(!Arc::ptr_eq(&cell, &again), "a result older than keep is read again");
    }

    fn len<K, V>(flights: &Flights<K, V>) -> usize {
        flights.kept.lock().unwrap().map.len()
    }

    #[test]
    fn bounded_whatever_comes_in() {
        let flights = Flights::<usize, Option<u32>>::new(KEEP, "test_runs_total");
        let now = Instant::now() + KEEP;
        flights.cell(0, now);
        for k in 1..=PRUNE_ABOVE + 10 {
            flights.cell(k, now + Duration::from_millis((k % 2) as u64));
        }
        // All fresh (and unanswered): nothing to drop, over the bound.
        assert_eq!(len(&flights), PRUNE_ABOVE + 11);
        // Once they are stale, the next ask drops them.
        flights.cell(0, now + 2 * KEEP);
        assert_eq!(len(&flights), 1, "stale ones dropped above the bound");
    }

    #[test]
    fn a_quiet_node_drops_what_went_stale() {
        let flights = Flights::<usize, Option<u32>>::new(KEEP, "test_runs_total");
        let now = Instant::now();
        for k in 0..100 {
            flights.cell(k, now);
        }
        flights.cell(1000, now + KEEP / 2);
        assert_eq!(len(&flights), 101, "nothing stale yet");
        flights.cell(1001, now + KEEP + KEEP / 4);
        assert_eq!(len(&flights), 2, "the stale ones dropped, once a keep went by");
    }
}
