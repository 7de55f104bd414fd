//! Threads: who can take part in one, and the limits every writer of a
//! thread applies (threads, care channels, teams, notifications quoting a
//! title), kept here so that each of them depends on this leaf rather than
//! on the thread use cases.

use crate::ids::UnknownId;

/// Most characters of a thread's title.
pub const MAX_TITLE_CHARS: usize = 200;

/// What takes part in a thread or a care channel, as stored in the `kind`
/// column of `thread_participants` and `channel_participants`. Threads
/// hold people and teams; a care channel also holds its circle members.
/// The names are stored and sent to pages and API clients: never rename one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ParticipantKind {
    /// A person (a user id).
    User,
    /// A team of an organization (a team id).
    Team,
    /// A member of a patient's circle (a circle member id); channels only.
    Circle,
}

impl ParticipantKind {
    pub const ALL: [ParticipantKind; 3] = [ParticipantKind::User, ParticipantKind::Team, ParticipantKind::Circle];

    pub fn as_str(self) -> &'static str {
        match self {
            ParticipantKind::User => "user",
            ParticipantKind::Team => "team",
            ParticipantKind::Circle => "circle",
        }
    }
}

impl std::str::FromStr for ParticipantKind {
    /// A kind this version does not know names nothing one can find.
    type Err = UnknownId;
    fn from_str(raw: &str) -> Result<Self, UnknownId> {
        ParticipantKind::ALL
            .into_iter()
            .find(|k| k.as_str() == raw)
            .ok_or(UnknownId)
    }
}

impl std::fmt::Display for ParticipantKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Lets code that still holds the stored name compare with a kind.
impl PartialEq<str> for ParticipantKind {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for ParticipantKind {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

// Stored as its name, so it binds and decodes like the text it was before.
#[cfg(feature = "sqlx")]
impl sqlx::Type<sqlx::Any> for ParticipantKind {
    fn type_info() -> sqlx::any::AnyTypeInfo {
        <String as sqlx::Type<sqlx::Any>>::type_info()
    }
    fn compatible(ty: &sqlx::any::AnyTypeInfo) -> bool {
        <String as sqlx::Type<sqlx::Any>>::compatible(ty)
    }
}

#[cfg(feature = "sqlx")]
impl<'q> sqlx::Encode<'q, sqlx::Any> for ParticipantKind {
    fn encode_by_ref(
        &self,
        buf: &mut <sqlx::Any as sqlx::Database>::ArgumentBuffer<'q>,
    ) -> Result<sqlx::encode::IsNull, sqlx::error::BoxDynError> {
        <&str as sqlx::Encode<'q, sqlx::Any>>::encode(self.as_str(), buf)
    }
}

#[cfg(feature = "sqlx")]
impl<'r> sqlx::Decode<'r, sqlx::Any> for ParticipantKind {
    fn decode(value: sqlx::any::AnyValueRef<'r>) -> Result<Self, sqlx::error::BoxDynError> {
        let raw = <&str as sqlx::Decode<'r, sqlx::Any>>::decode(value)?;
        Ok(raw.parse()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_keep_their_stored_names_and_refuse_others() {
        let names: Vec<&str> = ParticipantKind::ALL.iter().map(|k| k.as_str()).collect();
        assert_eq!(names, ["user", "team", "circle"]);
        for k in ParticipantKind::ALL {
            assert_eq!(k.as_str().parse::<ParticipantKind>(), Ok(k));
            let json = serde_json::to_string(&k).expect("json");
            assert_eq!(json, format!("\"{}\"", k.as_str()));
        }
        assert_eq!("patient".parse::<ParticipantKind>(), Err(UnknownId));
        assert!(ParticipantKind::Team == "team");
    }
}
