//! Keeps the search index in step with people and workplaces. Every change
//! that alters a name or who may find someone calls in here, in the same
//! transaction as the change.

use crate::AppResult;
use cercle_domain::policy::network::externally_visible;
use cercle_domain::{Timestamp, UserId, WorkplaceId};
use cercle_store::search::{self, DocKind};
use cercle_store::{network, profiles, users, Conn};

/// Re-indexes a person (or removes them once their account is gone).
pub async fn person(conn: &mut Conn, user_id: &str, now: Timestamp) -> AppResult<()> {
    let user = users::by_id(&mut *conn, user_id).await?;
    match user {
        Some(u) if u.deleted_at.is_none() && u.email_verified_at.is_some() => {
            let id: UserId = u.id.parse()?;
            let validated = profiles::is_validated(&mut *conn, id).await?;
            let restricted = profiles::profile(&mut *conn, id).await?.restrict_external;
            search::index_doc(
                &mut *conn,
                user_id,
                DocKind::Person,
                &u.name,
                externally_visible(validated, restricted),
                now,
            )
            .await?;
        }
        _ => search::remove_doc(&mut *conn, user_id).await?,
    }
    Ok(())
}

/// Re-indexes a workplace (or removes it once archived). Workplaces are
/// public on the network. The index's documents are people and workplaces
/// alike: it names them by their ids as text.
pub async fn workplace(conn: &mut Conn, workplace_id: WorkplaceId, now: Timestamp) -> AppResult<()> {
    let doc_id = workplace_id.to_string();
    match network::workplace(&mut *conn, workplace_id).await? {
        Some(w) => search::index_doc(&mut *conn, &doc_id, DocKind::Workplace, &w.name, true, now).await?,
        None => search::remove_doc(&mut *conn, &doc_id).await?,
    }
    Ok(())
}

/// Builds the index of a database that has people but no index yet (a
/// database from before the network, or restored without it).
pub async fn rebuild_if_empty(ctx: &crate::Ctx) -> AppResult<usize> {
    let mut tx = ctx.store.begin().await?;
    if search::count_docs(&mut tx).await? > 0 {
        return Ok(0);
    }
    let now = ctx.clock.now();
    let people = users::all_ids(&mut tx).await?;
    for id in &people {
        person(&mut tx, id, now).await?;
    }
    let places = network::all_workplaces(&mut tx, i64::MAX, 0).await?;
    for w in &places {
        workplace(&mut tx, w.id, now).await?;
    }
    tx.commit().await?;
    Ok(people.len() + places.len())
}
