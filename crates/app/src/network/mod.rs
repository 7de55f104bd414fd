//! The network (SPEC 3): profiles, profession validation, search, workplaces,
//! the personal directory and friends. Who sees whom is decided by
//! [`cercle_domain::policy::network`]; this module gathers the facts.

pub mod directory;
pub mod friends;
pub mod invitations;
pub mod people;
pub mod photo;
pub mod professions;
pub mod profile;
pub mod search;
pub mod workplaces;

use crate::{AppError, AppResult};
use cercle_domain::policy::{self, Permission, Principal, UserPrincipal};
use cercle_domain::InputError;

/// The signed-in person acting on the network. Someone who is only in
/// patients' circles (a patient or caregiver) has no place on the network:
/// every network service (profiles, search, directory, workplaces, friends,
/// professions, invitations) refuses them the same way.
pub(crate) fn me(principal: &Principal) -> AppResult<&UserPrincipal> {
    let u = crate::acting::person(principal)?;
    if !policy::may(principal, &Permission::UseProfessionalSpace) {
        return Err(AppError::Forbidden);
    }
    Ok(u)
}

/// A free text of a profile: trimmed, at most `max` characters, line breaks
/// allowed but no other control characters. Markup is kept as typed: every
/// screen renders it as text.
pub(crate) fn clean_text(raw: &str, max: usize) -> AppResult<String> {
    let text = raw.trim().replace("\r\n", "\n");
    if text.chars().count() > max {
        return Err(InputError::TextTooLong.into());
    }
    if text.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return Err(InputError::InvalidText.into());
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_are_bounded_and_keep_markup_as_typed() {
        assert_eq!(clean_text("  <b>hi</b>\r\n", 20).ok().as_deref(), Some("<b>hi</b>"));
        assert!(matches!(
            clean_text(&"a".repeat(21), 20),
            Err(AppError::Input(InputError::TextTooLong))
        ));
        assert!(matches!(
            clean_text("a\u{0}b", 20),
            Err(AppError::Input(InputError::InvalidText))
        ));
    }
}
