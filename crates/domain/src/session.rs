//! Sessions, second factors and the limits that guard every secret.

use crate::Timestamp;

/// How long each kind of secret lives and how many tries it gets.
pub mod limits {
    /// One-time codes (email, SMS) expire after 10 minutes…
    pub const CODE_TTL_SECS: i64 = 10 * 60;
    /// …and die after 5 wrong tries.
    pub const CODE_MAX_ATTEMPTS: i64 = 5;
    /// At most this many codes sent to one account per window.
    pub const CODE_SENDS_PER_WINDOW: i64 = 5;
    pub const CODE_SEND_WINDOW_SECS: i64 = 15 * 60;
    /// Consecutive wrong passwords (or recovery codes) before the account locks…
    pub const PASSWORD_FAILURES_BEFORE_LOCK: i64 = 5;
    /// …for this long.
    pub const ACCOUNT_LOCK_SECS: i64 = 15 * 60;
    /// Wrong PINs on one session before that session is erased.
    pub const PIN_MAX_FAILURES: i64 = 5;
    /// Password reset links.
    pub const RESET_TTL_SECS: i64 = 60 * 60;
    /// A session that completed sign-in lives at most this long without use.
    pub const SESSION_MAX_IDLE_SECS: i64 = 30 * 24 * 3600;
    /// A session waiting for its second factor is abandoned after this.
    pub const PENDING_SESSION_TTL_SECS: i64 = 15 * 60;
    /// Attempts from one network address per window, for each kind of secret.
    pub const ADDRESS_ATTEMPTS_PER_WINDOW: i64 = 30;
    pub const ADDRESS_WINDOW_SECS: i64 = 15 * 60;
    /// An instant mobile connect code works once, for this long.
    pub const CONNECT_CODE_TTL_SECS: i64 = 2 * 60;
    /// At most this many connect codes made by one person per window.
    pub const CONNECT_CODES_PER_WINDOW: i64 = 10;
    pub const CONNECT_CODE_WINDOW_SECS: i64 = 15 * 60;
}

crate::stored_kind!(
    /// Where the one-time code of a sign-in comes from (the person's
    /// `second_factor`, and the `factor` of a session waiting for its code).
    SecondFactor {
        Email => "email",
        Sms => "sms",
        Totp => "totp",
    }
);

crate::stored_kind!(
    /// A session is either waiting for its second factor or signed in.
    SessionStage {
        /// Password accepted (or sign-up started); a code is still needed.
        AwaitingCode => "awaiting_code",
        /// Fully signed in (may still be PIN-locked).
        Active => "active",
    }
);

crate::stored_kind!(
    /// What a one-time code proves (its keyed hash covers the purpose, so a
    /// code of one purpose never passes for another).
    CodePurpose {
        SignIn => "sign_in",
        SignUp => "sign_up",
        /// The check of a new phone number.
        Phone => "phone",
    }
);

crate::stored_kind!(
    /// What a session was started for: signing in to an account, or
    /// creating one (its code step and set-up differ).
    SessionPurpose {
        SignIn => "sign_in",
        SignUp => "sign_up",
    }
);

impl SessionPurpose {
    /// The purpose of the codes that complete such a session.
    pub fn code_purpose(self) -> CodePurpose {
        match self {
            SessionPurpose::SignIn => CodePurpose::SignIn,
            SessionPurpose::SignUp => CodePurpose::SignUp,
        }
    }
}

/// Why an instant mobile connect code opens nothing (each says so in
/// words of its own, and is audited).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConnectRefusal {
    /// Not a secret of the right shape (a truncated or altered link).
    Malformed,
    /// No code has this secret (never made, or long gone).
    Unknown,
    /// Older than its two minutes.
    Expired,
    /// Already used once.
    Used,
    /// The session that showed it has been signed out since.
    CreatorSignedOut,
    /// The session that showed it is locked (by hand or after idle time).
    CreatorLocked,
}

impl ConnectRefusal {
    /// The stable code clients see, and the suffix of its message id.
    pub fn code(self) -> &'static str {
        match self {
            ConnectRefusal::Malformed => "connect-malformed",
            ConnectRefusal::Unknown => "connect-unknown",
            ConnectRefusal::Expired => "connect-expired",
            ConnectRefusal::Used => "connect-used",
            ConnectRefusal::CreatorSignedOut => "connect-signed-out",
            ConnectRefusal::CreatorLocked => "connect-locked",
        }
    }
}

/// Whether `secret` has the shape of a connect secret: 256 random bits in
/// unpadded base64url (43 characters).
pub fn connect_secret_well_formed(secret: &str) -> bool {
    secret.len() == 43
        && secret
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Whether an active session must be unlocked with the PIN: locked by hand
/// ("Lock") or idle for longer than the automatic log-off delay.
pub fn is_locked(locked: bool, last_seen: Timestamp, now: Timestamp, idle_lock_secs: i64) -> bool {
    locked || now.0 - last_seen.0 > idle_lock_secs.saturating_mul(1000)
}

/// What a wrong PIN does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PinFailure {
    /// Try again; this many tries are left.
    TriesLeft(i64),
    /// That was the last one: the session is erased from the device.
    EraseSession,
}

pub fn after_wrong_pin(failures_before: i64) -> PinFailure {
    let failures = failures_before + 1;
    if failures >= limits::PIN_MAX_FAILURES {
        PinFailure::EraseSession
    } else {
        PinFailure::TriesLeft(limits::PIN_MAX_FAILURES - failures)
    }
}

/// What a wrong password (or recovery code) does to the account.
pub fn account_locked_until(failures_after: i64, now: Timestamp) -> Option<Timestamp> {
    (failures_after >= limits::PASSWORD_FAILURES_BEFORE_LOCK).then(|| now.plus_secs(limits::ACCOUNT_LOCK_SECS))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_names_stay() {
        assert_eq!(SecondFactor::ALL.map(SecondFactor::as_str), ["email", "sms", "totp"]);
        assert_eq!(SessionStage::ALL.map(SessionStage::as_str), ["awaiting_code", "active"]);
    }

    #[test]
    fn idle_lock() {
        let seen = Timestamp(0);
        assert!(!is_locked(false, seen, Timestamp(60_000), 900));
        assert!(is_locked(false, seen, Timestamp(901_000), 900));
        assert!(is_locked(true, seen, Timestamp(1), 900));
    }

    #[test]
    fn five_wrong_pins_erase() {
        assert_eq!(after_wrong_pin(0), PinFailure::TriesLeft(4));
        assert_eq!(after_wrong_pin(3), PinFailure::TriesLeft(1));
        assert_eq!(after_wrong_pin(4), PinFailure::EraseSession);
    }

    #[test]
    fn connect_secrets_have_one_shape() {
        assert!(connect_secret_well_formed(
            &"aZ09-_".repeat(8).chars().take(43).collect::<String>()
        ));
        assert!(!connect_secret_well_formed(&"a".repeat(42)));
        assert!(!connect_secret_well_formed(&"a".repeat(44)));
        assert!(!connect_secret_well_formed(&format!("{}=", "a".repeat(42))));
        assert!(!connect_secret_well_formed(&format!("{}é", "a".repeat(41))));
        assert_eq!(ConnectRefusal::CreatorSignedOut.code(), "connect-signed-out");
    }

    #[test]
    fn password_lockout() {
        assert_eq!(account_locked_until(4, Timestamp(0)), None);
        assert_eq!(account_locked_until(5, Timestamp(0)), Some(Timestamp(900_000)));
    }
}
