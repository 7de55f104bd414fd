//! What the API answers and events carry about a call, and the thread's
//! history of calls in the reader's language ("call started by …", "…
//! joined", "… declined", "… left: connection lost", "call ended,
//! duration …"), read from the call's rows.

use crate::AppResult;
use cercle_domain::calls::{CallMedia, CallPhase, CallState, CallTopology, Departure, EndReason, Presence};
use cercle_domain::{CallId, Language, ThreadId, UserId};
use cercle_i18n::{t, ta};
use cercle_store::calls::{CallRow, DeclineRow, StintRow};
use cercle_store::Conn;
use serde::Serialize;
use std::collections::HashMap;

/// A person named in a call.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CallPerson {
    pub id: UserId,
    pub name: String,
}

/// Someone in the call now.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CallParticipantView {
    pub user_id: UserId,
    pub name: String,
    /// When they joined (this time), Unix ms.
    pub joined_at: i64,
    pub muted: bool,
    pub hand_raised: bool,
}

/// A call: its state and who is in it now.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CallView {
    pub id: CallId,
    pub thread_id: ThreadId,
    pub media: CallMedia,
    /// ringing (only its starter in it), active (someone answered), ended.
    pub state: CallPhase,
    pub started_by: CallPerson,
    /// Unix ms.
    pub started_at: i64,
    /// When someone other than the starter first joined (Unix ms).
    pub answered_at: Option<i64>,
    pub ended_at: Option<i64>,
    /// ended (for everyone, by `ended_by`), empty (the last one left) or
    /// unanswered (nobody joined within the ringing time).
    pub end_reason: Option<EndReason>,
    pub ended_by: Option<CallPerson>,
    /// From the first answer to the end (ms); null while it goes on or when
    /// nobody answered.
    pub duration_ms: Option<i64>,
    /// The people in the call now, in the order they joined.
    pub participants: Vec<CallParticipantView>,
    /// The most people the call may hold at once: the setting
    /// `call_max_participants`, two for a `p2p` call.
    pub max_participants: i64,
    /// How its media travel: `p2p` (a direct thread: at most two people,
    /// media end to end between the browsers, signalling relayed by Cercle
    /// through `POST /calls/{id}/signal` or the socket's `call_signal`
    /// frames) or `sfu` (three or more: through the forwarding unit).
    pub topology: CallTopology,
    /// Started as high priority: it rings through working hours, absences
    /// and muted threads.
    pub high_priority: bool,
}

/// What one entry of a thread's history of calls says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CallHistoryKind {
    Started,
    Joined,
    Left,
    /// Their client stopped answering (no heartbeat): connection lost.
    Lost,
    Removed,
    Declined,
    Ended,
}

/// One line of a thread's history of calls.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CallHistoryEntry {
    /// Unix ms.
    pub at: i64,
    pub kind: CallHistoryKind,
    /// Who it is about (who started, joined, left, was removed, declined).
    pub user: Option<CallPerson>,
    /// Who did it to them (removed by, ended by).
    pub by: Option<CallPerson>,
    /// The entry in the reader's language.
    pub text: String,
}

/// A call of a thread and what happened in it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CallRecord {
    pub call: CallView,
    /// Oldest first.
    pub history: Vec<CallHistoryEntry>,
}

/// People's names by id, read once for everything shown.
pub(crate) struct Names {
    names: HashMap<String, String>,
    lang: Language,
}

impl Names {
    pub(crate) async fn of(
        conn: &mut Conn,
        calls: &[CallRow],
        stints: &[StintRow],
        declines: &[DeclineRow],
        lang: Language,
    ) -> AppResult<Names> {
        let mut ids: Vec<String> = Vec::new();
        let mut add = |id: UserId| {
            let id = id.to_string();
            if !ids.contains(&id) {
                ids.push(id);
            }
        };
        for c in calls {
            add(c.started_by);
            if let CallState::Ended { end, .. } = c.state {
                if let Some(by) = end.by() {
                    add(by);
                }
            }
        }
        for s in stints {
            add(s.user_id);
            if let Presence::Gone {
                how: Departure::Removed { by },
                ..
            } = s.presence
            {
                add(by);
            }
        }
        for d in declines {
            add(d.user_id);
        }
        let names = cercle_store::network::names(&mut *conn, &ids)
            .await?
            .into_iter()
            .collect();
        Ok(Names { names, lang })
    }

    pub(crate) fn person(&self, id: UserId) -> CallPerson {
        let name = self
            .names
            .get(&id.to_string())
            .cloned()
            .unwrap_or_else(|| t(self.lang, "former-user"));
        CallPerson { id, name }
    }
}

/// The call as the API answers it, with the people in it now (`stints`
/// are the call's own).
pub(crate) fn call_view(call: &CallRow, stints: &[StintRow], names: &Names, max_participants: usize) -> CallView {
    let (ended_at, end_reason, ended_by) = match call.state {
        CallState::Ended { ended_at, end, .. } => (Some(ended_at.0), Some(end.reason()), end.by()),
        _ => (None, None, None),
    };
    CallView {
        id: call.id,
        thread_id: call.thread_id,
        media: call.media,
        state: call.state.phase(),
        started_by: names.person(call.started_by),
        started_at: call.started_at.0,
        answered_at: call.state.answered_at().map(|t| t.0),
        ended_at,
        end_reason,
        ended_by: ended_by.map(|by| names.person(by)),
        duration_ms: call.state.duration_ms(),
        participants: stints
            .iter()
            .filter(|s| s.call_id == call.id)
            .filter_map(|s| match s.presence {
                Presence::In { muted, hand_raised } => Some(CallParticipantView {
                    user_id: s.user_id,
                    name: names.person(s.user_id).name,
                    joined_at: s.joined_at.0,
                    muted,
                    hand_raised,
                }),
                Presence::Gone { .. } => None,
            })
            .collect(),
        max_participants: i64::try_from(call.topology.cap(max_participants)).unwrap_or(i64::MAX),
        topology: call.topology,
        high_priority: call.high_priority,
    }
}

/// "12 min 05 s", "1 h 02 min 05 s", "40 s".
pub fn duration_text(lang: Language, ms: i64) -> String {
    let secs = ms.max(0) / 1000;
    let (h, m, s) = (secs / 3600, secs % 3600 / 60, secs % 60);
    let (h, m2, s2) = (h.to_string(), format!("{m:02}"), format!("{s:02}"));
    if h != "0" {
        ta(lang, "call-duration-hms", &[("h", &h), ("m", &m2), ("s", &s2)])
    } else if m > 0 {
        ta(lang, "call-duration-ms", &[("m", &m.to_string()), ("s", &s2)])
    } else {
        ta(lang, "call-duration-s", &[("s", &s.to_string())])
    }
}

/// What happened in a call, oldest first, in `lang` (`stints` and
/// `declines` may hold other calls' too).
pub(crate) fn history(
    call: &CallRow,
    stints: &[StintRow],
    declines: &[DeclineRow],
    names: &Names,
    lang: Language,
) -> Vec<CallHistoryEntry> {
    let mut out = Vec::new();
    let starter = names.person(call.started_by);
    let started_key = match call.media {
        CallMedia::Audio => "call-history-started-audio",
        CallMedia::Video => "call-history-started-video",
    };
    out.push(CallHistoryEntry {
        at: call.started_at.0,
        kind: CallHistoryKind::Started,
        text: ta(lang, started_key, &[("name", &starter.name)]),
        user: Some(starter),
        by: None,
    });
    for s in stints.iter().filter(|s| s.call_id == call.id) {
        let who = names.person(s.user_id);
        // The starter's first stretch began with the call: "started by" says it.
        let opening = s.user_id == call.started_by && s.joined_at == call.started_at;
        if !opening {
            out.push(CallHistoryEntry {
                at: s.joined_at.0,
                kind: CallHistoryKind::Joined,
                text: ta(lang, "call-history-joined", &[("name", &who.name)]),
                user: Some(who.clone()),
                by: None,
            });
        }
        if let Presence::Gone { left_at, how } = s.presence {
            match how {
                Departure::Left => out.push(CallHistoryEntry {
                    at: left_at.0,
                    kind: CallHistoryKind::Left,
                    text: ta(lang, "call-history-left", &[("name", &who.name)]),
                    user: Some(who),
                    by: None,
                }),
                Departure::Removed { by } => {
                    let by = names.person(by);
                    out.push(CallHistoryEntry {
                        at: left_at.0,
                        kind: CallHistoryKind::Removed,
                        text: ta(lang, "call-history-removed", &[("name", &who.name), ("by", &by.name)]),
                        user: Some(who),
                        by: Some(by),
                    });
                }
                Departure::Lost => out.push(CallHistoryEntry {
                    at: left_at.0,
                    kind: CallHistoryKind::Lost,
                    text: ta(lang, "call-history-lost", &[("name", &who.name)]),
                    user: Some(who),
                    by: None,
                }),
                // The end of the call says it.
                Departure::CallEnded => {}
            }
        }
    }
    for d in declines.iter().filter(|d| d.call_id == call.id) {
        let who = names.person(d.user_id);
        out.push(CallHistoryEntry {
            at: d.declined_at.0,
            kind: CallHistoryKind::Declined,
            text: ta(lang, "call-history-declined", &[("name", &who.name)]),
            user: Some(who),
            by: None,
        });
    }
    if let CallState::Ended { ended_at, end, .. } = call.state {
        let text = match call.state.duration_ms() {
            Some(ms) => ta(lang, "call-history-ended", &[("duration", &duration_text(lang, ms))]),
            None => t(lang, "call-history-ended-unanswered"),
        };
        out.push(CallHistoryEntry {
            at: ended_at.0,
            kind: CallHistoryKind::Ended,
            text,
            user: None,
            by: end.by().map(|by| names.person(by)),
        });
    }
    // Stable: entries at the same moment keep the order above.
    out.sort_by_key(|e| e.at);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_naturally_in_both_languages() {
        assert_eq!(duration_text(Language::En, 40_999), "40 s");
        assert_eq!(duration_text(Language::Fr, 725_000), "12 min 05 s");
        assert_eq!(duration_text(Language::En, 3_725_000), "1 h 02 min 05 s");
        assert_eq!(duration_text(Language::En, -5), "0 s");
    }
}
