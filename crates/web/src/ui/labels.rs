//! Words for the codes the audit log stores: event names (`auth.pin_failed`
//! is "Wrong PIN"), actions and target types, in the reader's language. The
//! code itself stays available (in a `title`, and in the CSV export).

use crate::ui::page::Page;

/// The Fluent id of an event code: `auth.pin_failed` → `audit-ev-auth-pin-failed`.
fn event_id(code: &str) -> String {
    format!("audit-ev-{}", code.replace(['.', '_'], "-"))
}

/// "Wrong PIN" for `auth.pin_failed`; the code itself for one without words yet.
pub fn event_label(page: &Page, code: &str) -> String {
    let id = event_id(code);
    if cercle_i18n::translations().has(page.lang, &id) {
        page.t(&id)
    } else {
        code.to_string()
    }
}

/// "Patient file" for `patient_file`; the code itself when unknown.
pub fn target_label(page: &Page, target_type: &str) -> String {
    let id = format!("audit-target-{}", target_type.replace('_', "-"));
    if cercle_i18n::translations().has(page.lang, &id) {
        page.t(&id)
    } else {
        target_type.to_string()
    }
}

/// "Read" for `READ`.
pub fn action_label(page: &Page, action: &str) -> String {
    let id = format!("audit-action-{}", action.to_lowercase());
    if cercle_i18n::translations().has(page.lang, &id) {
        page.t(&id)
    } else {
        action.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::event_id;
    use cercle_domain::Language;

    /// Every event code the services write (string literals of the known
    /// event families in the application's source) has words in French and
    /// in English.
    #[test]
    fn every_event_code_has_a_label_in_both_languages() {
        let families = [
            "audit.",
            "auth.",
            "availability.",
            "call.",
            "channel.",
            "circle.",
            "demo.",
            "network.",
            "org.",
            "outbox.",
            "patient.",
            "push.",
            "service.",
            "team.",
            "thread.",
            "user.",
        ];
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../app/src");
        let mut stack = vec![dir];
        let mut codes = std::collections::BTreeSet::new();
        while let Some(d) = stack.pop() {
            for entry in std::fs::read_dir(&d).expect("app sources") {
                let path = entry.expect("entry").path();
                if path.is_dir() {
                    stack.push(path);
                    continue;
                }
                let text = std::fs::read_to_string(&path).expect("source");
                for family in families {
                    let opening = format!("\"{family}");
                    for (at, _) in text.match_indices(&opening) {
                        let rest = &text[at + 1..];
                        let Some(end) = rest.find('"') else { continue };
                        let literal = &rest[..end];
                        let name = &literal[family.len()..];
                        if !name.is_empty() && name.chars().all(|c| c.is_ascii_lowercase() || c == '_') {
                            codes.insert(literal.to_string());
                        }
                    }
                }
            }
        }
        assert!(codes.len() > 100, "found only {} event codes", codes.len());
        assert!(codes.contains("auth.pin_failed"));
        let t = cercle_i18n::translations();
        let missing: Vec<String> = codes
            .iter()
            .flat_map(|c| Language::ALL.map(|l| (c, l)))
            .filter(|(c, l)| !t.has(*l, &event_id(c)))
            .map(|(c, l)| format!("{c} ({})", l.code()))
            .collect();
        assert!(missing.is_empty(), "event codes without words: {missing:?}");
    }
}
