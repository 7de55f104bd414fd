//! Calls of threads (issue 17): start one, read the thread's call going on
//! and its history of calls, join, leave, mute or remove a participant,
//! raise a hand, end for everyone, decline a call one is rung for, and the
//! participant's heartbeat; the signalling relay of peer-to-peer calls and
//! their ICE servers. Each answers the call as it is after the
//! change; the same changes reach the thread's live stream as events.

use super::{ApiJson, ApiResult, Caller};
use crate::extract::ClientInfo;
use crate::WebState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use cercle_app::calls::ice::IceServers;
use cercle_app::calls::signal::{SignalInput, SignalSent};
use cercle_app::calls::{self, CallRecord, CallView};
use cercle_domain::calls::CallMedia;
use serde::{Deserialize, Serialize};

/// A call to start.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct NewCall {
    /// audio, or video.
    media: CallMedia,
    /// High priority: it rings people through their working hours,
    /// absences and muted threads (as a high-priority message does).
    /// Otherwise it rings only whoever may be interrupted now.
    #[serde(default)]
    priority: bool,
}

/// The thread's call going on, or null.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ActiveCall {
    pub call: Option<CallView>,
}

/// A thread's latest calls (at most 50, newest first), each with what
/// happened in it, in the caller's language.
#[derive(Serialize, utoipa::ToSchema)]
pub struct CallHistory {
    pub calls: Vec<CallRecord>,
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct Muted {
    muted: bool,
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct Hand {
    raised: bool,
}

#[utoipa::path(
    post,
    path = "/threads/{id}/calls",
    tag = "calls",
    summary = "Start a call in the thread (media: audio or video; priority: true rings through availability); the starter is in it, and it rings the others who may join it (an incoming_call event on their stream, a push to their installed apps) when they may be interrupted. Whoever may write in the thread may start one. One call per thread at a time: another going on answers 409 call-active (join it instead). Nobody but the starter joined within the ringing time: it ends unanswered.",
    params(("id" = String, Path, description = "The identifier of the resource in the path.")),
    request_body = NewCall,
    responses((status = 201, description = "Success.", body = CallView)),
)]
pub async fn start(
    State(state): State<WebState>,
    ClientInfo(client): ClientInfo,
    Caller { principal, lang }: Caller,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<NewCall>,
) -> ApiResult<(StatusCode, Json<CallView>)> {
    let call = calls::start(
        &state.ctx,
        &client,
        &principal,
        id.parse()?,
        input.media,
        input.priority,
        lang,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(call)))
}

#[utoipa::path(
    get,
    path = "/threads/{id}/call",
    tag = "calls",
    summary = "The thread's call going on ({call: null} when none). Not reaching the thread: 404.",
    params(("id" = String, Path, description = "The identifier of the resource in the path.")),
    responses((status = 200, description = "Success.", body = ActiveCall)),
)]
pub async fn active(
    State(state): State<WebState>,
    ClientInfo(client): ClientInfo,
    Caller { principal, lang }: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<ActiveCall>> {
    let call = calls::active(&state.ctx, &client, &principal, id.parse()?, lang).await?;
    Ok(Json(ActiveCall { call }))
}

#[utoipa::path(
    get,
    path = "/threads/{id}/calls",
    tag = "calls",
    summary = "The thread's latest calls, each with its history (started by, joined, left, removed, ended with its duration) as entries with a text in the caller's language.",
    params(("id" = String, Path, description = "The identifier of the resource in the path.")),
    responses((status = 200, description = "Success.", body = CallHistory)),
)]
pub async fn history(
    State(state): State<WebState>,
    ClientInfo(client): ClientInfo,
    Caller { principal, lang }: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<CallHistory>> {
    let list = calls::thread_history(&state.ctx, &client, &principal, id.parse()?, lang).await?;
    Ok(Json(CallHistory { calls: list }))
}

#[utoipa::path(
    get,
    path = "/calls/{id}",
    tag = "calls",
    summary = "A call of a thread one reaches (going on or over).",
    params(("id" = String, Path, description = "The identifier of the resource in the path.")),
    responses((status = 200, description = "Success.", body = CallView)),
)]
pub async fn show(
    State(state): State<WebState>,
    ClientInfo(client): ClientInfo,
    Caller { principal, lang }: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<CallView>> {
    Ok(Json(
        calls::show(&state.ctx, &client, &principal, id.parse()?, lang).await?,
    ))
}

#[utoipa::path(
    post,
    path = "/calls/{id}/join",
    tag = "calls",
    summary = "Join the call (whoever may read its thread, checked at every join). Already in it: the call as it is. Full: 409 call-full; removed from it: 409 call-removed; over: 409 call-ended.",
    params(("id" = String, Path, description = "The identifier of the resource in the path.")),
    responses((status = 200, description = "Success.", body = CallView)),
)]
pub async fn join(
    State(state): State<WebState>,
    ClientInfo(client): ClientInfo,
    Caller { principal, lang }: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<CallView>> {
    Ok(Json(
        calls::join(&state.ctx, &client, &principal, id.parse()?, lang).await?,
    ))
}

#[utoipa::path(
    post,
    path = "/calls/{id}/leave",
    tag = "calls",
    summary = "Leave the call; the last one out ends it. Not in it: 409 not-in-call.",
    params(("id" = String, Path, description = "The identifier of the resource in the path.")),
    responses((status = 200, description = "Success.", body = CallView)),
)]
pub async fn leave(
    State(state): State<WebState>,
    ClientInfo(client): ClientInfo,
    Caller { principal, lang }: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<CallView>> {
    Ok(Json(
        calls::leave(&state.ctx, &client, &principal, id.parse()?, lang).await?,
    ))
}

#[utoipa::path(
    post,
    path = "/calls/{id}/end",
    tag = "calls",
    summary = "End the call for everyone (its starter or a manager of the thread).",
    params(("id" = String, Path, description = "The identifier of the resource in the path.")),
    responses((status = 200, description = "Success.", body = CallView)),
)]
pub async fn end(
    State(state): State<WebState>,
    ClientInfo(client): ClientInfo,
    Caller { principal, lang }: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<CallView>> {
    Ok(Json(
        calls::end(&state.ctx, &client, &principal, id.parse()?, lang).await?,
    ))
}

#[utoipa::path(
    put,
    path = "/calls/{id}/participants/{user_id}/muted",
    tag = "calls",
    summary = "Mute or unmute a participant ({muted}): oneself, or mute another (the call's starter or a manager of the thread). Nobody unmutes someone else.",
    params(
        ("id" = String, Path, description = "The identifier of the resource in the path."),
        ("user_id" = String, Path, description = "The participant (a person's id)."),
    ),
    request_body = Muted,
    responses((status = 200, description = "Success.", body = CallView)),
)]
pub async fn set_muted(
    State(state): State<WebState>,
    ClientInfo(client): ClientInfo,
    Caller { principal, lang }: Caller,
    Path((id, user_id)): Path<(String, String)>,
    ApiJson(input): ApiJson<Muted>,
) -> ApiResult<Json<CallView>> {
    let call = calls::set_muted(
        &state.ctx,
        &client,
        &principal,
        id.parse()?,
        user_id.parse()?,
        input.muted,
        lang,
    )
    .await?;
    Ok(Json(call))
}

#[utoipa::path(
    put,
    path = "/calls/{id}/participants/{user_id}/hand",
    tag = "calls",
    summary = "Raise or lower a hand ({raised}): one's own, or lower another's (the call's starter or a manager of the thread).",
    params(
        ("id" = String, Path, description = "The identifier of the resource in the path."),
        ("user_id" = String, Path, description = "The participant (a person's id)."),
    ),
    request_body = Hand,
    responses((status = 200, description = "Success.", body = CallView)),
)]
pub async fn set_hand(
    State(state): State<WebState>,
    Caller { principal, lang }: Caller,
    Path((id, user_id)): Path<(String, String)>,
    ApiJson(input): ApiJson<Hand>,
) -> ApiResult<Json<CallView>> {
    let call = calls::set_hand(
        &state.ctx,
        &principal,
        id.parse()?,
        user_id.parse()?,
        input.raised,
        lang,
    )
    .await?;
    Ok(Json(call))
}

#[utoipa::path(
    delete,
    path = "/calls/{id}/participants/{user_id}",
    tag = "calls",
    summary = "Remove a participant from the call (its starter or a manager of the thread); they may not join this call again. Oneself: 403 (leave instead).",
    params(
        ("id" = String, Path, description = "The identifier of the resource in the path."),
        ("user_id" = String, Path, description = "The participant (a person's id)."),
    ),
    responses((status = 200, description = "Success.", body = CallView)),
)]
pub async fn remove(
    State(state): State<WebState>,
    ClientInfo(client): ClientInfo,
    Caller { principal, lang }: Caller,
    Path((id, user_id)): Path<(String, String)>,
) -> ApiResult<Json<CallView>> {
    let call = calls::remove(&state.ctx, &client, &principal, id.parse()?, user_id.parse()?, lang).await?;
    Ok(Json(call))
}

#[utoipa::path(
    post,
    path = "/calls/{id}/decline",
    tag = "calls",
    summary = "Decline the call (someone who may join it and is not in it): its starter is told, the thread's history says so. Declining again changes nothing. In it: 409 in-call (leave instead); over: 409 call-ended.",
    params(("id" = String, Path, description = "The identifier of the resource in the path.")),
    responses((status = 200, description = "Success.", body = CallView)),
)]
pub async fn decline(
    State(state): State<WebState>,
    ClientInfo(client): ClientInfo,
    Caller { principal, lang }: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<CallView>> {
    Ok(Json(
        calls::decline(&state.ctx, &client, &principal, id.parse()?, lang).await?,
    ))
}

#[utoipa::path(
    post,
    path = "/calls/{id}/heartbeat",
    tag = "calls",
    summary = "A participant's client says it is still there; send one every 10 seconds while in the call. Without one for call_presence_timeout_secs (30 s by default) the participant is marked gone (connection lost). Not in the call (or marked gone): 409 not-in-call.",
    params(("id" = String, Path, description = "The identifier of the resource in the path.")),
    responses((status = 204, description = "Seen.")),
)]
pub async fn heartbeat(
    State(state): State<WebState>,
    Caller { principal, .. }: Caller,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    calls::heartbeat(&state.ctx, &principal, id.parse()?).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    post,
    path = "/calls/{id}/signal",
    tag = "calls",
    summary = "Relay a WebRTC signal of a peer-to-peer call (kind offer or answer with its sdp, candidate with candidate, sdp_mid, sdp_m_line_index, or bye) to another person in the call (to: their user id). The target receives it as a call_signal frame on their event stream, with from (the sender, from their session: a from in the input is ignored), a random nonce (drop one seen before: a replay) and at (server time); never stored. The same signal may be sent as a call_signal frame on the event WebSocket ({type: call_signal, call_id, to, kind, ...}). The sender or the target not in the call: 404. An SDP over 32 KiB (to sfu: over 20 KiB per participant a call may hold, call_max_participants; 320 KiB for 16): 422 signal-sdp-too-large; not a session description: 422 signal-sdp-malformed; a candidate over 1 KiB: 422 signal-candidate-invalid. More than 240 signals a minute: 429. In a call of three or more (topology sfu), to: sfu addresses the node's forwarding unit instead: an offer (join: true for a new connection, else a renegotiation) is answered by a call_signal from sfu on the sender's stream, the unit's own offers arrive the same way and are answered to sfu, candidates are accepted and dropped, bye closes the connection; a node without the unit: 422 signal-unit-disabled; the unit full, busy or not expecting that answer: 422 signal-unit-unavailable.",
    params(("id" = String, Path, description = "The identifier of the resource in the path.")),
    request_body = SignalInput,
    responses((status = 202, description = "Relayed.", body = SignalSent)),
)]
pub async fn signal(
    State(state): State<WebState>,
    Caller { principal, .. }: Caller,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<SignalInput>,
) -> ApiResult<(StatusCode, Json<SignalSent>)> {
    let sent = calls::relay::relay(&state.ctx, &principal, id.parse()?, input).await?;
    Ok((StatusCode::ACCEPTED, Json(sent)))
}

#[utoipa::path(
    get,
    path = "/calls/{id}/ice",
    tag = "calls",
    summary = "The ICE servers for the call's RTCPeerConnection (iceServers), for someone in it: the configured STUN/TURN URLs (turn_urls) with TURN REST credentials (username <expiry>:<opaque id>, credential base64(HMAC-SHA1(turn_secret, username)), valid turn_ttl_secs). Nothing configured: an empty list (host candidates only). Not in the call: 404.",
    params(("id" = String, Path, description = "The identifier of the resource in the path.")),
    responses((status = 200, description = "Success.", body = IceServers)),
)]
pub async fn ice(
    State(state): State<WebState>,
    Caller { principal, .. }: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<IceServers>> {
    Ok(Json(
        calls::ice::ice_servers(&state.ctx, &principal, id.parse()?).await?,
    ))
}
