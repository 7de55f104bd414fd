//! Storage for Cercle on SQLite or PostgreSQL.
//!
//! The backend is chosen once, from the URL scheme, when the [`Store`] is
//! opened; every query below is portable SQL run through sqlx's `Any` driver,
//! so nothing downstream branches on the backend. Queries are grouped by
//! aggregate (one module each) as functions over a connection, so a service can
//! run several of them in one transaction.

pub mod audit;
pub mod availability;
pub mod channels;
pub mod circle;
pub mod codes;
pub mod devices;
pub mod idempotency;
pub mod members;
pub mod migrate;
pub mod network;
pub mod notifications;
pub mod orgs;
pub mod outbox;
pub mod patients;
pub mod profiles;
pub mod push;
pub mod rate_limits;
pub mod search;
pub mod sessions;
pub mod teams;
pub mod threads;
pub mod users;

use sqlx::any::{install_default_drivers, AnyPoolOptions};
use sqlx::{AnyPool, Executor};
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
}

pub type Result<T> = std::result::Result<T, StoreError>;

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
                let write = sqlite_pool(&url, 1).await?;
                let read = sqlite_pool(&url, 4).await?;
                Store {
                    read,
                    write,
                    backend,
                    url: url.to_string(),
                }
            }
            Backend::Postgres => {
                let pool = AnyPoolOptions::new()
                    .max_connections(16)
                    .acquire_timeout(Duration::from_secs(10))
                    .connect(url)
                    .await?;
                Store {
                    read: pool.clone(),
                    write: pool,
                    backend,
                    url: url.to_string(),
                }
            }
        };
        Ok(store)
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
        Ok(self.write.begin().await?)
    }

    /// A connection for reads that need no transaction.
    pub async fn reader(&self) -> Result<sqlx::pool::PoolConnection<sqlx::Any>> {
        Ok(self.read.acquire().await?)
    }

    pub async fn ping(&self) -> Result<()> {
        self.read.execute("SELECT 1").await?;
        Ok(())
    }

    pub async fn migrate(&self) -> Result<Vec<i64>> {
        let mut conn = self.write.acquire().await?;
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
        self.write.close().await;
        self.read.close().await;
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

async fn sqlite_pool(url: &str, max: u32) -> Result<AnyPool> {
    Ok(AnyPoolOptions::new()
        .max_connections(max)
        .acquire_timeout(Duration::from_secs(10))
        .after_connect(|conn, _meta| {
            Box::pin(async move {
                conn.execute("PRAGMA journal_mode = WAL").await?;
                conn.execute("PRAGMA busy_timeout = 5000").await?;
                conn.execute("PRAGMA foreign_keys = ON").await?;
                conn.execute("PRAGMA synchronous = NORMAL").await?;
                Ok(())
            })
        })
        .connect(url)
        .await?)
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
}
