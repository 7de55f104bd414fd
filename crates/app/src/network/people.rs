//! How one person appears to another: the facts of their relation, gathered
//! for one or many at once, and the short summary lists and pickers show.

use crate::AppResult;
use cercle_domain::network::ProfessionStatus;
use cercle_domain::policy::network::{may_view_profile, Relation};
use cercle_domain::{professions, Language, UserId};
use cercle_store::{network, profiles, Conn};
use serde::Serialize;
use std::collections::HashMap;

/// The relations between a viewer and several people, gathered in a few
/// queries.
pub async fn relations(conn: &mut Conn, viewer: UserId, ids: &[UserId]) -> AppResult<HashMap<UserId, Relation>> {
    let mut out = HashMap::new();
    if ids.is_empty() {
        return Ok(out);
    }
    let viewer_validated = profiles::is_validated(&mut *conn, viewer).await?;
    let facts = network::relation_facts(&mut *conn, viewer, ids).await?;
    for id in ids {
        if *id == viewer {
            out.insert(
                *id,
                Relation {
                    is_self: true,
                    viewer_validated,
                    target_validated: viewer_validated,
                    ..Relation::default()
                },
            );
        } else if facts.live.contains(id) {
            out.insert(
                *id,
                Relation {
                    is_self: false,
                    colleagues: facts.colleagues.contains(id),
                    friends: facts.friends.contains(id),
                    viewer_validated,
                    target_validated: facts.validated.contains(id),
                    target_restricted: facts.restricted.contains(id),
                },
            );
        }
    }
    Ok(out)
}

/// The relation with one person; `None` when there is no such account.
pub async fn relation(conn: &mut Conn, viewer: UserId, target: UserId) -> AppResult<Option<Relation>> {
    Ok(relations(conn, viewer, &[target]).await?.remove(&target))
}

/// Of `ids`, those the viewer may see (in the given order).
pub async fn visible(conn: &mut Conn, viewer: UserId, ids: &[UserId]) -> AppResult<Vec<UserId>> {
    let rel = relations(conn, viewer, ids).await?;
    Ok(ids
        .iter()
        .filter(|id| rel.get(*id).is_some_and(may_view_profile))
        .copied()
        .collect())
}

/// A profession as others see it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ProfessionBadge {
    pub key: String,
    pub name: String,
    pub validated: bool,
}

/// A person in a list: search results, directory, friends, workplace members.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PersonSummary {
    pub id: UserId,
    pub name: String,
    pub professions: Vec<ProfessionBadge>,
    /// When the photo last changed (to build its URL), if there is one.
    pub photo_version: Option<i64>,
}

/// Summaries of people, in the order of `ids`, skipping deleted accounts.
pub async fn summaries(conn: &mut Conn, ids: &[UserId], lang: Language) -> AppResult<Vec<PersonSummary>> {
    let texts: Vec<String> = ids.iter().map(UserId::to_string).collect();
    let names: HashMap<String, String> = network::names(&mut *conn, &texts).await?.into_iter().collect();
    let mut profs: HashMap<UserId, Vec<ProfessionBadge>> = HashMap::new();
    for (user, key, status) in profiles::profession_keys_of(&mut *conn, ids).await? {
        profs.entry(user).or_default().push(ProfessionBadge {
            name: professions::name(&key, lang).unwrap_or(&key).to_string(),
            key,
            validated: status == ProfessionStatus::Validated,
        });
    }
    let photos: HashMap<UserId, i64> = profiles::photo_versions(&mut *conn, ids).await?.into_iter().collect();
    Ok(ids
        .iter()
        .filter_map(|id| {
            names.get(&id.to_string()).map(|name| PersonSummary {
                id: *id,
                name: name.clone(),
                professions: profs.remove(id).unwrap_or_default(),
                photo_version: photos.get(id).copied(),
            })
        })
        .collect())
}
