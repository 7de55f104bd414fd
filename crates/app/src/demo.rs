//! `cercle demo`: a small bilingual network to explore Cercle with.

use crate::secrets::random_bytes;
use crate::{audit, AppError, AppResult, Ctx};
use cercle_domain::audit::{Actor, AuditAction, NewAuditEvent};
use cercle_domain::codes::RecoveryCode;
use cercle_domain::orgs::WorkplaceKind;
use cercle_domain::roles::{child_path, Role};
use cercle_domain::UserId;
use cercle_domain::{GrantId, OrgId, TeamId, Timestamp, UnitId, WorkplaceId};
use cercle_store::users::{self, Field};
use cercle_store::{members, orgs};

pub const DEMO_PASSWORD: &str = "Cercle-demo-2026";
pub const DEMO_PIN: &str = "2580";

pub struct DemoPerson {
    pub email: &'static str,
    pub name: &'static str,
    pub language: &'static str,
    pub role: &'static str,
    pub network_admin: bool,
}

pub const PEOPLE: &[DemoPerson] = &[
    DemoPerson {
        email: "admin@demo.cercle.test",
        name: "Louise Gagnon",
        language: "fr",
        role: "network administrator; administrator and auditor of the CIUSSS",
        network_admin: true,
    },
    DemoPerson {
        email: "marie.tremblay@demo.cercle.test",
        name: "Dre Marie Tremblay",
        language: "fr",
        role: "family physician, GMF Limoilou (team manager) and Clinique Saint-Laurent",
        network_admin: false,
    },
    DemoPerson {
        email: "daniel.okafor@demo.cercle.test",
        name: "Daniel Okafor",
        language: "en",
        role: "nurse clinician, home care (patient and caregiver manager)",
        network_admin: false,
    },
    DemoPerson {
        email: "sophie.roy@demo.cercle.test",
        name: "Sophie Roy",
        language: "fr",
        role: "pharmacist, administrator of Clinique Saint-Laurent",
        network_admin: false,
    },
    DemoPerson {
        email: "jf.cote@demo.cercle.test",
        name: "Jean-François Côté",
        language: "fr",
        role: "independent physiotherapist (Physio Côté), validated, outside the organizations",
        network_admin: false,
    },
    DemoPerson {
        email: "helene.belanger@demo.cercle.test",
        name: "Hélène Bélanger",
        language: "fr",
        role: "social worker, validated, visibility restricted to her organizations (she has none)",
        network_admin: false,
    },
    DemoPerson {
        email: "yvette.bouchard@demo.cercle.test",
        name: "Yvette Bouchard",
        language: "fr",
        role: "patient in home care: sees only her care team",
        network_admin: false,
    },
];

/// The index in `PEOPLE` of the demo patient.
const PATIENT: usize = 6;

/// (person index, profession key, validated via) of the demo professions.
const PROFESSIONS: &[(usize, &str, &str)] = &[
    (1, "physician", "verification_team"),
    (2, "nurse", "vouch"),
    (3, "pharmacist", "organization"),
    (4, "physiotherapist", "verification_team"),
    (5, "social_worker", "verification_team"),
];

/// Seeds the demo people when the network is empty; returns false when
/// there was something already (nothing is touched then).
pub async fn seed(ctx: &Ctx) -> AppResult<bool> {
    let mut tx = ctx.store.begin().await?;
    if users::count(&mut tx).await? > 0 {
        return Ok(false);
    }
    seed_in(ctx, tx, DemoCopy(0)).await?;
    Ok(true)
}

/// Seeds one more copy of the whole demo network (copy 1, 2, ...): the same
/// people, organizations, patients and discussions, written through the
/// same services, under addresses and names of their own (copy 0 is the
/// demo itself, what [`seed`] writes). `cercle-bench scale` seeds F copies
/// to measure the app on F times the demo's data.
pub async fn seed_copy(ctx: &Ctx, copy: usize) -> AppResult<()> {
    let tx = ctx.store.begin().await?;
    seed_in(ctx, tx, DemoCopy(copy)).await
}

/// Which copy of the demo is being written: copy 0 is the demo itself;
/// copy k > 0 gets the addresses `…@demo{k}.cercle.test` and names ending
/// in " (k)", so that every copy signs in and is found on its own.
#[derive(Clone, Copy)]
pub struct DemoCopy(pub usize);

impl DemoCopy {
    /// The demo address `email` in this copy.
    pub fn email(self, email: &str) -> String {
        match self.0 {
            0 => email.to_string(),
            k => email.replacen("@demo.", &format!("@demo{k}."), 1),
        }
    }

    /// The demo name `name` in this copy.
    pub fn name(self, name: &str) -> String {
        match self.0 {
            0 => name.to_string(),
            k => format!("{name} ({k})"),
        }
    }
}

async fn seed_in(ctx: &Ctx, mut tx: cercle_store::Tx, copy: DemoCopy) -> AppResult<()> {
    let now = ctx.clock.now();
    let password = ctx.hasher.hash(DEMO_PASSWORD).await?;
    let pin = ctx.hasher.hash(DEMO_PIN).await?;
    let mut ids: Vec<String> = Vec::new();
    for p in PEOPLE {
        let id = UserId::new().to_string();
        users::insert(
            &mut tx,
            &users::NewUser {
                id: &id,
                email: &copy.email(p.email),
                name: &copy.name(p.name),
                language: p.language,
                password_hash: &password,
                network_admin: p.network_admin,
            },
            now,
        )
        .await?;
        // Demo accounts have finished sign-up; their recovery code is random and unknown.
        let recovery = ctx
            .hasher
            .hash(RecoveryCode::from_random(random_bytes()).expose())
            .await?;
        users::set(
            &mut tx,
            &id,
            &[
                (Field::EmailVerifiedAt, now.into()),
                (Field::TermsAcceptedAt, now.into()),
                (Field::RecoveryHash, recovery.into()),
                (Field::PinHash, pin.clone().into()),
            ],
            now,
        )
        .await?;
        crate::search_index::person(&mut tx, &id, now).await?;
        audit::record(
            &mut tx,
            NewAuditEvent::new(Actor::System, "demo.user_created", AuditAction::Create, "user").target(&id),
            now,
        )
        .await?;
        ids.push(id);
    }
    let workplaces = seed_organizations(&mut tx, &ids, copy, now).await?;
    seed_network(&*ctx.bus, &mut tx, &ids, &workplaces, copy, now).await?;
    tx.commit().await?;
    seed_discussions(ctx, &ids).await?;
    seed_care(ctx, &ids, copy).await?;
    Ok(())
}

/// The demo person `i` as a principal; an error (never a made-up id) if
/// they were not seeded.
fn demo_person(people: &[String], i: usize) -> AppResult<UserId> {
    people
        .get(i)
        .and_then(|id| UserId::parse(id))
        .ok_or_else(|| crate::AppError::Internal(format!("demo person {i} missing")))
}

fn demo_principal(people: &[String], i: usize) -> AppResult<cercle_domain::policy::Principal> {
    Ok(cercle_domain::policy::Principal::User(
        cercle_domain::policy::UserPrincipal {
            user_id: demo_person(people, i)?,
            session_id: cercle_domain::SessionId::new(),
            network_admin: false,
            network_verifier: false,
            circle_only: i == PATIENT,
            service: None,
        },
    ))
}

/// Daniel (patient and caregiver manager of home care) opens Yvette
/// Bouchard's file, with Yvette in her circle (joined: the demo seeds her
/// account as if she had answered her invitation) and her son invited; a
/// care channel with both, its first messages, and a pinned care plan.
async fn seed_care(ctx: &Ctx, people: &[String], copy: DemoCopy) -> AppResult<()> {
    use crate::patients::{channels, circle, files, pinned};
    use crate::threads::{attachments, messages, views};
    let (daniel, yvette) = (demo_principal(people, 2)?, demo_principal(people, PATIENT)?);
    let client = crate::Client::default();
    let scope = crate::org_scope::OrgScope::of(ctx, &daniel).await?;
    let unit = {
        let mut conn = ctx.store.reader().await?;
        let daniel_id = people.get(2).ok_or(AppError::NotFound)?.parse()?;
        members::grants_of(&mut conn, scope.org_id, daniel_id)
            .await?
            .into_iter()
            .find(|g| g.role == Role::PatientCaregiverManager)
            .map(|g| g.unit_id.to_string())
    };
    let file = files::create(
        ctx,
        &client,
        &scope,
        &files::FileInput {
            first_name: Some("Yvette".into()),
            last_name: Some("Bouchard".into()),
            birth_date: Some("1938-11-05".into()),
            health_insurance_number: Some("BOUY 3861 0512".into()),
            file_number: Some("SAD-2026-0417".into()),
            unit_id: unit,
            consents: Some(files::ConsentsInput {
                care_team: Some(true),
                caregivers: Some(true),
                electronic: Some(true),
            }),
        },
    )
    .await?;
    let member =
        |section: &str, first: &str, last: &str, email: &str, relationship: Option<&str>| circle::NewCircleMember {
            section: section.into(),
            first_name: first.into(),
            last_name: last.into(),
            email: Some(email.into()),
            phone: None,
            language: Some("fr".into()),
            relationship: relationship.map(String::from),
            invite: None,
        };
    let file_id: cercle_domain::PatientFileId = file.id.parse()?;
    let patient = circle::add(
        ctx,
        &client,
        &daniel,
        file_id,
        &member(
            "patient",
            "Yvette",
            "Bouchard",
            &copy.email("yvette.bouchard@demo.cercle.test"),
            None,
        ),
    )
    .await?;
    let son = circle::add(
        ctx,
        &client,
        &daniel,
        file_id,
        &circle::NewCircleMember {
            invite: Some(crate::patients::invitations::InviteInput {
                via: "email".into(),
                method: "question".into(),
                question: Some("Le prénom de votre grand-mère ?".into()),
                answer: Some("Jeanne".into()),
            }),
            ..member(
                "responsible",
                "Marc",
                "Bouchard",
                &copy.email("marc.bouchard@demo.cercle.test"),
                Some("fils"),
            )
        },
    )
    .await?;
    // Yvette's account joins her circle as an accepted invitation would.
    let now = ctx.clock.now();
    let mut tx = ctx.store.begin().await?;
    let yvette_id = people.get(PATIENT).cloned().unwrap_or_default();
    cercle_store::circle::set_member_state(
        &mut tx,
        patient.id.parse()?,
        cercle_domain::circle::MemberState::Invited,
        &[cercle_domain::circle::MemberState::Preallocated],
        now,
    )
    .await?;
    cercle_store::circle::set_joined(&mut tx, patient.id.parse()?, yvette_id.parse()?, now).await?;
    cercle_store::circle::set_circle_only(&mut tx, yvette_id.parse()?, true).await?;
    audit::record(
        &mut tx,
        NewAuditEvent::new(
            Actor::System,
            "demo.circle_member_joined",
            AuditAction::Update,
            "circle_member",
        )
        .target(&patient.id)
        .scope("patient", &file.id),
        now,
    )
    .await?;
    tx.commit().await?;

    let channel = channels::create(
        ctx,
        &client,
        &daniel,
        file_id,
        &channels::NewChannel {
            title: "Soins à domicile — CLSC Limoilou (démo)".into(),
            participants: [&patient.id, &son.id]
                .into_iter()
                .map(|id| views::ParticipantRef {
                    kind: "circle".into(),
                    id: id.clone(),
                })
                .collect(),
        },
    )
    .await?;
    let lang = cercle_domain::Language::Fr;
    let thread = crate::threads::care_channels::start_thread(
        ctx,
        &client,
        &daniel,
        channel.id.parse()?,
        &channels::NewChannelThread {
            title: "Retour à domicile".into(),
            body: "Bonjour Mme Bouchard, je suis Daniel, infirmier clinicien. Je passerai mardi matin \
                   pour le pansement. Vous trouverez votre plan de soins dans les documents épinglés."
                .into(),
            high_priority: false,
        },
        lang,
    )
    .await?;
    let thread_id = thread.id.parse()?;
    messages::post(
        ctx,
        &client,
        &yvette,
        thread_id,
        "Merci Daniel ! Mardi matin me convient. Mon fils Marc sera là aussi.",
        false,
        lang,
    )
    .await?;
    let plan = care_plan_pdf(ctx.clock.now().0)?;
    let message = attachments::upload(
        ctx,
        &client,
        &daniel,
        thread_id,
        "plan-de-soins.pdf",
        None,
        "Plan de soins",
        attachments::IncomingFile::from_bytes(plan),
        lang,
    )
    .await?;
    if let Some(a) = message.attachments.first() {
        pinned::pin(ctx, &client, &daniel, channel.id.parse()?, a.id.parse()?).await?;
    }
    Ok(())
}

/// A one-page care plan, written with the export's PDF writer.
fn care_plan_pdf(now: i64) -> AppResult<Vec<u8>> {
    use crate::threads::pdf::{render, ExportMessage, ThreadExport};
    let line = |body: &str| ExportMessage {
        author: "Daniel Okafor".into(),
        profession: Some("Infirmier clinicien".into()),
        time: String::new(),
        body: body.into(),
        attachments: Vec::new(),
        edited: false,
        retracted: false,
    };
    render(&ThreadExport {
        title: "Plan de soins — Yvette Bouchard (démo)".into(),
        organization: "CIUSSS de la Capitale (démo)".into(),
        patient: Some("Yvette Bouchard".into()),
        participants: vec!["Daniel Okafor".into()],
        closed: String::new(),
        generated: String::new(),
        generated_at: now,
        lang: cercle_domain::Language::Fr,
        messages: vec![
            line("Pansement de la plaie au mollet droit : mardi et vendredi matin."),
            line("Surveiller rougeur, chaleur, écoulement; appeler l'infirmière si fièvre."),
            line("Marcher 10 minutes deux fois par jour avec la marchette."),
        ],
        calls: Vec::new(),
    })
}

/// A clinical discussion between Marie and Daniel about a demo patient,
/// written through the same services as the app.
async fn seed_discussions(ctx: &Ctx, people: &[String]) -> AppResult<()> {
    use crate::threads::{lifecycle, messages, patients, views};
    use cercle_domain::policy::{Principal, UserPrincipal};
    let as_person = |i: usize| -> AppResult<Principal> {
        Ok(Principal::User(UserPrincipal {
            user_id: demo_person(people, i)?,
            session_id: cercle_domain::SessionId::new(),
            network_admin: false,
            network_verifier: false,
            circle_only: false,
            service: None,
        }))
    };
    let (marie, daniel) = (as_person(1)?, as_person(2)?);
    let client = crate::Client::default();
    let scope = crate::org_scope::OrgScope::of(ctx, &marie).await?;
    let patient = patients::create(
        ctx,
        &client,
        &scope,
        &patients::NewPatientFile {
            first_name: "Gérard".into(),
            last_name: "Lévesque (démo)".into(),
            birth_date: Some("1941-03-02".into()),
        },
    )
    .await?;
    let thread = lifecycle::create(
        ctx,
        &client,
        &marie,
        &lifecycle::NewThreadInput {
            kind: "clinical".into(),
            patient_file_id: Some(patient.id),
            title: "Suivi à domicile — plaie au talon".into(),
            participants: vec![views::ParticipantRef {
                kind: "user".into(),
                id: people.get(2).cloned().unwrap_or_default(),
            }],
            high_priority: false,
        },
    )
    .await?;
    let lang = cercle_domain::Language::Fr;
    let thread_id = thread.id.parse()?;
    messages::post(
        ctx,
        &client,
        &marie,
        thread_id,
        "Bonjour Daniel, pouvez-vous évaluer la plaie au talon gauche lors de votre visite de jeudi ?",
        false,
        lang,
    )
    .await?;
    messages::post(
        ctx,
        &client,
        &daniel,
        thread_id,
        "Oui, je passe jeudi matin. Je vous envoie une photo après la visite.",
        false,
        lang,
    )
    .await?;
    Ok(())
}

/// Professions, profiles, an independent workplace, who works where, a
/// friendship and a pending request, a directory entry.
async fn seed_network(
    bus: &dyn crate::bus::Bus,
    tx: &mut cercle_store::Conn,
    people: &[String],
    workplaces: &[(&'static str, WorkplaceId)],
    copy: DemoCopy,
    now: Timestamp,
) -> AppResult<()> {
    use cercle_domain::network::{FriendshipStatus, ProfessionStatus};
    use cercle_store::{network, profiles};
    use network::DirectoryEntry::Person;
    let person = |i: usize| people.get(i).cloned().unwrap_or_default();
    let uid = |i: usize| -> AppResult<UserId> { Ok(person(i).parse()?) };
    for (i, key, via) in PROFESSIONS {
        let id = cercle_domain::ProfessionId::new();
        profiles::insert_profession(tx, id, uid(*i)?, key, ProfessionStatus::Unverified, now).await?;
        let decision = profiles::Decision {
            by: Some(uid(0)?),
            via: Some(via),
            reason: None,
        };
        profiles::decide_profession(
            tx,
            id,
            &[ProfessionStatus::Unverified],
            ProfessionStatus::Validated,
            &decision,
            now,
        )
        .await?;
    }
    let texts: &[(usize, &str, &str, bool)] = &[
        (
            1,
            "Médecin de famille au GMF Limoilou depuis 2012. Suivi de grossesse, soins aux aînés.",
            "+14185550101",
            false,
        ),
        (
            2,
            "Nurse clinician in home care, north sector. Wound care and palliative care at home.",
            "+14185550102",
            false,
        ),
        (
            3,
            "Pharmacienne propriétaire, Clinique Saint-Laurent.",
            "+14185550103",
            false,
        ),
        (
            4,
            "Physiothérapeute en pratique privée : réadaptation post-opératoire, rééducation vestibulaire.",
            "+14185550104",
            false,
        ),
        (
            5,
            "Travailleuse sociale, soutien aux proches aidants.",
            "+14185550105",
            true,
        ),
    ];
    for (i, presentation, phone, restricted) in texts {
        let row = profiles::ProfileRow {
            user_id: uid(*i)?,
            presentation: (*presentation).into(),
            diplomas: String::new(),
            competencies: String::new(),
            contact: String::new(),
            languages: "fr,en".into(),
            shared_phone: Some((*phone).into()),
            restrict_external: *restricted,
        };
        profiles::save_profile(tx, &row, now).await?;
    }
    let physio = WorkplaceId::new();
    network::insert_independent(
        tx,
        &network::NewIndependentWorkplace {
            id: physio,
            name: &copy.name("Physio Côté"),
            kind: "clinic",
            address: "820 boul. Charest Est, Québec",
            phone: Some("+14185550140"),
            created_by: uid(4)?,
        },
        now,
    )
    .await?;
    network::join(tx, physio, uid(4)?, now).await?;
    // Who works where.
    for (i, place) in [
        (1, "GMF Limoilou"),
        (1, "Clinique Saint-Laurent"),
        (2, "CLSC de Limoilou"),
        (3, "Clinique Saint-Laurent"),
    ] {
        if let Some((_, w)) = workplaces.iter().find(|(name, _)| *name == place) {
            network::join(tx, *w, uid(i)?, now).await?;
        }
    }
    // Marie and Daniel are friends; Sophie asked Marie; Marie keeps
    // Jean-François in her directory.
    let friendship = cercle_domain::FriendshipId::new();
    network::insert_request(tx, friendship, uid(1)?, uid(2)?, now).await?;
    network::decide(
        tx,
        friendship,
        FriendshipStatus::Pending,
        FriendshipStatus::Accepted,
        now,
    )
    .await?;
    network::add_entry(tx, uid(1)?, Person(uid(2)?), now).await?;
    network::add_entry(tx, uid(2)?, Person(uid(1)?), now).await?;
    network::insert_request(tx, cercle_domain::FriendshipId::new(), uid(3)?, uid(1)?, now).await?;
    // As the request would: Marie finds it in her notifications.
    crate::notifications::on_personal(
        bus,
        tx,
        &person(1),
        crate::notifications::Kind::FriendRequest,
        Some(&person(3)),
        "/network/friends",
        now,
    )
    .await?;
    network::add_entry(tx, uid(3)?, Person(uid(1)?), now).await?;
    network::add_entry(tx, uid(1)?, Person(uid(4)?), now).await?;
    // The index, now that professions and settings are known.
    for id in people {
        crate::search_index::person(tx, id, now).await?;
    }
    for w in workplaces.iter().map(|(_, w)| *w).chain([physio]) {
        crate::search_index::workplace(tx, w, now).await?;
    }
    Ok(())
}

/// A unit to create: its name and its parent's index (None for the root).
struct DemoUnit {
    name: &'static str,
    parent: Option<usize>,
}

struct DemoOrg {
    name: &'static str,
    units: &'static [DemoUnit],
    /// (name, kind, address, unit index)
    workplaces: &'static [(&'static str, &'static str, &'static str, usize)],
    /// (name, unit index)
    teams: &'static [(&'static str, usize)],
    /// (person index in `PEOPLE`, unit index, role)
    grants: &'static [(usize, usize, Role)],
}

const ORGS: &[DemoOrg] = &[
    DemoOrg {
        name: "CIUSSS de la Capitale (démo)",
        units: &[
            DemoUnit {
                name: "CIUSSS de la Capitale (démo)",
                parent: None,
            },
            DemoUnit {
                name: "Direction des soins infirmiers",
                parent: Some(0),
            },
            DemoUnit {
                name: "Soutien à domicile",
                parent: Some(1),
            },
            DemoUnit {
                name: "Médecine familiale",
                parent: Some(0),
            },
            DemoUnit {
                name: "GMF Limoilou",
                parent: Some(3),
            },
        ],
        workplaces: &[
            ("CLSC de Limoilou", "community", "1400 boul. Henri-Bourassa, Québec", 2),
            (
                "Hôpital de l'Enfant-Jésus (démo)",
                "hospital",
                "1401 18e Rue, Québec",
                0,
            ),
            ("GMF Limoilou", "clinic", "2000 3e Avenue, Québec", 4),
        ],
        teams: &[("Soins à domicile — secteur Nord", 2), ("Équipe GMF Limoilou", 4)],
        grants: &[
            (0, 0, Role::Administrator),
            (0, 0, Role::Auditor),
            (1, 4, Role::Member),
            (1, 4, Role::TeamManager),
            (2, 2, Role::Member),
            (2, 2, Role::PatientCaregiverManager),
        ],
    },
    DemoOrg {
        name: "Clinique Saint-Laurent (démo)",
        units: &[DemoUnit {
            name: "Clinique Saint-Laurent (démo)",
            parent: None,
        }],
        workplaces: &[("Clinique Saint-Laurent", "clinic", "55 rue Saint-Laurent, Lévis", 0)],
        teams: &[("Accueil clinique", 0)],
        grants: &[(3, 0, Role::Administrator), (3, 0, Role::Member), (1, 0, Role::Member)],
    },
];

/// Two organizations: a CIUSSS-like health centre with several units, and a
/// small private clinic. `people` are the ids of `PEOPLE`, in order.
/// Returns the workplaces created, by their demo name.
async fn seed_organizations(
    tx: &mut cercle_store::Conn,
    people: &[String],
    copy: DemoCopy,
    now: Timestamp,
) -> AppResult<Vec<(&'static str, WorkplaceId)>> {
    let mut workplaces = Vec::new();
    for org in ORGS {
        let org_id = OrgId::new();
        let mut units: Vec<orgs::UnitRow> = Vec::new();
        for u in org.units {
            let id = UnitId::new();
            let parent = u.parent.and_then(|p| units.get(p));
            let row = orgs::UnitRow {
                path: child_path(parent.map(|p| p.path.as_str()), &id.to_string()),
                parent_id: parent.map(|p| p.id),
                id,
                org_id,
                name: copy.name(u.name),
                archived_at: None,
            };
            units.push(row);
        }
        let unit_id = |i: usize| units.get(i).map(|u| u.id).ok_or(AppError::NotFound);
        orgs::insert_org(tx, org_id, &copy.name(org.name), unit_id(0)?, now).await?;
        for u in &units {
            orgs::insert_unit(tx, u, now).await?;
        }
        for (name, kind, address, unit) in org.workplaces {
            let w = orgs::WorkplaceRow {
                id: WorkplaceId::new(),
                org_id,
                unit_id: unit_id(*unit)?,
                name: copy.name(name),
                kind: WorkplaceKind::parse(kind).ok_or(AppError::Conflict("invalid-kind"))?,
                address: (*address).into(),
                phone: None,
                archived_at: None,
            };
            orgs::insert_workplace(tx, &w, now).await?;
            workplaces.push((*name, w.id));
        }
        for (name, unit) in org.teams {
            let t = orgs::TeamRow {
                id: TeamId::new(),
                org_id,
                unit_id: unit_id(*unit)?,
                workplace_id: None,
                name: (*name).into(),
                archived_at: None,
            };
            orgs::insert_team(tx, &t, now).await?;
        }
        for (person, unit, role) in org.grants {
            let Some(user) = people.get(*person) else { continue };
            let admin = *role == Role::Administrator;
            let member: UserId = user.parse()?;
            members::upsert_membership(tx, org_id, member, !admin, admin, now).await?;
            members::grant(tx, GrantId::new(), org_id, member, unit_id(*unit)?, *role, now).await?;
            if users::active_org(tx, user).await?.is_none() {
                users::set_active_org(tx, user, Some(&org_id.to_string())).await?;
            }
        }
        let ev = NewAuditEvent::new(Actor::System, "demo.org_created", AuditAction::Create, "organization")
            .target(org_id)
            .in_unit(org_id, unit_id(0)?);
        audit::record(tx, ev, now).await?;
    }
    Ok(workplaces)
}
