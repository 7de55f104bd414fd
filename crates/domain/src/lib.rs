//! Cercle's domain: plain types and rules, no I/O, no async.
//!
//! Everything that crosses into the system is parsed here into a type that
//! cannot hold an invalid value (an [`Email`], a [`Pin`], a [`Phone`] …), so the
//! layers above never re-validate strings.

pub mod audit;
pub mod availability;
pub mod calls;
pub mod circle;
pub mod clock;
pub mod codes;
pub mod email;
pub mod error;
pub mod events;
pub mod ids;
pub mod kinds;
pub mod language;
pub mod local_time;
pub mod net;
pub mod network;
pub mod notification_rules;
pub mod orgs;
pub mod outbox;
pub mod password;
pub mod patient;
pub mod phone;
pub mod pin;
pub mod policy;
pub mod professions;
pub mod search;
pub mod session;
pub mod smart;
pub mod threads;
pub mod totp;

pub use clock::{Clock, Timestamp};
pub use email::Email;
pub use error::InputError;
pub use ids::*;
pub use language::Language;
pub use phone::Phone;
pub use pin::Pin;
/// Organization roles live in the policy module; this path is kept short for callers.
pub use policy::roles;
