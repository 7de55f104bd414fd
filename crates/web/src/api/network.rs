//! The network: profiles, professions and their validation, search,
//! workplaces, the personal directory, friends and invitations.

use super::{err, ApiJson, ApiResult};
use crate::extract::{ApiAuth, ApiScope, ClientInfo, Lang};
use crate::WebState;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use cercle_app::network::directory::{self, EntryKind};
use cercle_app::network::invitations::{self, NetworkInviteInput};
use cercle_app::network::photo::Crop;
use cercle_app::network::profile::{self, ProfileInput};
use cercle_app::network::search::{self, SearchInput};
use cercle_app::network::workplaces::{self, NewWorkplace};
use cercle_app::network::{friends, professions};
use serde::Deserialize;
use serde_json::{json, Value};

/// Largest upload body (photo or proof document).
pub const MAX_UPLOAD_BYTES: usize = 8 * 1024 * 1024;

pub async fn my_profile(
    State(state): State<WebState>,
    Lang(lang): Lang,
    ApiAuth(view): ApiAuth,
) -> ApiResult<Json<Value>> {
    let principal = view.principal().map_err(err(lang))?;
    let p = profile::mine(&state.ctx, &principal, lang).await.map_err(err(lang))?;
    Ok(Json(json!(p)))
}

pub async fn update_profile(
    State(state): State<WebState>,
    Lang(lang): Lang,
    ClientInfo(client): ClientInfo,
    ApiAuth(view): ApiAuth,
    ApiJson(input): ApiJson<ProfileInput>,
) -> ApiResult<Json<Value>> {
    let principal = view.principal().map_err(err(lang))?;
    let p = profile::update(&state.ctx, &client, &principal, &input, lang)
        .await
        .map_err(err(lang))?;
    Ok(Json(json!(p)))
}

#[derive(Deserialize)]
pub struct CropQuery {
    x: Option<f64>,
    y: Option<f64>,
    size: Option<f64>,
}

/// The body is the image itself (JPEG, PNG or WebP); the crop comes in the query.
pub async fn set_photo(
    State(state): State<WebState>,
    Lang(lang): Lang,
    ClientInfo(client): ClientInfo,
    ApiAuth(view): ApiAuth,
    Query(q): Query<CropQuery>,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let principal = view.principal().map_err(err(lang))?;
    let crop = match (q.x, q.y, q.size) {
        (Some(x), Some(y), Some(size)) => Crop { x, y, size },
        _ => Crop::centered(),
    };
    let version = profile::set_photo(&state.ctx, &client, &principal, &body, &crop)
        .await
        .map_err(err(lang))?;
    Ok(Json(json!({ "photo_version": version })))
}

pub async fn remove_photo(
    State(state): State<WebState>,
    Lang(lang): Lang,
    ClientInfo(client): ClientInfo,
    ApiAuth(view): ApiAuth,
) -> ApiResult<StatusCode> {
    let principal = view.principal().map_err(err(lang))?;
    profile::remove_photo(&state.ctx, &client, &principal)
        .await
        .map_err(err(lang))?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn person(
    State(state): State<WebState>,
    Lang(lang): Lang,
    ApiAuth(view): ApiAuth,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let principal = view.principal().map_err(err(lang))?;
    let p = profile::view(&state.ctx, &principal, &id, lang)
        .await
        .map_err(err(lang))?;
    Ok(Json(json!(p)))
}

pub async fn person_photo(
    State(state): State<WebState>,
    Lang(lang): Lang,
    ApiAuth(view): ApiAuth,
    Path(id): Path<String>,
) -> Result<Response, crate::error::ApiError> {
    let principal = view.principal().map_err(err(lang))?;
    let jpeg = profile::photo_of(&state.ctx, &principal, &id)
        .await
        .map_err(err(lang))?;
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

pub async fn catalogue(Lang(lang): Lang) -> Json<Value> {
    let list: Vec<Value> = professions::catalogue(lang)
        .into_iter()
        .map(|(key, name)| json!({ "key": key, "name": name }))
        .collect();
    Json(json!({ "professions": list }))
}

#[derive(Deserialize)]
pub struct NewProfession {
    profession: String,
}

pub async fn add_profession(
    State(state): State<WebState>,
    Lang(lang): Lang,
    ClientInfo(client): ClientInfo,
    ApiAuth(view): ApiAuth,
    ApiJson(input): ApiJson<NewProfession>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let principal = view.principal().map_err(err(lang))?;
    let p = professions::add(&state.ctx, &client, &principal, &input.profession, lang)
        .await
        .map_err(err(lang))?;
    Ok((StatusCode::CREATED, Json(json!(p))))
}

pub async fn remove_profession(
    State(state): State<WebState>,
    Lang(lang): Lang,
    ClientInfo(client): ClientInfo,
    ApiAuth(view): ApiAuth,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let principal = view.principal().map_err(err(lang))?;
    professions::remove(&state.ctx, &client, &principal, &id)
        .await
        .map_err(err(lang))?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
pub struct ProofQuery {
    #[serde(default)]
    permit_number: String,
}

/// The body is the document itself (PDF, JPEG or PNG).
pub async fn submit_proof(
    State(state): State<WebState>,
    Lang(lang): Lang,
    ClientInfo(client): ClientInfo,
    ApiAuth(view): ApiAuth,
    Path(id): Path<String>,
    Query(q): Query<ProofQuery>,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let principal = view.principal().map_err(err(lang))?;
    let p = professions::submit_proof(&state.ctx, &client, &principal, &id, &q.permit_number, &body, lang)
        .await
        .map_err(err(lang))?;
    Ok(Json(json!(p)))
}

pub async fn proof_document(
    State(state): State<WebState>,
    Lang(lang): Lang,
    ClientInfo(client): ClientInfo,
    ApiAuth(view): ApiAuth,
    Path(id): Path<String>,
) -> Result<Response, crate::error::ApiError> {
    let principal = view.principal().map_err(err(lang))?;
    let (content_type, bytes) = professions::proof(&state.ctx, &client, &principal, &id)
        .await
        .map_err(err(lang))?;
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

pub async fn verification_queue(
    State(state): State<WebState>,
    Lang(lang): Lang,
    ApiAuth(view): ApiAuth,
) -> ApiResult<Json<Value>> {
    let principal = view.principal().map_err(err(lang))?;
    let q = professions::queue(&state.ctx, &principal, lang)
        .await
        .map_err(err(lang))?;
    Ok(Json(json!({ "pending": q })))
}

pub async fn approve(
    State(state): State<WebState>,
    Lang(lang): Lang,
    ClientInfo(client): ClientInfo,
    ApiAuth(view): ApiAuth,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let principal = view.principal().map_err(err(lang))?;
    professions::approve(&state.ctx, &client, &principal, &id)
        .await
        .map_err(err(lang))?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
pub struct Rejection {
    #[serde(default)]
    reason: String,
}

pub async fn reject(
    State(state): State<WebState>,
    Lang(lang): Lang,
    ClientInfo(client): ClientInfo,
    ApiAuth(view): ApiAuth,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<Rejection>,
) -> ApiResult<StatusCode> {
    let principal = view.principal().map_err(err(lang))?;
    professions::reject(&state.ctx, &client, &principal, &id, &input.reason)
        .await
        .map_err(err(lang))?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn verifiers(
    State(state): State<WebState>,
    Lang(lang): Lang,
    ApiAuth(view): ApiAuth,
) -> ApiResult<Json<Value>> {
    let principal = view.principal().map_err(err(lang))?;
    let list = professions::verifiers(&state.ctx, &principal)
        .await
        .map_err(err(lang))?;
    let list: Vec<Value> = list
        .into_iter()
        .map(|(id, name, email)| json!({ "id": id, "name": name, "email": email }))
        .collect();
    Ok(Json(json!({ "verifiers": list })))
}

#[derive(Deserialize)]
pub struct VerifierChange {
    email: String,
    #[serde(default = "yes")]
    enabled: bool,
}

fn yes() -> bool {
    true
}

pub async fn set_verifier(
    State(state): State<WebState>,
    Lang(lang): Lang,
    ClientInfo(client): ClientInfo,
    ApiAuth(view): ApiAuth,
    ApiJson(input): ApiJson<VerifierChange>,
) -> ApiResult<StatusCode> {
    let principal = view.principal().map_err(err(lang))?;
    professions::set_verifier(&state.ctx, &client, &principal, &input.email, input.enabled)
        .await
        .map_err(err(lang))?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
pub struct Toggle {
    #[serde(default)]
    enabled: bool,
}

pub async fn set_organization_validates(
    State(state): State<WebState>,
    Lang(lang): Lang,
    ClientInfo(client): ClientInfo,
    ApiAuth(view): ApiAuth,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<Toggle>,
) -> ApiResult<StatusCode> {
    let principal = view.principal().map_err(err(lang))?;
    professions::set_organization_validates(&state.ctx, &client, &principal, &id, input.enabled)
        .await
        .map_err(err(lang))?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn member_professions(
    State(state): State<WebState>,
    Lang(lang): Lang,
    ApiScope(scope): ApiScope,
) -> ApiResult<Json<Value>> {
    let (allowed, list) = professions::member_professions(&state.ctx, &scope, lang)
        .await
        .map_err(err(lang))?;
    Ok(Json(json!({ "organization_validates": allowed, "professions": list })))
}

pub async fn validate_member_profession(
    State(state): State<WebState>,
    Lang(lang): Lang,
    ClientInfo(client): ClientInfo,
    ApiScope(scope): ApiScope,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    professions::validate_for_organization(&state.ctx, &client, &scope, &id)
        .await
        .map_err(err(lang))?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn search(
    State(state): State<WebState>,
    Lang(lang): Lang,
    ApiAuth(view): ApiAuth,
    Query(q): Query<SearchInput>,
) -> ApiResult<Json<Value>> {
    let principal = view.principal().map_err(err(lang))?;
    let page = search::search(&state.ctx, &principal, &q, lang)
        .await
        .map_err(err(lang))?;
    let mut body = json!(page);
    if page.notice.is_some() {
        // Not an empty list: say why the rest of the network is missing.
        body["notice_message"] = cercle_i18n::t(lang, "error-profession-not-validated").into();
    }
    Ok(Json(body))
}

#[derive(Deserialize)]
pub struct PageQuery {
    page: Option<u32>,
}

pub async fn browse_workplaces(
    State(state): State<WebState>,
    Lang(lang): Lang,
    ApiAuth(view): ApiAuth,
    Query(q): Query<PageQuery>,
) -> ApiResult<Json<Value>> {
    let principal = view.principal().map_err(err(lang))?;
    let list = workplaces::browse(&state.ctx, &principal, q.page.unwrap_or(1).saturating_sub(1))
        .await
        .map_err(err(lang))?;
    Ok(Json(json!({ "workplaces": list })))
}

pub async fn create_workplace(
    State(state): State<WebState>,
    Lang(lang): Lang,
    ClientInfo(client): ClientInfo,
    ApiAuth(view): ApiAuth,
    ApiJson(input): ApiJson<NewWorkplace>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let principal = view.principal().map_err(err(lang))?;
    let w = workplaces::create(&state.ctx, &client, &principal, &input)
        .await
        .map_err(err(lang))?;
    Ok((StatusCode::CREATED, Json(json!(w))))
}

pub async fn workplace(
    State(state): State<WebState>,
    Lang(lang): Lang,
    ApiAuth(view): ApiAuth,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let principal = view.principal().map_err(err(lang))?;
    let w = workplaces::show(&state.ctx, &principal, &id, lang)
        .await
        .map_err(err(lang))?;
    Ok(Json(json!(w)))
}

pub async fn join_workplace(
    State(state): State<WebState>,
    Lang(lang): Lang,
    ClientInfo(client): ClientInfo,
    ApiAuth(view): ApiAuth,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let principal = view.principal().map_err(err(lang))?;
    workplaces::join(&state.ctx, &client, &principal, &id)
        .await
        .map_err(err(lang))?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn leave_workplace(
    State(state): State<WebState>,
    Lang(lang): Lang,
    ClientInfo(client): ClientInfo,
    ApiAuth(view): ApiAuth,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let principal = view.principal().map_err(err(lang))?;
    workplaces::leave(&state.ctx, &client, &principal, &id)
        .await
        .map_err(err(lang))?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn directory_list(
    State(state): State<WebState>,
    Lang(lang): Lang,
    ApiAuth(view): ApiAuth,
) -> ApiResult<Json<Value>> {
    let principal = view.principal().map_err(err(lang))?;
    let d = directory::list(&state.ctx, &principal, lang).await.map_err(err(lang))?;
    Ok(Json(json!(d)))
}

#[derive(Deserialize)]
pub struct NewEntry {
    kind: EntryKind,
    id: String,
}

pub async fn directory_add(
    State(state): State<WebState>,
    Lang(lang): Lang,
    ApiAuth(view): ApiAuth,
    ApiJson(input): ApiJson<NewEntry>,
) -> ApiResult<StatusCode> {
    let principal = view.principal().map_err(err(lang))?;
    directory::add(&state.ctx, &principal, input.kind, &input.id)
        .await
        .map_err(err(lang))?;
    Ok(StatusCode::NO_CONTENT)
}

/// Removes a person or a workplace (ids never clash) from one's directory.
pub async fn directory_remove(
    State(state): State<WebState>,
    Lang(lang): Lang,
    ApiAuth(view): ApiAuth,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let principal = view.principal().map_err(err(lang))?;
    let person = directory::remove(&state.ctx, &principal, EntryKind::Person, &id).await;
    match person {
        Ok(()) => Ok(StatusCode::NO_CONTENT),
        Err(_) => {
            directory::remove(&state.ctx, &principal, EntryKind::Workplace, &id)
                .await
                .map_err(err(lang))?;
            Ok(StatusCode::NO_CONTENT)
        }
    }
}

pub async fn friends_overview(
    State(state): State<WebState>,
    Lang(lang): Lang,
    ApiAuth(view): ApiAuth,
) -> ApiResult<Json<Value>> {
    let principal = view.principal().map_err(err(lang))?;
    let f = friends::overview(&state.ctx, &principal, lang)
        .await
        .map_err(err(lang))?;
    Ok(Json(json!(f)))
}

#[derive(Deserialize)]
pub struct FriendRequest {
    user_id: String,
}

pub async fn friend_request(
    State(state): State<WebState>,
    Lang(lang): Lang,
    ClientInfo(client): ClientInfo,
    ApiAuth(view): ApiAuth,
    ApiJson(input): ApiJson<FriendRequest>,
) -> ApiResult<Json<Value>> {
    let principal = view.principal().map_err(err(lang))?;
    let s = friends::request(&state.ctx, &client, &principal, &input.user_id)
        .await
        .map_err(err(lang))?;
    Ok(Json(json!({ "state": s })))
}

pub async fn friend_accept(
    State(state): State<WebState>,
    Lang(lang): Lang,
    ClientInfo(client): ClientInfo,
    ApiAuth(view): ApiAuth,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let principal = view.principal().map_err(err(lang))?;
    friends::accept(&state.ctx, &client, &principal, &id)
        .await
        .map_err(err(lang))?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn friend_ignore(
    State(state): State<WebState>,
    Lang(lang): Lang,
    ClientInfo(client): ClientInfo,
    ApiAuth(view): ApiAuth,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let principal = view.principal().map_err(err(lang))?;
    friends::ignore(&state.ctx, &client, &principal, &id)
        .await
        .map_err(err(lang))?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn unfriend(
    State(state): State<WebState>,
    Lang(lang): Lang,
    ClientInfo(client): ClientInfo,
    ApiAuth(view): ApiAuth,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let principal = view.principal().map_err(err(lang))?;
    friends::unfriend(&state.ctx, &client, &principal, &id)
        .await
        .map_err(err(lang))?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn invite(
    State(state): State<WebState>,
    Lang(lang): Lang,
    ClientInfo(client): ClientInfo,
    ApiAuth(view): ApiAuth,
    ApiJson(input): ApiJson<NetworkInviteInput>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let principal = view.principal().map_err(err(lang))?;
    let id = invitations::invite(&state.ctx, &client, &principal, &input)
        .await
        .map_err(err(lang))?;
    Ok((StatusCode::CREATED, Json(json!({ "id": id }))))
}

pub async fn sent_invitations(
    State(state): State<WebState>,
    Lang(lang): Lang,
    ApiAuth(view): ApiAuth,
) -> ApiResult<Json<Value>> {
    let principal = view.principal().map_err(err(lang))?;
    let list = invitations::sent(&state.ctx, &principal, lang)
        .await
        .map_err(err(lang))?;
    Ok(Json(json!({ "invitations": list })))
}

pub async fn invitation_info(
    State(state): State<WebState>,
    Lang(lang): Lang,
    Path(token): Path<String>,
) -> ApiResult<Json<Value>> {
    let info = invitations::info(&state.ctx, &token).await.map_err(err(lang))?;
    Ok(Json(json!(info)))
}

pub async fn accept_invitation(
    State(state): State<WebState>,
    Lang(lang): Lang,
    ClientInfo(client): ClientInfo,
    ApiAuth(view): ApiAuth,
    Path(token): Path<String>,
) -> ApiResult<StatusCode> {
    let principal = view.principal().map_err(err(lang))?;
    invitations::accept(&state.ctx, &client, &principal, &token)
        .await
        .map_err(err(lang))?;
    Ok(StatusCode::NO_CONTENT)
}
