//! Friends (SPEC 3): a request notifies the recipient and puts them in the
//! sender's directory; the recipient accepts or ignores it. The sender is
//! never told of "ignore": to them the request stays sent. Friends see each
//! other's shared phone number.

use super::me;
use super::people::{relation, summaries, PersonSummary};
use crate::acting::limit;
use crate::outbox::{queue_email, Outgoing};
use crate::{audit, AppError, AppResult, Client, Ctx};
use cercle_domain::audit::{Actor, AuditAction, NewAuditEvent};
use cercle_domain::network::FriendshipStatus;
use cercle_domain::policy::network::may_request_friendship;
use cercle_domain::policy::Principal;
use cercle_domain::{FriendshipId, Language, UserId};
use cercle_store::network::{self, DirectoryEntry, FriendshipRow};
use cercle_store::{users, Conn};
use serde::Serialize;

/// Requests a person sends per day.
pub const REQUESTS_PER_DAY: i64 = 50;

/// Where two people stand, seen from one of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FriendState {
    None,
    /// The viewer asked; still pending as far as they know (also when ignored).
    RequestSent,
    /// The other asked and the viewer has not answered.
    RequestReceived,
    Friends,
}

/// How a friendship row looks from `viewer`'s side.
fn state_of(row: &FriendshipRow, viewer: UserId) -> FriendState {
    let sender = row.requester_id == viewer;
    match (row.status, sender) {
        (FriendshipStatus::Accepted, _) => FriendState::Friends,
        (FriendshipStatus::Pending, true) | (FriendshipStatus::Ignored, true) => FriendState::RequestSent,
        (FriendshipStatus::Pending, false) => FriendState::RequestReceived,
        (FriendshipStatus::Ignored, false) => FriendState::None,
    }
}

pub async fn state(conn: &mut Conn, viewer: UserId, other: UserId) -> AppResult<FriendState> {
    if viewer == other {
        return Ok(FriendState::None);
    }
    Ok(match network::friendship_between(conn, viewer, other).await? {
        Some(row) => state_of(&row, viewer),
        None => FriendState::None,
    })
}

fn event(
    actor: &cercle_domain::policy::UserPrincipal,
    name: &'static str,
    action: AuditAction,
    id: FriendshipId,
    client: &Client,
) -> NewAuditEvent {
    NewAuditEvent::new(Actor::User(actor.user_id), name, action, "friendship")
        .target(id)
        .ip(client.ip.clone())
}

/// Sends a friend request. Asking again, or asking someone who ignored the
/// request, answers the same "already sent". Asking someone who already
/// asked you makes you friends.
pub async fn request(ctx: &Ctx, client: &Client, principal: &Principal, to: UserId) -> AppResult<FriendState> {
    let me = me(principal)?;
    let from = me.user_id;
    if from == to {
        return Err(AppError::Conflict("friend-self"));
    }
    {
        let mut conn = ctx.store.reader().await?;
        let rel = relation(&mut conn, from, to).await?.ok_or(AppError::NotFound)?;
        if !may_request_friendship(&rel) {
            return Err(AppError::NotFound);
        }
    }
    limit(ctx, "friend-request", &from.to_string(), REQUESTS_PER_DAY, 24 * 3600).await?;
    let now = ctx.clock.now();
    let mut tx = ctx.store.begin().await?;
    if let Some(row) = network::friendship_between(&mut tx, from, to).await? {
        return match state_of(&row, from) {
            FriendState::Friends => Err(AppError::Conflict("already-friends")),
            FriendState::RequestSent => Err(AppError::Conflict("request-already-sent")),
            FriendState::RequestReceived | FriendState::None => {
                // They asked first (and may have been ignored): accepting now.
                network::decide(&mut tx, row.id, row.status, FriendshipStatus::Accepted, now).await?;
                network::add_entry(&mut tx, from, DirectoryEntry::Person(to), now).await?;
                network::add_entry(&mut tx, to, DirectoryEntry::Person(from), now).await?;
                audit::record(
                    &mut tx,
                    event(me, "network.friend_accepted", AuditAction::Update, row.id, client),
                    now,
                )
                .await?;
                tx.commit().await?;
                Ok(FriendState::Friends)
            }
        };
    }
    let id = FriendshipId::new();
    network::insert_request(&mut tx, id, from, to, now)
        .await
        .map_err(|_| AppError::Conflict("request-already-sent"))?;
    // The recipient goes into the sender's directory (silently for them).
    network::add_entry(&mut tx, from, DirectoryEntry::Person(to), now).await?;
    audit::record(
        &mut tx,
        event(me, "network.friend_requested", AuditAction::Create, id, client),
        now,
    )
    .await?;
    let sender = users::get(&mut tx, &from.to_string()).await?;
    let recipient = users::get(&mut tx, &to.to_string()).await?;
    let lang = crate::acting::language_of(&recipient);
    let msg = Outgoing::FriendRequest {
        name: recipient.name.clone(),
        from: sender.name.clone(),
        link: format!("{}/network/friends", ctx.config.public_url),
    };
    queue_email(&mut tx, &recipient.email, lang, &msg, now).await?;
    crate::notifications::on_personal(
        &*ctx.bus,
        &mut tx,
        &to.to_string(),
        crate::notifications::Kind::FriendRequest,
        Some(&from.to_string()),
        "/network/friends",
        now,
    )
    .await?;
    ctx.commit_and_send(tx).await?;
    Ok(FriendState::RequestSent)
}

/// A request addressed to the viewer, or not found.
async fn received(conn: &mut Conn, viewer: UserId, id: FriendshipId) -> AppResult<FriendshipRow> {
    network::friendship(conn, id)
        .await?
        .filter(|r| r.recipient_id == viewer && r.status == FriendshipStatus::Pending)
        .ok_or(AppError::NotFound)
}

pub async fn accept(ctx: &Ctx, client: &Client, principal: &Principal, request_id: FriendshipId) -> AppResult<()> {
    let me = me(principal)?;
    let viewer = me.user_id;
    let now = ctx.clock.now();
    let mut tx = ctx.store.begin().await?;
    let row = received(&mut tx, viewer, request_id).await?;
    if !network::decide(
        &mut tx,
        row.id,
        FriendshipStatus::Pending,
        FriendshipStatus::Accepted,
        now,
    )
    .await?
    {
        return Err(AppError::NotFound);
    }
    network::add_entry(&mut tx, row.requester_id, DirectoryEntry::Person(viewer), now).await?;
    network::add_entry(&mut tx, viewer, DirectoryEntry::Person(row.requester_id), now).await?;
    audit::record(
        &mut tx,
        event(me, "network.friend_accepted", AuditAction::Update, row.id, client),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Ignores a request: it leaves the recipient's list; nothing reaches the sender.
pub async fn ignore(ctx: &Ctx, client: &Client, principal: &Principal, request_id: FriendshipId) -> AppResult<()> {
    let me = me(principal)?;
    let viewer = me.user_id;
    let now = ctx.clock.now();
    let mut tx = ctx.store.begin().await?;
    let row = received(&mut tx, viewer, request_id).await?;
    if !network::decide(
        &mut tx,
        row.id,
        FriendshipStatus::Pending,
        FriendshipStatus::Ignored,
        now,
    )
    .await?
    {
        return Err(AppError::NotFound);
    }
    audit::record(
        &mut tx,
        event(me, "network.friend_ignored", AuditAction::Update, row.id, client),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Ends a friendship (or withdraws one's own request).
pub async fn unfriend(ctx: &Ctx, client: &Client, principal: &Principal, other: UserId) -> AppResult<()> {
    let me = me(principal)?;
    let viewer = me.user_id;
    let now = ctx.clock.now();
    let mut tx = ctx.store.begin().await?;
    let row = network::friendship_between(&mut tx, viewer, other)
        .await?
        .filter(|r| r.status == FriendshipStatus::Accepted || r.requester_id == viewer)
        .ok_or(AppError::NotFound)?;
    network::delete_friendship(&mut tx, row.id).await?;
    audit::record(
        &mut tx,
        event(me, "network.friend_removed", AuditAction::Delete, row.id, client),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Request {
    pub id: FriendshipId,
    pub person: PersonSummary,
    pub at: i64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Friends {
    pub friends: Vec<PersonSummary>,
    /// Requests waiting for the viewer's answer.
    pub incoming: Vec<Request>,
    /// Requests the viewer sent (ignored ones included: the sender is not told).
    pub outgoing: Vec<Request>,
}

pub async fn overview(ctx: &Ctx, principal: &Principal, lang: Language) -> AppResult<Friends> {
    let me = me(principal)?;
    let viewer = me.user_id;
    let mut conn = ctx.store.reader().await?;
    let rows = network::friendships_of(&mut conn, viewer).await?;
    let other = |r: &FriendshipRow| {
        if r.requester_id == viewer {
            r.recipient_id
        } else {
            r.requester_id
        }
    };
    let ids: Vec<UserId> = rows.iter().map(other).collect();
    let people = summaries(&mut conn, &ids, lang).await?;
    let find = |id: UserId| people.iter().find(|p| p.id == id).cloned();
    let mut out = Friends {
        friends: Vec::new(),
        incoming: Vec::new(),
        outgoing: Vec::new(),
    };
    for r in &rows {
        let Some(person) = find(other(r)) else {
            continue;
        };
        match state_of(r, viewer) {
            FriendState::Friends => out.friends.push(person),
            FriendState::RequestReceived => out.incoming.push(Request {
                id: r.id,
                person,
                at: r.created_at,
            }),
            FriendState::RequestSent => out.outgoing.push(Request {
                id: r.id,
                person,
                at: r.created_at,
            }),
            FriendState::None => {}
        }
    }
    out.friends.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}
