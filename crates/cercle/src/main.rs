//! The `cercle` binary: the server and the operator's tools.

use anyhow::Context;
use cercle::{backup, build_ctx, init_logging, start, Config, Overrides};
use cercle_app::audit::ChainStatus;
use cercle_domain::policy::Principal;
use cercle_domain::Language;
use clap::{Parser, Subcommand};
use std::path::PathBuf;

/// mimalloc instead of glibc's allocator (docs/benchmarks.md section 23:
/// glibc's arenas took a sixth of the server's samples at the ceiling).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(name = "cercle", version, about = "Cercle: secure clinical collaboration")]
struct Cli {
    /// Configuration file (TOML); CERCLE_* variables override it.
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    /// Data folder (SQLite database, keys, attachments).
    #[arg(long, global = true)]
    data_dir: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server (web app, API, events).
    Serve,
    /// Apply database migrations and exit.
    Migrate,
    /// Operator tasks.
    Admin {
        #[command(subcommand)]
        task: AdminTask,
    },
    /// Write a consistent backup of the database, keys and attachments to a new folder (safe while serving).
    Backup {
        /// Folder to create.
        #[arg(long)]
        out: PathBuf,
    },
    /// Restore a backup into a new data folder (or an empty PostgreSQL database).
    Restore {
        /// Backup folder written by `cercle backup`.
        #[arg(long)]
        from: PathBuf,
    },
    /// Seed a small bilingual demo network (if empty), print how to sign in, and serve.
    Demo {
        /// Seed and exit without serving.
        #[arg(long)]
        seed_only: bool,
    },
}

#[derive(Subcommand)]
enum AdminTask {
    /// Create the first network administrator; prints the link to choose a password.
    Bootstrap {
        #[arg(long)]
        email: String,
        #[arg(long, default_value = "Administrator")]
        name: String,
        #[arg(long, default_value = "fr")]
        language: String,
    },
    /// Check the audit log's hash chain; exits with 1 when it is broken.
    VerifyAudit,
}

fn main() {
    return_large_allocations_to_the_system();
    let result = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(anyhow::Error::from)
        .and_then(|rt| rt.block_on(run()));
    if let Err(e) = result {
        eprintln!("error: {e:#}");
        std::process::exit(2);
    }
}

async fn run() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let mut config = Config::load(cli.config.as_deref())?;
    if let Some(d) = cli.data_dir {
        config.data_dir = d;
    }
    init_logging(&config.log_format);
    match cli.command {
        Command::Serve => serve(&config, false).await,
        Command::Demo { seed_only } => {
            if seed_only {
                let ctx = build_ctx(&config, Overrides::default()).await?;
                seed_demo(&ctx).await?;
                ctx.store.close().await;
                Ok(())
            } else {
                serve(&config, true).await
            }
        }
        Command::Migrate => {
            let store = cercle_store::Store::open(&config.database_url()).await?;
            let applied = store.migrate().await?;
            println!("migrations applied: {applied:?}");
            Ok(())
        }
        Command::Admin { task } => admin(&config, task).await,
        Command::Backup { out } => {
            backup::backup(&config, &out).await?;
            println!("backup written to {}", out.display());
            Ok(())
        }
        Command::Restore { from } => {
            backup::restore(&config, &from).await?;
            println!("restored into {}", config.data_dir.display());
            Ok(())
        }
    }
}

async fn seed_demo(ctx: &cercle_app::Ctx) -> anyhow::Result<()> {
    let seeded = cercle_app::demo::seed(ctx).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    if seeded {
        println!("Demo network created.");
    }
    println!();
    println!(
        "Demo accounts (password {}, PIN {}):",
        cercle_app::demo::DEMO_PASSWORD,
        cercle_app::demo::DEMO_PIN
    );
    for p in cercle_app::demo::PEOPLE {
        println!("  {:<36} {} ({}, {})", p.email, p.name, p.role, p.language);
    }
    println!(
        "Sign-in codes arrive in the development outbox: {}/dev/outbox",
        ctx.config.public_url
    );
    Ok(())
}

async fn serve(config: &Config, demo: bool) -> anyhow::Result<()> {
    tracing::info!(config = %config.describe(), "starting Cercle");
    let started = std::time::Instant::now();
    let ctx = build_ctx(config, Overrides::default()).await?;
    if demo {
        seed_demo(&ctx).await?;
    }
    let running = start(config, ctx).await?;
    println!();
    println!(
        "Cercle is running at {}  (listening on {}, ready in {} ms)",
        config.public_url(),
        running.addr,
        started.elapsed().as_millis()
    );
    if !config.production {
        println!("Emails and SMS: {}/dev/outbox", config.public_url());
    }
    shutdown_signal().await;
    tracing::info!("shutting down");
    running.stop().await;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}

async fn admin(config: &Config, task: AdminTask) -> anyhow::Result<()> {
    let ctx = build_ctx(config, Overrides::default()).await?;
    let result: anyhow::Result<()> = match task {
        AdminTask::Bootstrap { email, name, language } => {
            let lang = Language::parse(&language).map_err(|_| anyhow::anyhow!("language must be fr or en"))?;
            let link = cercle_app::admin::bootstrap(&ctx, &Principal::Operator, &email, &name, lang)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            // Deliver the welcome email now (the worker is not running here).
            cercle_app::outbox::deliver_due(&ctx)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!("Network administrator created. Choose the password here (valid 72 hours, also emailed):");
            println!("{link}");
            Ok(())
        }
        AdminTask::VerifyAudit => {
            let status = cercle_app::audit::verify(&ctx)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            match status {
                ChainStatus::Intact { records } => {
                    println!("audit log intact: {records} records");
                    Ok(())
                }
                other => {
                    println!("AUDIT LOG BROKEN: {other:?}");
                    ctx.store.close().await;
                    std::process::exit(1);
                }
            }
        }
    };
    ctx.store.close().await;
    result.context("admin task")
}

/// Each Argon2id hash allocates and frees its whole memory cost (19 MiB by
/// default). glibc's malloc then raises its mmap threshold and keeps such
/// blocks in its arenas, so a burst of sign-ins left the process at ~2 GiB
/// (docs/benchmarks.md). A fixed threshold makes large blocks go back to the
/// system when freed.
fn return_large_allocations_to_the_system() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets an allocator parameter; it is called once,
    // before the runtime starts any thread.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1024 * 1024);
    }
}
