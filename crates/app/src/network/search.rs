//! The one search box (SPEC 3): people and workplaces. Colleagues and friends
//! for everyone; the rest of the network for validated professionals only,
//! never people who restricted their visibility. Ranked: one's directory and
//! friends, then one's organizations, then the network; within each, exact
//! before prefix before one-typo matches, then by name.

use super::people::summaries;
use super::workplaces::WorkplaceSummary;
use crate::acting::limit;
use crate::{AppError, AppResult, Ctx};
use cercle_domain::policy::network::may_search_external;
use cercle_domain::policy::{self, Permission, Principal};
use cercle_domain::search::{fold, query_matches, terms, Match};
use cercle_domain::{professions, InputError, Language, UserId, WorkplaceId};
use cercle_store::search::{self as index, DocKind, SearchScope};
use cercle_store::{members, network, profiles};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};

pub const PAGE_SIZE: usize = 20;
/// Searches per person per minute: typing-as-you-go fits, enumeration does not.
pub const SEARCHES_PER_MINUTE: i64 = 60;
const MAX_QUERY_CHARS: usize = 100;
const MAX_WORDS: usize = 5;

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchInput {
    #[serde(default)]
    pub q: String,
    /// person | workplace
    pub kind: Option<String>,
    /// A profession key.
    pub profession: Option<String>,
    /// A workplace id.
    pub workplace: Option<String>,
    /// From 1.
    pub page: Option<u32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MatchKind {
    Exact,
    Prefix,
    Typo,
}

impl From<Match> for MatchKind {
    fn from(m: Match) -> Self {
        match m {
            Match::Exact => MatchKind::Exact,
            Match::Prefix => MatchKind::Prefix,
            Match::OneTypo => MatchKind::Typo,
        }
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum SearchResult {
    Person {
        #[serde(flatten)]
        person: super::people::PersonSummary,
        colleague: bool,
        in_directory: bool,
        matched: MatchKind,
        /// While the person is away.
        #[serde(skip_serializing_if = "Option::is_none")]
        absent_until: Option<crate::availability::Absence>,
    },
    Workplace {
        #[serde(flatten)]
        workplace: WorkplaceSummary,
        in_directory: bool,
        matched: MatchKind,
    },
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SearchPage {
    pub results: Vec<SearchResult>,
    pub page: u32,
    pub has_more: bool,
    /// More matched than were read: refine the query.
    pub truncated: bool,
    /// Whether people outside one's organizations were searched.
    pub external_network: bool,
    /// A message for the searcher (`validate-profession` when the external
    /// network is closed to them), as an i18n key suffix.
    #[schema(value_type = Option<String>)]
    pub notice: Option<&'static str>,
}

/// Checks and folds a query into its words.
pub fn query_words(raw: &str) -> AppResult<Vec<String>> {
    if raw.chars().count() > MAX_QUERY_CHARS {
        return Err(InputError::TextTooLong.into());
    }
    let words = terms(raw, MAX_WORDS);
    if words.iter().map(|w| w.chars().count()).sum::<usize>() < 2 {
        return Err(InputError::SearchTooShort.into());
    }
    Ok(words)
}

pub async fn search(ctx: &Ctx, principal: &Principal, input: &SearchInput, lang: Language) -> AppResult<SearchPage> {
    // Professionals, and service accounts with the directory scope (acting
    // through their member, whose visibility applies).
    let me = crate::acting::person(principal)?;
    if !policy::may(principal, &Permission::SearchNetwork) {
        return Err(AppError::Forbidden);
    }
    let searcher = me.user_id.to_string();
    let words = query_words(&input.q)?;
    // Anything but "person" or "workplace" searches both.
    let kind = input.kind.as_deref().and_then(DocKind::parse);
    let profession = match input.profession.as_deref() {
        None | Some("") => None,
        Some(p) if professions::name(p, lang).is_some() => Some(p.to_string()),
        Some(_) => return Err(InputError::UnknownProfession.into()),
    };
    let workplace = input.workplace.clone().filter(|w| !w.is_empty() && w.len() <= 64);
    // People filters leave workplaces out.
    let kind = if profession.is_some() || workplace.is_some() {
        Some(DocKind::Person)
    } else {
        kind
    };
    limit(ctx, "search", &searcher, SEARCHES_PER_MINUTE, 60).await?;

    let mut conn = ctx.store.reader().await?;
    let validated = profiles::is_validated(&mut conn, me.user_id).await?;
    let external = may_search_external(validated);
    let scope = SearchScope {
        searcher_id: searcher.clone(),
        external,
        kind,
        profession,
        workplace,
    };
    let found = index::search(&mut conn, &words, &scope).await?;

    // Ranking facts: the directory, friends and one's organizations' workplaces.
    let directory: HashSet<String> = network::entries(&mut conn, me.user_id)
        .await?
        .iter()
        .map(|e| e.target_id().to_string())
        .collect();
    let my_orgs: HashSet<String> = members::orgs_of_user(&mut conn, me.user_id)
        .await?
        .into_iter()
        .map(|(id, _)| id.to_string())
        .collect();
    let place_ids: Vec<WorkplaceId> = found
        .hits
        .iter()
        .filter(|h| h.kind == DocKind::Workplace)
        .filter_map(|h| WorkplaceId::parse(&h.id))
        .collect();
    let places: HashMap<String, _> = network::workplaces_by_ids(&mut conn, &place_ids)
        .await?
        .into_iter()
        .map(|w| (w.id.to_string(), w))
        .collect();
    let in_my_orgs = |id: &str| {
        places
            .get(id)
            .and_then(|w| w.org.as_ref())
            .is_some_and(|(o, _)| my_orgs.contains(&o.to_string()))
    };
    let query = words.join(" ");
    let mut ranked: Vec<(u8, Match, String, String, DocKind, bool)> = found
        .hits
        .iter()
        .filter_map(|h| {
            let m = query_matches(&query, &h.folded)?;
            let tier = if directory.contains(&h.id) {
                0
            } else if h.personal || (h.kind == DocKind::Workplace && in_my_orgs(&h.id)) {
                1
            } else {
                2
            };
            Some((tier, m, h.folded.clone(), h.id.clone(), h.kind, h.personal))
        })
        .collect();
    ranked.sort_by(|a, b| (a.0, a.1, &a.2, &a.3).cmp(&(b.0, b.1, &b.2, &b.3)));

    let page = input.page.unwrap_or(1).clamp(1, 1000);
    let start = (page as usize - 1) * PAGE_SIZE;
    let has_more = ranked.len() > start + PAGE_SIZE;
    let window: Vec<_> = ranked.into_iter().skip(start).take(PAGE_SIZE).collect();

    let person_ids: Vec<UserId> = window
        .iter()
        .filter(|r| r.4 == DocKind::Person)
        .filter_map(|r| UserId::parse(&r.3))
        .collect();
    let people: HashMap<String, _> = summaries(&mut conn, &person_ids, lang)
        .await?
        .into_iter()
        .map(|p| (p.id.to_string(), p))
        .collect();
    let mut absences = crate::availability::absences(&mut conn, &person_ids, ctx.clock.now()).await?;
    let mut results = Vec::with_capacity(window.len());
    for (tier, m, _, id, kind, personal) in window {
        match kind {
            DocKind::Person => {
                if let Some(p) = people.get(&id) {
                    results.push(SearchResult::Person {
                        person: p.clone(),
                        colleague: personal,
                        in_directory: tier == 0,
                        matched: m.into(),
                        absent_until: absences.remove(&p.id),
                    });
                }
            }
            DocKind::Workplace => {
                if let Some(w) = places.get(&id) {
                    results.push(SearchResult::Workplace {
                        workplace: WorkplaceSummary::of(w),
                        in_directory: tier == 0,
                        matched: m.into(),
                    });
                }
            }
        }
    }
    Ok(SearchPage {
        results,
        page,
        has_more,
        truncated: found.truncated,
        external_network: external,
        notice: (!external).then_some("validate-profession"),
    })
}

/// The folded form of a name, as the index holds it (for tests and tools).
pub fn folded(name: &str) -> String {
    fold(name).split_whitespace().collect::<Vec<_>>().join(" ")
}
