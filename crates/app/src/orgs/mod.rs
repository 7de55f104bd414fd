//! Organizations (SPEC 0, 2): the unit tree, workplaces, teams, members,
//! roles and invitations. Everything here acts inside the caller's *active*
//! organization, resolved by [`OrgScope::of`]; an id that belongs to another
//! organization is simply not found.

pub mod membership;
pub mod structure;

/// The caller inside their active organization (kept in [`crate::org_scope`],
/// which the modules below organizations use too).
pub use crate::org_scope::OrgScope;

use crate::{AppError, AppResult};

/// A short name check shared by units, workplaces, teams and organizations.
pub(crate) fn clean_name(raw: &str) -> AppResult<String> {
    let trimmed = raw.trim();
    let len = trimmed.chars().count();
    if len == 0 || len > 120 || trimmed.chars().any(char::is_control) {
        return Err(AppError::Input(cercle_domain::InputError::InvalidTitle));
    }
    Ok(trimmed.to_string())
}

/// Turns a unique-constraint clash into a clear "name already used".
pub(crate) fn name_taken(e: cercle_store::StoreError) -> AppError {
    match e {
        cercle_store::StoreError::Conflict => AppError::Conflict("name-taken"),
        other => other.into(),
    }
}

/// Rows the interfaces render (read-only views of stored data).
pub use cercle_store::members::{InvitationRow, MemberRow};
pub use cercle_store::orgs::{OrgRow, TeamRow, UnitRow as Unit, WorkplaceRow};
