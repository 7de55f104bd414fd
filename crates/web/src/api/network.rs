//! The network: profiles, professions and their validation, search,
//! workplaces, the personal directory, friends and invitations.

use super::{ApiJson, ApiQuery, ApiResult, Caller};
use crate::extract::{ApiAuth, ApiScope, ClientInfo, Lang};
use crate::WebState;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use cercle_app::network::directory::{self, Directory, DirectoryEntry, EntryKind};
use cercle_app::network::friends::{FriendState, Friends};
use cercle_app::network::invitations::{self, NetworkInvitationInfo, NetworkInviteInput, SentInvitation};
use cercle_app::network::photo::Crop;
use cercle_app::network::professions::{MemberProfession, PendingProfession, ProfessionView};
use cercle_app::network::profile::{self, ProfileInput, ProfileView};
use cercle_app::network::search::{self, SearchInput, SearchPage};
use cercle_app::network::workplaces::{self, NewWorkplace, WorkplaceSummary, WorkplaceView};
use cercle_app::network::{friends, professions};
use cercle_domain::{InvitationId, UserId, WorkplaceId};
use serde::{Deserialize, Serialize};

/// A new photo was saved.
#[derive(Serialize, utoipa::ToSchema)]
pub struct PhotoVersion {
    /// When the photo changed (to build its URL).
    pub photo_version: i64,
}

/// A profession of the catalogue.
#[derive(Serialize, utoipa::ToSchema)]
pub struct CatalogueEntry {
    pub key: String,
    /// Its name in the reader's language.
    pub name: String,
}

/// The list of professions.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Catalogue {
    pub professions: Vec<CatalogueEntry>,
}

/// Professions waiting for the verification team.
#[derive(Serialize, utoipa::ToSchema)]
pub struct VerificationQueue {
    pub pending: Vec<PendingProfession>,
}

/// A member of the verification team.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Verifier {
    pub id: UserId,
    pub name: String,
    pub email: String,
}

/// The verification team.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Verifiers {
    pub verifiers: Vec<Verifier>,
}

/// The professions of an organization's members.
#[derive(Serialize, utoipa::ToSchema)]
pub struct MemberProfessions {
    /// Whether the network lets the organization validate them.
    pub organization_validates: bool,
    pub professions: Vec<MemberProfession>,
}

/// A page of search results.
#[derive(Serialize, utoipa::ToSchema)]
pub struct SearchResponse {
    #[serde(flatten)]
    pub page: SearchPage,
    /// Why the rest of the network is missing, in the reader's language
    /// (only with a notice).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notice_message: Option<String>,
}

/// A page of workplaces.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Workplaces {
    pub workplaces: Vec<WorkplaceSummary>,
}

/// Where a friendship stands after a request.
#[derive(Serialize, utoipa::ToSchema)]
pub struct FriendStateBody {
    pub state: FriendState,
}

/// A network invitation was sent.
#[derive(Serialize, utoipa::ToSchema)]
pub struct InvitationCreated {
    pub id: InvitationId,
}

/// Network invitations one sent.
#[derive(Serialize, utoipa::ToSchema)]
pub struct SentInvitations {
    pub invitations: Vec<SentInvitation>,
}

/// Largest upload body (photo or proof document).
pub const MAX_UPLOAD_BYTES: usize = 8 * 1024 * 1024;

#[utoipa::path(
    get,
    path = "/network/profile",
    tag = "network",
    summary = "One's own network profile (professions with their status, workplaces, photo, shared phone).",
    responses((status = 200, description = "Success.", body = ProfileView)),
)]
pub async fn my_profile(
    State(state): State<WebState>,
    Caller { principal, lang }: Caller,
) -> ApiResult<Json<ProfileView>> {
    Ok(Json(profile::mine(&state.ctx, &principal, lang).await?))
}

#[utoipa::path(
    put,
    path = "/network/profile",
    tag = "network",
    summary = "Save one's profile: presentation, diplomas, competencies, contact, languages, shared_phone (friends only), restrict_external.",
    request_body = ProfileInput,
    responses((status = 200, description = "Success.", body = ProfileView)),
)]
pub async fn update_profile(
    State(state): State<WebState>,
    ClientInfo(client): ClientInfo,
    Caller { principal, lang }: Caller,
    ApiJson(input): ApiJson<ProfileInput>,
) -> ApiResult<Json<ProfileView>> {
    Ok(Json(
        profile::update(&state.ctx, &client, &principal, &input, lang).await?,
    ))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CropQuery {
    x: Option<f64>,
    y: Option<f64>,
    size: Option<f64>,
}

/// The body is the image itself (JPEG, PNG or WebP); the crop comes in the query.
#[utoipa::path(
    put,
    path = "/network/profile/photo",
    tag = "network",
    summary = "Upload a photo: the body is the image (JPEG, PNG, WebP, at most 8 MB); query x, y, size crop a square (fractions). Re-encoded without metadata.",
    params(CropQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "The file."),
    responses((status = 200, description = "Success.", body = PhotoVersion)),
)]
pub async fn set_photo(
    State(state): State<WebState>,
    ClientInfo(client): ClientInfo,
    Caller { principal, .. }: Caller,
    ApiQuery(q): ApiQuery<CropQuery>,
    body: Bytes,
) -> ApiResult<Json<PhotoVersion>> {
    let crop = match (q.x, q.y, q.size) {
        (Some(x), Some(y), Some(size)) => Crop { x, y, size },
        _ => Crop::centered(),
    };
    let version = profile::set_photo(&state.ctx, &client, &principal, &body, &crop).await?;
    Ok(Json(PhotoVersion { photo_version: version }))
}

#[utoipa::path(
    delete,
    path = "/network/profile/photo",
    tag = "network",
    summary = "Remove one's photo.",
    responses((status = 204, description = "Success.")),
)]
pub async fn remove_photo(
    State(state): State<WebState>,
    ClientInfo(client): ClientInfo,
    Caller { principal, .. }: Caller,
) -> ApiResult<StatusCode> {
    profile::remove_photo(&state.ctx, &client, &principal).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    get,
    path = "/network/people/{id}",
    tag = "network",
    summary = "A person's profile, if one may see it (colleagues, friends, or validated professionals for people who did not restrict their visibility). The phone is for friends only.",
    params(("id" = String, Path, description = "The identifier of the resource in the path.")),
    responses((status = 200, description = "Success.", body = ProfileView)),
)]
pub async fn person(
    State(state): State<WebState>,
    Lang(lang): Lang,
    ApiAuth(view): ApiAuth,
    Path(id): Path<String>,
) -> ApiResult<Json<ProfileView>> {
    let principal = view.principal()?;
    Ok(Json(profile::view(&state.ctx, &principal, id.parse()?, lang).await?))
}

#[utoipa::path(
    get,
    path = "/network/people/{id}/photo",
    tag = "network",
    summary = "A person's photo (JPEG), under the same rule as the profile.",
    params(("id" = String, Path, description = "The identifier of the resource in the path.")),
    responses((status = 200, description = "The photo (JPEG).", content_type = "image/jpeg", body = Vec<u8>)),
)]
pub async fn person_photo(
    State(state): State<WebState>,
    Caller { principal, .. }: Caller,
    Path(id): Path<String>,
) -> Result<Response, crate::error::ApiError> {
    let jpeg = profile::photo_of(&state.ctx, &principal, id.parse()?).await?;
    Ok(jpeg_response(jpeg))
}

/// A photo answer: private to the browser that asked, cached briefly (the
/// URL carries the photo's version).
pub fn jpeg_response(jpeg: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, "image/jpeg"),
            (header::CACHE_CONTROL, "private, max-age=3600"),
        ],
        jpeg,
    )
        .into_response()
}

#[utoipa::path(
    get,
    path = "/network/professions",
    tag = "network",
    summary = "The list of professions, in the reader's language.",
    responses((status = 200, description = "Success.", body = Catalogue)),
)]
pub async fn catalogue(Lang(lang): Lang) -> Json<Catalogue> {
    let professions = professions::catalogue(lang)
        .into_iter()
        .map(|(key, name)| CatalogueEntry {
            key: key.to_string(),
            name: name.to_string(),
        })
        .collect();
    Json(Catalogue { professions })
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct NewProfession {
    profession: String,
}

#[utoipa::path(
    post,
    path = "/network/professions",
    tag = "network",
    summary = "Declare a profession (unverified until proof is sent).",
    request_body = NewProfession,
    responses((status = 201, description = "Success.", body = ProfessionView)),
)]
pub async fn add_profession(
    State(state): State<WebState>,
    ClientInfo(client): ClientInfo,
    Caller { principal, lang }: Caller,
    ApiJson(input): ApiJson<NewProfession>,
) -> ApiResult<(StatusCode, Json<ProfessionView>)> {
    let p = professions::add(&state.ctx, &client, &principal, &input.profession, lang).await?;
    Ok((StatusCode::CREATED, Json(p)))
}

#[utoipa::path(
    delete,
    path = "/network/professions/{id}",
    tag = "network",
    summary = "Withdraw a profession from one's profile.",
    params(("id" = String, Path, description = "The identifier of the resource in the path.")),
    responses((status = 204, description = "Success.")),
)]
pub async fn remove_profession(
    State(state): State<WebState>,
    ClientInfo(client): ClientInfo,
    Caller { principal, .. }: Caller,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    professions::remove(&state.ctx, &client, &principal, id.parse()?).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProofQuery {
    #[serde(default)]
    permit_number: String,
}

/// The body is the document itself (PDF, JPEG or PNG).
#[utoipa::path(
    put,
    path = "/network/professions/{id}/proof",
    tag = "network",
    summary = "Send the proof of a profession: the body is the document (PDF, JPEG, PNG, at most 5 MB); query permit_number. The profession becomes pending.",
    params(("id" = String, Path, description = "The identifier of the resource in the path."), ProofQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "The file."),
    responses((status = 200, description = "Success.", body = ProfessionView)),
)]
pub async fn submit_proof(
    State(state): State<WebState>,
    ClientInfo(client): ClientInfo,
    Caller { principal, lang }: Caller,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<ProofQuery>,
    body: Bytes,
) -> ApiResult<Json<ProfessionView>> {
    let p = professions::submit_proof(
        &state.ctx,
        &client,
        &principal,
        id.parse()?,
        &q.permit_number,
        &body,
        lang,
    )
    .await?;
    Ok(Json(p))
}

#[utoipa::path(
    get,
    path = "/network/professions/{id}/proof",
    tag = "network",
    summary = "The proof document (its holder and the verification team; reading it is audited).",
    params(("id" = String, Path, description = "The identifier of the resource in the path.")),
    responses((status = 200, description = "The document (PDF, JPEG or PNG).", content_type = "*/*", body = Vec<u8>)),
)]
pub async fn proof_document(
    State(state): State<WebState>,
    ClientInfo(client): ClientInfo,
    Caller { principal, .. }: Caller,
    Path(id): Path<String>,
) -> Result<Response, crate::error::ApiError> {
    let (content_type, bytes) = professions::proof(&state.ctx, &client, &principal, id.parse()?).await?;
    Ok((
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "no-store".to_string()),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"proof\"".to_string(),
            ),
        ],
        bytes,
    )
        .into_response())
}

#[utoipa::path(
    get,
    path = "/network/verification",
    tag = "network",
    summary = "Professions waiting for the verification team.",
    responses((status = 200, description = "Success.", body = VerificationQueue)),
)]
pub async fn verification_queue(
    State(state): State<WebState>,
    Caller { principal, lang }: Caller,
) -> ApiResult<Json<VerificationQueue>> {
    let pending = professions::queue(&state.ctx, &principal, lang).await?;
    Ok(Json(VerificationQueue { pending }))
}

#[utoipa::path(
    post,
    path = "/network/verification/{id}/approve",
    tag = "network",
    summary = "Validate a pending profession (verification team).",
    params(("id" = String, Path, description = "The identifier of the resource in the path.")),
    responses((status = 204, description = "Success.")),
)]
pub async fn approve(
    State(state): State<WebState>,
    ClientInfo(client): ClientInfo,
    Caller { principal, .. }: Caller,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    professions::approve(&state.ctx, &client, &principal, id.parse()?).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct Rejection {
    #[serde(default)]
    reason: String,
}

#[utoipa::path(
    post,
    path = "/network/verification/{id}/reject",
    tag = "network",
    summary = "Reject a pending profession with a reason the person reads.",
    params(("id" = String, Path, description = "The identifier of the resource in the path.")),
    request_body = Rejection,
    responses((status = 204, description = "Success.")),
)]
pub async fn reject(
    State(state): State<WebState>,
    ClientInfo(client): ClientInfo,
    Caller { principal, .. }: Caller,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<Rejection>,
) -> ApiResult<StatusCode> {
    professions::reject(&state.ctx, &client, &principal, id.parse()?, &input.reason).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    get,
    path = "/network/verifiers",
    tag = "network",
    summary = "The verification team (network administrators).",
    responses((status = 200, description = "Success.", body = Verifiers)),
)]
pub async fn verifiers(State(state): State<WebState>, Caller { principal, .. }: Caller) -> ApiResult<Json<Verifiers>> {
    let list = professions::verifiers(&state.ctx, &principal).await?;
    let verifiers = list
        .into_iter()
        .map(|(id, name, email)| Verifier { id, name, email })
        .collect();
    Ok(Json(Verifiers { verifiers }))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct VerifierChange {
    email: String,
    #[serde(default = "yes")]
    enabled: bool,
}

fn yes() -> bool {
    true
}

#[utoipa::path(
    post,
    path = "/network/verifiers",
    tag = "network",
    summary = "Put a person on the verification team, or take them off (enabled: false).",
    request_body = VerifierChange,
    responses((status = 204, description = "Success.")),
)]
pub async fn set_verifier(
    State(state): State<WebState>,
    ClientInfo(client): ClientInfo,
    Caller { principal, .. }: Caller,
    ApiJson(input): ApiJson<VerifierChange>,
) -> ApiResult<StatusCode> {
    professions::set_verifier(&state.ctx, &client, &principal, &input.email, input.enabled).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct Toggle {
    #[serde(default)]
    enabled: bool,
}

#[utoipa::path(
    put,
    path = "/network/organizations/{id}/validation",
    tag = "network",
    summary = "Allow an organization to validate its members' professions (enabled), or stop it (network administrators).",
    params(("id" = String, Path, description = "The identifier of the resource in the path.")),
    request_body = Toggle,
    responses((status = 204, description = "Success.")),
)]
pub async fn set_organization_validates(
    State(state): State<WebState>,
    ClientInfo(client): ClientInfo,
    Caller { principal, .. }: Caller,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<Toggle>,
) -> ApiResult<StatusCode> {
    professions::set_organization_validates(&state.ctx, &client, &principal, id.parse()?, input.enabled).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    get,
    path = "/org/professions",
    tag = "network",
    summary = "The professions of the active organization's members, for its administrators to validate.",
    responses((status = 200, description = "Success.", body = MemberProfessions)),
)]
pub async fn member_professions(
    State(state): State<WebState>,
    Lang(lang): Lang,
    ApiScope(scope): ApiScope,
) -> ApiResult<Json<MemberProfessions>> {
    let (allowed, list) = professions::member_professions(&state.ctx, &scope, lang).await?;
    Ok(Json(MemberProfessions {
        organization_validates: allowed,
        professions: list,
    }))
}

#[utoipa::path(
    post,
    path = "/org/professions/{id}/validate",
    tag = "network",
    summary = "Validate a member's profession on behalf of the organization, when the network allows it.",
    params(("id" = String, Path, description = "The identifier of the resource in the path.")),
    responses((status = 204, description = "Success.")),
)]
pub async fn validate_member_profession(
    State(state): State<WebState>,
    ClientInfo(client): ClientInfo,
    ApiScope(scope): ApiScope,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    professions::validate_for_organization(&state.ctx, &client, &scope, id.parse()?).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    get,
    path = "/network/search",
    tag = "network",
    summary = "Search people and workplaces (q; kind, profession, workplace, page). Outside one's organizations and friends, for validated professionals only.",
    params(SearchInput),
    responses((status = 200, description = "Success.", body = SearchResponse)),
)]
pub async fn search(
    State(state): State<WebState>,
    Caller { principal, lang }: Caller,
    ApiQuery(q): ApiQuery<SearchInput>,
) -> ApiResult<Json<SearchResponse>> {
    let page = search::search(&state.ctx, &principal, &q, lang).await?;
    // Not an empty list: say why the rest of the network is missing.
    let notice_message = page
        .notice
        .map(|_| cercle_i18n::t(lang, "error-profession-not-validated").to_string());
    Ok(Json(SearchResponse { page, notice_message }))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    page: Option<u32>,
}

#[utoipa::path(
    get,
    path = "/network/workplaces",
    tag = "network",
    summary = "Every workplace of the network, by name (page).",
    params(PageQuery),
    responses((status = 200, description = "Success.", body = Workplaces)),
)]
pub async fn browse_workplaces(
    State(state): State<WebState>,
    Caller { principal, .. }: Caller,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<Json<Workplaces>> {
    let list = workplaces::browse(&state.ctx, &principal, q.page.unwrap_or(1).saturating_sub(1)).await?;
    Ok(Json(Workplaces { workplaces: list }))
}

#[utoipa::path(
    post,
    path = "/network/workplaces",
    tag = "network",
    summary = "Create an independent workplace and join it.",
    request_body = NewWorkplace,
    responses((status = 201, description = "Success.", body = WorkplaceSummary)),
)]
pub async fn create_workplace(
    State(state): State<WebState>,
    ClientInfo(client): ClientInfo,
    Caller { principal, .. }: Caller,
    ApiJson(input): ApiJson<NewWorkplace>,
) -> ApiResult<(StatusCode, Json<WorkplaceSummary>)> {
    let w = workplaces::create(&state.ctx, &client, &principal, &input).await?;
    Ok((StatusCode::CREATED, Json(w)))
}

#[utoipa::path(
    get,
    path = "/network/workplaces/{id}",
    tag = "network",
    summary = "A workplace: who works there (whom one may see) and, for its organization's members, its teams.",
    params(("id" = String, Path, description = "The identifier of the resource in the path.")),
    responses((status = 200, description = "Success.", body = WorkplaceView)),
)]
pub async fn workplace(
    State(state): State<WebState>,
    Caller { principal, lang }: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<WorkplaceView>> {
    Ok(Json(workplaces::show(&state.ctx, &principal, id.parse()?, lang).await?))
}

#[utoipa::path(
    post,
    path = "/network/workplaces/{id}/join",
    tag = "network",
    summary = "Join a workplace (an independent one, or one of one's organization).",
    params(("id" = String, Path, description = "The identifier of the resource in the path.")),
    responses((status = 204, description = "Success.")),
)]
pub async fn join_workplace(
    State(state): State<WebState>,
    ClientInfo(client): ClientInfo,
    Caller { principal, .. }: Caller,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    workplaces::join(&state.ctx, &client, &principal, id.parse()?).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    post,
    path = "/network/workplaces/{id}/leave",
    tag = "network",
    summary = "Leave a workplace.",
    params(("id" = String, Path, description = "The identifier of the resource in the path.")),
    responses((status = 204, description = "Success.")),
)]
pub async fn leave_workplace(
    State(state): State<WebState>,
    ClientInfo(client): ClientInfo,
    Caller { principal, .. }: Caller,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    workplaces::leave(&state.ctx, &client, &principal, id.parse()?).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    get,
    path = "/network/directory",
    tag = "network",
    summary = "One's personal directory: people and workplaces (private).",
    responses((status = 200, description = "Success.", body = Directory)),
)]
pub async fn directory_list(
    State(state): State<WebState>,
    Caller { principal, lang }: Caller,
) -> ApiResult<Json<Directory>> {
    Ok(Json(directory::list(&state.ctx, &principal, lang).await?))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct NewEntry {
    kind: EntryKind,
    id: String,
}

#[utoipa::path(
    post,
    path = "/network/directory",
    tag = "network",
    summary = "Add a person or a workplace (kind: person, workplace) to one's directory; they are not notified.",
    request_body = NewEntry,
    responses((status = 204, description = "Success.")),
)]
pub async fn directory_add(
    State(state): State<WebState>,
    Caller { principal, .. }: Caller,
    ApiJson(input): ApiJson<NewEntry>,
) -> ApiResult<StatusCode> {
    directory::add(&state.ctx, &principal, directory::entry(input.kind, &input.id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Removes a person or a workplace (ids never clash) from one's directory.
#[utoipa::path(
    delete,
    path = "/network/directory/{id}",
    tag = "network",
    summary = "Remove a person or a workplace from one's directory.",
    params(("id" = String, Path, description = "The identifier of the resource in the path.")),
    responses((status = 204, description = "Success.")),
)]
pub async fn directory_remove(
    State(state): State<WebState>,
    Caller { principal, .. }: Caller,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let id: uuid::Uuid = id.parse::<UserId>()?.0;
    let person = directory::remove(&state.ctx, &principal, DirectoryEntry::Person(UserId(id))).await;
    match person {
        Ok(()) => Ok(StatusCode::NO_CONTENT),
        Err(_) => {
            directory::remove(&state.ctx, &principal, DirectoryEntry::Workplace(WorkplaceId(id))).await?;
            Ok(StatusCode::NO_CONTENT)
        }
    }
}

#[utoipa::path(
    get,
    path = "/network/friends",
    tag = "network",
    summary = "Friends, requests received, requests sent.",
    responses((status = 200, description = "Success.", body = Friends)),
)]
pub async fn friends_overview(
    State(state): State<WebState>,
    Lang(lang): Lang,
    ApiAuth(view): ApiAuth,
) -> ApiResult<Json<Friends>> {
    let principal = view.principal()?;
    Ok(Json(friends::overview(&state.ctx, &principal, lang).await?))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct FriendRequest {
    user_id: String,
}

#[utoipa::path(
    post,
    path = "/network/friends",
    tag = "network",
    summary = "Send a friend request (the recipient is notified and goes into one's directory).",
    request_body = FriendRequest,
    responses((status = 200, description = "Success.", body = FriendStateBody)),
)]
pub async fn friend_request(
    State(state): State<WebState>,
    ClientInfo(client): ClientInfo,
    Caller { principal, .. }: Caller,
    ApiJson(input): ApiJson<FriendRequest>,
) -> ApiResult<Json<FriendStateBody>> {
    let state = friends::request(&state.ctx, &client, &principal, input.user_id.parse()?).await?;
    Ok(Json(FriendStateBody { state }))
}

#[utoipa::path(
    post,
    path = "/network/friends/requests/{id}/accept",
    tag = "network",
    summary = "Accept a friend request.",
    params(("id" = String, Path, description = "The identifier of the resource in the path.")),
    responses((status = 204, description = "Success.")),
)]
pub async fn friend_accept(
    State(state): State<WebState>,
    ClientInfo(client): ClientInfo,
    Caller { principal, .. }: Caller,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    friends::accept(&state.ctx, &client, &principal, id.parse()?).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    post,
    path = "/network/friends/requests/{id}/ignore",
    tag = "network",
    summary = "Ignore a friend request (the sender is not told).",
    params(("id" = String, Path, description = "The identifier of the resource in the path.")),
    responses((status = 204, description = "Success.")),
)]
pub async fn friend_ignore(
    State(state): State<WebState>,
    ClientInfo(client): ClientInfo,
    Caller { principal, .. }: Caller,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    friends::ignore(&state.ctx, &client, &principal, id.parse()?).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    delete,
    path = "/network/friends/{id}",
    tag = "network",
    summary = "End a friendship with a person (or withdraw one's request).",
    params(("id" = String, Path, description = "The identifier of the resource in the path.")),
    responses((status = 204, description = "Success.")),
)]
pub async fn unfriend(
    State(state): State<WebState>,
    ClientInfo(client): ClientInfo,
    Caller { principal, .. }: Caller,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    friends::unfriend(&state.ctx, &client, &principal, id.parse()?).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    post,
    path = "/network/invitations",
    tag = "network",
    summary = "Invite a professional to the network by email, vouching for their profession (validated professionals only).",
    request_body = NetworkInviteInput,
    responses((status = 201, description = "Success.", body = InvitationCreated)),
)]
pub async fn invite(
    State(state): State<WebState>,
    ClientInfo(client): ClientInfo,
    Caller { principal, .. }: Caller,
    ApiJson(input): ApiJson<NetworkInviteInput>,
) -> ApiResult<(StatusCode, Json<InvitationCreated>)> {
    let id = invitations::invite(&state.ctx, &client, &principal, &input).await?;
    Ok((StatusCode::CREATED, Json(InvitationCreated { id })))
}

#[utoipa::path(
    get,
    path = "/network/invitations",
    tag = "network",
    summary = "Invitations to the network one sent.",
    responses((status = 200, description = "Success.", body = SentInvitations)),
)]
pub async fn sent_invitations(
    State(state): State<WebState>,
    Caller { principal, lang }: Caller,
) -> ApiResult<Json<SentInvitations>> {
    let list = invitations::sent(&state.ctx, &principal, lang).await?;
    Ok(Json(SentInvitations { invitations: list }))
}

#[utoipa::path(
    get,
    path = "/network/invitations/{id}",
    tag = "network",
    summary = "What a network invitation link is for (the id is the link's token).",
    params(("id" = String, Path, description = "The identifier of the resource in the path.")),
    responses((status = 200, description = "Success.", body = NetworkInvitationInfo)),
    security(()),
)]
pub async fn invitation_info(
    State(state): State<WebState>,
    Path(token): Path<String>,
) -> ApiResult<Json<NetworkInvitationInfo>> {
    Ok(Json(invitations::info(&state.ctx, &token).await?))
}

#[utoipa::path(
    post,
    path = "/network/invitations/{id}/accept",
    tag = "network",
    summary = "Accept a network invitation as the signed-in person: the vouched profession is validated.",
    params(("id" = String, Path, description = "The identifier of the resource in the path.")),
    responses((status = 204, description = "Success.")),
)]
pub async fn accept_invitation(
    State(state): State<WebState>,
    ClientInfo(client): ClientInfo,
    Caller { principal, .. }: Caller,
    Path(token): Path<String>,
) -> ApiResult<StatusCode> {
    invitations::accept(&state.ctx, &client, &principal, &token).await?;
    Ok(StatusCode::NO_CONTENT)
}
