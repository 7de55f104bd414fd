use crate::InputError;

/// An email address, trimmed and lower-cased. Validation is deliberately
/// simple (one `@`, a dotted domain, no spaces, 254 characters at most): the
/// real check is the code sent to it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Self, InputError> {
        let s = raw.trim().to_lowercase();
        if s.len() > 254
            || s.chars()
                .any(|c| c.is_whitespace() || c.is_control() || c == '<' || c == '>')
        {
            return Err(InputError::InvalidEmail);
        }
        let (local, domain) = s.split_once('@').ok_or(InputError::InvalidEmail)?;
        let domain_ok = domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..")
            && !domain.contains('@');
        if local.is_empty() || local.len() > 64 || !domain_ok {
            return Err(InputError::InvalidEmail);
        }
        Ok(Email(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// For logs: keeps the domain only.
    pub fn redacted(&self) -> String {
        match self.0.split_once('@') {
            Some((_, d)) => format!("***@{d}"),
            None => "***".into(),
        }
    }
}

impl std::fmt::Display for Email {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_and_normalizes() {
        assert_eq!(
            Email::parse("  Marie.Tremblay@Clinique.QC.ca ").map(|e| e.0),
            Ok("marie.tremblay@clinique.qc.ca".into())
        );
    }

    #[test]
    fn rejects_malformed() {
        for bad in [
            "",
            "marie",
            "marie@",
            "@x.ca",
            "marie@localhost",
            "ma rie@x.ca",
            "a@b@c.ca",
            "a@.ca",
            "a@x..ca",
            "<a@x.ca>",
        ] {
            assert_eq!(Email::parse(bad), Err(InputError::InvalidEmail), "{bad}");
        }
        assert!(Email::parse(&format!("{}@x.ca", "a".repeat(65))).is_err());
    }
}
