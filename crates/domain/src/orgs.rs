//! Kinds of an organization's records stored by name: an invitation's
//! status and a workplace's kind.

crate::stored_kind!(
    /// Where an invitation to an organization stands (invitations.status).
    InvitationStatus {
        Pending => "pending",
        Accepted => "accepted",
        Cancelled => "cancelled",
    }
);

crate::stored_kind!(
    /// What a workplace is (workplaces.kind).
    WorkplaceKind {
        Clinic => "clinic",
        Pharmacy => "pharmacy",
        Hospital => "hospital",
        Community => "community",
        Other => "other",
    }
);
