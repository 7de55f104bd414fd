//! Bulk loading of the generated network into a migrated database, without
//! going through `index_doc` one document at a time: the postings,
//! vocabulary, prefixes and variants are computed here with the store's own
//! functions (`terms`, `folded_name`, `vocabulary_keys`), so the index holds
//! exactly the rows `index_doc` would have written.
//!
//! SQLite: one connection, `synchronous = OFF`, multi-row `INSERT`s of
//! literal values in large transactions. PostgreSQL: `COPY … FROM STDIN`
//! (text format) on a direct connection, with foreign-key triggers off for
//! the session (`session_replication_role = replica`; the generated rows are
//! consistent by construction).

use super::dataset::Universe;
use super::names::PROFESSION_WEIGHTS;
use crate::audit::dataset::Rng;
use anyhow::Context;
use cercle_domain::search::terms;
use cercle_store::search::{folded_name, vocabulary_keys, MAX_TERMS};
use cercle_store::Backend;
use sqlx::{Connection, PgConnection, SqliteConnection};
use std::collections::{BTreeSet, HashMap};
use std::time::{Duration, Instant};

/// A value of a generated row.
#[derive(Clone, Copy)]
pub enum V<'a> {
    T(&'a str),
    I(i64),
    N,
}

enum Db {
    Sqlite(SqliteConnection),
    Postgres(PgConnection),
}

/// Rows per SQLite statement, rows per SQLite transaction, rows per PostgreSQL `COPY`.
const SQLITE_ROWS_PER_STATEMENT: usize = 500;
const SQLITE_ROWS_PER_TX: usize = 250_000;
const PG_ROWS_PER_COPY: usize = 50_000;

pub struct Loader {
    db: Db,
    /// Rows written per table, in order.
    pub counts: Vec<(&'static str, u64)>,
    in_tx: usize,
}

/// One table being written.
struct Writer {
    table: &'static str,
    columns: &'static str,
    buf: String,
    rows: usize,
    total: u64,
}

impl Loader {
    pub async fn connect(backend: Backend, url: &str) -> anyhow::Result<Loader> {
        let db = match backend {
            Backend::Sqlite => {
                let mut c = SqliteConnection::connect(url)
                    .await
                    .with_context(|| format!("connecting to {url}"))?;
                for pragma in [
                    "PRAGMA journal_mode = WAL",
                    "PRAGMA synchronous = OFF",
                    "PRAGMA foreign_keys = OFF",
                    "PRAGMA cache_size = -2000000",
                    "PRAGMA temp_store = MEMORY",
                ] {
                    sqlx::raw_sql(pragma).execute(&mut c).await?;
                }
                sqlx::raw_sql("BEGIN").execute(&mut c).await?;
                Db::Sqlite(c)
            }
            Backend::Postgres => {
                let mut c = PgConnection::connect(url)
                    .await
                    .with_context(|| format!("connecting to {url}"))?;
                sqlx::raw_sql("SET synchronous_commit = off").execute(&mut c).await?;
                if let Err(e) = sqlx::raw_sql("SET session_replication_role = replica")
                    .execute(&mut c)
                    .await
                {
                    eprintln!("  (foreign-key triggers stay on: {e})");
                }
                Db::Postgres(c)
            }
        };
        Ok(Loader {
            db,
            counts: Vec::new(),
            in_tx: 0,
        })
    }

    fn writer(&self, table: &'static str, columns: &'static str) -> Writer {
        Writer {
            table,
            columns,
            buf: String::with_capacity(1 << 20),
            rows: 0,
            total: 0,
        }
    }

    async fn row(&mut self, w: &mut Writer, values: &[V<'_>]) -> anyhow::Result<()> {
        match self.db {
            Db::Sqlite(_) => {
                w.buf.push_str(if w.rows == 0 { "(" } else { ",(" });
                for (i, v) in values.iter().enumerate() {
                    if i > 0 {
                        w.buf.push(',');
                    }
                    match v {
                        V::T(s) => {
                            w.buf.push('\'');
                            w.buf.push_str(&s.replace('\'', "''"));
                            w.buf.push('\'');
                        }
                        V::I(n) => w.buf.push_str(&n.to_string()),
                        V::N => w.buf.push_str("NULL"),
                    }
                }
                w.buf.push(')');
            }
            Db::Postgres(_) => {
                for (i, v) in values.iter().enumerate() {
                    if i > 0 {
                        w.buf.push('\t');
                    }
                    match v {
                        V::T(s) => {
                            for c in s.chars() {
                                match c {
                                    '\\' => w.buf.push_str("\\\\"),
                                    '\t' => w.buf.push_str("\\t"),
                                    '\n' => w.buf.push_str("\\n"),
                                    '\r' => w.buf.push_str("\\r"),
                                    c => w.buf.push(c),
                                }
                            }
                        }
                        V::I(n) => w.buf.push_str(&n.to_string()),
                        V::N => w.buf.push_str("\\N"),
                    }
                }
                w.buf.push('\n');
            }
        }
        w.rows += 1;
        w.total += 1;
        let full = match self.db {
            Db::Sqlite(_) => w.rows >= SQLITE_ROWS_PER_STATEMENT,
            Db::Postgres(_) => w.rows >= PG_ROWS_PER_COPY,
        };
        if full {
            self.flush(w).await?;
        }
        Ok(())
    }

    async fn flush(&mut self, w: &mut Writer) -> anyhow::Result<()> {
        if w.rows == 0 {
            return Ok(());
        }
        match &mut self.db {
            Db::Sqlite(c) => {
                let sql = format!("INSERT INTO {} ({}) VALUES {}", w.table, w.columns, w.buf);
                sqlx::raw_sql(&sql)
                    .execute(&mut *c)
                    .await
                    .with_context(|| format!("inserting into {}", w.table))?;
                self.in_tx += w.rows;
                if self.in_tx >= SQLITE_ROWS_PER_TX {
                    sqlx::raw_sql("COMMIT").execute(&mut *c).await?;
                    sqlx::raw_sql("BEGIN").execute(&mut *c).await?;
                    self.in_tx = 0;
                }
            }
            Db::Postgres(c) => {
                let mut copy = c
                    .copy_in_raw(&format!("COPY {} ({}) FROM STDIN", w.table, w.columns))
                    .await
                    .with_context(|| format!("COPY into {}", w.table))?;
                copy.send(w.buf.as_bytes()).await?;
                copy.finish().await.with_context(|| format!("COPY into {}", w.table))?;
            }
        }
        w.buf.clear();
        w.rows = 0;
        Ok(())
    }

    async fn finish(&mut self, mut w: Writer) -> anyhow::Result<()> {
        self.flush(&mut w).await?;
        self.counts.push((w.table, w.total));
        eprintln!("    {}: {} rows", w.table, w.total);
        Ok(())
    }

    async fn close(mut self) -> anyhow::Result<Vec<(&'static str, u64)>> {
        match &mut self.db {
            Db::Sqlite(c) => {
                sqlx::raw_sql("COMMIT").execute(&mut *c).await?;
            }
            Db::Postgres(_) => {}
        }
        let counts = std::mem::take(&mut self.counts);
        match self.db {
            Db::Sqlite(c) => c.close().await?,
            Db::Postgres(c) => c.close().await?,
        }
        Ok(counts)
    }
}

/// What loading took and wrote (nothing for an existing database).
#[derive(Default)]
pub struct Seeded {
    pub load: Duration,
    pub analyze: Duration,
    pub counts: Vec<(&'static str, u64)>,
}

const PASSWORD_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$YmVuY2hzYWx0$not-a-real-hash-generated-account";

/// Loads the network into a migrated, empty database, then gathers the
/// planner's statistics (SQLite: `ANALYZE`; PostgreSQL: `VACUUM ANALYZE`),
/// and writes everything out (WAL checkpoint; `CHECKPOINT`).
pub async fn seed(backend: Backend, url: &str, u: &Universe, seed: u64) -> anyhow::Result<Seeded> {
    let t = Instant::now();
    let mut l = Loader::connect(backend, url).await?;
    let mut rng = Rng::new(seed ^ 0x5EED_5EED);

    // Accounts.
    let mut w = l.writer(
        "users",
        "id, email, name, language, password_hash, email_verified_at, terms_accepted_at, created_at, updated_at",
    );
    for (i, p) in u.people.iter().enumerate() {
        let email = format!("person{i:07}@bench.cercle.test");
        l.row(
            &mut w,
            &[
                V::T(&p.id),
                V::T(&email),
                V::T(&p.name),
                V::T(p.language),
                V::T(PASSWORD_HASH),
                V::I(p.created_at + 60_000),
                V::I(p.created_at),
                V::I(p.created_at),
                V::I(p.created_at),
            ],
        )
        .await?;
    }
    l.finish(w).await?;

    // Organizations, their root units and workplaces, memberships.
    let mut w = l.writer("organizations", "id, name, root_unit_id, created_at");
    for o in &u.orgs {
        l.row(
            &mut w,
            &[V::T(&o.id), V::T(&o.name), V::T(&o.root_unit), V::I(o.created_at)],
        )
        .await?;
    }
    l.finish(w).await?;
    let mut w = l.writer("units", "id, org_id, parent_id, name, path, created_at");
    for o in &u.orgs {
        let path = format!("/{}/", o.root_unit);
        l.row(
            &mut w,
            &[
                V::T(&o.root_unit),
                V::T(&o.id),
                V::N,
                V::T(&o.name),
                V::T(&path),
                V::I(o.created_at),
            ],
        )
        .await?;
    }
    l.finish(w).await?;
    let mut w = l.writer("workplaces", "id, org_id, unit_id, name, kind, address, created_at");
    for o in &u.orgs {
        let p = &u.workplaces[o.workplace];
        l.row(
            &mut w,
            &[
                V::T(&p.id),
                V::T(&o.id),
                V::T(&o.root_unit),
                V::T(&p.name),
                V::T(p.kind),
                V::T(&p.address),
                V::I(o.created_at),
            ],
        )
        .await?;
    }
    l.finish(w).await?;
    let mut w = l.writer(
        "memberships",
        "org_id, user_id, professional, administrative, created_at",
    );
    for o in &u.orgs {
        for m in &o.members {
            let p = &u.people[*m as usize];
            l.row(
                &mut w,
                &[
                    V::T(&o.id),
                    V::T(&p.id),
                    V::I(1),
                    V::I(0),
                    V::I(p.created_at.max(o.created_at)),
                ],
            )
            .await?;
        }
    }
    l.finish(w).await?;

    // Independent workplaces and who works where.
    let mut w = l.writer(
        "independent_workplaces",
        "id, name, kind, address, created_by, created_at",
    );
    for p in u.workplaces.iter().filter(|p| p.org.is_none()) {
        l.row(
            &mut w,
            &[
                V::T(&p.id),
                V::T(&p.name),
                V::T(p.kind),
                V::T(&p.address),
                V::T(&u.people[p.created_by as usize].id),
                V::I(p.created_at),
            ],
        )
        .await?;
    }
    l.finish(w).await?;
    let mut w = l.writer("workplace_members", "workplace_id, user_id, created_at");
    for (wp, person) in &u.workplace_members {
        let p = &u.people[*person as usize];
        l.row(
            &mut w,
            &[
                V::T(&u.workplaces[*wp as usize].id),
                V::T(&p.id),
                V::I(p.created_at + 120_000),
            ],
        )
        .await?;
    }
    l.finish(w).await?;

    // Professions and profiles.
    let mut w = l.writer(
        "professions",
        "id, user_id, profession, status, permit_number, decided_by, validated_via, created_at, decided_at",
    );
    let vias = ["vouch", "verification_team", "organization"];
    for p in &u.people {
        for k in &p.professions {
            let id = rng.uuid_at(p.created_at + 180_000);
            let status = p.profession_status(rng.below(10) < 4);
            let permit = format!("{:07}", rng.below(10_000_000));
            let via = vias[rng.below(vias.len())];
            l.row(
                &mut w,
                &[
                    V::T(&id),
                    V::T(&p.id),
                    V::T(PROFESSION_WEIGHTS[*k as usize].0),
                    V::T(status),
                    if status == "unverified" { V::N } else { V::T(&permit) },
                    V::N,
                    if p.validated { V::T(via) } else { V::N },
                    V::I(p.created_at + 180_000),
                    if p.validated {
                        V::I(p.created_at + 86_400_000)
                    } else {
                        V::N
                    },
                ],
            )
            .await?;
        }
    }
    l.finish(w).await?;
    let mut w = l.writer("profiles", "user_id, presentation, restrict_external, updated_at");
    for p in &u.people {
        // Those who restricted their visibility, and one in ten others who wrote a presentation.
        let writes = rng.below(10) == 0;
        if p.restricted || writes {
            let text = if writes {
                "Disponible pour les références et la discussion de cas."
            } else {
                ""
            };
            l.row(
                &mut w,
                &[
                    V::T(&p.id),
                    V::T(text),
                    V::I(i64::from(p.restricted)),
                    V::I(p.created_at + 3_600_000),
                ],
            )
            .await?;
        }
    }
    l.finish(w).await?;

    // Friendships.
    let mut w = l.writer(
        "friendships",
        "id, requester_id, recipient_id, pair_key, status, created_at, decided_at",
    );
    for f in &u.friendships {
        let a = &u.people[f.requester as usize].id;
        let b = &u.people[f.recipient as usize].id;
        let key = if a < b { format!("{a}:{b}") } else { format!("{b}:{a}") };
        l.row(
            &mut w,
            &[
                V::T(&f.id),
                V::T(a),
                V::T(b),
                V::T(&key),
                V::T(f.status),
                V::I(f.created_at),
                if f.status == "pending" {
                    V::N
                } else {
                    V::I(f.created_at + 3_600_000)
                },
            ],
        )
        .await?;
    }
    l.finish(w).await?;

    // The search index: one document per person (all verified, none
    // deleted) and per workplace, one posting per distinct word.
    let mut df: HashMap<String, i64> = HashMap::new();
    let docs = u
        .people
        .iter()
        .map(|p| (&p.id, "person", &p.name, p.external(), p.created_at))
        .chain(
            u.workplaces
                .iter()
                .map(|w| (&w.id, "workplace", &w.name, true, w.created_at)),
        );
    let mut w = l.writer("search_docs", "id, kind, name, folded, external, updated_at");
    let mut wp = l.writer("search_postings", "term, doc_id, kind, external, folded");
    for (id, kind, name, external, at) in docs {
        let folded = folded_name(name);
        let ext = i64::from(external);
        l.row(
            &mut w,
            &[V::T(id), V::T(kind), V::T(name), V::T(&folded), V::I(ext), V::I(at)],
        )
        .await?;
        for term in terms(name, MAX_TERMS) {
            l.row(&mut wp, &[V::T(&term), V::T(id), V::T(kind), V::I(ext), V::T(&folded)])
                .await?;
            *df.entry(term).or_default() += 1;
        }
    }
    l.finish(w).await?;
    l.finish(wp).await?;
    let mut vocab: Vec<(&String, &i64)> = df.iter().collect();
    vocab.sort();
    let mut prefixes: BTreeSet<(String, &str)> = BTreeSet::new();
    let mut variants: BTreeSet<(String, &str)> = BTreeSet::new();
    let mut w = l.writer("search_vocab", "term, df");
    for (term, n) in &vocab {
        l.row(&mut w, &[V::T(term), V::I(**n)]).await?;
        let (p, v) = vocabulary_keys(term);
        prefixes.extend(p.into_iter().map(|p| (p, term.as_str())));
        variants.extend(v.into_iter().map(|v| (v, term.as_str())));
    }
    l.finish(w).await?;
    let mut w = l.writer("search_prefixes", "prefix, term");
    for (p, term) in &prefixes {
        l.row(&mut w, &[V::T(p), V::T(term)]).await?;
    }
    l.finish(w).await?;
    let mut w = l.writer("search_variants", "variant, term");
    for (v, term) in &variants {
        l.row(&mut w, &[V::T(v), V::T(term)]).await?;
    }
    l.finish(w).await?;
    let counts = l.close().await?;
    let load = t.elapsed();
    eprintln!("  loaded in {:.1} s", load.as_secs_f64());

    let t = Instant::now();
    analyze(backend, url).await?;
    let analyze = t.elapsed();
    eprintln!("  statistics gathered in {:.1} s", analyze.as_secs_f64());
    Ok(Seeded { load, analyze, counts })
}

/// SQLite: `ANALYZE` and a WAL checkpoint. PostgreSQL: `VACUUM ANALYZE` and `CHECKPOINT`.
async fn analyze(backend: Backend, url: &str) -> anyhow::Result<()> {
    match backend {
        Backend::Sqlite => {
            let mut c = SqliteConnection::connect(url).await?;
            sqlx::raw_sql("ANALYZE").execute(&mut c).await.context("ANALYZE")?;
            sqlx::raw_sql("PRAGMA wal_checkpoint(TRUNCATE)").execute(&mut c).await?;
            c.close().await?;
        }
        Backend::Postgres => {
            let mut c = PgConnection::connect(url).await?;
            sqlx::raw_sql("VACUUM ANALYZE")
                .execute(&mut c)
                .await
                .context("VACUUM ANALYZE")?;
            // Write the loaded pages out now rather than during the
            // measurements (the next checkpoint would spread ~2 GB of writes
            // over them). Needs a superuser or `pg_checkpoint`.
            if let Err(e) = sqlx::raw_sql("CHECKPOINT").execute(&mut c).await {
                eprintln!("  (no CHECKPOINT: {e})");
            }
            c.close().await?;
        }
    }
    Ok(())
}
