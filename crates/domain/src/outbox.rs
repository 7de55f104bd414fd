//! What the email and SMS outbox stores by name: a message's state and
//! what it is (never its content).

crate::stored_kind!(
    /// Where an outgoing message stands (the `status` column of `outbox`).
    OutboxStatus {
        /// Waiting for its first or next attempt.
        Pending => "pending",
        Sent => "sent",
        /// The worker gave up; an administrator may send it again.
        Failed => "failed",
    }
);

crate::stored_kind!(
    /// How an outgoing message leaves (the `channel` column of `outbox`).
    OutboxChannel {
        Email => "email",
        Sms => "sms",
    }
);

crate::stored_kind!(
    /// What an outgoing message is (the `kind` column of `outbox`); its texts
    /// are the Fluent messages `email-<kind>-subject`, `email-<kind>-body`
    /// and `sms-<kind>`.
    OutboxKind {
        SignupCode => "signup-code",
        SigninCode => "signin-code",
        PhoneCode => "phone-code",
        RecoveryCode => "recovery-code",
        ResetLink => "reset-link",
        AccountExists => "account-exists",
        SecurityNotice => "security-notice",
        Welcome => "welcome",
        Invitation => "invitation",
        FriendRequest => "friend-request",
        NetworkInvitation => "network-invitation",
        ProfessionValidated => "profession-validated",
        ProfessionRejected => "profession-rejected",
        CircleInvitation => "circle-invitation",
        CircleCode => "circle-code",
        NotificationAlert => "notification-alert",
        UrgentMessage => "urgent-message",
        /// Queued before the kind was recorded (migration 0011 gave those
        /// rows an empty kind).
        Unrecorded => "",
    }
);
