//! The queries measured and their timing through
//! `cercle_store::search::search` (the function behind
//! `GET /api/v1/network/search`),
//! with the words `cercle_domain::search::terms(query, 5)` gives, as the
//! service computes them.

use super::dataset::{Searchers, Universe};
use crate::stats::{ms, percentile, sorted};
use anyhow::Context;
use cercle_domain::search::terms;
use cercle_store::search::{search, DocKind, SearchScope};
use cercle_store::Store;
use std::time::Instant;

/// The service's limit on query words.
const MAX_WORDS: usize = 5;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Filter {
    None,
    /// People declaring this profession.
    Profession(&'static str),
    /// People working at the largest organization's workplace (2,000 people).
    LargestOrgWorkplace,
    /// People working at the busiest independent workplace.
    BusiestIndependent,
}

impl Filter {
    pub fn label(self) -> String {
        match self {
            Filter::None => String::new(),
            Filter::Profession(p) => format!("profession = {p}"),
            Filter::LargestOrgWorkplace => "workplace = largest organization's".into(),
            Filter::BusiestIndependent => "workplace = busiest independent one".into(),
        }
    }
}

#[derive(Clone, Copy, Debug)]
pub struct Query {
    pub text: &'static str,
    pub what: &'static str,
    pub filter: Filter,
}

const fn q(text: &'static str, what: &'static str) -> Query {
    Query {
        text,
        what,
        filter: Filter::None,
    }
}

const fn qf(text: &'static str, what: &'static str, filter: Filter) -> Query {
    Query { text, what, filter }
}

pub const QUERIES: &[Query] = &[
    q("marie tremblay", "full name"),
    q("Jean-François Côté", "full name, accents"),
    q("gagne marie-eve", "reversed, accents missing"),
    q("helene belanger", "accents missing"),
    q("Lévesque Jean-Sébastien", "reversed, accents"),
    q("trem", "prefix"),
    q("gagne mar", "name + prefix"),
    q("jean-fr cote", "prefix + name"),
    q("trembley", "one typo (changed)"),
    q("bouchrad", "one typo (swapped)"),
    q("levesqeu", "one typo (swapped at the end)"),
    q("mcdonald", "English name (and MacDonald, one typo)"),
    q("o'brien", "apostrophe: words `o` + `brien`"),
    q("nguyen", "surname"),
    q("Bourdeau", "rare surname (71 people; Boudreau is one typo away)"),
    q("cote-tremblay", "double surname (two frequent words)"),
    q("st-pierre", "`st` + `pierre`"),
    q("marie", "frequent first name alone"),
    q("jean", "first name, surname and pharmacy chain"),
    q("ma", "two-letter prefix"),
    q("pharmacie limoilou", "workplace"),
    q("clsc haute", "workplace, prefix"),
    q("hopital enfant-jesus", "workplace, accents missing"),
    q("zzyzx", "nothing matches"),
    qf("marie", "first name + profession", Filter::Profession("pharmacist")),
    qf("gagnon", "surname + profession", Filter::Profession("physician")),
    qf("tremblay", "surname + workplace", Filter::LargestOrgWorkplace),
    qf("ma", "two letters + workplace", Filter::BusiestIndependent),
];

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Who {
    Large,
    Small,
    Unvalidated,
}

impl Who {
    pub const ALL: [Who; 3] = [Who::Large, Who::Small, Who::Unvalidated];

    pub fn index(self, s: &Searchers) -> u32 {
        match self {
            Who::Large => s.large,
            Who::Small => s.small,
            Who::Unvalidated => s.unvalidated,
        }
    }

    pub fn short(self) -> &'static str {
        match self {
            Who::Large => "A",
            Who::Small => "B",
            Who::Unvalidated => "C",
        }
    }

    pub fn label(self, u: &Universe) -> String {
        let org_size = |i: usize| u.orgs[i].members.len();
        match self {
            Who::Large => format!(
                "validated professional in the largest organization ({} members)",
                org_size(0)
            ),
            Who::Small => format!(
                "validated professional in one of the smallest organizations ({} members)",
                org_size(u.orgs.len() - 1)
            ),
            Who::Unvalidated => format!(
                "professional not validated (colleagues, friends and workplaces only), organization of {} members",
                org_size(1)
            ),
        }
    }
}

/// Latencies of one query for one searcher, in ms, sorted.
pub struct Timing {
    pub query: usize,
    pub who: Who,
    pub latencies: Vec<f64>,
    pub hits: usize,
    pub personal: usize,
    pub truncated: bool,
}

impl Timing {
    pub fn p50(&self) -> f64 {
        percentile(&self.latencies, 50.0)
    }
    pub fn p99(&self) -> f64 {
        percentile(&self.latencies, 99.0)
    }
    pub fn max(&self) -> f64 {
        self.latencies.last().copied().unwrap_or(f64::NAN)
    }
}

/// The scope the service would compute for this searcher and query.
pub fn scope(u: &Universe, who: Who, query: &Query) -> SearchScope {
    let me = &u.people[who.index(&u.searchers) as usize];
    let (kind, profession, workplace) = match query.filter {
        Filter::None => (None, None, None),
        Filter::Profession(p) => (Some(DocKind::Person), Some(p.to_string()), None),
        Filter::LargestOrgWorkplace => (
            Some(DocKind::Person),
            None,
            Some(u.workplaces[u.orgs[0].workplace].id.clone()),
        ),
        Filter::BusiestIndependent => (
            Some(DocKind::Person),
            None,
            Some(u.workplaces[u.busiest_independent].id.clone()),
        ),
    };
    SearchScope {
        searcher_id: me.id.clone(),
        // As the service decides it: validated professionals see the external network.
        external: me.validated,
        kind,
        profession,
        workplace,
    }
}

/// Runs each query `warmup` times untimed, then `runs` times timed, for
/// each searcher, one after the other on one reading connection.
pub async fn measure(
    store: &Store,
    u: &Universe,
    warmup: usize,
    runs: usize,
    only: Option<&str>,
    setup: &[String],
) -> anyhow::Result<Vec<Timing>> {
    let mut conn = store.reader().await.context("opening a reading connection")?;
    for sql in setup {
        sqlx::query(sql)
            .execute(&mut *conn)
            .await
            .with_context(|| sql.clone())?;
    }
    let mut timings = Vec::new();
    for (qi, query) in QUERIES.iter().enumerate() {
        if only.is_some_and(|o| !query.text.contains(o)) {
            continue;
        }
        let words = terms(query.text, MAX_WORDS);
        for who in Who::ALL {
            let scope = scope(u, who, query);
            for _ in 0..warmup {
                search(&mut conn, &words, &scope).await?;
            }
            let mut latencies = Vec::with_capacity(runs);
            let mut found = None;
            for _ in 0..runs {
                let t = Instant::now();
                let f = search(&mut conn, &words, &scope)
                    .await
                    .with_context(|| format!("searching {:?}", query.text))?;
                latencies.push(ms(t.elapsed()));
                found = Some(f);
            }
            let found = found.unwrap_or_default();
            let timing = Timing {
                query: qi,
                who,
                latencies: sorted(&latencies),
                hits: found.hits.len(),
                personal: found.hits.iter().filter(|h| h.personal).count(),
                truncated: found.truncated,
            };
            eprintln!(
                "  {:>26} {:<40} {}: p50 {:7.2} ms, p99 {:7.2} ms, max {:7.2} ms, {} hits{}",
                format!("{:?}", query.text),
                query.filter.label(),
                who.short(),
                timing.p50(),
                timing.p99(),
                timing.max(),
                timing.hits,
                if timing.truncated { " (truncated)" } else { "" }
            );
            timings.push(timing);
        }
    }
    Ok(timings)
}
