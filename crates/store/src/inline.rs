//! SQLite reads on the caller's own thread, for the reads every message
//! post makes before its write (its session and account; the thread and
//! what its author is to it).
//!
//! sqlx runs each SQLite connection on a thread of its own and hands it
//! every statement, and every row back, across channels: a read costs 25–32
//! µs of processor that way, against about 5 µs for the same statement run
//! here by rusqlite over the same libsqlite3 (`cercle-bench hops`,
//! docs/benchmarks.md sections 31 and 32). At the SQLite ceiling those two
//! reads were a sixth of the processor a message costs the server.
//!
//! What is read here is what the pool would read: the same SQL text, on a
//! connection to the same file in WAL mode, where a reader sees the last
//! commit and never waits for the writer. This path is an optimisation and
//! never the one that decides an error: when it cannot answer (no
//! connection, SQLite busy past [`BUSY`], any error at all), it says so with
//! `None` and the caller reads through the pool, whose answer and fault
//! (`Fault`: 503, 507) are the ones given. A connection that failed is
//! dropped, not reused.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

/// How long a read here may wait for a lock (a WAL reader waits only in
/// rare moments, such as another connection recovering the WAL) before
/// it gives up and the pool reads instead: it holds a runtime thread.
const BUSY: Duration = Duration::from_millis(20);

/// Connections kept between reads: one per runtime thread reading at a
/// time (a read never awaits, so a thread holds one at most); more than
/// this are closed after their read.
const KEPT: usize = 8;

/// Prepared statements kept per connection.
const STATEMENTS: usize = 16;

pub(crate) struct Inline {
    path: PathBuf,
    idle: Mutex<Vec<rusqlite::Connection>>,
    /// Set by `Store::close`: no connection is opened or kept afterwards.
    closed: AtomicBool,
}

impl Inline {
    /// For a SQLite URL naming a file; `None` for an in-memory database
    /// (another connection would see another database).
    pub(crate) fn for_url(url: &str) -> Option<Inline> {
        use std::str::FromStr;
        if url.contains(":memory:") || url.contains("mode=memory") {
            return None;
        }
        let options = sqlx::sqlite::SqliteConnectOptions::from_str(url).ok()?;
        let path = options.get_filename();
        if path.as_os_str().is_empty() {
            return None;
        }
        Some(Inline {
            path: path.to_path_buf(),
            idle: Mutex::new(Vec::new()),
            closed: AtomicBool::new(false),
        })
    }

    /// Runs `read` on a connection of this thread's taking; `None` when it
    /// could not (see the module's documentation).
    pub(crate) fn read<T>(&self, read: impl FnOnce(&rusqlite::Connection) -> rusqlite::Result<T>) -> Option<T> {
        if self.closed.load(Ordering::Relaxed) {
            return None;
        }
        let outcome = self.take().and_then(|conn| {
            let value = read(&conn)?;
            self.give_back(conn);
            Ok(value)
        });
        match outcome {
            Ok(value) => Some(value),
            Err(e) => {
                // Counted: a read that always fails here (a statement the
                // schema no longer fits) would only be slower, never wrong.
                // The connection of a failed read is dropped, not kept.
                tracing::debug!(error = %e, "inline SQLite read failed; reading through the pool");
                metrics::counter!("cercle_sqlite_inline_fallbacks_total").increment(1);
                None
            }
        }
    }

    /// A kept connection, or a new one.
    fn take(&self) -> rusqlite::Result<rusqlite::Connection> {
        match self.idle.lock().unwrap_or_else(PoisonError::into_inner).pop() {
            Some(conn) => Ok(conn),
            None => self.open(),
        }
    }

    /// Keeps `conn` for the next read, unless enough are kept or the store
    /// is closed.
    fn give_back(&self, conn: rusqlite::Connection) {
        let mut idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner);
        if idle.len() < KEPT && !self.closed.load(Ordering::Relaxed) {
            idle.push(conn);
        }
    }

    fn open(&self) -> rusqlite::Result<rusqlite::Connection> {
        use rusqlite::OpenFlags;
        // Never creates the file: the store opened (and migrated) it.
        let conn = rusqlite::Connection::open_with_flags(
            &self.path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.busy_timeout(BUSY)?;
        // It reads, whatever a caller's statement says.
        conn.pragma_update(None, "query_only", true)?;
        conn.set_prepared_statement_cache_capacity(STATEMENTS);
        Ok(conn)
    }

    /// Closes the kept connections; later reads go through the pool.
    pub(crate) fn close(&self) {
        self.closed.store(true, Ordering::Relaxed);
        self.idle.lock().unwrap_or_else(PoisonError::into_inner).clear();
    }
}

/// A row's columns read in the order the statement names them (the
/// `COLUMNS` lists), as the sqlx mappings read them by name.
pub(crate) struct Cursor<'r, 's> {
    row: &'r rusqlite::Row<'s>,
    at: usize,
}

impl<'r, 's> Cursor<'r, 's> {
    pub(crate) fn new(row: &'r rusqlite::Row<'s>) -> Self {
        Cursor { row, at: 0 }
    }

    pub(crate) fn next<T: rusqlite::types::FromSql>(&mut self) -> rusqlite::Result<T> {
        let value = self.row.get(self.at);
        self.at += 1;
        value
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use crate::{sessions, threads, Store};
    use cercle_domain::{ThreadId, UserId};

    async fn store() -> (Store, std::path::PathBuf, rusqlite::Connection) {
        let dir = std::env::temp_dir().join(format!("cercle-inline-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).unwrap();
        let store = Store::open(&format!("sqlite://{}", dir.join("t.db").display()))
            .await
            .unwrap();
        store.migrate().await.unwrap();
        // Rows written around the store, every column set or not, without
        // the rows they point to (foreign keys are not what is tested).
        let raw = rusqlite::Connection::open(dir.join("t.db")).unwrap();
        raw.pragma_update(None, "foreign_keys", false).unwrap();
        (store, dir, raw)
    }

    async fn through_pool_session(store: &Store, hash: &str) -> String {
        let mut conn = store.reader().await.unwrap();
        format!(
            "{:?}",
            sessions::with_user_by_token_hash(&mut conn, hash).await.unwrap()
        )
    }

    async fn through_pool_facts(store: &Store, thread: ThreadId, user: UserId) -> String {
        let mut conn = store.reader().await.unwrap();
        format!("{:?}", threads::post_facts(&mut conn, thread, user).await.unwrap())
    }

    fn inline(store: &Store) -> &super::Inline {
        store.inline.as_deref().expect("a SQLite file has inline reads")
    }

    /// Both drivers read the same rows the same way, every column set and
    /// every optional one empty: the two mappings name the columns in the
    /// same order as the statement.
    #[tokio::test]
    async fn inline_reads_answer_as_the_pool_does() {
        let (store, dir, raw) = store().await;
        let (u1, u2, u3) = (UserId::new(), UserId::new(), UserId::new());
        raw.execute_batch(&format!(
            "INSERT INTO users (id, email, name, language, password_hash, email_verified_at, terms_accepted_at, \
               recovery_hash, pin_hash, phone, phone_verified_at, second_factor, totp_secret, totp_pending_secret, \
               totp_last_step, failed_logins, locked_until, network_admin, network_verifier, circle_only, \
               deleted_at, created_at, updated_at, time_zone, active_org_id) VALUES \
             ('{u1}', 'a@x', 'Ann', 'fr', 'ph', 11, 12, 'rh', 'pin', '+15145550000', 13, 'totp', 'ts', 'tp', \
              14, 3, 15, 1, 1, 1, NULL, 16, 16, 'America/Montreal', 'org-a'), \
             ('{u2}', 'b@x', 'Bob', 'en', 'ph', NULL, NULL, NULL, NULL, NULL, NULL, 'email', NULL, NULL, \
              NULL, 0, NULL, 0, 0, 0, 99, 17, 17, NULL, NULL), \
             ('{u3}', 'c@x', 'Cy', 'en', 'ph', NULL, NULL, NULL, NULL, NULL, NULL, 'sms', NULL, NULL, \
              NULL, 0, NULL, 0, 0, 0, NULL, 18, 18, NULL, NULL);
             INSERT INTO sessions (id, user_id, device_id, token_hash, stage, purpose, factor, locked, pin_failures, \
               label, ip, created_at, last_seen_at) VALUES \
             ('{s1}', '{u1}', '{d1}', 'h1', 'active', 'sign_in', 'sms', 1, 2, 'Firefox', '10.0.0.1', 20, 21), \
             ('{s2}', '{u2}', NULL, 'h2', 'awaiting_code', 'sign_up', NULL, 0, 0, '', NULL, 22, 23);",
            s1 = cercle_domain::SessionId::new(),
            s2 = cercle_domain::SessionId::new(),
            d1 = cercle_domain::DeviceId::new(),
        ))
        .unwrap();
        for hash in ["h1", "h2", "unknown"] {
            let pool = through_pool_session(&store, hash).await;
            let here = inline(&store)
                .read(|c| sessions::with_user_inline(c, hash))
                .expect("read on this thread");
            assert_eq!(format!("{here:?}"), pool, "session {hash}");
            assert_eq!(format!("{:?}", store.session_with_user(hash).await.unwrap()), pool);
        }
        assert!(through_pool_session(&store, "h1").await.contains("America/Montreal"));

        let (t1, t2) = (ThreadId::new(), ThreadId::new());
        raw.execute_batch(&format!(
            "INSERT INTO threads (id, kind, org_id, patient_file_id, title, folded_title, high_priority, created_by, \
               created_at, closed_at, closed_by, last_seq, last_activity_at, direct_key, channel_id, title_text) VALUES \
             ('{t1}', 'clinical', '{org}', '{pf}', 'Suivi', 'suivi', 1, '{u1}', 30, 31, '{u2}', 7, 32, NULL, '{ch}', \
              '{{\"key\":\"x\"}}'), \
             ('{t2}', 'direct', NULL, NULL, '', '', 0, '{u2}', 33, NULL, NULL, 0, 34, 'k', NULL, NULL);
             INSERT INTO thread_participants (thread_id, kind, participant_id, added_at) VALUES \
             ('{t1}', 'user', '{u1}', 35), ('{t1}', 'team', '{u3}', 35), ('{t2}', 'user', '{u2}', 36);
             INSERT INTO professions (id, user_id, profession, status, created_at) VALUES \
             ('p1', '{u1}', 'nurse', 'rejected', 40), ('p2', '{u1}', 'physician', 'validated', 41), \
             ('p3', '{u1}', 'pharmacist', 'pending', 42);",
            org = cercle_domain::OrgId::new(),
            pf = cercle_domain::PatientFileId::new(),
            ch = cercle_domain::ChannelId::new(),
        ))
        .unwrap();
        for (thread, user) in [(t1, u1), (t1, u2), (t1, u3), (t2, u2), (t2, u1), (ThreadId::new(), u1)] {
            let pool = through_pool_facts(&store, thread, user).await;
            let here = inline(&store)
                .read(|c| threads::post_facts_inline(c, thread, user))
                .expect("read on this thread");
            assert_eq!(format!("{here:?}"), pool, "post facts {thread} {user}");
            assert_eq!(format!("{:?}", store.post_facts(thread, user).await.unwrap()), pool);
        }
        let facts = store.post_facts(t1, u1).await.unwrap().unwrap();
        assert!(facts.in_person && facts.thread.high_priority);
        assert_eq!(facts.author_profession.as_deref(), Some("physician"));
        assert_eq!(facts.author_name.as_deref(), Some("Ann"));
        // A deleted author has no name; someone else is not in person.
        let facts = store.post_facts(t1, u2).await.unwrap().unwrap();
        assert!(!facts.in_person && facts.author_name.is_none());
        store.close().await;
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// A row the inline read cannot map is not "no such session": the pool
    /// reads it again and its error is the answer. A closed store reads
    /// nothing here, and what it cannot open is read through the pool.
    #[tokio::test]
    async fn what_the_inline_read_cannot_answer_the_pool_does() {
        let (store, dir, raw) = store().await;
        let user = UserId::new();
        raw.execute_batch(&format!(
            "INSERT INTO users (id, email, name, language, password_hash, created_at, updated_at) \
               VALUES ('{user}', 'a@x', 'Ann', 'fr', 'ph', 1, 1);
             INSERT INTO sessions (id, user_id, token_hash, stage, purpose, label, created_at, last_seen_at) \
               VALUES ('{s}', '{user}', 'bad', 'no-such-stage', 'sign_in', '', 1, 1), \
                      ('{g}', '{user}', 'good', 'active', 'sign_in', '', 1, 1);",
            s = cercle_domain::SessionId::new(),
            g = cercle_domain::SessionId::new(),
        ))
        .unwrap();
        assert!(inline(&store).read(|c| sessions::with_user_inline(c, "bad")).is_none());
        assert!(store.session_with_user("bad").await.is_err());
        assert!(store.session_with_user("good").await.unwrap().is_some());

        // A file that cannot be opened: the pool answers.
        let gone = super::Inline::for_url(&format!("sqlite://{}", dir.join("none.db").display())).unwrap();
        assert!(gone.read(|c| sessions::with_user_inline(c, "good")).is_none());

        inline(&store).close();
        assert!(inline(&store).read(|c| sessions::with_user_inline(c, "good")).is_none());
        assert!(store.session_with_user("good").await.unwrap().is_some());
        assert!(super::Inline::for_url("sqlite::memory:").is_none());
        store.close().await;
        let _ = std::fs::remove_dir_all(&dir);
    }
}
