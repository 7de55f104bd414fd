//! The audit log: metadata of every security event and every access to
//! patient data, never content. Each record carries the hash of the one
//! before it, so that an altered or removed row breaks the chain.

use sha2::{Digest, Sha256};

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum AuditAction {
    Create,
    Read,
    Update,
    Delete,
    List,
    Export,
}

impl AuditAction {
    pub fn as_str(self) -> &'static str {
        match self {
            AuditAction::Create => "CREATE",
            AuditAction::Read => "READ",
            AuditAction::Update => "UPDATE",
            AuditAction::Delete => "DELETE",
            AuditAction::List => "LIST",
            AuditAction::Export => "EXPORT",
        }
    }
}

crate::stored_kind!(
    /// What kind of actor an audit record names, stored by its name (these
    /// names are in every hash of the chain: never rename one).
    ActorKind {
        Anonymous => "anonymous",
        User => "user",
        System => "system",
        /// A partner's service account (SMART Backend Services).
        Service => "service",
    }
);

/// Who acted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    /// Someone not (yet) signed in, e.g. a failed sign-in.
    Anonymous,
    User(crate::UserId),
    /// An operator command or a background task.
    System,
    /// A partner's service account, acting through the JSON API.
    Service(crate::ServiceAccountId),
}

impl Actor {
    pub fn kind(&self) -> ActorKind {
        match self {
            Actor::Anonymous => ActorKind::Anonymous,
            Actor::User(_) => ActorKind::User,
            Actor::System => ActorKind::System,
            Actor::Service(_) => ActorKind::Service,
        }
    }
    pub fn id(&self) -> Option<String> {
        match self {
            Actor::User(id) => Some(id.to_string()),
            Actor::Service(id) => Some(id.to_string()),
            _ => None,
        }
    }
}

/// An event about to be appended (the store assigns sequence and hashes).
#[derive(Debug, Clone)]
pub struct NewAuditEvent {
    pub actor: Actor,
    /// Stable event name, e.g. `auth.sign_in`, `auth.pin_erase`.
    pub event: &'static str,
    pub action: AuditAction,
    pub target_type: &'static str,
    pub target_id: Option<String>,
    pub org_id: Option<String>,
    pub unit_id: Option<String>,
    /// `key=value` pairs of ids (patient, discussion, channel…), never content.
    pub scopes: Vec<(&'static str, String)>,
    /// The network address, kept for security review.
    pub ip: Option<String>,
}

impl NewAuditEvent {
    pub fn new(actor: Actor, event: &'static str, action: AuditAction, target_type: &'static str) -> Self {
        NewAuditEvent {
            actor,
            event,
            action,
            target_type,
            target_id: None,
            org_id: None,
            unit_id: None,
            scopes: Vec::new(),
            ip: None,
        }
    }
    pub fn target(mut self, id: impl ToString) -> Self {
        self.target_id = Some(id.to_string());
        self
    }
    /// Where in an organization the event happened.
    pub fn in_unit(mut self, org_id: impl ToString, unit_id: impl ToString) -> Self {
        self.org_id = Some(org_id.to_string());
        self.unit_id = Some(unit_id.to_string());
        self
    }
    pub fn scope(mut self, key: &'static str, value: impl ToString) -> Self {
        self.scopes.push((key, value.to_string()));
        self
    }
    pub fn ip(mut self, ip: Option<String>) -> Self {
        self.ip = ip;
        self
    }
    pub fn scopes_text(&self) -> String {
        self.scopes
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(";")
    }
}

/// A stored audit record, as read back.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct AuditRecord {
    pub seq: i64,
    pub id: String,
    pub at: i64,
    pub org_id: Option<String>,
    pub unit_id: Option<String>,
    pub actor_kind: ActorKind,
    pub actor_id: Option<String>,
    pub event: String,
    pub action: String,
    pub target_type: String,
    pub target_id: Option<String>,
    pub scopes: String,
    pub ip: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

/// The patient file an event's scopes name (`patient=<id>`), kept in a
/// column of its own so the log can be searched by patient.
pub fn patient_of(scopes: &str) -> Option<String> {
    scopes
        .split(';')
        .find_map(|pair| pair.strip_prefix("patient="))
        .filter(|p| !p.is_empty())
        .map(str::to_string)
}

pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

impl AuditRecord {
    /// The hash this record must carry, given its fields and `prev_hash`.
    pub fn compute_hash(&self) -> String {
        let opt = |o: &Option<String>| o.clone().unwrap_or_default();
        let fields = [
            self.seq.to_string(),
            self.id.clone(),
            self.at.to_string(),
            opt(&self.org_id),
            opt(&self.unit_id),
            self.actor_kind.as_str().to_string(),
            opt(&self.actor_id),
            self.event.clone(),
            self.action.clone(),
            self.target_type.clone(),
            opt(&self.target_id),
            self.scopes.clone(),
            opt(&self.ip),
            self.prev_hash.clone(),
        ];
        let mut hasher = Sha256::new();
        for f in fields {
            // Length-prefixed so that no two field lists hash the same.
            hasher.update((f.len() as u64).to_be_bytes());
            hasher.update(f.as_bytes());
        }
        hex(&hasher.finalize())
    }
}

/// Where a chain first breaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainBreak {
    /// The record's own hash does not match its content.
    Altered { seq: i64 },
    /// The record does not point at the one before it (removed or reordered).
    Unlinked { seq: i64 },
}

/// Checks records given in sequence order, continuing from `prev_hash`.
pub fn verify_chain<'a>(
    prev_hash: &str,
    records: impl IntoIterator<Item = &'a AuditRecord>,
) -> Result<String, ChainBreak> {
    let mut prev = prev_hash.to_string();
    for r in records {
        if r.prev_hash != prev {
            return Err(ChainBreak::Unlinked { seq: r.seq });
        }
        if r.compute_hash() != r.hash {
            return Err(ChainBreak::Altered { seq: r.seq });
        }
        prev = r.hash.clone();
    }
    Ok(prev)
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(seq: i64, prev: &str) -> AuditRecord {
        let mut r = AuditRecord {
            seq,
            id: format!("id{seq}"),
            at: seq * 10,
            org_id: None,
            unit_id: None,
            actor_kind: ActorKind::User,
            actor_id: Some("u1".into()),
            event: "auth.sign_in".into(),
            action: "CREATE".into(),
            target_type: "session".into(),
            target_id: Some("s1".into()),
            scopes: String::new(),
            ip: None,
            prev_hash: prev.into(),
            hash: String::new(),
        };
        r.hash = r.compute_hash();
        r
    }

    /// Hashes computed outside Rust (Python's hashlib, the same
    /// length-prefixed fields) from what the code wrote before the actor
    /// kind became an enum: chains written then must still verify.
    #[test]
    fn hashes_are_those_written_before_the_actor_kind_was_an_enum() {
        let a = record(1, GENESIS_HASH);
        assert_eq!(
            a.hash,
            "d9ffd366f8ee921381be555af04e6baa0ee6787f26fd826cd43fa6b2e984df0f"
        );
        let mut b = AuditRecord {
            seq: 2,
            id: "id2".into(),
            at: 20,
            org_id: Some("o1".into()),
            unit_id: Some("n1".into()),
            actor_kind: ActorKind::Anonymous,
            actor_id: None,
            event: "auth.sign_in_failed".into(),
            action: "CREATE".into(),
            target_type: "user".into(),
            target_id: None,
            scopes: "ip=x".into(),
            ip: Some("203.0.113.9".into()),
            prev_hash: a.hash.clone(),
            hash: String::new(),
        };
        b.hash = b.compute_hash();
        assert_eq!(
            b.hash,
            "dc918f9020e9c69108441c1b1fec4aeeb5a2e0537a14271c5d6fdbd3c1186320"
        );
        let mut c = AuditRecord {
            seq: 3,
            id: "id3".into(),
            at: 30,
            org_id: None,
            unit_id: None,
            actor_kind: ActorKind::System,
            actor_id: None,
            event: "outbox.purged".into(),
            action: "DELETE".into(),
            target_type: "outbox".into(),
            target_id: None,
            scopes: String::new(),
            ip: None,
            prev_hash: b.hash.clone(),
            hash: String::new(),
        };
        c.hash = c.compute_hash();
        assert_eq!(
            c.hash,
            "a97bcb129cca50354503679ac12f39ab5f15f07ad202b0f28a8dddd68e8f087d"
        );
        assert_eq!(verify_chain(GENESIS_HASH, [&a, &b, &c]), Ok(c.hash.clone()));
    }

    #[test]
    fn actor_kinds_keep_their_stored_names() {
        let names: Vec<&str> = ActorKind::ALL.iter().map(|k| k.as_str()).collect();
        assert_eq!(names, ["anonymous", "user", "system", "service"]);
        for k in ActorKind::ALL {
            assert_eq!(ActorKind::parse(k.as_str()), Some(k));
            assert_eq!(serde_json::to_string(&k).ok(), Some(format!("\"{}\"", k.as_str())));
        }
        assert_eq!(ActorKind::parse("robot"), None);
    }

    #[test]
    fn patient_scope() {
        assert_eq!(patient_of("discussion=d1;patient=p9"), Some("p9".into()));
        assert_eq!(patient_of("patients=p9"), None);
        assert_eq!(patient_of(""), None);
    }

    #[test]
    fn chain_detects_alteration_and_removal() {
        let a = record(1, GENESIS_HASH);
        let b = record(2, &a.hash);
        let c = record(3, &b.hash);
        assert_eq!(verify_chain(GENESIS_HASH, [&a, &b, &c]), Ok(c.hash.clone()));

        let mut altered = b.clone();
        altered.actor_id = Some("someone-else".into());
        assert_eq!(
            verify_chain(GENESIS_HASH, [&a, &altered, &c]),
            Err(ChainBreak::Altered { seq: 2 })
        );
        assert_eq!(
            verify_chain(GENESIS_HASH, [&a, &c]),
            Err(ChainBreak::Unlinked { seq: 3 })
        );
    }
}
