//! A generated network: people with realistic Québec French and English
//! names (accents, compound first names, a few double surnames, a long tail
//! of rarer surnames), their professions (85 % validated, 5 % of everyone
//! restricted to their organizations), organizations of Zipf-like sizes with
//! one workplace each, independent workplaces, who works where, and
//! friendships. Deterministic: the same seed gives the same network.

use super::names::{
    FIRST_EN, FIRST_FR, HOSPITALS, PLACES, PROFESSION_WEIGHTS, STREETS, SURNAMES_EN, SURNAMES_FR, TAIL_ENDINGS,
    TAIL_STEMS, WORKPLACE_PATTERNS,
};
use crate::audit::dataset::Rng;
use cercle_domain::search::fold;
use std::collections::HashSet;

/// 2023-01-01 00:00:00 UTC, in Unix milliseconds: the first account.
pub const START_MS: i64 = 1_672_531_200_000;
/// Accounts are created over three years.
pub const SPAN_MS: i64 = 3 * 365 * 86_400_000;

pub const ORGS: usize = 2_000;
pub const WORKPLACES: usize = 5_000;
/// Organization sizes: `LARGEST_ORG / rank^ORG_EXPONENT`, at least `SMALLEST_ORG`.
const LARGEST_ORG: f64 = 2_000.0;
const ORG_EXPONENT: f64 = 0.8;
const SMALLEST_ORG: usize = 5;
/// Share of everyone (per mille).
const VALIDATED: u32 = 850;
const RESTRICTED: u32 = 50;
/// People outside organizations who name an independent workplace (per mille).
const INDEPENDENT_WORKERS: u32 = 500;
/// Friendships between random people (`FRIENDSHIPS_PER_MILLION` per million people).
const FRIENDSHIPS_PER_MILLION: usize = 150_000;
/// Accepted friendships of each measured searcher.
pub const SEARCHER_FRIENDS: usize = 25;

/// Draws an index in proportion to weights (binary search on the cumulative sums).
pub struct Weighted {
    cumulative: Vec<f64>,
}

impl Weighted {
    pub fn new(weights: impl IntoIterator<Item = f64>) -> Weighted {
        let mut total = 0.0;
        let cumulative = weights
            .into_iter()
            .map(|w| {
                total += w;
                total
            })
            .collect();
        Weighted { cumulative }
    }

    pub fn draw(&self, rng: &mut Rng) -> usize {
        let total = self.cumulative.last().copied().unwrap_or(0.0);
        let x = rng.unit() * total;
        self.cumulative
            .partition_point(|c| *c <= x)
            .min(self.cumulative.len().saturating_sub(1))
    }
}

pub struct Person {
    pub id: String,
    pub name: String,
    pub language: &'static str,
    pub created_at: i64,
    pub validated: bool,
    /// Restricted external visibility (only validated people are).
    pub restricted: bool,
    /// Indexes into [`PROFESSION_WEIGHTS`]: one, sometimes two.
    pub professions: Vec<u8>,
}

impl Person {
    /// In the external network (indexed so).
    pub fn external(&self) -> bool {
        self.validated && !self.restricted
    }
    pub fn profession_status(&self, rng_bit: bool) -> &'static str {
        if self.validated {
            "validated"
        } else if rng_bit {
            "pending"
        } else {
            "unverified"
        }
    }
}

pub struct Org {
    pub id: String,
    pub name: String,
    pub root_unit: String,
    pub created_at: i64,
    /// Index into [`Universe::workplaces`].
    pub workplace: usize,
    /// Indexes into [`Universe::people`].
    pub members: Vec<u32>,
}

pub struct Workplace {
    pub id: String,
    pub name: String,
    pub kind: &'static str,
    pub address: String,
    /// Index into [`Universe::orgs`], for an organization's workplace.
    pub org: Option<usize>,
    pub created_by: u32,
    pub created_at: i64,
}

pub struct Friendship {
    pub id: String,
    pub requester: u32,
    pub recipient: u32,
    pub status: &'static str,
    pub created_at: i64,
}

/// The people the searches run for.
#[derive(Clone, Copy)]
pub struct Searchers {
    /// Validated, in the largest organization.
    pub large: u32,
    /// Validated, in one of the smallest organizations.
    pub small: u32,
    /// Not validated (colleagues, friends and workplaces only), in the second largest organization.
    pub unvalidated: u32,
}

pub struct Universe {
    pub people: Vec<Person>,
    pub orgs: Vec<Org>,
    pub workplaces: Vec<Workplace>,
    /// (workplace, person), distinct.
    pub workplace_members: Vec<(u32, u32)>,
    pub friendships: Vec<Friendship>,
    pub searchers: Searchers,
    /// The busiest independent workplace (index into `workplaces`).
    pub busiest_independent: usize,
}

/// The rarer surnames: stems × endings, without the listed surnames.
pub fn tail_surnames() -> Vec<String> {
    let listed: HashSet<String> = SURNAMES_FR.iter().chain(SURNAMES_EN).map(|s| fold(s)).collect();
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    for stem in TAIL_STEMS {
        for ending in TAIL_ENDINGS {
            let name = format!("{stem}{ending}");
            let folded = fold(&name);
            if !listed.contains(&folded) && seen.insert(folded) {
                out.push(name);
            }
        }
    }
    out
}

struct NameMaker {
    first_fr: Weighted,
    first_en: Weighted,
    last_fr: Weighted,
    last_en: Weighted,
    tail: Vec<String>,
}

impl NameMaker {
    fn new() -> NameMaker {
        NameMaker {
            first_fr: Weighted::new(FIRST_FR.iter().map(|f| f64::from(f.1))),
            first_en: Weighted::new(FIRST_EN.iter().map(|f| f64::from(f.1))),
            // Tremblay about 1.3 % of everyone, the 190th listed name about 0.3 %.
            last_fr: Weighted::new((1..=SURNAMES_FR.len()).map(|r| (r as f64).powf(-0.27))),
            last_en: Weighted::new((1..=SURNAMES_EN.len()).map(|r| (r as f64).powf(-0.5))),
            tail: tail_surnames(),
        }
    }

    /// (name, language).
    fn make(&self, rng: &mut Rng) -> (String, &'static str) {
        let (first, language) = if rng.below(1000) < 820 {
            (FIRST_FR[self.first_fr.draw(rng)].0, "fr")
        } else {
            (FIRST_EN[self.first_en.draw(rng)].0, "en")
        };
        let x = rng.below(1000);
        let last = if x < 800 {
            SURNAMES_FR[self.last_fr.draw(rng)].to_string()
        } else if x < 880 {
            SURNAMES_EN[self.last_en.draw(rng)].to_string()
        } else if x < 980 {
            self.tail[rng.skewed(self.tail.len(), 1.5)].clone()
        } else {
            // A double surname.
            let a = SURNAMES_FR[self.last_fr.draw(rng)];
            let b = SURNAMES_FR[self.last_fr.draw(rng)];
            if a == b {
                a.to_string()
            } else {
                format!("{a}-{b}")
            }
        };
        (format!("{first} {last}"), language)
    }
}

fn workplace_name(rng: &mut Rng, patterns: &Weighted) -> (String, &'static str) {
    let (pattern, _, kind) = WORKPLACE_PATTERNS[patterns.draw(rng)];
    let (place, de, _) = PLACES[rng.below(PLACES.len())];
    let name = if pattern.contains("{de}") {
        pattern.replace("{de}", de)
    } else {
        pattern.replace("{}", place)
    };
    (name, kind)
}

fn address(rng: &mut Rng) -> String {
    let (_, _, city) = PLACES[rng.below(PLACES.len())];
    format!("{} {}, {city}", 1 + rng.below(9_999), STREETS[rng.below(STREETS.len())])
}

impl Universe {
    pub fn new(seed: u64, people_count: usize) -> Universe {
        let mut rng = Rng::new(seed);
        let names = NameMaker::new();
        let professions = Weighted::new(PROFESSION_WEIGHTS.iter().map(|p| f64::from(p.1)));
        let n = people_count.max(10);

        let mut people = Vec::with_capacity(n);
        for i in 0..n {
            let created_at = START_MS + (i as i64) * (SPAN_MS / n as i64);
            let (name, language) = names.make(&mut rng);
            let x = rng.below(1000) as u32;
            let validated = x < VALIDATED;
            let restricted = x < RESTRICTED;
            let mut profs = vec![professions.draw(&mut rng) as u8];
            if rng.below(100) < 8 {
                let second = professions.draw(&mut rng) as u8;
                if second != profs[0] {
                    profs.push(second);
                }
            }
            people.push(Person {
                id: rng.uuid_at(created_at),
                name,
                language,
                created_at,
                validated,
                restricted,
                professions: profs,
            });
        }

        // Workplaces: hospitals first (the largest organizations'), then patterns.
        let patterns = Weighted::new(WORKPLACE_PATTERNS.iter().map(|p| f64::from(p.1)));
        let mut workplaces = Vec::with_capacity(WORKPLACES);
        let mut taken: HashSet<(String, String)> = HashSet::new();
        while workplaces.len() < WORKPLACES {
            let (name, kind) = match HOSPITALS.get(workplaces.len()) {
                Some(h) => (h.to_string(), "hospital"),
                None => workplace_name(&mut rng, &patterns),
            };
            let address = address(&mut rng);
            if !taken.insert((name.clone(), address.clone())) {
                continue;
            }
            let creator = rng.below(n) as u32;
            let created_at = people[creator as usize].created_at + 86_400_000;
            workplaces.push(Workplace {
                id: rng.uuid_at(created_at),
                name,
                kind,
                address,
                org: None,
                created_by: creator,
                created_at,
            });
        }

        // Organizations: Zipf-like sizes, one workplace each.
        let mut orgs = Vec::with_capacity(ORGS);
        let mut workplace_members: Vec<(u32, u32)> = Vec::new();
        let mut in_org = vec![false; n];
        for rank in 0..ORGS {
            let size = ((LARGEST_ORG / ((rank + 1) as f64).powf(ORG_EXPONENT)).round() as usize).clamp(SMALLEST_ORG, n);
            let created_at = START_MS + rng.below(365) as i64 * 86_400_000;
            workplaces[rank].org = Some(rank);
            let mut members = Vec::with_capacity(size);
            let mut chosen = HashSet::with_capacity(size);
            while members.len() < size {
                let p = rng.below(n) as u32;
                if chosen.insert(p) {
                    members.push(p);
                    in_org[p as usize] = true;
                    workplace_members.push((rank as u32, p));
                }
            }
            let (_, _, city) = PLACES[rank % PLACES.len()];
            orgs.push(Org {
                id: rng.uuid_at(created_at),
                name: format!("Groupe de santé {city} {}", rank + 1),
                root_unit: rng.uuid_at(created_at),
                created_at,
                workplace: rank,
                members,
            });
        }

        // Independent workplaces: half of the people outside organizations
        // name one (some workplaces much busier than others).
        let independent = WORKPLACES - ORGS;
        for (p, member) in in_org.iter().enumerate() {
            if !member && (rng.below(1000) as u32) < INDEPENDENT_WORKERS {
                let w = ORGS + rng.skewed(independent, 1.3);
                workplace_members.push((w as u32, p as u32));
            }
        }
        let busiest_independent = {
            let mut counts = vec![0_u32; WORKPLACES];
            for (w, _) in &workplace_members {
                counts[*w as usize] += 1;
            }
            (ORGS..WORKPLACES).max_by_key(|w| counts[*w]).unwrap_or(ORGS)
        };

        // The searchers.
        let pick = |members: &[u32], want_validated: bool| -> u32 {
            members
                .iter()
                .copied()
                .find(|p| {
                    let person = &people[*p as usize];
                    person.validated == want_validated && !person.restricted
                })
                .unwrap_or(members[0])
        };
        let searchers = Searchers {
            large: pick(&orgs[0].members, true),
            small: pick(&orgs[ORGS - 1].members, true),
            unvalidated: pick(&orgs[1].members, false),
        };

        // Friendships: random pairs, plus the searchers' friends.
        let mut friendships = Vec::new();
        let mut pairs: HashSet<(u32, u32)> = HashSet::new();
        let statuses = [
            "accepted", "accepted", "accepted", "accepted", "accepted", "accepted", "accepted", "pending", "pending",
            "ignored",
        ];
        let random = FRIENDSHIPS_PER_MILLION * n / 1_000_000;
        let mut add = |rng: &mut Rng, a: u32, b: u32, status: &'static str, people: &[Person]| {
            let key = (a.min(b), a.max(b));
            if a == b || !pairs.insert(key) {
                return;
            }
            let created_at = people[a as usize].created_at.max(people[b as usize].created_at) + 86_400_000;
            friendships.push(Friendship {
                id: rng.uuid_at(created_at),
                requester: a,
                recipient: b,
                status,
                created_at,
            });
        };
        for s in [searchers.large, searchers.small, searchers.unvalidated] {
            for k in 0..SEARCHER_FRIENDS {
                let other = rng.below(n) as u32;
                if k % 2 == 0 {
                    add(&mut rng, s, other, "accepted", &people);
                } else {
                    add(&mut rng, other, s, "accepted", &people);
                }
            }
        }
        for _ in 0..random {
            let a = rng.below(n) as u32;
            let b = rng.below(n) as u32;
            let status = statuses[rng.below(statuses.len())];
            add(&mut rng, a, b, status, &people);
        }

        Universe {
            people,
            orgs,
            workplaces,
            workplace_members,
            friendships,
            searchers,
            busiest_independent,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cercle_domain::search::terms;
    use std::collections::HashMap;

    #[test]
    fn realistic_spread() {
        let u = Universe::new(1, 100_000);
        let n = u.people.len() as f64;
        let mut df: HashMap<String, usize> = HashMap::new();
        for p in &u.people {
            for t in terms(&p.name, 16) {
                *df.entry(t).or_default() += 1;
            }
        }
        let share = |t: &str| df.get(t).copied().unwrap_or(0) as f64 / n;
        assert!((0.011..0.016).contains(&share("tremblay")), "{}", share("tremblay"));
        assert!(share("gagnon") < share("tremblay"));
        assert!(share("marie") > 0.02);
        assert!(u.people.iter().any(|p| p.name.contains('é')));
        assert!(u.people.iter().any(|p| p.name.contains("O'Brien")));
        let validated = u.people.iter().filter(|p| p.validated).count() as f64 / n;
        assert!((0.83..0.87).contains(&validated), "{validated}");
        let restricted = u.people.iter().filter(|p| p.restricted).count() as f64 / n;
        assert!((0.04..0.06).contains(&restricted), "{restricted}");
        assert_eq!(u.orgs[0].members.len(), 2_000);
        assert!(u.orgs[ORGS - 1].members.len() < 10);
        assert_eq!(u.workplaces.len(), WORKPLACES);
        let s = u.searchers;
        assert!(u.people[s.large as usize].validated && u.people[s.small as usize].validated);
        assert!(!u.people[s.unvalidated as usize].validated);
    }

    #[test]
    fn same_seed_same_network() {
        let a = Universe::new(3, 2_000);
        let b = Universe::new(3, 2_000);
        assert_eq!(a.people[1_999].id, b.people[1_999].id);
        assert_eq!(a.people[1_999].name, b.people[1_999].name);
        assert_eq!(a.workplaces[4_999].name, b.workplaces[4_999].name);
    }
}
