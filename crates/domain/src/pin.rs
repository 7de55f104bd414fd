use crate::InputError;

/// A PIN: 4 to 8 digits, not all the same digit, not a straight sequence.
#[derive(Clone, PartialEq, Eq)]
pub struct Pin(String);

impl std::fmt::Debug for Pin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Pin(****)")
    }
}

impl Pin {
    /// Parses a PIN typed to unlock (only the format is checked).
    pub fn parse(raw: &str) -> Result<Self, InputError> {
        let s = raw.trim();
        if !(4..=8).contains(&s.len()) || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(InputError::InvalidPin);
        }
        Ok(Pin(s.to_string()))
    }

    /// Parses a new PIN entered twice, refusing easy ones.
    pub fn parse_new(first: &str, second: &str) -> Result<Self, InputError> {
        let pin = Pin::parse(first)?;
        if first.trim() != second.trim() {
            return Err(InputError::PinMismatch);
        }
        let b = pin.0.as_bytes();
        let same = b.iter().all(|&c| c == b[0]);
        let up = b.windows(2).all(|w| w[1] == w[0] + 1);
        let down = b.windows(2).all(|w| w[0] == w[1] + 1);
        if same || up || down {
            return Err(InputError::PinTooWeak);
        }
        Ok(pin)
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert!(Pin::parse("2580").is_ok());
        assert_eq!(Pin::parse("12a4"), Err(InputError::InvalidPin));
        assert_eq!(Pin::parse("123"), Err(InputError::InvalidPin));
        assert_eq!(Pin::parse("123456789"), Err(InputError::InvalidPin));
    }

    #[test]
    fn new_pins() {
        assert_eq!(Pin::parse_new("2580", "2581"), Err(InputError::PinMismatch));
        assert_eq!(Pin::parse_new("1111", "1111"), Err(InputError::PinTooWeak));
        assert_eq!(Pin::parse_new("1234", "1234"), Err(InputError::PinTooWeak));
        assert_eq!(Pin::parse_new("9876", "9876"), Err(InputError::PinTooWeak));
        assert!(Pin::parse_new("2580", "2580").is_ok());
        assert_eq!(format!("{:?}", Pin::parse("2580")), "Ok(Pin(****))");
    }
}
