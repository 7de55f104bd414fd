//! The JSON API, version 1. Described by `openapi.json` (see `openapi.rs`).

mod account;
mod auth;
pub mod availability;
pub mod channels;
pub mod circle;
pub mod network;
pub mod notifications;
pub mod openapi;
mod orgs;
pub mod outbox;
pub mod patients;
pub mod push;
pub mod teams;
pub mod threads;

use crate::error::ApiError;
use crate::extract::lang_of;
use crate::guard::RouteList;
use crate::WebState;
use axum::extract::{FromRequest, Request};
use axum::response::Response;
use axum::routing::{delete, get, post, put};
use axum::Router;
use cercle_app::AppError;
use cercle_domain::Language;

/// What everyone signed in uses (patients and caregivers too): sign-in,
/// account, notifications, push, care channels and the threads one reaches.
pub fn routes() -> Router<WebState> {
    Router::new()
        .route("/openapi.json", get(openapi::document))
        .route("/auth/sign-up", post(auth::sign_up))
        .route("/auth/sign-in", post(auth::sign_in))
        .route("/auth/session", get(auth::session))
        .route("/auth/code", post(auth::verify_code))
        .route("/auth/code/resend", post(auth::resend_code))
        .route("/auth/recovery", post(auth::use_recovery))
        .route("/auth/terms", post(auth::accept_terms))
        .route("/auth/recovery-code", post(auth::create_recovery_code))
        .route("/auth/pin", post(auth::set_pin))
        .route("/auth/lock", post(auth::lock))
        .route("/auth/unlock", post(auth::unlock))
        .route("/auth/sign-out", post(auth::sign_out))
        .route("/auth/sign-out-everywhere", post(auth::sign_out_everywhere))
        .route("/auth/password-reset", post(auth::request_reset))
        .route("/auth/password-reset/complete", post(auth::complete_reset))
        .route("/account", get(account::me))
        .route("/account/password", put(account::change_password))
        .route("/account/pin", put(account::change_pin))
        .route("/account/recovery-code", post(account::new_recovery_code))
        .route("/account/phone", post(account::start_phone))
        .route("/account/phone/confirm", post(account::confirm_phone))
        .route("/account/totp", post(account::start_totp))
        .route("/account/totp/confirm", post(account::confirm_totp))
        .route("/account/email-codes", post(account::use_email_codes))
        .route("/account/language", put(account::set_language))
        .route("/account/delete", post(account::delete_account))
        .route("/account/sessions", get(account::sessions))
        .route("/account/sessions/{id}", delete(account::end_session))
        .route("/account/activity", get(account::activity))
        .route("/notifications", get(notifications::list))
        .route("/notifications/unread", get(notifications::unread))
        .route("/notifications/read-all", post(notifications::read_all))
        .route(
            "/notifications/preferences",
            get(notifications::preferences).put(notifications::set_preferences),
        )
        .route("/notifications/{id}/open", post(notifications::open))
        .route(
            "/availability/schedule",
            get(availability::schedule).put(availability::set_schedule),
        )
        .route(
            "/availability/periods",
            get(availability::periods).post(availability::add_period),
        )
        .route("/availability/periods/{id}", delete(availability::remove_period))
        .route("/threads/{id}/mute", put(notifications::mute))
        .route("/push/vapid-public-key", get(push::vapid_public_key))
        .route(
            "/push/subscriptions",
            get(push::subscriptions).post(push::subscribe).delete(push::unsubscribe),
        )
        .route("/invitations/{id}", get(orgs::invitation_info))
        .route("/invitations/{id}/accept", post(orgs::accept_invitation))
        .route("/network/people/{id}/photo", get(network::person_photo))
        .route("/threads", get(threads::list))
        .route("/threads/unread", get(threads::unread))
        .route("/threads/search", get(threads::search))
        .route("/threads/{id}", get(threads::show))
        .route("/threads/{id}/messages", get(threads::messages).post(threads::post))
        .route("/threads/{id}/draft", put(threads::save_draft))
        .route("/threads/{id}/read", post(threads::mark_read))
        .route("/threads/{id}/unread", post(threads::mark_unread))
        .route("/threads/{id}/typing", post(threads::typing))
        .route("/threads/{id}/attachments", get(threads::gallery))
        .route("/messages/{id}", put(threads::edit))
        .route("/messages/{id}/retract", post(threads::retract))
        .route("/messages/{id}/versions", get(threads::versions))
        .route("/messages/{id}/ack", post(threads::acknowledge))
        .route("/attachments/{id}", get(threads::attachment))
        .route("/attachments/{id}/thumbnail", get(threads::thumbnail))
        .route("/events", get(threads::events))
        .route("/circle-invitations/{id}", get(circle::info))
        .route("/circle-invitations/{id}/accept", post(circle::accept))
        .route("/channels", get(channels::mine))
        .route("/channels/{id}", get(channels::show))
        .route(
            "/channels/{id}/threads",
            get(channels::threads).post(channels::start_thread),
        )
        .route("/channels/{id}/pinned", get(channels::pinned_list))
}

/// Professionals only, behind one guard ([`crate::guard::professional_api`]):
/// the network, organizations, patient files and circles, teams, new
/// threads and managing them.
pub fn professional_routes() -> RouteList {
    RouteList::new()
        .route("/admin/audit", get(account::network_audit))
        .route("/admin/outbox/failed", get(outbox::failed))
        .route("/admin/outbox/{id}/retry", post(outbox::retry))
        .route(
            "/network/organizations",
            get(orgs::all_organizations).post(orgs::create_organization),
        )
        .route("/organizations", get(orgs::my_organizations))
        .route("/organizations/active", post(orgs::switch_organization))
        .route("/org/structure", get(orgs::get_structure))
        .route("/org/units", post(orgs::create_unit))
        .route("/org/units/{id}", put(orgs::update_unit))
        .route("/org/workplaces", post(orgs::create_workplace))
        .route("/org/workplaces/{id}", put(orgs::update_workplace))
        .route("/org/teams", post(orgs::create_team))
        .route("/org/teams/{id}", put(orgs::update_team))
        .route("/org/members", get(orgs::members))
        .route("/org/members/{id}", delete(orgs::remove_member))
        .route("/org/members/{id}/roles", post(orgs::grant_role))
        .route("/org/roles/{id}", delete(orgs::revoke_role))
        .route("/org/invitations", get(orgs::invitations).post(orgs::invite))
        .route("/org/invitations/{id}/cancel", post(orgs::cancel_invitation))
        .route("/org/invitations/{id}/resend", post(orgs::resend_invitation))
        .route("/org/audit", get(orgs::audit_search))
        .route("/org/audit.csv", get(orgs::audit_csv))
        .route("/org/professions", get(network::member_professions))
        .route(
            "/org/professions/{id}/validate",
            post(network::validate_member_profession),
        )
        .route(
            "/network/profile",
            get(network::my_profile).put(network::update_profile),
        )
        .route("/network/people/{id}", get(network::person))
        .route(
            "/network/professions",
            get(network::catalogue).post(network::add_profession),
        )
        .route("/network/professions/{id}", delete(network::remove_profession))
        .route("/network/verification", get(network::verification_queue))
        .route("/network/verification/{id}/approve", post(network::approve))
        .route("/network/verification/{id}/reject", post(network::reject))
        .route(
            "/network/verifiers",
            get(network::verifiers).post(network::set_verifier),
        )
        .route(
            "/network/organizations/{id}/validation",
            put(network::set_organization_validates),
        )
        .route("/network/search", get(network::search))
        .route(
            "/network/workplaces",
            get(network::browse_workplaces).post(network::create_workplace),
        )
        .route("/network/workplaces/{id}", get(network::workplace))
        .route("/network/workplaces/{id}/join", post(network::join_workplace))
        .route("/network/workplaces/{id}/leave", post(network::leave_workplace))
        .route(
            "/network/directory",
            get(network::directory_list).post(network::directory_add),
        )
        .route("/network/directory/{id}", delete(network::directory_remove))
        .route(
            "/network/friends",
            get(network::friends_overview).post(network::friend_request),
        )
        .route("/network/friends/{id}", delete(network::unfriend))
        .route("/network/friends/requests/{id}/accept", post(network::friend_accept))
        .route("/network/friends/requests/{id}/ignore", post(network::friend_ignore))
        .route(
            "/network/invitations",
            get(network::sent_invitations).post(network::invite),
        )
        .route("/network/invitations/{id}", get(network::invitation_info))
        .route("/network/invitations/{id}/accept", post(network::accept_invitation))
        .route("/threads", post(threads::create))
        .route("/threads/{id}/participants", post(threads::add_participants))
        .route("/threads/{id}/participants/remove", post(threads::remove_participant))
        .route("/threads/{id}/leave", post(threads::leave))
        .route("/threads/{id}/close", post(threads::close))
        .route("/threads/{id}/reopen", post(threads::reopen))
        .route("/threads/{id}/priority", put(threads::set_priority))
        .route("/threads/{id}/duplicate", post(threads::duplicate))
        .route("/threads/{id}/export.pdf", get(threads::export_pdf))
        .route("/direct", post(threads::direct))
        .route("/patient-files", get(patients::list).post(patients::create))
        .route("/patient-files/{id}", get(patients::show).patch(patients::update))
        .route("/patient-files/{id}/archive", post(patients::archive))
        .route("/patient-files/{id}/restore", post(patients::restore))
        .route("/patient-files/{id}/circle", get(circle::list).post(circle::add))
        .route(
            "/patient-files/{id}/circle/sections/{section}",
            put(circle::set_section),
        )
        .route("/circle-members/{id}/invite", post(circle::invite))
        .route("/circle-members/{id}/resend", post(circle::resend))
        .route("/circle-members/{id}/cancel", post(circle::cancel))
        .route(
            "/patient-files/{id}/channels",
            get(channels::of_file).post(channels::create),
        )
        .route("/channels/{id}/participants", post(channels::add_participant))
        .route(
            "/channels/{id}/participants/{kind}/{pid}",
            delete(channels::remove_participant),
        )
        .route("/channels/{id}/pinned", post(channels::pin))
        .route("/teams", get(teams::mine))
        .route("/teams/{id}", get(teams::show))
        .route("/teams/{id}/threads", post(teams::write))
        .route("/teams/{id}/members", get(teams::members).post(teams::set_member))
        .route("/teams/{id}/members/remove", post(teams::remove_member))
        .route("/threads/{id}/team/assign", post(teams::assign))
        .route("/threads/{id}/team/take", post(teams::take))
        .route("/threads/{id}/team/return", post(teams::return_to_triage))
        .route("/threads/{id}/team/unassign", post(teams::unassign))
        .route("/threads/{id}/team/join", post(teams::join))
        .route("/threads/{id}/team/invite", post(teams::invite))
        .route("/threads/{id}/team/remove", post(teams::remove_team))
}

/// Attachment uploads: the largest bodies (videos).
pub fn attachment_routes() -> Router<WebState> {
    Router::new().route("/threads/{id}/files", put(threads::upload))
}

/// A new version of a pinned document (professionals only).
pub fn professional_attachment_routes() -> RouteList {
    RouteList::new().route("/pinned/{id}/versions", post(channels::add_version))
}

/// Routes whose body is a file (a photo, a proof document): they take a
/// larger body than the rest of the API.
pub fn upload_routes() -> Router<WebState> {
    // One's photo: patients and caregivers have one too.
    Router::new().route(
        "/network/profile/photo",
        put(network::set_photo).delete(network::remove_photo),
    )
}

/// A proof of profession (professionals only).
pub fn professional_upload_routes() -> RouteList {
    RouteList::new().route(
        "/network/professions/{id}/proof",
        put(network::submit_proof).get(network::proof_document),
    )
}

/// The patterns of every professional route of the API (the three groups
/// that `crate::router` layers with their body limits), for the tests.
pub fn professional_patterns() -> Vec<&'static str> {
    let mut all = professional_routes().patterns().to_vec();
    all.extend_from_slice(professional_upload_routes().patterns());
    all.extend_from_slice(professional_attachment_routes().patterns());
    all
}

/// A JSON body whose rejections answer in our error format.
pub struct ApiJson<T>(pub T);

impl<T, S> FromRequest<S> for ApiJson<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = Response;
    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let (parts, body) = req.into_parts();
        let lang = lang_of(&parts);
        let req = Request::from_parts(parts, body);
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(ApiJson(v)),
            Err(r) => Err(crate::extract::api_rejection(r, lang)),
        }
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

pub(crate) fn err(lang: Language) -> impl Fn(AppError) -> ApiError {
    move |error| ApiError { error, lang }
}
