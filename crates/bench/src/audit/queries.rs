//! The searches measured, each with parameters varied from run to run, and
//! their timing through `cercle_store::audit::search` (the function behind
//! `GET /api/v1/org/audit`).

use super::dataset::{action_targets, Rng, Universe, DAY_MS, SPAN_MS, START_MS};
use crate::stats::{ms, percentile, sorted};
use anyhow::Context;
use cercle_store::audit::{search, AuditQuery};
use cercle_store::Store;
use std::time::Instant;

/// The API's default page size.
const PAGE: i64 = 50;
/// Units in an auditor's subtree.
const SUBTREE: usize = 10;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Search {
    OrgLatest,
    Subtree,
    Actor,
    Patient,
    ActionTargetMonth,
    DeepPage,
}

impl Search {
    pub const ALL: [Search; 6] = [
        Search::OrgLatest,
        Search::Subtree,
        Search::Actor,
        Search::Patient,
        Search::ActionTargetMonth,
        Search::DeepPage,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Search::OrgLatest => "(a) latest page of an organization",
            Search::Subtree => "(b) auditor of a subtree: `unit_id IN` 10 units",
            Search::Actor => "(c) one person (`actor_id`)",
            Search::Patient => "(d) one patient (`patient_id`)",
            Search::ActionTargetMonth => "(e) action + target type + one month (`at` range as `seq` bounds)",
            Search::DeepPage => "(f) next page deep in the log (`before_seq` in the oldest 10 %)",
        }
    }

    /// Parameters for one run: organizations, people, patients, months and
    /// pages drawn at random (people and patients uniformly, so mostly the
    /// less active ones, whose pages need the longest scans).
    pub fn query(self, u: &Universe, rng: &mut Rng, events: u64) -> anyhow::Result<AuditQuery> {
        let org = &u.orgs[rng.below(u.orgs.len())];
        let mut q = AuditQuery {
            org_id: org.id.parse()?,
            unit_ids: None,
            actor_id: None,
            patient_id: None,
            target_type: None,
            action: None,
            from: None,
            to: None,
            before_seq: None,
            hide_views_by: None,
            limit: PAGE,
        };
        match self {
            Search::OrgLatest => {}
            Search::Subtree => {
                // A direction and the services below it, in one of the two
                // organizations with more than 10 units.
                let org = &u.orgs[rng.below(2)];
                let first = rng.below(org.units.len() - SUBTREE + 1);
                q.org_id = org.id.parse()?;
                q.unit_ids = Some(
                    org.units[first..first + SUBTREE]
                        .iter()
                        .map(|u| u.parse())
                        .collect::<Result<_, _>>()?,
                );
            }
            Search::Actor => {
                let person = &u.people[rng.below(u.people.len())];
                q.org_id = u.orgs[person.org].id.parse()?;
                q.actor_id = Some(person.id.parse()?);
            }
            Search::Patient => {
                let patient = &u.patients[rng.below(u.patients.len())];
                q.org_id = u.orgs[patient.org].id.parse()?;
                q.patient_id = Some(patient.id.parse()?);
            }
            Search::ActionTargetMonth => {
                let pairs = action_targets();
                let (action, target) = pairs[rng.below(pairs.len())];
                let month = rng.below(12) as i64;
                let from = START_MS + month * SPAN_MS / 12;
                q.action = Some(action.to_string());
                q.target_type = Some(target.to_string());
                q.from = Some(from);
                q.to = Some(from + 30 * DAY_MS);
            }
            Search::DeepPage => {
                let oldest_tenth = (events / 10).max(1) as usize;
                q.before_seq = Some(1 + rng.below(oldest_tenth) as i64);
            }
        }
        Ok(q)
    }
}

/// Latencies of one search, in ms, sorted.
pub struct Timing {
    pub search: Search,
    pub latencies: Vec<f64>,
    pub rows: usize,
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
    /// Rows returned per search, on average.
    pub fn mean_rows(&self) -> f64 {
        self.rows as f64 / self.latencies.len().max(1) as f64
    }
}

/// Runs each search `warmup` times untimed, then `runs` times timed, one
/// after the other on one reading connection.
pub async fn measure(
    store: &Store,
    u: &Universe,
    events: u64,
    seed: u64,
    warmup: usize,
    runs: usize,
) -> anyhow::Result<Vec<Timing>> {
    let mut conn = store.reader().await.context("opening a reading connection")?;
    let mut timings = Vec::new();
    for s in Search::ALL {
        // The same parameters on every backend.
        let mut rng = Rng::new(seed ^ (s as u64 + 1).wrapping_mul(0x5851_F42D_4C95_7F2D));
        for _ in 0..warmup {
            search(&mut conn, &s.query(u, &mut rng, events)?).await?;
        }
        let mut latencies = Vec::with_capacity(runs);
        let mut rows = 0;
        for _ in 0..runs {
            let q = s.query(u, &mut rng, events)?;
            let t = Instant::now();
            let found = search(&mut conn, &q).await.with_context(|| format!("{s:?} search"))?;
            latencies.push(ms(t.elapsed()));
            rows += found.len();
        }
        let timing = Timing {
            search: s,
            latencies: sorted(&latencies),
            rows,
        };
        eprintln!(
            "  {:?}: p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms, {:.1} rows",
            s,
            timing.p50(),
            timing.p99(),
            timing.max(),
            timing.mean_rows()
        );
        timings.push(timing);
    }
    Ok(timings)
}
