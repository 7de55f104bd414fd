//! Cercle's directory as FHIR R4 resources (JSON), the search Bundle and
//! the CapabilityStatement.

use super::query::{parameters, Kind, SearchQuery};
use serde_json::{json, Value};

/// Every resource with a UUID id carries it as an identifier too, the
/// standard way (RFC 3986 URI `urn:uuid:…`).
pub const URI_SYSTEM: &str = "urn:ietf:rfc:3986";
/// The code system of Cercle's professions (keys such as `nurse`).
pub const PROFESSION_SYSTEM: &str = "urn:cercle:profession";
/// Language codes of a practitioner's communication.
const LANGUAGE_SYSTEM: &str = "urn:ietf:bcp:47";
/// The date of this CapabilityStatement (when the directory was last changed).
const CAPABILITY_DATE: &str = "2026-12-04";

pub fn uuid_identifier(id: &str) -> Value {
    json!([{ "use": "official", "system": URI_SYSTEM, "value": format!("urn:uuid:{id}") }])
}

pub fn reference(resource_type: &str, id: &str, display: &str) -> Value {
    let mut r = json!({ "reference": format!("{resource_type}/{id}") });
    if !display.is_empty() {
        r["display"] = json!(display);
    }
    r
}

/// A name in one field, as Cercle keeps it, split the way FHIR asks: the
/// last word is the family name, the others the given names.
pub fn split_name(name: &str) -> (String, Vec<String>) {
    let words: Vec<&str> = name.split_whitespace().collect();
    match words.split_last() {
        Some((family, given)) => (family.to_string(), given.iter().map(|g| g.to_string()).collect()),
        None => (String::new(), Vec::new()),
    }
}

/// A profession as a FHIR concept.
pub fn profession_concept(key: &str, display: &str) -> Value {
    json!({
        "coding": [{ "system": PROFESSION_SYSTEM, "code": key, "display": display }],
        "text": display,
    })
}

pub struct PractitionerData<'a> {
    pub id: &'a str,
    pub name: &'a str,
    /// (key, display) of validated professions.
    pub professions: &'a [(String, String)],
    pub languages: &'a [String],
}

pub fn practitioner(p: &PractitionerData<'_>) -> Value {
    let (family, given) = split_name(p.name);
    let mut name = json!({ "use": "official", "text": p.name });
    if !family.is_empty() {
        name["family"] = json!(family);
    }
    if !given.is_empty() {
        name["given"] = json!(given);
    }
    let mut r = json!({
        "resourceType": "Practitioner",
        "id": p.id,
        "identifier": uuid_identifier(p.id),
        "active": true,
        "name": [name],
    });
    // A validated profession, without its permit number: the network shows
    // that to its holder only.
    if !p.professions.is_empty() {
        r["qualification"] = json!(p
            .professions
            .iter()
            .map(|(k, d)| json!({ "code": profession_concept(k, d) }))
            .collect::<Vec<_>>());
    }
    if !p.languages.is_empty() {
        r["communication"] = json!(p
            .languages
            .iter()
            .map(|l| json!({ "coding": [{ "system": LANGUAGE_SYSTEM, "code": l }] }))
            .collect::<Vec<_>>());
    }
    r
}

pub struct RoleData<'a> {
    pub id: &'a str,
    pub practitioner: (&'a str, &'a str),
    pub organization: Option<(&'a str, &'a str)>,
    pub location: (&'a str, &'a str),
    pub professions: &'a [(String, String)],
}

pub fn practitioner_role(r: &RoleData<'_>) -> Value {
    let mut v = json!({
        "resourceType": "PractitionerRole",
        "id": r.id,
        "active": true,
        "practitioner": reference("Practitioner", r.practitioner.0, r.practitioner.1),
        "location": [reference("Location", r.location.0, r.location.1)],
    });
    if let Some((id, name)) = r.organization {
        v["organization"] = reference("Organization", id, name);
    }
    if !r.professions.is_empty() {
        v["code"] = json!(r
            .professions
            .iter()
            .map(|(k, d)| profession_concept(k, d))
            .collect::<Vec<_>>());
    }
    v
}

pub fn organization(id: &str, name: &str) -> Value {
    json!({
        "resourceType": "Organization",
        "id": id,
        "identifier": uuid_identifier(id),
        "active": true,
        "name": name,
    })
}

pub struct LocationData<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub kind: &'a str,
    pub address: &'a str,
    pub phone: Option<&'a str>,
    pub organization: Option<(&'a str, &'a str)>,
}

pub fn location(l: &LocationData<'_>) -> Value {
    let mut v = json!({
        "resourceType": "Location",
        "id": l.id,
        "identifier": uuid_identifier(l.id),
        "status": "active",
        "name": l.name,
        "mode": "instance",
    });
    if !l.kind.is_empty() {
        v["type"] = json!([{ "text": l.kind }]);
    }
    if !l.address.trim().is_empty() {
        v["address"] = json!({ "text": l.address });
    }
    if let Some(phone) = l.phone.filter(|p| !p.is_empty()) {
        v["telecom"] = json!([{ "system": "phone", "value": phone, "use": "work" }]);
    }
    if let Some((id, name)) = l.organization {
        v["managingOrganization"] = reference("Organization", id, name);
    }
    v
}

pub struct ServiceData<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub organization: (&'a str, &'a str),
    pub location: Option<(&'a str, &'a str)>,
}

pub fn healthcare_service(s: &ServiceData<'_>) -> Value {
    let mut v = json!({
        "resourceType": "HealthcareService",
        "id": s.id,
        "identifier": uuid_identifier(s.id),
        "active": true,
        "name": s.name,
        "providedBy": reference("Organization", s.organization.0, s.organization.1),
    });
    if let Some((id, name)) = s.location {
        v["location"] = json!([reference("Location", id, name)]);
    }
    v
}

/// The link of one page of a search.
fn page_link(base: &str, resource_type: &str, query: &SearchQuery, page: usize) -> String {
    let mut q = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in &query.given {
        q.append_pair(k, v);
    }
    q.append_pair("_count", &query.count.to_string());
    q.append_pair("_page", &page.to_string());
    format!("{base}/{resource_type}?{}", q.finish())
}

/// A `searchset` Bundle of one page, with its paging links.
pub fn bundle(base: &str, resource_type: &str, query: &SearchQuery, total: usize, entries: Vec<Value>) -> Value {
    let mut links = vec![json!({ "relation": "self", "url": page_link(base, resource_type, query, query.page) })];
    if query.count > 0 && total > query.page * query.count {
        links.push(json!({ "relation": "next", "url": page_link(base, resource_type, query, query.page + 1) }));
    }
    if query.page > 1 {
        links.push(json!({ "relation": "previous", "url": page_link(base, resource_type, query, query.page - 1) }));
    }
    let entries: Vec<Value> = entries
        .into_iter()
        .map(|resource| {
            let id = resource["id"].as_str().unwrap_or_default().to_string();
            json!({
                "fullUrl": format!("{base}/{resource_type}/{id}"),
                "resource": resource,
                "search": { "mode": "match" },
            })
        })
        .collect();
    let mut b = json!({
        "resourceType": "Bundle",
        "type": "searchset",
        "total": total,
        "link": links,
    });
    if !entries.is_empty() {
        b["entry"] = json!(entries);
    }
    b
}

/// What this server does, at `/fhir/metadata`.
pub fn capability_statement(base: &str) -> Value {
    let resources: Vec<Value> = super::RESOURCE_TYPES
        .iter()
        .map(|t| {
            let mut params: Vec<Value> = parameters(t)
                .iter()
                .map(|(name, kind)| {
                    let (ty, doc) = match kind {
                        Kind::Id => ("token", "The logical id, exactly."),
                        Kind::Identifier => ("token", "system|value, |value or value (urn:ietf:rfc:3986|urn:uuid:…)."),
                        Kind::Name | Kind::Family | Kind::Given => (
                            "string",
                            "A word of the name starts with the value; case and accents ignored.",
                        ),
                        Kind::Reference(_) => ("reference", "Type/id, id, or a URL ending in Type/id."),
                    };
                    json!({ "name": name, "type": ty, "documentation": doc })
                })
                .collect();
            params.push(json!({ "name": "_count", "type": "number", "documentation": format!("Entries per page (default {}, at most {}).", super::query::DEFAULT_COUNT, super::MAX_COUNT) }));
            params.push(json!({ "name": "_page", "type": "number", "documentation": format!("The page, from 1 (at most {}).", super::MAX_PAGE) }));
            json!({
                "type": t,
                "interaction": [{ "code": "read" }, { "code": "search-type" }],
                "versioning": "no-version",
                "readHistory": false,
                "updateCreate": false,
                "searchParam": params,
            })
        })
        .collect();
    json!({
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": CAPABILITY_DATE,
        "publisher": "Cercle",
        "kind": "instance",
        "software": { "name": "Cercle", "version": env!("CARGO_PKG_VERSION") },
        "implementation": {
            "description": "Cercle's network directory: practitioners, their roles, organizations, locations and teams (read and search only).",
            "url": base,
        },
        "fhirVersion": "4.0.1",
        "format": ["application/fhir+json", "json"],
        "rest": [{
            "mode": "server",
            "documentation": "Read and search only. Authenticated like Cercle's JSON API (bearer token, or a web session with its CSRF header); patients and caregivers are refused. Unknown parameters and modifiers are refused (400 OperationOutcome).",
            "security": {
                "cors": false,
                "description": "Authorization: Bearer <token> from POST /api/v1/auth/sign-in and its code step.",
            },
            "resource": resources,
        }],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_split_into_family_and_given() {
        assert_eq!(
            split_name("Dre Marie Tremblay"),
            ("Tremblay".to_string(), vec!["Dre".to_string(), "Marie".to_string()])
        );
        assert_eq!(split_name("Cher"), ("Cher".to_string(), Vec::<String>::new()));
        assert_eq!(split_name("  "), (String::new(), Vec::<String>::new()));
    }
}
