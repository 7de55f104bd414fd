//! What a thread's title and a message's text may be: limits and the
//! cleaning every writer of threads applies (threads, care channels,
//! teams), and the folded form the search index keeps.

use crate::AppResult;
use cercle_domain::search::fold;
use cercle_domain::InputError;

pub const MAX_MESSAGE_CHARS: usize = 10_000;

pub use cercle_domain::threads::MAX_TITLE_CHARS;

pub const MAX_PARTICIPANTS: usize = 100;

/// Messages one person may post per minute (flooding), unless the
/// configuration (`messages_per_minute`) says otherwise.
pub const DEFAULT_MESSAGES_PER_MINUTE: i64 = 120;

pub(crate) fn clean_title(raw: &str) -> AppResult<String> {
    clean_title_within(raw, MAX_TITLE_CHARS)
}

/// A title: trimmed, not empty, at most `max` characters, no control
/// characters.
pub(crate) fn clean_title_within(raw: &str, max: usize) -> AppResult<String> {
    let t = raw.trim();
    if t.is_empty() || t.chars().count() > max || t.chars().any(char::is_control) {
        return Err(InputError::InvalidTitle.into());
    }
    Ok(t.to_string())
}

pub(crate) fn clean_body(raw: &str) -> AppResult<String> {
    let body = raw.trim().replace("\r\n", "\n");
    if body.is_empty() {
        return Err(InputError::EmptyMessage.into());
    }
    if body.chars().count() > MAX_MESSAGE_CHARS {
        return Err(InputError::MessageTooLong.into());
    }
    if body.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return Err(InputError::InvalidText.into());
    }
    Ok(body)
}

pub(crate) fn folded(text: &str) -> String {
    fold(text).split_whitespace().collect::<Vec<_>>().join(" ")
}
