//! Threads: who can take part in one, and the limits every writer of a
//! thread applies (threads, care channels, teams, notifications quoting a
//! title), kept here so that each of them depends on this leaf rather than
//! on the thread use cases.

/// Most characters of a thread's title.
pub const MAX_TITLE_CHARS: usize = 200;

crate::stored_kind!(
    /// What takes part in a thread or a care channel, as stored in the `kind`
    /// column of `thread_participants` and `channel_participants`. Threads
    /// hold people and teams; a care channel also holds its circle members.
    /// The names are stored and sent to pages and API clients: never rename one.
    ParticipantKind {
        /// A person (a user id).
        User => "user",
        /// A team of an organization (a team id).
        Team => "team",
        /// A member of a patient's circle (a circle member id); channels only.
        Circle => "circle",
    }
);

crate::stored_kind!(
    /// What a thread is about, as stored in the `kind` column of `threads`.
    /// The names are stored and sent to pages and API clients: never rename one.
    ThreadKind {
        /// About a patient (it names a patient file).
        Clinical => "clinical",
        /// Between colleagues, about no patient.
        Collaboration => "collaboration",
        /// Between two friends, without organization (one per pair).
        Direct => "direct",
    }
);

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
        assert_eq!("patient".parse::<ParticipantKind>(), Err(crate::kinds::UnknownKind));
        assert!(ParticipantKind::Team == "team");
        // The API documents the stored names, not the Rust ones.
        let schema = serde_json::to_value(<ParticipantKind as utoipa::PartialSchema>::schema()).expect("schema");
        assert_eq!(
            schema["enum"],
            serde_json::json!(["user", "team", "circle"]),
            "{schema}"
        );
        assert_eq!(<ParticipantKind as utoipa::ToSchema>::name(), "ParticipantKind");
        let names: Vec<&str> = ThreadKind::ALL.iter().map(|k| k.as_str()).collect();
        assert_eq!(names, ["clinical", "collaboration", "direct"]);
        assert_eq!("team".parse::<ThreadKind>(), Err(crate::kinds::UnknownKind));
    }
}
