//! The search parameters of a FHIR request: which ones each type takes,
//! their values (a comma between values means "or", a repeated parameter
//! means "and"), and the page asked for.

use super::{FhirError, FhirResult};
use cercle_domain::search::fold;

/// Entries per page without `_count`, and the most a page holds.
pub const DEFAULT_COUNT: usize = 20;
pub const MAX_COUNT: usize = 100;
/// The last page one may ask for.
pub const MAX_PAGE: usize = 1000;
/// Bounds on a query: parameters, and characters of one value.
const MAX_PARAMS: usize = 20;
const MAX_VALUE_CHARS: usize = 200;

/// How a parameter matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `_id`: the logical id, exactly.
    Id,
    /// `identifier`: a token, `system|value`, `|value` or `value`.
    Identifier,
    /// `name`: any word of the name starts with the value (case and
    /// accents ignored).
    Name,
    Family,
    Given,
    /// A reference to a resource of this type: `Type/id`, `id`, or a URL
    /// ending in `Type/id`.
    Reference(&'static str),
}

/// The search parameters of each type (besides `_count` and `_page`).
pub fn parameters(resource_type: &str) -> &'static [(&'static str, Kind)] {
    match resource_type {
        "Practitioner" => &[
            ("_id", Kind::Id),
            ("identifier", Kind::Identifier),
            ("name", Kind::Name),
            ("family", Kind::Family),
            ("given", Kind::Given),
        ],
        "PractitionerRole" => &[
            ("_id", Kind::Id),
            ("practitioner", Kind::Reference("Practitioner")),
            ("organization", Kind::Reference("Organization")),
            ("location", Kind::Reference("Location")),
        ],
        "Organization" => &[
            ("_id", Kind::Id),
            ("identifier", Kind::Identifier),
            ("name", Kind::Name),
        ],
        "Location" => &[
            ("_id", Kind::Id),
            ("identifier", Kind::Identifier),
            ("name", Kind::Name),
            ("organization", Kind::Reference("Organization")),
        ],
        "HealthcareService" => &[
            ("_id", Kind::Id),
            ("identifier", Kind::Identifier),
            ("name", Kind::Name),
            ("organization", Kind::Reference("Organization")),
            ("location", Kind::Reference("Location")),
        ],
        _ => &[],
    }
}

/// One parameter of the request: its values, any of which may match.
#[derive(Debug, Clone)]
pub struct Param {
    pub name: &'static str,
    pub kind: Kind,
    pub values: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct SearchQuery {
    pub params: Vec<Param>,
    /// The parameters as given (without `_count` and `_page`), for links.
    pub given: Vec<(String, String)>,
    pub count: usize,
    /// From 1.
    pub page: usize,
}

impl SearchQuery {
    /// The query a read makes: this id.
    pub fn by_id(id: &str) -> SearchQuery {
        SearchQuery {
            params: vec![Param {
                name: "_id",
                kind: Kind::Id,
                values: vec![id.to_string()],
            }],
            given: Vec::new(),
            count: 1,
            page: 1,
        }
    }

    pub fn parse(resource_type: &str, raw: &[(String, String)]) -> FhirResult<SearchQuery> {
        if raw.len() > MAX_PARAMS {
            return Err(FhirError::BadValue("query".into()));
        }
        let known = parameters(resource_type);
        let mut q = SearchQuery {
            params: Vec::new(),
            given: Vec::new(),
            count: DEFAULT_COUNT,
            page: 1,
        };
        let (mut seen_count, mut seen_page) = (false, false);
        for (key, value) in raw {
            let shown_key: String = key.chars().take(64).collect();
            if value.chars().count() > MAX_VALUE_CHARS {
                return Err(FhirError::BadValue(shown_key));
            }
            match key.as_str() {
                "_count" => {
                    let n: usize = value.trim().parse().map_err(|_| FhirError::BadValue(shown_key))?;
                    if std::mem::replace(&mut seen_count, true) {
                        return Err(FhirError::BadValue("_count".into()));
                    }
                    q.count = n.min(MAX_COUNT);
                }
                "_page" => {
                    let n: usize = value
                        .trim()
                        .parse()
                        .map_err(|_| FhirError::BadValue(shown_key.clone()))?;
                    if !(1..=MAX_PAGE).contains(&n) || std::mem::replace(&mut seen_page, true) {
                        return Err(FhirError::BadValue(shown_key));
                    }
                    q.page = n;
                }
                _ => {
                    // Modifiers (`name:exact`…) are not supported: their key
                    // is unknown, so they are refused rather than ignored.
                    let (name, kind) = known
                        .iter()
                        .find(|(n, _)| *n == key)
                        .copied()
                        .ok_or(FhirError::UnknownParameter(shown_key.clone()))?;
                    let values: Vec<String> = value
                        .split(',')
                        .map(str::trim)
                        .filter(|v| !v.is_empty())
                        .map(str::to_string)
                        .collect();
                    if values.is_empty() {
                        return Err(FhirError::BadValue(shown_key));
                    }
                    let values: Vec<String> = match kind {
                        Kind::Name | Kind::Family | Kind::Given => values.iter().map(|v| folded(v)).collect(),
                        _ => values,
                    };
                    if values.iter().any(String::is_empty) {
                        return Err(FhirError::BadValue(shown_key));
                    }
                    q.params.push(Param { name, kind, values });
                    q.given.push((key.clone(), value.clone()));
                }
            }
        }
        Ok(q)
    }
}

/// A name as it is compared: folded (case and accents), one space between
/// words.
pub fn folded(text: &str) -> String {
    fold(text).split_whitespace().collect::<Vec<_>>().join(" ")
}

/// What a candidate offers to the parameters.
#[derive(Debug, Clone, Default)]
pub struct Facets {
    pub id: String,
    /// The folded full name (empty for types without one).
    pub name: String,
    pub family: String,
    pub given: Vec<String>,
    /// (system, value) of its identifiers.
    pub identifiers: Vec<(String, String)>,
    /// `Type/id` of what it refers to.
    pub references: Vec<String>,
}

impl Facets {
    /// Whether every parameter holds (each by one of its values).
    pub fn matches(&self, params: &[Param]) -> bool {
        params
            .iter()
            .all(|p| p.values.iter().any(|v| self.matches_one(p.kind, v)))
    }

    fn matches_one(&self, kind: Kind, value: &str) -> bool {
        match kind {
            Kind::Id => self.id == value,
            Kind::Identifier => match value.split_once('|') {
                Some((system, v)) => self
                    .identifiers
                    .iter()
                    .any(|(s, iv)| !system.is_empty() && s == system && iv == v),
                None => self.identifiers.iter().any(|(_, iv)| iv == value),
            },
            Kind::Name => {
                !self.name.is_empty()
                    && (self.name.starts_with(value) || self.name.split(' ').any(|w| w.starts_with(value)))
            }
            Kind::Family => !self.family.is_empty() && self.family.starts_with(value),
            Kind::Given => self.given.iter().any(|g| g.starts_with(value)),
            Kind::Reference(target) => {
                let wanted = reference_of(target, value);
                wanted.is_some_and(|w| self.references.contains(&w))
            }
        }
    }
}

/// `Type/id` of a reference value: `id`, `Type/id`, or a URL ending in
/// `Type/id`. None when it names another type.
fn reference_of(target: &str, value: &str) -> Option<String> {
    let parts: Vec<&str> = value.trim_end_matches('/').rsplit('/').take(2).collect();
    match parts.as_slice() {
        [id] => Some(format!("{target}/{id}")),
        [id, t] if *t == target => Some(format!("{target}/{id}")),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(t: &str, pairs: &[(&str, &str)]) -> FhirResult<SearchQuery> {
        let raw: Vec<(String, String)> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        SearchQuery::parse(t, &raw)
    }

    #[test]
    fn parameters_are_checked_per_type() {
        assert!(q("Practitioner", &[("family", "roy")]).is_ok());
        assert!(matches!(
            q("Organization", &[("family", "roy")]),
            Err(FhirError::UnknownParameter(p)) if p == "family"
        ));
        assert!(matches!(
            q("Practitioner", &[("name:exact", "roy")]),
            Err(FhirError::UnknownParameter(_))
        ));
        assert!(matches!(
            q("Practitioner", &[("_count", "x")]),
            Err(FhirError::BadValue(_))
        ));
        assert!(matches!(
            q("Practitioner", &[("_page", "0")]),
            Err(FhirError::BadValue(_))
        ));
        assert!(matches!(
            q("Practitioner", &[("name", " , ")]),
            Err(FhirError::BadValue(_))
        ));
        assert_eq!(
            q("Practitioner", &[("_count", "5000")]).map(|q| q.count).ok(),
            Some(MAX_COUNT)
        );
    }

    #[test]
    fn names_match_word_prefixes_without_accents() {
        let f = Facets {
            id: "a".into(),
            name: folded("Jean-François Côté"),
            family: folded("Côté"),
            given: vec![folded("Jean-François")],
            ..Facets::default()
        };
        let ok = |k: &str, v: &str| f.matches(&q("Practitioner", &[(k, v)]).expect("query").params);
        assert!(ok("name", "cote"));
        assert!(ok("name", "JEAN"));
        assert!(ok("family", "Cô"));
        assert!(!ok("family", "jean"));
        assert!(ok("given", "jean-f"));
        assert!(ok("name", "zzz,cot"));
        assert!(!ok("name", "ote"));
    }

    #[test]
    fn references_and_identifiers() {
        let f = Facets {
            id: "r".into(),
            identifiers: vec![("urn:ietf:rfc:3986".into(), "urn:uuid:1".into())],
            references: vec!["Organization/o1".into()],
            ..Facets::default()
        };
        let ok = |t: &str, k: &str, v: &str| f.matches(&q(t, &[(k, v)]).expect("query").params);
        assert!(ok("Location", "organization", "o1"));
        assert!(ok("Location", "organization", "Organization/o1"));
        assert!(ok("Location", "organization", "http://x/fhir/Organization/o1"));
        assert!(!ok("Location", "organization", "Location/o1"));
        assert!(ok("Location", "identifier", "urn:ietf:rfc:3986|urn:uuid:1"));
        assert!(ok("Location", "identifier", "urn:uuid:1"));
        assert!(!ok("Location", "identifier", "|urn:uuid:1"));
        assert!(!ok("Location", "identifier", "other|urn:uuid:1"));
    }
}
