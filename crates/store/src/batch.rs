//! Group commit: writes that arrive together share one transaction and one
//! sync to disk.
//!
//! An acknowledged write must be on disk (`synchronous = FULL` on SQLite,
//! PostgreSQL's default commit), and a sync costs the same for one write as
//! for a hundred. So one writer per [`crate::Store`], on a thread of its own
//! ([`Batcher::start`]), takes the writes queued while it was busy, runs
//! each inside a savepoint of one transaction, commits once, and only then
//! answers each. (A batch whose only writes are one [`Grouped`] group needs
//! no savepoint: if the group fails, the transaction is rolled back.)
//!
//! - A write that fails (refused by a rule, a conflict) is rolled back to its
//!   savepoint and answered at once with its own error; the others of the
//!   batch go on.
//! - If the transaction itself breaks (its rollback to a savepoint fails
//!   because the database rolled everything back, the commit fails: a full
//!   disk, a lost connection), every write of the batch that was waiting for
//!   the commit is answered with [`StoreError::Batch`] and the fault: none was
//!   acknowledged, so none is lost, and each may be tried again.
//! - Nothing waits for others to arrive: a write alone is committed at once;
//!   writes pile up only while the writer is busy, which is when sharing the
//!   sync pays. A batch stops taking writes after [`MAX_WRITES`] or
//!   [`MAX_WORK`], which bounds how long the first one waits.
//!
//! - Writes of one kind that arrive together can also be written together
//!   ([`Grouped`]): the writer hands all of a batch's writes of that kind to
//!   one function, which writes them with a few multi-row statements instead
//!   of a few statements each (message posts: `cercle_app::threads::posting`).
//!   Each statement is a round trip to the database (on SQLite, a hop to the
//!   driver's thread), and the writer is alone: statements per batch, not per
//!   write, are what let it keep up.
//!
//! A write runs on the writer's connection: it must not open another write
//! transaction (`Store::begin`) itself, which on SQLite waits for the same
//! single connection.

use crate::{Backend, Conn, Fault, StoreError};
use sqlx::{AnyPool, Connection};
use std::any::{Any, TypeId};
use std::future::Future;
use std::pin::Pin;
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, oneshot};
use tracing::Instrument;

/// What a write returns: a future borrowing the writer's connection.
pub type WriteFuture<'c, T, E> = Pin<Box<dyn Future<Output = Result<T, E>> + Send + 'c>>;

/// At most this many writes share one commit. Each batch pays a few
/// costs whatever its size (the commit's sync, the reads of the threads'
/// people for their notifications, a dozen statements): at the SQLite
/// ceiling, with 256, the batches were full and the writer was the limit
/// (docs/benchmarks.md section 32). The multi-row statements are cut in
/// chunks, so a larger batch never exceeds a statement's parameters.
pub const MAX_WRITES: usize = 1024;

/// A batch takes no more writes once its work has lasted this long, so the
/// first write of a batch waits at most about this (plus the commit).
pub const MAX_WORK: Duration = Duration::from_millis(5);

/// Writes queued for the writer; more wait to enter the queue.
const QUEUE: usize = 4096;

/// Answers a write that succeeded once the outcome of its commit is known.
pub type Answer = Box<dyn FnOnce(Result<(), StoreError>) + Send>;

/// What a group of writes returns: the answers to give once the commit's
/// outcome is known (the writes that were refused on their own were answered
/// already), and whether the group's statements all succeeded. On `Err`
/// the writer undoes the whole group and gives each answer the fault.
pub type GroupFuture<'c> = Pin<Box<dyn Future<Output = (Vec<Answer>, Result<(), Fault>)> + Send + 'c>>;

/// A write that is written together with the other writes of its kind
/// taken into the same batch. Each carries its own way to answer (a
/// channel).
pub trait Grouped: Send + Sized + 'static {
    /// Writes `all`, in the order they were queued, on the writer's
    /// connection, inside one savepoint.
    fn run_all(all: Vec<Self>, conn: &mut Conn) -> GroupFuture<'_>;
    /// Answers without writing (the writer could not start a batch).
    fn fail(self, e: StoreError);
}

/// A queued grouped write, its type erased.
trait Member: Send {
    fn kind(&self) -> TypeId;
    fn runner(&self) -> Runner;
    fn fail(self: Box<Self>, e: StoreError);
    fn into_any(self: Box<Self>) -> Box<dyn Any + Send>;
}

type Runner = for<'c> fn(Vec<Box<dyn Any + Send>>, &'c mut Conn) -> GroupFuture<'c>;

impl<G: Grouped> Member for G {
    fn kind(&self) -> TypeId {
        TypeId::of::<G>()
    }

    fn runner(&self) -> Runner {
        run_group::<G>
    }

    fn fail(self: Box<Self>, e: StoreError) {
        Grouped::fail(*self, e)
    }

    fn into_any(self: Box<Self>) -> Box<dyn Any + Send> {
        self
    }
}

fn run_group<G: Grouped>(members: Vec<Box<dyn Any + Send>>, conn: &mut Conn) -> GroupFuture<'_> {
    // Members are gathered by their type id, so each is a `G`.
    let all: Vec<G> = members
        .into_iter()
        .filter_map(|m| m.downcast::<G>().ok().map(|g| *g))
        .collect();
    G::run_all(all, conn)
}

/// A queued write, its type erased: the writer runs it or fails it.
trait Write: Send {
    /// Runs on the writer's connection (inside a savepoint). `None` when it
    /// failed and was answered already.
    fn run<'c>(self: Box<Self>, conn: &'c mut Conn) -> Pin<Box<dyn Future<Output = Option<Answer>> + Send + 'c>>;
    /// Answers without running it (the writer could not start a batch).
    fn fail(self: Box<Self>, e: StoreError);
}

struct Pending<F, T, E> {
    work: F,
    reply: oneshot::Sender<Result<T, E>>,
}

impl<F, T, E> Write for Pending<F, T, E>
where
    F: for<'c> FnOnce(&'c mut Conn) -> WriteFuture<'c, T, E> + Send + 'static,
    T: Send + 'static,
    E: From<StoreError> + Send + 'static,
{
    fn run<'c>(self: Box<Self>, conn: &'c mut Conn) -> Pin<Box<dyn Future<Output = Option<Answer>> + Send + 'c>> {
        let Pending { work, reply } = *self;
        Box::pin(async move {
            match work(conn).await {
                Ok(value) => Some(Box::new(move |committed: Result<(), StoreError>| {
                    let _ = reply.send(committed.map(|()| value).map_err(E::from));
                }) as Answer),
                Err(e) => {
                    let _ = reply.send(Err(e));
                    None
                }
            }
        })
    }

    fn fail(self: Box<Self>, e: StoreError) {
        let _ = self.reply.send(Err(E::from(e)));
    }
}

enum Job {
    One(Box<dyn Write>),
    Group(Box<dyn Member>),
}

impl Job {
    fn fail(self, e: StoreError) {
        match self {
            Job::One(w) => w.fail(e),
            Job::Group(m) => m.fail(e),
        }
    }
}

struct Queued {
    job: Job,
    since: Instant,
}

/// The grouped writes of one kind a batch took.
struct Group {
    kind: TypeId,
    runner: Runner,
    members: Vec<Box<dyn Member>>,
}

/// The groups of a batch, in the order their kinds were first seen.
#[derive(Default)]
struct Groups(Vec<Group>);

impl Groups {
    fn add(&mut self, m: Box<dyn Member>) {
        let kind = m.kind();
        match self.0.iter_mut().find(|g| g.kind == kind) {
            Some(g) => g.members.push(m),
            None => self.0.push(Group {
                kind,
                runner: m.runner(),
                members: vec![m],
            }),
        }
    }
}

/// How much one batch takes.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    pub writes: usize,
    pub work: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            writes: MAX_WRITES,
            work: MAX_WORK,
        }
    }
}

/// The handle to a store's writer task.
pub(crate) struct Batcher {
    queue: mpsc::Sender<Queued>,
}

impl Batcher {
    /// Starts the writer on a thread of its own, with a runtime of its own.
    /// It ends when every handle is dropped (and answers what is queued with
    /// an error if the pool was closed first).
    ///
    /// Why a thread: a batch is a chain of round trips to the database, and
    /// after each the writer must be woken to send the next. On the server's
    /// runtime that wake-up queued behind every request and every stream's
    /// frames (at 1,000 messages/s on PostgreSQL the one-row update of
    /// `event_head` took 0.33 ms as the writer saw it, 0.15 ms on its own
    /// thread: docs/benchmarks.md section 24); on its own thread the writer
    /// is woken at once, and its work (building statements, hashing the
    /// audit chain) runs beside the requests instead of among them.
    pub(crate) fn start(pool: AnyPool, backend: Backend, limits: Limits) -> std::io::Result<Batcher> {
        let (queue, rx) = mpsc::channel(QUEUE);
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
        std::thread::Builder::new()
            .name("cercle-writer".into())
            .spawn(move || runtime.block_on(run(pool, backend, limits, rx)))?;
        Ok(Batcher { queue })
    }

    /// Queues `work` and waits for its answer, given after its batch
    /// committed (or at once if it failed).
    pub(crate) async fn write<F, T, E>(&self, work: F) -> Result<T, E>
    where
        F: for<'c> FnOnce(&'c mut Conn) -> WriteFuture<'c, T, E> + Send + 'static,
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
    {
        let (reply, answer) = oneshot::channel();
        let queued = Queued {
            job: Job::One(Box::new(Pending { work, reply })),
            since: Instant::now(),
        };
        if self.queue.send(queued).await.is_err() {
            return Err(E::from(StoreError::Db(sqlx::Error::PoolClosed)));
        }
        // The writer answers every write it takes; a dropped reply means
        // its task ended (the runtime is shutting down).
        answer
            .await
            .unwrap_or_else(|_| Err(E::from(StoreError::Db(sqlx::Error::PoolClosed))))
    }

    /// Queues a grouped write; it answers through what it carries.
    pub(crate) async fn write_grouped<G: Grouped>(&self, write: G) {
        let queued = Queued {
            job: Job::Group(Box::new(write)),
            since: Instant::now(),
        };
        if let Err(mpsc::error::SendError(q)) = self.queue.send(queued).await {
            q.job.fail(StoreError::Db(sqlx::Error::PoolClosed));
        }
    }
}

async fn run(pool: AnyPool, backend: Backend, limits: Limits, mut rx: mpsc::Receiver<Queued>) {
    while let Some(first) = rx.recv().await {
        let conn = crate::bounded(backend, &pool, pool.acquire()).await;
        match conn {
            // The statements of a batch carry the span `writer` (sqlx's
            // statement log, filter `sqlx::query=debug,cercle_store::batch=debug`,
            // tells them from the reads: docs/benchmarks.md section 18).
            Ok(mut conn) => {
                batch(&mut conn, first, &mut rx, limits)
                    .instrument(tracing::debug_span!("writer"))
                    .await
            }
            Err(e) => first.job.fail(e),
        }
    }
}

/// Runs `first` and whatever else is queued (within the bounds) in one
/// transaction, commits, answers.
async fn batch(conn: &mut Conn, first: Queued, rx: &mut mpsc::Receiver<Queued>, limits: Limits) {
    let started = Instant::now();
    let mut tx = match conn.begin().await {
        Ok(tx) => tx,
        Err(e) => return first.job.fail(e.into()),
    };
    let mut waiting: Vec<Answer> = Vec::new();
    let mut groups = Groups::default();
    let mut taken = 0usize;
    let mut next = Some(first);
    // Set when the transaction can no longer be committed.
    let mut broken: Option<Fault> = None;
    while let Some(q) = next.take() {
        taken += 1;
        metrics::histogram!("cercle_write_queue_wait_seconds").record(q.since.elapsed().as_secs_f64());
        match q.job {
            // Written with the others of its kind once the batch is taken.
            Job::Group(m) => groups.add(m),
            Job::One(write) => {
                if let Err(fault) = one(&mut tx, write, &mut waiting).await {
                    broken = Some(fault);
                    break;
                }
            }
        }
        if taken >= limits.writes || started.elapsed() >= limits.work {
            break;
        }
        next = rx.try_recv().ok();
    }
    // A group with nothing else to keep in the transaction needs no
    // savepoint of its own (two round trips fewer): if it fails, the whole
    // transaction is rolled back instead, which undoes exactly the group.
    if broken.is_none() && waiting.is_empty() && groups.0.len() == 1 {
        if let Some(Group { runner, members, .. }) = groups.0.pop() {
            return alone(tx, runner, members, taken).await;
        }
    }
    for Group { runner, members, .. } in groups.0 {
        if let Some(fault) = broken {
            // Not written: each learns the batch was not kept.
            for m in members {
                m.fail(StoreError::Batch(fault));
            }
            continue;
        }
        if let Err(fault) = group(&mut tx, runner, members, &mut waiting).await {
            broken = Some(fault);
        }
    }
    let outcome = match broken {
        Some(fault) => Err(fault),
        None => commit(tx, waiting.len()).await,
    };
    metrics::histogram!("cercle_write_batch_size").record(taken as f64);
    for answer in waiting {
        answer(outcome.map_err(StoreError::Batch));
    }
}

/// Runs the only group of a batch directly in its transaction, commits,
/// answers.
async fn alone(mut tx: sqlx::Transaction<'_, sqlx::Any>, runner: Runner, members: Vec<Box<dyn Member>>, taken: usize) {
    metrics::histogram!("cercle_write_group_size").record(members.len() as f64);
    metrics::histogram!("cercle_write_batch_size").record(taken as f64);
    let members = members.into_iter().map(Member::into_any).collect();
    let (answers, outcome) = runner(members, &mut tx).await;
    let outcome = match outcome {
        Ok(()) => commit(tx, answers.len()).await,
        Err(fault) => {
            tracing::warn!(
                ?fault,
                writes = answers.len(),
                "a group of writes failed and was undone"
            );
            if let Err(e) = tx.rollback().await {
                tracing::warn!(error = %e, "the rollback of a failed group failed");
            }
            Err(fault)
        }
    };
    for answer in answers {
        answer(outcome.map_err(StoreError::Batch));
    }
}

/// Commits a batch's transaction.
async fn commit(tx: sqlx::Transaction<'_, sqlx::Any>, writes: usize) -> Result<(), Fault> {
    let started = Instant::now();
    let r = tx.commit().await;
    metrics::histogram!("cercle_write_commit_seconds").record(started.elapsed().as_secs_f64());
    r.map_err(|e| {
        tracing::warn!(error = %e, writes, "a batch's commit failed");
        Fault::of(&e)
    })
}

/// Runs one write in a savepoint; its answer joins `waiting` if it
/// succeeded. `Err` when the transaction can no longer be committed.
async fn one(tx: &mut Conn, write: Box<dyn Write>, waiting: &mut Vec<Answer>) -> Result<(), Fault> {
    let mut savepoint = match Connection::begin(&mut *tx).await {
        Ok(s) => s,
        Err(e) => {
            let fault = Fault::of(&e);
            write.fail(e.into());
            return Err(fault);
        }
    };
    match write.run(&mut savepoint).await {
        Some(answer) => match savepoint.commit().await {
            Ok(()) => waiting.push(answer),
            Err(e) => {
                let fault = Fault::of(&e);
                answer(Err(e.into()));
                return Err(fault);
            }
        },
        // Answered already; its changes go, the batch's stay. If even
        // that fails, the database rolled the whole transaction back.
        None => {
            if let Err(e) = savepoint.rollback().await {
                tracing::warn!(error = %e, "a write's rollback to its savepoint failed; the batch is dropped");
                return Err(Fault::Unavailable);
            }
        }
    }
    Ok(())
}

/// Runs a group of writes of one kind in a savepoint; their answers join
/// `waiting`, or get the fault at once if the group failed (and is undone).
/// `Err` when the transaction can no longer be committed.
async fn group(
    tx: &mut Conn,
    runner: Runner,
    members: Vec<Box<dyn Member>>,
    waiting: &mut Vec<Answer>,
) -> Result<(), Fault> {
    let mut savepoint = match Connection::begin(&mut *tx).await {
        Ok(s) => s,
        Err(e) => {
            let fault = Fault::of(&e);
            for m in members {
                m.fail(StoreError::Batch(fault));
            }
            return Err(fault);
        }
    };
    metrics::histogram!("cercle_write_group_size").record(members.len() as f64);
    let members = members.into_iter().map(Member::into_any).collect();
    let (answers, outcome) = runner(members, &mut savepoint).await;
    match outcome {
        Ok(()) => match savepoint.commit().await {
            Ok(()) => {
                waiting.extend(answers);
                Ok(())
            }
            Err(e) => {
                let fault = Fault::of(&e);
                for answer in answers {
                    answer(Err(StoreError::Batch(fault)));
                }
                Err(fault)
            }
        },
        Err(fault) => {
            tracing::warn!(
                ?fault,
                writes = answers.len(),
                "a group of writes failed and was undone"
            );
            for answer in answers {
                answer(Err(StoreError::Batch(fault)));
            }
            // Undone; the batch goes on, unless the database rolled the
            // whole transaction back.
            match savepoint.rollback().await {
                Ok(()) => Ok(()),
                Err(e) => {
                    tracing::warn!(error = %e, "a group's rollback to its savepoint failed; the batch is dropped");
                    Err(Fault::Unavailable)
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Batcher, Limits};
    use crate::{Fault, Store, StoreError};
    use sqlx::Executor;
    use std::time::Duration;
    use tokio::sync::oneshot;

    /// A store whose batches take any number of writes for 10 s, so that
    /// what a test queues while the writer is held joins one batch.
    async fn store(name: &str) -> (Store, std::path::PathBuf) {
        let dir = std::env::temp_dir().join(format!("cercle-batch-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let mut store = Store::open(&format!("sqlite://{}", dir.join("t.db").display()))
            .await
            .unwrap();
        let limits = Limits {
            writes: 1000,
            work: Duration::from_secs(10),
        };
        store.batcher = std::sync::Arc::new(Batcher::start(store.write.clone(), store.backend, limits).unwrap());
        let mut conn = store.reader().await.unwrap();
        conn.execute(
            "CREATE TABLE parents (id TEXT PRIMARY KEY);
             CREATE TABLE notes (id TEXT PRIMARY KEY,
                 parent TEXT REFERENCES parents(id) DEFERRABLE INITIALLY DEFERRED)",
        )
        .await
        .unwrap();
        (store, dir)
    }

    async fn insert(conn: &mut crate::Conn, id: &str) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO notes (id) VALUES ($1)")
            .bind(id.to_string())
            .execute(&mut *conn)
            .await
            .map_err(crate::conflict)?;
        Ok(())
    }

    async fn ids(store: &Store) -> Vec<String> {
        let mut conn = store.reader().await.unwrap();
        sqlx::query_scalar("SELECT id FROM notes ORDER BY id")
            .fetch_all(&mut *conn)
            .await
            .unwrap()
    }

    /// A write that keeps the writer busy until `gate` opens, so that the
    /// writes queued meanwhile join its batch.
    fn held_write(store: &Store, gate: oneshot::Receiver<()>) -> tokio::task::JoinHandle<Result<(), StoreError>> {
        let store = store.clone();
        tokio::spawn(async move {
            store
                .write(move |conn| {
                    Box::pin(async move {
                        insert(conn, "a").await?;
                        let _ = tokio::time::timeout(Duration::from_secs(10), gate).await;
                        Ok(())
                    })
                })
                .await
        })
    }

    fn queued(store: &Store, id: &'static str, refuse: bool) -> tokio::task::JoinHandle<Result<(), StoreError>> {
        let store = store.clone();
        tokio::spawn(async move {
            store
                .write(move |conn| {
                    Box::pin(async move {
                        insert(conn, id).await?;
                        if refuse {
                            return Err(StoreError::Conflict);
                        }
                        Ok(())
                    })
                })
                .await
        })
    }

    /// Lets the spawned writes reach the queue.
    async fn settle() {
        for _ in 0..50 {
            tokio::task::yield_now().await;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    #[tokio::test]
    async fn a_refused_write_leaves_the_others_of_its_batch() {
        let (store, dir) = store("refused").await;
        let (open, gate) = oneshot::channel();
        let a = held_write(&store, gate);
        settle().await;
        let b = queued(&store, "b", false);
        let c = queued(&store, "c", true);
        let dup = queued(&store, "a", false);
        let d = queued(&store, "d", false);
        settle().await;
        // Nothing is visible before the batch commits.
        assert!(ids(&store).await.is_empty());
        open.send(()).unwrap();
        a.await.unwrap().unwrap();
        b.await.unwrap().unwrap();
        assert!(matches!(c.await.unwrap(), Err(StoreError::Conflict)));
        assert!(
            matches!(dup.await.unwrap(), Err(StoreError::Conflict)),
            "a duplicate is refused alone"
        );
        d.await.unwrap().unwrap();
        assert_eq!(ids(&store).await, ["a", "b", "d"]);
        store.close().await;
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// A grouped write for the tests: notes inserted in one statement for
    /// the whole group; `refuse` ones are answered alone and left out.
    struct Note {
        id: &'static str,
        refuse: bool,
        reply: oneshot::Sender<Result<(), StoreError>>,
    }

    impl super::Grouped for Note {
        fn run_all(all: Vec<Note>, conn: &mut crate::Conn) -> super::GroupFuture<'_> {
            Box::pin(async move {
                let mut kept = Vec::new();
                for n in all {
                    if n.refuse {
                        let _ = n.reply.send(Err(StoreError::Conflict));
                    } else {
                        kept.push(n);
                    }
                }
                let sql = format!(
                    "INSERT INTO notes (id) VALUES {} RETURNING id",
                    vec!["(?)"; kept.len()].join(", ")
                );
                let mut q = sqlx::query_scalar::<_, String>(&sql);
                for n in &kept {
                    q = q.bind(n.id);
                }
                let outcome = q.fetch_all(&mut *conn).await.map(|_| ()).map_err(|e| Fault::of(&e));
                let answers = kept
                    .into_iter()
                    .map(|n| {
                        Box::new(move |r: Result<(), StoreError>| {
                            let _ = n.reply.send(r);
                        }) as super::Answer
                    })
                    .collect();
                (answers, outcome)
            })
        }

        fn fail(self, e: StoreError) {
            let _ = self.reply.send(Err(e));
        }
    }

    fn grouped(store: &Store, id: &'static str, refuse: bool) -> oneshot::Receiver<Result<(), StoreError>> {
        let (reply, answer) = oneshot::channel();
        let store = store.clone();
        tokio::spawn(async move { store.write_grouped(Note { id, refuse, reply }).await });
        answer
    }

    #[tokio::test]
    async fn grouped_writes_are_written_together_and_a_refused_one_alone() {
        let (store, dir) = store("grouped").await;
        let (open, gate) = oneshot::channel();
        let a = held_write(&store, gate);
        settle().await;
        let g1 = grouped(&store, "g1", false);
        let b = queued(&store, "b", false);
        let no = grouped(&store, "no", true);
        let g2 = grouped(&store, "g2", false);
        settle().await;
        assert!(ids(&store).await.is_empty());
        open.send(()).unwrap();
        a.await.unwrap().unwrap();
        b.await.unwrap().unwrap();
        g1.await.unwrap().unwrap();
        g2.await.unwrap().unwrap();
        assert!(matches!(no.await.unwrap(), Err(StoreError::Conflict)));
        assert_eq!(ids(&store).await, ["a", "b", "g1", "g2"]);
        store.close().await;
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[tokio::test]
    async fn a_failed_group_is_undone_alone_and_the_batch_keeps_the_rest() {
        let (store, dir) = store("group-fails").await;
        let (open, gate) = oneshot::channel();
        let a = held_write(&store, gate);
        settle().await;
        let g1 = grouped(&store, "g1", false);
        // The same id as the held write: the group's one insert fails.
        let dup = grouped(&store, "a", false);
        let b = queued(&store, "b", false);
        settle().await;
        open.send(()).unwrap();
        a.await.unwrap().unwrap();
        b.await.unwrap().unwrap();
        for g in [g1, dup] {
            let r = g.await.unwrap();
            assert!(
                matches!(r, Err(StoreError::Batch(_))),
                "the group's writes learn they were not kept: {r:?}"
            );
        }
        assert_eq!(ids(&store).await, ["a", "b"]);
        // The writer goes on; a later group is written.
        grouped(&store, "g3", false).await.unwrap().unwrap();
        assert_eq!(ids(&store).await, ["a", "b", "g3"]);
        store.close().await;
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// A group alone in its batch runs without a savepoint: when it fails,
    /// the transaction is rolled back instead, and the writer goes on.
    #[tokio::test]
    async fn a_failed_group_alone_in_its_batch_is_rolled_back() {
        let (store, dir) = store("group-alone").await;
        grouped(&store, "a", false).await.unwrap().unwrap();
        assert_eq!(ids(&store).await, ["a"]);
        let r = grouped(&store, "a", false).await.unwrap();
        assert!(matches!(r, Err(StoreError::Batch(_))), "{r:?}");
        // The connection came back clean: the next batch commits.
        grouped(&store, "g2", false).await.unwrap().unwrap();
        queued(&store, "b", false).await.unwrap().unwrap();
        assert_eq!(ids(&store).await, ["a", "b", "g2"]);
        store.close().await;
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[tokio::test]
    async fn a_failed_commit_answers_every_write_and_keeps_none() {
        let (store, dir) = store("commit").await;
        let (open, gate) = oneshot::channel();
        let a = held_write(&store, gate);
        settle().await;
        let b = queued(&store, "b", false);
        // Checked at commit only (deferred): the whole batch's commit fails.
        let orphan = {
            let store = store.clone();
            tokio::spawn(async move {
                store
                    .write(move |conn| {
                        Box::pin(async move {
                            sqlx::query("INSERT INTO notes (id, parent) VALUES ('o', 'nobody')")
                                .execute(&mut *conn)
                                .await?;
                            Ok::<(), StoreError>(())
                        })
                    })
                    .await
            })
        };
        settle().await;
        open.send(()).unwrap();
        for w in [a, b, orphan] {
            let r = w.await.unwrap();
            assert!(
                matches!(r, Err(StoreError::Batch(Fault::Other))),
                "every write of the batch learns it was not kept: {r:?}"
            );
        }
        assert!(ids(&store).await.is_empty());
        // The writer goes on with the next batch.
        queued(&store, "e", false).await.unwrap().unwrap();
        assert_eq!(ids(&store).await, ["e"]);
        store.close().await;
        let _ = std::fs::remove_dir_all(&dir);
    }
}
