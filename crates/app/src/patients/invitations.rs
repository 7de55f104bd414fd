//! Inviting a patient or caregiver into a circle (SPEC 4), and their side:
//! opening the link, then answering the security question or entering the
//! secret code while signed in.
//!
//! - by email or SMS; the access check is a question with an answer the
//!   professional invents (email or SMS) or a random 12-digit code sent in a
//!   separate email (email only);
//! - answers are compared after folding case, accents and spaces, and kept
//!   only as an Argon2id hash, like the code; the link's token only as a
//!   SHA-256;
//! - five wrong tries lock the invitation; the manager sees it and resends
//!   (new link, new code; the old link dies) or cancels;
//! - the link works once, for whoever answers it right.

use super::circle_members::{self as circle, managed_member, reload, FilePlace};
use crate::acting::person;
use crate::outbox::{queue_email, queue_sms, Outgoing};
use crate::secrets::{hash_token, random_token};
use crate::{audit, AppError, AppResult, Client, Ctx};
use cercle_domain::audit::{Actor, AuditAction, NewAuditEvent};
use cercle_domain::circle::{CircleSection, InvitationMethod, InvitationState, InvitationVia, MemberState};
use cercle_domain::policy::{Principal, UserPrincipal};
use cercle_domain::{CircleInvitationId, CircleMemberId, InputError, Language, Timestamp};
use cercle_store::circle::{self as store, CircleInvitationRow, CircleMemberRow};
use cercle_store::{orgs, users, Conn};
use rand::Rng;
use serde::{Deserialize, Serialize};

/// An invitation stays valid 14 days.
pub const INVITATION_TTL_SECS: i64 = 14 * 24 * 3600;
/// Wrong answers or codes before the invitation locks.
pub const MAX_FAILURES: i64 = 5;
/// Tries at answering, per person and per address, per window (on top of
/// the lock of each invitation, so that one cannot go through many links).
const TRIES_PER_WINDOW: i64 = 20;
const TRIES_PER_ADDRESS: i64 = 60;
const TRIES_WINDOW_SECS: i64 = 15 * 60;
const MAX_QUESTION: usize = 200;
/// Invitations (first sendings and resendings) one manager may send per day.
const SENDINGS_PER_DAY: i64 = 100;
const MAX_ANSWER: usize = 200;

/// How to invite (kept with the members, whose creation may invite).
pub use super::circle_members::InviteInput;

/// An answer as compared: folded case and accents, punctuation and runs of
/// spaces as one space, trimmed.
pub fn normalize_answer(raw: &str) -> String {
    cercle_domain::search::fold(raw)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// A fresh 12-digit secret code.
fn new_code() -> String {
    let mut rng = rand::rngs::OsRng;
    (0..12).map(|_| char::from(b'0' + rng.gen_range(0..10u8))).collect()
}

/// `123412341234` shown as `1234-1234-1234`.
pub fn format_code(digits: &str) -> String {
    digits
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join("-")
}

/// A code as typed, back to its digits (spaces, dashes ignored).
fn code_digits(raw: &str) -> String {
    raw.chars().filter(char::is_ascii_digit).collect()
}

/// An invitation checked and its secret hashed, ready to be written.
pub(crate) struct Checked {
    via: InvitationVia,
    method: InvitationMethod,
    question: Option<String>,
    secret_hash: String,
    /// The code to send (code method only), in clear only on its way out.
    code: Option<String>,
}

fn parse_via(raw: &str) -> AppResult<InvitationVia> {
    raw.trim()
        .parse()
        .map_err(|_| InputError::InvalidInvitationMethod.into())
}

fn parse_method(raw: &str) -> AppResult<InvitationMethod> {
    raw.trim()
        .parse()
        .map_err(|_| InputError::InvalidInvitationMethod.into())
}

fn contact(via: InvitationVia, email: Option<&str>, phone: Option<&str>) -> AppResult<()> {
    match via {
        InvitationVia::Email if email.is_none() => Err(InputError::InvitationEmailMissing.into()),
        InvitationVia::Sms if phone.is_none() => Err(InputError::InvitationPhoneMissing.into()),
        _ => Ok(()),
    }
}

/// Checks an invitation's input against the person's contact details and
/// hashes its secret (before any transaction: Argon2 takes a while).
pub(crate) async fn check(
    ctx: &Ctx,
    input: &InviteInput,
    email: Option<&str>,
    phone: Option<&str>,
) -> AppResult<Checked> {
    let via = parse_via(&input.via)?;
    let method = parse_method(&input.method)?;
    if via == InvitationVia::Sms && method == InvitationMethod::Code {
        return Err(InputError::SecretCodeByEmailOnly.into());
    }
    contact(via, email, phone)?;
    if method == InvitationMethod::Code {
        let code = new_code();
        return Ok(Checked {
            via,
            method,
            question: None,
            secret_hash: ctx.hasher.hash(&code).await?,
            code: Some(code),
        });
    }
    let question = input.question.as_deref().unwrap_or("").trim().to_string();
    let len = question.chars().count();
    if len == 0 || len > MAX_QUESTION || question.chars().any(char::is_control) {
        return Err(InputError::SecurityQuestionInvalid.into());
    }
    let answer = input.answer.as_deref().unwrap_or("");
    if answer.chars().count() > MAX_ANSWER {
        return Err(InputError::TextTooLong.into());
    }
    let normalized = normalize_answer(answer);
    if normalized.is_empty() {
        return Err(InputError::SecurityAnswerMissing.into());
    }
    if normalized == normalize_answer(&question) {
        return Err(InputError::SecurityAnswerIsQuestion.into());
    }
    Ok(Checked {
        via,
        method,
        question: Some(question),
        secret_hash: ctx.hasher.hash(&normalized).await?,
        code: None,
    })
}

fn event(
    me: &UserPrincipal,
    file: &FilePlace,
    name: &'static str,
    action: AuditAction,
    target: impl ToString,
    client: &Client,
) -> NewAuditEvent {
    circle::event(me, file, name, action, "circle_invitation", target, client)
}

/// Counts one sending against the manager's daily allowance (outside any
/// transaction: the count is kept even when the sending fails later).
pub(crate) async fn count_sending(ctx: &Ctx, me: &UserPrincipal) -> AppResult<()> {
    crate::acting::limit(
        ctx,
        "circle-invite",
        &me.user_id.to_string(),
        SENDINGS_PER_DAY,
        24 * 3600,
    )
    .await
}

/// Counts the sending against the manager's daily allowance, then sends in
/// a transaction of its own; gives the member as they now stand.
async fn send_alone(
    ctx: &Ctx,
    client: &Client,
    me: &UserPrincipal,
    file: &FilePlace,
    m: &CircleMemberRow,
    checked: &Checked,
    first_event: &'static str,
) -> AppResult<circle::CircleMember> {
    let now = ctx.clock.now();
    count_sending(ctx, me).await?;
    let mut tx = ctx.store.begin().await?;
    send(ctx, &mut tx, me, file, m, checked, client, now, first_event).await?;
    let member = reload(&mut tx, m.id, now).await?;
    ctx.commit_and_send(tx).await?;
    Ok(member)
}

/// Writes a new invitation for `member` (ending any earlier one: its link
/// dies), queues its messages and records it, in the caller's transaction.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn send_new(
    ctx: &Ctx,
    tx: &mut Conn,
    me: &UserPrincipal,
    file: &FilePlace,
    member: &CircleMemberRow,
    checked: &Checked,
    client: &Client,
    now: Timestamp,
) -> AppResult<()> {
    send(
        ctx,
        tx,
        me,
        file,
        member,
        checked,
        client,
        now,
        "circle.invitation_created",
    )
    .await
}

#[allow(clippy::too_many_arguments)]
async fn send(
    ctx: &Ctx,
    tx: &mut Conn,
    me: &UserPrincipal,
    file: &FilePlace,
    member: &CircleMemberRow,
    checked: &Checked,
    client: &Client,
    now: Timestamp,
    first_event: &'static str,
) -> AppResult<()> {
    circle::require_section_on(&mut *tx, file.id, member.section).await?;
    store::end_previous_invitations(&mut *tx, member.id, InvitationState::Replaced, now).await?;
    if !store::set_member_state(
        &mut *tx,
        member.id,
        MemberState::Invited,
        &[
            MemberState::Preallocated,
            MemberState::Invited,
            MemberState::Locked,
            MemberState::Expired,
            MemberState::Cancelled,
        ],
        now,
    )
    .await?
    {
        return Err(AppError::Conflict("circle-member-joined"));
    }
    let token = random_token();
    let row = CircleInvitationRow {
        id: CircleInvitationId::new(),
        circle_member_id: member.id,
        via: checked.via,
        method: checked.method,
        question: checked.question.clone(),
        secret_hash: checked.secret_hash.clone(),
        failures: 0,
        state: InvitationState::Pending,
        invited_by: me.user_id,
        created_at: now.0,
        expires_at: now.plus_secs(INVITATION_TTL_SECS).0,
        ended_at: None,
        accepted_by: None,
    };
    store::insert_invitation(&mut *tx, &row, &hash_token(&token)).await?;
    let org = orgs::org_by_id(&mut *tx, file.org_id.parse()?)
        .await?
        .ok_or(AppError::NotFound)?;
    let inviter = users::get(&mut *tx, &me.user_id.to_string()).await?;
    let lang = Language::parse(&member.language).unwrap_or_default();
    let invitation = Outgoing::CircleInvitation {
        name: member.first_name.clone(),
        org: org.name.clone(),
        inviter: inviter.name.clone(),
        link: format!("{}/circle/join/{token}", ctx.config.public_url),
        method: checked.method.as_str().into(),
    };
    match (checked.via, member.email.as_deref(), member.phone.as_deref()) {
        (InvitationVia::Email, Some(email), _) => queue_email(&mut *tx, email, lang, &invitation, now).await?,
        (InvitationVia::Sms, _, Some(phone)) => queue_sms(&mut *tx, phone, lang, &invitation, now).await?,
        _ => return Err(InputError::InvitationEmailMissing.into()),
    }
    if let Some(code) = &checked.code {
        // The code travels alone, in an email of its own.
        let email = member.email.as_deref().ok_or(InputError::InvitationEmailMissing)?;
        let msg = Outgoing::CircleCode {
            name: member.first_name.clone(),
            org: org.name.clone(),
            code: format_code(code),
        };
        queue_email(&mut *tx, email, lang, &msg, now).await?;
    }
    audit::record(
        &mut *tx,
        event(me, file, first_event, AuditAction::Create, row.id, client)
            .scope("circle_member", member.id)
            .scope("method", checked.method.as_str()),
        now,
    )
    .await?;
    audit::record(
        &mut *tx,
        event(me, file, "circle.invitation_sent", AuditAction::Update, row.id, client)
            .scope("circle_member", member.id)
            .scope("via", checked.via.as_str()),
        now,
    )
    .await?;
    Ok(())
}

/// Invites a member of the circle now (a pre-allocated one, or anew).
pub async fn invite(
    ctx: &Ctx,
    client: &Client,
    principal: &Principal,
    member_id: CircleMemberId,
    input: &InviteInput,
) -> AppResult<circle::CircleMember> {
    let me = person(principal)?;
    let (file, m) = {
        let mut conn = ctx.store.reader().await?;
        managed_member(&mut conn, me, member_id).await?
    };
    if file.archived {
        return Err(AppError::Conflict("patient-archived"));
    }
    if m.state == MemberState::Joined {
        return Err(AppError::Conflict("circle-member-joined"));
    }
    let checked = check(ctx, input, m.email.as_deref(), m.phone.as_deref()).await?;
    send_alone(ctx, client, me, &file, &m, &checked, "circle.invitation_created").await
}

/// Sends the invitation again: a new link and, for the code method, a new
/// code; the earlier link dies and the tries start again.
pub async fn resend(
    ctx: &Ctx,
    client: &Client,
    principal: &Principal,
    member_id: CircleMemberId,
) -> AppResult<circle::CircleMember> {
    let me = person(principal)?;
    let (file, m, last) = {
        let mut conn = ctx.store.reader().await?;
        let (file, m) = managed_member(&mut conn, me, member_id).await?;
        let last = store::latest_invitation(&mut conn, m.id).await?;
        (file, m, last)
    };
    if file.archived {
        return Err(AppError::Conflict("patient-archived"));
    }
    let last = match last {
        Some(l)
            if matches!(
                m.state,
                MemberState::Invited | MemberState::Locked | MemberState::Expired
            ) =>
        {
            l
        }
        _ => return Err(AppError::Conflict("circle-not-invited")),
    };
    let checked = if last.method == InvitationMethod::Code {
        let code = new_code();
        Checked {
            via: last.via,
            method: InvitationMethod::Code,
            question: None,
            secret_hash: ctx.hasher.hash(&code).await?,
            code: Some(code),
        }
    } else {
        Checked {
            via: last.via,
            method: InvitationMethod::Question,
            question: last.question.clone(),
            secret_hash: last.secret_hash.clone(),
            code: None,
        }
    };
    send_alone(ctx, client, me, &file, &m, &checked, "circle.invitation_resent").await
}

// ---- The invitee's side --------------------------------------------------------

/// What the link's page shows before answering (public: the token is the
/// key). No patient data: the organization, who invites, how to answer.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct InvitationInfo {
    pub org_name: String,
    pub inviter_name: String,
    pub first_name: String,
    pub via: String,
    pub method: String,
    pub question: Option<String>,
    /// pending | accepted | cancelled | expired | locked | replaced
    pub state: String,
    pub tries_left: i64,
}

fn state_of(inv: &CircleInvitationRow, now: Timestamp) -> InvitationState {
    if inv.state == InvitationState::Pending && inv.expires_at <= now.0 {
        InvitationState::Expired
    } else {
        inv.state
    }
}

/// What an invitation link leads to: the invitation, its circle member,
/// the organization and the inviter (an unknown link: `LinkInvalid`).
struct Linked {
    inv: CircleInvitationRow,
    member: store::CircleMemberRow,
    org_name: String,
    inviter_name: String,
}

async fn linked(ctx: &Ctx, token: &str) -> AppResult<Linked> {
    let mut conn = ctx.store.reader().await?;
    let inv = store::invitation_by_token(&mut conn, &hash_token(token))
        .await?
        .ok_or(AppError::LinkInvalid)?;
    let member = store::member(&mut conn, inv.circle_member_id)
        .await?
        .ok_or(AppError::LinkInvalid)?;
    let (org_id, _, _) = store::file_place(&mut conn, member.patient_file_id)
        .await?
        .ok_or(AppError::LinkInvalid)?;
    let org = orgs::org_by_id(&mut conn, org_id.parse()?)
        .await?
        .ok_or(AppError::LinkInvalid)?;
    let inviter = users::get(&mut conn, &inv.invited_by.to_string()).await?;
    Ok(Linked {
        inv,
        member,
        org_name: org.name,
        inviter_name: inviter.name,
    })
}

pub async fn info(ctx: &Ctx, token: &str) -> AppResult<InvitationInfo> {
    let Linked {
        inv,
        member,
        org_name,
        inviter_name,
    } = linked(ctx, token).await?;
    Ok(InvitationInfo {
        org_name,
        inviter_name,
        first_name: member.first_name,
        via: inv.via.as_str().into(),
        method: inv.method.as_str().into(),
        question: inv.question.clone(),
        state: state_of(&inv, ctx.clock.now()).as_str().into(),
        tries_left: (MAX_FAILURES - inv.failures).max(0),
    })
}

/// What the sign-up page may fill in for the holder of a live invitation
/// link (the token is the key: nothing without it).
#[derive(Debug, Clone, Serialize)]
pub struct SignUpPrefill {
    pub org_name: String,
    pub inviter_name: String,
    /// First and last names as the circle knows them.
    pub name: String,
    /// The address the invitation went to, when it was sent by email.
    pub email: Option<String>,
    pub language: Language,
    /// patient | responsible | observer
    pub section: String,
}

/// The sign-up prefill of a pending invitation (an ended, unknown or
/// expired link gives nothing).
pub async fn prefill(ctx: &Ctx, token: &str) -> AppResult<SignUpPrefill> {
    let Linked {
        inv,
        member: m,
        org_name,
        inviter_name,
    } = linked(ctx, token).await?;
    if state_of(&inv, ctx.clock.now()) != InvitationState::Pending {
        return Err(AppError::LinkInvalid);
    }
    Ok(SignUpPrefill {
        org_name,
        inviter_name,
        name: format!("{} {}", m.first_name, m.last_name).trim().to_string(),
        email: m.email.filter(|_| inv.via == InvitationVia::Email),
        language: Language::parse(&m.language).unwrap_or_default(),
        section: m.section.as_str().into(),
    })
}

/// The answer to the question, or the code.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct AcceptInput {
    pub answer: Option<String>,
    pub code: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum AcceptOutcome {
    /// In the circle now; the care channels one was already added to.
    Joined { channel_ids: Vec<String> },
    /// Wrong answer or code; the invitation locks when no try is left.
    Wrong { tries_left: i64 },
}

/// Why a link cannot be answered.
fn refusal(inv: &CircleInvitationRow, now: Timestamp) -> Option<AppError> {
    match state_of(inv, now) {
        InvitationState::Pending => None,
        InvitationState::Accepted => Some(AppError::Conflict("invitation-already-accepted")),
        InvitationState::Cancelled => Some(AppError::Conflict("invitation-cancelled")),
        InvitationState::Locked => Some(AppError::Conflict("invitation-locked")),
        InvitationState::Expired => Some(AppError::Conflict("invitation-expired")),
        // replaced by a newer sending: this link is dead.
        InvitationState::Replaced => Some(AppError::LinkInvalid),
    }
}

/// Answers an invitation as the signed-in person (setup done: terms and PIN).
pub async fn accept(
    ctx: &Ctx,
    client: &Client,
    principal: &Principal,
    token: &str,
    input: &AcceptInput,
) -> AppResult<AcceptOutcome> {
    let me = person(principal)?;
    let user_id = me.user_id;
    crate::acting::limit(
        ctx,
        "circle-accept",
        &user_id.to_string(),
        TRIES_PER_WINDOW,
        TRIES_WINDOW_SECS,
    )
    .await?;
    if let Some(ip) = &client.ip {
        crate::acting::limit(ctx, "circle-accept-ip", ip, TRIES_PER_ADDRESS, TRIES_WINDOW_SECS).await?;
    }
    let now = ctx.clock.now();
    let (inv, m, file) = {
        let mut conn = ctx.store.reader().await?;
        let inv = store::invitation_by_token(&mut conn, &hash_token(token))
            .await?
            .ok_or(AppError::LinkInvalid)?;
        let m = store::member(&mut conn, inv.circle_member_id)
            .await?
            .ok_or(AppError::LinkInvalid)?;
        let (org_id, unit_id, archived) = store::file_place(&mut conn, m.patient_file_id)
            .await?
            .ok_or(AppError::LinkInvalid)?;
        let file = FilePlace {
            id: m.patient_file_id,
            org_id,
            unit_id,
            archived,
            may_manage_circle: false,
        };
        (inv, m, file)
    };
    if let Some(e) = refusal(&inv, now) {
        return Err(e);
    }
    if file.archived {
        return Err(AppError::Conflict("patient-archived"));
    }
    {
        let mut conn = ctx.store.reader().await?;
        if store::joined_elsewhere_in_file(&mut conn, m.patient_file_id, user_id, m.id).await? {
            return Err(AppError::Conflict("already-in-circle"));
        }
    }
    let given = if inv.method == InvitationMethod::Code {
        code_digits(input.code.as_deref().unwrap_or(""))
    } else {
        normalize_answer(input.answer.as_deref().unwrap_or(""))
    };
    let right = !given.is_empty()
        && given.chars().count() <= MAX_ANSWER
        && ctx.hasher.verify(Some(&inv.secret_hash), &given).await;
    let invitee_event = |name: &'static str, action: AuditAction| {
        NewAuditEvent::new(Actor::User(me.user_id), name, action, "circle_invitation")
            .target(inv.id)
            .in_unit(&file.org_id, &file.unit_id)
            .scope("patient", file.id)
            .scope("circle_member", m.id)
            .ip(client.ip.clone())
    };
    let mut tx = ctx.store.begin().await?;
    if !right {
        let Some(failures) = store::add_failure(&mut tx, inv.id).await? else {
            // Ended meanwhile (answered, cancelled, resent or locked).
            drop(tx);
            let mut conn = ctx.store.reader().await?;
            let again = store::invitation_by_token(&mut conn, &hash_token(token)).await?;
            return Err(again.and_then(|i| refusal(&i, now)).unwrap_or(AppError::LinkInvalid));
        };
        audit::record(
            &mut tx,
            invitee_event("circle.invitation_failed", AuditAction::Update),
            now,
        )
        .await?;
        if failures >= MAX_FAILURES {
            store::lock_invitation(&mut tx, inv.id, now).await?;
            store::set_member_state(&mut tx, m.id, MemberState::Locked, &[MemberState::Invited], now).await?;
            audit::record(
                &mut tx,
                invitee_event("circle.invitation_locked", AuditAction::Update),
                now,
            )
            .await?;
            tx.commit().await?;
            return Err(AppError::Conflict("invitation-locked"));
        }
        tx.commit().await?;
        return Ok(AcceptOutcome::Wrong {
            tries_left: MAX_FAILURES - failures,
        });
    }
    if !store::end_invitation(&mut tx, inv.id, InvitationState::Accepted, Some(user_id), now).await? {
        drop(tx);
        return Err(AppError::Conflict("invitation-already-accepted"));
    }
    if !store::set_joined(&mut tx, m.id, user_id, now).await? {
        return Err(AppError::Conflict("invitation-cancelled"));
    }
    if store::joined_elsewhere_in_file(&mut tx, m.patient_file_id, user_id, m.id).await? {
        return Err(AppError::Conflict("already-in-circle"));
    }
    // Someone who is only a patient or caregiver reaches their care channels
    // and nothing of the network.
    if !store::has_membership_or_profession(&mut tx, user_id).await? {
        store::set_circle_only(&mut tx, user_id, true).await?;
    }
    audit::record(
        &mut tx,
        invitee_event("circle.invitation_accepted", AuditAction::Update),
        now,
    )
    .await?;
    let channel_ids = store::channels_of_member(&mut tx, m.id)
        .await?
        .into_iter()
        .map(String::from)
        .collect();
    tx.commit().await?;
    Ok(AcceptOutcome::Joined { channel_ids })
}

/// The members of circles a user joined (their patient files), for the
/// patient-facing pages.
pub async fn my_places(ctx: &Ctx, principal: &Principal) -> AppResult<Vec<circle::CircleMember>> {
    let me = person(principal)?;
    let now = ctx.clock.now();
    let mut conn = ctx.store.reader().await?;
    let rows = store::members_of_user(&mut conn, me.user_id).await?;
    Ok(rows.into_iter().map(|m| circle::view(m, None, now)).collect())
}

/// A care team (circle) one joined, as one's care space shows it.
#[derive(Debug, Clone, Serialize)]
pub struct MyCareTeam {
    pub member_id: String,
    pub patient_file_id: String,
    /// One's own place: patient | responsible | observer.
    pub section: String,
    pub org_name: String,
    /// The patient, for their caregivers and observers (none for the
    /// patient themselves).
    pub patient_name: Option<String>,
    /// The professional who sent the invitation.
    pub invited_by: Option<String>,
    /// The others of the circle who joined: name and section.
    pub people: Vec<(String, String)>,
}

/// The circles one joined (files not archived), with who is in them: what
/// a patient or caregiver sees first, even before any care channel exists.
pub async fn my_care_teams(ctx: &Ctx, principal: &Principal) -> AppResult<Vec<MyCareTeam>> {
    let me = person(principal)?;
    let mut conn = ctx.store.reader().await?;
    let mine = store::members_of_user(&mut conn, me.user_id).await?;
    let mut out = Vec::with_capacity(mine.len());
    for m in mine {
        let Some((org_id, _, archived)) = store::file_place(&mut conn, m.patient_file_id).await? else {
            continue;
        };
        if archived {
            continue;
        }
        let org_name = orgs::org_by_id(&mut conn, org_id.parse()?)
            .await?
            .map(|o| o.name)
            .unwrap_or_default();
        let invited_by = match store::latest_invitation(&mut conn, m.id).await? {
            Some(inv) => users::get(&mut conn, &inv.invited_by.to_string())
                .await
                .ok()
                .map(|u| u.name),
            None => None,
        };
        let all = store::members_of(&mut conn, m.patient_file_id).await?;
        let patient_name = if m.section == CircleSection::Patient {
            None
        } else {
            all.iter()
                .find(|o| o.section == CircleSection::Patient && o.state != MemberState::Cancelled)
                .map(|o| format!("{} {}", o.first_name, o.last_name))
        };
        let people = all
            .iter()
            .filter(|o| o.state == MemberState::Joined && o.id != m.id)
            .map(|o| {
                (
                    format!("{} {}", o.first_name, o.last_name),
                    o.section.as_str().to_string(),
                )
            })
            .collect();
        out.push(MyCareTeam {
            member_id: m.id.to_string(),
            patient_file_id: m.patient_file_id.to_string(),
            section: m.section.as_str().into(),
            org_name,
            patient_name,
            invited_by,
            people,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_fold_case_accents_and_spaces() {
        assert_eq!(normalize_answer("  Le   CHÂTEAU  Frontenac "), "le chateau frontenac");
        assert_eq!(normalize_answer("le chateau\tfrontenac"), "le chateau frontenac");
        assert_eq!(normalize_answer(" \t "), "");
        assert_eq!(normalize_answer("Rex!"), "rex");
    }

    #[test]
    fn codes_have_twelve_digits_shown_in_groups() {
        let c = new_code();
        assert_eq!(c.len(), 12);
        assert!(c.chars().all(|ch| ch.is_ascii_digit()));
        assert_eq!(format_code("123412341234"), "1234-1234-1234");
        assert_eq!(code_digits(" 1234-1234 1234 "), "123412341234");
        assert_ne!(new_code(), new_code());
    }

    #[test]
    fn messages_exist_in_both_languages_without_patient_data() {
        for lang in Language::ALL {
            for method in ["question", "code"] {
                let m = Outgoing::CircleInvitation {
                    name: "Léa".into(),
                    org: "Clinique".into(),
                    inviter: "Dr Roy".into(),
                    link: "http://x/circle/join/t".into(),
                    method: method.into(),
                };
                let (subject, body) = m.email(lang);
                assert!(!subject.starts_with("email-") && !body.starts_with("email-"), "{body}");
                assert!(
                    body.contains("http://x/circle/join/t") && body.contains("Dr Roy"),
                    "{body}"
                );
                assert!(!body.contains("circ-"), "{body}");
                let sms = m.sms(lang);
                assert!(
                    !sms.starts_with("sms-") && sms.contains("http://x/circle/join/t"),
                    "{sms}"
                );
            }
            let c = Outgoing::CircleCode {
                name: "Léa".into(),
                org: "Clinique".into(),
                code: "1234-1234-1234".into(),
            };
            let (subject, body) = c.email(lang);
            assert!(
                !subject.starts_with("email-") && body.contains("1234-1234-1234"),
                "{body}"
            );
            assert!(!body.contains("http"), "the code travels without the link: {body}");
        }
    }
}
