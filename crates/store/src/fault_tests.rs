//! A full disk must not leave the SQLite writer inside a transaction that
//! nothing commits (issue 13): every write acknowledged after space is back
//! is on disk.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;
use sqlx::Row;

fn temp_dir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("cercle-store-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

async fn count(store: &Store) -> i64 {
    let mut r = store.reader().await.unwrap();
    sqlx::query("SELECT COUNT(*) FROM t")
        .fetch_one(&mut *r)
        .await
        .unwrap()
        .try_get(0)
        .unwrap()
}

/// Writes rows of 3 kB, one transaction each: `make_full` runs before the
/// first, `make_room` after five refused writes. Every write refused must
/// say "storage full"; every write acknowledged must be kept.
async fn write_through_a_full_disk(
    dir: &std::path::Path,
    make_full: impl AsyncFnOnce(&Store),
    make_room: impl AsyncFn(&Store),
) {
    let url = format!("sqlite://{}", dir.join("x.db").display());
    let store = Store::open(&url).await.unwrap();
    {
        let mut tx = store.begin().await.unwrap();
        tx.execute("CREATE TABLE t (n BIGINT NOT NULL, x TEXT NOT NULL)")
            .await
            .unwrap();
        tx.commit().await.unwrap();
    }
    make_full(&store).await;
    let big = "y".repeat(3000);
    let mut acknowledged = Vec::new();
    let mut full = 0;
    for n in 0..40_i64 {
        if full == 5 {
            make_room(&store).await;
            full += 1;
        }
        let r: Result<()> = async {
            let mut tx = store.begin().await?;
            // Two statements, as most services do: the second one fails.
            sqlx::query("INSERT INTO t (n, x) VALUES ($1, '')")
                .bind(-n)
                .execute(&mut *tx)
                .await?;
            sqlx::query("DELETE FROM t WHERE n = $1")
                .bind(-n)
                .execute(&mut *tx)
                .await?;
            sqlx::query("INSERT INTO t (n, x) VALUES ($1, $2)")
                .bind(n)
                .bind(&big)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok(())
        }
        .await;
        match r {
            Ok(()) => {
                assert!(full == 0 || full > 5, "write {n} acknowledged while the disk is full");
                acknowledged.push(n);
            }
            Err(e) => {
                assert_eq!(e.fault(), Fault::StorageFull, "{e}");
                assert!(full < 5, "write {n} refused after space came back: {e}");
                full += 1;
                // The writer is back in autocommit (or was replaced).
                let conn = store.write.acquire().await.unwrap();
                assert!(
                    !conn.is_in_transaction(),
                    "the writer stayed inside the failed transaction"
                );
            }
        }
    }
    assert!(full > 5, "the disk never filled");
    assert!(acknowledged.len() > 10, "{acknowledged:?}");
    // Readers see every acknowledged write at once…
    assert_eq!(count(&store).await, acknowledged.len() as i64);
    store.close().await;
    // …and so does the next start.
    let store = Store::open(&url).await.unwrap();
    let mut r = store.reader().await.unwrap();
    let on_disk: Vec<i64> = sqlx::query("SELECT n FROM t ORDER BY n")
        .fetch_all(&mut *r)
        .await
        .unwrap()
        .iter()
        .map(|row| row.try_get(0).unwrap())
        .collect();
    assert_eq!(on_disk, acknowledged);
    drop(r);
    store.close().await;
}

#[tokio::test]
async fn writes_after_a_page_limit_was_hit_are_all_kept() {
    let dir = temp_dir();
    write_through_a_full_disk(
        &dir,
        async |s: &Store| {
            let n = s.sqlite_page_count().await.unwrap();
            s.set_sqlite_page_limit(Some(n + 3)).await.unwrap();
        },
        async |s: &Store| s.set_sqlite_page_limit(None).await.unwrap(),
    )
    .await;
    let _ = std::fs::remove_dir_all(&dir);
}

fn is_root() -> bool {
    std::process::Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// A real full disk: a 1 MiB tmpfs filled by a file (needs root, as in CI).
#[tokio::test]
async fn writes_after_a_full_disk_are_all_kept() {
    if !is_root() {
        eprintln!("not root: the tmpfs full-disk test is not run (CI runs it as root)");
        return;
    }
    let dir = temp_dir();
    let mounted = std::process::Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=1m", "tmpfs"])
        .arg(&dir)
        .status()
        .unwrap();
    assert!(mounted.success(), "mount a tmpfs on {}", dir.display());
    struct Unmount(std::path::PathBuf);
    impl Drop for Unmount {
        fn drop(&mut self) {
            let unmounted = std::process::Command::new("umount")
                .arg(&self.0)
                .status()
                .is_ok_and(|s| s.success());
            if !unmounted {
                let _ = std::process::Command::new("umount").arg("-l").arg(&self.0).status();
            }
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
    let _unmount = Unmount(dir.clone());
    let filler = dir.join("filler");
    let fill = filler.clone();
    write_through_a_full_disk(
        &dir,
        async move |_: &Store| {
            // Writes until the file system refuses (ENOSPC).
            use std::io::Write;
            let mut f = std::fs::File::create(&fill).unwrap();
            let block = vec![0u8; 4096];
            while f.write_all(&block).is_ok() {}
        },
        async move |_: &Store| std::fs::remove_file(&filler).unwrap(),
    )
    .await;
}

#[test]
fn faults_are_classified() {
    assert_eq!(Fault::of_sqlite_code(13), Fault::StorageFull);
    assert_eq!(Fault::of_sqlite_code(10 | (4 << 8)), Fault::Unavailable); // SQLITE_IOERR_WRITE
    assert_eq!(Fault::of_sqlite_code(5), Fault::Unavailable);
    assert_eq!(Fault::of_sqlite_code(2067), Fault::Other); // SQLITE_CONSTRAINT_UNIQUE
    assert_eq!(Fault::of_sqlstate("53100"), Fault::StorageFull);
    assert_eq!(Fault::of_sqlstate("57P01"), Fault::Unavailable);
    assert_eq!(Fault::of_sqlstate("08006"), Fault::Unavailable);
    assert_eq!(Fault::of_sqlstate("23505"), Fault::Other);
    assert_eq!(Fault::of(&sqlx::Error::PoolTimedOut), Fault::Unavailable);
    assert_eq!(Fault::of(&sqlx::Error::RowNotFound), Fault::Other);
}
