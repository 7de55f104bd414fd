//! Typed identifiers. UUIDv7 so that ids sort by creation time.

macro_rules! id_type {
    ($($name:ident),* $(,)?) => {$(
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub uuid::Uuid);

        impl $name {
            pub fn new() -> Self {
                $name(uuid::Uuid::now_v7())
            }
            pub fn parse(raw: &str) -> Option<Self> {
                uuid::Uuid::parse_str(raw).ok().map($name)
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }
    )*};
}

id_type!(
    UserId,
    SessionId,
    DeviceId,
    CodeId,
    MessageId,
    AuditId,
    OrgId,
    UnitId,
    WorkplaceId,
    TeamId,
    InvitationId,
    GrantId,
    ProfessionId,
    FriendshipId,
    ThreadId,
    PatientFileId,
    AttachmentId
);
