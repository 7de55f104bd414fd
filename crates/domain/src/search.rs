//! Text matching for the network search (SPEC 3): accent-, case- and
//! word-order-insensitive, prefix matching, one typo tolerated. Pure
//! functions; the store indexes the terms they produce.

/// Folds a text for matching: lower case, accents removed (é → e, œ → oe),
/// every other character that is not a letter or digit becomes a space.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars().flat_map(char::to_lowercase) {
        match c {
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' => out.push('a'),
            'ç' => out.push('c'),
            'è' | 'é' | 'ê' | 'ë' => out.push('e'),
            'ì' | 'í' | 'î' | 'ï' => out.push('i'),
            'ñ' => out.push('n'),
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' => out.push('o'),
            'ù' | 'ú' | 'û' | 'ü' => out.push('u'),
            'ý' | 'ÿ' => out.push('y'),
            'œ' => out.push_str("oe"),
            'æ' => out.push_str("ae"),
            'ß' => out.push_str("ss"),
            c if c.is_alphanumeric() => out.push(c),
            _ => out.push(' '),
        }
    }
    out
}

/// The distinct folded words of a text, at most `max` of them.
pub fn terms(text: &str, max: usize) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for w in fold(text).split_whitespace() {
        if out.len() == max {
            break;
        }
        if !out.iter().any(|t| t == w) {
            out.push(w.to_string());
        }
    }
    out
}

/// How a query word matched a term, best first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Match {
    Exact,
    Prefix,
    /// One letter inserted, removed, changed, or two neighbours swapped.
    OneTypo,
}

/// Whether `word` (folded) matches `term` (folded), and how.
pub fn matches(word: &str, term: &str) -> Option<Match> {
    if word == term {
        Some(Match::Exact)
    } else if term.starts_with(word) {
        Some(Match::Prefix)
    } else if word.chars().count() >= 4 && within_one_edit(word, term) {
        // Short words would match too much with a typo.
        Some(Match::OneTypo)
    } else {
        None
    }
}

/// Damerau–Levenshtein distance of at most one.
pub fn within_one_edit(a: &str, b: &str) -> bool {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let (la, lb) = (a.len(), b.len());
    if la.abs_diff(lb) > 1 {
        return false;
    }
    let prefix = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    if prefix == la && prefix == lb {
        return true;
    }
    let (ra, rb) = (&a[prefix..], &b[prefix..]);
    match la.cmp(&lb) {
        // One change, or two neighbours swapped.
        std::cmp::Ordering::Equal => {
            ra[1..] == rb[1..] || (ra.len() >= 2 && ra[0] == rb[1] && ra[1] == rb[0] && ra[2..] == rb[2..])
        }
        // One letter more in `a`, or in `b`.
        std::cmp::Ordering::Greater => ra[1..] == *rb,
        std::cmp::Ordering::Less => *ra == rb[1..],
    }
}

/// Whether every word of a query matches some term of a name, in any order;
/// the match quality is the worst of the words' best matches.
pub fn query_matches(query: &str, name: &str) -> Option<Match> {
    let words = terms(query, 8);
    if words.is_empty() {
        return None;
    }
    let name_terms = terms(name, 16);
    words
        .iter()
        .map(|w| name_terms.iter().filter_map(|t| matches(w, t)).min())
        .try_fold(Match::Exact, |worst, m| m.map(|m| worst.max(m)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_accents_case_and_punctuation() {
        assert_eq!(fold("Marie-Ève GAGNÉ"), "marie eve gagne");
        assert_eq!(fold("Cœur & Œuvre"), "coeur   oeuvre");
        assert_eq!(
            terms("Dre Marie-Ève Gagné, Marie", 10),
            ["dre", "marie", "eve", "gagne"]
        );
    }

    #[test]
    fn one_edit() {
        assert!(within_one_edit("tremblay", "tremblay"));
        assert!(within_one_edit("tremblay", "tremblai"), "changed");
        assert!(within_one_edit("trembly", "tremblay"), "missing");
        assert!(within_one_edit("tremblayy", "tremblay"), "extra");
        assert!(within_one_edit("termblay", "tremblay"), "swapped");
        assert!(!within_one_edit("trembaly", "tremblai"), "two edits");
        assert!(!within_one_edit("gagnon", "gagne"));
    }

    #[test]
    fn queries_in_any_order_with_prefixes_and_a_typo() {
        assert_eq!(query_matches("gagne mar", "Marie Gagné"), Some(Match::Prefix));
        assert_eq!(query_matches("marie gagné", "Marie Gagné"), Some(Match::Exact));
        assert_eq!(query_matches("GAGNE", "Marie Gagné"), Some(Match::Exact));
        assert_eq!(query_matches("tremblai", "Marie Tremblay"), Some(Match::OneTypo));
        assert_eq!(
            query_matches("marie tremblay", "Marie Gagné"),
            None,
            "every word must match"
        );
        assert_eq!(query_matches("ma", "Luc Roy"), None);
        assert_eq!(query_matches("roi", "Luc Roy"), None, "no typo on short words");
        assert_eq!(query_matches("  ", "Luc Roy"), None);
    }
}
