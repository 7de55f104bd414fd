//! The network search index (SPEC 3): documents (people and workplaces),
//! postings per folded word, and a vocabulary with prefixes and one-deletion
//! variants so that prefix and one-typo lookups are equality lookups, which
//! behave the same on SQLite and PostgreSQL whatever the collation.
//!
//! Which documents a searcher may see is not decided here: the caller passes
//! the scope (its colleagues and friends, and whether it may see the external
//! network), computed by the policy in the service layer.

use crate::{Conn, Result};
use cercle_domain::search::{fold, query_matches, terms, within_one_edit, Match};
use cercle_domain::Timestamp;
use sqlx::Row;
use std::collections::HashSet;

/// Prefixes are stored up to this many letters; longer query words look up
/// their first `PREFIX_MAX` letters and are checked in full afterwards.
pub const PREFIX_MAX: usize = 10;
/// Words of a name that are indexed.
pub const MAX_TERMS: usize = 16;
/// How many vocabulary words one query word may stand for (a short prefix
/// such as "ma" would otherwise expand to thousands).
const MAX_EXPANSION: i64 = 64;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocKind {
    Person,
    Workplace,
}

impl DocKind {
    pub fn as_str(self) -> &'static str {
        match self {
            DocKind::Person => "person",
            DocKind::Workplace => "workplace",
        }
    }
    pub fn parse(raw: &str) -> Option<DocKind> {
        match raw {
            "person" => Some(DocKind::Person),
            "workplace" => Some(DocKind::Workplace),
            _ => None,
        }
    }
}

/// The one-deletion variants of a word, and the word itself.
fn variants(term: &str) -> Vec<String> {
    let chars: Vec<char> = term.chars().collect();
    let mut out = vec![term.to_string()];
    for i in 0..chars.len() {
        let v: String = chars[..i].iter().chain(&chars[i + 1..]).collect();
        if !out.contains(&v) {
            out.push(v);
        }
    }
    out
}

fn prefixes(term: &str) -> Vec<String> {
    let chars: Vec<char> = term.chars().collect();
    (1..=chars.len().min(PREFIX_MAX))
        .map(|n| chars[..n].iter().collect())
        .collect()
}

/// Adds or replaces a document. `external`: whether it may be found outside
/// its organizations (a validated professional who did not restrict it, or
/// any workplace).
pub async fn index_doc(
    conn: &mut Conn,
    id: &str,
    kind: DocKind,
    name: &str,
    external: bool,
    now: Timestamp,
) -> Result<()> {
    remove_doc(&mut *conn, id).await?;
    let folded = fold(name).split_whitespace().collect::<Vec<_>>().join(" ");
    sqlx::query(
        "INSERT INTO search_docs (id, kind, name, folded, external, updated_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id)
    .bind(kind.as_str())
    .bind(name)
    .bind(&folded)
    .bind(i64::from(external))
    .bind(now.0)
    .execute(&mut *conn)
    .await?;
    for term in terms(name, MAX_TERMS) {
        sqlx::query("INSERT INTO search_postings (term, doc_id, kind, external, folded) VALUES ($1, $2, $3, $4, $5)")
            .bind(&term)
            .bind(id)
            .bind(kind.as_str())
            .bind(i64::from(external))
            .bind(&folded)
            .execute(&mut *conn)
            .await?;
        let df: i64 = sqlx::query(
            "INSERT INTO search_vocab (term, df) VALUES ($1, 1) \
             ON CONFLICT (term) DO UPDATE SET df = search_vocab.df + 1 RETURNING df",
        )
        .bind(&term)
        .fetch_one(&mut *conn)
        .await?
        .try_get(0)?;
        if df == 1 {
            add_vocabulary(&mut *conn, &term).await?;
        }
    }
    Ok(())
}

/// Prefixes and variants of a new vocabulary word (kept when its count falls
/// to zero: the word is likely to come back, and a zero count is skipped).
async fn add_vocabulary(conn: &mut Conn, term: &str) -> Result<()> {
    for p in prefixes(term) {
        sqlx::query("INSERT INTO search_prefixes (prefix, term) VALUES ($1, $2) ON CONFLICT DO NOTHING")
            .bind(&p)
            .bind(term)
            .execute(&mut *conn)
            .await?;
    }
    if term.chars().count() >= 3 {
        for v in variants(term) {
            sqlx::query("INSERT INTO search_variants (variant, term) VALUES ($1, $2) ON CONFLICT DO NOTHING")
                .bind(&v)
                .bind(term)
                .execute(&mut *conn)
                .await?;
        }
    }
    Ok(())
}

pub async fn remove_doc(conn: &mut Conn, id: &str) -> Result<()> {
    let old = sqlx::query("DELETE FROM search_postings WHERE doc_id = $1 RETURNING term")
        .bind(id)
        .fetch_all(&mut *conn)
        .await?;
    for row in old {
        let term: String = row.try_get(0)?;
        sqlx::query("UPDATE search_vocab SET df = df - 1 WHERE term = $1 AND df > 0")
            .bind(&term)
            .execute(&mut *conn)
            .await?;
    }
    sqlx::query("DELETE FROM search_docs WHERE id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Changes whether a document may be found outside its organizations.
pub async fn set_external(conn: &mut Conn, id: &str, external: bool) -> Result<()> {
    sqlx::query("UPDATE search_docs SET external = $1 WHERE id = $2")
        .bind(i64::from(external))
        .bind(id)
        .execute(&mut *conn)
        .await?;
    sqlx::query("UPDATE search_postings SET external = $1 WHERE doc_id = $2")
        .bind(i64::from(external))
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub async fn count_docs(conn: &mut Conn) -> Result<i64> {
    Ok(sqlx::query("SELECT COUNT(*) FROM search_docs")
        .fetch_one(conn)
        .await?
        .try_get(0)?)
}

/// A vocabulary word a query word stands for.
#[derive(Debug, Clone)]
pub struct Expansion {
    pub term: String,
    pub how: Match,
    pub df: i64,
}

/// The vocabulary words a folded query word matches: itself, the words it
/// begins, and (for words of four letters or more) the words one typo away.
pub async fn expand(conn: &mut Conn, word: &str) -> Result<Vec<Expansion>> {
    let mut out: Vec<Expansion> = Vec::new();
    let prefix: String = word.chars().take(PREFIX_MAX).collect();
    let rows = sqlx::query(
        "SELECT v.term, v.df FROM search_prefixes x JOIN search_vocab v ON v.term = x.term \
         WHERE x.prefix = $1 AND v.df > 0 ORDER BY v.df DESC, v.term LIMIT $2",
    )
    .bind(&prefix)
    .bind(MAX_EXPANSION)
    .fetch_all(&mut *conn)
    .await?;
    for r in rows {
        let term: String = r.try_get(0)?;
        if term.starts_with(word) {
            let how = if term == word { Match::Exact } else { Match::Prefix };
            out.push(Expansion {
                term,
                how,
                df: r.try_get(1)?,
            });
        }
    }
    // The exact word may have fallen outside the most frequent expansions.
    if !out.iter().any(|e| e.how == Match::Exact) {
        let row = sqlx::query("SELECT df FROM search_vocab WHERE term = $1 AND df > 0")
            .bind(word)
            .fetch_optional(&mut *conn)
            .await?;
        if let Some(r) = row {
            out.push(Expansion {
                term: word.to_string(),
                how: Match::Exact,
                df: r.try_get(0)?,
            });
        }
    }
    if word.chars().count() >= 4 {
        let vs = variants(word);
        let placeholders = (1..=vs.len()).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ");
        let sql = format!(
            "SELECT DISTINCT v.term, v.df FROM search_variants x JOIN search_vocab v ON v.term = x.term \
             WHERE x.variant IN ({placeholders}) AND v.df > 0"
        );
        let mut q = sqlx::query(&sql);
        for v in &vs {
            q = q.bind(v);
        }
        for r in q.fetch_all(&mut *conn).await? {
            let term: String = r.try_get(0)?;
            if !out.iter().any(|e| e.term == term) && within_one_edit(word, &term) {
                out.push(Expansion {
                    term,
                    how: Match::OneTypo,
                    df: r.try_get(1)?,
                });
            }
        }
    }
    out.sort_by(|a, b| a.how.cmp(&b.how).then(b.df.cmp(&a.df)));
    out.truncate(MAX_EXPANSION as usize);
    Ok(out)
}

/// Who the search runs for.
#[derive(Debug, Clone)]
pub struct SearchScope {
    pub searcher_id: String,
    /// Validated professionals see the external network.
    pub external: bool,
    pub kind: Option<DocKind>,
    /// Only people declaring this profession (key), not rejected.
    pub profession: Option<String>,
    /// Only people working at this workplace.
    pub workplace: Option<String>,
}

/// A document that matched every word of the query.
#[derive(Debug, Clone)]
pub struct Hit {
    pub id: String,
    pub kind: DocKind,
    pub folded: String,
    /// Found through the searcher's organizations or friends.
    pub personal: bool,
}

/// What a search found, before ranking.
#[derive(Debug, Clone, Default)]
pub struct Found {
    pub hits: Vec<Hit>,
    /// More documents matched than were read: the query should be refined.
    pub truncated: bool,
}

/// Most postings read for the external network per query.
pub const EXTERNAL_CAP: i64 = 2000;
/// Most postings read among colleagues and friends per query.
pub const PERSONAL_CAP: i64 = 2000;

/// Finds the documents whose names match every query word (folded), within
/// the scope. The word with the fewest postings drives the scan; the other
/// words are checked on the folded names it returns.
pub async fn search(conn: &mut Conn, words: &[String], scope: &SearchScope) -> Result<Found> {
    let mut expansions = Vec::new();
    for w in words {
        let e = expand(&mut *conn, w).await?;
        if e.is_empty() {
            return Ok(Found::default());
        }
        expansions.push(e);
    }
    let Some(driver) = expansions.iter().min_by_key(|e| e.iter().map(|x| x.df).sum::<i64>()) else {
        return Ok(Found::default());
    };
    let driver_terms: Vec<&str> = driver.iter().map(|e| e.term.as_str()).collect();

    let mut found = Found::default();
    let mut seen: HashSet<String> = HashSet::new();
    // The other words are checked on the name itself, so that they are not
    // limited to their most frequent expansions.
    let query = words.join(" ");
    let keep = |folded: &str| -> bool { query_matches(&query, folded).is_some() };

    // Colleagues and friends first, whatever their visibility setting.
    if scope.kind != Some(DocKind::Workplace) {
        let (sql, binds) = scan_sql(&driver_terms, scope, Pass::Personal);
        let rows = bind_all(sqlx::query(&sql), &binds).fetch_all(&mut *conn).await?;
        if rows.len() as i64 >= PERSONAL_CAP {
            found.truncated = true;
        }
        for r in rows {
            let id: String = r.try_get(0)?;
            let folded: String = r.try_get(2)?;
            if keep(&folded) && seen.insert(id.clone()) {
                found.hits.push(Hit {
                    id,
                    kind: DocKind::Person,
                    folded,
                    personal: true,
                });
            }
        }
    }

    // Then the external network, best matches of the driving word first.
    for how in [Match::Exact, Match::Prefix, Match::OneTypo] {
        let group: Vec<&str> = driver
            .iter()
            .filter(|e| e.how == how)
            .map(|e| e.term.as_str())
            .collect();
        if group.is_empty() {
            continue;
        }
        let (sql, binds) = scan_sql(&group, scope, Pass::External);
        let rows = bind_all(sqlx::query(&sql), &binds).fetch_all(&mut *conn).await?;
        if rows.len() as i64 >= EXTERNAL_CAP {
            found.truncated = true;
        }
        for r in rows {
            let id: String = r.try_get(0)?;
            let kind: String = r.try_get(1)?;
            let folded: String = r.try_get(2)?;
            if seen.contains(&id) || id == scope.searcher_id || !keep(&folded) {
                continue;
            }
            seen.insert(id.clone());
            found.hits.push(Hit {
                id,
                kind: DocKind::parse(&kind).unwrap_or(DocKind::Person),
                folded,
                personal: false,
            });
        }
        if found.truncated {
            break;
        }
    }
    found.hits.retain(|h| h.id != scope.searcher_id);
    Ok(found)
}

/// Adds a parameter; returns its placeholder.
fn next(binds: &mut Vec<String>, v: &str) -> String {
    binds.push(v.to_string());
    format!("${}", binds.len())
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Pass {
    Personal,
    External,
}

/// The SQL of one scan of postings, with its string parameters in order.
fn scan_sql(driver_terms: &[&str], scope: &SearchScope, pass: Pass) -> (String, Vec<String>) {
    let mut binds: Vec<String> = driver_terms.iter().map(|t| t.to_string()).collect();
    let list = (1..=binds.len())
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ");
    let mut sql = format!("SELECT p.doc_id, p.kind, p.folded FROM search_postings p WHERE p.term IN ({list})");
    match pass {
        Pass::Personal => {
            let me = next(&mut binds, &scope.searcher_id);
            let me2 = next(&mut binds, &scope.searcher_id);
            let me3 = next(&mut binds, &scope.searcher_id);
            sql.push_str(&format!(
                " AND p.kind = 'person' AND p.doc_id IN (\
                 SELECT m2.user_id FROM memberships m1 JOIN memberships m2 ON m2.org_id = m1.org_id \
                 WHERE m1.user_id = {me} \
                 UNION SELECT f.recipient_id FROM friendships f WHERE f.requester_id = {me2} AND f.status = 'accepted' \
                 UNION SELECT f.requester_id FROM friendships f WHERE f.recipient_id = {me3} AND f.status = 'accepted')"
            ));
        }
        Pass::External => {
            sql.push_str(" AND p.external = 1");
            if !scope.external {
                // Workplaces are public on the network; people outside one's
                // organizations are for validated professionals only.
                sql.push_str(" AND p.kind = 'workplace'");
            }
        }
    }
    match scope.kind {
        Some(DocKind::Person) => sql.push_str(" AND p.kind = 'person'"),
        Some(DocKind::Workplace) => sql.push_str(" AND p.kind = 'workplace'"),
        None => {}
    }
    if let Some(prof) = &scope.profession {
        let b = next(&mut binds, prof);
        sql.push_str(&format!(
            " AND EXISTS (SELECT 1 FROM professions pr WHERE pr.user_id = p.doc_id \
             AND pr.profession = {b} AND pr.status <> 'rejected')"
        ));
    }
    if let Some(wp) = &scope.workplace {
        let b = next(&mut binds, wp);
        sql.push_str(&format!(
            " AND EXISTS (SELECT 1 FROM workplace_members wm WHERE wm.user_id = p.doc_id AND wm.workplace_id = {b})"
        ));
    }
    let cap = match pass {
        Pass::Personal => PERSONAL_CAP,
        Pass::External => EXTERNAL_CAP,
    };
    sql.push_str(&format!(" LIMIT {cap}"));
    (sql, binds)
}

fn bind_all<'q>(
    mut q: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    binds: &'q [String],
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    for b in binds {
        q = q.bind(b.as_str());
    }
    q
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variants_cover_one_deletion() {
        let v = variants("roy");
        assert_eq!(v, vec!["roy", "oy", "ry", "ro"]);
    }

    #[test]
    fn prefixes_stop_at_ten_letters() {
        let p = prefixes("bouchardeau-x");
        assert_eq!(p.len(), PREFIX_MAX);
        assert_eq!(p[0], "b");
        assert_eq!(p[9], "bouchardea");
    }
}
