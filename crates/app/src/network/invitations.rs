//! Inviting a professional to the network (SPEC 3): for validated
//! professionals, who vouch for the invitee's profession. Accepting the
//! invitation (signed in with the invited address) validates it.

use super::me;
use super::professions::Status;
use crate::acting::limit;
use crate::outbox::{queue_email, Outgoing};
use crate::secrets::{hash_token, random_token};
use crate::{audit, AppError, AppResult, Client, Ctx};
use cercle_domain::audit::{Actor, AuditAction, NewAuditEvent};
use cercle_domain::error::PersonName;
use cercle_domain::network::NetworkInvitationStatus;
use cercle_domain::policy::network::may_invite_to_network;
use cercle_domain::policy::Principal;
use cercle_domain::{professions, Email, InputError, InvitationId, Language, ProfessionId};
use cercle_store::profiles::{self, Decision, NetworkInvitationRow};
use cercle_store::users;
use serde::{Deserialize, Serialize};

pub const INVITATION_TTL_SECS: i64 = 7 * 24 * 3600;
pub const INVITATIONS_PER_DAY: i64 = 20;

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct NetworkInviteInput {
    pub email: String,
    pub name: String,
    pub language: Option<String>,
    /// The profession the inviter vouches for (key).
    pub profession: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SentInvitation {
    pub id: InvitationId,
    pub email: String,
    pub name: String,
    pub profession: String,
    pub status: String,
    pub expires_at: i64,
}

pub async fn invite(
    ctx: &Ctx,
    client: &Client,
    principal: &Principal,
    input: &NetworkInviteInput,
) -> AppResult<InvitationId> {
    let me = me(principal)?;
    let inviter_id = me.user_id;
    let email = Email::parse(&input.email)?;
    let name = PersonName::parse(&input.name)?;
    let language = Language::parse(input.language.as_deref().unwrap_or("fr"))?;
    if professions::name(&input.profession, language).is_none() {
        return Err(InputError::UnknownProfession.into());
    }
    {
        let mut conn = ctx.store.reader().await?;
        if !may_invite_to_network(profiles::is_validated(&mut conn, inviter_id).await?) {
            return Err(AppError::ProfessionNotValidated);
        }
    }
    limit(
        ctx,
        "network-invite",
        &inviter_id.to_string(),
        INVITATIONS_PER_DAY,
        24 * 3600,
    )
    .await?;
    let now = ctx.clock.now();
    let token = random_token();
    let id = InvitationId::new();
    let mut tx = ctx.store.begin().await?;
    let inviter = users::get(&mut tx, &inviter_id.to_string()).await?;
    profiles::insert_invitation(
        &mut tx,
        &NetworkInvitationRow {
            id,
            email: email.as_str().to_string(),
            name: name.as_str().to_string(),
            language: language.code().to_string(),
            profession: input.profession.clone(),
            invited_by: inviter_id,
            status: NetworkInvitationStatus::Pending,
            expires_at: now.plus_secs(INVITATION_TTL_SECS).0,
            created_at: now.0,
        },
        &hash_token(&token),
    )
    .await?;
    let ev = NewAuditEvent::new(
        Actor::User(me.user_id),
        "network.invitation_sent",
        AuditAction::Create,
        "network_invitation",
    )
    .target(id)
    .ip(client.ip.clone());
    audit::record(&mut tx, ev, now).await?;
    let msg = Outgoing::NetworkInvitation {
        name: name.as_str().to_string(),
        inviter: inviter.name.clone(),
        profession: professions::name(&input.profession, language)
            .unwrap_or(&input.profession)
            .to_string(),
        link: format!("{}/network/join/{token}", ctx.config.public_url),
    };
    queue_email(&mut tx, email.as_str(), language, &msg, now).await?;
    ctx.commit_and_send(tx).await?;
    Ok(id)
}

pub async fn sent(ctx: &Ctx, principal: &Principal, lang: Language) -> AppResult<Vec<SentInvitation>> {
    let me = me(principal)?;
    let mut conn = ctx.store.reader().await?;
    let now = ctx.clock.now().0;
    Ok(profiles::invitations_by(&mut conn, me.user_id)
        .await?
        .into_iter()
        .map(|i| SentInvitation {
            profession: professions::name(&i.profession, lang)
                .unwrap_or(&i.profession)
                .to_string(),
            status: if i.status == NetworkInvitationStatus::Pending && i.expires_at <= now {
                "expired".into()
            } else {
                i.status.as_str().into()
            },
            id: i.id,
            email: i.email,
            name: i.name,
            expires_at: i.expires_at,
        })
        .collect())
}

/// What the invitation page shows.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct NetworkInvitationInfo {
    pub inviter: String,
    pub name: String,
    pub email: String,
    pub profession: String,
    pub language: Language,
}

async fn live(ctx: &Ctx, token: &str) -> AppResult<NetworkInvitationRow> {
    let mut conn = ctx.store.reader().await?;
    let inv = profiles::invitation_by_token(&mut conn, &hash_token(token))
        .await?
        .ok_or(AppError::LinkInvalid)?;
    if inv.status != NetworkInvitationStatus::Pending || inv.expires_at <= ctx.clock.now().0 {
        return Err(AppError::LinkInvalid);
    }
    Ok(inv)
}

pub async fn info(ctx: &Ctx, token: &str) -> AppResult<NetworkInvitationInfo> {
    let inv = live(ctx, token).await?;
    let mut conn = ctx.store.reader().await?;
    let inviter = users::get(&mut conn, &inv.invited_by.to_string()).await?;
    let language = Language::parse(&inv.language).unwrap_or_default();
    Ok(NetworkInvitationInfo {
        inviter: inviter.name,
        name: inv.name,
        email: inv.email,
        profession: professions::name(&inv.profession, language)
            .unwrap_or(&inv.profession)
            .to_string(),
        language,
    })
}

/// Accepts as the signed-in person (the invited address): the vouched
/// profession is validated.
pub async fn accept(ctx: &Ctx, client: &Client, principal: &Principal, token: &str) -> AppResult<()> {
    let me = me(principal)?;
    let user_id = me.user_id;
    let inv = live(ctx, token).await?;
    let now = ctx.clock.now();
    let mut tx = ctx.store.begin().await?;
    let user = users::get(&mut tx, &user_id.to_string()).await?;
    if !user.email.eq_ignore_ascii_case(&inv.email) {
        return Err(AppError::Conflict("invitation-other-email"));
    }
    if !profiles::decide_invitation(&mut tx, inv.id, NetworkInvitationStatus::Accepted, now).await? {
        return Err(AppError::LinkInvalid);
    }
    let existing = profiles::professions_of(&mut tx, user_id)
        .await?
        .into_iter()
        .find(|p| p.profession == inv.profession);
    let profession_id = match existing {
        Some(p) => p.id,
        None => {
            let id = ProfessionId::new();
            profiles::insert_profession(&mut tx, id, user_id, &inv.profession, Status::Unverified, now).await?;
            id
        }
    };
    profiles::decide_profession(
        &mut tx,
        profession_id,
        &Status::ALL,
        Status::Validated,
        &Decision {
            by: Some(inv.invited_by),
            via: Some("vouch"),
            reason: None,
        },
        now,
    )
    .await?;
    crate::search_index::person(&mut tx, &user_id.to_string(), now).await?;
    let ev = NewAuditEvent::new(
        Actor::User(me.user_id),
        "network.invitation_accepted",
        AuditAction::Update,
        "network_invitation",
    )
    .target(inv.id)
    .scope("profession", profession_id)
    .ip(client.ip.clone());
    audit::record(&mut tx, ev, now).await?;
    tx.commit().await?;
    Ok(())
}
