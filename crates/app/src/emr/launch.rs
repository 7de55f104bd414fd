//! The SMART on FHIR EHR launch (issue 18, part 1).
//!
//! 1. [`start`]: `/smart/launch?iss&launch`. The issuer must be a registered,
//!    enabled EMR. Its `.well-known/smart-configuration` is read, a launch
//!    is stored (the `state`'s SHA-256, the PKCE verifier encrypted with the
//!    server key, an expiry of [`LAUNCH_TTL_SECS`]) and the browser is sent
//!    to the EMR's authorization endpoint.
//! 2. [`callback`]: `/smart/callback?code&state`. The state must name a
//!    launch whose callback has not come and which has not expired. The
//!    code is exchanged with the verifier; the `id_token` must be signed
//!    by one of the EMR's keys (`jwks_uri`), issued by the EMR, for Cercle's
//!    client id, not expired (by Cercle's clock). Its `fhirUser` and the
//!    token answer's `patient` are kept with the launch, the access token
//!    encrypted, for [`AFTER_CALLBACK_SECS`], bound to a random handle the
//!    browser holds in a cookie.
//! 3. [`enter`]: a practitioner linked to an account signs that account in
//!    on the browser's device; otherwise the person activates the link
//!    once ([`link`], after their password and code).
//! 4. [`open_patient`]: the EMR's `Patient` is read with the access token
//!    and found by its health insurance number in the person's active
//!    organization, or created there; then the launch ends (its secrets
//!    are erased).
//!
//! Every refusal is audited and logged with its reason only.

use crate::accounts::{NewDeviceToken, SessionView};
use crate::adapters::smart_http;
use crate::org_scope::OrgScope;
use crate::patients::files::{self, FileInput, ListQuery};
use crate::secrets::{hash_token, random_token};
use crate::{audit, AppError, AppResult, Client, Ctx};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use cercle_domain::audit::{Actor, AuditAction, NewAuditEvent};
use cercle_domain::patient::HealthInsuranceNumber;
use cercle_domain::policy::Principal;
use cercle_domain::session::{SessionPurpose, SessionStage};
use cercle_domain::smart::{SmartRefusal, HIN_SYSTEM};
use cercle_domain::{DeviceId, EmrId, SessionId, SmartLaunchId, Timestamp, UserId};
use cercle_store::smart::{self as store, EmrRow, LaunchRow};
use cercle_store::{devices, sessions, users};
use sha2::{Digest, Sha256};

/// From the launch to the callback.
pub const LAUNCH_TTL_SECS: i64 = 5 * 60;
/// From the callback to the patient's file (time to activate the account).
pub const AFTER_CALLBACK_SECS: i64 = 15 * 60;
/// Launches are forgotten this long after they expire.
const KEEP_AFTER_EXPIRY_SECS: i64 = 24 * 3600;
/// The scopes Cercle asks.
pub const SCOPE: &str = "launch openid fhirUser patient/Patient.read";

/// Where the EMR sends the browser back.
pub fn redirect_uri(ctx: &Ctx) -> String {
    format!("{}/smart/callback", ctx.config.public_url.trim_end_matches('/'))
}

fn pkce_challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// Audits and logs a refusal, and gives the error.
async fn refuse(ctx: &Ctx, client: &Client, emr: Option<EmrId>, why: SmartRefusal) -> AppError {
    tracing::warn!(reason = why.code(), emr = ?emr.map(|e| e.to_string()), "SMART launch refused");
    let mut ev = NewAuditEvent::new(
        Actor::Anonymous,
        "smart.launch_refused",
        AuditAction::Create,
        "smart_launch",
    )
    .ip(client.ip.clone())
    .scope("reason", why.code());
    if let Some(id) = emr {
        ev = ev.scope("emr", id);
    }
    match audit::record_alone(ctx, ev).await {
        Ok(()) => AppError::SmartRefused(why),
        Err(e) => e,
    }
}

/// A text from the outside world, bounded: a launch parameter, code or state.
fn bounded(raw: &str, max: usize) -> bool {
    !raw.is_empty() && raw.len() <= max && raw.bytes().all(|b| b.is_ascii_graphic())
}

/// Starts a launch: returns the EMR's authorization URL to send the browser to.
pub async fn start(ctx: &Ctx, client: &Client, iss: &str, launch: &str) -> AppResult<String> {
    let emr = {
        let mut conn = ctx.store.reader().await?;
        let issuer = iss.trim().trim_end_matches('/');
        if issuer.len() > 500 {
            None
        } else {
            store::emr_by_issuer(&mut conn, issuer).await?
        }
    };
    let Some(emr) = emr.filter(|e| e.disabled_at.is_none()) else {
        return Err(refuse(ctx, client, None, SmartRefusal::UnknownIssuer).await);
    };
    if !bounded(launch, 500) {
        return Err(refuse(ctx, client, Some(emr.id), SmartRefusal::BadState).await);
    }
    crate::acting::limit(ctx, "smart-launch", client.ip.as_deref().unwrap_or("-"), 120, 60).await?;
    let config = match smart_http::discover(&emr.issuer).await {
        Ok(c) => c,
        Err(e) => {
            tracing::warn!(error = %e, "SMART configuration");
            return Err(refuse(ctx, client, Some(emr.id), SmartRefusal::EmrUnreachable).await);
        }
    };
    let now = ctx.clock.now();
    let state = random_token();
    let verifier = random_token();
    let id = SmartLaunchId::new();
    let mut tx = ctx.store.begin().await?;
    store::purge_launches(&mut tx, now.minus_secs(KEEP_AFTER_EXPIRY_SECS)).await?;
    store::insert_launch(
        &mut tx,
        id,
        emr.id,
        &hash_token(&state),
        &ctx.key.encrypt(verifier.as_bytes())?,
        now.plus_secs(LAUNCH_TTL_SECS),
        now,
    )
    .await?;
    audit::record(
        &mut tx,
        NewAuditEvent::new(
            Actor::Anonymous,
            "smart.launch_started",
            AuditAction::Create,
            "smart_launch",
        )
        .target(id)
        .scope("emr", emr.id)
        .ip(client.ip.clone()),
        now,
    )
    .await?;
    tx.commit().await?;
    let mut url = reqwest::Url::parse(&config.authorization_endpoint)
        .map_err(|_| AppError::SmartRefused(SmartRefusal::EmrUnreachable))?;
    url.query_pairs_mut()
        .append_pair("response_type", "code")
        .append_pair("client_id", &emr.client_id)
        .append_pair("redirect_uri", &redirect_uri(ctx))
        .append_pair("scope", SCOPE)
        .append_pair("state", &state)
        .append_pair("aud", &emr.issuer)
        .append_pair("launch", launch)
        .append_pair("code_challenge", &pkce_challenge(&verifier))
        .append_pair("code_challenge_method", "S256");
    Ok(url.to_string())
}

/// The claims Cercle reads of an `id_token`.
#[derive(Debug, serde::Deserialize)]
struct IdClaims {
    exp: i64,
    #[serde(rename = "fhirUser")]
    fhir_user: Option<String>,
}

/// Checks an `id_token` against the EMR's keys: signature, issuer, audience
/// (Cercle's client id), expiry by Cercle's clock. Gives its `fhirUser`.
fn verify_id_token(
    emr: &EmrRow,
    keys: &jsonwebtoken::jwk::JwkSet,
    token: &str,
    now: Timestamp,
) -> Result<String, &'static str> {
    use jsonwebtoken::{decode, decode_header, Algorithm, DecodingKey, Validation};
    let header = decode_header(token).map_err(|_| "header")?;
    let jwk = match &header.kid {
        Some(kid) => keys.find(kid),
        None if keys.keys.len() == 1 => keys.keys.first(),
        None => None,
    }
    .ok_or("no such key")?;
    let key = DecodingKey::from_jwk(jwk).map_err(|_| "key")?;
    let alg = match header.alg {
        a @ (Algorithm::ES256
        | Algorithm::ES384
        | Algorithm::RS256
        | Algorithm::RS384
        | Algorithm::RS512
        | Algorithm::PS256) => a,
        _ => return Err("algorithm"),
    };
    let mut v = Validation::new(alg);
    v.set_issuer(&[emr.issuer.as_str()]);
    v.set_audience(&[emr.client_id.as_str()]);
    v.set_required_spec_claims(&["exp", "iss", "aud"]);
    // Expiry by Cercle's clock (the tests move it), below.
    v.validate_exp = false;
    let data = decode::<IdClaims>(token, &key, &v).map_err(|_| "signature")?;
    if data.claims.exp * 1000 <= now.0 {
        return Err("expired");
    }
    data.claims.fhir_user.filter(|f| bounded(f, 500)).ok_or("fhirUser")
}

/// What the callback leaves: the handle the browser keeps in a cookie.
#[derive(Debug, Clone)]
pub struct Authorized {
    pub handle: String,
}

/// The EMR's redirect back: checks the state, exchanges the code, verifies
/// the `id_token`, keeps the practitioner and the patient with the launch.
pub async fn callback(ctx: &Ctx, client: &Client, code: &str, state: &str) -> AppResult<Authorized> {
    crate::accounts::check_address(ctx, "smart", client).await?;
    let now = ctx.clock.now();
    if !bounded(state, 200) || !bounded(code, 2000) {
        return Err(refuse(ctx, client, None, SmartRefusal::BadState).await);
    }
    let launch = {
        let mut conn = ctx.store.reader().await?;
        store::launch_by_state(&mut conn, &hash_token(state)).await?
    };
    let Some(launch) = launch.filter(|l| l.callback_at.is_none()) else {
        return Err(refuse(ctx, client, None, SmartRefusal::BadState).await);
    };
    let emr_id = launch.emr_id;
    {
        let mut tx = ctx.store.begin().await?;
        let first = store::claim_callback(&mut tx, launch.id, now).await?;
        tx.commit().await?;
        if !first {
            return Err(refuse(ctx, client, Some(emr_id), SmartRefusal::BadState).await);
        }
    }
    if launch.expires_at <= now.0 {
        return Err(refuse(ctx, client, Some(emr_id), SmartRefusal::Expired).await);
    }
    let emr = {
        let mut conn = ctx.store.reader().await?;
        store::emr(&mut conn, emr_id).await?
    };
    let Some(emr) = emr.filter(|e| e.disabled_at.is_none()) else {
        return Err(refuse(ctx, client, Some(emr_id), SmartRefusal::UnknownIssuer).await);
    };
    let verifier = String::from_utf8(ctx.key.decrypt(&launch.verifier_enc)?)
        .map_err(|_| AppError::Internal("launch verifier".into()))?;
    let unreachable = |what: String| {
        tracing::warn!(error = %what, "SMART token exchange");
        refuse(ctx, client, Some(emr_id), SmartRefusal::EmrUnreachable)
    };
    let config = match smart_http::discover(&emr.issuer).await {
        Ok(c) => c,
        Err(e) => return Err(unreachable(e).await),
    };
    let tokens = match smart_http::exchange(
        &config.token_endpoint,
        code,
        &redirect_uri(ctx),
        &emr.client_id,
        &verifier,
    )
    .await
    {
        Ok(t) => t,
        Err(e) => return Err(unreachable(e).await),
    };
    let Some(jwks_uri) = config.jwks_uri.as_deref() else {
        return Err(unreachable("no jwks_uri".into()).await);
    };
    let keys = match smart_http::keys(jwks_uri).await {
        Ok(k) => k,
        Err(e) => return Err(unreachable(e).await),
    };
    let Some(id_token) = tokens.id_token.as_deref() else {
        return Err(refuse(ctx, client, Some(emr_id), SmartRefusal::Signature).await);
    };
    let fhir_user = match verify_id_token(&emr, &keys, id_token, now) {
        Ok(f) => f,
        Err(why) => {
            tracing::warn!(check = why, "SMART id_token refused");
            return Err(refuse(ctx, client, Some(emr_id), SmartRefusal::Signature).await);
        }
    };
    let patient = tokens
        .patient
        .filter(|p| p.len() <= 64 && p.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.'))
        .ok_or(AppError::SmartRefused(SmartRefusal::PatientNotCreatable));
    let patient = match patient {
        Ok(p) => p,
        Err(_) => return Err(refuse(ctx, client, Some(emr_id), SmartRefusal::PatientNotCreatable).await),
    };
    let handle = random_token();
    let mut tx = ctx.store.begin().await?;
    store::set_authorized(
        &mut tx,
        launch.id,
        &hash_token(&handle),
        &fhir_user,
        &patient,
        &ctx.key.encrypt(tokens.access_token.as_bytes())?,
        now.plus_secs(AFTER_CALLBACK_SECS),
    )
    .await?;
    audit::record(
        &mut tx,
        NewAuditEvent::new(
            Actor::Anonymous,
            "smart.authorized",
            AuditAction::Update,
            "smart_launch",
        )
        .target(launch.id)
        .scope("emr", emr_id)
        .ip(client.ip.clone()),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(Authorized { handle })
}

/// The authorized launch a browser's handle names, still usable.
async fn authorized(ctx: &Ctx, handle: &str) -> AppResult<(LaunchRow, String)> {
    let now = ctx.clock.now();
    if !bounded(handle, 200) {
        return Err(AppError::SmartRefused(SmartRefusal::BadState));
    }
    let launch = {
        let mut conn = ctx.store.reader().await?;
        store::launch_by_handle(&mut conn, &hash_token(handle)).await?
    };
    let launch = launch
        .filter(|l| l.finished_at.is_none())
        .ok_or(AppError::SmartRefused(SmartRefusal::BadState))?;
    if launch.expires_at <= now.0 {
        return Err(AppError::SmartRefused(SmartRefusal::Expired));
    }
    let fhir_user = launch
        .fhir_user
        .clone()
        .ok_or(AppError::SmartRefused(SmartRefusal::BadState))?;
    Ok((launch, fhir_user))
}

/// Where the browser goes after the callback.
#[derive(Debug, Clone)]
pub enum Entry {
    /// The linked account is signed in on this device (its session; the
    /// device's new token when the session just became active).
    SignedIn {
        session_id: SessionId,
        device: Option<NewDeviceToken>,
    },
    /// No account is linked to this practitioner yet: the person activates
    /// the link with their password and code.
    Activate,
}

/// Signs in the account linked to the launch's practitioner, on the
/// browser's device, as a sign-in would: a locked account is refused; a
/// session of the account already on this device is used as it stands
/// (locked by hand or idle: the PIN opens it); otherwise a new session.
pub async fn enter(ctx: &Ctx, client: &Client, device_token: &str, handle: &str) -> AppResult<Entry> {
    let (launch, fhir_user) = authorized(ctx, handle).await?;
    let now = ctx.clock.now();
    let user = {
        let mut conn = ctx.store.reader().await?;
        match store::linked_user(&mut conn, launch.emr_id, &fhir_user).await? {
            Some(id) => users::by_id(&mut conn, &id.to_string()).await?,
            None => None,
        }
    };
    let Some(user) = user.filter(|u| u.deleted_at.is_none() && u.email_verified_at.is_some()) else {
        return Ok(Entry::Activate);
    };
    if let Some(until) = user.locked_until.filter(|&t| t > now.0) {
        return Err(crate::accounts::locked(ctx, &user, Timestamp(until)).await);
    }
    let user_id: UserId = user.id.parse()?;
    let mut tx = ctx.store.begin().await?;
    let hash = hash_token(device_token);
    let device_id = match devices::by_token_hash(&mut tx, &hash).await? {
        Some(d) => {
            let here = sessions::for_device(&mut tx, d.id).await?;
            if let Some(s) = here
                .into_iter()
                .find(|s| s.user_id == user_id && s.stage == SessionStage::Active)
            {
                tx.commit().await?;
                return Ok(Entry::SignedIn {
                    session_id: s.id,
                    device: None,
                });
            }
            d.id
        }
        None => {
            let id = DeviceId::new();
            devices::insert(&mut tx, id, &hash, &client.label, now).await?;
            id
        }
    };
    let session_id = SessionId::new();
    sessions::insert(
        &mut tx,
        &sessions::NewSession {
            id: session_id,
            user_id,
            device_id: Some(device_id),
            token_hash: None,
            stage: SessionStage::Active,
            purpose: SessionPurpose::SignIn,
            factor: None,
            label: &client.label,
            ip: client.ip.as_deref(),
        },
        now,
    )
    .await?;
    let row = sessions::by_id(&mut tx, session_id).await?.ok_or(AppError::NotFound)?;
    let device = crate::accounts::device::rotate_of(ctx, &mut tx, &row).await?;
    audit::record(
        &mut tx,
        NewAuditEvent::new(Actor::User(user_id), "auth.sign_in", AuditAction::Create, "session")
            .target(session_id)
            .scope("factor", "smart")
            .scope("emr", launch.emr_id)
            .ip(client.ip.clone()),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(Entry::SignedIn { session_id, device })
}

/// Links the launch's practitioner to the account of `view`, which just
/// signed in with its password and code (or its PIN) on this browser.
pub async fn link(ctx: &Ctx, client: &Client, view: &SessionView, handle: &str) -> AppResult<()> {
    let (launch, fhir_user) = authorized(ctx, handle).await?;
    if view.session.stage != SessionStage::Active {
        return Err(AppError::WrongStep);
    }
    let user_id = view.user_id()?;
    let now = ctx.clock.now();
    let mut tx = ctx.store.begin().await?;
    store::link(&mut tx, launch.emr_id, &fhir_user, user_id, now).await?;
    audit::record(
        &mut tx,
        NewAuditEvent::new(
            Actor::User(user_id),
            "emr.account_linked",
            AuditAction::Create,
            "emr_link",
        )
        .target(launch.emr_id)
        .scope("emr", launch.emr_id)
        .ip(client.ip.clone()),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// What Cercle takes of a FHIR `Patient`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FhirPatient {
    pub first_name: String,
    pub last_name: String,
    pub birth_date: Option<String>,
    pub hin: Option<String>,
}

/// Reads a FHIR R4 `Patient`: the first official (or first) name, the
/// birth date, and the health insurance number (identifier of system
/// [`HIN_SYSTEM`]).
pub fn read_patient(p: &serde_json::Value) -> Option<FhirPatient> {
    if p.get("resourceType")?.as_str()? != "Patient" {
        return None;
    }
    let names = p.get("name")?.as_array()?;
    let name = names
        .iter()
        .find(|n| n.get("use").and_then(|u| u.as_str()) == Some("official"))
        .or_else(|| names.first())?;
    let last_name = name.get("family")?.as_str()?.to_string();
    let first_name = name
        .get("given")?
        .as_array()?
        .iter()
        .filter_map(|g| g.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    let birth_date = p.get("birthDate").and_then(|b| b.as_str()).map(str::to_string);
    let hin = p
        .get("identifier")
        .and_then(|i| i.as_array())
        .into_iter()
        .flatten()
        .find(|i| i.get("system").and_then(|s| s.as_str()) == Some(HIN_SYSTEM))
        .and_then(|i| i.get("value")?.as_str())
        .and_then(|v| HealthInsuranceNumber::parse(v).ok())
        .map(HealthInsuranceNumber::into_string);
    Some(FhirPatient {
        first_name,
        last_name,
        birth_date,
        hin,
    })
}

/// Opens the launch's patient for the signed-in person linked to its
/// practitioner: found by health insurance number in their active
/// organization, or created there. The launch ends here.
pub async fn open_patient(
    ctx: &Ctx,
    client: &Client,
    principal: &Principal,
    handle: &str,
) -> AppResult<cercle_domain::PatientFileId> {
    let (launch, fhir_user) = authorized(ctx, handle).await?;
    let Principal::User(me) = principal else {
        return Err(AppError::Forbidden);
    };
    let linked = {
        let mut conn = ctx.store.reader().await?;
        store::linked_user(&mut conn, launch.emr_id, &fhir_user).await?
    };
    if linked != Some(me.user_id) {
        return Err(AppError::Forbidden);
    }
    let emr = {
        let mut conn = ctx.store.reader().await?;
        store::emr(&mut conn, launch.emr_id).await?.ok_or(AppError::NotFound)?
    };
    let emr_id = emr.id;
    let token_enc = launch
        .access_token_enc
        .as_deref()
        .ok_or(AppError::SmartRefused(SmartRefusal::BadState))?;
    let token = String::from_utf8(ctx.key.decrypt(token_enc)?).map_err(|_| AppError::Internal("token".into()))?;
    let patient_id = launch.patient_id.clone().unwrap_or_default();
    let resource = match smart_http::patient(&emr.issuer, &patient_id, &token).await {
        Ok(r) => r,
        Err(e) => {
            tracing::warn!(error = %e, "SMART Patient read");
            return Err(refuse(ctx, client, Some(emr_id), SmartRefusal::EmrUnreachable).await);
        }
    };
    let not_creatable = || refuse(ctx, client, Some(emr_id), SmartRefusal::PatientNotCreatable);
    let Some(patient) = read_patient(&resource) else {
        return Err(not_creatable().await);
    };
    let Some(hin) = patient.hin.clone() else {
        return Err(not_creatable().await);
    };
    let scope = match OrgScope::of(ctx, principal).await {
        Ok(s) => s,
        Err(AppError::NoActiveOrganization | AppError::Forbidden) => return Err(not_creatable().await),
        Err(e) => return Err(e),
    };
    let query = ListQuery {
        q: Some(hin.clone()),
        archived: Some("true".into()),
        ..ListQuery::default()
    };
    let found = files::list(ctx, client, &scope, &query)
        .await?
        .into_iter()
        .find(|f| f.health_insurance_number.as_deref() == Some(hin.as_str()));
    let (file_id, created) = match found {
        Some(f) => (f.id.parse()?, false),
        None => {
            let input = FileInput {
                first_name: Some(patient.first_name.clone()),
                last_name: Some(patient.last_name.clone()),
                birth_date: patient.birth_date.clone(),
                health_insurance_number: Some(hin.clone()),
                ..FileInput::default()
            };
            match files::create(ctx, client, &scope, &input).await {
                Ok(f) => (f.id.parse()?, true),
                Err(AppError::Forbidden) => return Err(not_creatable().await),
                Err(e) => return Err(e),
            }
        }
    };
    let now = ctx.clock.now();
    let mut tx = ctx.store.begin().await?;
    store::finish(&mut tx, launch.id, now).await?;
    audit::record(
        &mut tx,
        scope
            .event(
                if created {
                    "smart.patient_created"
                } else {
                    "smart.patient_opened"
                },
                if created {
                    AuditAction::Create
                } else {
                    AuditAction::Read
                },
                "patient_file",
                scope.root_unit_id,
                client,
            )
            .target(file_id)
            .scope("patient", file_id)
            .scope("emr", emr_id),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(file_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fhir_patient_gives_its_name_birth_date_and_hin() {
        let p = serde_json::json!({
            "resourceType": "Patient",
            "id": "p1",
            "identifier": [
                {"system": "urn:other", "value": "X"},
                {"type": {"coding": [{"code": "JHN"}]}, "system": HIN_SYSTEM, "value": "TREM 5501 0112"}
            ],
            "name": [{"use": "official", "family": "Tremblay", "given": ["Jeanne", "Marie"]}],
            "birthDate": "1955-01-01"
        });
        let got = read_patient(&p).expect("a patient");
        assert_eq!(got.last_name, "Tremblay");
        assert_eq!(got.first_name, "Jeanne Marie");
        assert_eq!(got.birth_date.as_deref(), Some("1955-01-01"));
        assert_eq!(got.hin.as_deref(), Some("TREM55010112"));
        assert_eq!(read_patient(&serde_json::json!({"resourceType": "Practitioner"})), None);
    }

    #[test]
    fn the_pkce_challenge_is_base64url_sha256() {
        // S256 (RFC 7636): computed independently with Python's hashlib.
        assert_eq!(
            pkce_challenge("dBjftJeZ4CVP-mJ92IuERpaGNIm2aiQYMixMpE3hXnk"),
            "MX4M_Gx18wuQNZ86CbhdPWLbzg3ANEOJoPIduQxXijk"
        );
    }
}
