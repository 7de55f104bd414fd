//! The JSON API, version 1. Described by `openapi.json` (see `openapi.rs`).

mod account;
mod auth;
pub mod availability;
pub mod calls;
pub mod channels;
pub mod circle;
pub mod emrs;
pub mod fhir;
pub mod headers;
pub mod network;
pub mod notifications;
pub mod openapi;
mod orgs;
pub mod outbox;
pub mod patients;
pub mod push;
pub mod service_accounts;
pub mod teams;
pub mod threads;

use crate::error::{json_error, ApiError, Untranslated};
use crate::extract::{lang_of, ApiPrincipal};
use crate::WebState;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use axum::Router;
use cercle_domain::policy::Principal;
use cercle_domain::Language;

/// What everyone signed in uses (patients and caregivers too): sign-in,
/// account, notifications, push, care channels, the threads one reaches and
/// their calls.
pub fn routes() -> ApiRoutes {
    ApiRoutes::new()
        .get("/openapi.json", openapi::document)
        .post("/auth/sign-up", auth::sign_up)
        .post("/auth/sign-in", auth::sign_in)
        .get("/auth/session", auth::session)
        .post("/auth/code", auth::verify_code)
        .post("/auth/code/resend", auth::resend_code)
        .post("/auth/recovery", auth::use_recovery)
        .post("/auth/terms", auth::accept_terms)
        .post("/auth/recovery-code", auth::create_recovery_code)
        .post("/auth/pin", auth::set_pin)
        .post("/auth/lock", auth::lock)
        .post("/auth/unlock", auth::unlock)
        .post("/auth/sign-out", auth::sign_out)
        .post("/auth/sign-out-everywhere", auth::sign_out_everywhere)
        .post("/auth/password-reset", auth::request_reset)
        .post("/auth/password-reset/complete", auth::complete_reset)
        .get("/account", account::me)
        .put("/account/password", account::change_password)
        .put("/account/pin", account::change_pin)
        .post("/account/recovery-code", account::new_recovery_code)
        .post("/account/phone", account::start_phone)
        .post("/account/phone/confirm", account::confirm_phone)
        .post("/account/totp", account::start_totp)
        .post("/account/totp/confirm", account::confirm_totp)
        .post("/account/email-codes", account::use_email_codes)
        .put("/account/language", account::set_language)
        .post("/account/delete", account::delete_account)
        .get("/account/sessions", account::sessions)
        .delete("/account/sessions/{id}", account::end_session)
        .post("/account/connect-codes", account::create_connect_code)
        .post("/account/connect-codes/redeem", account::redeem_connect_code)
        .get("/account/activity", account::activity)
        .get("/notifications", notifications::list)
        .get("/notifications/unread", notifications::unread)
        .post("/notifications/read-all", notifications::read_all)
        .get("/notifications/preferences", notifications::preferences)
        .put("/notifications/preferences", notifications::set_preferences)
        .post("/notifications/{id}/open", notifications::open)
        .get("/availability/schedule", availability::schedule)
        .put("/availability/schedule", availability::set_schedule)
        .get("/availability/periods", availability::periods)
        .post("/availability/periods", availability::add_period)
        .delete("/availability/periods/{id}", availability::remove_period)
        .put("/threads/{id}/mute", notifications::mute)
        .get("/push/vapid-public-key", push::vapid_public_key)
        .get("/push/subscriptions", push::subscriptions)
        .post("/push/subscriptions", push::subscribe)
        .delete("/push/subscriptions", push::unsubscribe)
        .get("/invitations/{id}", orgs::invitation_info)
        .post("/invitations/{id}/accept", orgs::accept_invitation)
        .get("/network/people/{id}/photo", network::person_photo)
        .get("/threads", threads::list)
        .get("/threads/unread", threads::unread)
        .get("/threads/search", threads::search)
        .get("/threads/{id}", threads::show)
        .get("/threads/{id}/messages", threads::messages)
        .post("/threads/{id}/messages", threads::post)
        .put("/threads/{id}/draft", threads::save_draft)
        .post("/threads/{id}/read", threads::mark_read)
        .post("/threads/{id}/unread", threads::mark_unread)
        .post("/threads/{id}/typing", threads::typing)
        .get("/threads/{id}/attachments", threads::gallery)
        .post("/threads/{id}/calls", calls::start)
        .get("/threads/{id}/calls", calls::history)
        .get("/threads/{id}/call", calls::active)
        .get("/calls/{id}", calls::show)
        .post("/calls/{id}/join", calls::join)
        .post("/calls/{id}/leave", calls::leave)
        .post("/calls/{id}/end", calls::end)
        .post("/calls/{id}/decline", calls::decline)
        .post("/calls/{id}/heartbeat", calls::heartbeat)
        .get("/calls/{id}/ice", calls::ice)
        .put("/calls/{id}/participants/{user_id}/muted", calls::set_muted)
        .put("/calls/{id}/participants/{user_id}/hand", calls::set_hand)
        .delete("/calls/{id}/participants/{user_id}", calls::remove)
        .put("/messages/{id}", threads::edit)
        .post("/messages/{id}/retract", threads::retract)
        .get("/messages/{id}/versions", threads::versions)
        .post("/messages/{id}/ack", threads::acknowledge)
        .get("/attachments/{id}", threads::attachment)
        .get("/attachments/{id}/thumbnail", threads::thumbnail)
        .get("/events", threads::events)
        .get("/circle-invitations/{id}", circle::info)
        .post("/circle-invitations/{id}/accept", circle::accept)
        .get("/channels", channels::mine)
        .get("/channels/{id}", channels::show)
        .get("/channels/{id}/threads", channels::threads)
        .post("/channels/{id}/threads", channels::start_thread)
        .get("/channels/{id}/pinned", channels::pinned_list)
}

/// Professionals only, behind one guard ([`crate::guard::professional_api`]):
/// the network, organizations, patient files and circles, teams, new
/// threads and managing them.
pub fn professional_routes() -> ApiRoutes {
    ApiRoutes::new()
        .get("/admin/audit", account::network_audit)
        .get("/admin/outbox/failed", outbox::failed)
        .get("/admin/service-accounts", service_accounts::list)
        .post("/admin/service-accounts", service_accounts::create)
        .get("/admin/service-accounts/{id}", service_accounts::show)
        .patch("/admin/service-accounts/{id}", service_accounts::change)
        .post("/admin/outbox/{id}/retry", outbox::retry)
        .get("/admin/emrs", emrs::list)
        .post("/admin/emrs", emrs::register)
        .put("/admin/emrs/{id}", emrs::update)
        .get("/network/organizations", orgs::all_organizations)
        .post("/network/organizations", orgs::create_organization)
        .get("/organizations", orgs::my_organizations)
        .post("/organizations/active", orgs::switch_organization)
        .get("/org/structure", orgs::get_structure)
        .post("/org/units", orgs::create_unit)
        .put("/org/units/{id}", orgs::update_unit)
        .post("/org/workplaces", orgs::create_workplace)
        .put("/org/workplaces/{id}", orgs::update_workplace)
        .post("/org/teams", orgs::create_team)
        .put("/org/teams/{id}", orgs::update_team)
        .get("/org/members", orgs::members)
        .delete("/org/members/{id}", orgs::remove_member)
        .post("/org/members/{id}/roles", orgs::grant_role)
        .delete("/org/roles/{id}", orgs::revoke_role)
        .get("/org/invitations", orgs::invitations)
        .post("/org/invitations", orgs::invite)
        .post("/org/invitations/{id}/cancel", orgs::cancel_invitation)
        .post("/org/invitations/{id}/resend", orgs::resend_invitation)
        .get("/org/audit", orgs::audit_search)
        .get("/org/audit.csv", orgs::audit_csv)
        .get("/org/professions", network::member_professions)
        .post("/org/professions/{id}/validate", network::validate_member_profession)
        .get("/network/profile", network::my_profile)
        .put("/network/profile", network::update_profile)
        .get("/network/people/{id}", network::person)
        .get("/network/professions", network::catalogue)
        .post("/network/professions", network::add_profession)
        .delete("/network/professions/{id}", network::remove_profession)
        .get("/network/verification", network::verification_queue)
        .post("/network/verification/{id}/approve", network::approve)
        .post("/network/verification/{id}/reject", network::reject)
        .get("/network/verifiers", network::verifiers)
        .post("/network/verifiers", network::set_verifier)
        .put(
            "/network/organizations/{id}/validation",
            network::set_organization_validates,
        )
        .get("/network/search", network::search)
        .get("/network/workplaces", network::browse_workplaces)
        .post("/network/workplaces", network::create_workplace)
        .get("/network/workplaces/{id}", network::workplace)
        .post("/network/workplaces/{id}/join", network::join_workplace)
        .post("/network/workplaces/{id}/leave", network::leave_workplace)
        .get("/network/directory", network::directory_list)
        .post("/network/directory", network::directory_add)
        .delete("/network/directory/{id}", network::directory_remove)
        .get("/network/friends", network::friends_overview)
        .post("/network/friends", network::friend_request)
        .delete("/network/friends/{id}", network::unfriend)
        .post("/network/friends/requests/{id}/accept", network::friend_accept)
        .post("/network/friends/requests/{id}/ignore", network::friend_ignore)
        .get("/network/invitations", network::sent_invitations)
        .post("/network/invitations", network::invite)
        .get("/network/invitations/{id}", network::invitation_info)
        .post("/network/invitations/{id}/accept", network::accept_invitation)
        .post("/threads", threads::create)
        .post("/threads/{id}/participants", threads::add_participants)
        .post("/threads/{id}/participants/remove", threads::remove_participant)
        .post("/threads/{id}/leave", threads::leave)
        .post("/threads/{id}/close", threads::close)
        .post("/threads/{id}/reopen", threads::reopen)
        .put("/threads/{id}/priority", threads::set_priority)
        .post("/threads/{id}/duplicate", threads::duplicate)
        .get("/threads/{id}/export.pdf", threads::export_pdf)
        .post("/direct", threads::direct)
        .get("/patient-files", patients::list)
        .post("/patient-files", patients::create)
        .post("/patient-files/link", patients::link)
        .get("/patient-files/{id}", patients::show)
        .patch("/patient-files/{id}", patients::update)
        .post("/patient-files/{id}/archive", patients::archive)
        .post("/patient-files/{id}/restore", patients::restore)
        .get("/patient-files/{id}/circle", circle::list)
        .post("/patient-files/{id}/circle", circle::add)
        .put("/patient-files/{id}/circle/sections/{section}", circle::set_section)
        .post("/circle-members/{id}/invite", circle::invite)
        .post("/circle-members/{id}/resend", circle::resend)
        .post("/circle-members/{id}/cancel", circle::cancel)
        .get("/patient-files/{id}/channels", channels::of_file)
        .post("/patient-files/{id}/channels", channels::create)
        .post("/channels/{id}/participants", channels::add_participant)
        .delete("/channels/{id}/participants/{kind}/{pid}", channels::remove_participant)
        .post("/channels/{id}/pinned", channels::pin)
        .get("/teams", teams::mine)
        .get("/teams/{id}", teams::show)
        .post("/teams/{id}/threads", teams::write)
        .get("/teams/{id}/members", teams::members)
        .post("/teams/{id}/members", teams::set_member)
        .post("/teams/{id}/members/remove", teams::remove_member)
        .post("/threads/{id}/team/assign", teams::assign)
        .post("/threads/{id}/team/take", teams::take)
        .post("/threads/{id}/team/return", teams::return_to_triage)
        .post("/threads/{id}/team/unassign", teams::unassign)
        .post("/threads/{id}/team/join", teams::join)
        .post("/threads/{id}/team/invite", teams::invite)
        .post("/threads/{id}/team/remove", teams::remove_team)
}

/// Attachment uploads: the largest bodies (videos).
pub fn attachment_routes() -> ApiRoutes {
    ApiRoutes::new().put("/threads/{id}/files", threads::upload)
}

/// A new version of a pinned document (professionals only).
pub fn professional_attachment_routes() -> ApiRoutes {
    ApiRoutes::new().post("/pinned/{id}/versions", channels::add_version)
}

/// Routes whose body is a file (a photo, a proof document): they take a
/// larger body than the rest of the API.
/// The signalling relay of calls: an SDP to the forwarding unit grows with
/// the call (`cercle_app::calls::signal::max_signal_json`), beyond the
/// small routes' body limit.
pub fn signal_routes() -> ApiRoutes {
    ApiRoutes::new().post("/calls/{id}/signal", calls::signal)
}

pub fn upload_routes() -> ApiRoutes {
    // One's photo: patients and caregivers have one too.
    ApiRoutes::new()
        .put("/network/profile/photo", network::set_photo)
        .delete("/network/profile/photo", network::remove_photo)
}

/// A proof of profession (professionals only).
pub fn professional_upload_routes() -> ApiRoutes {
    ApiRoutes::new()
        .put("/network/professions/{id}/proof", network::submit_proof)
        .get("/network/professions/{id}/proof", network::proof_document)
}

/// Every operation of the API: the seven groups that `crate::router` serves
/// under `/api/v1`, as (method, pattern). The OpenAPI document must name
/// exactly these (a test checks both ways).
pub fn all_operations() -> Vec<(Method, &'static str)> {
    let mut all = Vec::new();
    for group in [
        routes(),
        professional_routes(),
        attachment_routes(),
        professional_attachment_routes(),
        upload_routes(),
        professional_upload_routes(),
        signal_routes(),
    ] {
        all.extend_from_slice(group.operations());
    }
    all
}

/// The patterns of every professional route of the API (the three groups
/// that `crate::router` layers with their body limits), for the tests.
pub fn professional_patterns() -> Vec<&'static str> {
    let mut all = Vec::new();
    for group in [
        professional_routes(),
        professional_upload_routes(),
        professional_attachment_routes(),
    ] {
        for (_, path) in group.operations() {
            if !all.contains(path) {
                all.push(*path);
            }
        }
    }
    all
}

/// Routes that remember their operations (method and pattern), so that the
/// router and the list the OpenAPI document is checked against are written
/// in one place.
#[derive(Default)]
pub struct ApiRoutes {
    router: Router<WebState>,
    operations: Vec<(Method, &'static str)>,
}

macro_rules! method {
    ($name:ident, $method:ident) => {
        pub fn $name<H, T>(mut self, path: &'static str, handler: H) -> Self
        where
            H: axum::handler::Handler<T, WebState>,
            T: 'static,
        {
            // axum joins the method routers of one path.
            self.router = self.router.route(path, axum::routing::$name(handler));
            self.operations.push((Method::$method, path));
            self
        }
    };
}

impl ApiRoutes {
    pub fn new() -> Self {
        ApiRoutes::default()
    }

    method!(get, GET);
    method!(post, POST);
    method!(put, PUT);
    method!(patch, PATCH);
    method!(delete, DELETE);

    pub fn operations(&self) -> &[(Method, &'static str)] {
        &self.operations
    }

    pub fn into_router(self) -> Router<WebState> {
        self.router
    }
}

/// Answers the errors handlers returned with `?` (an [`ApiError`] without
/// a language) in the request's language: the one place that knows it for
/// them.
pub async fn translate_errors(req: Request, next: Next) -> Response {
    let (parts, body) = req.into_parts();
    let lang = lang_of(&parts);
    let mut resp = next.run(Request::from_parts(parts, body)).await;
    match resp.extensions_mut().remove::<Untranslated>() {
        Some(Untranslated(error)) => crate::error::answer(&error, lang),
        None => resp,
    }
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

/// A query string whose rejections answer in our error format (400
/// `bad-request`), not axum's plain text.
pub struct ApiQuery<T>(pub T);

impl<T, S> FromRequestParts<S> for ApiQuery<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = Response;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::try_from_uri(&parts.uri) {
            Ok(axum::extract::Query(v)) => Ok(ApiQuery(v)),
            Err(_) => Err(json_error(StatusCode::BAD_REQUEST, "bad-request", lang_of(parts))),
        }
    }
}

/// Who calls: a ready session's principal (or a service account's, on the
/// operations open to it: [`crate::extract::SERVICE_OPERATIONS`]), and the
/// request's language. Rejects as the API does (401 not signed in, 423
/// locked, 403 service-not-allowed…).
pub struct Caller {
    pub principal: Principal,
    pub lang: Language,
}

impl FromRequestParts<WebState> for Caller {
    type Rejection = Response;
    async fn from_request_parts(parts: &mut Parts, state: &WebState) -> Result<Self, Self::Rejection> {
        let lang = lang_of(parts);
        let ApiPrincipal(principal) = ApiPrincipal::from_request_parts(parts, state).await?;
        Ok(Caller { principal, lang })
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
