//! One guard in front of the professional space. The pages and the API are
//! each split in two routers: what everyone signed in uses (their account,
//! security, notifications, care space, the threads they reach) and what is
//! for professionals only (network, organizations, patient files, teams, new
//! threads, administration…). The second is built as a [`RouteList`], so
//! the patterns it serves can be listed (the tests iterate them all), and
//! carries one `route_layer`: [`professional_pages`] or
//! [`professional_api`]. Whether a principal may enter is the domain
//! policy's answer (`Permission::UseProfessionalSpace`); a request without
//! a ready session goes on to the handler, which answers as before (sign-in,
//! lock, 401).

use crate::extract::{lang_of, ApiAuth, WebSession};
use crate::{error::json_error, WebState};
use axum::extract::{FromRequestParts, OptionalFromRequestParts, Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::MethodRouter;
use axum::Router;
use cercle_domain::policy::{self, Permission, Principal};

/// Where a patient or caregiver lives: their care teams.
pub const CARE_SPACE: &str = "/care";

/// Routes that remember their patterns.
#[derive(Default)]
pub struct RouteList {
    router: Router<WebState>,
    patterns: Vec<&'static str>,
}

impl RouteList {
    pub fn new() -> Self {
        RouteList::default()
    }

    pub fn route(mut self, path: &'static str, method_router: MethodRouter<WebState>) -> Self {
        self.router = self.router.route(path, method_router);
        if !self.patterns.contains(&path) {
            self.patterns.push(path);
        }
        self
    }

    pub fn merge(mut self, other: RouteList) -> Self {
        self.router = self.router.merge(other.router);
        for p in other.patterns {
            if !self.patterns.contains(&p) {
                self.patterns.push(p);
            }
        }
        self
    }

    pub fn patterns(&self) -> &[&'static str] {
        &self.patterns
    }

    pub fn into_router(self) -> Router<WebState> {
        self.router
    }
}

/// Whether this principal is kept out of the professional space.
fn kept_out(principal: &Principal) -> bool {
    matches!(principal, Principal::User(_)) && !policy::may(principal, &Permission::UseProfessionalSpace)
}

/// Pages: a patient or caregiver is sent to their care space.
pub async fn professional_pages(State(state): State<WebState>, req: Request, next: Next) -> Response {
    let (mut parts, body) = req.into_parts();
    let session = <WebSession as OptionalFromRequestParts<WebState>>::from_request_parts(&mut parts, &state)
        .await
        .ok()
        .flatten();
    if let Some(WebSession(view)) = session {
        if view.principal().is_ok_and(|p| kept_out(&p)) {
            return Redirect::to(CARE_SPACE).into_response();
        }
    }
    next.run(Request::from_parts(parts, body)).await
}

/// API: a patient or caregiver gets 403 `professionals-only`.
pub async fn professional_api(State(state): State<WebState>, req: Request, next: Next) -> Response {
    let (mut parts, body) = req.into_parts();
    if let Ok(ApiAuth(view)) = ApiAuth::from_request_parts(&mut parts, &state).await {
        if view.principal().is_ok_and(|p| kept_out(&p)) {
            return json_error(StatusCode::FORBIDDEN, "professionals-only", lang_of(&parts));
        }
    }
    next.run(Request::from_parts(parts, body)).await
}
