//! Professions and their validation (SPEC 3):
//! `unverified → pending → validated | rejected`. A profession is validated
//! by the network's verification team on proof (permit number and document),
//! by an organization allowed to validate its members, or at once when a
//! validated professional invited the person and vouched for it (see
//! [`super::invitations`]).

use super::{clean_text, me};
use crate::acting::limit;
use crate::org_scope::OrgScope;
use crate::outbox::{queue_email, Outgoing};
use crate::{audit, AppError, AppResult, Client, Ctx};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use cercle_domain::audit::{Actor, AuditAction, NewAuditEvent};
pub use cercle_domain::network::ProfessionStatus as Status;
use cercle_domain::policy::{may, Permission as NetworkPermission, Principal};
use cercle_domain::roles::Permission;
use cercle_domain::{professions, InputError, Language, OrgId, ProfessionId, UserId};
use cercle_store::profiles::{self, Decision, ProfessionRow};
use cercle_store::{members, orgs, users, Conn};
use serde::Serialize;

/// A person declares a handful of professions at most.
pub const MAX_PROFESSIONS: usize = 5;
/// Proof documents: PDF, JPEG or PNG up to 5 MiB.
pub const MAX_PROOF_BYTES: usize = 5 * 1024 * 1024;

/// A profession as its holder (or the verification team) sees it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ProfessionView {
    pub id: ProfessionId,
    pub key: String,
    pub name: String,
    pub status: Status,
    /// How it was validated: vouch, verification_team, organization.
    pub validated_via: Option<String>,
    /// The holder's own details: the permit number, the proof, the reason of
    /// a rejection.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub permit_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub has_proof: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl ProfessionView {
    pub fn of(r: &ProfessionRow, lang: Language, own: bool) -> ProfessionView {
        ProfessionView {
            id: r.id,
            key: r.profession.clone(),
            name: professions::name(&r.profession, lang)
                .unwrap_or(&r.profession)
                .to_string(),
            status: r.status,
            validated_via: r.validated_via.clone(),
            permit_number: if own { r.permit_number.clone() } else { None },
            has_proof: own.then_some(r.has_proof),
            reason: if own { r.reason.clone() } else { None },
        }
    }
}

/// The list to choose from, in the reader's language.
pub fn catalogue(lang: Language) -> Vec<(&'static str, &'static str)> {
    professions::PROFESSIONS
        .iter()
        .filter_map(|(key, _, _)| professions::name(key, lang).map(|n| (*key, n)))
        .collect()
}

pub async fn is_validated(conn: &mut Conn, user_id: UserId) -> AppResult<bool> {
    Ok(profiles::is_validated(conn, user_id).await?)
}

fn known(key: &str) -> AppResult<&str> {
    if professions::name(key, Language::Fr).is_some() {
        Ok(key)
    } else {
        Err(InputError::UnknownProfession.into())
    }
}

fn event(
    actor: &cercle_domain::policy::UserPrincipal,
    name: &'static str,
    action: AuditAction,
    id: ProfessionId,
    client: &Client,
) -> NewAuditEvent {
    NewAuditEvent::new(Actor::User(actor.user_id), name, action, "profession")
        .target(id)
        .ip(client.ip.clone())
}

/// Declares a profession (unverified until proof is sent).
pub async fn add(
    ctx: &Ctx,
    client: &Client,
    principal: &Principal,
    key: &str,
    lang: Language,
) -> AppResult<ProfessionView> {
    let me = me(principal)?;
    let key = known(key)?;
    let user_id = me.user_id;
    let now = ctx.clock.now();
    let mut tx = ctx.store.begin().await?;
    let existing = profiles::professions_of(&mut tx, user_id).await?;
    if existing.iter().any(|p| p.profession == key) {
        return Err(AppError::Conflict("profession-declared"));
    }
    if existing.len() >= MAX_PROFESSIONS {
        return Err(AppError::Conflict("too-many-professions"));
    }
    let id = ProfessionId::new();
    profiles::insert_profession(&mut tx, id, user_id, key, Status::Unverified, now).await?;
    audit::record(
        &mut tx,
        event(me, "network.profession_added", AuditAction::Create, id, client),
        now,
    )
    .await?;
    let row = profiles::profession(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    tx.commit().await?;
    Ok(ProfessionView::of(&row, lang, true))
}

/// One's own profession, or not found.
async fn own(conn: &mut Conn, user_id: UserId, id: ProfessionId) -> AppResult<ProfessionRow> {
    profiles::profession(conn, id)
        .await?
        .filter(|p| p.user_id == user_id)
        .ok_or(AppError::NotFound)
}

/// What a document is, from its first bytes (never from what the client says).
pub fn sniff_document(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else {
        None
    }
}

/// A permit number: letters, digits, spaces and dashes, up to 30.
fn clean_permit(raw: &str) -> AppResult<String> {
    let p = raw.trim();
    if p.is_empty() || p.chars().count() > 30 || !p.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == ' ') {
        return Err(InputError::InvalidPermit.into());
    }
    Ok(p.to_string())
}

/// Sends the proof of a profession (permit number and document) to the
/// verification team: the profession becomes pending.
pub async fn submit_proof(
    ctx: &Ctx,
    client: &Client,
    principal: &Principal,
    id: ProfessionId,
    permit_number: &str,
    document: &[u8],
    lang: Language,
) -> AppResult<ProfessionView> {
    let me = me(principal)?;
    let user_id = me.user_id;
    let permit = clean_permit(permit_number)?;
    if document.len() > MAX_PROOF_BYTES {
        return Err(InputError::DocumentTooLarge.into());
    }
    let content_type = sniff_document(document).ok_or(InputError::InvalidDocument)?;
    limit(ctx, "proof", &user_id.to_string(), 20, 3600).await?;
    let now = ctx.clock.now();
    let mut tx = ctx.store.begin().await?;
    let row = own(&mut tx, user_id, id).await?;
    if row.status == Status::Validated {
        return Err(AppError::Conflict("profession-validated"));
    }
    profiles::set_permit(&mut tx, id, &permit).await?;
    profiles::set_proof(
        &mut tx,
        id,
        content_type,
        &STANDARD.encode(document),
        document.len() as i64,
        now,
    )
    .await?;
    let moved = profiles::decide_profession(
        &mut tx,
        id,
        &[Status::Unverified, Status::Rejected, Status::Pending],
        Status::Pending,
        &Decision::default(),
        now,
    )
    .await?;
    if !moved {
        return Err(AppError::Conflict("profession-validated"));
    }
    audit::record(
        &mut tx,
        event(me, "network.profession_proof_sent", AuditAction::Update, id, client),
        now,
    )
    .await?;
    let row = own(&mut tx, user_id, id).await?;
    tx.commit().await?;
    Ok(ProfessionView::of(&row, lang, true))
}

/// Withdraws a profession from one's profile.
pub async fn remove(ctx: &Ctx, client: &Client, principal: &Principal, id: ProfessionId) -> AppResult<()> {
    let me = me(principal)?;
    let user_id = me.user_id;
    let now = ctx.clock.now();
    let mut tx = ctx.store.begin().await?;
    own(&mut tx, user_id, id).await?;
    profiles::delete_profession(&mut tx, id).await?;
    crate::search_index::person(&mut tx, &user_id.to_string(), now).await?;
    audit::record(
        &mut tx,
        event(me, "network.profession_removed", AuditAction::Delete, id, client),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A profession waiting for the verification team.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PendingProfession {
    pub id: ProfessionId,
    pub user_id: String,
    pub user_name: String,
    pub user_email: String,
    pub key: String,
    pub name: String,
    pub permit_number: Option<String>,
    pub has_proof: bool,
    pub submitted_at: i64,
}

/// The verification team's queue, oldest first.
pub async fn queue(ctx: &Ctx, principal: &Principal, lang: Language) -> AppResult<Vec<PendingProfession>> {
    if !may(principal, &NetworkPermission::VerifyProfessions) {
        return Err(AppError::Forbidden);
    }
    let mut conn = ctx.store.reader().await?;
    let rows = profiles::pending_professions(&mut conn, 200).await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let Some(u) = users::by_id(&mut conn, &r.user_id.to_string()).await? else {
            continue;
        };
        out.push(PendingProfession {
            name: professions::name(&r.profession, lang)
                .unwrap_or(&r.profession)
                .to_string(),
            id: r.id,
            user_id: u.id,
            user_name: u.name,
            user_email: u.email,
            key: r.profession,
            permit_number: r.permit_number,
            has_proof: r.has_proof,
            // Moving to pending records when the proof was sent.
            submitted_at: r.decided_at.unwrap_or(r.created_at),
        });
    }
    Ok(out)
}

/// The proof document, for its holder and the verification team.
pub async fn proof(
    ctx: &Ctx,
    client: &Client,
    principal: &Principal,
    id: ProfessionId,
) -> AppResult<(String, Vec<u8>)> {
    let me = me(principal)?;
    let mut conn = ctx.store.reader().await?;
    let row = profiles::profession(&mut conn, id).await?.ok_or(AppError::NotFound)?;
    let own = row.user_id == me.user_id;
    if !own && !may(principal, &NetworkPermission::VerifyProfessions) {
        return Err(AppError::NotFound);
    }
    let (content_type, b64) = profiles::proof(&mut conn, id).await?.ok_or(AppError::NotFound)?;
    drop(conn);
    if !own {
        audit::record_alone(
            ctx,
            event(me, "network.profession_proof_read", AuditAction::Read, id, client),
        )
        .await?;
    }
    let bytes = STANDARD.decode(b64).map_err(|e| AppError::Internal(e.to_string()))?;
    Ok((content_type, bytes))
}

/// Approves a pending profession (verification team).
pub async fn approve(ctx: &Ctx, client: &Client, principal: &Principal, id: ProfessionId) -> AppResult<()> {
    if !may(principal, &NetworkPermission::VerifyProfessions) {
        return Err(AppError::Forbidden);
    }
    let me = me(principal)?;
    decide(
        ctx,
        id,
        &[Status::Pending],
        Status::Validated,
        Decision {
            by: Some(me.user_id),
            via: Some("verification_team"),
            reason: None,
        },
        event(me, "network.profession_validated", AuditAction::Update, id, client),
    )
    .await
}

/// Rejects a pending profession with a reason its holder will read.
pub async fn reject(
    ctx: &Ctx,
    client: &Client,
    principal: &Principal,
    id: ProfessionId,
    reason: &str,
) -> AppResult<()> {
    if !may(principal, &NetworkPermission::VerifyProfessions) {
        return Err(AppError::Forbidden);
    }
    let me = me(principal)?;
    let reason = clean_text(reason, 500)?;
    if reason.is_empty() {
        return Err(InputError::InvalidReason.into());
    }
    decide(
        ctx,
        id,
        &[Status::Pending],
        Status::Rejected,
        Decision {
            by: Some(me.user_id),
            via: None,
            reason: Some(&reason),
        },
        event(me, "network.profession_rejected", AuditAction::Update, id, client),
    )
    .await
}

/// Validates a member's profession on behalf of an organization the
/// network allows to (its administrators, holding the permission on the
/// organization's root unit).
pub async fn validate_for_organization(
    ctx: &Ctx,
    client: &Client,
    scope: &OrgScope,
    profession_id: ProfessionId,
) -> AppResult<()> {
    let root = scope.unit(ctx, scope.root_unit_id).await?;
    scope.require(Permission::ValidateProfessions, &root)?;
    {
        let mut conn = ctx.store.reader().await?;
        if !profiles::org_validates(&mut conn, scope.org_id).await? {
            return Err(AppError::Forbidden);
        }
        let row = profiles::profession(&mut conn, profession_id)
            .await?
            .ok_or(AppError::NotFound)?;
        if !members::is_member(&mut conn, scope.org_id, row.user_id).await? {
            return Err(AppError::NotFound);
        }
        // No one vouches for themselves.
        if row.user_id == scope.user_id {
            return Err(AppError::Forbidden);
        }
    }
    let ev = scope
        .event(
            "network.profession_validated",
            AuditAction::Update,
            "profession",
            scope.root_unit_id,
            client,
        )
        .target(profession_id);
    decide(
        ctx,
        profession_id,
        &[Status::Unverified, Status::Pending, Status::Rejected],
        Status::Validated,
        Decision {
            by: Some(scope.user_id),
            via: Some("organization"),
            reason: None,
        },
        ev,
    )
    .await
}

/// Moves a profession to its decision, re-indexes its holder (who may now
/// be found on the external network) and tells them by email.
async fn decide(
    ctx: &Ctx,
    id: ProfessionId,
    from: &[Status],
    to: Status,
    decision: Decision<'_>,
    ev: NewAuditEvent,
) -> AppResult<()> {
    let now = ctx.clock.now();
    let mut tx = ctx.store.begin().await?;
    let row = profiles::profession(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    if !profiles::decide_profession(&mut tx, id, from, to, &decision, now).await? {
        return Err(AppError::Conflict("profession-not-pending"));
    }
    crate::search_index::person(&mut tx, &row.user_id.to_string(), now).await?;
    audit::record(&mut tx, ev, now).await?;
    let holder = users::get(&mut tx, &row.user_id.to_string()).await?;
    let lang = crate::acting::language_of(&holder);
    let profession = professions::name(&row.profession, lang)
        .unwrap_or(&row.profession)
        .to_string();
    let msg = match to {
        Status::Validated => Outgoing::ProfessionValidated {
            name: holder.name.clone(),
            profession,
        },
        _ => Outgoing::ProfessionRejected {
            name: holder.name.clone(),
            profession,
            reason: decision.reason.unwrap_or_default().to_string(),
        },
    };
    queue_email(&mut tx, &holder.email, lang, &msg, now).await?;
    ctx.commit_and_send(tx).await
}

/// Puts a person on the verification team, or takes them off (network
/// administrators).
pub async fn set_verifier(ctx: &Ctx, client: &Client, principal: &Principal, email: &str, on: bool) -> AppResult<()> {
    if !may(principal, &NetworkPermission::AdministerNetwork) {
        return Err(AppError::Forbidden);
    }
    let email = cercle_domain::Email::parse(email)?;
    let now = ctx.clock.now();
    let mut tx = ctx.store.begin().await?;
    let user = users::by_email(&mut tx, email.as_str())
        .await?
        .ok_or(AppError::NotFound)?;
    if !profiles::set_verifier(&mut tx, user.id.parse()?, on).await? {
        return Err(AppError::NotFound);
    }
    let actor = me(principal)?;
    let name = if on {
        "network.verifier_added"
    } else {
        "network.verifier_removed"
    };
    let ev = NewAuditEvent::new(Actor::User(actor.user_id), name, AuditAction::Update, "user")
        .target(&user.id)
        .ip(client.ip.clone());
    audit::record(&mut tx, ev, now).await?;
    tx.commit().await?;
    Ok(())
}

/// The verification team: (id, name, email).
pub async fn verifiers(ctx: &Ctx, principal: &Principal) -> AppResult<Vec<(UserId, String, String)>> {
    if !may(principal, &NetworkPermission::AdministerNetwork) {
        return Err(AppError::Forbidden);
    }
    let mut conn = ctx.store.reader().await?;
    Ok(profiles::verifiers(&mut conn).await?)
}

/// Allows an organization to validate its members' professions, or stops it
/// (network administrators).
pub async fn set_organization_validates(
    ctx: &Ctx,
    client: &Client,
    principal: &Principal,
    org_id: OrgId,
    on: bool,
) -> AppResult<()> {
    if !may(principal, &NetworkPermission::AdministerNetwork) {
        return Err(AppError::Forbidden);
    }
    let now = ctx.clock.now();
    let mut tx = ctx.store.begin().await?;
    let org = orgs::org_by_id(&mut tx, org_id).await?.ok_or(AppError::NotFound)?;
    profiles::set_org_validates(&mut tx, org_id, on).await?;
    let actor = me(principal)?;
    let ev = NewAuditEvent::new(
        Actor::User(actor.user_id),
        "network.organization_validation_changed",
        AuditAction::Update,
        "organization",
    )
    .target(org_id)
    .in_unit(org.id, org.root_unit_id)
    .scope("enabled", on)
    .ip(client.ip.clone());
    audit::record(&mut tx, ev, now).await?;
    tx.commit().await?;
    Ok(())
}

/// The professions of the members of the active organization, for its
/// administrators to validate.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MemberProfession {
    pub user_id: UserId,
    pub user_name: String,
    pub profession: ProfessionView,
}

pub async fn member_professions(
    ctx: &Ctx,
    scope: &OrgScope,
    lang: Language,
) -> AppResult<(bool, Vec<MemberProfession>)> {
    let root = scope.unit(ctx, scope.root_unit_id).await?;
    scope.require(Permission::ValidateProfessions, &root)?;
    let mut conn = ctx.store.reader().await?;
    let allowed = profiles::org_validates(&mut conn, scope.org_id).await?;
    let mut out = Vec::new();
    for m in members::members_of(&mut conn, scope.org_id).await? {
        if m.user_id == scope.user_id {
            continue;
        }
        for p in profiles::professions_of(&mut conn, m.user_id).await? {
            out.push(MemberProfession {
                user_id: m.user_id,
                user_name: m.name.clone(),
                profession: ProfessionView::of(&p, lang, false),
            });
        }
    }
    Ok((allowed, out))
}

/// The organizations allowed to validate their members' professions (ids),
/// for the network administrators' console.
pub async fn validating_organizations(ctx: &Ctx, principal: &Principal) -> AppResult<Vec<OrgId>> {
    if !may(principal, &NetworkPermission::AdministerNetwork) {
        return Err(AppError::Forbidden);
    }
    let mut conn = ctx.store.reader().await?;
    let mut out = Vec::new();
    for org in orgs::all_orgs(&mut conn).await? {
        if profiles::org_validates(&mut conn, org.id).await? {
            out.push(org.id);
        }
    }
    Ok(out)
}
