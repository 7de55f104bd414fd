/// A rejected piece of input. Each variant has a stable code, which the
/// interfaces translate (`error-<code>` in the Fluent files).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum InputError {
    #[error("invalid email address")]
    InvalidEmail,
    #[error("invalid phone number")]
    InvalidPhone,
    #[error("password too short")]
    PasswordTooShort,
    #[error("password too long")]
    PasswordTooLong,
    #[error("password too weak")]
    PasswordTooWeak,
    #[error("invalid PIN")]
    InvalidPin,
    #[error("PIN too easy to guess")]
    PinTooWeak,
    #[error("the two PINs differ")]
    PinMismatch,
    #[error("invalid code format")]
    InvalidCode,
    #[error("invalid name")]
    InvalidName,
    /// The name of a thing (unit, team, organization…), not of a person.
    #[error("invalid title")]
    InvalidTitle,
    #[error("unknown language")]
    InvalidLanguage,
    /// A free text (presentation, diplomas…) longer than allowed.
    #[error("text too long")]
    TextTooLong,
    /// A free text holding control characters.
    #[error("invalid text")]
    InvalidText,
    #[error("unknown profession")]
    UnknownProfession,
    #[error("search too short")]
    SearchTooShort,
    #[error("invalid permit number")]
    InvalidPermit,
    #[error("document not accepted")]
    InvalidDocument,
    #[error("document too large")]
    DocumentTooLarge,
    #[error("photo too large")]
    PhotoTooLarge,
    #[error("not an image")]
    PhotoNotAnImage,
    #[error("invalid crop")]
    PhotoBadCrop,
    #[error("invalid reason")]
    InvalidReason,
    #[error("empty message")]
    EmptyMessage,
    #[error("message too long")]
    MessageTooLong,
    #[error("empty file")]
    FileEmpty,
    #[error("file too large")]
    FileTooLarge,
    #[error("file type not allowed")]
    FileNotAllowed,
    #[error("file content does not match")]
    FileMismatch,
    #[error("damaged file")]
    FileDamaged,
    /// The upload broke off before its last byte (or sent more than it said).
    #[error("upload interrupted")]
    UploadInterrupted,
    /// A patient's first or last name: empty, too long or holding control characters.
    #[error("invalid patient name")]
    InvalidPatientName,
    #[error("invalid birth date")]
    InvalidBirthDate,
    #[error("invalid health insurance number")]
    InvalidHealthInsuranceNumber,
    #[error("invalid file number")]
    InvalidFileNumber,
    // ---- The patient's circle and its invitations (helper B) ----
    #[error("unknown circle section")]
    InvalidCircleSection,
    #[error("unknown invitation method")]
    InvalidInvitationMethod,
    #[error("no email address to invite by email")]
    InvitationEmailMissing,
    #[error("no mobile number to invite by SMS")]
    InvitationPhoneMissing,
    #[error("the secret code is sent by email only")]
    SecretCodeByEmailOnly,
    #[error("security question required (1 to 200 characters)")]
    SecurityQuestionInvalid,
    #[error("security answer required")]
    SecurityAnswerMissing,
    #[error("the answer cannot be the question")]
    SecurityAnswerIsQuestion,
    // ---- Availability (schedule and unavailability periods) ----
    #[error("invalid availability slot")]
    AvailabilitySlotInvalid,
    #[error("availability slots overlap")]
    AvailabilitySlotsOverlap,
    #[error("too many availability slots")]
    AvailabilityTooManySlots,
    #[error("unavailability period ends before it starts")]
    AvailabilityPeriodInverted,
    #[error("unavailability period already over")]
    AvailabilityPeriodPast,
    #[error("unavailability periods overlap")]
    AvailabilityPeriodsOverlap,
    #[error("too many unavailability periods")]
    AvailabilityTooManyPeriods,
    // ---- Web Push ----
    #[error("invalid push subscription")]
    PushSubscriptionInvalid,
    // ---- Notifications ----
    #[error("invalid email alert delay")]
    NotificationDelayInvalid,
    // ---- Retries (Idempotency-Key) ----
    #[error("invalid idempotency key")]
    IdempotencyKeyInvalid,
    #[error("idempotency key reused for another request")]
    IdempotencyKeyReused,
    // ---- Time zones (issue 14) ----
    #[error("unknown time zone")]
    InvalidTimeZone,
    // ---- Call signalling (issue 17) ----
    /// A session description longer than 32 KiB (to the forwarding unit:
    /// 20 KiB per participant a call may hold).
    #[error("session description too large")]
    SignalSdpTooLarge,
    /// A session description that is not one (no `v=0`, lines not `x=…`).
    #[error("malformed session description")]
    SignalSdpMalformed,
    /// A network candidate longer than 1 KiB or holding control characters.
    #[error("invalid network candidate")]
    SignalCandidateInvalid,
    /// A signal missing what its kind needs (an offer without its SDP…).
    #[error("invalid call signal")]
    SignalInvalid,
    /// A signal for the forwarding unit on a node without one
    /// (`sfu_enabled = false`).
    #[error("no forwarding unit on this server")]
    SignalUnitDisabled,
    /// The forwarding unit refused (full, busy, not connected yet).
    #[error("the forwarding unit cannot take this signal now")]
    SignalUnitUnavailable,
    // ---- Service accounts (issue 18, part 3) ----
    /// Not a JWK set of 1 to 10 public EC (P-256, P-384) or RSA (2048 bits
    /// or more) keys.
    #[error("invalid public keys")]
    ServiceKeysInvalid,
    #[error("unknown scope")]
    ServiceScopeUnknown,
    /// The member a service account acts through is no member of its organization.
    #[error("no such member in the organization")]
    ServiceMemberNotFound,
}

impl InputError {
    pub fn code(self) -> &'static str {
        match self {
            InputError::InvalidEmail => "invalid-email",
            InputError::InvalidPhone => "invalid-phone",
            InputError::PasswordTooShort => "password-too-short",
            InputError::PasswordTooLong => "password-too-long",
            InputError::PasswordTooWeak => "password-too-weak",
            InputError::InvalidPin => "invalid-pin",
            InputError::PinTooWeak => "pin-too-weak",
            InputError::PinMismatch => "pin-mismatch",
            InputError::InvalidCode => "invalid-code",
            InputError::InvalidName => "invalid-name",
            InputError::InvalidTitle => "invalid-title",
            InputError::InvalidLanguage => "invalid-language",
            InputError::TextTooLong => "text-too-long",
            InputError::InvalidText => "invalid-text",
            InputError::UnknownProfession => "unknown-profession",
            InputError::SearchTooShort => "search-too-short",
            InputError::InvalidPermit => "invalid-permit",
            InputError::InvalidDocument => "invalid-document",
            InputError::DocumentTooLarge => "document-too-large",
            InputError::PhotoTooLarge => "photo-too-large",
            InputError::PhotoNotAnImage => "photo-not-an-image",
            InputError::PhotoBadCrop => "photo-bad-crop",
            InputError::InvalidReason => "invalid-reason",
            InputError::EmptyMessage => "empty-message",
            InputError::MessageTooLong => "message-too-long",
            InputError::FileEmpty => "file-empty",
            InputError::FileTooLarge => "file-too-large",
            InputError::FileNotAllowed => "file-not-allowed",
            InputError::FileMismatch => "file-mismatch",
            InputError::FileDamaged => "file-damaged",
            InputError::UploadInterrupted => "upload-interrupted",
            InputError::InvalidPatientName => "invalid-patient-name",
            InputError::InvalidBirthDate => "invalid-birth-date",
            InputError::InvalidHealthInsuranceNumber => "invalid-health-insurance-number",
            InputError::InvalidFileNumber => "invalid-file-number",
            InputError::InvalidCircleSection => "invalid-circle-section",
            InputError::InvalidInvitationMethod => "invalid-invitation-method",
            InputError::InvitationEmailMissing => "invitation-email-missing",
            InputError::InvitationPhoneMissing => "invitation-phone-missing",
            InputError::SecretCodeByEmailOnly => "secret-code-by-email-only",
            InputError::SecurityQuestionInvalid => "security-question-invalid",
            InputError::SecurityAnswerMissing => "security-answer-missing",
            InputError::SecurityAnswerIsQuestion => "security-answer-is-question",
            InputError::AvailabilitySlotInvalid => "availability-slot-invalid",
            InputError::AvailabilitySlotsOverlap => "availability-slots-overlap",
            InputError::AvailabilityTooManySlots => "availability-too-many-slots",
            InputError::AvailabilityPeriodInverted => "availability-period-inverted",
            InputError::AvailabilityPeriodPast => "availability-period-past",
            InputError::AvailabilityPeriodsOverlap => "availability-periods-overlap",
            InputError::AvailabilityTooManyPeriods => "availability-too-many-periods",
            InputError::PushSubscriptionInvalid => "push-subscription-invalid",
            InputError::NotificationDelayInvalid => "notification-delay-invalid",
            InputError::IdempotencyKeyInvalid => "idempotency-key-invalid",
            InputError::IdempotencyKeyReused => "idempotency-key-reused",
            InputError::InvalidTimeZone => "invalid-time-zone",
            InputError::SignalSdpTooLarge => "signal-sdp-too-large",
            InputError::SignalSdpMalformed => "signal-sdp-malformed",
            InputError::SignalCandidateInvalid => "signal-candidate-invalid",
            InputError::SignalInvalid => "signal-invalid",
            InputError::SignalUnitDisabled => "signal-unit-disabled",
            InputError::SignalUnitUnavailable => "signal-unit-unavailable",
            InputError::ServiceKeysInvalid => "service-keys-invalid",
            InputError::ServiceScopeUnknown => "service-scope-unknown",
            InputError::ServiceMemberNotFound => "service-member-not-found",
        }
    }
}

/// A person's display name: trimmed, 1 to 100 characters, no control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonName(String);

impl PersonName {
    pub fn parse(raw: &str) -> Result<Self, InputError> {
        let trimmed = raw.trim();
        let len = trimmed.chars().count();
        if len == 0 || len > 100 || trimmed.chars().any(char::is_control) {
            return Err(InputError::InvalidName);
        }
        Ok(PersonName(trimmed.to_string()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
    pub fn into_string(self) -> String {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(
            PersonName::parse("  Marie Tremblay ").map(|n| n.into_string()),
            Ok("Marie Tremblay".into())
        );
        assert_eq!(PersonName::parse("   "), Err(InputError::InvalidName));
        assert_eq!(PersonName::parse(&"a".repeat(101)), Err(InputError::InvalidName));
        assert_eq!(PersonName::parse("a\u{0}b"), Err(InputError::InvalidName));
    }
}
