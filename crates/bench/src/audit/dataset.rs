//! A generated, hash-chained audit log with a realistic spread: a few
//! organizations of different sizes, their units, people who act mostly
//! in their own unit (some far more than others), patients, and a mix of
//! sign-in, patient-file, discussion and administration events over one
//! year. Deterministic: the same seed gives the same records.

use cercle_domain::audit::{AuditRecord, GENESIS_HASH};

/// 2025-05-01 00:00:00 UTC, in Unix milliseconds: the first event.
pub const START_MS: i64 = 1_746_057_600_000;
pub const DAY_MS: i64 = 86_400_000;
/// The log spans one year.
pub const SPAN_MS: i64 = 365 * DAY_MS;

/// Units per organization and share of the organization's events (per mille).
const ORGS: [(usize, u32); 3] = [(30, 640), (15, 300), (5, 60)];
pub const PEOPLE: usize = 2_000;
pub const PATIENTS: usize = 20_000;

/// SplitMix64: small, fast, and reproducible across platforms.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1_u64 << 53) as f64
    }

    /// Uniform in 0..n (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        ((self.unit() * n as f64) as usize).min(n.saturating_sub(1))
    }

    /// In 0..n, low indexes more likely: the first tenth gets about
    /// `0.1^(1/k)` of the draws (k = 2: 32 %).
    pub fn skewed(&mut self, n: usize, k: f64) -> usize {
        ((self.unit().powf(k) * n as f64) as usize).min(n.saturating_sub(1))
    }

    /// An index drawn in proportion to `weights`.
    pub fn weighted(&mut self, weights: &[u32]) -> usize {
        let total: u64 = weights.iter().map(|w| u64::from(*w)).sum();
        let mut x = self.next_u64() % total.max(1);
        for (i, w) in weights.iter().enumerate() {
            if x < u64::from(*w) {
                return i;
            }
            x -= u64::from(*w);
        }
        weights.len().saturating_sub(1)
    }

    /// A UUIDv7 string for the given time, as the server's ids are.
    pub fn uuid_at(&mut self, ms: i64) -> String {
        let mut bytes = [0_u8; 10];
        bytes[..8].copy_from_slice(&self.next_u64().to_le_bytes());
        bytes[8..].copy_from_slice(&self.next_u64().to_le_bytes()[..2]);
        uuid::Builder::from_unix_timestamp_millis(ms.max(0) as u64, &bytes)
            .into_uuid()
            .to_string()
    }
}

pub struct Org {
    pub id: String,
    /// Unit ids; the first is the root. Consecutive units stand for one subtree.
    pub units: Vec<String>,
    /// Share of the organization-bound events (per mille).
    pub weight: u32,
    /// Indexes into [`Universe::people`] and [`Universe::patients`].
    pub people: Vec<usize>,
    pub patients: Vec<usize>,
}

pub struct Person {
    pub id: String,
    pub org: usize,
    pub home_unit: usize,
}

pub struct Patient {
    pub id: String,
    pub org: usize,
}

/// Who and what the events are about.
pub struct Universe {
    pub orgs: Vec<Org>,
    pub people: Vec<Person>,
    pub patients: Vec<Patient>,
}

impl Universe {
    pub fn new(rng: &mut Rng) -> Universe {
        let before = START_MS - 30 * DAY_MS;
        let mut orgs: Vec<Org> = ORGS
            .iter()
            .map(|&(units, weight)| Org {
                id: rng.uuid_at(before),
                units: (0..units).map(|_| rng.uuid_at(before)).collect(),
                weight,
                people: Vec::new(),
                patients: Vec::new(),
            })
            .collect();
        let weights: Vec<u32> = orgs.iter().map(|o| o.weight).collect();
        let mut people = Vec::with_capacity(PEOPLE);
        for i in 0..PEOPLE {
            let org = rng.weighted(&weights);
            // Some units (emergency, a large clinic) hold many more people.
            let home_unit = rng.skewed(orgs[org].units.len(), 1.5);
            orgs[org].people.push(i);
            people.push(Person {
                id: rng.uuid_at(before),
                org,
                home_unit,
            });
        }
        let mut patients = Vec::with_capacity(PATIENTS);
        for i in 0..PATIENTS {
            let org = rng.weighted(&weights);
            orgs[org].patients.push(i);
            patients.push(Patient {
                id: rng.uuid_at(before),
                org,
            });
        }
        Universe { orgs, people, patients }
    }
}

/// What the event's scopes name.
#[derive(Clone, Copy)]
enum Scopes {
    None,
    Patient,
    PatientDiscussion,
    Rows,
}

/// One kind of event and its share of the log (per mille).
struct Kind {
    event: &'static str,
    action: &'static str,
    target_type: &'static str,
    /// Bound to an organization and unit (else a sign-in-like event, org-less).
    in_org: bool,
    scopes: Scopes,
    weight: u32,
}

const fn kind(
    event: &'static str,
    action: &'static str,
    target_type: &'static str,
    in_org: bool,
    scopes: Scopes,
    weight: u32,
) -> Kind {
    Kind {
        event,
        action,
        target_type,
        in_org,
        scopes,
        weight,
    }
}

/// 28 % account events (no organization, as the server writes them),
/// 72 % events inside an organization; 60 % of all name a patient.
const KINDS: [Kind; 23] = [
    kind("auth.sign_in", "CREATE", "session", false, Scopes::None, 80),
    kind("auth.code_sent", "CREATE", "code", false, Scopes::None, 60),
    kind("auth.session_closed", "DELETE", "session", false, Scopes::None, 40),
    kind("auth.sign_in_failed", "CREATE", "session", false, Scopes::None, 15),
    kind("auth.session_locked", "UPDATE", "session", false, Scopes::None, 20),
    kind("auth.session_unlocked", "UPDATE", "session", false, Scopes::None, 20),
    kind("auth.pin_failed", "UPDATE", "session", false, Scopes::None, 5),
    kind("patient.file_read", "READ", "patient", true, Scopes::Patient, 250),
    kind(
        "discussion.message_read",
        "READ",
        "message",
        true,
        Scopes::PatientDiscussion,
        150,
    ),
    kind(
        "discussion.message_created",
        "CREATE",
        "message",
        true,
        Scopes::PatientDiscussion,
        100,
    ),
    kind("patient.file_updated", "UPDATE", "patient", true, Scopes::Patient, 50),
    kind("discussion.listed", "LIST", "discussion", true, Scopes::Patient, 40),
    kind("patient.exported", "EXPORT", "patient", true, Scopes::Patient, 5),
    kind("patient.listed", "LIST", "patient", true, Scopes::None, 60),
    kind("org.structure_listed", "LIST", "unit", true, Scopes::None, 20),
    kind("org.members_listed", "LIST", "member", true, Scopes::None, 20),
    kind("org.role_granted", "CREATE", "role_grant", true, Scopes::None, 3),
    kind("org.role_revoked", "DELETE", "role_grant", true, Scopes::None, 2),
    kind("org.invitation_created", "CREATE", "invitation", true, Scopes::None, 5),
    kind("org.switched", "UPDATE", "user", true, Scopes::None, 5),
    kind("audit.searched", "LIST", "audit", true, Scopes::None, 8),
    kind("audit.exported", "EXPORT", "audit", true, Scopes::Rows, 2),
    kind("auth.code_checked", "UPDATE", "code", false, Scopes::None, 40),
];

/// (action, target type) pairs that occur in the log, for searches.
pub fn action_targets() -> Vec<(&'static str, &'static str)> {
    let mut pairs: Vec<(&'static str, &'static str)> = KINDS
        .iter()
        .filter(|k| k.in_org)
        .map(|k| (k.action, k.target_type))
        .collect();
    pairs.sort_unstable();
    pairs.dedup();
    pairs
}

/// Produces the records in sequence order, each linked to the one before.
pub struct Generator<'a> {
    universe: &'a Universe,
    rng: Rng,
    total: u64,
    weights: Vec<u32>,
    org_weights: Vec<u32>,
    seq: i64,
    prev_hash: String,
}

impl<'a> Generator<'a> {
    pub fn new(universe: &'a Universe, seed: u64, total: u64) -> Generator<'a> {
        Generator {
            universe,
            rng: Rng::new(seed),
            total: total.max(1),
            weights: KINDS.iter().map(|k| k.weight).collect(),
            org_weights: universe.orgs.iter().map(|o| o.weight).collect(),
            seq: 0,
            prev_hash: GENESIS_HASH.to_string(),
        }
    }

    /// `(seq, hash)` of the last record produced: the chain head.
    pub fn head(&self) -> (i64, &str) {
        (self.seq, &self.prev_hash)
    }

    pub fn next_record(&mut self) -> AuditRecord {
        self.seq += 1;
        let at = self.time_of(self.seq);
        let kind = &KINDS[self.rng.weighted(&self.weights)];
        let mut record = if kind.in_org {
            self.org_event(kind, at)
        } else {
            self.account_event(kind, at)
        };
        record.hash = record.compute_hash();
        self.prev_hash = record.hash.clone();
        record
    }

    /// Times grow with the sequence, evenly over the year, with jitter.
    fn time_of(&mut self, seq: i64) -> i64 {
        let step = SPAN_MS / self.total as i64;
        let jitter = (self.rng.unit() * step as f64) as i64;
        START_MS + (seq - 1) * SPAN_MS / self.total as i64 + jitter
    }

    fn blank(&mut self, kind: &Kind, at: i64) -> AuditRecord {
        AuditRecord {
            seq: self.seq,
            id: self.rng.uuid_at(at),
            at,
            org_id: None,
            unit_id: None,
            actor_kind: cercle_domain::audit::ActorKind::User,
            actor_id: None,
            event: kind.event.into(),
            action: kind.action.into(),
            target_type: kind.target_type.into(),
            target_id: None,
            scopes: String::new(),
            ip: Some(self.ip()),
            prev_hash: self.prev_hash.clone(),
            hash: String::new(),
        }
    }

    fn account_event(&mut self, kind: &Kind, at: i64) -> AuditRecord {
        let mut r = self.blank(kind, at);
        if kind.event == "auth.sign_in_failed" && self.rng.below(3) == 0 {
            r.actor_kind = cercle_domain::audit::ActorKind::Anonymous;
        } else {
            let person = &self.universe.people[self.rng.skewed(PEOPLE, 2.0)];
            r.actor_id = Some(person.id.clone());
        }
        r.target_id = Some(self.rng.uuid_at(at));
        r
    }

    fn org_event(&mut self, kind: &Kind, at: i64) -> AuditRecord {
        let u = self.universe;
        let org = &u.orgs[self.rng.weighted(&self.org_weights)];
        let person = &u.people[org.people[self.rng.skewed(org.people.len(), 2.0)]];
        let unit = if self.rng.below(100) < 85 {
            person.home_unit
        } else {
            self.rng.below(org.units.len())
        };
        let mut r = self.blank(kind, at);
        r.org_id = Some(org.id.clone());
        r.unit_id = Some(org.units[unit].clone());
        r.actor_id = Some(person.id.clone());
        let patient = &u.patients[org.patients[self.rng.skewed(org.patients.len(), 1.5)]].id;
        r.scopes = match kind.scopes {
            Scopes::None => String::new(),
            Scopes::Patient => format!("patient={patient}"),
            Scopes::PatientDiscussion => {
                format!("patient={patient};discussion={}", self.rng.uuid_at(at - DAY_MS))
            }
            Scopes::Rows => format!("rows={}", 1 + self.rng.below(5_000)),
        };
        r.target_id = match (kind.action, kind.target_type) {
            ("LIST", _) => None,
            (_, "patient") => Some(patient.clone()),
            _ => Some(self.rng.uuid_at(at)),
        };
        r
    }

    fn ip(&mut self) -> String {
        let x = self.rng.next_u64();
        format!("10.{}.{}.{}", (x >> 16) as u8, (x >> 8) as u8, 1 + (x as u8) % 254)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cercle_domain::audit::verify_chain;

    #[test]
    fn weights_are_per_mille() {
        assert_eq!(KINDS.iter().map(|k| k.weight).sum::<u32>(), 1000);
        assert_eq!(ORGS.iter().map(|o| o.1).sum::<u32>(), 1000);
    }

    #[test]
    fn records_form_a_chain_in_time_order() {
        let mut rng = Rng::new(7);
        let universe = Universe::new(&mut rng);
        let mut generator = Generator::new(&universe, 7, 1_000);
        let records: Vec<AuditRecord> = (0..1_000).map(|_| generator.next_record()).collect();
        let head = verify_chain(GENESIS_HASH, &records);
        assert_eq!(head.as_deref(), Ok(generator.head().1));
        assert!(records.windows(2).all(|w| w[0].at <= w[1].at));
        assert!(records.last().is_some_and(|r| r.at < START_MS + SPAN_MS));
        assert!(records.iter().any(|r| r.scopes.starts_with("patient=")));
    }

    #[test]
    fn same_seed_same_data() {
        let a = Universe::new(&mut Rng::new(3));
        let b = Universe::new(&mut Rng::new(3));
        assert_eq!(a.orgs[0].units, b.orgs[0].units);
        assert_eq!(a.people[1999].id, b.people[1999].id);
    }
}
