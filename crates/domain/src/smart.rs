//! The integrated bubble (SMART on FHIR EHR launch, issue 18 part 1): why a
//! launch is refused, and the shape of what an administrator registers.

/// Why a SMART launch opens nothing. Each is logged and audited, never with
/// a secret (no code, state, token nor verifier).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmartRefusal {
    /// No enabled EMR has this `iss`.
    UnknownIssuer,
    /// The EMR's configuration, token endpoint or FHIR server could not be
    /// used (unreachable, too slow, too large or malformed answer).
    EmrUnreachable,
    /// The `state` names no launch, or a launch whose callback already came.
    BadState,
    /// The launch is older than its few minutes.
    Expired,
    /// The `id_token` is not signed by the EMR's keys, or its issuer,
    /// audience or expiry is wrong.
    Signature,
    /// The EMR's patient is not in Cercle and this person may not create
    /// the file.
    PatientNotCreatable,
}

impl SmartRefusal {
    /// The stable code clients see, and the suffix of its message id.
    pub fn code(self) -> &'static str {
        match self {
            SmartRefusal::UnknownIssuer => "smart-unknown-issuer",
            SmartRefusal::EmrUnreachable => "smart-emr-unreachable",
            SmartRefusal::BadState => "smart-bad-state",
            SmartRefusal::Expired => "smart-expired",
            SmartRefusal::Signature => "smart-signature",
            SmartRefusal::PatientNotCreatable => "smart-patient-not-creatable",
        }
    }
}

/// The FHIR identifier system of the Québec health insurance number
/// (Canadian baseline), type JHN.
pub const HIN_SYSTEM: &str = "https://fhir.infoway-inforoute.ca/NamingSystem/ca-qc-patient-healthcare-id";

/// An origin allowed to frame Cercle: `https://host[:port]` (`http://`
/// too when `allow_http`, for a local test EMR), nothing after.
pub fn parse_origin(raw: &str, allow_http: bool) -> Option<String> {
    let raw = raw.trim().trim_end_matches('/');
    let rest = raw
        .strip_prefix("https://")
        .or_else(|| raw.strip_prefix("http://").filter(|_| allow_http))?;
    let ok = !rest.is_empty()
        && rest.len() <= 253
        && rest
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-' || b == b':' || b == b'[' || b == b']');
    ok.then(|| raw.to_ascii_lowercase())
}

/// An EMR's FHIR base URL (its `iss`): `https://…` (or `http://` when
/// `allow_http`), no query, no fragment, no trailing slash, at most 500
/// characters.
pub fn parse_issuer(raw: &str, allow_http: bool) -> Option<String> {
    let raw = raw.trim().trim_end_matches('/');
    let scheme_ok = raw.starts_with("https://") || (allow_http && raw.starts_with("http://"));
    let ok = scheme_ok
        && raw.len() <= 500
        && !raw.contains(['?', '#', ' ', '"', '\'', '<', '>', '\\'])
        && raw.split("://").nth(1).is_some_and(|r| !r.is_empty());
    ok.then(|| raw.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_and_issuers_are_checked() {
        assert_eq!(
            parse_origin("https://EMR.example.ca/", false).as_deref(),
            Some("https://emr.example.ca")
        );
        assert_eq!(parse_origin("http://emr.test:8080", false), None);
        assert_eq!(
            parse_origin("http://emr.test:8080", true).as_deref(),
            Some("http://emr.test:8080")
        );
        assert_eq!(parse_origin("https://emr.example.ca/path", false), None);
        assert_eq!(parse_origin("https://a.ca; script-src *", false), None);
        assert_eq!(parse_origin("*", true), None);
        assert_eq!(
            parse_issuer("https://emr.example.ca/fhir/", false).as_deref(),
            Some("https://emr.example.ca/fhir")
        );
        assert_eq!(parse_issuer("https://emr.example.ca/fhir?x=1", false), None);
        assert_eq!(parse_issuer("ftp://emr", true), None);
        assert_eq!(SmartRefusal::BadState.code(), "smart-bad-state");
    }
}
