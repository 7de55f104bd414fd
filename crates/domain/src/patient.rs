//! A patient's identity (SPEC 4): names, birth date, health insurance
//! number (Québec RAMQ format) and the organization's file number. Each is
//! parsed once into a value that cannot be invalid.

use crate::InputError;

/// Longest first or last name of a patient.
pub const MAX_NAME_CHARS: usize = 100;
/// Longest file number.
pub const MAX_FILE_NUMBER_CHARS: usize = 40;

/// A patient's first or last name: trimmed, 1 to 100 characters, no
/// control characters.
pub fn patient_name(raw: &str) -> Result<String, InputError> {
    let trimmed = raw.trim();
    let len = trimmed.chars().count();
    if len == 0 || len > MAX_NAME_CHARS || trimmed.chars().any(char::is_control) {
        return Err(InputError::InvalidPatientName);
    }
    Ok(trimmed.split_whitespace().collect::<Vec<_>>().join(" "))
}

/// A health insurance number in the Québec (RAMQ) format: 4 letters (the
/// first three of the last name, the first of the first name), then 8
/// digits: year (2), month (01-12, or 51-62 for women), day (01-31) and 2
/// more. Spaces are optional on input; it is kept in upper case without
/// spaces and shown as `ABCD 1234 5678`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HealthInsuranceNumber(String);

impl HealthInsuranceNumber {
    pub fn parse(raw: &str) -> Result<Self, InputError> {
        let compact: String = raw.chars().filter(|c| *c != ' ').collect();
        let b = compact.as_bytes();
        if b.len() != 12 || !b[..4].iter().all(u8::is_ascii_alphabetic) || !b[4..].iter().all(u8::is_ascii_digit) {
            return Err(InputError::InvalidHealthInsuranceNumber);
        }
        let two = |i: usize| u32::from(b[i] - b'0') * 10 + u32::from(b[i + 1] - b'0');
        let (month, day) = (two(6), two(8));
        if !((1..=12).contains(&month) || (51..=62).contains(&month)) || !(1..=31).contains(&day) {
            return Err(InputError::InvalidHealthInsuranceNumber);
        }
        Ok(HealthInsuranceNumber(compact.to_ascii_uppercase()))
    }

    /// As stored: `ABCD12345678`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }

    /// As shown: `ABCD 1234 5678`.
    pub fn display(&self) -> String {
        display_hin(&self.0)
    }
}

/// A stored health insurance number as shown (`ABCD 1234 5678`); anything
/// not in the stored form is returned as is.
pub fn display_hin(stored: &str) -> String {
    if stored.len() == 12 && stored.is_ascii() {
        format!("{} {} {}", &stored[..4], &stored[4..8], &stored[8..])
    } else {
        stored.to_string()
    }
}

/// The organization's own file number: 1 to 40 characters among letters,
/// digits, `-`, `/` and spaces (trimmed, inner spaces collapsed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileNumber(String);

impl FileNumber {
    pub fn parse(raw: &str) -> Result<Self, InputError> {
        let cleaned = raw.split_whitespace().collect::<Vec<_>>().join(" ");
        let len = cleaned.chars().count();
        if len == 0
            || len > MAX_FILE_NUMBER_CHARS
            || !cleaned
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '/' || c == ' ')
        {
            return Err(InputError::InvalidFileNumber);
        }
        Ok(FileNumber(cleaned))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

/// A birth date `YYYY-MM-DD`: a real calendar day, from 1880 and not after
/// `today` (also `YYYY-MM-DD`).
pub fn birth_date(raw: &str, today: &str) -> Result<String, InputError> {
    let d = raw.trim();
    let b = d.as_bytes();
    let shaped = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if !shaped {
        return Err(InputError::InvalidBirthDate);
    }
    let num = |r: std::ops::Range<usize>| d[r].parse::<u32>().unwrap_or(0);
    let (y, m, day) = (num(0..4), num(5..7), num(8..10));
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days_in_month = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => 0,
    };
    if y < 1880 || day == 0 || day > days_in_month || d > today {
        return Err(InputError::InvalidBirthDate);
    }
    Ok(d.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn health_insurance_numbers_are_normalized_and_checked() {
        let n = HealthInsuranceNumber::parse("trem 4102 1512").expect("valid");
        assert_eq!(n.as_str(), "TREM41021512");
        assert_eq!(n.display(), "TREM 4102 1512");
        assert_eq!(
            HealthInsuranceNumber::parse("TREM41021512").map(HealthInsuranceNumber::into_string),
            Ok("TREM41021512".into())
        );
        // Women: month + 50.
        assert!(HealthInsuranceNumber::parse("LEVG 4152 0201").is_ok());
        assert!(HealthInsuranceNumber::parse("LEVG 4162 3101").is_ok());
        for bad in [
            "",
            "TREM 4102 151",   // 11 characters
            "TREM 4102 15123", // 13
            "TRE1 4102 1512",  // a digit among the letters
            "TREM 41O2 1512",  // a letter among the digits
            "TREM 4100 1512",  // month 00
            "TREM 4113 1512",  // month 13
            "TREM 4150 1512",  // month 50
            "TREM 4163 1512",  // month 63
            "TREM 4102 0012",  // day 00
            "TREM 4102 3212",  // day 32
            "TRÉM 4102 1512",  // not ASCII
            "TREM-4102-1512",  // dashes are not spaces
        ] {
            assert_eq!(
                HealthInsuranceNumber::parse(bad),
                Err(InputError::InvalidHealthInsuranceNumber),
                "{bad}"
            );
        }
        assert_eq!(display_hin("odd"), "odd");
    }

    #[test]
    fn file_numbers_are_bounded() {
        assert_eq!(
            FileNumber::parse("  DOS-2024/001  ").map(FileNumber::into_string),
            Ok("DOS-2024/001".into())
        );
        assert_eq!(
            FileNumber::parse("A  12").map(FileNumber::into_string),
            Ok("A 12".into())
        );
        assert!(FileNumber::parse(&"1".repeat(40)).is_ok());
        for bad in ["", "   ", &"1".repeat(41), "12#4", "é12", "12\u{0}"] {
            assert_eq!(FileNumber::parse(bad), Err(InputError::InvalidFileNumber), "{bad}");
        }
    }

    #[test]
    fn birth_dates_are_real_days_in_the_past() {
        let today = "2025-06-15";
        assert_eq!(birth_date(" 1941-03-02 ", today), Ok("1941-03-02".into()));
        assert!(birth_date("2000-02-29", today).is_ok(), "leap year");
        assert!(birth_date("2025-06-15", today).is_ok(), "born today");
        for bad in [
            "",
            "1941-3-2",
            "02/03/1941",
            "1941-02-30",
            "1900-02-29",
            "1941-13-01",
            "1941-00-10",
            "1879-12-31",
            "2025-06-16",
            "abcd-ef-gh",
        ] {
            assert_eq!(birth_date(bad, today), Err(InputError::InvalidBirthDate), "{bad}");
        }
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(patient_name("  Gérard   Lévesque "), Ok("Gérard Lévesque".into()));
        assert!(patient_name(&"é".repeat(100)).is_ok());
        for bad in ["", "   ", &"a".repeat(101), "a\u{7}b"] {
            assert_eq!(patient_name(bad), Err(InputError::InvalidPatientName), "{bad:?}");
        }
    }
}
