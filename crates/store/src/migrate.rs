//! A small migrator: numbered SQL files embedded in the binary, applied in
//! order, each in its own transaction, recorded in `cercle_migrations`.

use crate::{Conn, Result};
use sqlx::{Connection, Executor, Row};

pub struct Migration {
    pub version: i64,
    pub name: &'static str,
    pub sql: &'static str,
}

pub const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "accounts",
        sql: include_str!("../migrations/0001_accounts.sql"),
    },
    Migration {
        version: 2,
        name: "organizations",
        sql: include_str!("../migrations/0002_organizations.sql"),
    },
    Migration {
        version: 3,
        name: "audit_patient",
        sql: include_str!("../migrations/0003_audit_patient.sql"),
    },
    Migration {
        version: 4,
        name: "network",
        sql: include_str!("../migrations/0004_network.sql"),
    },
    Migration {
        version: 5,
        name: "threads",
        sql: include_str!("../migrations/0005_threads.sql"),
    },
    Migration {
        version: 6,
        name: "patients",
        sql: include_str!("../migrations/0006_patients.sql"),
    },
    Migration {
        version: 7,
        name: "availability",
        sql: include_str!("../migrations/0007_availability.sql"),
    },
    Migration {
        version: 8,
        name: "teams",
        sql: include_str!("../migrations/0008_teams.sql"),
    },
    Migration {
        version: 9,
        name: "push",
        sql: include_str!("../migrations/0009_push.sql"),
    },
    Migration {
        version: 10,
        name: "notifications",
        sql: include_str!("../migrations/0010_notifications.sql"),
    },
    Migration {
        version: 11,
        name: "outbox_idempotency",
        sql: include_str!("../migrations/0011_outbox_idempotency.sql"),
    },
    Migration {
        version: 12,
        name: "time_zones",
        sql: include_str!("../migrations/0012_time_zones.sql"),
    },
    Migration {
        version: 13,
        name: "system_texts",
        sql: include_str!("../migrations/0013_system_texts.sql"),
    },
    Migration {
        version: 14,
        name: "circle_sections",
        sql: include_str!("../migrations/0014_circle_sections.sql"),
    },
];

/// Applies what is missing; returns the versions applied now.
pub async fn run(conn: &mut Conn) -> Result<Vec<i64>> {
    conn.execute(
        "CREATE TABLE IF NOT EXISTS cercle_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)",
    )
    .await?;
    let rows = sqlx::query("SELECT version FROM cercle_migrations")
        .fetch_all(&mut *conn)
        .await?;
    let done: Vec<i64> = rows
        .iter()
        .map(|r| r.try_get::<i64, _>(0))
        .collect::<std::result::Result<_, _>>()?;
    let mut applied = Vec::new();
    for m in MIGRATIONS.iter().filter(|m| !done.contains(&m.version)) {
        let mut tx = conn.begin().await?;
        for statement in split_statements(m.sql) {
            tx.execute(statement.as_str()).await?;
        }
        sqlx::query("INSERT INTO cercle_migrations (version, name, applied_at) VALUES ($1, $2, $3)")
            .bind(m.version)
            .bind(m.name)
            .bind(0_i64)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        tracing::info!(version = m.version, name = m.name, "migration applied");
        applied.push(m.version);
    }
    Ok(applied)
}

/// Splits a migration file on `;` at line ends, dropping comments. Our
/// migrations hold no semicolons inside literals or bodies.
fn split_statements(sql: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    for line in sql.lines() {
        let line = line.split("--").next().unwrap_or("").trim_end();
        if line.trim().is_empty() {
            continue;
        }
        current.push_str(line);
        current.push('\n');
        if line.ends_with(';') {
            out.push(std::mem::take(&mut current));
        }
    }
    if !current.trim().is_empty() {
        out.push(current);
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn splits() {
        let s = super::split_statements("-- c\nCREATE TABLE a (x TEXT);\n\nINSERT INTO a VALUES ('y'); -- tail\n");
        assert_eq!(s.len(), 2);
        assert!(s[1].starts_with("INSERT"));
    }
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
        assert_eq!(files.len(), super::MIGRATIONS.len(), "{files:?}");
        // Versions follow each other with no gap.
        for (index, (file, m)) in files.iter().zip(super::MIGRATIONS).enumerate() {
            assert_eq!(m.version, index as i64 + 1, "{file}");
            assert!(file.starts_with(&format!("{:04}_", m.version)), "{file}");
        }
    }
}
