//! The network search index (SPEC 3): documents (people and workplaces),
//! postings per folded word, and a vocabulary with prefixes and one-deletion
//! variants so that prefix and one-typo lookups are equality lookups, which
//! behave the same on SQLite and PostgreSQL whatever the collation.
//!
//! Which documents a searcher may see is not decided here: the caller passes
//! the scope (its colleagues and friends, and whether it may see the external
//! network), computed by the policy in the service layer.

use crate::{Conn, Result};
use cercle_domain::search::{fold, matches, terms, within_one_edit, Match};
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

/// The one-deletion variants of a word, and the word itself (the rows of
/// `search_variants` of a vocabulary word of three letters or more).
pub fn variants(term: &str) -> Vec<String> {
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

/// The prefixes of a word, up to [`PREFIX_MAX`] letters (the rows of
/// `search_prefixes` of a vocabulary word).
pub fn prefixes(term: &str) -> Vec<String> {
    let chars: Vec<char> = term.chars().collect();
    (1..=chars.len().min(PREFIX_MAX))
        .map(|n| chars[..n].iter().collect())
        .collect()
}

/// The folded form of a name as documents and postings hold it (the
/// folded words, one space apart).
pub fn folded_name(name: &str) -> String {
    fold(name).split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Adds or replaces a document. `external`: whether it may be found outside
/// its organizations (a validated professional who did not restrict it, or
/// any workplace).
pub async fn index_doc(
    conn: &mut Conn,
    // A user id or a workplace id, as `kind` says: no one id type holds both.
    id: &str,
    kind: DocKind,
    name: &str,
    external: bool,
    now: Timestamp,
) -> Result<()> {
    remove_doc(&mut *conn, id).await?;
    let folded = folded_name(name);
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
        .try_get("df")?;
        if df == 1 {
            add_vocabulary(&mut *conn, &term).await?;
        }
    }
    Ok(())
}

/// Prefixes and variants of a new vocabulary word (kept when its count falls
/// to zero: the word is likely to come back, and a zero count is skipped).
async fn add_vocabulary(conn: &mut Conn, term: &str) -> Result<()> {
    let (prefixes, variants) = vocabulary_keys(term);
    for p in prefixes {
        sqlx::query("INSERT INTO search_prefixes (prefix, term) VALUES ($1, $2) ON CONFLICT DO NOTHING")
            .bind(&p)
            .bind(term)
            .execute(&mut *conn)
            .await?;
    }
    for v in variants {
        sqlx::query("INSERT INTO search_variants (variant, term) VALUES ($1, $2) ON CONFLICT DO NOTHING")
            .bind(&v)
            .bind(term)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// What a new vocabulary word adds to `search_prefixes` (its prefixes) and
/// to `search_variants` (its one-deletion variants, for words of three
/// letters or more). Bulk loaders use it to build the same index.
pub fn vocabulary_keys(term: &str) -> (Vec<String>, Vec<String>) {
    let variants = if term.chars().count() >= 3 {
        variants(term)
    } else {
        Vec::new()
    };
    (prefixes(term), variants)
}

/// `id`: a user id or a workplace id (see [`index_doc`]).
pub async fn remove_doc(conn: &mut Conn, id: &str) -> Result<()> {
    let old = sqlx::query("DELETE FROM search_postings WHERE doc_id = $1 RETURNING term")
        .bind(id)
        .fetch_all(&mut *conn)
        .await?;
    for row in old {
        let term: String = row.try_get("term")?;
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
    Ok(sqlx::query("SELECT COUNT(*) AS n FROM search_docs")
        .fetch_one(conn)
        .await?
        .try_get("n")?)
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
    // The word itself first (when it is a vocabulary word), then the most frequent.
    let rows = sqlx::query(
        "SELECT v.term, v.df FROM search_prefixes x JOIN search_vocab v ON v.term = x.term \
         WHERE x.prefix = $1 AND v.df > 0 \
         ORDER BY CASE WHEN v.term = $2 THEN 0 ELSE 1 END, v.df DESC, v.term LIMIT $3",
    )
    .bind(&prefix)
    .bind(word)
    .bind(MAX_EXPANSION)
    .fetch_all(&mut *conn)
    .await?;
    for r in rows {
        let term: String = r.try_get("term")?;
        if term.starts_with(word) {
            let how = if term == word { Match::Exact } else { Match::Prefix };
            out.push(Expansion {
                term,
                how,
                df: r.try_get("df")?,
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
            let term: String = r.try_get("term")?;
            if !out.iter().any(|e| e.term == term) && within_one_edit(word, &term) {
                out.push(Expansion {
                    term,
                    how: Match::OneTypo,
                    df: r.try_get("df")?,
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

/// Most postings of the driving word read for the external network per
/// query, all match qualities together, in (word, document) order: a word
/// as frequent as a common first name or surname is read only this far, and
/// the result says it was truncated. A third of it with a profession filter,
/// half with a workplace filter (each posting then costs more lookups), a
/// quarter when only workplaces are looked for. Also the most people read
/// from a workplace's staff.
pub const EXTERNAL_CAP: i64 = 2000;
/// Most colleagues and friends found per query.
pub const PERSONAL_CAP: i64 = 2000;
/// Most documents of the external network found per query: a page of
/// results is 20, so this is 10 pages of a query that should be refined.
const EXTERNAL_HITS: i64 = 200;
/// Colleagues, friends and a workplace's staff are checked against the
/// driving word's postings (one index lookup per person and word) when the
/// driving word has at most this many postings and vocabulary words;
/// otherwise their documents are read and checked on the name.
const PROBE_MAX_POSTINGS: i64 = 20_000;
const PROBE_MAX_TERMS: usize = 8;
/// Most words of a query (the service passes five at most).
const MAX_QUERY_WORDS: usize = 8;

/// Finds the documents whose names match every query word (folded), within
/// the scope.
///
/// Colleagues and friends are looked up from the searcher's side: their
/// documents, checked against every word by the database. The external
/// network is read from the postings of the word with the fewest of them
/// (at most [`EXTERNAL_CAP`] postings), the other words being checked by the
/// database on the folded names, so that only matching documents come back;
/// with a workplace filter, from that workplace's staff when it is smaller.
/// Every hit is checked again here with the domain's matching rules.
pub async fn search(conn: &mut Conn, words: &[String], scope: &SearchScope) -> Result<Found> {
    // The words as the index holds them (the service passes them so already).
    let words = terms(&words.join(" "), MAX_QUERY_WORDS);
    let mut expansions = Vec::new();
    for w in &words {
        let e = expand(&mut *conn, w).await?;
        if e.is_empty() {
            return Ok(Found::default());
        }
        expansions.push(e);
    }
    let postings = |e: &[Expansion]| e.iter().map(|x| x.df).sum::<i64>();
    let Some(d) = (0..words.len()).min_by_key(|i| postings(&expansions[*i])) else {
        return Ok(Found::default());
    };
    let driver = &expansions[d];
    let filters: Vec<WordFilter> = words
        .iter()
        .zip(&expansions)
        .filter_map(|(w, e)| WordFilter::new(w, e))
        .collect();
    // The driving word is matched by the postings read.
    let other_filters: Vec<&WordFilter> = filters.iter().filter(|f| f.word != words[d]).collect();
    let all_filters: Vec<&WordFilter> = filters.iter().collect();
    let driver_terms: Vec<&str> = driver.iter().map(|e| e.term.as_str()).collect();
    // People from a list (colleagues, a workplace's staff): looked up in the
    // driving word's postings, or read whole.
    let probe = (postings(driver) <= PROBE_MAX_POSTINGS && driver_terms.len() <= PROBE_MAX_TERMS)
        .then_some(driver_terms.as_slice());
    let list_filters = if probe.is_some() { &other_filters } else { &all_filters };

    let mut found = Found::default();
    let mut seen: HashSet<String> = HashSet::new();
    // Every word must match a word of the name (as `query_matches` decides).
    let keep = |folded: &str| -> bool {
        let name = terms(folded, MAX_TERMS);
        words.iter().all(|w| name.iter().any(|t| matches(w, t).is_some()))
    };

    // Colleagues and friends first, whatever their visibility setting.
    if scope.kind != Some(DocKind::Workplace) {
        let mut q = Sql::default();
        let ids = personal_ids(&mut q, &scope.searcher_id);
        let sql = docs_sql(&mut q, &ids, probe, false, scope, list_filters, PERSONAL_CAP);
        let rows = q.fetch(&sql, &mut *conn).await?;
        if rows.len() as i64 >= PERSONAL_CAP {
            found.truncated = true;
        }
        for r in rows {
            let id: String = r.try_get("id")?;
            let folded: String = r.try_get("folded")?;
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

    // Then the external network. Workplaces are public on the network;
    // people outside one's organizations are for validated professionals only.
    let kind = match (scope.external, scope.kind) {
        (true, k) => Some(k),
        (false, None | Some(DocKind::Workplace)) => Some(Some(DocKind::Workplace)),
        (false, Some(DocKind::Person)) => None,
    };
    let Some(kind) = kind else {
        found.hits.retain(|h| h.id != scope.searcher_id);
        return Ok(found);
    };
    let mut external = Vec::new();
    // A workplace's staff, when fewer than the driving word's postings.
    let mut staff_read = false;
    if let (Some(wp), true) = (&scope.workplace, kind != Some(DocKind::Workplace)) {
        let staff: i64 = sqlx::query("SELECT COUNT(*) AS n FROM workplace_members WHERE workplace_id = $1")
            .bind(wp)
            .fetch_one(&mut *conn)
            .await?
            .try_get("n")?;
        if staff <= postings(driver) {
            let mut q = Sql::default();
            let w = q.bind(wp);
            let ids =
                format!("SELECT wm.user_id FROM workplace_members wm WHERE wm.workplace_id = {w} LIMIT {EXTERNAL_CAP}");
            let sql = docs_sql(&mut q, &ids, probe, true, scope, list_filters, EXTERNAL_HITS);
            let rows = q.fetch(&sql, &mut *conn).await?;
            if staff > EXTERNAL_CAP || rows.len() as i64 >= EXTERNAL_HITS {
                found.truncated = true;
            }
            external.extend(rows);
            staff_read = true;
        }
    }
    // The driving word's postings, best matches first. A profession or
    // workplace filter costs index lookups for each posting read: fewer
    // postings are read then.
    let lookups = 1 + 2 * i64::from(scope.profession.is_some()) + i64::from(scope.workplace.is_some());
    let mut budget = EXTERNAL_CAP / lookups;
    // Workplaces are a small share of the postings (most words are people's
    // names): a search for workplaces only reads a quarter as many.
    if kind == Some(DocKind::Workplace) {
        budget /= 4;
    }
    for how in [Match::Exact, Match::Prefix, Match::OneTypo] {
        if staff_read {
            break;
        }
        let group: Vec<&Expansion> = driver.iter().filter(|e| e.how == how).collect();
        if group.is_empty() {
            continue;
        }
        let wanted = EXTERNAL_HITS - external.len() as i64;
        if budget == 0 || wanted <= 0 {
            found.truncated = true;
            break;
        }
        let terms: Vec<&str> = group.iter().map(|e| e.term.as_str()).collect();
        let mut q = Sql::default();
        let sql = postings_sql(&mut q, &terms, budget, kind, scope, &other_filters, wanted);
        let rows = q.fetch(&sql, &mut *conn).await?;
        let in_group: i64 = group.iter().map(|e| e.df).sum();
        if in_group > budget || rows.len() as i64 >= wanted {
            found.truncated = true;
        }
        external.extend(rows);
        budget -= in_group.min(budget);
        if found.truncated {
            break;
        }
    }
    for r in external {
        let id: String = r.try_get("id")?;
        let kind: String = r.try_get("kind")?;
        let folded: String = r.try_get("folded")?;
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
    found.hits.retain(|h| h.id != scope.searcher_id);
    Ok(found)
}

/// A query word as a condition the database checks on a folded name: the
/// word begins one of the name's words, or one of the name's words is a
/// vocabulary word one typo away. Only when those typo words are all known
/// (the word's expansions were not cut); otherwise the word is checked here
/// only.
struct WordFilter {
    word: String,
    typos: Vec<String>,
}

impl WordFilter {
    fn new(word: &str, expansions: &[Expansion]) -> Option<WordFilter> {
        // Words of fewer than four letters have no typos; for longer ones,
        // the typo words come last in the expansions and may have been cut.
        if word.chars().count() >= 4 && expansions.len() >= MAX_EXPANSION as usize {
            return None;
        }
        Some(WordFilter {
            word: word.to_string(),
            typos: expansions
                .iter()
                .filter(|e| e.how == Match::OneTypo)
                .map(|e| e.term.clone())
                .collect(),
        })
    }

    /// The condition on `column`, its parameters added to `q`.
    fn sql(&self, q: &mut Sql, column: &str) -> String {
        let mut parts = vec![
            format!("{column} LIKE {}", q.bind(&format!("{}%", self.word))),
            format!("{column} LIKE {}", q.bind(&format!("% {}%", self.word))),
        ];
        // Any name holding the typo word (as a word, `keep` checks).
        for t in &self.typos {
            parts.push(format!("{column} LIKE {}", q.bind(&format!("%{t}%"))));
        }
        format!("({})", parts.join(" OR "))
    }
}

/// An SQL text's string parameters, in order.
#[derive(Default)]
struct Sql {
    binds: Vec<String>,
}

impl Sql {
    /// Adds a parameter; returns its placeholder.
    fn bind(&mut self, v: &str) -> String {
        self.binds.push(v.to_string());
        format!("${}", self.binds.len())
    }

    /// Runs the query as a one-off statement: PostgreSQL then plans it for
    /// these values. A cached statement would be given a generic plan after
    /// five runs, blind to how frequent the words are (a bitmap scan of every
    /// posting of a frequent word, then a sort: 25–60 ms instead of 1–5).
    async fn fetch(&self, sql: &str, conn: &mut Conn) -> Result<Vec<sqlx::any::AnyRow>> {
        Ok(bind_all(sqlx::query(sql), &self.binds)
            .persistent(false)
            .fetch_all(conn)
            .await?)
    }
}

/// The searcher's colleagues (members of their organizations) and friends.
fn personal_ids(q: &mut Sql, me: &str) -> String {
    let (a, b, c) = (q.bind(me), q.bind(me), q.bind(me));
    format!(
        "SELECT m2.user_id FROM memberships m1 JOIN memberships m2 ON m2.org_id = m1.org_id WHERE m1.user_id = {a} \
         UNION SELECT f.recipient_id FROM friendships f WHERE f.requester_id = {b} AND f.status = 'accepted' \
         UNION SELECT f.requester_id FROM friendships f WHERE f.recipient_id = {c} AND f.status = 'accepted'"
    )
}

/// The profession and workplace filters on a person's id column.
fn person_filters(q: &mut Sql, id_column: &str, scope: &SearchScope, workplace: bool) -> String {
    let mut sql = String::new();
    if let Some(prof) = &scope.profession {
        let b = q.bind(prof);
        sql.push_str(&format!(
            " AND EXISTS (SELECT 1 FROM professions pr WHERE pr.user_id = {id_column} \
             AND pr.profession = {b} AND pr.status <> 'rejected')"
        ));
    }
    if let (Some(wp), true) = (&scope.workplace, workplace) {
        let b = q.bind(wp);
        sql.push_str(&format!(
            " AND EXISTS (SELECT 1 FROM workplace_members wm WHERE wm.user_id = {id_column} AND wm.workplace_id = {b})"
        ));
    }
    sql
}

/// People among the ids `ids` selects (a `user_id` column) whose names pass
/// the filters. The list is first narrowed by index lookups: with `probe`,
/// to those holding one of these words (in the postings); for colleagues
/// (`external` false), to the filter's workplace. `external`: only those in
/// the external network (the workplace filter is then the one that gave
/// the ids).
fn docs_sql(
    q: &mut Sql,
    ids: &str,
    probe: Option<&[&str]>,
    external: bool,
    scope: &SearchScope,
    filters: &[&WordFilter],
    cap: i64,
) -> String {
    let mut narrow = Vec::new();
    if let Some(terms) = probe {
        let list = terms.iter().map(|t| q.bind(t)).collect::<Vec<_>>().join(", ");
        narrow.push(format!(
            "EXISTS (SELECT 1 FROM search_postings p WHERE p.term IN ({list}) AND p.doc_id = c.user_id)"
        ));
    }
    if let (Some(wp), false) = (&scope.workplace, external) {
        let b = q.bind(wp);
        narrow.push(format!(
            "EXISTS (SELECT 1 FROM workplace_members wm WHERE wm.workplace_id = {b} AND wm.user_id = c.user_id)"
        ));
    }
    let ids = if narrow.is_empty() {
        ids.to_string()
    } else {
        format!("SELECT c.user_id FROM ({ids}) c WHERE {}", narrow.join(" AND "))
    };
    let mut sql =
        format!("SELECT x.id, x.kind, x.folded FROM search_docs x WHERE x.id IN ({ids}) AND x.kind = 'person'");
    if external {
        sql.push_str(" AND x.external = 1");
    }
    for f in filters {
        sql.push_str(&format!(" AND {}", f.sql(q, "x.folded")));
    }
    sql.push_str(&person_filters(q, "x.id", scope, false));
    sql.push_str(&format!(" LIMIT {cap}"));
    sql
}

/// At most `limit` postings of `terms`, kept when in the external network,
/// of the kind asked, and passing the other words' filters; at most `hits`.
fn postings_sql(
    q: &mut Sql,
    terms: &[&str],
    limit: i64,
    kind: Option<DocKind>,
    scope: &SearchScope,
    filters: &[&WordFilter],
    hits: i64,
) -> String {
    let list = terms.iter().map(|t| q.bind(t)).collect::<Vec<_>>().join(", ");
    let mut sql = format!(
        "SELECT x.doc_id AS id, x.kind, x.folded FROM (SELECT p.doc_id, p.kind, p.external, p.folded \
         FROM search_postings p WHERE p.term IN ({list}) ORDER BY p.term, p.doc_id LIMIT {limit}) x \
         WHERE x.external = 1"
    );
    if let Some(k) = kind {
        sql.push_str(&format!(" AND x.kind = '{}'", k.as_str()));
    }
    for f in filters {
        sql.push_str(&format!(" AND {}", f.sql(q, "x.folded")));
    }
    sql.push_str(&person_filters(q, "x.doc_id", scope, true));
    sql.push_str(&format!(" LIMIT {hits}"));
    sql
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
