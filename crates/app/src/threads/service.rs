//! The thread use cases as callers outside this crate (pages, API,
//! benchmarks) name them: one path for the web layer while each concern
//! lives in its own module. Code of this crate imports the module that owns
//! the concern instead (checked: `cargo test -p cercle --test module_cycles`).

pub use super::access::{may_receive, may_receive_live};
pub use super::drafts::save_draft;
pub use super::input::{DEFAULT_MESSAGES_PER_MINUTE, MAX_MESSAGE_CHARS, MAX_PARTICIPANTS, MAX_TITLE_CHARS};
pub use super::lifecycle::{create, direct, duplicate, set_closed, set_priority, NewThreadInput};
pub use super::live::events_since;
pub use super::messages::{acknowledge, edit, post, retract};
pub use super::participants::{add_participants, remove_participant};
pub use super::reading::{list, messages, org_name, show, unread_total, versions};
pub use super::reads::{mark_read, mark_unread};
pub use super::search::search;
pub use super::typing::typing;
pub use super::views::{
    AttachmentView, Author, Closed, FoundMessage, ListedThread, MessageView, ParticipantRef, ParticipantView,
    PatientRef, ThreadView, TriageView,
};
