//! `cercle demo`: a small bilingual network to explore Cercle with.

use crate::secrets::random_bytes;
use crate::{audit, AppResult, Ctx};
use cercle_domain::audit::{Actor, AuditAction, NewAuditEvent};
use cercle_domain::codes::RecoveryCode;
use cercle_domain::UserId;
use cercle_store::users::{self, Field};

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
        role: "network administrator",
        network_admin: true,
    },
    DemoPerson {
        email: "marie.tremblay@demo.cercle.test",
        name: "Dre Marie Tremblay",
        language: "fr",
        role: "family physician",
        network_admin: false,
    },
    DemoPerson {
        email: "daniel.okafor@demo.cercle.test",
        name: "Daniel Okafor",
        language: "en",
        role: "nurse clinician",
        network_admin: false,
    },
    DemoPerson {
        email: "sophie.roy@demo.cercle.test",
        name: "Sophie Roy",
        language: "fr",
        role: "pharmacist",
        network_admin: false,
    },
];

/// Seeds the demo people when the network is empty; returns false when
/// there was something already (nothing is touched then).
pub async fn seed(ctx: &Ctx) -> AppResult<bool> {
    let mut tx = ctx.store.begin().await?;
    if users::count(&mut tx).await? > 0 {
        return Ok(false);
    }
    let now = ctx.clock.now();
    let password = ctx.hasher.hash(DEMO_PASSWORD).await?;
    let pin = ctx.hasher.hash(DEMO_PIN).await?;
    for p in PEOPLE {
        let id = UserId::new().to_string();
        users::insert(
            &mut tx,
            &users::NewUser {
                id: &id,
                email: p.email,
                name: p.name,
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
        audit::record(
            &mut tx,
            NewAuditEvent::new(Actor::System, "demo.user_created", AuditAction::Create, "user").target(&id),
            now,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(true)
}
