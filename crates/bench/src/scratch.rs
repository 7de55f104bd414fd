//! Scratch databases: a temporary SQLite folder, or a PostgreSQL database
//! created on the given server for one measurement and dropped after it.

use anyhow::Context;
use cercle_store::Backend;
use sqlx::Connection;
use std::path::PathBuf;

/// The options every benchmark on both databases takes.
#[derive(Debug, Clone, clap::Args)]
pub struct Databases {
    /// Which database(s) to measure.
    #[arg(long, value_enum, default_value_t = Which::Both)]
    pub backend: Which,
    /// PostgreSQL server (any existing database on it): a scratch database
    /// `cercle_bench_<benchmark>_<random>` is created there for each
    /// measurement, then dropped (unless `--keep`, where the benchmark has it).
    #[arg(
        long,
        env = "CERCLE_BENCH_POSTGRES",
        default_value = "postgres://postgres@127.0.0.1:5432/postgres"
    )]
    pub postgres: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Which {
    Sqlite,
    Postgres,
    Both,
}

impl Which {
    /// The databases to measure, SQLite first.
    pub fn backends(self) -> &'static [Backend] {
        match self {
            Which::Sqlite => &[Backend::Sqlite],
            Which::Postgres => &[Backend::Postgres],
            Which::Both => &[Backend::Sqlite, Backend::Postgres],
        }
    }
}

/// A database that exists for one measurement.
pub struct Scratch {
    pub url: String,
    place: Place,
    label: &'static str,
}

enum Place {
    Folder(PathBuf),
    Postgres { admin_url: String, name: String },
}

impl Scratch {
    /// `label` names the measurement (`audit`, `search`) in the folder or
    /// database name and in messages.
    pub async fn create(backend: Backend, admin_url: &str, label: &'static str) -> anyhow::Result<Scratch> {
        match backend {
            Backend::Sqlite => {
                let dir = std::env::temp_dir().join(format!("cercle-bench-{label}-{}", std::process::id()));
                std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
                Ok(Scratch {
                    url: format!("sqlite:{}", dir.join("cercle.db").display()),
                    place: Place::Folder(dir),
                    label,
                })
            }
            Backend::Postgres => {
                let name = format!(
                    "cercle_bench_{label}_{}",
                    &uuid::Uuid::new_v4().simple().to_string()[..16]
                );
                let mut admin = admin_connection(admin_url).await?;
                sqlx::query(&format!("CREATE DATABASE {name}"))
                    .execute(&mut admin)
                    .await
                    .with_context(|| format!("creating database {name}"))?;
                admin.close().await?;
                Ok(Scratch {
                    url: database_url(admin_url, &name)?,
                    place: Place::Postgres {
                        admin_url: admin_url.to_string(),
                        name,
                    },
                    label,
                })
            }
        }
    }

    /// Removes the database unless `keep` (failures are reported, not fatal).
    pub async fn finish(self, keep: bool) {
        if keep {
            eprintln!("cercle-bench {}: kept {}", self.label, self.url);
            return;
        }
        let result = match self.place {
            Place::Folder(dir) => std::fs::remove_dir_all(&dir).with_context(|| format!("removing {}", dir.display())),
            Place::Postgres { admin_url, name } => drop_database(&admin_url, &name).await,
        };
        if let Err(e) = result {
            eprintln!("cercle-bench {}: cleaning up {}: {e:#}", self.label, self.url);
        }
    }
}

async fn admin_connection(url: &str) -> anyhow::Result<sqlx::AnyConnection> {
    sqlx::any::install_default_drivers();
    sqlx::AnyConnection::connect(url)
        .await
        .with_context(|| format!("connecting to {url} (set --postgres or CERCLE_BENCH_POSTGRES)"))
}

async fn drop_database(admin_url: &str, name: &str) -> anyhow::Result<()> {
    let mut admin = admin_connection(admin_url).await?;
    sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .execute(&mut admin)
        .await
        .with_context(|| format!("dropping database {name}"))?;
    admin.close().await?;
    Ok(())
}

/// The same server URL with another database name (the path).
fn database_url(admin_url: &str, name: &str) -> anyhow::Result<String> {
    let (scheme, rest) = admin_url
        .split_once("://")
        .with_context(|| format!("not a URL: {admin_url}"))?;
    let (authority, query) = match rest.split_once('?') {
        Some((a, q)) => (a, Some(q)),
        None => (rest, None),
    };
    let host = authority.split('/').next().unwrap_or(authority);
    Ok(match query {
        Some(q) => format!("{scheme}://{host}/{name}?{q}"),
        None => format!("{scheme}://{host}/{name}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scratch_database_url() {
        assert_eq!(
            database_url("postgres://postgres@127.0.0.1:5432/postgres", "cercle_bench_1").ok(),
            Some("postgres://postgres@127.0.0.1:5432/cercle_bench_1".to_string())
        );
        assert_eq!(
            database_url("postgres://u:p@h/db?sslmode=disable", "x").ok(),
            Some("postgres://u:p@h/x?sslmode=disable".to_string())
        );
    }
}
