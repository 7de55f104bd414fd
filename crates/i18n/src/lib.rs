//! Translations: one Fluent file per language (`locales/fr.ftl`,
//! `locales/en.ftl`), compiled into the binary. Every screen, email and SMS
//! takes its text from here; a test checks both files hold the same messages.

use cercle_domain::Language;
use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use std::sync::OnceLock;

const FR: &str = include_str!("../locales/fr.ftl");
const EN: &str = include_str!("../locales/en.ftl");

pub struct Translations {
    fr: FluentBundle<FluentResource>,
    en: FluentBundle<FluentResource>,
}

fn bundle(lang: &str, source: &'static str) -> FluentBundle<FluentResource> {
    let id = match lang {
        "fr" => unic_langid::langid!("fr-CA"),
        _ => unic_langid::langid!("en-CA"),
    };
    let mut bundle = FluentBundle::new_concurrent(vec![id]);
    // No Unicode isolation marks around arguments: they end up in emails and SMS.
    bundle.set_use_isolating(false);
    let resource = match FluentResource::try_new(source.to_string()) {
        Ok(r) => r,
        // A syntax error is caught by the unit tests; keep what parsed.
        Err((r, _)) => r,
    };
    let _ = bundle.add_resource(resource);
    bundle
}

pub fn translations() -> &'static Translations {
    static T: OnceLock<Translations> = OnceLock::new();
    T.get_or_init(|| Translations {
        fr: bundle("fr", FR),
        en: bundle("en", EN),
    })
}

impl Translations {
    fn bundle(&self, lang: Language) -> &FluentBundle<FluentResource> {
        match lang {
            Language::Fr => &self.fr,
            Language::En => &self.en,
        }
    }

    /// The message `id` (or `id.attribute`) in `lang`; the id itself if missing.
    pub fn get(&self, lang: Language, id: &str, args: &[(&str, &str)]) -> String {
        let bundle = self.bundle(lang);
        let (msg_id, attr) = match id.split_once('.') {
            Some((m, a)) => (m, Some(a)),
            None => (id, None),
        };
        let Some(msg) = bundle.get_message(msg_id) else {
            return id.to_string();
        };
        let pattern = match attr {
            Some(a) => msg.get_attribute(a).map(|a| a.value()),
            None => msg.value(),
        };
        let Some(pattern) = pattern else {
            return id.to_string();
        };
        let mut fargs = FluentArgs::new();
        for (k, v) in args {
            // `count` is a number, so that plural variants (`[one]`) apply.
            match (*k, v.parse::<i64>()) {
                ("count", Ok(n)) => fargs.set(*k, FluentValue::from(n)),
                _ => fargs.set(*k, FluentValue::from(*v)),
            }
        }
        let mut errors = Vec::new();
        bundle.format_pattern(pattern, Some(&fargs), &mut errors).into_owned()
    }

    pub fn has(&self, lang: Language, id: &str) -> bool {
        self.bundle(lang).has_message(id)
    }
}

/// Shorthand: `t(lang, "sign-in-title")`.
pub fn t(lang: Language, id: &str) -> String {
    translations().get(lang, id, &[])
}

/// Shorthand with arguments: `ta(lang, "code-sent", &[("email", e)])`.
pub fn ta(lang: Language, id: &str, args: &[(&str, &str)]) -> String {
    translations().get(lang, id, args)
}

/// The message ids a Fluent source defines, for the parity test.
pub fn message_ids(source: &str) -> Vec<String> {
    source
        .lines()
        .filter(|l| l.chars().next().is_some_and(|c| c.is_ascii_alphabetic()))
        .filter_map(|l| l.split_once('=').map(|(k, _)| k.trim().to_string()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_choose_the_plural_variant() {
        assert_eq!(ta(Language::Fr, "notif-unread-count", &[("count", "1")]), "1 non lue");
        assert_eq!(ta(Language::Fr, "notif-unread-count", &[("count", "3")]), "3 non lues");
        assert_eq!(ta(Language::En, "notif-prefs-delay-hours", &[("count", "1")]), "1 hour");
    }

    #[test]
    fn both_files_parse() {
        assert!(
            FluentResource::try_new(FR.to_string()).is_ok(),
            "fr.ftl has a syntax error"
        );
        assert!(
            FluentResource::try_new(EN.to_string()).is_ok(),
            "en.ftl has a syntax error"
        );
    }

    #[test]
    fn french_and_english_hold_the_same_messages() {
        let mut fr = message_ids(FR);
        let mut en = message_ids(EN);
        fr.sort();
        en.sort();
        let only_fr: Vec<_> = fr.iter().filter(|k| !en.contains(k)).collect();
        let only_en: Vec<_> = en.iter().filter(|k| !fr.contains(k)).collect();
        assert!(
            only_fr.is_empty() && only_en.is_empty(),
            "only in fr: {only_fr:?}; only in en: {only_en:?}"
        );
        let mut dedup = fr.clone();
        dedup.dedup();
        assert_eq!(dedup.len(), fr.len(), "a message is defined twice");
    }

    #[test]
    fn arguments_are_filled() {
        let s = ta(
            Language::En,
            "email-signin-code-body",
            &[("code", "123456"), ("name", "Marie")],
        );
        assert!(s.contains("123456") && s.contains("Marie"), "{s}");
        assert_eq!(t(Language::Fr, "no-such-message"), "no-such-message");
    }
}
