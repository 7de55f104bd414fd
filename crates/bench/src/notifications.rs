//! `cercle-bench notifications`: the cost of recording notifications when a
//! message is posted (fan-out), and the throughput of the worker that
//! applies the rules to them, in process, on the real service context.
//!
//! For each backend (a temporary SQLite folder, or a scratch PostgreSQL
//! database created and dropped here):
//!
//! 1. **Context.** `cercle::build_ctx` with the configuration's defaults
//!    (no SMTP, no SMS gateway: the development outbox), cheap Argon2id,
//!    a fixed server key, and a [`ManualClock`] at Wednesday 2026-06-10
//!    10:00 in Montréal. The background workers are not started: nothing
//!    runs but what is timed.
//! 2. **Seed** (not timed), through `cercle_store`: `--people` users; half
//!    of them work Monday–Friday 8:00–17:00, a quarter are absent (from the
//!    day before to three days after), the rest have no schedule (always
//!    reachable). One collaboration thread per fan-out size (its first N
//!    people) and, for the worker, threads of 10 people (each person in
//!    ⌈notifications / people⌉ of them), each with one high-priority
//!    message.
//! 3. **Fan-out** (timed): `threads::service::post` in each fan-out thread,
//!    the author rotating among the participants (the per-person flood
//!    limit is never reached; the clock moves 1 s per post). After
//!    `--warmup` posts, `--runs` posts that fold into everyone's unread
//!    notification of the thread, then `--runs` posts that insert one (all
//!    notifications of the thread are marked read before each, not timed).
//! 4. **Worker** (timed): the fan-out's notifications are deleted, then
//!    `--notifications` due rows are inserted (10 % high priority, tied to
//!    the message of a thread the person takes part in), and
//!    `notifications::run_due` is called until a round looks at nothing.
//!    Then the clock moves 20 minutes (past the 15-minute email delay and
//!    the SMS escalation) and the rows are drained again.

use crate::audit::dataset::Rng;
use crate::scratch::Scratch;
use crate::stats::{ms, percentile, sorted};
use anyhow::{bail, Context};
use cercle::{Config, Overrides};
use cercle_app::notifications::{run_due, RoundReport};
use cercle_app::{Client, Ctx};
use cercle_domain::availability::Slot;
use cercle_domain::clock::ManualClock;
use cercle_domain::local_time::Zone;
use cercle_domain::policy::{Principal, UserPrincipal};
use cercle_domain::{Clock, Language, MessageId, SessionId, ThreadId, Timestamp, UserId};
use cercle_store::availability::{self, PeriodRow};
use cercle_store::notifications::{self as nstore, NotificationRow};
use cercle_store::threads::{self as tstore, MessageRow, NewThread, Participant};
use cercle_store::users::{self, NewUser};
use cercle_store::{Backend, Conn};
use sqlx::Row;
use std::sync::Arc;
use std::time::{Duration, Instant};

#[derive(clap::Args)]
pub struct NotificationsArgs {
    #[command(flatten)]
    db: crate::scratch::Databases,
    /// People to create.
    #[arg(long, default_value_t = 2000)]
    people: usize,
    /// Participants of the threads posted to, one measurement each.
    #[arg(long, value_delimiter = ',', default_value = "10,100,1000")]
    fanouts: Vec<usize>,
    /// Timed posts per fan-out size and path (fold, then insert).
    #[arg(long, default_value_t = 30)]
    runs: usize,
    /// Untimed posts per thread before the timed ones (the first inserts).
    #[arg(long, default_value_t = 3)]
    warmup: usize,
    /// Due notifications the worker drains.
    #[arg(long, default_value_t = 20_000)]
    notifications: usize,
    /// Seed of the generator (who is high priority, the worker's threads).
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Keep the SQLite folder or PostgreSQL database instead of removing it.
    #[arg(long)]
    keep: bool,
}

/// People per thread of the worker's notifications.
const GROUP: usize = 10;
/// Share of high-priority notifications in the worker's rows.
const HIGH_SHARE: f64 = 0.10;
/// Rows per seeding transaction.
const SEED_TX: usize = 5_000;

pub async fn run(args: &NotificationsArgs) -> anyhow::Result<()> {
    if args.people < 2 || args.runs == 0 || args.warmup == 0 || args.notifications == 0 || args.fanouts.is_empty() {
        bail!("--people must be at least 2; --runs, --warmup, --notifications and --fanouts not 0 or empty");
    }
    if let Some(f) = args.fanouts.iter().find(|&&f| f < 2 || f > args.people) {
        bail!("fan-out {f}: each must be between 2 and --people ({})", args.people);
    }
    let backends = args.db.backend.backends();
    let mut reports = Vec::new();
    for &backend in backends {
        eprintln!(
            "cercle-bench notifications: {} ({} people, fan-outs {:?}, {} notifications)",
            backend.name(),
            args.people,
            args.fanouts,
            args.notifications
        );
        let scratch = Scratch::create(backend, &args.db.postgres, "notifications").await?;
        let result = measure(args, backend, &scratch.url).await;
        scratch.finish(args.keep).await;
        reports.push((backend, result?));
    }
    println!("{}", render(args, &reports));
    Ok(())
}

// ---------------------------------------------------------------- context

/// Wednesday 2026-06-10 10:00 in Montréal (EDT).
fn start_time() -> anyhow::Result<Timestamp> {
    let montreal = Zone::montreal();
    let Some(t) = montreal.to_utc_ms(2026, 6, 10, 10 * 60).map(Timestamp) else {
        bail!("2026-06-10 does not exist");
    };
    if montreal.weekday_minute(t.0) != (3, 600) {
        bail!("the start time is not a Wednesday at 10:00 in Montréal");
    }
    Ok(t)
}

async fn context(backend: Backend, url: &str, clock: Arc<ManualClock>) -> anyhow::Result<Ctx> {
    // SQLite: the scratch folder is the data folder. PostgreSQL: nothing is
    // written to it (the server key is given, the push key derived from it).
    let data_dir = match (backend, url.strip_prefix("sqlite:")) {
        (Backend::Sqlite, Some(path)) => std::path::Path::new(path)
            .parent()
            .map(|p| p.to_path_buf())
            .context("SQLite URL without a folder")?,
        _ => std::env::temp_dir(),
    };
    let key = format!("{}{}", uuid::Uuid::new_v4().simple(), uuid::Uuid::new_v4().simple());
    let config = Config {
        data_dir,
        database_url: Some(url.to_string()),
        secret_key: Some(key),
        argon2_memory_kib: 64,
        argon2_iterations: 1,
        argon2_parallelism: 1,
        ..Config::default()
    };
    config.validate()?;
    let clock: Arc<dyn Clock> = clock;
    cercle::build_ctx(
        &config,
        Overrides {
            clock: Some(clock),
            ..Overrides::default()
        },
    )
    .await
    .context("building the service context")
}

// ---------------------------------------------------------------- one backend

struct Report {
    seed: Duration,
    fanouts: Vec<FanOut>,
    drains: Vec<Drain>,
}

async fn measure(args: &NotificationsArgs, backend: Backend, url: &str) -> anyhow::Result<Report> {
    let start = start_time()?;
    let clock = Arc::new(ManualClock::starting_at(start));
    let ctx = context(backend, url, clock.clone()).await?;
    let result = measure_on(args, &ctx, &clock).await;
    ctx.store.close().await;
    result
}

async fn measure_on(args: &NotificationsArgs, ctx: &Ctx, clock: &ManualClock) -> anyhow::Result<Report> {
    let mut rng = Rng::new(args.seed);
    let t = Instant::now();
    let people = seed_people(ctx, args.people, clock.now()).await?;
    let fan_threads = seed_fanout_threads(ctx, &people, &args.fanouts, clock.now()).await?;
    let rounds = args.notifications.div_ceil(args.people);
    let groups = seed_worker_threads(ctx, &people, rounds, &mut rng, clock.now()).await?;
    let seed = t.elapsed();
    eprintln!(
        "  seeded {} people, {} fan-out threads, {} worker threads in {:.1} s",
        people.len(),
        fan_threads.len(),
        groups.threads.len(),
        seed.as_secs_f64()
    );

    let mut fanouts = Vec::new();
    for (&size, thread_id) in args.fanouts.iter().zip(&fan_threads) {
        let f = fan_out(ctx, clock, &people[..size], *thread_id, args.warmup, args.runs).await?;
        eprintln!(
            "  fan-out {size}: fold p50 {:.2} ms, insert p50 {:.2} ms",
            percentile(&sorted(&f.fold), 50.0),
            percentile(&sorted(&f.insert), 50.0)
        );
        fanouts.push(f);
    }

    // The worker starts from the generated rows alone.
    {
        let mut tx = ctx.store.begin().await?;
        sqlx::query("DELETE FROM notifications").execute(&mut *tx).await?;
        tx.commit().await?;
    }
    let t = Instant::now();
    seed_notifications(ctx, &people, &groups, args.notifications, &mut rng, clock.now()).await?;
    eprintln!(
        "  inserted {} due notifications in {:.1} s",
        args.notifications,
        t.elapsed().as_secs_f64()
    );
    analyze(ctx).await?;
    let mut drains = Vec::new();
    drains.push(drain(ctx, "at once (rings)").await?);
    eprintln!("  drain 1: {:.1} s", drains[0].total.as_secs_f64());
    clock.advance_secs(20 * 60);
    drains.push(drain(ctx, "+20 min (email alerts, SMS step)").await?);
    eprintln!("  drain 2: {:.1} s", drains[1].total.as_secs_f64());
    Ok(Report { seed, fanouts, drains })
}

/// PostgreSQL: `ANALYZE` after the bulk insert, as autovacuum would soon
/// do. SQLite: nothing (the server runs no `ANALYZE`).
async fn analyze(ctx: &Ctx) -> anyhow::Result<()> {
    if ctx.store.backend() == Backend::Postgres {
        let mut conn = ctx.store.reader().await?;
        sqlx::query("ANALYZE").execute(&mut *conn).await.context("ANALYZE")?;
    }
    Ok(())
}

// ---------------------------------------------------------------- seeding

struct Person {
    id: UserId,
    key: String,
}

async fn seed_people(ctx: &Ctx, n: usize, now: Timestamp) -> anyhow::Result<Vec<Person>> {
    // Monday (1) to Friday (5), 8:00–17:00.
    let office: Vec<Slot> = (1..=5)
        .map(|day| Slot {
            day,
            start: 8 * 60,
            end: 17 * 60,
        })
        .collect();
    let mut people = Vec::with_capacity(n);
    let mut tx = ctx.store.begin().await?;
    for i in 0..n {
        if i > 0 && i % (SEED_TX / 5) == 0 {
            tx.commit().await?;
            tx = ctx.store.begin().await?;
        }
        let id = UserId::new();
        let key = id.to_string();
        let email = format!("p{i}@bench.cercle.invalid");
        let name = format!("Personne {i}");
        users::insert(
            &mut tx,
            &NewUser {
                id: &key,
                email: &email,
                name: &name,
                language: "fr",
                password_hash: "not-a-hash",
                network_admin: false,
            },
            now,
        )
        .await?;
        match i % 4 {
            // Half: office hours.
            0 | 1 => availability::replace_slots(&mut tx, id, &office).await?,
            // A quarter: absent since yesterday, back in three days.
            2 => {
                availability::insert_period(
                    &mut tx,
                    &PeriodRow {
                        id: cercle_domain::PeriodId::new(),
                        user_id: id,
                        starts_at: now.minus_secs(24 * 3600).0,
                        ends_at: now.plus_secs(3 * 24 * 3600).0,
                        message: None,
                        created_at: now.0,
                    },
                )
                .await?
            }
            // The rest: no schedule (always reachable).
            _ => {}
        }
        people.push(Person { id, key });
    }
    tx.commit().await?;
    Ok(people)
}

async fn new_thread(conn: &mut Conn, title: &str, created_by: UserId, now: Timestamp) -> anyhow::Result<ThreadId> {
    let id = ThreadId::new();
    let folded = title.to_lowercase();
    tstore::insert_thread(
        conn,
        &NewThread {
            id,
            kind: cercle_domain::threads::ThreadKind::Collaboration,
            org_id: None,
            patient_file_id: None,
            title,
            title_text: None,
            folded_title: &folded,
            high_priority: false,
            created_by,
            direct_key: None,
            channel_id: None,
        },
        now,
    )
    .await?;
    Ok(id)
}

/// One thread per fan-out size, with its first `size` people.
async fn seed_fanout_threads(
    ctx: &Ctx,
    people: &[Person],
    sizes: &[usize],
    now: Timestamp,
) -> anyhow::Result<Vec<ThreadId>> {
    let mut ids = Vec::new();
    for &size in sizes {
        let mut tx = ctx.store.begin().await?;
        let creator = people[0].id;
        let id = new_thread(&mut tx, &format!("Fan-out {size}"), creator, now).await?;
        for p in &people[..size] {
            tstore::add_participant(&mut tx, id, Participant::User(p.id), Some(creator), now).await?;
        }
        tx.commit().await?;
        ids.push(id);
    }
    Ok(ids)
}

/// The worker's threads: `rounds` shuffles of everyone into threads of
/// [`GROUP`] people, each thread with one high-priority message.
struct Groups {
    threads: Vec<GroupThread>,
    /// `[round][person]`: the person's thread in that round (an index of `threads`).
    of: Vec<Vec<usize>>,
}

struct GroupThread {
    id: ThreadId,
    message_id: MessageId,
    author: UserId,
}

async fn seed_worker_threads(
    ctx: &Ctx,
    people: &[Person],
    rounds: usize,
    rng: &mut Rng,
    now: Timestamp,
) -> anyhow::Result<Groups> {
    let mut of = vec![vec![0; people.len()]; rounds];
    let mut threads = Vec::new();
    let mut tx = ctx.store.begin().await?;
    let mut statements = 0;
    for (r, members_of) in of.iter_mut().enumerate() {
        let mut order: Vec<usize> = (0..people.len()).collect();
        for i in (1..order.len()).rev() {
            let j = rng.below(i + 1);
            order.swap(i, j);
        }
        for (g, group) in order.chunks(GROUP).enumerate() {
            let creator = people[group[0]].id;
            let thread_id = new_thread(&mut tx, &format!("Groupe {r}.{g}"), creator, now).await?;
            for &p in group {
                let who = Participant::User(people[p].id);
                tstore::add_participant(&mut tx, thread_id, who, Some(creator), now).await?;
            }
            let seq = tstore::next_seq(&mut tx, thread_id, creator, true, now).await?.last_seq;
            let body = "Urgent : rappel demandé";
            let message = MessageRow {
                id: MessageId::new(),
                thread_id,
                seq,
                author_id: creator,
                body: body.into(),
                priority: true,
                created_at: now.0,
                edited_at: None,
                retracted_at: None,
            };
            tstore::insert_message(&mut tx, &message, &body.to_lowercase()).await?;
            for &p in group {
                members_of[p] = threads.len();
            }
            threads.push(GroupThread {
                id: thread_id,
                message_id: message.id,
                author: creator,
            });
            statements += group.len() + 3;
            if statements >= SEED_TX {
                tx.commit().await?;
                tx = ctx.store.begin().await?;
                statements = 0;
            }
        }
    }
    tx.commit().await?;
    Ok(Groups { threads, of })
}

/// `n` due notifications: person `i % people`, in their thread of round
/// `i / people`; [`HIGH_SHARE`] of them high priority, tied to its message.
async fn seed_notifications(
    ctx: &Ctx,
    people: &[Person],
    groups: &Groups,
    n: usize,
    rng: &mut Rng,
    now: Timestamp,
) -> anyhow::Result<()> {
    let mut tx = ctx.store.begin().await?;
    for i in 0..n {
        if i > 0 && i % SEED_TX == 0 {
            tx.commit().await?;
            tx = ctx.store.begin().await?;
        }
        let p = i % people.len();
        let t = &groups.threads[groups.of[(i / people.len()) % groups.of.len()][p]];
        let high = rng.unit() < HIGH_SHARE;
        let mut row = NotificationRow::new(
            people[p].key.parse()?,
            cercle_domain::notification_rules::NotificationKind::Message,
            Some(t.author),
            format!("/threads/{}", t.id),
            now,
        );
        row.thread_kind = "collaboration".into();
        row.thread_id = Some(t.id);
        row.message_id = high.then_some(t.message_id);
        row.high_priority = high;
        nstore::insert(&mut tx, &row).await?;
    }
    tx.commit().await?;
    Ok(())
}

// ---------------------------------------------------------------- fan-out

struct FanOut {
    size: usize,
    /// Post latencies (ms) when every recipient's unread notification of
    /// the thread takes the message (one UPDATE each).
    fold: Vec<f64>,
    /// … and when everyone had read the thread (one INSERT each).
    insert: Vec<f64>,
}

fn principal(p: &Person) -> Principal {
    Principal::User(UserPrincipal {
        user_id: p.id,
        session_id: SessionId::new(),
        network_admin: false,
        network_verifier: false,
        circle_only: false,
        service: None,
    })
}

/// One post by the `k`-th author in turn, timed (ms); the clock moves 1 s first.
async fn post(
    ctx: &Ctx,
    clock: &ManualClock,
    members: &[Person],
    thread_id: ThreadId,
    k: usize,
) -> anyhow::Result<f64> {
    let author = principal(&members[k % members.len()]);
    let body = format!("Message {k} du banc d'essai des notifications");
    clock.advance_secs(1);
    let t = Instant::now();
    cercle_app::threads::service::post(ctx, &Client::default(), &author, thread_id, &body, false, Language::Fr)
        .await
        .with_context(|| format!("posting message {k}"))?;
    Ok(ms(t.elapsed()))
}

async fn fan_out(
    ctx: &Ctx,
    clock: &ManualClock,
    members: &[Person],
    thread_id: ThreadId,
    warmup: usize,
    runs: usize,
) -> anyhow::Result<FanOut> {
    let mut k = 0_usize;
    for _ in 0..warmup {
        post(ctx, clock, members, thread_id, k).await?;
        k += 1;
    }
    let mut fold = Vec::with_capacity(runs);
    for _ in 0..runs {
        fold.push(post(ctx, clock, members, thread_id, k).await?);
        k += 1;
    }
    let mut insert = Vec::with_capacity(runs);
    for _ in 0..runs {
        {
            let mut tx = ctx.store.begin().await?;
            sqlx::query("UPDATE notifications SET read_at = $1 WHERE thread_id = $2 AND read_at IS NULL")
                .bind(clock.now().0)
                .bind(thread_id)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
        }
        insert.push(post(ctx, clock, members, thread_id, k).await?);
        k += 1;
    }
    Ok(FanOut {
        size: members.len(),
        fold,
        insert,
    })
}

// ---------------------------------------------------------------- worker

struct Drain {
    label: &'static str,
    total: Duration,
    /// Latency of each round that looked at something (ms).
    rounds: Vec<f64>,
    report: RoundReport,
    /// Emails queued in the outbox during the drain, and to how many people.
    emails_queued: i64,
    emailed_people: i64,
    /// Rows the worker failed on (set to be looked at again in 60 s).
    retried: i64,
    /// Rows still scheduled after the drain, and the earliest next look.
    scheduled: i64,
    next_look_mins: Option<f64>,
}

async fn outbox_emails(ctx: &Ctx) -> anyhow::Result<(i64, i64)> {
    let mut conn = ctx.store.reader().await?;
    let row = sqlx::query("SELECT COUNT(*), COUNT(DISTINCT recipient) FROM outbox WHERE channel = 'email'")
        .fetch_one(&mut *conn)
        .await?;
    Ok((row.try_get(0)?, row.try_get(1)?))
}

async fn drain(ctx: &Ctx, label: &'static str) -> anyhow::Result<Drain> {
    let now = ctx.clock.now();
    let (emails_before, people_before) = outbox_emails(ctx).await?;
    let mut rounds = Vec::new();
    let mut report = RoundReport::default();
    let t = Instant::now();
    loop {
        let r0 = Instant::now();
        let r = run_due(ctx).await.context("notifications::run_due")?;
        let elapsed = r0.elapsed();
        if r.looked_at == 0 {
            break;
        }
        rounds.push(ms(elapsed));
        report.looked_at += r.looked_at;
        report.pushed += r.pushed;
        report.emails += r.emails;
        report.sms += r.sms;
    }
    let total = t.elapsed();
    let (emails_after, people_after) = outbox_emails(ctx).await?;
    let mut conn = ctx.store.reader().await?;
    let row = sqlx::query(
        "SELECT COUNT(CASE WHEN next_check_at = $1 THEN 1 END), COUNT(next_check_at), MIN(next_check_at) \
         FROM notifications",
    )
    .bind(now.plus_secs(60).0)
    .fetch_one(&mut *conn)
    .await?;
    let next: Option<i64> = row.try_get(2)?;
    Ok(Drain {
        label,
        total,
        rounds,
        report,
        emails_queued: emails_after - emails_before,
        emailed_people: people_after - people_before,
        retried: row.try_get(0)?,
        scheduled: row.try_get(1)?,
        next_look_mins: next.map(|n| (n - now.0) as f64 / 60_000.0),
    })
}

// ---------------------------------------------------------------- report

fn render(args: &NotificationsArgs, reports: &[(Backend, Report)]) -> String {
    let mut out = format!(
        "### Fan-out: `threads::service::post` latency ({} people; {} timed posts per row after {} warm-up posts)\n\n",
        args.people, args.runs, args.warmup
    );
    out.push_str(
        "| backend | participants | path | p50 (ms) | p99 (ms) | max (ms) | p50 per recipient (µs) |\n\
         |---|---:|---|---:|---:|---:|---:|\n",
    );
    for (b, r) in reports {
        for f in &r.fanouts {
            for (path, values) in [("fold (unread one +1)", &f.fold), ("insert (all read)", &f.insert)] {
                let s = sorted(values);
                let p50 = percentile(&s, 50.0);
                out.push_str(&format!(
                    "| {} | {} | {} | {:.2} | {:.2} | {:.2} | {:.1} |\n",
                    b.name(),
                    f.size,
                    path,
                    p50,
                    percentile(&s, 99.0),
                    percentile(&s, 100.0),
                    p50 * 1000.0 / (f.size - 1) as f64,
                ));
            }
        }
    }
    out.push_str(&format!(
        "\n### Worker: `notifications::run_due` until a round looks at nothing ({} due rows, {} % high priority; rounds of up to 100)\n\n",
        args.notifications,
        (HIGH_SHARE * 100.0) as u32
    ));
    out.push_str(
        "| backend | drain | looked at | rounds | total (s) | rows/s | round p50 (ms) | round p99 (ms) | round max (ms) | pushed | emails (report) | emails queued / people | SMS | failed rows | still scheduled (next look in) |\n\
         |---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n",
    );
    for (b, r) in reports {
        for d in &r.drains {
            let s = sorted(&d.rounds);
            out.push_str(&format!(
                "| {} | {} | {} | {} | {:.1} | {:.0} | {:.1} | {:.1} | {:.1} | {} | {} | {} / {} | {} | {} | {} ({}) |\n",
                b.name(),
                d.label,
                d.report.looked_at,
                d.rounds.len(),
                d.total.as_secs_f64(),
                d.report.looked_at as f64 / d.total.as_secs_f64(),
                percentile(&s, 50.0),
                percentile(&s, 99.0),
                percentile(&s, 100.0),
                d.report.pushed,
                d.report.emails,
                d.emails_queued,
                d.emailed_people,
                d.report.sms,
                d.retried,
                d.scheduled,
                d.next_look_mins
                    .map(|m| format!("{m:.0} min"))
                    .unwrap_or_else(|| "–".into()),
            ));
        }
    }
    out.push_str("\nSeeding (not timed above): ");
    let seeds: Vec<String> = reports
        .iter()
        .map(|(b, r)| format!("{} {:.1} s", b.name(), r.seed.as_secs_f64()))
        .collect();
    out.push_str(&seeds.join(", "));
    out.push_str(
        ". `pushed` counts deliveries to subscribed browsers: nobody has a push subscription here, so it \
         stays 0 although rows ring (the push path still opens its transaction and looks the subscriptions up).\n",
    );
    out
}
