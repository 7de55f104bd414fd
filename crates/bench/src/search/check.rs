//! `--check`: compares what the search found with what it should find,
//! computed from the generated network in memory with the domain's matching
//! rules (`query_matches`) and the visibility rules of SPEC 3. A complete
//! answer must be exactly the expected set; a truncated one a subset of it.

use super::dataset::Universe;
use super::names::PROFESSION_WEIGHTS;
use super::queries::{scope, Who, QUERIES};
use anyhow::bail;
use cercle_domain::search::{query_matches, terms};
use cercle_store::search::{folded_name, search, DocKind, SearchScope};
use cercle_store::Store;
use std::collections::{HashMap, HashSet};

/// What the check found: how many answers were complete (and equal to the
/// expected ones), how many truncated (and within them), and how many
/// documents each (query, searcher) should find.
pub struct Checked {
    pub complete: usize,
    pub truncated: usize,
    pub expected: HashMap<(usize, Who), usize>,
}

/// Checks every query for every searcher.
pub async fn run(store: &Store, u: &Universe) -> anyhow::Result<Checked> {
    let index: HashMap<&str, usize> = u.people.iter().enumerate().map(|(i, p)| (p.id.as_str(), i)).collect();
    let mut staff: HashMap<&str, HashSet<usize>> = HashMap::new();
    for (w, p) in &u.workplace_members {
        staff
            .entry(u.workplaces[*w as usize].id.as_str())
            .or_default()
            .insert(*p as usize);
    }
    let mut conn = store.reader().await?;
    let (mut complete, mut truncated) = (0, 0);
    let mut counts = HashMap::new();
    for (qi, query) in QUERIES.iter().enumerate() {
        let words = terms(query.text, 5);
        for who in Who::ALL {
            let s = scope(u, who, query);
            let found = search(&mut conn, &words, &s).await?;
            let expected = expected(u, &index, &staff, &s, &words.join(" "));
            counts.insert((qi, who), expected.len());
            let got: HashSet<&str> = found.hits.iter().map(|h| h.id.as_str()).collect();
            if got.len() != found.hits.len() {
                bail!("{:?} for {who:?}: the same document twice", query.text);
            }
            if let Some(extra) = got.iter().find(|id| !expected.contains(**id)) {
                bail!("{:?} for {who:?}: found {extra}, which it should not", query.text);
            }
            if found.truncated {
                truncated += 1;
            } else if got.len() != expected.len() {
                bail!(
                    "{:?} for {who:?}: found {} of {} (not truncated)",
                    query.text,
                    got.len(),
                    expected.len()
                );
            } else {
                complete += 1;
            }
        }
    }
    Ok(Checked {
        complete,
        truncated,
        expected: counts,
    })
}

fn expected(
    u: &Universe,
    index: &HashMap<&str, usize>,
    staff: &HashMap<&str, HashSet<usize>>,
    s: &SearchScope,
    query: &str,
) -> HashSet<String> {
    let me = index.get(s.searcher_id.as_str()).copied().unwrap_or(usize::MAX);
    // Colleagues (the members of one's organizations) and accepted friends.
    let mut personal: HashSet<usize> = HashSet::new();
    for o in &u.orgs {
        if o.members.iter().any(|m| *m as usize == me) {
            personal.extend(o.members.iter().map(|m| *m as usize));
        }
    }
    for f in &u.friendships {
        if f.status == "accepted" {
            if f.requester as usize == me {
                personal.insert(f.recipient as usize);
            }
            if f.recipient as usize == me {
                personal.insert(f.requester as usize);
            }
        }
    }
    let person_ok = |i: usize| -> bool {
        let p = &u.people[i];
        let profession = s
            .profession
            .as_ref()
            .is_none_or(|key| p.professions.iter().any(|k| PROFESSION_WEIGHTS[*k as usize].0 == key));
        let workplace = s
            .workplace
            .as_ref()
            .is_none_or(|w| staff.get(w.as_str()).is_some_and(|set| set.contains(&i)));
        i != me && profession && workplace && query_matches(query, &folded_name(&p.name)).is_some()
    };
    let mut out = HashSet::new();
    if s.kind != Some(DocKind::Workplace) {
        for i in &personal {
            if person_ok(*i) {
                out.insert(u.people[*i].id.clone());
            }
        }
        if s.external {
            for (i, p) in u.people.iter().enumerate() {
                if p.external() && person_ok(i) {
                    out.insert(p.id.clone());
                }
            }
        }
    }
    if s.kind != Some(DocKind::Person) && s.profession.is_none() && s.workplace.is_none() {
        for w in &u.workplaces {
            if query_matches(query, &folded_name(&w.name)).is_some() {
                out.insert(w.id.clone());
            }
        }
    }
    out
}
