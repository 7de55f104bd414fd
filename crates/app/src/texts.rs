//! System texts: what Cercle itself writes into threads (the title of the
//! thread a new version of a pinned document opens, "Updated document: …").
//!
//! They are stored as a message key with its arguments (JSON, e.g.
//! `{"key":"chan-updated-document","args":{"name":"plan.pdf"}}`) next to
//! the plain text rendered when written, and rendered again in each
//! reader's language when shown: pages, API (which gives both), PDF export.
//! Rows from before (no key stored) show their stored text.

use cercle_domain::Language;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The keys Cercle writes as system texts. A stored key outside this list
/// (a row written by a later version, a damaged one) is not rendered: the
/// stored text shows instead.
pub const KEYS: &[&str] = &["chan-updated-document"];

/// A text Cercle writes: a message key and its arguments.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SystemText {
    pub key: String,
    #[serde(default)]
    pub args: BTreeMap<String, String>,
}

impl SystemText {
    /// A system text of one of [`KEYS`].
    pub fn new(key: &'static str, args: &[(&str, &str)]) -> Self {
        SystemText {
            key: key.to_string(),
            args: args.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
        }
    }

    /// The text in `lang`, at most `max` characters.
    pub fn render(&self, lang: Language, max: usize) -> String {
        let args: Vec<(&str, &str)> = self.args.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        cercle_i18n::ta(lang, &self.key, &args).chars().take(max).collect()
    }

    /// What the store keeps.
    pub fn to_json(&self) -> String {
        // A map of strings always serializes.
        serde_json::to_string(self).unwrap_or_default()
    }

    /// A stored system text; `None` when absent, unreadable or of an
    /// unknown key.
    pub fn stored(json: Option<&str>) -> Option<SystemText> {
        let t: SystemText = serde_json::from_str(json?).ok()?;
        KEYS.contains(&t.key.as_str()).then_some(t)
    }

    /// The folded words of every language, so that a search in either
    /// finds it.
    pub fn folded_all(&self, max: usize) -> String {
        Language::ALL
            .iter()
            .map(|l| crate::threads::input::folded(&self.render(*l, max)))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// The text to show: the stored system text in the reader's language, else
/// the stored plain text (rows from before system texts, people's titles).
pub fn shown(stored: &str, text: Option<&str>, lang: Language, max: usize) -> String {
    match SystemText::stored(text) {
        Some(t) => t.render(lang, max),
        None => stored.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_system_text_shows_in_the_readers_language() {
        let t = SystemText::new("chan-updated-document", &[("name", "plan.pdf")]);
        let json = t.to_json();
        assert_eq!(json, r#"{"key":"chan-updated-document","args":{"name":"plan.pdf"}}"#);
        assert_eq!(
            shown("Updated document: plan.pdf", Some(&json), Language::Fr, 200),
            "Document mis à jour : plan.pdf"
        );
        assert_eq!(
            shown("Document mis à jour : plan.pdf", Some(&json), Language::En, 200),
            "Updated document: plan.pdf"
        );
        assert_eq!(shown("x", Some(&json), Language::En, 7), "Updated");
    }

    #[test]
    fn rows_without_a_known_key_show_their_stored_text() {
        assert_eq!(shown("Plan de soins", None, Language::En, 200), "Plan de soins");
        for bad in ["", "{", r#"{"key":"error-internal","args":{}}"#, r#"{"args":{}}"#] {
            assert_eq!(
                shown("Ancien titre", Some(bad), Language::En, 200),
                "Ancien titre",
                "{bad}"
            );
        }
    }

    #[test]
    fn every_key_exists_in_both_languages() {
        for key in KEYS {
            for lang in Language::ALL {
                assert!(cercle_i18n::translations().has(lang, key), "{key} in {lang:?}");
            }
        }
    }

    #[test]
    fn folded_words_of_both_languages() {
        let t = SystemText::new("chan-updated-document", &[("name", "Plan.pdf")]);
        let f = t.folded_all(200);
        assert!(f.contains("mis a jour") && f.contains("updated document"), "{f}");
    }
}
