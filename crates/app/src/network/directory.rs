//! The personal directory (bottin, SPEC 3): people and workplaces one keeps
//! at hand. Private to its owner; adding someone never notifies them.

use super::me;
use super::people::{summaries, visible, PersonSummary};
use super::workplaces::WorkplaceSummary;
use crate::acting::limit;
use crate::{AppError, AppResult, Ctx};
pub use cercle_domain::network::EntryKind;
use cercle_domain::policy::Principal;
use cercle_domain::{Language, UserId, WorkplaceId};
use cercle_store::network;
pub use cercle_store::network::DirectoryEntry;
use serde::Serialize;

/// A directory holds at most this many entries.
pub const MAX_ENTRIES: usize = 2000;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Directory {
    pub people: Vec<PersonSummary>,
    pub workplaces: Vec<WorkplaceSummary>,
}

/// The entry of a kind naming `id` ("not found" for a text that is no id).
pub fn entry(kind: EntryKind, id: &str) -> AppResult<DirectoryEntry> {
    Ok(match kind {
        EntryKind::Person => DirectoryEntry::Person(id.parse()?),
        EntryKind::Workplace => DirectoryEntry::Workplace(id.parse()?),
    })
}

/// One's own directory (there is no way to ask for another's).
pub async fn list(ctx: &Ctx, principal: &Principal, lang: Language) -> AppResult<Directory> {
    let me = me(principal)?;
    let owner = me.user_id;
    let mut conn = ctx.store.reader().await?;
    let entries = network::entries(&mut conn, owner).await?;
    let person_ids: Vec<UserId> = entries
        .iter()
        .filter_map(|e| match e {
            DirectoryEntry::Person(id) => Some(*id),
            DirectoryEntry::Workplace(_) => None,
        })
        .collect();
    // Someone who since restricted their visibility (or left the shared
    // organization) drops out of the list until they are visible again.
    let person_ids = visible(&mut conn, owner, &person_ids).await?;
    let mut people = summaries(&mut conn, &person_ids, lang).await?;
    people.sort_by(|a, b| a.name.cmp(&b.name));
    let place_ids: Vec<WorkplaceId> = entries
        .iter()
        .filter_map(|e| match e {
            DirectoryEntry::Workplace(id) => Some(*id),
            DirectoryEntry::Person(_) => None,
        })
        .collect();
    let workplaces = network::workplaces_by_ids(&mut conn, &place_ids)
        .await?
        .iter()
        .map(WorkplaceSummary::of)
        .collect();
    Ok(Directory { people, workplaces })
}

/// Adds a person (whom one may see) or a workplace. Silent for them.
pub async fn add(ctx: &Ctx, principal: &Principal, entry: DirectoryEntry) -> AppResult<()> {
    let me = me(principal)?;
    let owner = me.user_id;
    limit(ctx, "directory", &owner.to_string(), 300, 3600).await?;
    let now = ctx.clock.now();
    let mut tx = ctx.store.begin().await?;
    match entry {
        DirectoryEntry::Person(id) => {
            if id == owner || visible(&mut tx, owner, &[id]).await?.is_empty() {
                return Err(AppError::NotFound);
            }
        }
        DirectoryEntry::Workplace(id) => {
            network::workplace(&mut tx, id).await?.ok_or(AppError::NotFound)?;
        }
    }
    if network::entries(&mut tx, owner).await?.len() >= MAX_ENTRIES {
        return Err(AppError::Conflict("directory-full"));
    }
    network::add_entry(&mut tx, owner, entry, now).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn remove(ctx: &Ctx, principal: &Principal, entry: DirectoryEntry) -> AppResult<()> {
    let me = me(principal)?;
    let mut tx = ctx.store.begin().await?;
    if !network::remove_entry(&mut tx, me.user_id, entry).await? {
        return Err(AppError::NotFound);
    }
    tx.commit().await?;
    Ok(())
}

/// Puts the owner's directory contacts first, keeping the order otherwise:
/// every participant picker goes through here.
pub fn directory_first<T>(items: &mut [T], in_directory: impl Fn(&T) -> bool) {
    items.sort_by_key(|i| !in_directory(i));
}

#[cfg(test)]
mod tests {
    #[test]
    fn directory_contacts_come_first_in_stable_order() {
        let mut v = vec![("a", false), ("b", true), ("c", false), ("d", true)];
        super::directory_first(&mut v, |x| x.1);
        assert_eq!(v.iter().map(|x| x.0).collect::<String>(), "bdac");
    }
}
