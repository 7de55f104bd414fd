//! Typed identifiers. UUIDv7 so that ids sort by creation time.

/// A text that is no id of ours (not a UUID). Whoever asked by it gets
/// "not found", as for an id that names nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("no such id")]
pub struct UnknownId;

macro_rules! id_type {
    ($($name:ident),* $(,)?) => {$(
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub uuid::Uuid);

        // No `Default`: a default id would be a fresh random one, which
        // hid malformed input behind `parse(..).unwrap_or_default()`.
        #[allow(clippy::new_without_default)]
        impl $name {
            pub fn new() -> Self {
                $name(uuid::Uuid::now_v7())
            }
            pub fn parse(raw: &str) -> Option<Self> {
                uuid::Uuid::parse_str(raw).ok().map($name)
            }
        }

        impl std::str::FromStr for $name {
            type Err = UnknownId;
            fn from_str(raw: &str) -> Result<Self, UnknownId> {
                Self::parse(raw).ok_or(UnknownId)
            }
        }

        impl TryFrom<String> for $name {
            type Error = UnknownId;
            fn try_from(raw: String) -> Result<Self, UnknownId> {
                raw.parse()
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.to_string()
            }
        }

        // Stored as text (the hyphenated form) on both databases, so a typed
        // id binds and decodes like the `String` it was before.
        crate::text_column!($name);

        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .format(Some(utoipa::openapi::SchemaFormat::Custom("uuid".into())))
                    .into()
            }
        }

        impl utoipa::ToSchema for $name {}

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
    AttachmentId,
    CallId,
    CallParticipantId,
    PeriodId,
    NotificationId,
    OutboxId,
    PushSubscriptionId,
    PushDeliveryId,
    CircleMemberId,
    CircleInvitationId,
    ChannelId,
    PinnedDocumentId,
    ServiceAccountId,
    EmrId,
    SmartLaunchId,
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_through_text_and_refuse_what_is_not_one() {
        let id = ThreadId::new();
        assert_eq!(id.to_string().parse::<ThreadId>(), Ok(id));
        assert_eq!(ThreadId::try_from(String::from(id)), Ok(id));
        assert_eq!("not-an-id".parse::<ThreadId>(), Err(UnknownId));
        assert_eq!("".parse::<UserId>(), Err(UnknownId));
    }
}
