//! Members, their roles, and invitations into units.

use super::{clean_name, OrgScope};
use crate::outbox::{queue_email, Outgoing};
use crate::secrets::{hash_token, random_token};
use crate::{audit, AppError, AppResult, Client, Ctx};
use cercle_domain::audit::{Actor, AuditAction, NewAuditEvent};
use cercle_domain::orgs::InvitationStatus;
use cercle_domain::policy::{may, Permission as NetworkPermission, Principal};
use cercle_domain::roles::{Permission, Role};
use cercle_domain::{Email, GrantId, InvitationId, Language, OrgId, UnitId, UserId};
use cercle_store::members::{self, GrantRow, InvitationRow, MemberRow};
use cercle_store::{orgs, users, Conn};

/// Invitations expire after 7 days.
pub const INVITATION_TTL_SECS: i64 = 7 * 24 * 3600;

#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
pub struct InviteInput {
    pub unit_id: String,
    pub email: String,
    pub name: String,
    pub language: Option<String>,
    #[serde(default)]
    pub professional: bool,
    #[serde(default)]
    pub administrative: bool,
    pub roles: Vec<Role>,
}

/// What an invitation became.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
#[serde(tag = "outcome", rename_all = "snake_case")]
#[schema(as = OrgInvited)]
pub enum Invited {
    /// An email with a link went out.
    Sent { invitation_id: String },
    /// Already a member of this organization: the roles apply now, silently.
    Applied { user_id: String },
}

fn roles_text(roles: &[Role]) -> String {
    roles.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(",")
}

fn roles_of(text: &str) -> Vec<Role> {
    text.split(',').filter_map(Role::parse).collect()
}

/// Invites someone into a unit with roles.
pub async fn invite(ctx: &Ctx, client: &Client, scope: &OrgScope, input: &InviteInput) -> AppResult<Invited> {
    let unit = scope.unit(ctx, input.unit_id.parse()?).await?;
    scope.require(Permission::ManageMembers, &unit)?;
    let inviter = {
        let mut conn = ctx.store.reader().await?;
        users::get(&mut conn, &scope.user_id.to_string()).await?
    };
    let ev = scope.event(
        "org.invitation_created",
        AuditAction::Create,
        "invitation",
        unit.id,
        client,
    );
    let mut tx = ctx.store.begin().await?;
    let invited = create_invitation(
        ctx,
        &mut tx,
        scope.org_id,
        &scope.org_name,
        unit.id,
        &inviter.name,
        ev,
        input,
    )
    .await?;
    ctx.commit_and_send(tx).await?;
    Ok(invited)
}

/// The first administrator of a new organization (network administrators).
pub async fn invite_first_admin(
    ctx: &Ctx,
    client: &Client,
    principal: &Principal,
    org_id: OrgId,
    email: &str,
    name: &str,
    language: Language,
) -> AppResult<Invited> {
    if !may(principal, &NetworkPermission::AdministerNetwork) {
        return Err(AppError::Forbidden);
    }
    let mut tx = ctx.store.begin().await?;
    let org = orgs::org_by_id(&mut tx, org_id).await?.ok_or(AppError::NotFound)?;
    let invited = first_admin_in(ctx, &mut tx, client, principal, &org, email, name, language).await?;
    ctx.commit_and_send(tx).await?;
    Ok(invited)
}

/// Invites the first administrator of `org` inside the caller's transaction.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn first_admin_in(
    ctx: &Ctx,
    tx: &mut Conn,
    client: &Client,
    principal: &Principal,
    org: &cercle_store::orgs::OrgRow,
    email: &str,
    name: &str,
    language: Language,
) -> AppResult<Invited> {
    let actor = match principal {
        Principal::User(u) => Actor::User(u.user_id),
        _ => Actor::System,
    };
    let ev = NewAuditEvent::new(actor, "org.invitation_created", AuditAction::Create, "invitation")
        .in_unit(org.id, org.root_unit_id)
        .ip(client.ip.clone());
    let input = InviteInput {
        unit_id: org.root_unit_id.to_string(),
        email: email.into(),
        name: name.into(),
        language: Some(language.code().into()),
        professional: false,
        administrative: true,
        roles: vec![Role::Administrator, Role::Member],
    };
    create_invitation(ctx, tx, org.id, &org.name, org.root_unit_id, "Cercle", ev, &input).await
}

/// Records an invitation (or applies it at once to a member) and queues its
/// email, in the caller's transaction.
#[allow(clippy::too_many_arguments)]
async fn create_invitation(
    ctx: &Ctx,
    tx: &mut Conn,
    org_id: OrgId,
    org_name: &str,
    unit_id: UnitId,
    inviter_name: &str,
    ev: NewAuditEvent,
    input: &InviteInput,
) -> AppResult<Invited> {
    let email = Email::parse(&input.email)?;
    let name = clean_name(&input.name)?;
    let language = match input.language.as_deref().filter(|l| !l.is_empty()) {
        Some(l) => Language::parse(l)?,
        None => Language::default(),
    };
    if input.roles.is_empty() {
        return Err(AppError::Conflict("no-role"));
    }
    if !input.professional && !input.administrative {
        return Err(AppError::Conflict("no-staff-kind"));
    }
    let now = ctx.clock.now();
    // Later invitations of a member into other units take effect silently.
    let existing = users::by_email(&mut *tx, email.as_str())
        .await?
        .filter(|u| u.deleted_at.is_none());
    if let Some(u) = &existing {
        let existing_id: UserId = u.id.parse()?;
        if members::is_member(&mut *tx, org_id, existing_id).await? {
            apply(
                &mut *tx,
                org_id,
                existing_id,
                unit_id,
                input.professional,
                input.administrative,
                &input.roles,
                now,
            )
            .await?;
            audit::record(
                &mut *tx,
                NewAuditEvent {
                    event: "org.roles_applied",
                    target_id: Some(u.id.clone()),
                    ..ev
                },
                now,
            )
            .await?;
            return Ok(Invited::Applied { user_id: u.id.clone() });
        }
    }
    let id = InvitationId::new();
    let token = random_token();
    let row = InvitationRow {
        id,
        org_id,
        unit_id,
        email: email.as_str().into(),
        name,
        language: language.code().into(),
        professional: input.professional,
        administrative: input.administrative,
        roles: roles_text(&input.roles),
        status: InvitationStatus::Pending,
        invited_by: None,
        expires_at: now.plus_secs(INVITATION_TTL_SECS).0,
        created_at: now.0,
    };
    members::insert_invitation(&mut *tx, &row, &hash_token(&token)).await?;
    send(ctx, tx, &row, org_name, inviter_name, &token).await?;
    // Someone who already has an account also finds it in Cercle (the
    // link itself, a secret, stays in the email).
    if let Some(u) = &existing {
        crate::notifications::on_personal(
            &*ctx.bus,
            &mut *tx,
            &u.id,
            crate::notifications::Kind::Invitation,
            None,
            "/",
            now,
        )
        .await?;
    }
    audit::record(
        &mut *tx,
        NewAuditEvent {
            target_id: Some(id.to_string()),
            ..ev
        },
        now,
    )
    .await?;
    Ok(Invited::Sent {
        invitation_id: id.to_string(),
    })
}

async fn send(
    ctx: &Ctx,
    conn: &mut Conn,
    row: &InvitationRow,
    org_name: &str,
    inviter: &str,
    token: &str,
) -> AppResult<()> {
    let link = format!("{}/invitations/{token}", ctx.config.public_url);
    let msg = Outgoing::Invitation {
        name: row.name.clone(),
        org: org_name.into(),
        inviter: inviter.into(),
        link,
    };
    queue_email(
        conn,
        &row.email,
        Language::parse(&row.language).unwrap_or_default(),
        &msg,
        ctx.clock.now(),
    )
    .await
}

#[allow(clippy::too_many_arguments)]
async fn apply(
    conn: &mut Conn,
    org_id: OrgId,
    user_id: UserId,
    unit_id: UnitId,
    professional: bool,
    administrative: bool,
    roles: &[Role],
    now: cercle_domain::Timestamp,
) -> AppResult<()> {
    members::upsert_membership(conn, org_id, user_id, professional, administrative, now).await?;
    for role in roles {
        members::grant(conn, GrantId::new(), org_id, user_id, unit_id, *role, now).await?;
    }
    Ok(())
}

async fn pending_invitation(ctx: &Ctx, scope: &OrgScope, id: InvitationId) -> AppResult<InvitationRow> {
    let inv = {
        let mut conn = ctx.store.reader().await?;
        members::invitation_in(&mut conn, scope.org_id, id)
            .await?
            .ok_or(AppError::NotFound)?
    };
    let unit = scope.unit(ctx, inv.unit_id).await?;
    scope.require(Permission::ManageMembers, &unit)?;
    if inv.status != InvitationStatus::Pending {
        return Err(AppError::Conflict("invitation-not-pending"));
    }
    Ok(inv)
}

pub async fn cancel(ctx: &Ctx, client: &Client, scope: &OrgScope, invitation_id: InvitationId) -> AppResult<()> {
    let inv = pending_invitation(ctx, scope, invitation_id).await?;
    let now = ctx.clock.now();
    let mut tx = ctx.store.begin().await?;
    if !members::decide(&mut tx, inv.id, InvitationStatus::Cancelled, now).await? {
        return Err(AppError::Conflict("invitation-not-pending"));
    }
    audit::record(
        &mut tx,
        scope
            .event(
                "org.invitation_cancelled",
                AuditAction::Update,
                "invitation",
                inv.unit_id,
                client,
            )
            .target(inv.id),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Sends a new link; the earlier one stops working, and the 7 days start again.
pub async fn resend(ctx: &Ctx, client: &Client, scope: &OrgScope, invitation_id: InvitationId) -> AppResult<()> {
    let inv = pending_invitation(ctx, scope, invitation_id).await?;
    let inviter = {
        let mut conn = ctx.store.reader().await?;
        users::get(&mut conn, &scope.user_id.to_string()).await?
    };
    let now = ctx.clock.now();
    let token = random_token();
    let mut tx = ctx.store.begin().await?;
    if !members::renew(&mut tx, inv.id, &hash_token(&token), now.plus_secs(INVITATION_TTL_SECS)).await? {
        return Err(AppError::Conflict("invitation-not-pending"));
    }
    send(ctx, &mut tx, &inv, &scope.org_name, &inviter.name, &token).await?;
    audit::record(
        &mut tx,
        scope
            .event(
                "org.invitation_resent",
                AuditAction::Update,
                "invitation",
                inv.unit_id,
                client,
            )
            .target(inv.id),
        now,
    )
    .await?;
    ctx.commit_and_send(tx).await?;
    Ok(())
}

/// Pending invitations (administrators of some unit), expired ones
/// included: an expired invitation can still be resent.
pub async fn pending(ctx: &Ctx, scope: &OrgScope) -> AppResult<Vec<InvitationRow>> {
    if !scope.may_anywhere(Permission::ManageMembers) {
        return Err(AppError::Forbidden);
    }
    let mut conn = ctx.store.reader().await?;
    Ok(members::pending_in(&mut conn, scope.org_id).await?)
}

/// What the invitation page shows before accepting.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
#[schema(as = OrgInvitationInfo)]
pub struct InvitationInfo {
    pub org_name: String,
    pub email: String,
    pub name: String,
    pub language: Language,
}

async fn live_invitation(ctx: &Ctx, token: &str) -> AppResult<InvitationRow> {
    let mut conn = ctx.store.reader().await?;
    let inv = members::invitation_by_token(&mut conn, &hash_token(token))
        .await?
        .ok_or(AppError::LinkInvalid)?;
    if inv.status != InvitationStatus::Pending || inv.expires_at <= ctx.clock.now().0 {
        return Err(AppError::LinkInvalid);
    }
    Ok(inv)
}

pub async fn invitation_info(ctx: &Ctx, token: &str) -> AppResult<InvitationInfo> {
    let inv = live_invitation(ctx, token).await?;
    let mut conn = ctx.store.reader().await?;
    let org = orgs::org_by_id(&mut conn, inv.org_id)
        .await?
        .ok_or(AppError::LinkInvalid)?;
    Ok(InvitationInfo {
        org_name: org.name,
        email: inv.email,
        name: inv.name,
        language: Language::parse(&inv.language).unwrap_or_default(),
    })
}

/// Accepts an invitation as the signed-in person (whose email must be the
/// invited one). The organization becomes active if none was.
pub async fn accept(ctx: &Ctx, client: &Client, principal: &Principal, token: &str) -> AppResult<OrgId> {
    let Principal::User(p) = principal else {
        return Err(AppError::Forbidden);
    };
    let inv = live_invitation(ctx, token).await?;
    let now = ctx.clock.now();
    let user_id = p.user_id.to_string();
    let mut tx = ctx.store.begin().await?;
    let user = users::get(&mut tx, &user_id).await?;
    if !user.email.eq_ignore_ascii_case(&inv.email) {
        return Err(AppError::Conflict("invitation-other-email"));
    }
    if !members::decide(&mut tx, inv.id, InvitationStatus::Accepted, now).await? {
        return Err(AppError::LinkInvalid);
    }
    apply(
        &mut tx,
        inv.org_id,
        p.user_id,
        inv.unit_id,
        inv.professional,
        inv.administrative,
        &roles_of(&inv.roles),
        now,
    )
    .await?;
    // A patient or caregiver who becomes a member of an organization is
    // no longer limited to care channels.
    cercle_store::circle::set_circle_only(&mut tx, p.user_id, false).await?;
    let active = users::active_org(&mut tx, &user_id).await?;
    let active_valid = match &active {
        // An active organization that is not an id is no valid one.
        Some(a) => match OrgId::parse(a) {
            Some(a) => members::is_member(&mut tx, a, p.user_id).await?,
            None => false,
        },
        None => false,
    };
    if !active_valid {
        users::set_active_org(&mut tx, &user_id, Some(&inv.org_id.to_string())).await?;
    }
    let ev = NewAuditEvent::new(
        Actor::User(p.user_id),
        "org.invitation_accepted",
        AuditAction::Update,
        "invitation",
    )
    .target(inv.id)
    .in_unit(inv.org_id, inv.unit_id)
    .ip(client.ip.clone());
    audit::record(&mut tx, ev, now).await?;
    tx.commit().await?;
    Ok(inv.org_id)
}

/// A member and the roles they hold.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
#[schema(as = OrgMember)]
pub struct Member {
    pub user_id: String,
    pub name: String,
    pub email: String,
    pub professional: bool,
    pub administrative: bool,
    pub grants: Vec<MemberGrant>,
}

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
#[schema(as = OrgMemberGrant)]
pub struct MemberGrant {
    pub id: String,
    pub unit_id: String,
    pub unit_name: String,
    pub role: Role,
}

pub async fn list_members(ctx: &Ctx, client: &Client, scope: &OrgScope) -> AppResult<Vec<Member>> {
    if !scope.may_anywhere(Permission::ViewMembers) {
        return Err(AppError::Forbidden);
    }
    let mut conn = ctx.store.reader().await?;
    let rows: Vec<MemberRow> = members::members_of(&mut conn, scope.org_id).await?;
    let grants: Vec<GrantRow> = members::grants_in(&mut conn, scope.org_id).await?;
    drop(conn);
    audit::record_alone(
        ctx,
        scope.event(
            "org.members_listed",
            AuditAction::List,
            "member",
            scope.root_unit_id,
            client,
        ),
    )
    .await?;
    Ok(rows
        .into_iter()
        .map(|m| Member {
            grants: grants
                .iter()
                .filter(|g| g.user_id == m.user_id)
                .map(|g| MemberGrant {
                    id: g.id.to_string(),
                    unit_id: g.unit_id.to_string(),
                    unit_name: g.unit_name.clone(),
                    role: g.role,
                })
                .collect(),
            user_id: m.user_id.to_string(),
            name: m.name,
            email: m.email,
            professional: m.professional,
            administrative: m.administrative,
        })
        .collect())
}

pub async fn grant_role(
    ctx: &Ctx,
    client: &Client,
    scope: &OrgScope,
    user_id: UserId,
    unit_id: UnitId,
    role: Role,
) -> AppResult<()> {
    let unit = scope.unit(ctx, unit_id).await?;
    scope.require(Permission::ManageMembers, &unit)?;
    let now = ctx.clock.now();
    let mut tx = ctx.store.begin().await?;
    if !members::is_member(&mut tx, scope.org_id, user_id).await? {
        return Err(AppError::NotFound);
    }
    members::grant(&mut tx, GrantId::new(), scope.org_id, user_id, unit.id, role, now).await?;
    audit::record(
        &mut tx,
        scope
            .event("org.role_granted", AuditAction::Create, "role", unit.id, client)
            .target(user_id)
            .scope("role", role.as_str()),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The Administrator grants on the root unit.
async fn root_admins(conn: &mut Conn, scope: &OrgScope) -> AppResult<Vec<GrantRow>> {
    Ok(members::grants_in(conn, scope.org_id)
        .await?
        .into_iter()
        .filter(|g| g.unit_id == scope.root_unit_id && g.role == Role::Administrator)
        .collect())
}

pub async fn revoke_role(ctx: &Ctx, client: &Client, scope: &OrgScope, grant_id: GrantId) -> AppResult<()> {
    let now = ctx.clock.now();
    let mut tx = ctx.store.begin().await?;
    let grant = members::grant_in(&mut tx, scope.org_id, grant_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let unit = orgs::unit_in(&mut tx, scope.org_id, grant.unit_id)
        .await?
        .ok_or(AppError::NotFound)?;
    scope.require(Permission::ManageMembers, &unit)?;
    let admins = root_admins(&mut tx, scope).await?;
    if admins.len() == 1 && admins[0].id == grant.id {
        return Err(AppError::Conflict("last-administrator"));
    }
    members::revoke(&mut tx, scope.org_id, grant.id).await?;
    audit::record(
        &mut tx,
        scope
            .event("org.role_revoked", AuditAction::Delete, "role", unit.id, client)
            .target(grant.user_id)
            .scope("role", grant.role),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Removes a member from the organization: every role goes, and their
/// access ends with the next request (open sessions included).
pub async fn remove_member(ctx: &Ctx, client: &Client, scope: &OrgScope, user_id: UserId) -> AppResult<()> {
    let root = scope.unit(ctx, scope.root_unit_id).await?;
    scope.require(Permission::ManageMembers, &root)?;
    let now = ctx.clock.now();
    let mut tx = ctx.store.begin().await?;
    let admins = root_admins(&mut tx, scope).await?;
    if !admins.is_empty() && admins.iter().all(|g| g.user_id == user_id) {
        return Err(AppError::Conflict("last-administrator"));
    }
    if !members::remove_membership(&mut tx, scope.org_id, user_id).await? {
        return Err(AppError::NotFound);
    }
    cercle_store::teams::remove_from_org_teams(&mut tx, scope.org_id, user_id).await?;
    let user = user_id.to_string();
    if users::active_org(&mut tx, &user).await? == Some(scope.org_id.to_string()) {
        users::set_active_org(&mut tx, &user, None).await?;
    }
    audit::record(
        &mut tx,
        scope
            .event("org.member_removed", AuditAction::Delete, "member", root.id, client)
            .target(user_id),
        now,
    )
    .await?;
    tx.commit().await?;
    // Their open connections stop receiving the organization's threads now.
    crate::threads::hub::access_changed(ctx, &[user.as_str()]).await;
    Ok(())
}
