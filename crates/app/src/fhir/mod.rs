//! The network directory as a FHIR R4 server (read and search, no writes):
//! `Practitioner` (profiles), `PractitionerRole` (who works at which
//! workplace, with their validated professions), `Organization`,
//! `Location` (workplaces) and `HealthcareService` (teams). This module maps
//! and searches; the HTTP side (`cercle_web::api::fhir`) only parses the
//! request and writes the answer.
//!
//! Who sees what is exactly the network directory's rule: a person is found
//! only when [`cercle_domain::policy::network::may_view_profile`] says so
//! (restricted people stay hidden from strangers), workplaces and their
//! organizations are public to professionals, and teams are listed to the
//! members of their organization ([`may_list_teams`]). Patients and
//! caregivers are refused ([`Permission::ReadFhirDirectory`]). Permit
//! (licence) numbers are shown to their holder only on the network, so they
//! never appear here.
//!
//! [`may_list_teams`]: cercle_domain::policy::network::may_list_teams

mod query;
mod resources;
mod search;

pub use query::{SearchQuery, MAX_COUNT, MAX_PAGE};
pub use resources::capability_statement;

use crate::acting::limit;
use crate::{AppError, Ctx};
use cercle_domain::policy::{self, Permission, Principal};
use cercle_domain::Language;
use serde_json::Value;

/// FHIR's JSON media type: every answer of `/fhir` carries it.
pub const CONTENT_TYPE: &str = "application/fhir+json";

/// The resource types the directory serves.
pub const RESOURCE_TYPES: &[&str] = &[
    "Practitioner",
    "PractitionerRole",
    "Organization",
    "Location",
    "HealthcareService",
];

/// Reads and searches per person per minute: a client paging through the
/// directory fits, an enumeration does not.
pub const REQUESTS_PER_MINUTE: i64 = 300;

/// At most this many candidates of one type are read per request, before
/// the search parameters narrow them (a bound on the work of one request).
pub const MAX_SCAN: i64 = 5000;

/// Why a FHIR request is refused. The HTTP side answers each with an
/// `OperationOutcome`.
#[derive(Debug)]
pub enum FhirError {
    /// 400: a search parameter (or modifier) this server does not support
    /// for this type.
    UnknownParameter(String),
    /// 400: a parameter whose value cannot be read (`_count=abc`, an empty
    /// value, too long, too many parameters).
    BadValue(String),
    /// 404: a type the directory does not serve.
    UnknownType(String),
    /// Anything else (401, 403, 404, 429, 5xx), as the rest of Cercle says it.
    App(AppError),
}

impl From<AppError> for FhirError {
    fn from(e: AppError) -> Self {
        FhirError::App(e)
    }
}

impl From<cercle_store::StoreError> for FhirError {
    fn from(e: cercle_store::StoreError) -> Self {
        FhirError::App(e.into())
    }
}

pub type FhirResult<T> = Result<T, FhirError>;

/// The base URL of the FHIR endpoint (`<public_url>/fhir`).
pub fn base_url(ctx: &Ctx) -> String {
    format!("{}/fhir", ctx.config.public_url.trim_end_matches('/'))
}

fn check_type(resource_type: &str) -> FhirResult<&'static str> {
    RESOURCE_TYPES
        .iter()
        .find(|t| **t == resource_type)
        .copied()
        .ok_or_else(|| FhirError::UnknownType(resource_type.chars().take(64).collect()))
}

/// The caller, once the policy let them in, counted against the rate limit.
async fn caller(ctx: &Ctx, principal: &Principal) -> FhirResult<cercle_domain::UserId> {
    // Professionals, and service accounts with the directory scope (acting
    // through their member, whose visibility applies).
    let me = crate::acting::person(principal)?;
    if !policy::may(principal, &Permission::ReadFhirDirectory) {
        return Err(AppError::Forbidden.into());
    }
    limit(ctx, "fhir", &me.user_id.to_string(), REQUESTS_PER_MINUTE, 60).await?;
    Ok(me.user_id)
}

/// `GET /fhir/{type}/{id}`: one resource, or "not found" (404) for one
/// that does not exist or that the caller may not see (the same answer).
pub async fn read(
    ctx: &Ctx,
    principal: &Principal,
    resource_type: &str,
    id: &str,
    lang: Language,
) -> FhirResult<Value> {
    let resource_type = check_type(resource_type)?;
    let viewer = caller(ctx, principal).await?;
    if id.is_empty() || id.len() > 64 {
        return Err(AppError::NotFound.into());
    }
    let query = SearchQuery::by_id(id);
    let found = search::run(ctx, viewer, resource_type, &query, lang).await?;
    found.entries.into_iter().next().ok_or(AppError::NotFound.into())
}

/// `GET /fhir/{type}?…`: a `searchset` Bundle of one page, with its `self`,
/// `next` and `previous` links.
pub async fn search(
    ctx: &Ctx,
    principal: &Principal,
    resource_type: &str,
    params: &[(String, String)],
    lang: Language,
) -> FhirResult<Value> {
    let resource_type = check_type(resource_type)?;
    let viewer = caller(ctx, principal).await?;
    let query = SearchQuery::parse(resource_type, params)?;
    let found = search::run(ctx, viewer, resource_type, &query, lang).await?;
    Ok(resources::bundle(
        &base_url(ctx),
        resource_type,
        &query,
        found.total,
        found.entries,
    ))
}
