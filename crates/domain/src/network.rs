//! The kinds the network stores by name: a personal directory's entries,
//! where a friendship stands, a profession's validation and an invitation
//! to the network.

use crate::stored_kind;

stored_kind!(
    /// What an entry of one's personal directory points at.
    EntryKind {
        Person => "person",
        Workplace => "workplace",
    }
);

stored_kind!(
    /// Where a friend request stands (`friendships.status`).
    FriendshipStatus {
        Pending => "pending",
        Accepted => "accepted",
        /// The recipient ignored it; to the sender it stays sent.
        Ignored => "ignored",
    }
);

stored_kind!(
    /// The states of a declared profession (`professions.status`).
    ProfessionStatus {
        Unverified => "unverified",
        Pending => "pending",
        Validated => "validated",
        Rejected => "rejected",
    }
);

stored_kind!(
    /// Where an invitation to the network stands (`network_invitations.status`);
    /// "expired" is not stored: it is a pending one past its date.
    NetworkInvitationStatus {
        Pending => "pending",
        Accepted => "accepted",
    }
);
