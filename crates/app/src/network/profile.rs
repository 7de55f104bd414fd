//! Profiles: what a person tells the network about themselves, and what
//! another person may see of it.

use super::people::{relation, PersonSummary};
use super::professions::ProfessionView;
use super::{clean_text, me, photo};
use crate::acting::{limit, person};
use crate::{audit, AppError, AppResult, Client, Ctx};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use cercle_domain::audit::{Actor, AuditAction, NewAuditEvent};
use cercle_domain::network::ProfessionStatus;
use cercle_domain::policy::network::{may_see_shared_phone, may_view_profile};
use cercle_domain::policy::Principal;
use cercle_domain::{Language, Phone, UserId};
use cercle_store::network::DirectoryEntry;
use cercle_store::profiles::{self, ProfileRow};
use cercle_store::{network, users};
use serde::{Deserialize, Serialize};

/// Free texts are bounded (characters).
pub const MAX_PRESENTATION: usize = 2000;
pub const MAX_FIELD: usize = 1000;
/// Profile views per person per minute: enough to browse, not to enumerate.
pub const VIEWS_PER_MINUTE: i64 = 120;

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct ProfileInput {
    #[serde(default)]
    pub presentation: String,
    #[serde(default)]
    pub diplomas: String,
    #[serde(default)]
    pub competencies: String,
    /// Work contact details anyone who may see the profile sees.
    #[serde(default)]
    pub contact: String,
    /// Language codes (`fr`, `en`, `es`…).
    #[serde(default)]
    pub languages: Vec<String>,
    /// Shown to friends only.
    #[serde(default)]
    pub shared_phone: Option<String>,
    #[serde(default)]
    pub restrict_external: bool,
}

/// Where the viewer stands with the person.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RelationView {
    pub is_self: bool,
    pub colleague: bool,
    pub friend: super::friends::FriendState,
    pub in_directory: bool,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ProfileView {
    pub id: UserId,
    pub name: String,
    pub presentation: String,
    pub diplomas: String,
    pub competencies: String,
    pub contact: String,
    pub languages: Vec<String>,
    pub professions: Vec<ProfessionView>,
    pub workplaces: Vec<super::workplaces::WorkplaceSummary>,
    pub photo_version: Option<i64>,
    /// Only for the person and their friends.
    pub shared_phone: Option<String>,
    /// Only for the person.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub restrict_external: Option<bool>,
    pub relation: RelationView,
    /// While the person is away (an unavailability period runs).
    pub absent_until: Option<crate::availability::Absence>,
}

/// One's own profile.
pub async fn mine(ctx: &Ctx, principal: &Principal, lang: Language) -> AppResult<ProfileView> {
    let me = me(principal)?;
    build(ctx, me.user_id, me.user_id, lang).await
}

/// Another person's profile, if the viewer may see it ("not found" otherwise,
/// so that hidden people cannot be told from absent ones).
pub async fn view(ctx: &Ctx, principal: &Principal, user_id: UserId, lang: Language) -> AppResult<ProfileView> {
    let me = me(principal)?;
    let viewer = me.user_id;
    limit(ctx, "profile-view", &viewer.to_string(), VIEWS_PER_MINUTE, 60).await?;
    build(ctx, viewer, user_id, lang).await
}

async fn build(ctx: &Ctx, viewer: UserId, user_id: UserId, lang: Language) -> AppResult<ProfileView> {
    let mut conn = ctx.store.reader().await?;
    let rel = relation(&mut conn, viewer, user_id).await?.ok_or(AppError::NotFound)?;
    if !may_view_profile(&rel) {
        return Err(AppError::NotFound);
    }
    let user = users::get(&mut conn, &user_id.to_string()).await?;
    let p = profiles::profile(&mut conn, user_id).await?;
    let is_self = rel.is_self;
    let profs = profiles::professions_of(&mut conn, user_id).await?;
    let professions = profs
        .iter()
        .filter(|r| is_self || r.status != ProfessionStatus::Rejected)
        .map(|r| ProfessionView::of(r, lang, is_self))
        .collect();
    let workplace_ids = network::workplaces_of(&mut conn, user_id).await?;
    let workplaces = network::workplaces_by_ids(&mut conn, &workplace_ids)
        .await?
        .iter()
        .map(super::workplaces::WorkplaceSummary::of)
        .collect();
    let photo_version = profiles::photo(&mut conn, user_id).await?.map(|(_, v)| v);
    let absent_until = crate::availability::absence(&mut conn, user_id, ctx.clock.now()).await?;
    let friend = super::friends::state(&mut conn, viewer, user_id).await?;
    let in_directory = network::entries(&mut conn, viewer)
        .await?
        .contains(&DirectoryEntry::Person(user_id));
    Ok(ProfileView {
        id: user_id,
        name: user.name,
        presentation: p.presentation,
        diplomas: p.diplomas,
        competencies: p.competencies,
        contact: p.contact,
        languages: p
            .languages
            .split(',')
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect(),
        professions,
        workplaces,
        photo_version,
        shared_phone: if may_see_shared_phone(&rel) {
            p.shared_phone
        } else {
            None
        },
        restrict_external: is_self.then_some(p.restrict_external),
        relation: RelationView {
            is_self,
            colleague: rel.colleagues,
            friend,
            in_directory,
        },
        absent_until,
    })
}

fn clean_languages(raw: &[String]) -> AppResult<String> {
    if raw.len() > 12 {
        return Err(cercle_domain::InputError::InvalidLanguage.into());
    }
    let mut out: Vec<String> = Vec::new();
    for l in raw {
        let l = l.trim().to_ascii_lowercase();
        if l.is_empty() {
            continue;
        }
        if !(2..=3).contains(&l.len()) || !l.chars().all(|c| c.is_ascii_lowercase()) {
            return Err(cercle_domain::InputError::InvalidLanguage.into());
        }
        if !out.contains(&l) {
            out.push(l);
        }
    }
    Ok(out.join(","))
}

/// Saves one's profile. Restricting external visibility takes effect in the
/// search index in the same transaction.
pub async fn update(
    ctx: &Ctx,
    client: &Client,
    principal: &Principal,
    input: &ProfileInput,
    lang: Language,
) -> AppResult<ProfileView> {
    let me = me(principal)?;
    let user_id = me.user_id.to_string();
    let shared_phone = match input.shared_phone.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(raw) => Some(Phone::parse(raw)?.as_str().to_string()),
    };
    let row = ProfileRow {
        user_id: me.user_id,
        presentation: clean_text(&input.presentation, MAX_PRESENTATION)?,
        diplomas: clean_text(&input.diplomas, MAX_FIELD)?,
        competencies: clean_text(&input.competencies, MAX_FIELD)?,
        contact: clean_text(&input.contact, MAX_FIELD)?,
        languages: clean_languages(&input.languages)?,
        shared_phone,
        restrict_external: input.restrict_external,
    };
    let now = ctx.clock.now();
    let mut tx = ctx.store.begin().await?;
    profiles::save_profile(&mut tx, &row, now).await?;
    crate::search_index::person(&mut tx, &user_id, now).await?;
    let ev = NewAuditEvent::new(
        Actor::User(me.user_id),
        "network.profile_updated",
        AuditAction::Update,
        "profile",
    )
    .target(&user_id)
    .ip(client.ip.clone());
    audit::record(&mut tx, ev, now).await?;
    tx.commit().await?;
    mine(ctx, principal, lang).await
}

/// Replaces one's photo with the uploaded image, cropped and re-encoded.
pub async fn set_photo(
    ctx: &Ctx,
    client: &Client,
    principal: &Principal,
    bytes: &[u8],
    crop: &photo::Crop,
) -> AppResult<i64> {
    let me = person(principal)?;
    let user_id = me.user_id;
    limit(ctx, "photo", &user_id.to_string(), 30, 3600).await?;
    // Decoding is CPU work: keep it off the async workers.
    let raw = bytes.to_vec();
    let crop = crop.clone();
    let jpeg = tokio::task::spawn_blocking(move || photo::process(&raw, &crop))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
        .map_err(photo_error)?;
    let now = ctx.clock.now();
    let mut tx = ctx.store.begin().await?;
    profiles::set_photo(&mut tx, user_id, &STANDARD.encode(&jpeg), now).await?;
    let ev = NewAuditEvent::new(
        Actor::User(me.user_id),
        "network.photo_changed",
        AuditAction::Update,
        "profile",
    )
    .target(user_id)
    .ip(client.ip.clone());
    audit::record(&mut tx, ev, now).await?;
    tx.commit().await?;
    Ok(now.0)
}

fn photo_error(e: photo::PhotoError) -> AppError {
    use cercle_domain::InputError;
    AppError::Input(match e {
        photo::PhotoError::TooLarge => InputError::PhotoTooLarge,
        photo::PhotoError::NotAnImage => InputError::PhotoNotAnImage,
        photo::PhotoError::BadCrop => InputError::PhotoBadCrop,
    })
}

pub async fn remove_photo(ctx: &Ctx, client: &Client, principal: &Principal) -> AppResult<()> {
    let me = person(principal)?;
    let user_id = me.user_id;
    let now = ctx.clock.now();
    let mut tx = ctx.store.begin().await?;
    if profiles::remove_photo(&mut tx, user_id).await? {
        let ev = NewAuditEvent::new(
            Actor::User(me.user_id),
            "network.photo_removed",
            AuditAction::Delete,
            "profile",
        )
        .target(user_id)
        .ip(client.ip.clone());
        audit::record(&mut tx, ev, now).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// A person's photo (JPEG bytes), for whoever may see their profile.
pub async fn photo_of(ctx: &Ctx, principal: &Principal, user_id: UserId) -> AppResult<Vec<u8>> {
    let me = person(principal)?;
    let mut conn = ctx.store.reader().await?;
    let rel = relation(&mut conn, me.user_id, user_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !may_view_profile(&rel) {
        return Err(AppError::NotFound);
    }
    let (b64, _) = profiles::photo(&mut conn, user_id).await?.ok_or(AppError::NotFound)?;
    STANDARD.decode(b64).map_err(|e| AppError::Internal(e.to_string()))
}

/// The summary of oneself (header, pickers).
pub async fn my_summary(ctx: &Ctx, principal: &Principal, lang: Language) -> AppResult<PersonSummary> {
    let me = person(principal)?;
    let mut conn = ctx.store.reader().await?;
    super::people::summaries(&mut conn, &[me.user_id], lang)
        .await?
        .pop()
        .ok_or(AppError::NotFound)
}
