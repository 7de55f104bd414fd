//! The patient's circle (SPEC 4): the patient, the responsible persons
//! (caregivers) and the observers of a patient file, each with a state —
//! pre-allocated, invited, joined, cancelled, expired, locked.
//!
//! Whoever may see the file sees its circle; only the patient and caregiver
//! manager role on the file's unit changes it (administrators, team managers
//! and plain members are refused). Every list and change is audited with the
//! patient.

use super::circle_members::{
    event, managed_member, place, reload, require_manager, require_open, require_section_on, section_states, view,
};
pub use super::circle_members::{
    parse_section, Circle, CircleMember, InvitationSummary, NewCircleMember, Section, SectionState,
};
use super::invitations;
pub(crate) use crate::acting::person;
use crate::{audit, AppError, AppResult, Client, Ctx};
use cercle_domain::audit::AuditAction;
use cercle_domain::circle::{InvitationState, MemberState};
use cercle_domain::error::PersonName;
use cercle_domain::policy::patients::{may_place_in_section, may_switch_section, SectionSwitchRefusal};
use cercle_domain::policy::Principal;
use cercle_domain::{CircleMemberId, Email, InputError, Language, PatientFileId, Phone};
use cercle_store::circle::{self as store, CircleMemberRow};

/// The circle of a patient file (whoever may see the file), audited.
pub async fn list(
    ctx: &Ctx,
    client: &Client,
    principal: &Principal,
    file_id: PatientFileId,
) -> AppResult<Vec<CircleMember>> {
    Ok(show(ctx, client, principal, file_id).await?.members)
}

/// The circle of a patient file with its sections (whoever may see the
/// file), audited.
pub async fn show(ctx: &Ctx, client: &Client, principal: &Principal, file_id: PatientFileId) -> AppResult<Circle> {
    let me = person(principal)?;
    let now = ctx.clock.now();
    let mut conn = ctx.store.reader().await?;
    let file = place(&mut conn, me, file_id).await?;
    let members = store::members_of(&mut conn, file.id).await?;
    let invitations = store::latest_invitations_of_file(&mut conn, file.id).await?;
    let sections = section_states(&mut conn, file.id).await?;
    drop(conn);
    audit::record_alone(
        ctx,
        event(
            me,
            &file,
            "circle.listed",
            AuditAction::List,
            "patient_file",
            file.id,
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
    file_id: PatientFileId,
    section: &str,
    on: bool,
) -> AppResult<Vec<SectionState>> {
    let me = person(principal)?;
    let section = parse_section(section)?;
    let now = ctx.clock.now();
    let mut tx = ctx.store.begin().await?;
    let file = place(&mut tx, me, file_id).await?;
    store::hold_file(&mut tx, file.id).await?;
    let present = if on {
        0
    } else {
        store::present_in_section(&mut tx, file.id, section).await?
    };
    may_switch_section(file.may_manage_circle, file.archived, !on, present).map_err(|r| match r {
        SectionSwitchRefusal::NotManager => AppError::Forbidden,
        SectionSwitchRefusal::Archived => AppError::Conflict("patient-archived"),
        SectionSwitchRefusal::NotEmpty => AppError::Conflict("circle-section-not-empty"),
    })?;
    if store::set_section_on(&mut tx, file.id, section, on, me.user_id, now).await? {
        audit::record(
            &mut tx,
            event(
                me,
                &file,
                if on { "circle.section_on" } else { "circle.section_off" },
                AuditAction::Update,
                "patient_file",
                file.id,
                client,
            )
            .scope("section", section.as_str()),
            now,
        )
        .await?;
    }
    let sections = section_states(&mut tx, file.id).await?;
    tx.commit().await?;
    Ok(sections)
}

/// Whether the person may change the circle of this file (for pages that
/// show or hide the forms; the services check again).
pub async fn may_manage(ctx: &Ctx, principal: &Principal, file_id: PatientFileId) -> AppResult<bool> {
    let me = person(principal)?;
    let mut conn = ctx.store.reader().await?;
    let file = place(&mut conn, me, file_id).await?;
    Ok(file.may_manage_circle && !file.archived)
}

/// The patient file of a circle member, for whoever may see that file.
pub async fn file_of_member(ctx: &Ctx, principal: &Principal, member_id: CircleMemberId) -> AppResult<PatientFileId> {
    let me = person(principal)?;
    let mut conn = ctx.store.reader().await?;
    let m = store::member(&mut conn, member_id).await?.ok_or(AppError::NotFound)?;
    Ok(place(&mut conn, me, m.patient_file_id).await?.id)
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
    file_id: PatientFileId,
    input: &NewCircleMember,
) -> AppResult<CircleMember> {
    let me = person(principal)?;
    let file = {
        let mut conn = ctx.store.reader().await?;
        place(&mut conn, me, file_id).await?
    };
    require_manager(&file)?;
    require_open(&file)?;
    let section = parse_section(&input.section)?;
    {
        // Early, before an invitation is checked (the transaction checks again).
        let mut conn = ctx.store.reader().await?;
        if !may_place_in_section(!store::sections_off(&mut conn, file.id).await?.contains(&section)) {
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
        id: CircleMemberId::new(),
        patient_file_id: file.id,
        section,
        first_name: first,
        last_name: last,
        email,
        phone,
        language: language.code().into(),
        relationship,
        state: MemberState::Preallocated,
        user_id: None,
        created_by: me.user_id,
        created_at: now.0,
        updated_at: now.0,
    };
    let mut tx = ctx.store.begin().await?;
    require_section_on(&mut tx, file.id, section).await?;
    store::insert_member(&mut tx, &row).await?;
    audit::record(
        &mut tx,
        event(
            me,
            &file,
            "circle.member_added",
            AuditAction::Create,
            "circle_member",
            row.id,
            client,
        )
        .scope("section", section.as_str()),
        now,
    )
    .await?;
    if let Some(checked) = checked {
        invitations::send_new(ctx, &mut tx, me, &file, &row, &checked, client, now).await?;
    }
    let member = reload(&mut tx, row.id, now).await?;
    ctx.commit_and_send(tx).await?;
    Ok(member)
}

/// Cancels a member's place (and their pending invitation: its link dies).
/// A joined member stays: removing people from channels is the channels'.
pub async fn cancel(
    ctx: &Ctx,
    client: &Client,
    principal: &Principal,
    member_id: CircleMemberId,
) -> AppResult<CircleMember> {
    let me = person(principal)?;
    let now = ctx.clock.now();
    let mut tx = ctx.store.begin().await?;
    let (file, m) = managed_member(&mut tx, me, member_id).await?;
    if !store::set_member_state(
        &mut tx,
        m.id,
        MemberState::Cancelled,
        &[
            MemberState::Preallocated,
            MemberState::Invited,
            MemberState::Locked,
            MemberState::Expired,
        ],
        now,
    )
    .await?
    {
        return Err(AppError::Conflict("circle-member-not-cancellable"));
    }
    store::end_previous_invitations(&mut tx, m.id, InvitationState::Cancelled, now).await?;
    audit::record(
        &mut tx,
        event(
            me,
            &file,
            "circle.invitation_cancelled",
            AuditAction::Update,
            "circle_member",
            m.id,
            client,
        ),
        now,
    )
    .await?;
    let member = reload(&mut tx, m.id, now).await?;
    tx.commit().await?;
    Ok(member)
}
