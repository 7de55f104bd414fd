//! The caller inside their active organization, with the roles they hold
//! there: what every organization-scoped use case (structure, members,
//! patient files, teams, the audit log, time zones, professions) takes.
//! A leaf, so that those modules need not import the organizations' use
//! cases for it.

use crate::{AppError, AppResult, Client, Ctx};
use cercle_domain::audit::{Actor, AuditAction, NewAuditEvent};
use cercle_domain::policy::Principal;
use cercle_domain::roles::{holds, holds_anywhere, Grant, Permission};
use cercle_domain::{OrgId, ServiceAccountId, UnitId, UserId};
use cercle_store::orgs::UnitRow;
use cercle_store::{members, orgs, users};

/// The caller inside their active organization, with the roles they hold there.
#[derive(Debug, Clone)]
pub struct OrgScope {
    pub org_id: OrgId,
    pub org_name: String,
    pub root_unit_id: UnitId,
    pub user_id: UserId,
    pub grants: Vec<Grant>,
    /// The service account acting through `user_id`, if one is.
    pub service: Option<ServiceAccountId>,
}

impl OrgScope {
    /// Resolves the active organization of a signed-in person. Membership is
    /// checked on every call, so a removed member loses access at once.
    /// A service account acts in its own organization, through its member
    /// (whatever that member's active organization is).
    pub async fn of(ctx: &Ctx, principal: &Principal) -> AppResult<OrgScope> {
        let p = match principal {
            Principal::User(p) => p,
            Principal::Service(s) => &s.acting,
            _ => return Err(AppError::Forbidden),
        };
        let user_id = p.user_id;
        let mut conn = ctx.store.reader().await?;
        let org_id = match &p.service {
            Some(s) => s.org_id,
            None => {
                let Some(org_id) = users::active_org(&mut conn, &user_id.to_string()).await? else {
                    return Err(AppError::NoActiveOrganization);
                };
                OrgId::parse(&org_id).ok_or(AppError::NoActiveOrganization)?
            }
        };
        if !members::is_member(&mut conn, org_id, user_id).await? {
            return Err(AppError::NoActiveOrganization);
        }
        let org = orgs::org_by_id(&mut conn, org_id)
            .await?
            .ok_or(AppError::NoActiveOrganization)?;
        let grants = members::grants_of(&mut conn, org_id, user_id)
            .await?
            .into_iter()
            .map(|g| Grant {
                role: g.role,
                unit_path: g.unit_path,
            })
            .collect();
        Ok(OrgScope {
            org_id: org.id,
            org_name: org.name,
            root_unit_id: org.root_unit_id,
            user_id: p.user_id,
            grants,
            service: p.service.as_ref().map(|s| s.account_id),
        })
    }

    pub fn may(&self, permission: Permission, unit: &UnitRow) -> bool {
        holds(&self.grants, permission, &unit.path)
    }

    pub fn require(&self, permission: Permission, unit: &UnitRow) -> AppResult<()> {
        if self.may(permission, unit) {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }

    pub fn may_anywhere(&self, permission: Permission) -> bool {
        holds_anywhere(&self.grants, permission)
    }

    /// Who the audit names: the service account acting, else the person.
    pub fn actor(&self) -> Actor {
        match self.service {
            Some(id) => Actor::Service(id),
            None => Actor::User(self.user_id),
        }
    }

    /// An audit event by this person in this organization.
    pub fn event(
        &self,
        name: &'static str,
        action: AuditAction,
        target: &'static str,
        unit_id: UnitId,
        client: &Client,
    ) -> NewAuditEvent {
        NewAuditEvent::new(self.actor(), name, action, target)
            .in_unit(self.org_id, unit_id)
            .ip(client.ip.clone())
    }

    /// A unit of this organization, or not found.
    pub async fn unit(&self, ctx: &Ctx, unit_id: UnitId) -> AppResult<UnitRow> {
        let mut conn = ctx.store.reader().await?;
        orgs::unit_in(&mut conn, self.org_id, unit_id)
            .await?
            .ok_or(AppError::NotFound)
    }
}
