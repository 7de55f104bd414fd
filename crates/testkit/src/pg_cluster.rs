//! A private PostgreSQL cluster that a test creates, stops and starts
//! itself (`initdb` and `pg_ctl` on a free port, in a temporary folder), for
//! the database outage tests. It never touches the shared server the other
//! tests use. Dropping it stops it and removes its files.

use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Duration;

pub struct PgCluster {
    base: PathBuf,
    bin: PathBuf,
    port: u16,
    /// Running as root: PostgreSQL refuses root, so its commands run as the
    /// `postgres` user (`runuser`).
    as_postgres: bool,
    running: bool,
}

/// The folder holding `initdb` and `pg_ctl`: `CERCLE_PG_BIN`, the `PATH`,
/// `/usr/local/bin`, then the newest `/usr/lib/postgresql/*/bin`.
pub fn tools() -> Option<PathBuf> {
    let has = |d: &Path| d.join("initdb").is_file() && d.join("pg_ctl").is_file();
    if let Some(d) = std::env::var_os("CERCLE_PG_BIN").map(PathBuf::from) {
        return has(&d).then_some(d);
    }
    let mut candidates: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect())
        .unwrap_or_default();
    candidates.push(PathBuf::from("/usr/local/bin"));
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|rd| rd.filter_map(|e| e.ok()).map(|e| e.path().join("bin")).collect())
        .unwrap_or_default();
    versions.sort_by_key(|p| {
        p.parent()
            .and_then(|v| v.file_name())
            .and_then(|v| v.to_str())
            .and_then(|v| v.parse::<u32>().ok())
            .unwrap_or(0)
    });
    candidates.extend(versions.into_iter().rev());
    candidates.into_iter().find(|d| has(d))
}

fn is_root() -> bool {
    std::process::Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

impl PgCluster {
    /// Creates and starts a cluster; `Err` says why it cannot (tools
    /// missing, `initdb` failing).
    pub async fn start() -> Result<PgCluster, String> {
        let bin = tools().ok_or("initdb and pg_ctl not found (PATH, /usr/local/bin, /usr/lib/postgresql/*/bin)")?;
        let base = crate::temp_dir("cercle-pg");
        let as_postgres = is_root();
        let mut cluster = PgCluster {
            base,
            bin,
            port: free_port(),
            as_postgres,
            running: false,
        };
        if as_postgres {
            let out = tokio::process::Command::new("chown")
                .args(["-R", "postgres:"])
                .arg(&cluster.base)
                .output()
                .await
                .map_err(|e| format!("chown: {e}"))?;
            if !out.status.success() {
                return Err(format!("chown postgres {}: {}", cluster.base.display(), text(&out)));
            }
        }
        let data = cluster.data();
        let out = cluster
            .run(
                "initdb",
                &[
                    "-D",
                    &data,
                    "-U",
                    "postgres",
                    "-A",
                    "trust",
                    "-E",
                    "UTF8",
                    "--locale=C",
                    "--no-sync",
                ],
            )
            .await?;
        if !out.status.success() {
            return Err(format!("initdb failed: {}", text(&out)));
        }
        cluster.resume().await?;
        Ok(cluster)
    }

    fn data(&self) -> String {
        self.base.join("data").display().to_string()
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// `postgres://postgres@127.0.0.1:<port>/postgres`
    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    async fn run(&self, tool: &str, args: &[&str]) -> Result<Output, String> {
        let program = self.bin.join(tool);
        let mut cmd = if self.as_postgres {
            let mut c = tokio::process::Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(&program);
            c
        } else {
            tokio::process::Command::new(&program)
        };
        cmd.args(args).current_dir(&self.base).kill_on_drop(true);
        match tokio::time::timeout(Duration::from_secs(60), cmd.output()).await {
            Ok(Ok(out)) => Ok(out),
            Ok(Err(e)) => Err(format!("{tool}: {e}")),
            Err(_) => Err(format!("{tool} took more than 60 s")),
        }
    }

    /// Starts the server (again), waiting until it accepts connections.
    pub async fn resume(&mut self) -> Result<(), String> {
        let data = self.data();
        let log = self.base.join("server.log").display().to_string();
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c max_connections=60",
            self.port,
            self.base.display()
        );
        let out = self
            .run(
                "pg_ctl",
                &["-D", &data, "-l", &log, "-o", &options, "-w", "-t", "30", "start"],
            )
            .await?;
        if !out.status.success() {
            let server_log = std::fs::read_to_string(&log).unwrap_or_default();
            return Err(format!("pg_ctl start failed: {}\n{server_log}", text(&out)));
        }
        self.running = true;
        Ok(())
    }

    /// Stops the server (fast shutdown: sessions are ended at once, as when
    /// a database server goes down).
    pub async fn stop(&mut self) -> Result<(), String> {
        let data = self.data();
        let out = self
            .run("pg_ctl", &["-D", &data, "-m", "fast", "-w", "-t", "30", "stop"])
            .await?;
        if !out.status.success() {
            return Err(format!("pg_ctl stop failed: {}", text(&out)));
        }
        self.running = false;
        Ok(())
    }
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

impl Drop for PgCluster {
    fn drop(&mut self) {
        if self.running {
            let program = self.bin.join("pg_ctl");
            let data = self.data();
            let args = ["-D", data.as_str(), "-m", "immediate", "-w", "-t", "20", "stop"];
            let _ = if self.as_postgres {
                std::process::Command::new("runuser")
                    .args(["-u", "postgres", "--"])
                    .arg(&program)
                    .args(args)
                    .output()
            } else {
                std::process::Command::new(&program).args(args).output()
            };
        }
        let _ = std::fs::remove_dir_all(&self.base);
    }
}
