//! The patient's circle (SPEC 4): the patient, the responsible persons
//! (caregivers) and the observers of a patient file, each with a state —
//! pre-allocated, invited, joined, cancelled, expired, locked.
//!
//! Whoever may see the file sees its circle; only the patient and caregiver
//! manager role on the file's unit changes it (administrators, team managers
//! and plain members are refused). Every list and change is audited with the
//! patient.

use super::invitations::{self, InviteInput};
pub(crate) use crate::network::person;
use crate::{audit, AppError, AppResult, Client, Ctx};
use cercle_domain::audit::{Actor, AuditAction, NewAuditEvent};
use cercle_domain::error::PersonName;
use cercle_domain::policy::patients::{may_place_in_section, may_switch_section, SectionSwitchRefusal};
use cercle_domain::policy::{Principal, UserPrincipal};
use cercle_domain::{Email, InputError, InvitationId, Language, Phone, Timestamp};
use cercle_store::circle::{self as store, CircleInvitationRow, CircleMemberRow};
use cercle_store::Conn;
use serde::{Deserialize, Serialize};

/// The three sections of a circle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Section {
    Patient,
    Responsible,
    Observer,
}

impl Section {
    pub const ALL: [Section; 3] = [Section::Patient, Section::Responsible, Section::Observer];

    pub fn key(self) -> &'static str {
        match self {
            Section::Patient => "patient",
            Section::Responsible => "responsible",
            Section::Observer => "observer",
        }
    }

    pub fn parse(raw: &str) -> AppResult<Section> {
        Section::ALL
            .into_iter()
            .find(|s| s.key() == raw.trim())
            .ok_or(AppError::Input(InputError::InvalidCircleSection))
    }
}

/// Someone to add to a circle; `invite` sends the invitation at once.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct NewCircleMember {
    #[serde(default)]
    pub section: String,
    #[serde(default)]
    pub first_name: String,
    #[serde(default)]
    pub last_name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub language: Option<String>,
    pub relationship: Option<String>,
    pub invite: Option<InviteInput>,
}

/// The current invitation of a member, as the circle shows it (never its
/// answer or code).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct InvitationSummary {
    pub via: String,
    pub method: String,
    pub question: Option<String>,
    pub failures: i64,
    pub expires_at: i64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CircleMember {
    pub id: String,
    pub patient_file_id: String,
    pub section: String,
    pub first_name: String,
    pub last_name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub language: String,
    pub relationship: Option<String>,
    /// preallocated | invited | joined | cancelled | expired | locked
    pub state: String,
    pub user_id: Option<String>,
    pub invitation: Option<InvitationSummary>,
}

/// The state shown: an invitation past its date is "expired".
fn shown_state(m: &CircleMemberRow, inv: Option<&CircleInvitationRow>, now: Timestamp) -> String {
    match inv {
        Some(i) if m.state == "invited" && i.state == "pending" && i.expires_at <= now.0 => "expired".into(),
        _ => m.state.clone(),
    }
}

pub(crate) fn view(m: CircleMemberRow, inv: Option<&CircleInvitationRow>, now: Timestamp) -> CircleMember {
    let state = shown_state(&m, inv, now);
    let invitation = inv
        .filter(|_| matches!(m.state.as_str(), "invited" | "locked"))
        .map(|i| InvitationSummary {
            via: i.via.clone(),
            method: i.method.clone(),
            question: i.question.clone(),
            failures: i.failures,
            expires_at: i.expires_at,
        });
    CircleMember {
        id: m.id,
        patient_file_id: m.patient_file_id,
        section: m.section,
        first_name: m.first_name,
        last_name: m.last_name,
        email: m.email,
        phone: m.phone,
        language: m.language,
        relationship: m.relationship,
        state,
        user_id: m.user_id,
        invitation,
    }
}

// ---- Access to the file -------------------------------------------------------

/// What the circle needs of a patient file the person may see.
#[derive(Debug, Clone)]
pub(crate) struct FilePlace {
    pub id: String,
    pub org_id: String,
    pub unit_id: String,
    pub archived: bool,
    pub may_manage_circle: bool,
}

/// The file, if the person may see it ("not found" otherwise, like an id
/// that does not exist).
pub(crate) async fn place(conn: &mut Conn, user_id: &str, file_id: &str) -> AppResult<FilePlace> {
    let access = super::files::viewable(conn, user_id, file_id).await?;
    Ok(FilePlace {
        id: access.file.id.clone(),
        org_id: access.file.org_id.clone(),
        unit_id: access.file.unit_id.clone(),
        archived: access.file.archived_at.is_some(),
        may_manage_circle: access.may_manage_circle,
    })
}

/// An audit event about the circle of a file, scoped to the patient.
pub(crate) fn event(
    me: &UserPrincipal,
    file: &FilePlace,
    name: &'static str,
    action: AuditAction,
    target_type: &'static str,
    target: &str,
    client: &Client,
) -> NewAuditEvent {
    NewAuditEvent::new(Actor::User(me.user_id), name, action, target_type)
        .target(target)
        .in_unit(&file.org_id, &file.unit_id)
        .scope("patient", &file.id)
        .ip(client.ip.clone())
}

/// The file and a member of its circle, for a manager of that circle:
/// not found when the file is out of reach, refused when seen but not managed.
pub(crate) async fn managed_member(
    conn: &mut Conn,
    me: &UserPrincipal,
    member_id: &str,
) -> AppResult<(FilePlace, CircleMemberRow)> {
    let m = store::member(conn, member_id).await?.ok_or(AppError::NotFound)?;
    let file = place(conn, &me.user_id.to_string(), &m.patient_file_id).await?;
    if !file.may_manage_circle {
        return Err(AppError::Forbidden);
    }
    Ok((file, m))
}

fn require_manager(file: &FilePlace) -> AppResult<()> {
    if file.may_manage_circle {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

fn require_open(file: &FilePlace) -> AppResult<()> {
    if file.archived {
        Err(AppError::Conflict("patient-archived"))
    } else {
        Ok(())
    }
}

/// A member as the circle shows it, read again.
pub(crate) async fn reload(conn: &mut Conn, member_id: &str, now: Timestamp) -> AppResult<CircleMember> {
    let m = store::member(&mut *conn, member_id).await?.ok_or(AppError::NotFound)?;
    let inv = store::latest_invitation(conn, member_id).await?;
    Ok(view(m, inv.as_ref(), now))
}

// ---- Services ------------------------------------------------------------------

/// A section of a circle and whether it is on for the file.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SectionState {
    /// patient | responsible | observer
    pub section: String,
    pub on: bool,
}

/// A file's circle: its three sections and its people.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Circle {
    pub sections: Vec<SectionState>,
    pub members: Vec<CircleMember>,
}

async fn section_states(conn: &mut Conn, file_id: &str) -> AppResult<Vec<SectionState>> {
    let off = store::sections_off(conn, file_id).await?;
    Ok(Section::ALL
        .into_iter()
        .map(|s| SectionState {
            section: s.key().into(),
            on: !off.iter().any(|o| o == s.key()),
        })
        .collect())
}

/// No one is placed or invited into a section that is off (the policy's
/// rule, asked with the section's state at this moment). In a writing
/// transaction, the file is held first so that a switch cannot slip in.
pub(crate) async fn require_section_on(conn: &mut Conn, file_id: &str, section: &str) -> AppResult<()> {
    store::hold_file(&mut *conn, file_id).await?;
    let off = store::sections_off(conn, file_id).await?;
    if may_place_in_section(!off.iter().any(|o| o == section)) {
        Ok(())
    } else {
        Err(AppError::Conflict("circle-section-off"))
    }
}

/// The circle of a patient file (whoever may see the file), audited.
pub async fn list(ctx: &Ctx, client: &Client, principal: &Principal, file_id: &str) -> AppResult<Vec<CircleMember>> {
    Ok(show(ctx, client, principal, file_id).await?.members)
}

/// The circle of a patient file with its sections (whoever may see the
/// file), audited.
pub async fn show(ctx: &Ctx, client: &Client, principal: &Principal, file_id: &str) -> AppResult<Circle> {
    let me = person(principal)?;
    let now = ctx.clock.now();
    let mut conn = ctx.store.reader().await?;
    let file = place(&mut conn, &me.user_id.to_string(), file_id).await?;
    let members = store::members_of(&mut conn, &file.id).await?;
    let invitations = store::latest_invitations_of_file(&mut conn, &file.id).await?;
    let sections = section_states(&mut conn, &file.id).await?;
    drop(conn);
    audit::record_alone(
        ctx,
        event(
            me,
            &file,
            "circle.listed",
            AuditAction::List,
            "patient_file",
            &file.id,
            client,
        ),
    )
    .await?;
    let members = members
        .into_iter()
        .map(|m| {
            let inv = invitations.iter().find(|i| i.circle_member_id == m.id);
            view(m, inv, now)
        })
        .collect();
    Ok(Circle { sections, members })
}

/// Switches a section of the circle on or off (a manager of the circle, an
/// open file; off only when no one is in it or on their way), audited.
/// Gives the sections as they are now.
pub async fn set_section(
    ctx: &Ctx,
    client: &Client,
    principal: &Principal,
    file_id: &str,
    section: &str,
    on: bool,
) -> AppResult<Vec<SectionState>> {
    let me = person(principal)?;
    let section = Section::parse(section)?;
    let now = ctx.clock.now();
    let mut tx = ctx.store.begin().await?;
    let file = place(&mut tx, &me.user_id.to_string(), file_id).await?;
    store::hold_file(&mut tx, &file.id).await?;
    let present = if on {
        0
    } else {
        store::present_in_section(&mut tx, &file.id, section.key()).await?
    };
    may_switch_section(file.may_manage_circle, file.archived, !on, present).map_err(|r| match r {
        SectionSwitchRefusal::NotManager => AppError::Forbidden,
        SectionSwitchRefusal::Archived => AppError::Conflict("patient-archived"),
        SectionSwitchRefusal::NotEmpty => AppError::Conflict("circle-section-not-empty"),
    })?;
    if store::set_section_on(&mut tx, &file.id, section.key(), on, &me.user_id.to_string(), now).await? {
        audit::record(
            &mut tx,
            event(
                me,
                &file,
                if on { "circle.section_on" } else { "circle.section_off" },
                AuditAction::Update,
                "patient_file",
                &file.id,
                client,
            )
            .scope("section", section.key()),
            now,
        )
        .await?;
    }
    let sections = section_states(&mut tx, &file.id).await?;
    tx.commit().await?;
    Ok(sections)
}

/// Whether the person may change the circle of this file (for pages that
/// show or hide the forms; the services check again).
pub async fn may_manage(ctx: &Ctx, principal: &Principal, file_id: &str) -> AppResult<bool> {
    let me = person(principal)?;
    let mut conn = ctx.store.reader().await?;
    let file = place(&mut conn, &me.user_id.to_string(), file_id).await?;
    Ok(file.may_manage_circle && !file.archived)
}

/// The patient file of a circle member, for whoever may see that file.
pub async fn file_of_member(ctx: &Ctx, principal: &Principal, member_id: &str) -> AppResult<String> {
    let me = person(principal)?;
    let mut conn = ctx.store.reader().await?;
    let m = store::member(&mut conn, member_id).await?.ok_or(AppError::NotFound)?;
    Ok(place(&mut conn, &me.user_id.to_string(), &m.patient_file_id).await?.id)
}

fn optional_text(raw: Option<&str>, max: usize) -> AppResult<Option<String>> {
    match raw.map(str::trim) {
        None | Some("") => Ok(None),
        Some(t) if t.chars().count() > max => Err(InputError::TextTooLong.into()),
        Some(t) if t.chars().any(char::is_control) => Err(InputError::InvalidText.into()),
        Some(t) => Ok(Some(t.to_string())),
    }
}

/// Adds someone to a circle: pre-allocated, or invited at once when
/// `input.invite` is given (one transaction: both or neither).
pub async fn add(
    ctx: &Ctx,
    client: &Client,
    principal: &Principal,
    file_id: &str,
    input: &NewCircleMember,
) -> AppResult<CircleMember> {
    let me = person(principal)?;
    let file = {
        let mut conn = ctx.store.reader().await?;
        place(&mut conn, &me.user_id.to_string(), file_id).await?
    };
    require_manager(&file)?;
    require_open(&file)?;
    let section = Section::parse(&input.section)?;
    {
        // Early, before an invitation is checked (the transaction checks again).
        let mut conn = ctx.store.reader().await?;
        if !may_place_in_section(
            !store::sections_off(&mut conn, &file.id)
                .await?
                .iter()
                .any(|o| o == section.key()),
        ) {
            return Err(AppError::Conflict("circle-section-off"));
        }
    }
    let first = PersonName::parse(&input.first_name)?.into_string();
    let last = PersonName::parse(&input.last_name)?.into_string();
    let email = match input.email.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(e) => Some(Email::parse(e)?.as_str().to_string()),
    };
    let phone = match input.phone.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(p) => Some(Phone::parse(p)?.as_str().to_string()),
    };
    let language = match input.language.as_deref().map(str::trim) {
        None | Some("") => Language::default(),
        Some(l) => Language::parse(l)?,
    };
    let relationship = optional_text(input.relationship.as_deref(), 100)?;
    // Checked before anything is written, so a bad invitation adds no one.
    let checked = match &input.invite {
        Some(i) => Some(invitations::check(ctx, i, email.as_deref(), phone.as_deref()).await?),
        None => None,
    };
    if checked.is_some() {
        invitations::count_sending(ctx, me).await?;
    }
    let now = ctx.clock.now();
    let row = CircleMemberRow {
        id: InvitationId::new().to_string(),
        patient_file_id: file.id.clone(),
        section: section.key().into(),
        first_name: first,
        last_name: last,
        email,
        phone,
        language: language.code().into(),
        relationship,
        state: "preallocated".into(),
        user_id: None,
        created_by: me.user_id.to_string(),
        created_at: now.0,
        updated_at: now.0,
    };
    let mut tx = ctx.store.begin().await?;
    require_section_on(&mut tx, &file.id, section.key()).await?;
    store::insert_member(&mut tx, &row).await?;
    audit::record(
        &mut tx,
        event(
            me,
            &file,
            "circle.member_added",
            AuditAction::Create,
            "circle_member",
            &row.id,
            client,
        )
        .scope("section", section.key()),
        now,
    )
    .await?;
    if let Some(checked) = checked {
        invitations::send_new(ctx, &mut tx, me, &file, &row, &checked, client, now).await?;
    }
    let member = reload(&mut tx, &row.id, now).await?;
    ctx.commit_and_send(tx).await?;
    Ok(member)
}

/// Cancels a member's place (and their pending invitation: its link dies).
/// A joined member stays: removing people from channels is the channels'.
pub async fn cancel(ctx: &Ctx, client: &Client, principal: &Principal, member_id: &str) -> AppResult<CircleMember> {
    let me = person(principal)?;
    let now = ctx.clock.now();
    let mut tx = ctx.store.begin().await?;
    let (file, m) = managed_member(&mut tx, me, member_id).await?;
    if !store::set_member_state(
        &mut tx,
        &m.id,
        "cancelled",
        &["preallocated", "invited", "locked", "expired"],
        now,
    )
    .await?
    {
        return Err(AppError::Conflict("circle-member-not-cancellable"));
    }
    store::end_previous_invitations(&mut tx, &m.id, "cancelled", now).await?;
    audit::record(
        &mut tx,
        event(
            me,
            &file,
            "circle.invitation_cancelled",
            AuditAction::Update,
            "circle_member",
            &m.id,
            client,
        ),
        now,
    )
    .await?;
    let member = reload(&mut tx, &m.id, now).await?;
    tx.commit().await?;
    Ok(member)
}
