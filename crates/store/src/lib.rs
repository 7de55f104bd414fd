//! Storage for Cercle on SQLite or PostgreSQL.
//!
//! The backend is chosen once, from the URL scheme, when the [`Store`] is
//! opened; every query below is portable SQL run through sqlx's `Any` driver,
//! so nothing downstream branches on the backend. Queries are grouped by
//! aggregate (one module each) as functions over a connection, so a service can
//! run several of them in one transaction.

pub mod audit;
pub mod availability;
pub mod batch;
pub mod calls;
pub mod channels;
pub mod circle;
pub mod codes;
pub mod connect_codes;
pub mod devices;
pub mod events;
pub mod idempotency;
mod inline;
pub mod members;
pub mod migrate;
pub mod network;
pub mod notifications;
pub mod orgs;
pub mod outbox;
mod params;
pub mod patients;
pub mod profiles;
pub mod push;
pub mod rate_limits;
pub mod search;
pub mod service_accounts;
pub mod sessions;
pub mod smart;
pub mod teams;
pub mod threads;
pub mod users;

use sqlx::any::{install_default_drivers, AnyPoolOptions};
use sqlx::{AnyPool, Connection, Executor};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

pub use sqlx::AnyConnection as Conn;
pub type Tx = sqlx::Transaction<'static, sqlx::Any>;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("already exists")]
    Conflict,
    #[error("unsupported database URL (use sqlite: or postgres:)")]
    UnsupportedUrl,
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
    /// A migration failed, or one already applied was changed since.
    #[error("migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// The shared transaction of a group commit ([`batch`]) failed with this
    /// fault after this write had succeeded inside it: the write was not
    /// kept (the cause is logged once, by the writer).
    #[error("the batch this write belonged to was not committed")]
    Batch(Fault),
}

pub type Result<T> = std::result::Result<T, StoreError>;

/// What a failed database call means for the person who asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// The disk (or the SQLite page limit) is full: nothing can be written
    /// until space is freed; reads still work. SQLite `SQLITE_FULL`,
    /// PostgreSQL `53100 disk_full`.
    StorageFull,
    /// The database cannot be reached or cannot do its I/O right now: the
    /// server is down or restarting, a connection was lost, no connection
    /// came within [`CONNECT_WAIT`], an I/O error, a lock held too long.
    /// Worth trying again later.
    Unavailable,
    /// Anything else (a constraint, a bug): an internal error.
    Other,
}

impl Fault {
    /// Classifies a sqlx error by its kind and, for database errors, by
    /// SQLite's result code or PostgreSQL's SQLSTATE.
    pub fn of(e: &sqlx::Error) -> Fault {
        use sqlx::Error as E;
        match e {
            E::Io(_) | E::Tls(_) | E::Protocol(_) | E::PoolTimedOut | E::PoolClosed | E::WorkerCrashed => {
                Fault::Unavailable
            }
            E::Database(db) => {
                if let Some(pg) = db.try_downcast_ref::<sqlx::postgres::PgDatabaseError>() {
                    return Fault::of_sqlstate(pg.code());
                }
                match db.code() {
                    Some(code) if db.try_downcast_ref::<sqlx::sqlite::SqliteError>().is_some() => {
                        code.parse::<i32>().map_or(Fault::Other, Fault::of_sqlite_code)
                    }
                    Some(code) => Fault::of_sqlstate(&code),
                    None => Fault::Other,
                }
            }
            _ => Fault::Other,
        }
    }

    /// SQLite (extended) result codes: the primary code is the low byte.
    fn of_sqlite_code(code: i32) -> Fault {
        match code & 0xff {
            // SQLITE_FULL
            13 => Fault::StorageFull,
            // SQLITE_BUSY, SQLITE_LOCKED, SQLITE_NOMEM, SQLITE_READONLY,
            // SQLITE_IOERR, SQLITE_CANTOPEN
            5 | 6 | 7 | 8 | 10 | 14 => Fault::Unavailable,
            _ => Fault::Other,
        }
    }

    /// PostgreSQL SQLSTATE codes.
    fn of_sqlstate(code: &str) -> Fault {
        match code {
            "53100" => Fault::StorageFull,
            // Connection exceptions, insufficient resources, the server
            // shutting down or starting, a read-only standby, an I/O error.
            c if c.starts_with("08") || c.starts_with("53") || c.starts_with("57P") => Fault::Unavailable,
            "25006" | "58030" => Fault::Unavailable,
            _ => Fault::Other,
        }
    }
}

impl StoreError {
    pub fn fault(&self) -> Fault {
        match self {
            StoreError::Db(e) => Fault::of(e),
            StoreError::Migrate(sqlx::migrate::MigrateError::Execute(e)) => Fault::of(e),
            StoreError::Batch(fault) => *fault,
            _ => Fault::Other,
        }
    }
}

/// How long a request waits for a new database connection (PostgreSQL)
/// before it is answered "database unavailable". Waiting for a connection
/// of a pool whose connections are all busy (the database answers, the
/// node is loaded) is bounded by [`BUSY_WAIT`] instead.
pub const CONNECT_WAIT: Duration = Duration::from_secs(1);

/// How long a request waits for a busy pool's next free connection (and,
/// on SQLite, for the single writer).
pub const BUSY_WAIT: Duration = Duration::from_secs(10);

/// Connections per PostgreSQL pool.
const PG_CONNECTIONS: u32 = 16;

/// Prepared statements kept per connection of the group-commit writer on
/// PostgreSQL (sqlx's default is 100). The writer's multi-row statements
/// have one text per row count (a batch of 7 posts is another statement
/// than one of 8), so a few hundred texts are in use; with the default,
/// they pushed each other out and most statements were parsed and
/// planned again (an extra round trip each).
const PG_WRITER_STATEMENTS: usize = 2000;

/// SQLite's own ceiling for `max_page_count` (its default).
const SQLITE_MAX_PAGE_COUNT: u64 = 4_294_967_294;

/// Turns a unique-constraint violation into [`StoreError::Conflict`].
pub(crate) fn conflict(e: sqlx::Error) -> StoreError {
    match &e {
        sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict,
        _ => StoreError::Db(e),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn from_url(url: &str) -> Result<Backend> {
        if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Ok(Backend::Postgres)
        } else {
            Err(StoreError::UnsupportedUrl)
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// The database. On SQLite, writes go through a pool of one connection (one
/// writer, no lock upgrades, no `SQLITE_BUSY` between our own writers) and
/// reads through a separate pool, all in WAL mode. On PostgreSQL both are the
/// same pool.
#[derive(Clone)]
pub struct Store {
    read: AnyPool,
    write: AnyPool,
    backend: Backend,
    /// For connections outside the pools (PostgreSQL LISTEN).
    url: String,
    /// SQLite: the writer's `max_page_count` (0: SQLite's own limit), kept
    /// here so that a writer connection opened later gets it too.
    page_limit: Arc<AtomicU64>,
    /// The group-commit writer ([`batch`]): on SQLite the write pool; on
    /// PostgreSQL a pool of its own with one connection, so that a batch
    /// never waits behind the readers for a connection of the shared pool
    /// (it did, under load: every post's checks and every stream's reads
    /// queue there).
    batch_pool: AnyPool,
    /// The event dispatcher's reads of the log (`events_reader`): a pool of
    /// its own with one connection, so that delivering what was committed
    /// never waits behind the requests' reads for a connection of the
    /// shared pool (it did, under load: tens of milliseconds at 1,000
    /// messages/s on PostgreSQL, docs/benchmarks.md section 33).
    events: AnyPool,
    batcher: Arc<batch::Batcher>,
    /// SQLite: the reads of every message post, on the caller's thread
    /// ([`inline`]); `None` on PostgreSQL and for an in-memory database.
    inline: Option<Arc<inline::Inline>>,
}

impl Store {
    pub async fn open(url: &str) -> Result<Store> {
        install_default_drivers();
        let backend = Backend::from_url(url)?;
        let store = match backend {
            Backend::Sqlite => {
                let url = if url.contains('?') {
                    url.to_string()
                } else {
                    format!("{url}?mode=rwc")
                };
                let page_limit = Arc::new(AtomicU64::new(0));
                let write = sqlite_pool(&url, 1, Some(page_limit.clone())).await?;
                let read = sqlite_pool(&url, 4, None).await?;
                let events = sqlite_pool(&url, 1, None).await?;
                Store {
                    read,
                    events,
                    batcher: Arc::new(
                        batch::Batcher::start(write.clone(), backend, batch::Limits::default())
                            .map_err(sqlx::Error::Io)?,
                    ),
                    batch_pool: write.clone(),
                    write,
                    backend,
                    inline: inline::Inline::for_url(&url).map(Arc::new),
                    url: url.to_string(),
                    page_limit,
                }
            }
            Backend::Postgres => {
                let pool = pg_pool(PG_CONNECTIONS).connect(url).await?;
                let options = <sqlx::any::AnyConnectOptions as std::str::FromStr>::from_str(&writer_url(url))?;
                let batch_pool = pg_pool(1).connect_lazy_with(options);
                let events = pg_pool(1).connect_lazy(url)?;
                Store {
                    read: pool.clone(),
                    events,
                    batcher: Arc::new(
                        batch::Batcher::start(batch_pool.clone(), backend, batch::Limits::default())
                            .map_err(sqlx::Error::Io)?,
                    ),
                    batch_pool,
                    write: pool,
                    backend,
                    url: url.to_string(),
                    page_limit: Arc::new(AtomicU64::new(0)),
                    inline: None,
                }
            }
        };
        Ok(store)
    }

    async fn bounded<T>(
        &self,
        pool: &AnyPool,
        get: impl std::future::Future<Output = std::result::Result<T, sqlx::Error>>,
    ) -> Result<T> {
        bounded(self.backend, pool, get).await
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Listens for other nodes' events (PostgreSQL `LISTEN cercle_events`).
    pub async fn listen_events(&self) -> Result<sqlx::postgres::PgListener> {
        let mut listener = sqlx::postgres::PgListener::connect(&self.url).await?;
        listener.listen("cercle_events").await?;
        Ok(listener)
    }

    /// Starts a write transaction.
    pub async fn begin(&self) -> Result<Tx> {
        self.bounded(&self.write, self.write.begin()).await
    }

    /// Runs `work` in a write transaction shared with the other writes
    /// queued at the same time (group commit, [`batch`]): it returns once
    /// the transaction committed, so an `Ok` is on disk. `work` runs inside
    /// a savepoint: its error undoes its own changes only.
    pub async fn write<F, T, E>(&self, work: F) -> std::result::Result<T, E>
    where
        F: for<'c> FnOnce(&'c mut Conn) -> batch::WriteFuture<'c, T, E> + Send + 'static,
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
    {
        self.batcher.write(work).await
    }

    /// Queues a write that is written together with the other writes of
    /// its kind of the same batch ([`batch::Grouped`]). It answers through
    /// what it carries, once the transaction committed.
    pub async fn write_grouped<G: batch::Grouped>(&self, write: G) {
        self.batcher.write_grouped(write).await
    }

    /// A connection for reads that need no transaction.
    pub async fn reader(&self) -> Result<sqlx::pool::PoolConnection<sqlx::Any>> {
        self.bounded(&self.read, self.read.acquire()).await
    }

    /// The connection of the node's event dispatcher, for its reads of the
    /// log: one of its own, never waiting behind the requests' reads. Only
    /// the dispatcher takes it (one read at a time); a reader catching up
    /// on the log goes through [`Store::reader`].
    pub async fn events_reader(&self) -> Result<sqlx::pool::PoolConnection<sqlx::Any>> {
        self.bounded(&self.events, self.events.acquire()).await
    }

    /// The session a token belongs to, with its account
    /// ([`sessions::with_user_by_token_hash`]): on SQLite, read on this
    /// thread when it can be ([`inline`]), else through the pool.
    pub async fn session_with_user(&self, token_hash: &str) -> Result<Option<(sessions::SessionRow, users::UserRow)>> {
        self.read_here_or_pool(
            |c| sessions::with_user_inline(c, token_hash),
            async |conn| sessions::with_user_by_token_hash(conn, token_hash).await,
        )
        .await
    }

    /// What a message post needs to know ([`threads::post_facts`]): on
    /// SQLite, read on this thread when it can be ([`inline`]), else
    /// through the pool.
    pub async fn post_facts(
        &self,
        thread_id: cercle_domain::ThreadId,
        user_id: cercle_domain::UserId,
    ) -> Result<Option<threads::PostFacts>> {
        self.read_here_or_pool(
            |c| threads::post_facts_inline(c, thread_id, user_id),
            async |conn| threads::post_facts(conn, thread_id, user_id).await,
        )
        .await
    }

    /// `here` on this thread ([`inline`], SQLite), else `pool` on a reader:
    /// the same read by either driver.
    async fn read_here_or_pool<T>(
        &self,
        here: impl FnOnce(&rusqlite::Connection) -> rusqlite::Result<T>,
        pool: impl AsyncFnOnce(&mut Conn) -> Result<T>,
    ) -> Result<T> {
        if let Some(found) = self.inline.as_ref().and_then(|i| i.read(here)) {
            return Ok(found);
        }
        let mut conn = self.reader().await?;
        pool(&mut conn).await
    }

    /// A read-only transaction that sees one snapshot of the database from
    /// its first read to its end (PostgreSQL `REPEATABLE READ READ ONLY`;
    /// on SQLite in WAL mode, any read transaction). For reads that must be
    /// consistent with each other across several statements, such as
    /// walking the audit chain while others append to it. Drop it (or
    /// commit it) when done: a long snapshot keeps old row versions (and on
    /// SQLite, the WAL) from being reclaimed meanwhile.
    pub async fn read_snapshot(&self) -> Result<Tx> {
        let mut tx = self.bounded(&self.read, self.read.begin()).await?;
        if self.backend == Backend::Postgres {
            tx.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                .await?;
        }
        Ok(tx)
    }

    pub async fn ping(&self) -> Result<()> {
        let mut conn = self.reader().await?;
        conn.execute("SELECT 1").await?;
        Ok(())
    }

    /// Operations and tests: caps the SQLite database at `pages` pages
    /// (`PRAGMA max_page_count` on the writer connection, now and on any
    /// writer connection opened later), so that writes fail as on a full
    /// disk once it is reached; `None` lifts the cap. A cap below the
    /// current size is raised to it by SQLite. Does nothing on PostgreSQL.
    pub async fn set_sqlite_page_limit(&self, pages: Option<u64>) -> Result<()> {
        if self.backend != Backend::Sqlite {
            return Ok(());
        }
        self.page_limit.store(pages.unwrap_or(0), Ordering::SeqCst);
        let mut conn = self.write.acquire().await?;
        let n = pages.unwrap_or(SQLITE_MAX_PAGE_COUNT);
        sqlx::query(&format!("PRAGMA max_page_count = {n}"))
            .fetch_all(&mut *conn)
            .await?;
        Ok(())
    }

    /// The SQLite database's size in pages (0 on PostgreSQL).
    pub async fn sqlite_page_count(&self) -> Result<u64> {
        if self.backend != Backend::Sqlite {
            return Ok(0);
        }
        let mut conn = self.write.acquire().await?;
        let n: i64 = sqlx::Row::try_get(&sqlx::query("PRAGMA page_count").fetch_one(&mut *conn).await?, 0)?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    pub async fn migrate(&self) -> Result<Vec<i64>> {
        let mut conn = self.bounded(&self.write, self.write.acquire()).await?;
        migrate::run(&mut conn).await
    }

    /// Writes a consistent copy of a SQLite database to `path` while it is in
    /// use (`VACUUM INTO` reads one snapshot).
    pub async fn snapshot_sqlite(&self, path: &str) -> Result<()> {
        if self.backend != Backend::Sqlite {
            return Err(StoreError::UnsupportedUrl);
        }
        let quoted = path.replace('\'', "''");
        self.read.execute(format!("VACUUM INTO '{quoted}'").as_str()).await?;
        Ok(())
    }

    pub async fn close(&self) {
        if let Some(inline) = &self.inline {
            inline.close();
        }
        self.batch_pool.close().await;
        self.write.close().await;
        self.read.close().await;
        self.events.close().await;
    }
}

/// The options of a PostgreSQL pool of at most `max` connections: the
/// shared one, the writer's and the dispatcher's.
fn pg_pool(max: u32) -> AnyPoolOptions {
    AnyPoolOptions::new()
        .max_connections(max)
        .acquire_timeout(BUSY_WAIT)
        // sqlx queues the rollback of a dropped transaction and counts it
        // done at once; a connection that still counts one open is not
        // given to anyone else.
        .after_release(|conn, _meta| Box::pin(async move { Ok(!conn.is_in_transaction()) }))
}

/// The group-commit writer's PostgreSQL URL: `url` with a larger cache of
/// prepared statements ([`PG_WRITER_STATEMENTS`]), unless it sets one.
fn writer_url(url: &str) -> String {
    if url.contains("statement-cache-capacity=") {
        return url.to_string();
    }
    let joint = if url.contains('?') { '&' } else { '?' };
    format!("{url}{joint}statement-cache-capacity={PG_WRITER_STATEMENTS}")
}

/// Takes a connection of `pool` (and maybe begins on it) with `get`. On
/// PostgreSQL, a request does not wait more than [`CONNECT_WAIT`] when a
/// connection has to be opened (the database is down: answer
/// "unavailable" quickly instead of hanging); when every connection is
/// busy serving others, it waits its turn (up to [`BUSY_WAIT`]). SQLite's
/// pools never need the network.
pub(crate) async fn bounded<T>(
    backend: Backend,
    pool: &AnyPool,
    get: impl std::future::Future<Output = std::result::Result<T, sqlx::Error>>,
) -> Result<T> {
    let busy = pool.size() >= PG_CONNECTIONS && pool.num_idle() == 0;
    if backend == Backend::Sqlite || busy {
        return Ok(get.await?);
    }
    match tokio::time::timeout(CONNECT_WAIT, get).await {
        Ok(r) => Ok(r?),
        Err(_) => Err(StoreError::Db(sqlx::Error::PoolTimedOut)),
    }
}

/// Never prints the database password (a `Store` may end up in a log line).
impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("backend", &self.backend)
            .field("url", &masked_url(&self.url))
            .finish_non_exhaustive()
    }
}

/// A database URL with its password masked: `postgres://user:****@host/db`,
/// and `password=****` in the query.
pub fn masked_url(url: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let mut out = match base.find("://") {
        Some(s) => {
            let rest = &base[s + 3..];
            // A PostgreSQL password may hold an unencoded `/`: look for its
            // end in the whole URL there; elsewhere in the authority only.
            let authority_end = if base.starts_with("postgres") {
                rest.len()
            } else {
                rest.find('/').unwrap_or(rest.len())
            };
            match rest[..authority_end].rfind('@') {
                Some(at) => {
                    let user = rest[..at].split(':').next().unwrap_or("");
                    format!("{}://{user}:****{}", &base[..s], &rest[at..])
                }
                None => base.to_string(),
            }
        }
        None => base.to_string(),
    };
    if let Some(q) = query {
        let masked: Vec<String> = q
            .split('&')
            .map(|kv| match kv.split_once('=') {
                Some((k, _)) if k.to_ascii_lowercase().contains("password") => format!("{k}=****"),
                _ => kv.to_string(),
            })
            .collect();
        out.push('?');
        out.push_str(&masked.join("&"));
    }
    out
}

async fn sqlite_pool(url: &str, max: u32, page_limit: Option<Arc<AtomicU64>>) -> Result<AnyPool> {
    Ok(AnyPoolOptions::new()
        .max_connections(max)
        .acquire_timeout(BUSY_WAIT)
        // A file on this machine does not go away between two uses: no ping
        // (a hop to the connection's worker thread) before each one. A
        // connection given back inside a transaction is still checked
        // (`released_clean`).
        .test_before_acquire(false)
        .after_connect(move |conn, _meta| {
            let limit = page_limit.as_ref().map(|l| l.load(Ordering::SeqCst)).unwrap_or(0);
            Box::pin(async move {
                conn.execute("PRAGMA journal_mode = WAL").await?;
                conn.execute("PRAGMA busy_timeout = 5000").await?;
                conn.execute("PRAGMA foreign_keys = ON").await?;
                // An acknowledged write is on disk: the WAL is synced at each
                // commit (group commit, [`batch`], shares that sync).
                conn.execute("PRAGMA synchronous = FULL").await?;
                if limit > 0 {
                    sqlx::query(&format!("PRAGMA max_page_count = {limit}"))
                        .fetch_all(&mut *conn)
                        .await?;
                }
                Ok(())
            })
        })
        .after_release(|conn, _meta| Box::pin(released_clean(conn)))
        .connect(url)
        .await?)
}

/// Whether a SQLite connection coming back to its pool may serve again.
///
/// After a failed statement or commit (`SQLITE_FULL`, `SQLITE_IOERR`, busy…)
/// SQLite may have rolled the transaction back by itself; the `ROLLBACK`
/// sqlx then sends when the transaction is dropped fails, and sqlx goes on
/// believing the connection is inside a transaction. Its next `BEGIN`
/// becomes a `SAVEPOINT`, and a second failure can leave SQLite inside a
/// transaction that nothing will ever commit: every later write "succeeds"
/// into it and is lost (that was issue 13). So a connection that is not
/// back in autocommit is closed (SQLite rolls back whatever is open) and
/// the pool opens a fresh one for the next caller.
async fn released_clean(conn: &mut sqlx::AnyConnection) -> std::result::Result<bool, sqlx::Error> {
    // The depth counts a transaction until its worker has run its commit
    // or rollback: at zero, no rollback is pending, and the connection is
    // clean without a round trip to its worker (most connections come back
    // from plain reads; each ping is a hop to the worker thread, docs/
    // benchmarks.md section 18).
    if !conn.is_in_transaction() {
        return Ok(true);
    }
    // The rollback of a dropped transaction is queued to the connection's
    // worker; a ping runs after it, so the state read below is settled.
    conn.ping().await?;
    if conn.is_in_transaction() {
        tracing::warn!("database connection left inside a failed transaction; replacing it");
        return Ok(false);
    }
    Ok(true)
}

/// Reads an optional BIGINT flag as bool.
pub(crate) fn flag(v: i64) -> bool {
    v != 0
}

pub use sqlx::Error as SqlxError;

#[cfg(test)]
mod tests {
    use super::masked_url;

    #[test]
    fn urls_lose_their_password() {
        assert_eq!(
            masked_url("postgres://cercle:s3cret@db:5432/cercle"),
            "postgres://cercle:****@db:5432/cercle"
        );
        assert_eq!(
            masked_url("postgresql://db/cercle?user=c&password=s3cret&sslmode=require"),
            "postgresql://db/cercle?user=c&password=****&sslmode=require"
        );
        assert_eq!(masked_url("postgres://p%40ss:x@y@db/c"), "postgres://p%40ss:****@db/c");
        assert_eq!(masked_url("postgres://u:pa/ss@db/c"), "postgres://u:****@db/c");
        assert_eq!(masked_url("sqlite:///tmp/c.db?mode=rwc"), "sqlite:///tmp/c.db?mode=rwc");
    }

    #[tokio::test]
    async fn debug_never_prints_the_password() {
        let dir = std::env::temp_dir().join(format!("cercle-store-debug-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&dir);
        let mut store = super::Store::open(&format!("sqlite://{}", dir.join("t.db").display()))
            .await
            .unwrap();
        store.url = "postgres://cercle:hunter2secret@db:5432/cercle".into();
        let shown = format!("{store:?} {store:#?}");
        assert!(!shown.contains("hunter2secret"), "{shown}");
        assert!(shown.contains("postgres://cercle:****@db:5432/cercle"), "{shown}");
        store.close().await;
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// Kinds and ids bind as their text and read back through it; a stored
    /// text that names none of them is an error of the row.
    #[tokio::test]
    async fn kinds_and_ids_are_text_columns() {
        use cercle_domain::session::SessionStage;
        use cercle_domain::SessionId;
        use sqlx::Row;
        let dir = std::env::temp_dir().join(format!("cercle-store-text-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&dir);
        let store = super::Store::open(&format!("sqlite://{}", dir.join("t.db").display()))
            .await
            .unwrap();
        let id = SessionId::new();
        let mut conn = store.reader().await.unwrap();
        let row = sqlx::query("SELECT $1 AS id, $2 AS stage, 'locked' AS other")
            .bind(id)
            .bind(SessionStage::Active)
            .fetch_one(&mut *conn)
            .await
            .unwrap();
        assert_eq!(row.try_get::<String, _>("stage").unwrap(), "active");
        assert_eq!(row.try_get::<SessionStage, _>("stage").unwrap(), SessionStage::Active);
        assert_eq!(row.try_get::<SessionId, _>("id").unwrap(), id);
        assert!(row.try_get::<SessionStage, _>("other").is_err());
        assert!(row.try_get::<SessionId, _>("other").is_err());
        drop(conn);
        store.close().await;
        let _ = std::fs::remove_dir_all(&dir);
    }
}

#[cfg(test)]
mod fault_tests;
