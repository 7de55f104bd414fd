//! Parameters of the large multi-row statements, as SQLite binds them fast.
//!
//! Our SQL numbers its parameters `$1, $2, …`, which both databases read.
//! SQLite takes `$1` for a *named* parameter: it keeps the names in a list,
//! and sqlx asks for the name of each parameter as it binds it
//! (`sqlite3_bind_parameter_name`), which walks that list from its start.
//! Binding the n parameters of a statement so costs n²/2 steps: for the
//! group commit's inserts of 100 rows (up to 1,600 parameters) it was 42 %
//! of the time of the writer's SQLite thread at the ceiling
//! (docs/benchmarks.md section 25). Anonymous `?` parameters have no
//! names, and are bound in order at once.

use crate::Conn;
use std::borrow::Cow;

/// `sql` as `conn`'s database binds it fastest: on SQLite, its `$1, $2, …`
/// as `?` when each appears once and in order (then binding in order is
/// the same thing); otherwise, and on PostgreSQL, unchanged.
pub(crate) fn positional<'a>(conn: &Conn, sql: &'a str) -> Cow<'a, str> {
    if conn.backend_name() != "SQLite" {
        return Cow::Borrowed(sql);
    }
    anonymous(sql).map_or(Cow::Borrowed(sql), Cow::Owned)
}

/// `sql` with `$1, $2, …` written `?`; `None` unless they are numbered 1, 2,
/// … in the order they appear, once each, with no `?` already there
/// (quoted text is left alone).
fn anonymous(sql: &str) -> Option<String> {
    let mut out = String::with_capacity(sql.len());
    let mut next = 1u64;
    let mut quoted = false;
    let mut chars = sql.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '\'' => {
                quoted = !quoted;
                out.push(c);
            }
            '?' if !quoted => return None,
            '$' if !quoted => {
                let start = i + 1;
                let mut end = start;
                while let Some(&(j, d)) = chars.peek() {
                    if !d.is_ascii_digit() {
                        break;
                    }
                    end = j + 1;
                    chars.next();
                }
                if end == start || sql[start..end].parse::<u64>().ok()? != next {
                    return None;
                }
                next += 1;
                out.push('?');
            }
            _ => out.push(c),
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::anonymous;

    #[test]
    fn numbered_in_order_become_anonymous() {
        assert_eq!(
            anonymous("INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4)").as_deref(),
            Some("INSERT INTO t (a, b) VALUES (?, ?), (?, ?)")
        );
        assert_eq!(
            anonymous("SELECT '$1 costs ?' WHERE a = $1 AND b = $2").as_deref(),
            Some("SELECT '$1 costs ?' WHERE a = ? AND b = ?")
        );
        assert_eq!(anonymous("SELECT 1").as_deref(), Some("SELECT 1"));
    }

    #[test]
    fn anything_else_is_left_alone() {
        // Used twice, out of order, skipping one, or mixed with `?`.
        assert_eq!(anonymous("SELECT $1 WHERE a = $1"), None);
        assert_eq!(anonymous("SELECT $2, $1"), None);
        assert_eq!(anonymous("SELECT $1, $3"), None);
        assert_eq!(anonymous("SELECT $1, ?"), None);
        assert_eq!(anonymous("SELECT $a"), None);
        assert_eq!(anonymous("SELECT $10"), None);
    }
}
