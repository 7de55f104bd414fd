//! The storage layer itself: the same schema on both databases, and
//! migrations that can run again.

use cercle_store::migrate::{migrations, FILES};
use cercle_store::{Store, StoreError};
use cercle_testkit::{Db, EmptyDb, TestApp};
use sqlx::migrate::MigrateError;
use sqlx::Row;

/// `table.column` for every column, sorted.
async fn columns(store: &Store) -> Vec<String> {
    let mut conn = store.reader().await.expect("conn");
    let sql = match store.backend() {
        cercle_store::Backend::Sqlite => {
            "SELECT m.name || '.' || p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p \
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'"
        }
        cercle_store::Backend::Postgres => {
            "SELECT CAST(table_name || '.' || column_name AS TEXT) FROM information_schema.columns WHERE table_schema = 'public'"
        }
    };
    let mut out: Vec<String> = sqlx::query(sql)
        .fetch_all(&mut *conn)
        .await
        .expect("columns")
        .iter()
        .map(|r| r.try_get::<String, _>(0).expect("text"))
        .collect();
    out.sort();
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_databases_get_the_same_schema_and_migrations_rerun_cleanly() {
    if cercle_testkit::skip_postgres() {
        return;
    }
    let sqlite = TestApp::spawn(Db::Sqlite).await;
    let postgres = TestApp::spawn(Db::Postgres).await;
    let a = columns(&sqlite.ctx().store).await;
    let b = columns(&postgres.ctx().store).await;
    assert!(a.len() > 50, "{a:?}");
    assert_eq!(a, b, "SQLite and PostgreSQL schemas differ");
    for app in [&sqlite, &postgres] {
        let applied = app.ctx().store.migrate().await.expect("migrate again");
        assert!(applied.is_empty(), "nothing left to apply");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unsupported_database_urls_are_refused() {
    assert!(matches!(
        Store::open("mysql://x").await,
        Err(cercle_store::StoreError::UnsupportedUrl)
    ));
}

/// Applies migrations 1 to `last` the way Cercle's earlier hand-written
/// migrator did: each file, then a row in `cercle_migrations` (no checksum,
/// `applied_at` 0).
async fn migrate_the_old_way(store: &Store, last: i64) {
    let mut tx = store.begin().await.expect("begin");
    sqlx::raw_sql(
        "CREATE TABLE cercle_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)",
    )
    .execute(&mut *tx)
    .await
    .expect("old table");
    for (version, name, sql) in FILES.iter().filter(|(v, _, _)| *v <= last) {
        sqlx::raw_sql(sql).execute(&mut *tx).await.expect("old migration");
        sqlx::query("INSERT INTO cercle_migrations (version, name, applied_at) VALUES ($1, $2, 0)")
            .bind(*version)
            .bind(*name)
            .execute(&mut *tx)
            .await
            .expect("old record");
    }
    tx.commit().await.expect("commit");
}

/// `(version, checksum)` of every migration sqlx has recorded.
async fn recorded(store: &Store) -> Vec<(i64, Vec<u8>)> {
    let mut conn = store.reader().await.expect("conn");
    sqlx::query("SELECT version, checksum FROM _sqlx_migrations ORDER BY version")
        .fetch_all(&mut *conn)
        .await
        .expect("recorded migrations")
        .iter()
        .map(|r| (r.try_get(0).expect("version"), r.try_get(1).expect("checksum")))
        .collect()
}

fn all_versions() -> Vec<i64> {
    FILES.iter().map(|(v, _, _)| *v).collect()
}

/// A database migrated by the earlier migrator (all but the last file) is
/// taken over: its versions are recorded with the files' checksums, only
/// the missing one is applied, and a further run has nothing to do.
async fn a_database_of_the_old_migrator_is_adopted(db: Db) {
    let empty = EmptyDb::new(db).await;
    let store = Store::open(&empty.url).await.expect("open");
    let last = *all_versions().last().expect("migrations");
    migrate_the_old_way(&store, last - 1).await;
    let applied = store.migrate().await.expect("the new migrator on an old database");
    assert_eq!(applied, vec![last], "only what the old migrator had not applied");
    let expected: Vec<(i64, Vec<u8>)> = migrations().iter().map(|m| (m.version, m.checksum.to_vec())).collect();
    assert_eq!(recorded(&store).await, expected);
    assert!(store.migrate().await.expect("again").is_empty());
    store.close().await;
}

/// A migration changed after it was applied stops the migration: the
/// database no longer matches the code under that version.
async fn a_changed_migration_is_refused(db: Db) {
    let empty = EmptyDb::new(db).await;
    let store = Store::open(&empty.url).await.expect("open");
    assert_eq!(store.migrate().await.expect("fresh"), all_versions());
    let mut conn = store.reader().await.expect("conn");
    sqlx::query("UPDATE _sqlx_migrations SET checksum = $1 WHERE version = 3")
        .bind(vec![0_u8; 48])
        .execute(&mut *conn)
        .await
        .expect("tamper");
    drop(conn);
    match store.migrate().await {
        Err(StoreError::Migrate(MigrateError::VersionMismatch(3))) => {}
        other => panic!("expected migration 3 to be refused, got {other:?}"),
    }
    store.close().await;
}

/// The group-commit writer never waits behind the readers for a
/// connection: with every connection of the read pool held (a loaded
/// node: each post's checks and each stream's reads take one), a write
/// still commits. On PostgreSQL the writer used to take its connection
/// from the one shared pool, queued after every reader waiting there.
async fn a_write_commits_while_every_reader_connection_is_held(db: Db) {
    let empty = EmptyDb::new(db).await;
    let store = Store::open(&empty.url).await.expect("open");
    store.migrate().await.expect("migrate");
    // The read pools' sizes: 4 on SQLite, 16 on PostgreSQL (shared there
    // with `Store::begin`).
    let readers = match db {
        Db::Sqlite => 4,
        Db::Postgres => 16,
    };
    let mut held = Vec::new();
    for _ in 0..readers {
        held.push(store.reader().await.expect("a reader"));
    }
    let written = store
        .write(|conn| {
            Box::pin(async move {
                sqlx::query("UPDATE event_head SET last = last + 1 WHERE id = 1")
                    .execute(&mut *conn)
                    .await?;
                Ok::<(), StoreError>(())
            })
        })
        .await;
    assert!(
        written.is_ok(),
        "the write waited for a reader's connection: {written:?}"
    );
    let last: i64 = sqlx::query("SELECT last FROM event_head WHERE id = 1")
        .fetch_one(&mut *held[0])
        .await
        .expect("read")
        .try_get("last")
        .expect("last");
    assert_eq!(last, 1);
    drop(held);
    store.close().await;
}

crate::backends!(
    a_database_of_the_old_migrator_is_adopted,
    a_changed_migration_is_refused,
    a_write_commits_while_every_reader_connection_is_held
);

/// Two nodes starting together on a new PostgreSQL database: the advisory
/// lock lets one apply the migrations while the other waits, then finds
/// nothing left; without it both would create the same tables and one fail.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_nodes_migrating_at_once_apply_each_migration_once() {
    if cercle_testkit::skip_postgres() {
        return;
    }
    let empty = EmptyDb::new(Db::Postgres).await;
    let a = Store::open(&empty.url).await.expect("node a");
    let b = Store::open(&empty.url).await.expect("node b");
    let (ra, rb) = tokio::join!(a.migrate(), b.migrate());
    let (ra, rb) = (ra.expect("node a migrates"), rb.expect("node b migrates"));
    let mut both = [ra.clone(), rb.clone()].concat();
    both.sort();
    assert_eq!(
        both,
        all_versions(),
        "each migration applied once (a: {ra:?}, b: {rb:?})"
    );
    assert_eq!(recorded(&a).await.len(), all_versions().len());
    a.close().await;
    b.close().await;
}
