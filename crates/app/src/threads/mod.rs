//! Discussion threads (SPEC 6): participants, messages, attachments, read
//! state, drafts, and the events that carry them live.

pub mod attachments;
pub mod export;
pub mod files;
pub mod hub;
pub mod patients;
pub mod pdf;
pub mod service;
