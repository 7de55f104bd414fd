//! Patient files (SPEC 4): open, read, change, archive and restore a file,
//! and the lists — files with active threads, files where one takes part,
//! and the search within one's units. Access is decided by
//! [`cercle_domain::policy::patients`]; a file one may not see is "not
//! found". Every read, list and change is audited with the patient.

use crate::org_scope::OrgScope;
use crate::{audit, AppError, AppResult, Client, Ctx};
use cercle_domain::audit::{AuditAction, NewAuditEvent};
use cercle_domain::patient::{birth_date, patient_name, FileNumber, HealthInsuranceNumber};
use cercle_domain::policy::patients::{self as policy, FileFacts};
use cercle_domain::policy::roles::Grant;
use cercle_domain::policy::UserPrincipal;
use cercle_domain::search::fold;
use cercle_domain::{InputError, Language, OrgId, PatientFileId, TeamId, UserId};
use cercle_store::patients::{self as store, FileThread, PatientFileRow, Search};
use cercle_store::{members, orgs, users, Conn};
use serde::{Deserialize, Serialize};

/// Most files one list shows.
pub const LIST_LIMIT: i64 = 100;
/// Patient files one person may open per day (bounds a runaway script).
pub const FILES_PER_DAY: i64 = 300;
/// Most words a search looks at.
const MAX_SEARCH_WORDS: usize = 5;

/// A file and what the person may do with it (they may see it).
#[derive(Debug, Clone)]
pub struct FileAccess {
    pub file: PatientFileRow,
    /// Change the identity and consents, archive and restore.
    pub may_edit: bool,
    /// Manage the patient's circle (the patient and caregiver manager role).
    pub may_manage_circle: bool,
}

impl FileAccess {
    /// Refuses what an archived file no longer takes (threads, channels,
    /// invitations, changes): 409 `patient-archived`.
    pub fn require_open(&self) -> AppResult<()> {
        require_open(&self.file)
    }
}

/// 409 `patient-archived` for an archived file.
pub fn require_open(file: &PatientFileRow) -> AppResult<()> {
    if file.archived_at.is_some() {
        Err(AppError::Conflict("patient-archived"))
    } else {
        Ok(())
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Consents {
    #[serde(default)]
    pub care_team: bool,
    #[serde(default)]
    pub caregivers: bool,
    #[serde(default)]
    pub electronic: bool,
}

/// Consents as sent: an absent one is left as it is (on creation: not given).
#[derive(Debug, Clone, Copy, Default, Deserialize, utoipa::ToSchema)]
pub struct ConsentsInput {
    pub care_team: Option<bool>,
    pub caregivers: Option<bool>,
    pub electronic: Option<bool>,
}

/// A file as sent: on creation the names and birth date are required; on
/// a change every absent field is left as it is, and an empty health
/// insurance number or file number clears it.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct FileInput {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    /// YYYY-MM-DD
    pub birth_date: Option<String>,
    pub health_insurance_number: Option<String>,
    pub file_number: Option<String>,
    /// A unit of the active organization (default: its root).
    pub unit_id: Option<String>,
    pub consents: Option<ConsentsInput>,
}

/// A patient file as shown.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct PatientFile {
    pub id: String,
    pub org_id: String,
    pub unit_id: String,
    pub first_name: String,
    pub last_name: String,
    pub birth_date: Option<String>,
    /// Normalized (`ABCD12345678`); shown as `ABCD 1234 5678`.
    pub health_insurance_number: Option<String>,
    pub file_number: Option<String>,
    pub consents: Consents,
    pub archived: bool,
    pub archived_at: Option<i64>,
    pub created_by: String,
    pub created_at: i64,
    pub updated_at: Option<i64>,
    pub may_edit: bool,
    pub may_manage_circle: bool,
}

impl PatientFile {
    pub fn name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name)
    }
}

/// The view of a file for someone holding `grants` in its organization.
pub fn view_of(access: &FileAccess) -> PatientFile {
    let f = &access.file;
    PatientFile {
        id: f.id.to_string(),
        org_id: f.org_id.clone(),
        unit_id: f.unit_id.clone(),
        first_name: f.first_name.clone(),
        last_name: f.last_name.clone(),
        birth_date: f.birth_date.clone(),
        health_insurance_number: f.health_insurance_number.clone(),
        file_number: f.file_number.clone(),
        consents: Consents {
            care_team: f.consent_care_team,
            caregivers: f.consent_caregivers,
            electronic: f.consent_electronic,
        },
        archived: f.archived_at.is_some(),
        archived_at: f.archived_at,
        created_by: f.created_by.to_string(),
        created_at: f.created_at,
        updated_at: f.updated_at,
        may_edit: access.may_edit,
        may_manage_circle: access.may_manage_circle,
    }
}

/// The roles a person holds in an organization, as the policy sees them.
async fn grants_in(conn: &mut Conn, org_id: &str, user_id: &str) -> AppResult<Vec<Grant>> {
    Ok(members::grants_of(&mut *conn, org_id.parse()?, user_id.parse()?)
        .await?
        .into_iter()
        .map(|g| Grant {
            role: g.role,
            unit_path: g.unit_path,
        })
        .collect())
}

/// The teams through which a person takes part (those they manage).
async fn teams_of(conn: &mut Conn, user_id: UserId) -> AppResult<Vec<TeamId>> {
    Ok(cercle_store::threads::teams_managed(conn, user_id).await?)
}

/// The scope's organization as a typed id.
fn org_of(scope: &OrgScope) -> AppResult<OrgId> {
    Ok(scope.org_id)
}

/// Decides on `file` for a member of its organization (active) holding `grants`.
async fn decide(conn: &mut Conn, user_id: UserId, grants: &[Grant], file: PatientFileRow) -> AppResult<FileAccess> {
    let mut facts = FileFacts {
        in_active_org: true,
        unit_path: &file.unit_path,
        created_it: file.created_by == user_id,
        takes_part: false,
    };
    if !policy::may_view(grants, &facts) {
        let teams = teams_of(&mut *conn, user_id).await?;
        facts.takes_part = store::takes_part(&mut *conn, file.id, user_id, &teams).await?;
    }
    if !policy::may_view(grants, &facts) {
        return Err(AppError::NotFound);
    }
    let may_edit = policy::may_edit(grants, &facts);
    let may_manage_circle = policy::may_manage_circle(grants, &facts);
    Ok(FileAccess {
        file,
        may_edit,
        may_manage_circle,
    })
}

/// [`viewable`] for a principal: a service account's organization stands
/// for its member's active one.
pub async fn viewable_by(conn: &mut Conn, me: &UserPrincipal, file_id: PatientFileId) -> AppResult<FileAccess> {
    let Some(service) = &me.service else {
        return viewable(conn, me.user_id, file_id).await;
    };
    let file = store::get(&mut *conn, file_id).await?.ok_or(AppError::NotFound)?;
    if file.org_id != service.org_id.to_string() || !members::is_member(&mut *conn, service.org_id, me.user_id).await? {
        return Err(AppError::NotFound);
    }
    let grants = grants_in(&mut *conn, &file.org_id, &me.user_id.to_string()).await?;
    decide(conn, me.user_id, &grants, file).await
}

/// The file, if the person may see it now: a member of its organization
/// with that organization active, allowed by the policy. Otherwise (no such
/// file, another organization, not allowed) "not found". Archived files
/// are returned (readable); see [`FileAccess::require_open`].
pub async fn viewable(conn: &mut Conn, user_id: UserId, file_id: PatientFileId) -> AppResult<FileAccess> {
    let file = store::get(&mut *conn, file_id).await?.ok_or(AppError::NotFound)?;
    let user = user_id.to_string();
    if users::active_org(&mut *conn, &user).await?.as_deref() != Some(file.org_id.as_str())
        || !members::is_member(&mut *conn, file.org_id.parse()?, user_id).await?
    {
        return Err(AppError::NotFound);
    }
    let grants = grants_in(&mut *conn, &file.org_id, &user).await?;
    decide(conn, user_id, &grants, file).await
}

/// [`viewable`] for a resolved organization scope.
async fn access(conn: &mut Conn, scope: &OrgScope, file_id: PatientFileId) -> AppResult<FileAccess> {
    let file = store::get(&mut *conn, file_id).await?.ok_or(AppError::NotFound)?;
    if file.org_id != scope.org_id.to_string() {
        return Err(AppError::NotFound);
    }
    decide(conn, scope.user_id, &scope.grants, file).await
}

fn event(
    scope: &OrgScope,
    file: &PatientFileRow,
    name: &'static str,
    action: AuditAction,
    client: &Client,
) -> NewAuditEvent {
    // As `scope.event`, with the file's unit as stored.
    NewAuditEvent::new(scope.actor(), name, action, "patient_file")
        .in_unit(scope.org_id, &file.unit_id)
        .ip(client.ip.clone())
        .target(file.id)
        .scope("patient", file.id)
}

fn today(ctx: &Ctx) -> String {
    ctx.clock.now().to_utc_string()[..10].to_string()
}

fn folded_name(first: &str, last: &str) -> String {
    fold(&format!("{first} {last}"))
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn optional<T>(raw: &str, parse: impl Fn(&str) -> Result<T, InputError>) -> AppResult<Option<T>> {
    if raw.trim().is_empty() {
        Ok(None)
    } else {
        Ok(Some(parse(raw)?))
    }
}

/// Applies `input` to `row` (every field checked before anything is written).
fn apply(ctx: &Ctx, row: &mut PatientFileRow, input: &FileInput) -> AppResult<()> {
    if let Some(v) = &input.first_name {
        row.first_name = patient_name(v)?;
    }
    if let Some(v) = &input.last_name {
        row.last_name = patient_name(v)?;
    }
    if let Some(v) = &input.birth_date {
        row.birth_date = Some(birth_date(v, &today(ctx))?);
    }
    if let Some(v) = &input.health_insurance_number {
        row.health_insurance_number =
            optional(v, HealthInsuranceNumber::parse)?.map(HealthInsuranceNumber::into_string);
    }
    if let Some(v) = &input.file_number {
        row.file_number = optional(v, FileNumber::parse)?.map(FileNumber::into_string);
    }
    if let Some(c) = &input.consents {
        row.consent_care_team = c.care_team.unwrap_or(row.consent_care_team);
        row.consent_caregivers = c.caregivers.unwrap_or(row.consent_caregivers);
        row.consent_electronic = c.electronic.unwrap_or(row.consent_electronic);
    }
    row.folded_name = folded_name(&row.first_name, &row.last_name);
    Ok(())
}

/// Where a new file goes when no unit is chosen: the unit where one manages
/// patients' circles (so the creator can invite the patient and caregivers
/// at once), or the root unit (see [`policy::default_file_unit`]).
async fn default_unit(conn: &mut Conn, scope: &OrgScope) -> AppResult<orgs::UnitRow> {
    if let Some(id) = policy::default_file_unit(&scope.grants) {
        if let Some(u) = orgs::unit_in(&mut *conn, scope.org_id, id.parse()?).await? {
            if u.archived_at.is_none() {
                return Ok(u);
            }
        }
    }
    match orgs::unit_in(&mut *conn, scope.org_id, scope.root_unit_id).await? {
        Some(u) => Ok(u),
        None => Err(AppError::NotFound),
    }
}

/// The unit a new file is placed in unless another is chosen.
pub async fn default_unit_id(ctx: &Ctx, scope: &OrgScope) -> AppResult<String> {
    let mut conn = ctx.store.reader().await?;
    Ok(default_unit(&mut conn, scope).await?.id.to_string())
}

/// A unit of the scope's organization (not archived), or not found.
async fn unit_of(conn: &mut Conn, scope: &OrgScope, unit_id: Option<&str>) -> AppResult<orgs::UnitRow> {
    let id = match unit_id.map(str::trim) {
        None | Some("") => return default_unit(conn, scope).await,
        Some(id) => id,
    };
    match orgs::unit_in(&mut *conn, scope.org_id, id.parse()?).await? {
        Some(u) if u.archived_at.is_none() => Ok(u),
        _ => Err(AppError::NotFound),
    }
}

/// Opens a patient file in the active organization (any member may), in
/// `unit_id` or the root unit.
pub async fn create(ctx: &Ctx, client: &Client, scope: &OrgScope, input: &FileInput) -> AppResult<PatientFile> {
    if !policy::may_create(true) {
        return Err(AppError::Forbidden);
    }
    let user_id = scope.user_id;
    let now = ctx.clock.now();
    // Required on creation.
    let first = patient_name(input.first_name.as_deref().unwrap_or(""))?;
    let last = patient_name(input.last_name.as_deref().unwrap_or(""))?;
    birth_date(input.birth_date.as_deref().unwrap_or(""), &today(ctx))?;
    crate::acting::limit(
        ctx,
        "patient-file-create",
        &user_id.to_string(),
        FILES_PER_DAY,
        24 * 3600,
    )
    .await?;
    let mut tx = ctx.store.begin().await?;
    crate::idempotency::claim_in(&mut tx, client, now).await?;
    let unit = unit_of(&mut tx, scope, input.unit_id.as_deref()).await?;
    let mut row = PatientFileRow {
        id: PatientFileId::new(),
        org_id: scope.org_id.to_string(),
        unit_id: unit.id.to_string(),
        unit_path: unit.path.clone(),
        first_name: first,
        last_name: last,
        birth_date: None,
        health_insurance_number: None,
        file_number: None,
        folded_name: String::new(),
        consent_care_team: false,
        consent_caregivers: false,
        consent_electronic: false,
        created_by: user_id,
        created_at: now.0,
        updated_at: None,
        archived_at: None,
        archived_by: None,
    };
    apply(ctx, &mut row, input)?;
    store::insert(&mut tx, &row).await?;
    audit::record(
        &mut tx,
        event(scope, &row, "patient.created", AuditAction::Create, client),
        now,
    )
    .await?;
    let creator = row.created_by;
    let access = decide(&mut tx, creator, &scope.grants, row).await?;
    tx.commit().await?;
    Ok(view_of(&access))
}

/// A file found or opened by its health insurance number.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LinkedFile {
    /// false when an existing file was linked.
    pub created: bool,
    pub patient_file: PatientFile,
}

/// Opens a patient file, or links the one the organization already holds
/// with this health insurance number (the first the caller may see): what
/// an EMR or a hosting partner does for the patient it has in context. The
/// number is required here; a link is audited (`patient.linked`) like a read.
pub async fn create_or_link(ctx: &Ctx, client: &Client, scope: &OrgScope, input: &FileInput) -> AppResult<LinkedFile> {
    let raw = input.health_insurance_number.as_deref().unwrap_or("");
    let number = HealthInsuranceNumber::parse(raw)?.into_string();
    let now = ctx.clock.now();
    let mut tx = ctx.store.begin().await?;
    for file in store::by_health_insurance_number(&mut tx, &scope.org_id.to_string(), &number).await? {
        let Ok(a) = decide(&mut tx, scope.user_id, &scope.grants, file).await else {
            continue;
        };
        audit::record(
            &mut tx,
            event(scope, &a.file, "patient.linked", AuditAction::Read, client),
            now,
        )
        .await?;
        tx.commit().await?;
        return Ok(LinkedFile {
            created: false,
            patient_file: view_of(&a),
        });
    }
    drop(tx);
    let patient_file = create(ctx, client, scope, input).await?;
    Ok(LinkedFile {
        created: true,
        patient_file,
    })
}

/// A file (audited read).
pub async fn show(ctx: &Ctx, client: &Client, scope: &OrgScope, id: PatientFileId) -> AppResult<PatientFile> {
    let now = ctx.clock.now();
    let mut tx = ctx.store.begin().await?;
    let a = access(&mut tx, scope, id).await?;
    audit::record(
        &mut tx,
        event(scope, &a.file, "patient.read", AuditAction::Read, client),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(view_of(&a))
}

/// Changes the identity, consents or unit of a file (its creator or whoever
/// manages patients' identity on its unit — and on the new unit).
pub async fn update(
    ctx: &Ctx,
    client: &Client,
    scope: &OrgScope,
    id: PatientFileId,
    input: &FileInput,
) -> AppResult<PatientFile> {
    let now = ctx.clock.now();
    let mut tx = ctx.store.begin().await?;
    let a = access(&mut tx, scope, id).await?;
    if !a.may_edit {
        return Err(AppError::Forbidden);
    }
    a.require_open()?;
    let mut row = a.file.clone();
    apply(ctx, &mut row, input)?;
    if let Some(unit_id) = input.unit_id.as_deref().filter(|u| !u.trim().is_empty()) {
        let unit = unit_of(&mut tx, scope, Some(unit_id)).await?;
        if unit.id.to_string() != row.unit_id {
            let facts = FileFacts {
                in_active_org: true,
                unit_path: &unit.path,
                created_it: row.created_by == scope.user_id,
                takes_part: false,
            };
            if !policy::may_edit(&scope.grants, &facts) {
                return Err(AppError::Forbidden);
            }
            row.unit_id = unit.id.to_string();
            row.unit_path = unit.path;
        }
    }
    store::update(&mut tx, &row, now).await?;
    audit::record(
        &mut tx,
        event(scope, &row, "patient.updated", AuditAction::Update, client),
        now,
    )
    .await?;
    let fresh = store::get(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    let access = decide(&mut tx, scope.user_id, &scope.grants, fresh).await?;
    tx.commit().await?;
    Ok(view_of(&access))
}

async fn set_archived(
    ctx: &Ctx,
    client: &Client,
    scope: &OrgScope,
    id: PatientFileId,
    archive: bool,
) -> AppResult<PatientFile> {
    let now = ctx.clock.now();
    let user_id = scope.user_id;
    let mut tx = ctx.store.begin().await?;
    let a = access(&mut tx, scope, id).await?;
    if !a.may_edit {
        return Err(AppError::Forbidden);
    }
    match (archive, a.file.archived_at.is_some()) {
        (true, true) => return Err(AppError::Conflict("patient-archived")),
        (false, false) => return Err(AppError::Conflict("patient-not-archived")),
        _ => {}
    }
    store::set_archived(&mut tx, id, archive.then_some((user_id, now))).await?;
    let (name, action) = if archive {
        ("patient.archived", AuditAction::Delete)
    } else {
        ("patient.restored", AuditAction::Update)
    };
    audit::record(&mut tx, event(scope, &a.file, name, action, client), now).await?;
    let fresh = store::get(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    let access = decide(&mut tx, user_id, &scope.grants, fresh).await?;
    tx.commit().await?;
    Ok(view_of(&access))
}

/// Archives a file: hidden from lists, no new threads, channels or
/// invitations; still readable; restorable.
pub async fn archive(ctx: &Ctx, client: &Client, scope: &OrgScope, id: PatientFileId) -> AppResult<PatientFile> {
    set_archived(ctx, client, scope, id, true).await
}

pub async fn restore(ctx: &Ctx, client: &Client, scope: &OrgScope, id: PatientFileId) -> AppResult<PatientFile> {
    set_archived(ctx, client, scope, id, false).await
}

/// Which list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    /// Files with open threads one (or one's teams) takes part in.
    Active,
    /// Files of the threads and care channels one takes part in.
    Participating,
    /// Every file one may see: those of one's units (where one may search
    /// or view patient files), those one opened and those one takes part in.
    All,
}

impl View {
    pub fn parse(raw: Option<&str>) -> AppResult<View> {
        match raw.map(str::trim) {
            None | Some("") | Some("all") => Ok(View::All),
            Some("active") => Ok(View::Active),
            Some("participating") => Ok(View::Participating),
            Some(_) => Err(AppError::Conflict("invalid-view")),
        }
    }
}

/// What to list, as asked.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// active | participating | all (default)
    pub view: Option<String>,
    /// A name (accents and case ignored, word beginnings), a file number or
    /// a health insurance number: searches every file one may see.
    pub q: Option<String>,
    /// Include archived files ("true").
    pub archived: Option<String>,
}

impl ListQuery {
    pub fn include_archived(&self) -> bool {
        matches!(self.archived.as_deref().map(str::trim), Some("true" | "1" | "on"))
    }
}

/// A parsed search.
struct Wanted {
    words: Vec<String>,
    file_number: Option<String>,
    hin: Option<String>,
}

impl Wanted {
    fn parse(q: &str) -> AppResult<Wanted> {
        let q = q.trim();
        if q.chars().count() < 2 {
            return Err(InputError::SearchTooShort.into());
        }
        let words: Vec<String> = fold(q)
            .split_whitespace()
            .take(MAX_SEARCH_WORDS)
            .map(str::to_string)
            .collect();
        let file_number = FileNumber::parse(q).ok().map(FileNumber::into_string);
        let hin = HealthInsuranceNumber::parse(q)
            .ok()
            .map(HealthInsuranceNumber::into_string);
        if words.is_empty() && file_number.is_none() && hin.is_none() {
            return Err(InputError::SearchTooShort.into());
        }
        Ok(Wanted {
            words,
            file_number,
            hin,
        })
    }

    /// The same test as the store's search, for files found another way.
    fn matches(&self, f: &PatientFileRow) -> bool {
        let name_words: Vec<&str> = f.folded_name.split_whitespace().collect();
        (!self.words.is_empty()
            && self
                .words
                .iter()
                .all(|w| name_words.iter().any(|n| n.starts_with(w.as_str()))))
            || self
                .file_number
                .as_deref()
                .is_some_and(|n| f.file_number.as_deref().is_some_and(|m| m.eq_ignore_ascii_case(n)))
            || self
                .hin
                .as_deref()
                .is_some_and(|h| f.health_insurance_number.as_deref() == Some(h))
    }
}

/// Lists files of the active organization: `view` (active, participating,
/// all), or the search `q` among every file one may see. Archived files
/// only when asked. Each file listed is audited.
pub async fn list(ctx: &Ctx, client: &Client, scope: &OrgScope, query: &ListQuery) -> AppResult<Vec<PatientFile>> {
    list_within(ctx, client, scope, query, LIST_LIMIT).await
}

/// [`list`], at most `limit` files (the home page shows a few).
pub async fn list_within(
    ctx: &Ctx,
    client: &Client,
    scope: &OrgScope,
    query: &ListQuery,
    limit: i64,
) -> AppResult<Vec<PatientFile>> {
    let limit = limit.clamp(1, LIST_LIMIT);
    let view = View::parse(query.view.as_deref())?;
    let wanted = match query.q.as_deref().map(str::trim) {
        Some(q) if !q.is_empty() => Some(Wanted::parse(q)?),
        _ => None,
    };
    let archived = query.include_archived();
    let user_id = scope.user_id;
    let org_id = org_of(scope)?;
    let mut conn = ctx.store.reader().await?;
    let teams = teams_of(&mut conn, user_id).await?;
    let rows = match (&wanted, view) {
        (None, View::Active) => store::with_active_threads(&mut conn, org_id, user_id, &teams, archived, limit).await?,
        (None, View::Participating) => {
            store::participating(&mut conn, org_id, user_id, &teams, archived, limit).await?
        }
        (wanted, _) => {
            let paths = policy::search_paths(&scope.grants);
            let (words, file_number, hin) = match wanted {
                Some(w) => (w.words.clone(), w.file_number.as_deref(), w.hin.as_deref()),
                None => (Vec::new(), None, None),
            };
            let mut rows = store::search(
                &mut conn,
                &Search {
                    org_id,
                    unit_paths: &paths,
                    created_by: user_id,
                    words: &words,
                    file_number,
                    health_insurance_number: hin,
                    include_archived: archived,
                    limit,
                },
            )
            .await?;
            let part = store::participating(&mut conn, org_id, user_id, &teams, archived, store::MAX_LIST).await?;
            for f in part {
                if wanted.as_ref().is_none_or(|w| w.matches(&f)) && !rows.iter().any(|r| r.id == f.id) {
                    rows.push(f);
                }
            }
            rows.sort_by(|a, b| {
                (a.last_name.to_lowercase(), a.first_name.to_lowercase(), &a.id).cmp(&(
                    b.last_name.to_lowercase(),
                    b.first_name.to_lowercase(),
                    &b.id,
                ))
            });
            rows.truncate(limit as usize);
            rows
        }
    };
    let mut out = Vec::with_capacity(rows.len());
    for f in rows {
        let facts = FileFacts {
            in_active_org: true,
            unit_path: &f.unit_path,
            created_it: f.created_by == user_id,
            // Every file listed is one the person sees (their units, theirs,
            // or one they take part in).
            takes_part: true,
        };
        let may_edit = policy::may_edit(&scope.grants, &facts);
        let may_manage_circle = policy::may_manage_circle(&scope.grants, &facts);
        out.push(view_of(&FileAccess {
            file: f,
            may_edit,
            may_manage_circle,
        }));
    }
    drop(conn);
    let now = ctx.clock.now();
    let mut tx = ctx.store.begin().await?;
    if out.is_empty() {
        let ev = scope.event(
            "patient.listed",
            AuditAction::List,
            "patient_file",
            scope.root_unit_id,
            client,
        );
        audit::record(&mut tx, ev, now).await?;
    }
    for f in &out {
        let ev = NewAuditEvent::new(scope.actor(), "patient.listed", AuditAction::List, "patient_file")
            .in_unit(scope.org_id, &f.unit_id)
            .ip(client.ip.clone())
            .target(&f.id)
            .scope("patient", &f.id);
        audit::record(&mut tx, ev, now).await?;
    }
    tx.commit().await?;
    Ok(out)
}

/// The clinical threads of a file the person takes part in (the file must
/// be one they see), newest first; titles Cercle wrote in `lang`.
pub async fn threads(ctx: &Ctx, scope: &OrgScope, id: PatientFileId, lang: Language) -> AppResult<Vec<FileThread>> {
    let user_id = scope.user_id;
    let mut conn = ctx.store.reader().await?;
    let a = access(&mut conn, scope, id).await?;
    let teams = teams_of(&mut conn, user_id).await?;
    let mut list = store::threads_taking_part(&mut conn, a.file.id, user_id, &teams, LIST_LIMIT).await?;
    for t in &mut list {
        t.title = crate::texts::shown(
            &t.title,
            t.title_text.as_deref(),
            lang,
            crate::threads::input::MAX_TITLE_CHARS,
        );
    }
    Ok(list)
}

/// A unit a file can be placed in.
#[derive(Debug, Clone, Serialize)]
pub struct UnitChoice {
    pub id: String,
    pub name: String,
    /// How deep in the tree (0: the root).
    pub depth: usize,
}

/// The units of the active organization (not archived), in tree order.
pub async fn units(ctx: &Ctx, scope: &OrgScope) -> AppResult<Vec<UnitChoice>> {
    let mut conn = ctx.store.reader().await?;
    let mut units = orgs::units_of(&mut conn, scope.org_id).await?;
    units.retain(|u| u.archived_at.is_none());
    units.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(units
        .into_iter()
        .map(|u| UnitChoice {
            depth: u.path.matches('/').count().saturating_sub(2),
            id: u.id.to_string(),
            name: u.name,
        })
        .collect())
}
