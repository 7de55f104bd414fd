//! A circle's members as the circle and its invitations both see them: the
//! sections, a member's state and view, the file they belong to as the
//! acting person stands towards it, and the manager's checks. Both
//! [`super::circle`] and [`super::invitations`] stand on this module, so
//! that they need not call each other back.

use crate::{AppError, AppResult, Client};
use cercle_domain::audit::{AuditAction, NewAuditEvent};
use cercle_domain::circle::{InvitationState, MemberState};
use cercle_domain::policy::patients::may_place_in_section;
use cercle_domain::policy::UserPrincipal;
use cercle_domain::{CircleMemberId, InputError, PatientFileId, Timestamp};
use cercle_store::circle::{self as store, CircleInvitationRow, CircleMemberRow};
use cercle_store::Conn;
use serde::{Deserialize, Serialize};

/// The three sections of a circle (the domain's kind, under the name the
/// pages know).
pub use cercle_domain::circle::CircleSection as Section;

/// A section as given (a form or a path): an unknown one is bad input.
pub fn parse_section(raw: &str) -> AppResult<Section> {
    raw.trim()
        .parse()
        .map_err(|_| AppError::Input(InputError::InvalidCircleSection))
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
pub(crate) fn shown_state(m: &CircleMemberRow, inv: Option<&CircleInvitationRow>, now: Timestamp) -> MemberState {
    match inv {
        Some(i) if m.state == MemberState::Invited && i.state == InvitationState::Pending && i.expires_at <= now.0 => {
            MemberState::Expired
        }
        _ => m.state,
    }
}

pub(crate) fn view(m: CircleMemberRow, inv: Option<&CircleInvitationRow>, now: Timestamp) -> CircleMember {
    let state = shown_state(&m, inv, now);
    let invitation = inv
        .filter(|_| matches!(m.state, MemberState::Invited | MemberState::Locked))
        .map(|i| InvitationSummary {
            via: i.via.as_str().into(),
            method: i.method.as_str().into(),
            question: i.question.clone(),
            failures: i.failures,
            expires_at: i.expires_at,
        });
    CircleMember {
        id: m.id.to_string(),
        patient_file_id: m.patient_file_id.to_string(),
        section: m.section.as_str().into(),
        first_name: m.first_name,
        last_name: m.last_name,
        email: m.email,
        phone: m.phone,
        language: m.language,
        relationship: m.relationship,
        state: state.as_str().into(),
        user_id: m.user_id.map(|u| u.to_string()),
        invitation,
    }
}

// ---- Access to the file -------------------------------------------------------

/// What the circle needs of a patient file the person may see.
#[derive(Debug, Clone)]
pub(crate) struct FilePlace {
    pub id: PatientFileId,
    pub org_id: String,
    pub unit_id: String,
    pub archived: bool,
    pub may_manage_circle: bool,
}

/// The file, if the person may see it ("not found" otherwise, like an id
/// that does not exist).
pub(crate) async fn place(conn: &mut Conn, me: &UserPrincipal, file_id: PatientFileId) -> AppResult<FilePlace> {
    let access = super::files::viewable_by(conn, me, file_id).await?;
    Ok(FilePlace {
        id: access.file.id,
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
    target: impl ToString,
    client: &Client,
) -> NewAuditEvent {
    NewAuditEvent::new(me.actor(), name, action, target_type)
        .target(target)
        .in_unit(&file.org_id, &file.unit_id)
        .scope("patient", file.id)
        .ip(client.ip.clone())
}

/// The file and a member of its circle, for a manager of that circle:
/// not found when the file is out of reach, refused when seen but not managed.
pub(crate) async fn managed_member(
    conn: &mut Conn,
    me: &UserPrincipal,
    member_id: CircleMemberId,
) -> AppResult<(FilePlace, CircleMemberRow)> {
    let m = store::member(conn, member_id).await?.ok_or(AppError::NotFound)?;
    let file = place(conn, me, m.patient_file_id).await?;
    if !file.may_manage_circle {
        return Err(AppError::Forbidden);
    }
    Ok((file, m))
}

pub(crate) fn require_manager(file: &FilePlace) -> AppResult<()> {
    if file.may_manage_circle {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

pub(crate) fn require_open(file: &FilePlace) -> AppResult<()> {
    if file.archived {
        Err(AppError::Conflict("patient-archived"))
    } else {
        Ok(())
    }
}

/// A member as the circle shows it, read again.
pub(crate) async fn reload(conn: &mut Conn, member_id: CircleMemberId, now: Timestamp) -> AppResult<CircleMember> {
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

pub(crate) async fn section_states(conn: &mut Conn, file_id: PatientFileId) -> AppResult<Vec<SectionState>> {
    let off = store::sections_off(conn, file_id).await?;
    Ok(Section::ALL
        .into_iter()
        .map(|s| SectionState {
            section: s.as_str().into(),
            on: !off.contains(&s),
        })
        .collect())
}

/// No one is placed or invited into a section that is off (the policy's
/// rule, asked with the section's state at this moment). In a writing
/// transaction, the file is held first so that a switch cannot slip in.
pub(crate) async fn require_section_on(conn: &mut Conn, file_id: PatientFileId, section: Section) -> AppResult<()> {
    store::hold_file(&mut *conn, file_id).await?;
    let off = store::sections_off(conn, file_id).await?;
    if may_place_in_section(!off.contains(&section)) {
        Ok(())
    } else {
        Err(AppError::Conflict("circle-section-off"))
    }
}

/// How to invite: `via` email | sms, `method` question | code.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct InviteInput {
    #[serde(default)]
    pub via: String,
    #[serde(default)]
    pub method: String,
    pub question: Option<String>,
    pub answer: Option<String>,
}
