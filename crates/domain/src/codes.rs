//! Short secrets people type: one-time codes and recovery codes.
//! Generation takes random numbers as input so it stays pure and testable.

use crate::InputError;

/// A 6-digit one-time code, sent by email or SMS.
#[derive(Clone, PartialEq, Eq)]
pub struct OneTimeCode(String);

impl std::fmt::Debug for OneTimeCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("OneTimeCode(******)")
    }
}

impl OneTimeCode {
    pub fn from_random(random: u32) -> Self {
        OneTimeCode(format!("{:06}", random % 1_000_000))
    }
    /// Accepts `123456`, `123 456` or `123-456`.
    pub fn parse(raw: &str) -> Result<Self, InputError> {
        let digits: String = raw.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
        if digits.len() != 6 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(InputError::InvalidCode);
        }
        Ok(OneTimeCode(digits))
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// Letters and digits that cannot be confused with each other when read aloud
/// or copied by hand (no 0/O, 1/I/L, U).
const RECOVERY_ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTVWXYZ23456789";

/// A recovery code: 16 characters in four groups (`ABCD-EFGH-JKMN-PQRS`), about 78 bits.
#[derive(Clone, PartialEq, Eq)]
pub struct RecoveryCode(String);

impl std::fmt::Debug for RecoveryCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RecoveryCode(****)")
    }
}

impl RecoveryCode {
    pub fn from_random(random: [u8; 16]) -> Self {
        let chars: Vec<char> = random
            .iter()
            .map(|b| RECOVERY_ALPHABET[(*b as usize) % RECOVERY_ALPHABET.len()] as char)
            .collect();
        RecoveryCode(
            chars
                .chunks(4)
                .map(|c| c.iter().collect::<String>())
                .collect::<Vec<_>>()
                .join("-"),
        )
    }

    /// Accepts any case and any separators; normalizes to the canonical form.
    pub fn parse(raw: &str) -> Result<Self, InputError> {
        let cleaned: String = raw
            .chars()
            .filter(|c| !matches!(c, ' ' | '-'))
            .map(|c| c.to_ascii_uppercase())
            .collect();
        if cleaned.len() != 16 || !cleaned.bytes().all(|b| RECOVERY_ALPHABET.contains(&b)) {
            return Err(InputError::InvalidCode);
        }
        let chars: Vec<char> = cleaned.chars().collect();
        Ok(RecoveryCode(
            chars
                .chunks(4)
                .map(|c| c.iter().collect::<String>())
                .collect::<Vec<_>>()
                .join("-"),
        ))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_time_codes() {
        assert_eq!(OneTimeCode::from_random(42).expose(), "000042");
        assert_eq!(OneTimeCode::parse("123 456").map(|c| c.0), Ok("123456".into()));
        assert!(OneTimeCode::parse("12345").is_err());
        assert!(OneTimeCode::parse("12345a").is_err());
    }

    #[test]
    fn recovery_codes_round_trip() {
        let code = RecoveryCode::from_random([7u8; 16]);
        assert_eq!(code.expose().len(), 19);
        let typed = code.expose().to_lowercase().replace('-', " ");
        assert_eq!(RecoveryCode::parse(&typed), Ok(code));
        assert!(RecoveryCode::parse("ABCD-EFGH-JKMN-PQR0").is_err());
    }
}
