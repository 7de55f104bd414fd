//! Migrations through sqlx's migrator: numbered SQL files embedded in the
//! binary, applied in order, each in its own transaction, recorded with a
//! SHA-384 checksum in `_sqlx_migrations`. A file already applied that has
//! been changed since is refused (the database no longer matches the code);
//! on PostgreSQL an advisory lock makes nodes starting together apply each
//! migration once.
//!
//! Databases migrated by Cercle's earlier hand-written migrator (table
//! `cercle_migrations`) are adopted on the first run: the versions listed
//! there are recorded in `_sqlx_migrations` with today's checksums, then the
//! remaining ones are applied. The old table is left as it was.

use crate::{Conn, Result};
use sqlx::error::BoxDynError;
use sqlx::migrate::{Migrate, Migration, MigrationSource, MigrationType, Migrator};
use sqlx::{Connection, Row};
use std::borrow::Cow;
use std::collections::HashSet;
use std::future::Future;
use std::pin::Pin;

/// Every migration: version, description, SQL. A new migration is a new
/// file `NNNN_name.sql` in `migrations/` and one line at the end here.
pub const FILES: &[(i64, &str, &str)] = &[
    (1, "accounts", include_str!("../migrations/0001_accounts.sql")),
    (2, "organizations", include_str!("../migrations/0002_organizations.sql")),
    (3, "audit_patient", include_str!("../migrations/0003_audit_patient.sql")),
    (4, "network", include_str!("../migrations/0004_network.sql")),
    (5, "threads", include_str!("../migrations/0005_threads.sql")),
    (6, "patients", include_str!("../migrations/0006_patients.sql")),
    (7, "availability", include_str!("../migrations/0007_availability.sql")),
    (8, "teams", include_str!("../migrations/0008_teams.sql")),
    (9, "push", include_str!("../migrations/0009_push.sql")),
    (
        10,
        "notifications",
        include_str!("../migrations/0010_notifications.sql"),
    ),
    (
        11,
        "outbox_idempotency",
        include_str!("../migrations/0011_outbox_idempotency.sql"),
    ),
    (12, "time_zones", include_str!("../migrations/0012_time_zones.sql")),
    (13, "system_texts", include_str!("../migrations/0013_system_texts.sql")),
    (
        14,
        "circle_sections",
        include_str!("../migrations/0014_circle_sections.sql"),
    ),
    (15, "event_topics", include_str!("../migrations/0015_event_topics.sql")),
    (
        16,
        "attachment_blobs",
        include_str!("../migrations/0016_attachment_blobs.sql"),
    ),
    (17, "calls", include_str!("../migrations/0017_calls.sql")),
    (18, "call_ringing", include_str!("../migrations/0018_call_ringing.sql")),
    (
        19,
        "call_topology",
        include_str!("../migrations/0019_call_topology.sql"),
    ),
    (
        20,
        "connect_codes",
        include_str!("../migrations/0020_connect_codes.sql"),
    ),
    (
        21,
        "service_accounts",
        include_str!("../migrations/0021_service_accounts.sql"),
    ),
    (22, "smart_emrs", include_str!("../migrations/0022_smart_emrs.sql")),
    (
        23,
        "call_unit_node",
        include_str!("../migrations/0023_call_unit_node.sql"),
    ),
    (
        24,
        "counted_notifications",
        include_str!("../migrations/0024_counted_notifications.sql"),
    ),
];

/// The embedded migrations as sqlx sees them (checksums computed here).
pub fn migrations() -> Vec<Migration> {
    FILES
        .iter()
        .map(|(version, name, sql)| {
            Migration::new(
                *version,
                Cow::Borrowed(*name),
                MigrationType::Simple,
                Cow::Borrowed(*sql),
                false,
            )
        })
        .collect()
}

/// The migrations compiled into the binary, as a source for [`Migrator`]
/// (sqlx's own sources read a directory at run time, or need its macros).
#[derive(Debug)]
struct Embedded;

impl<'s> MigrationSource<'s> for Embedded {
    fn resolve(self) -> Pin<Box<dyn Future<Output = std::result::Result<Vec<Migration>, BoxDynError>> + Send + 's>> {
        Box::pin(async { Ok(migrations()) })
    }
}

/// Applies what is missing; returns the versions applied now.
pub async fn run(conn: &mut Conn) -> Result<Vec<i64>> {
    let mut migrator = Migrator::new(Embedded).await?;
    // The lock is taken here rather than by the migrator so that adopting
    // the old table happens under it too. PostgreSQL's advisory lock is
    // held by this session until `unlock`; SQLite needs none (one node).
    migrator.set_locking(false);
    conn.lock().await?;
    let outcome = run_locked(&migrator, conn).await;
    let unlocked = conn.unlock().await;
    let applied = outcome?;
    unlocked?;
    for m in migrator.iter().filter(|m| applied.contains(&m.version)) {
        tracing::info!(version = m.version, name = %m.description, "migration applied");
    }
    Ok(applied)
}

async fn run_locked(migrator: &Migrator, conn: &mut Conn) -> Result<Vec<i64>> {
    conn.ensure_migrations_table().await?;
    adopt_legacy(migrator, conn).await?;
    let before: HashSet<i64> = conn
        .list_applied_migrations()
        .await?
        .iter()
        .map(|m| m.version)
        .collect();
    migrator.run(&mut *conn).await?;
    Ok(migrator
        .iter()
        .map(|m| m.version)
        .filter(|v| !before.contains(v))
        .collect())
}

/// Records in `_sqlx_migrations` the versions that the earlier migrator
/// applied (table `cercle_migrations`) and sqlx does not know yet. It kept
/// no checksum, so today's file is taken as the one that was applied.
async fn adopt_legacy(migrator: &Migrator, conn: &mut Conn) -> Result<()> {
    let exists_sql = if conn.backend_name().eq_ignore_ascii_case("sqlite") {
        "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'cercle_migrations'"
    } else {
        "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = 'cercle_migrations'"
    };
    let exists: i64 = sqlx::query(exists_sql).fetch_one(&mut *conn).await?.try_get(0)?;
    if exists == 0 {
        return Ok(());
    }
    let legacy: Vec<i64> = sqlx::query("SELECT version FROM cercle_migrations")
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| r.try_get::<i64, _>(0))
        .collect::<std::result::Result<_, _>>()?;
    let known: HashSet<i64> = conn
        .list_applied_migrations()
        .await?
        .iter()
        .map(|m| m.version)
        .collect();
    let mut tx = conn.begin().await?;
    for m in migrator
        .iter()
        .filter(|m| legacy.contains(&m.version) && !known.contains(&m.version))
    {
        sqlx::query(
            "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
             VALUES ($1, $2, TRUE, $3, 0)",
        )
        .bind(m.version)
        .bind(m.description.to_string())
        .bind(m.checksum.to_vec())
        .execute(&mut *tx)
        .await?;
        tracing::info!(version = m.version, name = %m.description, "migration adopted from cercle_migrations");
    }
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod listing {
    /// Every SQL file in `migrations/` is listed, in order, once. Numbers
    /// are handed out ahead to parallel branches, so a branch may skip one.
    #[test]
    fn every_file_is_listed() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
        let mut files: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".sql"))
            .collect();
        files.sort();
        assert_eq!(files.len(), super::FILES.len(), "{files:?}");
        // Versions follow each other with no gap.
        for (index, (file, (version, name, _))) in files.iter().zip(super::FILES).enumerate() {
            assert_eq!(*version, index as i64 + 1, "{file}");
            assert_eq!(file, &format!("{version:04}_{name}.sql"), "{file}");
        }
    }
}
