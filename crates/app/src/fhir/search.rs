//! Finding the resources of one type a viewer may see: candidates are read
//! (bounded), narrowed by the search parameters, people among them kept only
//! when the network policy lets the viewer see them, sorted by name, and the
//! page asked for is turned into resources.

use super::query::{folded, Facets, SearchQuery};
use super::resources::{self as r, URI_SYSTEM};
use super::{FhirResult, MAX_SCAN};
use crate::network::people::relations;
use crate::AppResult;
use crate::Ctx;
use cercle_domain::network::ProfessionStatus;
use cercle_domain::policy::network::{may_list_teams, may_search_external, may_view_profile};
use cercle_domain::{professions, Language, OrgId, UserId};
use cercle_store::network::{self, NetworkWorkplace};
use cercle_store::{members, orgs, profiles, Conn};
use serde_json::Value;
use std::collections::{HashMap, HashSet};

/// One page of a search, and how many matched in all.
pub struct Found {
    pub total: usize,
    pub entries: Vec<Value>,
}

/// What a candidate is, to build its resource once it is on the page.
enum Item {
    Person {
        id: UserId,
        name: String,
    },
    Role {
        person: UserId,
        name: String,
        place: NetworkWorkplace,
    },
    Org {
        name: String,
    },
    Place(NetworkWorkplace),
    Team {
        team: orgs::TeamRow,
        org_name: String,
        place: Option<NetworkWorkplace>,
    },
}

impl Item {
    /// The person whose visibility decides whether it is shown.
    fn person(&self) -> Option<UserId> {
        match self {
            Item::Person { id, .. } => Some(*id),
            Item::Role { person, .. } => Some(*person),
            _ => None,
        }
    }
}

struct Candidate {
    facets: Facets,
    sort: String,
    item: Item,
}

fn uuid_facets(id: String, name: &str) -> Facets {
    Facets {
        identifiers: vec![(URI_SYSTEM.to_string(), format!("urn:uuid:{id}"))],
        id,
        name: folded(name),
        ..Facets::default()
    }
}

/// A PractitionerRole's id: the person's and the workplace's UUIDs as 32
/// hexadecimal digits each (64 characters, FHIR's longest id).
fn role_id(person: UserId, place: cercle_domain::WorkplaceId) -> String {
    format!("{}{}", person.0.simple(), place.0.simple())
}

pub async fn run(
    ctx: &Ctx,
    viewer: UserId,
    resource_type: &str,
    query: &SearchQuery,
    lang: Language,
) -> FhirResult<Found> {
    let mut conn = ctx.store.reader().await?;
    let candidates = gather(&mut conn, viewer, resource_type).await?;
    let mut matching: Vec<Candidate> = candidates
        .into_iter()
        .filter(|c| c.facets.matches(&query.params))
        .collect();
    // People are shown as the network shows them: the policy decides each.
    let people: Vec<UserId> = {
        let mut seen = HashSet::new();
        matching
            .iter()
            .filter_map(|c| c.item.person())
            .filter(|p| seen.insert(*p))
            .collect()
    };
    if !people.is_empty() {
        let mut allowed = HashSet::new();
        for chunk in people.chunks(500) {
            for (id, rel) in relations(&mut conn, viewer, chunk).await? {
                if may_view_profile(&rel) {
                    allowed.insert(id);
                }
            }
        }
        matching.retain(|c| c.item.person().is_none_or(|p| allowed.contains(&p)));
    }
    matching.sort_by(|a, b| (&a.sort, &a.facets.id).cmp(&(&b.sort, &b.facets.id)));
    let total = matching.len();
    let window: Vec<Candidate> = matching
        .into_iter()
        .skip((query.page - 1) * query.count)
        .take(query.count)
        .collect();
    let entries = render(&mut conn, window, lang).await?;
    Ok(Found { total, entries })
}

/// Every candidate of a type, before the parameters and the policy.
async fn gather(conn: &mut Conn, viewer: UserId, resource_type: &str) -> AppResult<Vec<Candidate>> {
    let mut out = Vec::new();
    match resource_type {
        "Practitioner" => {
            for (id, name) in findable(conn, viewer).await? {
                let (family, given) = r::split_name(&name);
                let mut facets = uuid_facets(id.to_string(), &name);
                facets.family = folded(&family);
                facets.given = given.iter().map(|g| folded(g)).collect();
                out.push(Candidate {
                    sort: facets.name.clone(),
                    facets,
                    item: Item::Person { id, name },
                });
            }
        }
        "PractitionerRole" => {
            let people = findable(conn, viewer).await?;
            let names: HashMap<UserId, String> = people.into_iter().collect();
            let ids: Vec<UserId> = names.keys().copied().collect();
            let places: HashMap<_, _> = workplaces(conn).await?.into_iter().map(|w| (w.id, w)).collect();
            for chunk in ids.chunks(500) {
                for (person, place_id) in network::workplace_memberships(&mut *conn, chunk).await? {
                    let (Some(place), Some(name)) = (places.get(&place_id), names.get(&person)) else {
                        continue;
                    };
                    let mut references = vec![format!("Practitioner/{person}"), format!("Location/{}", place.id)];
                    if let Some((org, _)) = &place.org {
                        references.push(format!("Organization/{org}"));
                    }
                    out.push(Candidate {
                        sort: format!("{} {}", folded(name), folded(&place.name)),
                        facets: Facets {
                            id: role_id(person, place.id),
                            references,
                            ..Facets::default()
                        },
                        item: Item::Role {
                            person,
                            name: name.clone(),
                            place: place.clone(),
                        },
                    });
                }
            }
        }
        "Organization" => {
            for (id, name) in organizations(conn, viewer).await? {
                let facets = uuid_facets(id.to_string(), &name);
                out.push(Candidate {
                    sort: facets.name.clone(),
                    facets,
                    item: Item::Org { name },
                });
            }
        }
        "Location" => {
            for w in workplaces(conn).await? {
                let mut facets = uuid_facets(w.id.to_string(), &w.name);
                if let Some((org, _)) = &w.org {
                    facets.references.push(format!("Organization/{org}"));
                }
                out.push(Candidate {
                    sort: facets.name.clone(),
                    facets,
                    item: Item::Place(w),
                });
            }
        }
        "HealthcareService" => {
            let mine: HashSet<OrgId> = members::orgs_of_user(&mut *conn, viewer)
                .await?
                .into_iter()
                .map(|(id, _)| id)
                .collect();
            let places: HashMap<_, _> = workplaces(conn).await?.into_iter().map(|w| (w.id, w)).collect();
            for (org_id, org_name) in organizations(conn, viewer).await? {
                if !may_list_teams(mine.contains(&org_id)) {
                    continue;
                }
                for team in orgs::teams_of(&mut *conn, org_id).await? {
                    if team.archived_at.is_some() {
                        continue;
                    }
                    let place = team.workplace_id.and_then(|w| places.get(&w).cloned());
                    let mut facets = uuid_facets(team.id.to_string(), &team.name);
                    facets.references.push(format!("Organization/{org_id}"));
                    if let Some(p) = &place {
                        facets.references.push(format!("Location/{}", p.id));
                    }
                    out.push(Candidate {
                        sort: facets.name.clone(),
                        facets,
                        item: Item::Team {
                            team,
                            org_name: org_name.clone(),
                            place,
                        },
                    });
                }
            }
        }
        _ => {}
    }
    Ok(out)
}

/// The people the viewer may find (a first cut the policy checks again).
async fn findable(conn: &mut Conn, viewer: UserId) -> AppResult<Vec<(UserId, String)>> {
    let external = may_search_external(profiles::is_validated(&mut *conn, viewer).await?);
    Ok(network::findable_people(conn, viewer, external, MAX_SCAN).await?)
}

/// Every workplace of the network: public to professionals, as on the
/// network's workplace pages.
async fn workplaces(conn: &mut Conn) -> AppResult<Vec<NetworkWorkplace>> {
    Ok(network::all_workplaces(conn, MAX_SCAN, 0).await?)
}

/// The organizations the directory shows: those of the network's
/// workplaces (their names are on every workplace) and the viewer's own.
async fn organizations(conn: &mut Conn, viewer: UserId) -> AppResult<Vec<(OrgId, String)>> {
    let mut out: Vec<(OrgId, String)> = Vec::new();
    let mut seen = HashSet::new();
    let listed = workplaces(conn).await?.into_iter().filter_map(|w| w.org);
    for (id, name) in listed.chain(members::orgs_of_user(&mut *conn, viewer).await?) {
        if seen.insert(id) {
            out.push((id, name));
        }
    }
    Ok(out)
}

/// (key, display) of the validated professions of these people.
async fn validated_professions(
    conn: &mut Conn,
    ids: &[UserId],
    lang: Language,
) -> AppResult<HashMap<UserId, Vec<(String, String)>>> {
    let mut out: HashMap<UserId, Vec<(String, String)>> = HashMap::new();
    for (user, key, status) in profiles::profession_keys_of(conn, ids).await? {
        if status == ProfessionStatus::Validated {
            let display = professions::name(&key, lang).unwrap_or(&key).to_string();
            out.entry(user).or_default().push((key, display));
        }
    }
    Ok(out)
}

async fn render(conn: &mut Conn, window: Vec<Candidate>, lang: Language) -> AppResult<Vec<Value>> {
    let people: Vec<UserId> = window.iter().filter_map(|c| c.item.person()).collect();
    let profs = validated_professions(&mut *conn, &people, lang).await?;
    let mut out = Vec::with_capacity(window.len());
    for c in window {
        let v = match &c.item {
            Item::Person { id, name } => {
                let profile = profiles::profile(&mut *conn, *id).await?;
                let languages: Vec<String> = profile
                    .languages
                    .split(',')
                    .filter(|l| !l.is_empty())
                    .map(str::to_string)
                    .collect();
                r::practitioner(&r::PractitionerData {
                    id: &c.facets.id,
                    name,
                    professions: profs.get(id).map(Vec::as_slice).unwrap_or_default(),
                    languages: &languages,
                })
            }
            Item::Role { person, name, place } => {
                let person_id = person.to_string();
                let place_id = place.id.to_string();
                let org = place.org.as_ref().map(|(id, n)| (id.to_string(), n.as_str()));
                r::practitioner_role(&r::RoleData {
                    id: &c.facets.id,
                    practitioner: (&person_id, name),
                    organization: org.as_ref().map(|(id, n)| (id.as_str(), *n)),
                    location: (&place_id, &place.name),
                    professions: profs.get(person).map(Vec::as_slice).unwrap_or_default(),
                })
            }
            Item::Org { name } => r::organization(&c.facets.id, name),
            Item::Place(w) => {
                let org = w.org.as_ref().map(|(id, n)| (id.to_string(), n.as_str()));
                r::location(&r::LocationData {
                    id: &c.facets.id,
                    name: &w.name,
                    kind: &w.kind,
                    address: &w.address,
                    phone: w.phone.as_deref(),
                    organization: org.as_ref().map(|(id, n)| (id.as_str(), *n)),
                })
            }
            Item::Team { team, org_name, place } => {
                let org_id = team.org_id.to_string();
                let place_ids = place.as_ref().map(|p| (p.id.to_string(), p.name.as_str()));
                r::healthcare_service(&r::ServiceData {
                    id: &c.facets.id,
                    name: &team.name,
                    organization: (&org_id, org_name),
                    location: place_ids.as_ref().map(|(id, n)| (id.as_str(), *n)),
                })
            }
        };
        out.push(v);
    }
    Ok(out)
}
