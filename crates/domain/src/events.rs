//! The kinds of live events: what the event log stores in `events.kind`
//! and what a page receives as `type`. One name per kind, so that the log,
//! the stream and the page agree (the names are a contract with the page script
//! and with logs written by earlier versions: never rename one). And the
//! topics events are about.

use crate::ids::{CallId, OrgId, ThreadId, UserId};

crate::stored_kind!(
    /// What happened.
    EventKind {
        /// A thread was opened (its first participants see it appear).
        ThreadCreated => "thread_created",
        /// A message was posted (or a file shared).
        Message => "message",
        MessageEdited => "message_edited",
        MessageRetracted => "message_retracted",
        /// The participants changed (added, removed, left).
        Participants => "participants",
        /// Closed, reopened, priority or triage changed.
        ThreadState => "thread_state",
        /// A message was acknowledged.
        Ack => "ack",
        /// Someone read up to a message ("seen by").
        Read => "read",
        /// Some people's notifications changed (no thread; see the bell).
        Notifications => "notifications",
        /// Someone is typing (never stored).
        Typing => "typing",
        /// A call started in the thread (the call, and who started it).
        CallStarted => "call_started",
        /// Someone joined the thread's call.
        CallJoined => "call_joined",
        /// Someone left the thread's call.
        CallLeft => "call_left",
        /// Someone was removed from the thread's call.
        CallRemoved => "call_removed",
        /// A participant of the call was muted or unmuted.
        CallMuted => "call_muted",
        /// A participant of the call raised or lowered their hand.
        CallHand => "call_hand",
        /// The thread's call ended.
        CallEnded => "call_ended",
        /// A call rings this person (on their person topic: the call, its
        /// thread, its media and the starter's name; nothing clinical).
        IncomingCall => "incoming_call",
        /// Someone declined the call (on its starter's person topic).
        CallDeclined => "call_declined",
        /// A connect code opened a session of the person on a new device
        /// (on their person topic: the device's label, no secret).
        DeviceConnected => "device_connected",
        /// A WebRTC signal (offer, answer, candidate, bye) from a
        /// participant of a call to another, on the target's person topic;
        /// never stored.
        CallSignal => "call_signal",
    }
);

/// What an event is about: who may receive it follows from the topic (the
/// participants of a thread, one person, the members of an organization,
/// the parties to a call). Stored as `events.topic_kind` ([`Topic::kind`])
/// and `events.topic_id`; the kind names are a contract with stored logs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum Topic {
    Thread(ThreadId),
    /// One person's own stream: the bell, revocations, later incoming calls.
    Person(UserId),
    /// Several people's own streams at once, named in the event's payload
    /// (`{"users": [...]}`): the bell rung for everyone a message reaches
    /// is one logged entry, not one per person, so that a thread of a
    /// hundred people costs the log and every connection one event per
    /// message, not a hundred.
    People,
    Organization(OrgId),
    Call(CallId),
}

impl Topic {
    /// The stored name of the topic's kind.
    pub fn kind(&self) -> &'static str {
        match self {
            Topic::Thread(_) => "thread",
            Topic::Person(_) => "person",
            Topic::People => "people",
            Topic::Organization(_) => "organization",
            Topic::Call(_) => "call",
        }
    }

    /// The id of what the topic is about, as stored.
    pub fn id(&self) -> String {
        match self {
            Topic::Thread(id) => id.to_string(),
            Topic::Person(id) => id.to_string(),
            Topic::People => String::new(),
            Topic::Organization(id) => id.to_string(),
            Topic::Call(id) => id.to_string(),
        }
    }

    /// The topic stored as (`kind`, `id`); `None` for a kind this version
    /// does not know (written by a newer node) or an id that is none.
    pub fn from_parts(kind: &str, id: &str) -> Option<Topic> {
        match kind {
            "thread" => ThreadId::parse(id).map(Topic::Thread),
            "person" => UserId::parse(id).map(Topic::Person),
            "people" => Some(Topic::People),
            "organization" => OrgId::parse(id).map(Topic::Organization),
            "call" => CallId::parse(id).map(Topic::Call),
            _ => None,
        }
    }

    /// The thread this topic is, if it is one.
    pub fn thread(&self) -> Option<ThreadId> {
        match self {
            Topic::Thread(id) => Some(*id),
            _ => None,
        }
    }
}

impl std::fmt::Display for Topic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.kind(), self.id())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_serialize_as_stored() {
        for k in EventKind::ALL {
            assert_eq!(EventKind::parse(k.as_str()), Some(k));
            let json = serde_json::to_string(&k).expect("json");
            assert_eq!(json, format!("\"{}\"", k.as_str()));
        }
        assert_eq!(EventKind::parse("nope"), None);
    }

    #[test]
    fn the_names_pages_and_logs_depend_on_do_not_change() {
        let names: Vec<&str> = EventKind::ALL.iter().map(|k| k.as_str()).collect();
        assert_eq!(
            names,
            [
                "thread_created",
                "message",
                "message_edited",
                "message_retracted",
                "participants",
                "thread_state",
                "ack",
                "read",
                "notifications",
                "typing",
                "call_started",
                "call_joined",
                "call_left",
                "call_removed",
                "call_muted",
                "call_hand",
                "call_ended",
                "incoming_call",
                "call_declined",
                "device_connected",
                "call_signal"
            ]
        );
    }

    #[test]
    fn topics_round_trip_through_their_stored_parts() {
        let topics = [
            Topic::Thread(ThreadId::new()),
            Topic::Person(UserId::new()),
            Topic::People,
            Topic::Organization(OrgId::new()),
            Topic::Call(CallId::new()),
        ];
        let kinds: Vec<&str> = topics.iter().map(|t| t.kind()).collect();
        assert_eq!(kinds, ["thread", "person", "people", "organization", "call"]);
        for t in topics {
            assert_eq!(Topic::from_parts(t.kind(), &t.id()), Some(t));
        }
        assert_eq!(Topic::from_parts("planet", &UserId::new().to_string()), None);
        assert_eq!(Topic::from_parts("person", ""), None);
    }
}
