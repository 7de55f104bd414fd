//! Threads, messages, read state, drafts, direct messages, the minimal
//! patient files clinical threads need, and the live event stream.

use super::{ApiJson, ApiQuery, ApiResult, Caller};
use crate::cookies;
use crate::extract::{replay, ApiAuth, ClientInfo, Idempotent, IdempotentUpload, Lang};
use crate::WebState;
use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use cercle_app::accounts::{session, Activity, Credential, SessionState};
use cercle_app::idempotency::{self, Answer};
use cercle_app::notifications;
use cercle_app::threads::attachments;
use cercle_app::threads::attachments::GalleryItem;
use cercle_app::threads::hub::{self, Event};
use cercle_app::threads::service::{
    self, FoundMessage, ListedThread, MessageView, NewThreadInput, ParticipantRef, ParticipantView, ThreadView,
};
use cercle_domain::events::EventKind;
use cercle_domain::threads::ParticipantKind;
use cercle_domain::Language;
use futures_util::SinkExt;
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

/// One's threads.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Threads {
    pub threads: Vec<ListedThread>,
}

/// Unread messages over one's open threads.
#[derive(Serialize, utoipa::ToSchema)]
pub struct UnreadMessages {
    pub unread: i64,
}

/// Messages found by a search.
#[derive(Serialize, utoipa::ToSchema)]
pub struct SearchResults {
    pub results: Vec<FoundMessage>,
}

/// A page of a thread's messages.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Messages {
    pub messages: Vec<MessageView>,
}

/// An earlier text of a message.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Version {
    pub version: i64,
    pub body: String,
    /// When it was replaced (Unix ms).
    pub replaced_at: i64,
}

/// The earlier texts of a message.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Versions {
    pub versions: Vec<Version>,
}

/// A thread's participants.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ParticipantList {
    pub participants: Vec<ParticipantView>,
}

/// A thread's attachments.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Gallery {
    pub attachments: Vec<GalleryItem>,
}

/// Largest attachment upload body (a video).
pub const MAX_ATTACHMENT_BODY: usize = cercle_app::threads::uploads::MAX_ANY + 1024 * 1024;

#[utoipa::path(
    post,
    path = "/threads",
    tag = "threads",
    summary = "Start a thread: kind clinical (patient_file_id of the active organization) or collaboration; title; participants [{kind: user|team, id}]; high_priority.",
    params(super::headers::IdempotencyHeader),
    request_body = NewThreadInput,
    responses((status = 201, description = "Success.", body = ThreadView)),
)]
pub async fn create(
    State(state): State<WebState>,
    Lang(lang): Lang,
    ClientInfo(client): ClientInfo,
    ApiAuth(view): ApiAuth,
    request: Idempotent,
) -> Result<Response, Response> {
    let input: NewThreadInput = request.json(lang)?;
    let principal = view.principal().map_err(refuse(lang))?;
    let (ctx, p) = (&state.ctx, &principal);
    let answer = idempotency::run(
        ctx,
        &client,
        view.user_id().map_err(refuse(lang))?,
        request.key.as_ref(),
        &request.hash,
        |client| async move {
            let t = service::create(ctx, &client, p, &input).await?;
            Ok(Answer::created(json!(t)))
        },
    )
    .await
    .map_err(refuse(lang))?;
    Ok(replay(answer))
}

/// An error as the API answers it.
pub(crate) fn refuse(lang: cercle_domain::Language) -> impl Fn(cercle_app::AppError) -> Response {
    move |error| crate::error::ApiError::new(error, lang).into_response()
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    #[serde(default)]
    closed: bool,
}

#[utoipa::path(
    get,
    path = "/threads",
    tag = "threads",
    summary = "One's threads in the active organization and direct messages (closed=true for closed ones), with unread counts. A title Cercle wrote comes as title (in the caller's language) and title_text {key, args}.",
    params(ListQuery),
    responses((status = 200, description = "Success.", body = Threads)),
)]
pub async fn list(
    State(state): State<WebState>,
    Caller { principal, lang }: Caller,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult<Json<Threads>> {
    let list = service::list(&state.ctx, &principal, q.closed, lang).await?;
    Ok(Json(Threads { threads: list }))
}

#[utoipa::path(
    get,
    path = "/threads/unread",
    tag = "threads",
    summary = "Unread messages over one's open threads.",
    responses((status = 200, description = "Success.", body = UnreadMessages)),
)]
pub async fn unread(
    State(state): State<WebState>,
    Caller { principal, .. }: Caller,
) -> ApiResult<Json<UnreadMessages>> {
    let n = service::unread_total(&state.ctx, &principal).await?;
    Ok(Json(UnreadMessages { unread: n }))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchQuery {
    #[serde(default)]
    q: String,
}

#[utoipa::path(
    get,
    path = "/threads/search",
    tag = "threads",
    summary = "Search the messages of the threads one may see (q; accent-insensitive).",
    params(SearchQuery),
    responses((status = 200, description = "Success.", body = SearchResults)),
)]
pub async fn search(
    State(state): State<WebState>,
    Caller { principal, lang }: Caller,
    ApiQuery(q): ApiQuery<SearchQuery>,
) -> ApiResult<Json<SearchResults>> {
    let found = service::search(&state.ctx, &principal, &q.q, lang).await?;
    Ok(Json(SearchResults { results: found }))
}

#[utoipa::path(
    get,
    path = "/threads/{id}",
    tag = "threads",
    summary = "A thread: participants, state, one's draft. A title Cercle wrote comes as title (in the caller's language) and title_text {key, args}; otherwise title_text is null. Not a participant: 404.",
    params(("id" = String, Path, description = "The identifier of the resource in the path.")),
    responses((status = 200, description = "Success.", body = ThreadView)),
)]
pub async fn show(
    State(state): State<WebState>,
    ClientInfo(client): ClientInfo,
    Caller { principal, lang }: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<ThreadView>> {
    let t = service::show(&state.ctx, &client, &principal, id.parse()?, lang).await?;
    Ok(Json(t))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Before {
    before: Option<i64>,
}

#[utoipa::path(
    get,
    path = "/threads/{id}/messages",
    tag = "threads",
    summary = "Messages (before=seq for earlier ones), with attachments, seen by and acknowledged by.",
    params(("id" = String, Path, description = "The identifier of the resource in the path."), Before),
    responses((status = 200, description = "Success.", body = Messages)),
)]
pub async fn messages(
    State(state): State<WebState>,
    ClientInfo(client): ClientInfo,
    Caller { principal, lang }: Caller,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<Before>,
) -> ApiResult<Json<Messages>> {
    let list = service::messages(&state.ctx, &client, &principal, id.parse()?, q.before, lang).await?;
    Ok(Json(Messages { messages: list }))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct NewMessage {
    #[serde(default)]
    body: String,
    #[serde(default)]
    priority: bool,
}

#[utoipa::path(
    post,
    path = "/threads/{id}/messages",
    tag = "threads",
    summary = "Post a message (body; priority asks everyone to acknowledge).",
    params(("id" = String, Path, description = "The identifier of the resource in the path."), super::headers::IdempotencyHeader),
    request_body = NewMessage,
    responses((status = 201, description = "Success.", body = MessageView)),
)]
pub async fn post(
    State(state): State<WebState>,
    Lang(lang): Lang,
    ClientInfo(client): ClientInfo,
    ApiAuth(view): ApiAuth,
    Path(id): Path<String>,
    request: Idempotent,
) -> Result<Response, Response> {
    let input: NewMessage = request.json(lang)?;
    let principal = view.principal().map_err(refuse(lang))?;
    let (ctx, p, id) = (&state.ctx, &principal, id.as_str());
    let answer = idempotency::run(
        ctx,
        &client,
        view.user_id().map_err(refuse(lang))?,
        request.key.as_ref(),
        &request.hash,
        |client| async move {
            let m = service::post(ctx, &client, p, id.parse()?, &input.body, input.priority, lang).await?;
            Ok(Answer::created(json!(m)))
        },
    )
    .await
    .map_err(refuse(lang))?;
    Ok(replay(answer))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct Body {
    #[serde(default)]
    body: String,
}

#[utoipa::path(
    put,
    path = "/messages/{id}",
    tag = "threads",
    summary = "Edit one's message (body); the earlier text is kept.",
    params(("id" = String, Path, description = "The identifier of the resource in the path.")),
    request_body = Body,
    responses((status = 200, description = "Success.", body = MessageView)),
)]
pub async fn edit(
    State(state): State<WebState>,
    ClientInfo(client): ClientInfo,
    Caller { principal, lang }: Caller,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<Body>,
) -> ApiResult<Json<MessageView>> {
    let m = service::edit(&state.ctx, &client, &principal, id.parse()?, &input.body, lang).await?;
    Ok(Json(m))
}

#[utoipa::path(
    post,
    path = "/messages/{id}/retract",
    tag = "threads",
    summary = "Retract one's message; a trace stays.",
    params(("id" = String, Path, description = "The identifier of the resource in the path.")),
    responses((status = 200, description = "Success.", body = MessageView)),
)]
pub async fn retract(
    State(state): State<WebState>,
    ClientInfo(client): ClientInfo,
    Caller { principal, lang }: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<MessageView>> {
    let m = service::retract(&state.ctx, &client, &principal, id.parse()?, lang).await?;
    Ok(Json(m))
}

#[utoipa::path(
    get,
    path = "/messages/{id}/versions",
    tag = "threads",
    summary = "Earlier texts of an edited or retracted message.",
    params(("id" = String, Path, description = "The identifier of the resource in the path.")),
    responses((status = 200, description = "Success.", body = Versions)),
)]
pub async fn versions(
    State(state): State<WebState>,
    Caller { principal, .. }: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Versions>> {
    let v = service::versions(&state.ctx, &principal, id.parse()?).await?;
    let versions = v
        .into_iter()
        .map(|(version, body, replaced_at)| Version {
            version,
            body,
            replaced_at,
        })
        .collect();
    Ok(Json(Versions { versions }))
}

#[utoipa::path(
    post,
    path = "/messages/{id}/ack",
    tag = "threads",
    summary = "Acknowledge a high-priority message.",
    params(("id" = String, Path, description = "The identifier of the resource in the path.")),
    responses((status = 204, description = "Success.")),
)]
pub async fn acknowledge(
    State(state): State<WebState>,
    ClientInfo(client): ClientInfo,
    Caller { principal, .. }: Caller,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    service::acknowledge(&state.ctx, &client, &principal, id.parse()?).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct Participants {
    #[serde(default)]
    participants: Vec<ParticipantRef>,
}

#[utoipa::path(
    post,
    path = "/threads/{id}/participants",
    tag = "threads",
    summary = "Add people or teams ({participants: [{kind, id}]}); they see the whole history.",
    params(("id" = String, Path, description = "The identifier of the resource in the path.")),
    request_body = Participants,
    responses((status = 200, description = "Success.", body = ParticipantList)),
)]
pub async fn add_participants(
    State(state): State<WebState>,
    ClientInfo(client): ClientInfo,
    Caller { principal, .. }: Caller,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<Participants>,
) -> ApiResult<Json<ParticipantList>> {
    let list = service::add_participants(&state.ctx, &client, &principal, id.parse()?, &input.participants).await?;
    Ok(Json(ParticipantList { participants: list }))
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
    path = "/threads/{id}/participants/remove",
    tag = "threads",
    summary = "Remove a participant (the thread's creator) — {kind, id}.",
    params(("id" = String, Path, description = "The identifier of the resource in the path.")),
    request_body = Who,
    responses((status = 204, description = "Success.")),
)]
pub async fn remove_participant(
    State(state): State<WebState>,
    ClientInfo(client): ClientInfo,
    Caller { principal, .. }: Caller,
    Path(id): Path<String>,
    ApiJson(who): ApiJson<Who>,
) -> ApiResult<StatusCode> {
    let who = ParticipantRef {
        kind: who.kind,
        id: who.id,
    };
    service::remove_participant(&state.ctx, &client, &principal, id.parse()?, &who).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    post,
    path = "/threads/{id}/leave",
    tag = "threads",
    summary = "Leave the thread.",
    params(("id" = String, Path, description = "The identifier of the resource in the path.")),
    responses((status = 204, description = "Success.")),
)]
pub async fn leave(
    State(state): State<WebState>,
    ClientInfo(client): ClientInfo,
    ApiAuth(view): ApiAuth,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let principal = view.principal()?;
    let who = ParticipantRef {
        kind: ParticipantKind::User.as_str().into(),
        id: view.user.id.clone(),
    };
    service::remove_participant(&state.ctx, &client, &principal, id.parse()?, &who).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    post,
    path = "/threads/{id}/close",
    tag = "threads",
    summary = "Close the thread (read-only; who and when are shown).",
    params(("id" = String, Path, description = "The identifier of the resource in the path.")),
    responses((status = 204, description = "Success.")),
)]
pub async fn close(
    State(state): State<WebState>,
    ClientInfo(client): ClientInfo,
    Caller { principal, .. }: Caller,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    service::set_closed(&state.ctx, &client, &principal, id.parse()?, true).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    post,
    path = "/threads/{id}/reopen",
    tag = "threads",
    summary = "Reopen a closed thread.",
    params(("id" = String, Path, description = "The identifier of the resource in the path.")),
    responses((status = 204, description = "Success.")),
)]
pub async fn reopen(
    State(state): State<WebState>,
    ClientInfo(client): ClientInfo,
    Caller { principal, .. }: Caller,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    service::set_closed(&state.ctx, &client, &principal, id.parse()?, false).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct Priority {
    #[serde(default)]
    high_priority: bool,
}

#[utoipa::path(
    put,
    path = "/threads/{id}/priority",
    tag = "threads",
    summary = "Mark the thread high priority or not (high_priority).",
    params(("id" = String, Path, description = "The identifier of the resource in the path.")),
    request_body = Priority,
    responses((status = 204, description = "Success.")),
)]
pub async fn set_priority(
    State(state): State<WebState>,
    ClientInfo(client): ClientInfo,
    Caller { principal, .. }: Caller,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<Priority>,
) -> ApiResult<StatusCode> {
    service::set_priority(&state.ctx, &client, &principal, id.parse()?, input.high_priority).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    post,
    path = "/threads/{id}/duplicate",
    tag = "threads",
    summary = "A new thread with the same title and participants, without messages.",
    params(("id" = String, Path, description = "The identifier of the resource in the path.")),
    responses((status = 201, description = "Success.", body = ThreadView)),
)]
pub async fn duplicate(
    State(state): State<WebState>,
    ClientInfo(client): ClientInfo,
    Caller { principal, lang }: Caller,
    Path(id): Path<String>,
) -> ApiResult<(StatusCode, Json<ThreadView>)> {
    let t = service::duplicate(&state.ctx, &client, &principal, id.parse()?, lang).await?;
    Ok((StatusCode::CREATED, Json(t)))
}

#[utoipa::path(
    put,
    path = "/threads/{id}/draft",
    tag = "threads",
    summary = "Save one's draft (body; empty clears it).",
    params(("id" = String, Path, description = "The identifier of the resource in the path.")),
    request_body = Body,
    responses((status = 204, description = "Success.")),
)]
pub async fn save_draft(
    State(state): State<WebState>,
    Caller { principal, .. }: Caller,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<Body>,
) -> ApiResult<StatusCode> {
    service::save_draft(&state.ctx, &principal, id.parse()?, &input.body).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct ReadUpTo {
    seq: Option<i64>,
}

#[utoipa::path(
    post,
    path = "/threads/{id}/read",
    tag = "threads",
    summary = "Mark read up to seq (the latest when absent).",
    params(("id" = String, Path, description = "The identifier of the resource in the path.")),
    request_body = ReadUpTo,
    responses((status = 204, description = "Success.")),
)]
pub async fn mark_read(
    State(state): State<WebState>,
    Caller { principal, .. }: Caller,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<ReadUpTo>,
) -> ApiResult<StatusCode> {
    service::mark_read(&state.ctx, &principal, id.parse()?, input.seq).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    post,
    path = "/threads/{id}/unread",
    tag = "threads",
    summary = "Mark the thread unread.",
    params(("id" = String, Path, description = "The identifier of the resource in the path.")),
    responses((status = 204, description = "Success.")),
)]
pub async fn mark_unread(
    State(state): State<WebState>,
    Caller { principal, .. }: Caller,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    service::mark_unread(&state.ctx, &principal, id.parse()?).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    post,
    path = "/threads/{id}/typing",
    tag = "threads",
    summary = "Tell the other participants one is typing (not stored).",
    params(("id" = String, Path, description = "The identifier of the resource in the path.")),
    responses((status = 204, description = "Success.")),
)]
pub async fn typing(
    State(state): State<WebState>,
    Caller { principal, .. }: Caller,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    service::typing(&state.ctx, &principal, id.parse()?).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct DirectInput {
    #[serde(default)]
    user_id: String,
}

#[utoipa::path(
    post,
    path = "/direct",
    tag = "threads",
    summary = "The direct thread with a friend (user_id), created on first use.",
    request_body = DirectInput,
    responses((status = 200, description = "Success.", body = ThreadView)),
)]
pub async fn direct(
    State(state): State<WebState>,
    ClientInfo(client): ClientInfo,
    Caller { principal, .. }: Caller,
    ApiJson(input): ApiJson<DirectInput>,
) -> ApiResult<Json<ThreadView>> {
    let t = service::direct(&state.ctx, &client, &principal, input.user_id.parse()?).await?;
    Ok(Json(t))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UploadQuery {
    #[serde(default)]
    name: String,
    kind: Option<String>,
    #[serde(default)]
    caption: String,
}

/// The body is the file itself; the kind (photo, video, voice, document)
/// is checked against its content.
#[utoipa::path(
    put,
    path = "/threads/{id}/files",
    tag = "threads",
    summary = "Upload a file as a message: the body is the file; query name, kind (photo, video, voice, document), caption. Checked from its content; photos stripped of metadata; encrypted at rest.",
    params(("id" = String, Path, description = "The identifier of the resource in the path."), UploadQuery, super::headers::IdempotencyHeader),
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "The file, with its size in `Content-Length`; it is checked and stored as it arrives."),
    responses(
        (status = 201, description = "Success.", body = MessageView),
        (status = 411, description = "length-required: the body has no `Content-Length`.", body = crate::error::ErrorBody),
    ),
)]
pub async fn upload(
    State(state): State<WebState>,
    Lang(lang): Lang,
    ClientInfo(client): ClientInfo,
    ApiAuth(view): ApiAuth,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<UploadQuery>,
    request: IdempotentUpload,
) -> Result<Response, Response> {
    let principal = view.principal().map_err(refuse(lang))?;
    let user_id = view.user_id().map_err(refuse(lang))?;
    let ctx = &state.ctx;
    let thread_id = id
        .parse()
        .map_err(|e: cercle_domain::UnknownId| refuse(lang)(e.into()))?;
    // The file first, stored as it arrives: what identifies the request
    // (for its Idempotency-Key) is known only once its body was read.
    let received = attachments::receive(
        ctx,
        &principal,
        thread_id,
        &q.name,
        q.kind.as_deref(),
        &q.caption,
        request.file,
    )
    .await
    .map_err(refuse(lang))?;
    let (p, r) = (&principal, &received);
    let answer = idempotency::run(
        ctx,
        &client,
        user_id,
        request.key.as_ref(),
        &request.hash.get(),
        |client| async move {
            let m = attachments::post(ctx, &client, p, r, lang).await?;
            Ok(Answer::created(json!(m)))
        },
    )
    .await;
    // A refused or replayed request leaves no blob.
    attachments::settle(ctx, &received).await;
    Ok(replay(answer.map_err(refuse(lang))?))
}

#[utoipa::path(
    get,
    path = "/threads/{id}/attachments",
    tag = "threads",
    summary = "The thread's attachments (gallery).",
    params(("id" = String, Path, description = "The identifier of the resource in the path.")),
    responses((status = 200, description = "Success.", body = Gallery)),
)]
pub async fn gallery(
    State(state): State<WebState>,
    Caller { principal, .. }: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Gallery>> {
    let list = attachments::gallery(&state.ctx, &principal, id.parse()?).await?;
    Ok(Json(Gallery { attachments: list }))
}

#[utoipa::path(
    get,
    path = "/attachments/{id}",
    tag = "threads",
    summary = "An attachment (participants only). Answers one byte range (`Range: bytes=…`) with 206, for video and voice.",
    params(
        ("id" = String, Path, description = "The identifier of the resource in the path."),
        ("Range" = Option<String>, Header, description = "One byte range, `bytes=first-last`, `bytes=first-` or `bytes=-count`; anything else is ignored (the whole file is sent)."),
    ),
    responses(
        (status = 200, description = "The file (its own content type).", content_type = "*/*", body = Vec<u8>),
        (status = 206, description = "The part asked (`Content-Range`).", content_type = "*/*", body = Vec<u8>),
        (status = 416, description = "The range asked lies past the end of the file (`Content-Range: bytes */size`)."),
    ),
)]
pub async fn attachment(
    State(state): State<WebState>,
    ClientInfo(client): ClientInfo,
    Caller { principal, .. }: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, crate::error::ApiError> {
    let range = range_of(&headers);
    let file = attachments::download(&state.ctx, &client, &principal, id.parse()?, false, range).await?;
    Ok(file_response(file))
}

#[utoipa::path(
    get,
    path = "/attachments/{id}/thumbnail",
    tag = "threads",
    summary = "A photo's thumbnail (participants only).",
    params(("id" = String, Path, description = "The identifier of the resource in the path.")),
    responses((status = 200, description = "The thumbnail (JPEG).", content_type = "image/jpeg", body = Vec<u8>)),
)]
pub async fn thumbnail(
    State(state): State<WebState>,
    ClientInfo(client): ClientInfo,
    Caller { principal, .. }: Caller,
    Path(id): Path<String>,
) -> Result<Response, crate::error::ApiError> {
    let file = attachments::download(&state.ctx, &client, &principal, id.parse()?, true, None).await?;
    Ok(file_response(file))
}

/// The byte range a request asks for: one well-formed `Range`, and no
/// `If-Range` (we keep no validator to compare it with, so such a request
/// gets the whole file, as HTTP requires).
pub fn range_of(headers: &HeaderMap) -> Option<attachments::ByteRange> {
    if headers.contains_key(header::IF_RANGE) {
        return None;
    }
    headers
        .get(header::RANGE)
        .and_then(|v| v.to_str().ok())
        .and_then(attachments::ByteRange::parse)
}

/// A stored file: served as an attachment (never rendered inline from our
/// origin, except pictures, audio and video), private and not cached; sent
/// as it is decrypted. A byte range answers 206 with `Content-Range`, one
/// past the end 416.
pub fn file_response(file: attachments::Download) -> Response {
    use attachments::Part;
    let inline = file.content_type.starts_with("image/")
        || file.content_type.starts_with("audio/")
        || file.content_type.starts_with("video/");
    let safe_name: String = file
        .name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || ".-_ ".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let disposition = format!(
        "{}; filename=\"{safe_name}\"",
        if inline { "inline" } else { "attachment" }
    );
    let (status, length, range) = match file.part {
        Part::Whole => (StatusCode::OK, file.size, None),
        Part::Range(first, last) => (
            StatusCode::PARTIAL_CONTENT,
            last - first + 1,
            Some(format!("bytes {first}-{last}/{}", file.size)),
        ),
        Part::Unsatisfiable => (
            StatusCode::RANGE_NOT_SATISFIABLE,
            0,
            Some(format!("bytes */{}", file.size)),
        ),
    };
    let mut response = (
        status,
        [
            (header::CONTENT_TYPE, file.content_type.to_string()),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, "private, no-store".to_string()),
            (header::ACCEPT_RANGES, "bytes".to_string()),
            (header::CONTENT_LENGTH, length.to_string()),
        ],
        axum::body::Body::from_stream(file.body),
    )
        .into_response();
    if let Some(range) = range.and_then(|r| header::HeaderValue::from_str(&r).ok()) {
        response.headers_mut().insert(header::CONTENT_RANGE, range);
    }
    response
}

#[utoipa::path(
    get,
    path = "/threads/{id}/export.pdf",
    tag = "threads",
    summary = "A closed thread as PDF for the record.",
    params(("id" = String, Path, description = "The identifier of the resource in the path.")),
    responses((status = 200, description = "The thread as PDF/A.", content_type = "application/pdf", body = Vec<u8>)),
)]
pub async fn export_pdf(
    State(state): State<WebState>,
    ClientInfo(client): ClientInfo,
    Caller { principal, lang }: Caller,
    Path(id): Path<String>,
) -> Result<Response, crate::error::ApiError> {
    let pdf = cercle_app::threads::export::pdf(&state.ctx, &client, &principal, id.parse()?, lang).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_string()),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"cercle-thread.pdf\"".to_string(),
            ),
        ],
        pdf,
    )
        .into_response())
}

// ---- The live event stream ----------------------------------------------------

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EventsQuery {
    /// The last event id the client saw; what followed is sent first.
    since: Option<i64>,
}

/// `GET /api/v1/events` (WebSocket). Authenticated by bearer token, or by
/// the browser's cookies from a page of the same origin (browsers cannot
/// add headers to a WebSocket, so the Origin check stands in for CSRF).
#[utoipa::path(
    get,
    path = "/events",
    tag = "threads",
    summary = "WebSocket of live events (since=last id seen: what was missed comes first, then a ready frame, then live).",
    params(EventsQuery),
    responses((status = 101, description = "Switching to the WebSocket: JSON frames of events follow.")),
)]
pub async fn events(
    State(state): State<WebState>,
    Lang(lang): Lang,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<EventsQuery>,
    ws: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Response {
    let view = match ws_session(&state, &headers).await {
        Some(v) => v,
        None => return crate::error::json_error(StatusCode::UNAUTHORIZED, "not-authenticated", lang),
    };
    let SessionState::Ready(p) = &view.state else {
        return crate::error::json_error(StatusCode::UNAUTHORIZED, "not-authenticated", lang);
    };
    let user_id = p.user_id.to_string();
    let cred = match bearer_of(&headers) {
        Some(t) => Cred::Bearer(t),
        None => Cred::Device(
            cookies::get(&headers, cookies::DEVICE).unwrap_or_default(),
            cookies::get(&headers, cookies::ACCOUNT).unwrap_or_default(),
        ),
    };
    // Not a WebSocket handshake: said in the API's error format.
    let Ok(ws) = ws else {
        return crate::error::json_error(StatusCode::BAD_REQUEST, "bad-request", lang);
    };
    // Clients send small frames (typing) and call signals (an SDP of at
    // most 32 KiB, escaped in JSON; a larger one to the forwarding unit goes
    // through `POST /calls/{id}/signal`): small buffers keep an idle connection
    // cheap (the library's default read buffer is 128 KiB).
    ws.max_message_size(CLIENT_FRAME_MAX)
        .read_buffer_size(4 * 1024)
        .write_buffer_size(8 * 1024)
        .on_upgrade(move |socket| crate::metrics::open_socket(stream(state, socket, user_id, cred, lang, q.since)))
}

/// How the stream's session was proven, to check it again later.
enum Cred {
    Bearer(String),
    Device(String, String),
}

fn bearer_of(headers: &HeaderMap) -> Option<String> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|t| t.trim().to_string())
}

async fn ws_session(state: &WebState, headers: &HeaderMap) -> Option<cercle_app::accounts::SessionView> {
    if let Some(token) = bearer_of(headers) {
        if token.len() > 100 {
            return None;
        }
        return session::authenticate_as(&state.ctx, Credential::Bearer(&token), Activity::Background)
            .await
            .ok();
    }
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok())?;
    let origin = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok())?;
    let origin_host = origin.split("://").nth(1)?;
    if origin_host != host {
        return None;
    }
    let device = cookies::get(headers, cookies::DEVICE)?;
    let account = cookies::get(headers, cookies::ACCOUNT)?;
    // The stream is the page working on its own: it never counts as activity.
    session::authenticate_as(
        &state.ctx,
        Credential::Device {
            device_token: &device,
            session_id: &account,
        },
        Activity::Background,
    )
    .await
    .ok()
}

/// The largest frame a client may send: a call signal with its SDP
/// (32 KiB, a little more once escaped in JSON). Larger SDPs (to the
/// forwarding unit, in large calls) go through `POST /calls/{id}/signal`.
const CLIENT_FRAME_MAX: usize = 48 * 1024;

#[derive(Deserialize)]
struct ClientMessage {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    thread_id: String,
    #[serde(default)]
    call_id: String,
}

/// Relays a `call_signal` frame ([`cercle_app::calls::signal`]); a refusal
/// goes back to the sender as a `call_signal_error` frame (its code and
/// translated message), nothing else is said.
async fn relay_signal(
    ctx: &cercle_app::Ctx,
    socket: &mut WebSocket,
    cred: &Cred,
    lang: Language,
    call_id: &str,
    text: &str,
) -> bool {
    let result = async {
        let input: cercle_app::calls::signal::SignalInput = serde_json::from_str(text)
            .map_err(|_| cercle_app::AppError::Input(cercle_domain::InputError::SignalInvalid))?;
        let call_id = call_id.parse().map_err(|_| cercle_app::AppError::NotFound)?;
        let p = principal_of(ctx, cred).await?;
        cercle_app::calls::relay::relay(ctx, &p, call_id, input).await
    }
    .await;
    let frame = match result {
        Ok(sent) => json!({ "type": "call_signal_sent", "data": { "call_id": call_id, "nonce": sent.nonce } }),
        Err(e) => json!({
            "type": "call_signal_error",
            "data": {
                "call_id": call_id,
                "code": e.code(),
                "message": crate::error::message_of(&e, lang),
            }
        }),
    };
    socket.send(Message::Text(frame.to_string().into())).await.is_ok()
}

/// Queues an event's frame, encoded once for every connection that sends it
/// ([`Event::frame`]); here only a check that it is UTF-8 (no copy). The
/// frame is written to the socket with the others queued meanwhile: see
/// [`FLUSH_EVERY`].
async fn send(socket: &mut WebSocket, e: &Event) -> bool {
    match e.frame().map(Utf8Bytes::try_from) {
        Some(Ok(text)) => socket.feed(Message::Text(text)).await.is_ok(),
        _ => true,
    }
}

/// A stream writes the frames of the events it has taken to its socket
/// once no more are waiting, or after this many. A batch of messages is
/// published at once: written one by one, its frames cost a system call
/// (and a packet, and a wake-up of the reader) each; written together, one.
/// The bound keeps a steady flow from holding frames back.
const FLUSH_EVERY: usize = 32;

/// Sends one's bell as it is now (a held-back change of notifications).
async fn send_bell(
    ctx: &cercle_app::Ctx,
    socket: &mut WebSocket,
    user_id: &str,
    lang: Language,
    id: Option<i64>,
) -> bool {
    match notifications::live_event_shared(ctx, user_id, lang, id).await {
        Ok(mine) => send(socket, &mine).await,
        // The count could not be read: the page's next change or
        // reconnection brings it.
        Err(_) => true,
    }
}

/// Sends an event, or, for a change of one's notifications, one's own
/// count and latest notification at this moment (the log's entry names
/// other people too: it never goes out as it is).
async fn send_for(ctx: &cercle_app::Ctx, socket: &mut WebSocket, user_id: &str, lang: Language, e: &Event) -> bool {
    if is_bell(e) {
        return send_bell(ctx, socket, user_id, lang, e.id).await;
    }
    send(socket, e).await
}

/// A stream sends its person's bell (count and latest notification) at
/// most this often. The first change after a quiet moment goes at once;
/// the changes that follow within this delay become one frame at its end,
/// carrying the state at that moment. A busy thread thus costs each
/// listener a few reads of their count per second, not one per message.
/// A frame still pending when the stream drops is not lost: the page asks
/// for the count when its stream is back.
const BELL_EVERY: Duration = Duration::from_millis(250);

/// Whether an event is a change of its person's notifications (the bell).
fn is_bell(e: &Event) -> bool {
    e.kind == notifications::LIVE_KIND && e.thread_id.is_empty()
}

/// How often a stream checks its session again when nothing announced a
/// change: a quarter of the idle delay (so that an idle page shows its lock
/// screen soon after the lock), 30 seconds at most.
fn recheck_every(idle_lock_secs: i64) -> Duration {
    Duration::from_secs((idle_lock_secs / 4).clamp(1, 30) as u64)
}

/// Sends what the client missed, then everything live, filtered by what the
/// person may see at the moment of each event. A change of the person's
/// sessions or reach, published by any node (`hub::access_changed`), is
/// looked at before any further event: the stream closes if its session
/// ended or got locked, and every thread is checked again otherwise.
async fn stream(
    state: WebState,
    mut socket: WebSocket,
    user_id: String,
    cred: Cred,
    lang: Language,
    since: Option<i64>,
) {
    let ctx = &state.ctx;
    let mut access = ctx.hub.access_changes();
    let mut live = ctx.hub.subscribe();
    let mut closing = ctx.hub.closing();
    let mut last = match since {
        Some(s) => s.max(0),
        None => ctx.hub.dispatched().max(0),
    };
    // Every await below that reads the database or sends is boxed: the
    // task of an idle connection (most of them) is as large as its largest
    // state, so the deep futures of what it does once in a while live on
    // the heap only while it does them (19.8 → 13.2 KiB per idle socket,
    // docs/benchmarks.md section 9).
    if !Box::pin(catch_up(ctx, &mut socket, &user_id, lang, &mut last)).await {
        return;
    }
    let ready = json!({ "type": "ready", "last": last });
    if socket.send(Message::Text(ready.to_string().into())).await.is_err() {
        return;
    }
    let mut visible: HashMap<String, bool> = HashMap::new();
    // The bell frame held back (its event's id), and when the next may go
    // (one timer for the stream's life, on the heap: idle streams stay small).
    let mut bell: Option<Option<i64>> = None;
    let mut bell_next = tokio::time::Instant::now();
    let mut bell_timer = Box::pin(tokio::time::sleep_until(bell_next));
    // A safety net for a change of access whose notice was lost, and for
    // the idle lock, which nothing announces.
    let mut recheck = tokio::time::interval(recheck_every(ctx.config.idle_lock_secs));
    recheck.tick().await;
    // Live events taken since the socket was last flushed.
    let mut unflushed = 0;
    loop {
        // Never wait with frames held back: every branch below comes back
        // here, and while events are waiting the next branch is theirs.
        if unflushed > 0 && (live.is_empty() || unflushed >= FLUSH_EVERY) {
            if socket.flush().await.is_err() {
                return;
            }
            unflushed = 0;
        }
        tokio::select! {
            // In this order: a revocation is acted on before an event that
            // arrived at the same time.
            biased;
            _ = closing.changed() => {
                let _ = socket.send(Message::Close(None)).await;
                return;
            }
            changed = access.recv() => {
                let concerns_me = match &changed {
                    Ok(id) => &**id == user_id.as_str() || &**id == hub::EVERYONE,
                    // Missed notices: check anyway.
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => true,
                    Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
                };
                if concerns_me {
                    match Box::pin(principal_of(ctx, &cred)).await {
                        Ok(_) => visible.clear(),
                        Err(e) if session_ended(&e) => {
                            close_ended(&mut socket).await;
                            return;
                        }
                        // The database busy or unreachable says nothing of
                        // the session, nor of the access that changed:
                        // forget what was seen, so the next event is
                        // checked again.
                        Err(_) => visible.clear(),
                    }
                }
            }
            // Before live events: a steady flow of them must not hold the bell back.
            _ = &mut bell_timer, if bell.is_some() => {
                let id = bell.take().flatten();
                unflushed += 1;
                if !Box::pin(send_bell(ctx, &mut socket, &user_id, lang, id)).await {
                    return;
                }
                bell_next = tokio::time::Instant::now() + BELL_EVERY;
            }
            received = live.recv() => match received {
                Ok(e) => {
                    unflushed += 1;
                    if let Some(id) = e.id {
                        if id <= last {
                            continue;
                        }
                    }
                    if e.kind == EventKind::Participants {
                        visible.remove(&e.thread_id);
                    }
                    let mine = match notifications::live_concerns(&e, &user_id) {
                        // A change of notifications: one's own only.
                        Some(mine) => mine,
                        // An incoming call, a call declined: one's own only.
                        None => match cercle_app::threads::live::personal_concerns(&e, &user_id) {
                            Some(mine) => mine,
                            None => match Box::pin(may_see(ctx, &mut visible, &user_id, &e)).await {
                                Some(v) => v,
                                // Not known (the database busy): not skipped
                                // either. The stream ends without the
                                // session-ended code; the page reconnects
                                // and replays from its last event, this one
                                // included (`last` has not moved).
                                None => {
                                    let _ = socket.send(Message::Close(None)).await;
                                    return;
                                }
                            },
                        },
                    };
                    if !mine {
                        if let Some(id) = e.id { last = id; }
                        continue;
                    }
                    if is_bell(&e) {
                        let now = tokio::time::Instant::now();
                        if bell.is_some() || now < bell_next {
                            bell_timer.as_mut().reset(bell_next);
                            bell = Some(e.id);
                            if let Some(id) = e.id { last = id; }
                            continue;
                        }
                        bell_next = now + BELL_EVERY;
                    }
                    if !Box::pin(send_for(ctx, &mut socket, &user_id, lang, &e)).await {
                        return;
                    }
                    if let Some(id) = e.id { last = id; }
                }
                Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {
                    // Too slow for the live stream: read the rest from the log.
                    unflushed += 1;
                    visible.clear();
                    if !Box::pin(catch_up(ctx, &mut socket, &user_id, lang, &mut last)).await {
                        return;
                    }
                }
                Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
            },
            incoming = socket.recv() => match incoming {
                Some(Ok(Message::Text(text))) => {
                    if let Ok(m) = serde_json::from_str::<ClientMessage>(&text) {
                        if m.kind == "typing" {
                            // A text that is no thread id names no thread to type in.
                            if let (Ok(p), Ok(thread_id)) = (Box::pin(principal_of(ctx, &cred)).await, m.thread_id.parse()) {
                                let _ = Box::pin(service::typing(ctx, &p, thread_id)).await;
                            }
                        } else if m.kind == "call_signal"
                            && !Box::pin(relay_signal(ctx, &mut socket, &cred, lang, &m.call_id, &text)).await
                        {
                            return;
                        }
                    }
                }
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return,
                Some(Ok(_)) => {}
            },
            _ = recheck.tick() => {
                // A session signed out, erased or locked closes its stream;
                // the database busy or unreachable does not (it says nothing
                // of the session): checked again at the next tick.
                match Box::pin(principal_of(ctx, &cred)).await {
                    Ok(_) => visible.clear(),
                    Err(e) if session_ended(&e) => {
                        close_ended(&mut socket).await;
                        return;
                    }
                    Err(_) => {}
                }
            }
        }
    }
}

/// Whether a failed session check means the session is over (signed out,
/// expired, locked, erased): its stream closes with [`CLOSE_SESSION_ENDED`].
/// A database busy or unreachable (19,000 streams re-checking at once on
/// one node's pool, measured in docs/benchmarks.md section 20) is not the
/// end of a session: closing every stream then made their pages believe
/// they were signed out.
fn session_ended(e: &cercle_app::AppError) -> bool {
    !matches!(e, cercle_app::AppError::DatabaseUnavailable)
}

/// Close code of a stream whose session ended or locked (the page then asks
/// where it stands: sign-in or lock screen).
pub const CLOSE_SESSION_ENDED: u16 = 4401;

async fn close_ended(socket: &mut WebSocket) {
    let frame = CloseFrame {
        code: CLOSE_SESSION_ENDED,
        reason: "session-ended".into(),
    };
    let _ = socket.send(Message::Close(Some(frame))).await;
}

/// The session behind a stream, checked again; never counts as activity.
async fn principal_of(ctx: &cercle_app::Ctx, cred: &Cred) -> cercle_app::AppResult<cercle_domain::policy::Principal> {
    let view = match cred {
        Cred::Bearer(t) => session::authenticate_as(ctx, Credential::Bearer(t), Activity::Background).await?,
        Cred::Device(device, account) => {
            session::authenticate_as(
                ctx,
                Credential::Device {
                    device_token: device,
                    session_id: account,
                },
                Activity::Background,
            )
            .await?
        }
    };
    view.principal()
}

/// Whether the person may receive the event's thread; `None` when that
/// cannot be known now (the database busy or unreachable): neither sent nor
/// remembered.
async fn may_see(
    ctx: &cercle_app::Ctx,
    cache: &mut HashMap<String, bool>,
    user_id: &str,
    e: &Arc<Event>,
) -> Option<bool> {
    if let Some(v) = cache.get(&e.thread_id) {
        return Some(*v);
    }
    let v = match service::may_receive_live(ctx, user_id, &e.thread_id).await {
        Ok(v) => v,
        Err(cercle_app::AppError::DatabaseUnavailable) => return None,
        // Any other refusal: not for this person.
        Err(_) => false,
    };
    cache.insert(e.thread_id.clone(), v);
    Some(v)
}

async fn catch_up(
    ctx: &cercle_app::Ctx,
    socket: &mut WebSocket,
    user_id: &str,
    lang: Language,
    last: &mut i64,
) -> bool {
    loop {
        let Ok((events, scanned)) = service::events_since(ctx, user_id, *last, 500).await else {
            return false;
        };
        // The bell as it is now once, not once per change missed.
        let last_bell = events.iter().rposition(is_bell);
        for (i, e) in events.iter().enumerate() {
            if is_bell(e) && Some(i) != last_bell {
                continue;
            }
            if !send_for(ctx, socket, user_id, lang, e).await {
                return false;
            }
        }
        let done = scanned == *last;
        *last = scanned;
        if done {
            return true;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cercle_app::AppError;

    #[test]
    fn a_busy_database_does_not_end_a_session() {
        assert!(!session_ended(&AppError::DatabaseUnavailable));
        assert!(session_ended(&AppError::NotAuthenticated));
        assert!(session_ended(&AppError::SessionLocked));
        assert!(session_ended(&AppError::SessionErased));
    }
}
