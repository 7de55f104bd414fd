//! Discussion threads (SPEC 6): participants, messages, attachments, read
//! state, drafts, and the events that carry them live.
//!
//! The kernel other use cases stand on is [`access`] (who reaches a thread)
//! and [`events`] (the audit record and the logged event of a change);
//! teams, notifications and care channels use only those, the shapes in
//! [`views`] and the text checks in [`input`]. The use cases that combine a
//! team or a care channel with messages live here, above them:
//! [`team_threads`] (writing to a team, triage changes) and
//! [`care_channels`] (a channel's first message, leaving a channel). The
//! other modules here import teams or notifications only to tell them of a
//! change ([`messages`] → notifications, [`triage`] → notifications), and
//! nothing in teams, notifications or patients imports those back.

pub mod access;
pub mod answers;
pub mod attachments;
pub mod care_channels;
pub mod drafts;
pub mod events;
pub mod export;
pub mod hub;
pub mod incoming;
pub mod input;
pub mod lifecycle;
pub mod live;
pub mod messages;
pub mod participants;
pub mod patients;
pub mod pdf;
mod posting;
pub mod reading;
pub mod reads;
pub mod search;
pub mod service;
pub mod team_threads;
pub mod triage;
pub mod typing;
pub mod uploads;
pub mod views;
