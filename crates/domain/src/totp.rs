//! Time-based one-time passwords (RFC 6238, SHA-1, 30 s, 6 digits), the
//! format every authenticator app reads.

use hmac::{Hmac, Mac};
use subtle::ConstantTimeEq;

const STEP_SECS: i64 = 30;
const B32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

pub fn base32_encode(data: &[u8]) -> String {
    let mut out = String::new();
    let mut buffer: u32 = 0;
    let mut bits = 0;
    for &byte in data {
        buffer = (buffer << 8) | byte as u32;
        bits += 8;
        while bits >= 5 {
            out.push(B32[((buffer >> (bits - 5)) & 31) as usize] as char);
            bits -= 5;
        }
    }
    if bits > 0 {
        out.push(B32[((buffer << (5 - bits)) & 31) as usize] as char);
    }
    out
}

pub fn base32_decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let mut buffer: u32 = 0;
    let mut bits = 0;
    for c in text.chars().filter(|c| !matches!(c, ' ' | '=' | '-')) {
        let v = B32.iter().position(|&b| b as char == c.to_ascii_uppercase())? as u32;
        buffer = (buffer << 5) | v;
        bits += 5;
        if bits >= 8 {
            out.push(((buffer >> (bits - 8)) & 0xff) as u8);
            bits -= 8;
        }
    }
    Some(out)
}

/// The time step a Unix time falls in.
pub fn step_at(unix_secs: i64) -> i64 {
    unix_secs.div_euclid(STEP_SECS)
}

/// The 6-digit code of a step (RFC 4226 dynamic truncation).
pub fn code_at_step(secret: &[u8], step: i64) -> String {
    let Ok(mut mac) = Hmac::<sha1::Sha1>::new_from_slice(secret) else {
        return String::new();
    };
    mac.update(&step.to_be_bytes());
    let digest = mac.finalize().into_bytes();
    let offset = (digest[19] & 0x0f) as usize;
    let bin = ((digest[offset] as u32 & 0x7f) << 24)
        | ((digest[offset + 1] as u32) << 16)
        | ((digest[offset + 2] as u32) << 8)
        | digest[offset + 3] as u32;
    format!("{:06}", bin % 1_000_000)
}

/// Checks a typed code against the current step and its neighbours (clock
/// drift). Returns the matched step, which the caller stores so that the same
/// code cannot be used twice (`last_used_step`).
pub fn verify(secret: &[u8], code: &str, unix_secs: i64, last_used_step: Option<i64>) -> Option<i64> {
    let now = step_at(unix_secs);
    [now - 1, now, now + 1].into_iter().find(|&step| {
        last_used_step.is_none_or(|last| step > last)
            && bool::from(code_at_step(secret, step).as_bytes().ct_eq(code.as_bytes()))
    })
}

/// The `otpauth://` link an authenticator app scans.
pub fn provisioning_uri(secret: &[u8], account: &str, issuer: &str) -> String {
    let enc = |s: &str| -> String {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => (b as char).to_string(),
                _ => format!("%{b:02X}"),
            })
            .collect()
    };
    format!(
        "otpauth://totp/{}:{}?secret={}&issuer={}&algorithm=SHA1&digits=6&period=30",
        enc(issuer),
        enc(account),
        base32_encode(secret),
        enc(issuer)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc6238_vectors() {
        let secret = b"12345678901234567890";
        // RFC 6238 appendix B, SHA-1, last six digits.
        assert_eq!(code_at_step(secret, step_at(59)), "287082");
        assert_eq!(code_at_step(secret, step_at(1_111_111_109)), "081804");
        assert_eq!(code_at_step(secret, step_at(2_000_000_000)), "279037");
    }

    #[test]
    fn base32_round_trip() {
        let data = b"any secret bytes!";
        assert_eq!(base32_decode(&base32_encode(data)).as_deref(), Some(&data[..]));
        assert_eq!(base32_encode(b"foobar"), "MZXW6YTBOI");
    }

    #[test]
    fn verify_refuses_replay_and_drift() {
        let secret = b"12345678901234567890";
        let t = 1_111_111_109;
        let code = code_at_step(secret, step_at(t));
        let step = verify(secret, &code, t, None);
        assert_eq!(step, Some(step_at(t)));
        assert_eq!(verify(secret, &code, t, step), None, "replayed");
        assert_eq!(
            verify(secret, &code, t + 30, None),
            Some(step_at(t)),
            "one step of drift"
        );
        assert_eq!(verify(secret, &code, t + 95, None), None, "too old");
    }
}
