use crate::InputError;

/// A phone number in E.164 form (`+15145551234`). Ten-digit North American
/// numbers may be typed without the country code, with any punctuation.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(transparent)]
pub struct Phone(String);

impl Phone {
    pub fn parse(raw: &str) -> Result<Self, InputError> {
        let raw = raw.trim();
        if raw.len() > 32 {
            return Err(InputError::InvalidPhone);
        }
        let plus = raw.starts_with('+');
        let mut digits = String::new();
        for c in raw.chars() {
            match c {
                '0'..='9' => digits.push(c),
                ' ' | '-' | '.' | '(' | ')' => {}
                '+' if digits.is_empty() => {}
                _ => return Err(InputError::InvalidPhone),
            }
        }
        let e164 = match (plus, digits.len()) {
            (false, 10) => format!("+1{digits}"),
            (false, 11) if digits.starts_with('1') => format!("+{digits}"),
            (true, 8..=15) if !digits.starts_with('0') => format!("+{digits}"),
            _ => return Err(InputError::InvalidPhone),
        };
        Ok(Phone(e164))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Last two digits only, for screens that confirm where a code went.
    pub fn masked(&self) -> String {
        let tail: String = self
            .0
            .chars()
            .rev()
            .take(2)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        format!("•••• ••• ••{tail}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_north_american_and_international() {
        assert_eq!(Phone::parse("(514) 555-1234").map(|p| p.0), Ok("+15145551234".into()));
        assert_eq!(Phone::parse("1 514 555 1234").map(|p| p.0), Ok("+15145551234".into()));
        assert_eq!(
            Phone::parse("+33 6 12 34 56 78").map(|p| p.0),
            Ok("+33612345678".into())
        );
    }

    #[test]
    fn rejects_garbage() {
        for bad in ["", "555-1234", "abc", "+0123456789", "514555123x", "+1234567890123456"] {
            assert_eq!(Phone::parse(bad), Err(InputError::InvalidPhone), "{bad}");
        }
    }

    #[test]
    fn masks() {
        assert_eq!(
            Phone::parse("5145551234").map(|p| p.masked()),
            Ok("•••• ••• ••34".into())
        );
    }
}
