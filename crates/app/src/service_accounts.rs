//! Service accounts for hosting partners and EMRs (issue 18, part 3): SMART
//! Backend Services. A network administrator registers a partner's account
//! (its organization, the member it acts through, its scopes and its public
//! keys as a JWK set); the partner signs a client assertion with its
//! private key and trades it at the token endpoint (`client_credentials`)
//! for a short-lived opaque access token; with it, the partner calls the
//! parts of the JSON API its scopes open, as a [`Principal::Service`].
//!
//! - Keys: EC P-256/P-384 and RSA (2048 bits or more), public only; ES256,
//!   ES384, RS256, RS384 assertions.
//! - The assertion: `iss` = `sub` = the account's id, `aud` = the token
//!   endpoint's URL, `exp` in the future and at most five minutes ahead, a
//!   `jti` used once (kept in the database until `exp`, so a replay is seen
//!   on any node).
//! - The access token: 256 random bits behind the prefix `svc_`, kept as
//!   its SHA-256 only, valid five minutes, with the scopes asked for (each
//!   granted to the account). Disabling the account or replacing its keys
//!   ends its tokens at once.
//! - Every administrator's change, every token issued or refused, and every
//!   call is audited with the service account named.

use crate::accounts::{check_address, count_address_failure};
use crate::secrets::{hash_token, random_token};
use crate::{audit, AppError, AppResult, Client, Ctx};
use cercle_domain::audit::{Actor, AuditAction, NewAuditEvent};
use cercle_domain::policy::service::{parse_scopes, scopes_text, within};
use cercle_domain::policy::{may, Permission, Principal, ServiceActing, ServicePrincipal, UserPrincipal};
use cercle_domain::{Email, InputError, OrgId, ServiceAccountId, SessionId};
use cercle_store::service_accounts::{self as store, ServiceAccountRow};
use cercle_store::{members, orgs, users};
use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, Jwk, JwkSet};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// An access token lives five minutes.
pub const TOKEN_TTL_SECS: i64 = 300;
/// An assertion's `exp` is at most five minutes ahead.
pub const MAX_ASSERTION_SECS: i64 = 300;
/// Every access token starts so: the JSON API tells it from a session's
/// bearer token without a lookup.
pub const TOKEN_PREFIX: &str = "svc_";
/// The grant and assertion types of SMART Backend Services.
pub const GRANT_TYPE: &str = "client_credentials";
pub const ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
/// Algorithms accepted for client assertions.
pub const ALGORITHMS: [Algorithm; 4] = [Algorithm::ES256, Algorithm::ES384, Algorithm::RS256, Algorithm::RS384];
/// Bounds on what is registered and presented.
const MAX_JWKS_BYTES: usize = 16 * 1024;
const MAX_KEYS: usize = 10;
const MAX_ASSERTION_BYTES: usize = 8 * 1024;
const MAX_JTI: usize = 255;
const MAX_NAME: usize = 100;
/// Failures of the token endpoint counted per address, like sign-in's.
const ADDRESS_KIND: &str = "service-token";
/// Tokens one account may get per ten minutes (a partner needs one per five).
const TOKENS_PER_WINDOW: i64 = 60;

/// The token endpoint's URL: the assertion's `aud`.
pub fn token_url(ctx: &Ctx) -> String {
    format!("{}/oauth/token", ctx.config.public_url.trim_end_matches('/'))
}

/// Cercle's own `/.well-known/smart-configuration` (what a backend client
/// needs to know).
pub fn smart_configuration(ctx: &Ctx) -> Value {
    let base = ctx.config.public_url.trim_end_matches('/');
    serde_json::json!({
        "issuer": base,
        "token_endpoint": token_url(ctx),
        "token_endpoint_auth_methods_supported": ["private_key_jwt"],
        "token_endpoint_auth_signing_alg_values_supported": ALGORITHMS.iter().map(|a| format!("{a:?}")).collect::<Vec<_>>(),
        "grant_types_supported": [GRANT_TYPE],
        "scopes_supported": cercle_domain::policy::ServiceScope::ALL.iter().map(|s| s.as_str()).collect::<Vec<_>>(),
        "capabilities": ["client-confidential-asymmetric"],
        "fhir_base_url": format!("{base}/fhir"),
        "api_base_url": format!("{base}/api/v1"),
    })
}

// ---- Administration ------------------------------------------------------------

/// A service account as the administrator registers it.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct NewServiceAccount {
    pub name: String,
    /// The organization it acts for.
    pub org_id: String,
    /// The email of the member of that organization it acts through: its
    /// roles are the ceiling of what the account may do.
    pub member_email: String,
    /// Among `system/Patient.cru`, `cercle/circle.invite`, `cercle/directory.read`.
    pub scopes: Vec<String>,
    /// The partner's public keys, a JWK set `{"keys": [...]}`.
    #[schema(value_type = Object)]
    pub jwks: Value,
}

/// One registered key, as listed (never more than its public facts).
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct KeySummary {
    pub kid: Option<String>,
    /// EC | RSA
    pub kty: String,
    pub alg: Option<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct ServiceAccount {
    /// Also its OAuth `client_id` (the assertion's `iss` and `sub`).
    pub id: String,
    pub name: String,
    pub org_id: String,
    pub org_name: String,
    pub member_id: String,
    pub member_email: String,
    pub scopes: Vec<String>,
    pub keys: Vec<KeySummary>,
    pub created_at: i64,
    pub updated_at: Option<i64>,
    pub disabled: bool,
    pub disabled_at: Option<i64>,
}

fn require_admin(principal: &Principal) -> AppResult<Actor> {
    if !may(principal, &Permission::AdministerNetwork) {
        return Err(AppError::Forbidden);
    }
    Ok(match principal {
        Principal::User(u) => Actor::User(u.user_id),
        _ => Actor::System,
    })
}

fn name_of(raw: &str) -> AppResult<String> {
    let name = raw.trim();
    let len = name.chars().count();
    if len == 0 || len > MAX_NAME || name.chars().any(char::is_control) {
        return Err(InputError::InvalidTitle.into());
    }
    Ok(name.to_string())
}

fn scopes_of(raw: &[String]) -> AppResult<String> {
    let scopes = parse_scopes(&raw.join(" ")).ok_or(InputError::ServiceScopeUnknown)?;
    if scopes.is_empty() {
        return Err(InputError::ServiceScopeUnknown.into());
    }
    Ok(scopes_text(&scopes))
}

/// Whether a key may sign assertions with `alg`.
fn fits(jwk: &Jwk, alg: Algorithm) -> bool {
    let declared = jwk.common.key_algorithm.and_then(|a| Algorithm::try_from(a).ok());
    if declared.is_some_and(|d| d != alg) {
        return false;
    }
    match (&jwk.algorithm, alg) {
        (AlgorithmParameters::EllipticCurve(p), Algorithm::ES256) => p.curve == EllipticCurve::P256,
        (AlgorithmParameters::EllipticCurve(p), Algorithm::ES384) => p.curve == EllipticCurve::P384,
        (AlgorithmParameters::RSA(_), Algorithm::RS256 | Algorithm::RS384) => true,
        _ => false,
    }
}

/// Checks a JWK set: 1 to 10 public EC (P-256, P-384) or RSA (2048 bits or
/// more) keys, each usable with an accepted algorithm; no private part, no
/// symmetric key. Gives it as stored.
pub fn check_jwks(raw: &Value) -> AppResult<String> {
    let bad = || AppError::Input(InputError::ServiceKeysInvalid);
    let text = serde_json::to_string(raw).map_err(|_| bad())?;
    if text.len() > MAX_JWKS_BYTES {
        return Err(bad());
    }
    let keys = raw.get("keys").and_then(Value::as_array).ok_or_else(bad)?;
    if keys.is_empty() || keys.len() > MAX_KEYS {
        return Err(bad());
    }
    for key in keys {
        // Private parts (EC and RSA) never belong here.
        let obj = key.as_object().ok_or_else(bad)?;
        if ["d", "p", "q", "dp", "dq", "qi", "k"]
            .iter()
            .any(|m| obj.contains_key(*m))
        {
            return Err(bad());
        }
    }
    let set: JwkSet = serde_json::from_value(raw.clone()).map_err(|_| bad())?;
    for jwk in &set.keys {
        if !ALGORITHMS.iter().any(|a| fits(jwk, *a)) {
            return Err(bad());
        }
        if let AlgorithmParameters::RSA(p) = &jwk.algorithm {
            use base64::Engine;
            let n = base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(p.n.trim_end_matches('='))
                .map_err(|_| bad())?;
            let bits = n.iter().skip_while(|b| **b == 0).count() * 8;
            if bits < 2048 {
                return Err(bad());
            }
        }
        DecodingKey::from_jwk(jwk).map_err(|_| bad())?;
    }
    Ok(text)
}

fn key_summaries(jwks: &str) -> Vec<KeySummary> {
    let Ok(set) = serde_json::from_str::<JwkSet>(jwks) else {
        return Vec::new();
    };
    set.keys
        .iter()
        .map(|k| KeySummary {
            kid: k.common.key_id.clone(),
            kty: match k.algorithm {
                AlgorithmParameters::RSA(_) => "RSA".into(),
                _ => "EC".into(),
            },
            alg: k
                .common
                .key_algorithm
                .and_then(|a| Algorithm::try_from(a).ok())
                .map(|a| format!("{a:?}")),
        })
        .collect()
}

async fn view(conn: &mut cercle_store::Conn, row: &ServiceAccountRow) -> AppResult<ServiceAccount> {
    let org = orgs::org_by_id(&mut *conn, row.org_id).await?;
    let member = users::get(&mut *conn, &row.acting_user_id.to_string()).await?;
    Ok(ServiceAccount {
        id: row.id.to_string(),
        name: row.name.clone(),
        org_id: row.org_id.to_string(),
        org_name: org.map(|o| o.name).unwrap_or_default(),
        member_id: row.acting_user_id.to_string(),
        member_email: member.email,
        scopes: row.scopes.split_whitespace().map(str::to_string).collect(),
        keys: key_summaries(&row.jwks),
        created_at: row.created_at,
        updated_at: row.updated_at,
        disabled: row.disabled_at.is_some(),
        disabled_at: row.disabled_at,
    })
}

fn admin_event(
    actor: Actor,
    name: &'static str,
    action: AuditAction,
    id: ServiceAccountId,
    client: &Client,
) -> NewAuditEvent {
    NewAuditEvent::new(actor, name, action, "service_account")
        .target(id)
        .ip(client.ip.clone())
}

/// Registers a service account (network administrators only).
pub async fn register(
    ctx: &Ctx,
    client: &Client,
    principal: &Principal,
    input: &NewServiceAccount,
) -> AppResult<ServiceAccount> {
    let actor = require_admin(principal)?;
    let name = name_of(&input.name)?;
    let scopes = scopes_of(&input.scopes)?;
    let jwks = check_jwks(&input.jwks)?;
    let org_id: OrgId = input.org_id.trim().parse().map_err(|_| AppError::NotFound)?;
    let email = Email::parse(&input.member_email).map_err(|_| InputError::ServiceMemberNotFound)?;
    let now = ctx.clock.now();
    let mut tx = ctx.store.begin().await?;
    if orgs::org_by_id(&mut tx, org_id).await?.is_none() {
        return Err(AppError::NotFound);
    }
    let member = users::by_email(&mut tx, email.as_str())
        .await?
        .filter(|u| u.deleted_at.is_none())
        .ok_or(InputError::ServiceMemberNotFound)?;
    let member_id = crate::acting::user_id_of(&member)?;
    if member.circle_only || !members::is_member(&mut tx, org_id, member_id).await? {
        return Err(InputError::ServiceMemberNotFound.into());
    }
    if store::by_name(&mut tx, &name).await?.is_some() {
        return Err(AppError::Conflict("service-account-name-taken"));
    }
    let row = ServiceAccountRow {
        id: ServiceAccountId::new(),
        name,
        org_id,
        acting_user_id: member_id,
        scopes,
        jwks,
        created_at: now.0,
        updated_at: None,
        disabled_at: None,
    };
    let by = match &actor {
        Actor::User(u) => Some(*u),
        _ => None,
    };
    store::insert(&mut tx, &row, by).await?;
    audit::record(
        &mut tx,
        admin_event(actor, "service.account_created", AuditAction::Create, row.id, client)
            .scope("org", org_id)
            .scope("member", member_id)
            .scope("scopes", row.scopes.replace(' ', ",")),
        now,
    )
    .await?;
    let shown = view(&mut tx, &row).await?;
    tx.commit().await?;
    Ok(shown)
}

/// Every service account (network administrators only).
pub async fn list(ctx: &Ctx, principal: &Principal) -> AppResult<Vec<ServiceAccount>> {
    require_admin(principal)?;
    let mut conn = ctx.store.reader().await?;
    let rows = store::list(&mut conn).await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        out.push(view(&mut conn, r).await?);
    }
    Ok(out)
}

/// One service account (network administrators only).
pub async fn show(ctx: &Ctx, principal: &Principal, id: ServiceAccountId) -> AppResult<ServiceAccount> {
    require_admin(principal)?;
    let mut conn = ctx.store.reader().await?;
    let row = store::get(&mut conn, id).await?.ok_or(AppError::NotFound)?;
    view(&mut conn, &row).await
}

/// What an administrator changes on an account: every field is optional.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct ServiceAccountChange {
    /// Replaces the whole JWK set (key rotation: send the new key with the
    /// old, then the new alone). Tokens issued so far end.
    #[schema(value_type = Option<Object>)]
    pub jwks: Option<Value>,
    pub scopes: Option<Vec<String>>,
    /// true disables (tokens end at once, new ones are refused); false enables.
    pub disabled: Option<bool>,
}

/// Rotates keys, changes scopes, disables or enables (network
/// administrators only); each change audited.
pub async fn change(
    ctx: &Ctx,
    client: &Client,
    principal: &Principal,
    id: ServiceAccountId,
    input: &ServiceAccountChange,
) -> AppResult<ServiceAccount> {
    let actor = require_admin(principal)?;
    let jwks = input.jwks.as_ref().map(check_jwks).transpose()?;
    let scopes = input.scopes.as_deref().map(scopes_of).transpose()?;
    let now = ctx.clock.now();
    let mut tx = ctx.store.begin().await?;
    let row = store::get(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    if let Some(jwks) = &jwks {
        store::set_jwks(&mut tx, id, jwks, now).await?;
        store::revoke_tokens(&mut tx, id).await?;
        audit::record(
            &mut tx,
            admin_event(actor.clone(), "service.keys_replaced", AuditAction::Update, id, client)
                .scope("keys", key_summaries(jwks).len()),
            now,
        )
        .await?;
    }
    if let Some(scopes) = &scopes {
        store::set_scopes(&mut tx, id, scopes, now).await?;
        store::revoke_tokens(&mut tx, id).await?;
        audit::record(
            &mut tx,
            admin_event(actor.clone(), "service.scopes_changed", AuditAction::Update, id, client)
                .scope("scopes", scopes.replace(' ', ",")),
            now,
        )
        .await?;
    }
    match input.disabled {
        Some(true) if row.disabled_at.is_none() => {
            store::set_disabled(&mut tx, id, Some(now.0), now).await?;
            store::revoke_tokens(&mut tx, id).await?;
            audit::record(
                &mut tx,
                admin_event(
                    actor.clone(),
                    "service.account_disabled",
                    AuditAction::Update,
                    id,
                    client,
                ),
                now,
            )
            .await?;
        }
        Some(false) if row.disabled_at.is_some() => {
            store::set_disabled(&mut tx, id, None, now).await?;
            audit::record(
                &mut tx,
                admin_event(
                    actor.clone(),
                    "service.account_enabled",
                    AuditAction::Update,
                    id,
                    client,
                ),
                now,
            )
            .await?;
        }
        _ => {}
    }
    let row = store::get(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    let shown = view(&mut tx, &row).await?;
    tx.commit().await?;
    Ok(shown)
}

// ---- The token endpoint ------------------------------------------------------------

/// The form posted to the token endpoint.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct TokenRequest {
    #[serde(default)]
    pub grant_type: String,
    #[serde(default)]
    pub client_assertion_type: String,
    #[serde(default)]
    pub client_assertion: String,
    #[serde(default)]
    pub scope: String,
    /// Optional; when given, it must be the assertion's `iss`.
    pub client_id: Option<String>,
}

/// What the token endpoint answers.
#[derive(Debug, Clone, Serialize)]
pub struct TokenResponse {
    pub access_token: String,
    pub token_type: &'static str,
    pub expires_in: i64,
    pub scope: String,
}

/// The token endpoint's refusals (RFC 6749 §5.2), each with the reason
/// shown in `error_description` (an `oauth-…` message key).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OAuthError {
    InvalidRequest(&'static str),
    UnsupportedGrantType,
    /// Unknown or disabled client, or a signature no registered key makes.
    InvalidClient(&'static str),
    /// The assertion: expired, `exp` too far, `jti` missing or replayed.
    InvalidGrant(&'static str),
    InvalidScope,
    /// Too many failures from this address, or tokens for this account.
    TooManyRequests,
    /// The server could not answer (database…).
    Server(String),
}

impl OAuthError {
    /// The `error` code.
    pub fn code(&self) -> &'static str {
        match self {
            OAuthError::InvalidRequest(_) => "invalid_request",
            OAuthError::UnsupportedGrantType => "unsupported_grant_type",
            OAuthError::InvalidClient(_) => "invalid_client",
            OAuthError::InvalidGrant(_) => "invalid_grant",
            OAuthError::InvalidScope => "invalid_scope",
            OAuthError::TooManyRequests => "temporarily_unavailable",
            OAuthError::Server(_) => "server_error",
        }
    }
    /// The message key of `error_description`.
    pub fn message_key(&self) -> &'static str {
        match self {
            OAuthError::InvalidRequest(k) | OAuthError::InvalidClient(k) | OAuthError::InvalidGrant(k) => k,
            OAuthError::UnsupportedGrantType => "oauth-unsupported-grant-type",
            OAuthError::InvalidScope => "oauth-invalid-scope",
            OAuthError::TooManyRequests => "error-rate-limited",
            OAuthError::Server(_) => "error-internal",
        }
    }
    pub fn status(&self) -> u16 {
        match self {
            OAuthError::InvalidClient(_) => 401,
            OAuthError::TooManyRequests => 429,
            OAuthError::Server(_) => 503,
            _ => 400,
        }
    }
}

impl From<AppError> for OAuthError {
    fn from(e: AppError) -> Self {
        match e {
            AppError::RateLimited => OAuthError::TooManyRequests,
            other => OAuthError::Server(other.to_string()),
        }
    }
}

impl From<cercle_store::StoreError> for OAuthError {
    fn from(e: cercle_store::StoreError) -> Self {
        AppError::from(e).into()
    }
}

#[derive(Debug, Deserialize)]
struct Claims {
    iss: Option<String>,
    sub: Option<String>,
    exp: Option<i64>,
    jti: Option<String>,
}

/// Checks the assertion's signature against the account's keys (the one
/// named by `kid`, else each key that fits the algorithm), and its `aud`.
fn verified(assertion: &str, alg: Algorithm, kid: Option<&str>, jwks: &str, aud: &str) -> Result<Claims, OAuthError> {
    let set: JwkSet = serde_json::from_str(jwks).map_err(|_| OAuthError::InvalidClient("oauth-bad-signature"))?;
    let mut validation = Validation::new(alg);
    // `exp` is checked below against Cercle's clock, with its own bounds.
    validation.validate_exp = false;
    validation.validate_nbf = false;
    validation.leeway = 0;
    validation.set_audience(&[aud]);
    validation.set_required_spec_claims(&["iss", "sub", "aud", "exp"]);
    let mut audience_wrong = false;
    for jwk in set.keys.iter().filter(|k| fits(k, alg)) {
        if kid.is_some() && k_id(jwk) != kid {
            continue;
        }
        let Ok(key) = DecodingKey::from_jwk(jwk) else { continue };
        match jsonwebtoken::decode::<Claims>(assertion, &key, &validation) {
            Ok(data) => return Ok(data.claims),
            Err(e) if matches!(e.kind(), jsonwebtoken::errors::ErrorKind::InvalidAudience) => audience_wrong = true,
            Err(_) => {}
        }
    }
    if audience_wrong {
        Err(OAuthError::InvalidClient("oauth-bad-audience"))
    } else {
        Err(OAuthError::InvalidClient("oauth-bad-signature"))
    }
}

fn k_id(jwk: &Jwk) -> Option<&str> {
    jwk.common.key_id.as_deref()
}

/// Trades a client assertion for an access token. A refusal counts against
/// the address (as a failed sign-in does) and is audited when it names a
/// registered account.
pub async fn issue_token(ctx: &Ctx, client: &Client, req: &TokenRequest) -> Result<TokenResponse, OAuthError> {
    check_address(ctx, ADDRESS_KIND, client).await?;
    let mut account: Option<ServiceAccountId> = None;
    match issue(ctx, client, req, &mut account).await {
        Ok(t) => Ok(t),
        Err(e @ (OAuthError::Server(_) | OAuthError::TooManyRequests)) => Err(e),
        Err(e) => {
            let now = ctx.clock.now();
            let mut tx = ctx.store.begin().await?;
            count_address_failure(ctx, &mut tx, ADDRESS_KIND, client).await?;
            if let Some(id) = account {
                audit::record(
                    &mut tx,
                    NewAuditEvent::new(
                        Actor::Anonymous,
                        "service.token_refused",
                        AuditAction::Create,
                        "service_account",
                    )
                    .target(id)
                    .scope("error", e.code())
                    .scope("reason", e.message_key())
                    .ip(client.ip.clone()),
                    now,
                )
                .await?;
            }
            tx.commit().await.map_err(AppError::from)?;
            Err(e)
        }
    }
}

async fn issue(
    ctx: &Ctx,
    client: &Client,
    req: &TokenRequest,
    account: &mut Option<ServiceAccountId>,
) -> Result<TokenResponse, OAuthError> {
    if req.grant_type != GRANT_TYPE {
        return Err(OAuthError::UnsupportedGrantType);
    }
    if req.client_assertion_type != ASSERTION_TYPE {
        return Err(OAuthError::InvalidRequest("oauth-assertion-type"));
    }
    let assertion = req.client_assertion.trim();
    if assertion.is_empty() || assertion.len() > MAX_ASSERTION_BYTES {
        return Err(OAuthError::InvalidRequest("oauth-assertion-missing"));
    }
    let header =
        jsonwebtoken::decode_header(assertion).map_err(|_| OAuthError::InvalidClient("oauth-bad-signature"))?;
    if !ALGORITHMS.contains(&header.alg) {
        return Err(OAuthError::InvalidClient("oauth-bad-signature"));
    }
    // Read unverified only to find the account whose keys verify it.
    let unverified: Claims = jsonwebtoken::dangerous::insecure_decode_claims(assertion)
        .map_err(|_| OAuthError::InvalidClient("oauth-bad-signature"))?;
    let iss = unverified.iss.unwrap_or_default();
    if unverified.sub.as_deref() != Some(iss.as_str()) || req.client_id.as_deref().is_some_and(|c| c != iss) {
        return Err(OAuthError::InvalidClient("oauth-unknown-client"));
    }
    let id: ServiceAccountId = iss
        .parse()
        .map_err(|_| OAuthError::InvalidClient("oauth-unknown-client"))?;
    let row = {
        let mut conn = ctx.store.reader().await.map_err(AppError::from)?;
        store::get(&mut conn, id).await?
    };
    let Some(row) = row else {
        return Err(OAuthError::InvalidClient("oauth-unknown-client"));
    };
    *account = Some(row.id);
    if row.disabled_at.is_some() {
        return Err(OAuthError::InvalidClient("oauth-client-disabled"));
    }
    let claims = verified(assertion, header.alg, header.kid.as_deref(), &row.jwks, &token_url(ctx))?;
    if claims.iss.as_deref() != Some(iss.as_str()) || claims.sub.as_deref() != Some(iss.as_str()) {
        return Err(OAuthError::InvalidClient("oauth-unknown-client"));
    }
    let now = ctx.clock.now();
    let now_secs = now.0.div_euclid(1000);
    let exp = claims.exp.unwrap_or(0);
    if exp <= now_secs {
        return Err(OAuthError::InvalidGrant("oauth-assertion-expired"));
    }
    if exp > now_secs + MAX_ASSERTION_SECS {
        return Err(OAuthError::InvalidGrant("oauth-assertion-too-long"));
    }
    let jti = claims.jti.unwrap_or_default();
    if jti.is_empty() || jti.len() > MAX_JTI || jti.chars().any(char::is_control) {
        return Err(OAuthError::InvalidGrant("oauth-jti-missing"));
    }
    let asked = parse_scopes(&req.scope).ok_or(OAuthError::InvalidScope)?;
    let granted = parse_scopes(&row.scopes).unwrap_or_default();
    if asked.is_empty() || !within(&asked, &granted) {
        return Err(OAuthError::InvalidScope);
    }
    crate::acting::limit(ctx, "service-tokens", &row.id.to_string(), TOKENS_PER_WINDOW, 600).await?;
    let scope = scopes_text(&asked);
    let token = format!("{TOKEN_PREFIX}{}", random_token());
    let expires = now.plus_secs(TOKEN_TTL_SECS);
    let mut tx = ctx.store.begin().await.map_err(AppError::from)?;
    store::sweep(&mut tx, now).await?;
    // The jti is kept until the assertion's own expiry (in milliseconds, as
    // every time in the database).
    if !store::claim_jti(&mut tx, row.id, &jti, exp.saturating_mul(1000)).await? {
        return Err(OAuthError::InvalidGrant("oauth-jti-replayed"));
    }
    store::insert_token(&mut tx, &hash_token(&token), row.id, &scope, now, expires.0).await?;
    audit::record(
        &mut tx,
        NewAuditEvent::new(
            Actor::Service(row.id),
            "service.token_issued",
            AuditAction::Create,
            "service_account",
        )
        .target(row.id)
        .scope("scopes", scope.replace(' ', ","))
        .ip(client.ip.clone()),
        now,
    )
    .await?;
    tx.commit().await.map_err(AppError::from)?;
    Ok(TokenResponse {
        access_token: token,
        token_type: "bearer",
        expires_in: TOKEN_TTL_SECS,
        scope,
    })
}

// ---- Calls with an access token ----------------------------------------------------

/// Whether a bearer token is a service account's (by its prefix).
pub fn is_service_token(token: &str) -> bool {
    token.starts_with(TOKEN_PREFIX)
}

/// The principal behind a service access token: valid, its account
/// enabled, and the member it acts through still a member of its
/// organization (otherwise 401 `not-authenticated`).
pub async fn authenticate(ctx: &Ctx, token: &str) -> AppResult<Principal> {
    if token.len() > 100 || !is_service_token(token) {
        return Err(AppError::NotAuthenticated);
    }
    let now = ctx.clock.now();
    let mut conn = ctx.store.reader().await?;
    let Some((row, scopes)) = store::token(&mut conn, &hash_token(token), now).await? else {
        return Err(AppError::NotAuthenticated);
    };
    if row.disabled_at.is_some() {
        return Err(AppError::NotAuthenticated);
    }
    let member = users::get(&mut conn, &row.acting_user_id.to_string()).await?;
    if member.deleted_at.is_some()
        || member.circle_only
        || !members::is_member(&mut conn, row.org_id, row.acting_user_id).await?
    {
        return Err(AppError::NotAuthenticated);
    }
    Ok(Principal::Service(ServicePrincipal {
        account_id: row.id,
        scopes: parse_scopes(&scopes).unwrap_or_default(),
        acting: UserPrincipal {
            user_id: row.acting_user_id,
            // No session: the token stands for one.
            session_id: SessionId::parse(NO_SESSION).unwrap_or_else(SessionId::new),
            // Never more than a member: no network administration.
            network_admin: false,
            network_verifier: false,
            circle_only: false,
            service: Some(ServiceActing {
                account_id: row.id,
                org_id: row.org_id,
            }),
        },
    }))
}

/// The session id of a service principal: none (the nil UUID).
const NO_SESSION: &str = "00000000-0000-0000-0000-000000000000";

/// Records one call of the JSON API by a service account: the operation
/// (method and route pattern, never its data), before it runs.
pub async fn record_call(
    ctx: &Ctx,
    client: &Client,
    principal: &Principal,
    method: &str,
    route: &str,
) -> AppResult<()> {
    let Principal::Service(s) = principal else {
        return Ok(());
    };
    let route: String = route.chars().take(200).collect();
    audit::record_alone(
        ctx,
        NewAuditEvent::new(
            Actor::Service(s.account_id),
            "service.api_call",
            AuditAction::Read,
            "api",
        )
        .target(format!("{method} {route}"))
        .scope("member", s.acting.user_id)
        .ip(client.ip.clone()),
    )
    .await
}
