//! The storage layer itself: the same schema on both databases, and
//! migrations that can run again.

use cercle_store::Store;
use cercle_testkit::{Db, TestApp};
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
    if std::env::var("CERCLE_SKIP_POSTGRES").is_ok_and(|v| v == "1") {
        eprintln!("CERCLE_SKIP_POSTGRES=1: schema comparison not run");
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
