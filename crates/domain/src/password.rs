use crate::InputError;

pub const MIN_LEN: usize = 10;
pub const MAX_LEN: usize = 128;

/// A few passwords that pass the length rule but are guessed first.
const COMMON: &[&str] = &[
    "motdepasse",
    "password12",
    "password123",
    "1234567890",
    "0123456789",
    "qwertyuiop",
    "azertyuiop",
    "motdepasse1",
    "motdepasse123",
    "bonjour1234",
    "passw0rd12",
    "iloveyou12",
    "cercle1234",
    "welcome123",
    "1q2w3e4r5t",
    "abcdefghij",
    "administrator",
];

/// Checks a new password: 10 to 128 characters, at least 5 distinct
/// characters, not a well-known password, not the email's local part.
pub fn check_new(password: &str, email_local_part: Option<&str>) -> Result<(), InputError> {
    let len = password.chars().count();
    if len < MIN_LEN {
        return Err(InputError::PasswordTooShort);
    }
    if len > MAX_LEN {
        return Err(InputError::PasswordTooLong);
    }
    let lower = password.to_lowercase();
    let mut distinct: Vec<char> = lower.chars().collect();
    distinct.sort_unstable();
    distinct.dedup();
    if distinct.len() < 5 || COMMON.contains(&lower.as_str()) {
        return Err(InputError::PasswordTooWeak);
    }
    if let Some(local) = email_local_part {
        if local.len() >= 4 && lower.contains(&local.to_lowercase()) {
            return Err(InputError::PasswordTooWeak);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules() {
        assert_eq!(check_new("short", None), Err(InputError::PasswordTooShort));
        assert_eq!(check_new(&"x".repeat(129), None), Err(InputError::PasswordTooLong));
        assert_eq!(check_new("aaaaaaaaaaaa", None), Err(InputError::PasswordTooWeak));
        assert_eq!(check_new("MotDePasse123", None), Err(InputError::PasswordTooWeak));
        assert_eq!(
            check_new("marie.tremblay!2026", Some("marie.tremblay")),
            Err(InputError::PasswordTooWeak)
        );
        assert_eq!(check_new("lune-verte-sur-le-fleuve", Some("marie")), Ok(()));
    }
}
