//! Service accounts (SMART Backend Services): what a partner's account was
//! granted. A service account acts for one organization through one of its
//! members, named by the network administrator: its scopes say which parts
//! of the JSON API it reaches, and that member's roles are the ceiling of
//! what it may do there (a file the member could not see, the account
//! cannot either).

use super::UserPrincipal;

crate::stored_kind!(
    /// A scope a service account may be granted, by its OAuth name (stored
    /// space-separated with the account and its tokens).
    ServiceScope {
        /// Open, link (by the health insurance number) and read patient files.
        PatientFiles => "system/Patient.cru",
        /// Add a patient or caregiver to a file's circle and send the
        /// invitation that activates their account.
        CircleInvitations => "cercle/circle.invite",
        /// Read the directory: `/api/v1/network/search` and `/fhir`.
        Directory => "cercle/directory.read",
    }
);

/// Scopes as sent (space-separated): each known, no repeats; `None` for an
/// unknown one.
pub fn parse_scopes(raw: &str) -> Option<Vec<ServiceScope>> {
    let mut out = Vec::new();
    for word in raw.split_whitespace() {
        let s = ServiceScope::parse(word)?;
        if !out.contains(&s) {
            out.push(s);
        }
    }
    Some(out)
}

/// The scopes as stored and sent (space-separated, in the order of [`ServiceScope::ALL`]).
pub fn scopes_text(scopes: &[ServiceScope]) -> String {
    ServiceScope::ALL
        .iter()
        .filter(|s| scopes.contains(s))
        .map(|s| s.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether every scope asked for was granted.
pub fn within(asked: &[ServiceScope], granted: &[ServiceScope]) -> bool {
    asked.iter().all(|s| granted.contains(s))
}

/// A service account on a request, with the scopes of its access token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServicePrincipal {
    pub account_id: crate::ServiceAccountId,
    pub scopes: Vec<ServiceScope>,
    /// The member it acts through (its `service` names the account).
    pub acting: UserPrincipal,
}

/// The service account a user principal acts for, when it does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceActing {
    pub account_id: crate::ServiceAccountId,
    /// The organization the account acts in (not the member's active one).
    pub org_id: crate::OrgId,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_parse_and_print_in_one_order() {
        assert_eq!(
            parse_scopes("cercle/directory.read  system/Patient.cru system/Patient.cru"),
            Some(vec![ServiceScope::Directory, ServiceScope::PatientFiles])
        );
        assert_eq!(parse_scopes("system/*.*"), None);
        assert_eq!(parse_scopes(""), Some(vec![]));
        assert_eq!(
            scopes_text(&[ServiceScope::Directory, ServiceScope::PatientFiles]),
            "system/Patient.cru cercle/directory.read"
        );
        assert!(within(&[ServiceScope::Directory], &ServiceScope::ALL));
        assert!(!within(&[ServiceScope::Directory], &[ServiceScope::PatientFiles]));
    }
}
