//! Care channels, their participants and threads, and pinned documents.

use super::threads::Threads;
use super::{ApiJson, ApiQuery, ApiResult, Caller};
use crate::extract::{ClientInfo, UploadBody};
use crate::WebState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use cercle_app::patients::channels::{self, Channel, NewChannel, NewChannelThread};
use cercle_app::patients::pinned::{self, PinnedDocument};
use cercle_app::threads::care_channels;
use cercle_app::threads::service::{ParticipantRef, ThreadView};
use cercle_domain::PatientFileId;
use serde::{Deserialize, Serialize};

/// Care channels.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Channels {
    pub channels: Vec<Channel>,
}

/// A channel's pinned documents.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Documents {
    pub documents: Vec<PinnedDocument>,
}

#[utoipa::path(
    get,
    path = "/patient-files/{id}/channels",
    tag = "channels",
    summary = "The care channels of a patient file one takes part in (one's drafts included).",
    params(("id" = String, Path, description = "The identifier of the resource in the path.")),
    responses((status = 200, description = "Success.", body = Channels)),
)]
pub async fn of_file(
    State(state): State<WebState>,
    ClientInfo(client): ClientInfo,
    Caller { principal, .. }: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Channels>> {
    let id: PatientFileId = id.parse()?;
    let list = channels::list_of_file(&state.ctx, &client, &principal, id).await?;
    Ok(Json(Channels { channels: list }))
}

#[utoipa::path(
    post,
    path = "/patient-files/{id}/channels",
    tag = "channels",
    summary = "Create a care channel (a draft only its creator sees until the first message): title (1 to 120 characters; the patient sees it as the name of their care team), participants [{kind: user|team|circle, id}] (circle members of this file: patient and caregiver managers only). Archived file: 409 patient-archived.",
    params(("id" = String, Path, description = "The identifier of the resource in the path.")),
    request_body = NewChannel,
    responses((status = 201, description = "Success.", body = Channel)),
)]
pub async fn create(
    State(state): State<WebState>,
    ClientInfo(client): ClientInfo,
    Caller { principal, .. }: Caller,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<NewChannel>,
) -> ApiResult<(StatusCode, Json<Channel>)> {
    let id: PatientFileId = id.parse()?;
    let c = channels::create(&state.ctx, &client, &principal, id, &input).await?;
    Ok((StatusCode::CREATED, Json(c)))
}

#[utoipa::path(
    get,
    path = "/channels",
    tag = "channels",
    summary = "One's care channels: a professional's in the active organization; a patient's or caregiver's care teams.",
    responses((status = 200, description = "Success.", body = Channels)),
)]
pub async fn mine(
    State(state): State<WebState>,
    ClientInfo(client): ClientInfo,
    Caller { principal, .. }: Caller,
) -> ApiResult<Json<Channels>> {
    let list = channels::mine(&state.ctx, &client, &principal).await?;
    Ok(Json(Channels { channels: list }))
}

#[utoipa::path(
    get,
    path = "/channels/{id}",
    tag = "channels",
    summary = "A care channel with its participants [{kind, id, name, section, state}]. Not reachable: 404.",
    params(("id" = String, Path, description = "The identifier of the resource in the path.")),
    responses((status = 200, description = "Success.", body = Channel)),
)]
pub async fn show(
    State(state): State<WebState>,
    ClientInfo(client): ClientInfo,
    Caller { principal, .. }: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Channel>> {
    let c = channels::show(&state.ctx, &client, &principal, id.parse()?).await?;
    Ok(Json(c))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct Who {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    id: String,
}

#[utoipa::path(
    post,
    path = "/channels/{id}/participants",
    tag = "channels",
    summary = "Add a participant {kind: user|team|circle, id} (professionals of the channel; circle members: patient and caregiver managers only).",
    params(("id" = String, Path, description = "The identifier of the resource in the path.")),
    request_body = Who,
    responses((status = 200, description = "Success.", body = Channel)),
)]
pub async fn add_participant(
    State(state): State<WebState>,
    ClientInfo(client): ClientInfo,
    Caller { principal, .. }: Caller,
    Path(id): Path<String>,
    ApiJson(who): ApiJson<Who>,
) -> ApiResult<Json<Channel>> {
    let who = ParticipantRef {
        kind: who.kind,
        id: who.id,
    };
    let c = channels::add_participant(&state.ctx, &client, &principal, id.parse()?, &who).await?;
    Ok(Json(c))
}

#[utoipa::path(
    delete,
    path = "/channels/{id}/participants/{kind}/{pid}",
    tag = "channels",
    summary = "Remove a participant of the channel.",
    params(("id" = String, Path, description = "The identifier of the resource in the path."), ("kind" = String, Path, description = "The participant's kind: user, team or circle."), ("pid" = String, Path, description = "The participant's id.")),
    responses((status = 204, description = "Success.")),
)]
pub async fn remove_participant(
    State(state): State<WebState>,
    ClientInfo(client): ClientInfo,
    Caller { principal, .. }: Caller,
    Path((id, kind, pid)): Path<(String, String, String)>,
) -> ApiResult<StatusCode> {
    let who = ParticipantRef { kind, id: pid };
    care_channels::remove_participant(&state.ctx, &client, &principal, id.parse()?, &who).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ClosedQuery {
    #[serde(default)]
    closed: bool,
}

#[utoipa::path(
    get,
    path = "/channels/{id}/threads",
    tag = "channels",
    summary = "The channel's threads (closed=true for closed ones), with unread counts.",
    params(("id" = String, Path, description = "The identifier of the resource in the path."), ClosedQuery),
    responses((status = 200, description = "Success.", body = Threads)),
)]
pub async fn threads(
    State(state): State<WebState>,
    ClientInfo(client): ClientInfo,
    Caller { principal, lang }: Caller,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<ClosedQuery>,
) -> ApiResult<Json<Threads>> {
    let list = channels::threads(&state.ctx, &client, &principal, id.parse()?, q.closed, lang).await?;
    Ok(Json(Threads { threads: list }))
}

#[utoipa::path(
    post,
    path = "/channels/{id}/threads",
    tag = "channels",
    summary = "Open a thread in the channel with its first message (title, body, high_priority); it starts with the channel's teams. The first one starts the channel. Observers: 403.",
    params(("id" = String, Path, description = "The identifier of the resource in the path.")),
    request_body = NewChannelThread,
    responses((status = 201, description = "Success.", body = ThreadView)),
)]
pub async fn start_thread(
    State(state): State<WebState>,
    ClientInfo(client): ClientInfo,
    Caller { principal, lang }: Caller,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<NewChannelThread>,
) -> ApiResult<(StatusCode, Json<ThreadView>)> {
    let t = care_channels::start_thread(&state.ctx, &client, &principal, id.parse()?, &input, lang).await?;
    Ok((StatusCode::CREATED, Json(t)))
}

#[utoipa::path(
    get,
    path = "/channels/{id}/pinned",
    tag = "channels",
    summary = "The channel's pinned documents, each with every version (who, when, attachment to download).",
    params(("id" = String, Path, description = "The identifier of the resource in the path.")),
    responses((status = 200, description = "Success.", body = Documents)),
)]
pub async fn pinned_list(
    State(state): State<WebState>,
    ClientInfo(client): ClientInfo,
    Caller { principal, .. }: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Documents>> {
    let docs = pinned::list(&state.ctx, &client, &principal, id.parse()?).await?;
    Ok(Json(Documents { documents: docs }))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct PinInput {
    #[serde(default)]
    attachment_id: String,
}

#[utoipa::path(
    post,
    path = "/channels/{id}/pinned",
    tag = "channels",
    summary = "Pin an attachment of one of the channel's threads (attachment_id; professionals of the channel).",
    params(("id" = String, Path, description = "The identifier of the resource in the path.")),
    request_body = PinInput,
    responses((status = 201, description = "Success.", body = PinnedDocument)),
)]
pub async fn pin(
    State(state): State<WebState>,
    ClientInfo(client): ClientInfo,
    Caller { principal, .. }: Caller,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<PinInput>,
) -> ApiResult<(StatusCode, Json<PinnedDocument>)> {
    let d = pinned::pin(
        &state.ctx,
        &client,
        &principal,
        id.parse()?,
        input.attachment_id.parse()?,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(d)))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct VersionQuery {
    #[serde(default)]
    name: String,
    kind: Option<String>,
}

/// The body is the new version's file (as for thread attachments); `name`
/// and `kind` in the query.
#[utoipa::path(
    post,
    path = "/pinned/{id}/versions",
    tag = "channels",
    summary = "Upload a new version of a pinned document: the body is the file; query name, kind. Opens a thread \"Updated document: name\" in the channel that notifies its participants; its title is a system text (title_text {key: chan-updated-document, args: {name}}), shown to each reader in their language.",
    params(("id" = String, Path, description = "The identifier of the resource in the path."), VersionQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "The file, with its size in `Content-Length`; it is checked and stored as it arrives."),
    responses(
        (status = 201, description = "Success.", body = PinnedDocument),
        (status = 411, description = "length-required: the body has no `Content-Length`.", body = crate::error::ErrorBody),
    ),
)]
pub async fn add_version(
    State(state): State<WebState>,
    ClientInfo(client): ClientInfo,
    Caller { principal, lang }: Caller,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<VersionQuery>,
    UploadBody(file): UploadBody,
) -> ApiResult<(StatusCode, Json<PinnedDocument>)> {
    let d = pinned::add_version(
        &state.ctx,
        &client,
        &principal,
        id.parse()?,
        &q.name,
        q.kind.as_deref(),
        file,
        lang,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(d)))
}
