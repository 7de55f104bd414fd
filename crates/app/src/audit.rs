//! Writing and checking the audit log.

use crate::{AppResult, Ctx};
use cercle_domain::audit::{verify_chain, AuditRecord, ChainBreak, NewAuditEvent, GENESIS_HASH};
use cercle_domain::{AuditId, PatientFileId, Timestamp, UnitId, UserId};
use cercle_store::{audit, Conn};

/// Appends an event in the caller's transaction.
pub async fn record(conn: &mut Conn, ev: NewAuditEvent, now: Timestamp) -> AppResult<()> {
    audit::append(conn, AuditId::new(), &ev, now).await?;
    Ok(())
}

/// Appends an event in a transaction of its own (for refusals, which roll
/// back everything else but must still be recorded).
pub async fn record_alone(ctx: &Ctx, ev: NewAuditEvent) -> AppResult<()> {
    let mut tx = ctx.store.begin().await?;
    record(&mut tx, ev, ctx.clock.now()).await?;
    tx.commit().await?;
    Ok(())
}

#[derive(Debug, PartialEq, Eq)]
pub enum ChainStatus {
    Intact {
        records: i64,
    },
    Broken(ChainBreak),
    /// The head says more records exist than the chain holds (the last ones removed).
    Truncated {
        head_seq: i64,
        last_seq: i64,
    },
}

/// Walks the whole chain in pages, the head and every page read in one
/// snapshot: events appended meanwhile are neither seen in the pages nor
/// counted in the head, so a chain being written to is not taken for a
/// truncated one (issue 13).
pub async fn verify(ctx: &Ctx) -> AppResult<ChainStatus> {
    let mut conn = ctx.store.read_snapshot().await?;
    let (head_seq, head_hash) = audit::head(&mut conn).await?;
    let mut prev = GENESIS_HASH.to_string();
    let mut last_seq = 0;
    loop {
        let page: Vec<AuditRecord> = audit::page(&mut conn, last_seq, 1000).await?;
        if page.is_empty() {
            break;
        }
        match verify_chain(&prev, &page) {
            Ok(h) => prev = h,
            Err(b) => return Ok(ChainStatus::Broken(b)),
        }
        last_seq = page.last().map(|r| r.seq).unwrap_or(last_seq);
    }
    // Read only: ending it either way leaves nothing behind.
    conn.rollback().await?;
    if last_seq != head_seq || prev != head_hash {
        return Ok(ChainStatus::Truncated { head_seq, last_seq });
    }
    Ok(ChainStatus::Intact { records: last_seq })
}

/// What an audit search asks for (all optional).
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchInput {
    pub actor_id: Option<String>,
    pub patient_id: Option<String>,
    pub target_type: Option<String>,
    pub action: Option<String>,
    pub unit_id: Option<String>,
    /// Unix milliseconds, inclusive.
    pub from: Option<i64>,
    /// Unix milliseconds, exclusive.
    pub to: Option<i64>,
    pub before_seq: Option<i64>,
    pub limit: Option<i64>,
    /// Leave out the searcher's own page views (what they only listed or
    /// read), which would otherwise fill the log they are reading.
    #[serde(default)]
    pub hide_own_views: bool,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct SearchPage {
    pub events: Vec<AuditRecord>,
    /// Pass as `before_seq` for the next (older) page.
    pub next_before_seq: Option<i64>,
    /// Names of the people the events name (actors, and people as
    /// targets), by id; deleted accounts are missing.
    #[serde(skip)]
    pub names: std::collections::HashMap<String, String>,
}

fn blank(o: &Option<String>) -> Option<String> {
    o.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// The query an auditor may run: only the units they audit (their grants'
/// units and everything below), narrowed by the filters.
async fn query_for(
    ctx: &Ctx,
    scope: &crate::org_scope::OrgScope,
    input: &SearchInput,
    limit: i64,
) -> AppResult<audit::AuditQuery> {
    use cercle_domain::roles::Permission;
    if !scope.may_anywhere(Permission::ReadAudit) {
        return Err(crate::AppError::Forbidden);
    }
    let units = {
        let mut conn = ctx.store.reader().await?;
        cercle_store::orgs::units_of(&mut conn, scope.org_id).await?
    };
    let wanted_root = match blank(&input.unit_id) {
        Some(id) => Some(
            units
                .iter()
                .find(|u| u.id.to_string() == id)
                .ok_or(crate::AppError::NotFound)?
                .path
                .clone(),
        ),
        None => None,
    };
    let mut allowed: Vec<UnitId> = units
        .iter()
        .filter(|u| scope.may(Permission::ReadAudit, u))
        .filter(|u| wanted_root.as_deref().is_none_or(|root| u.path.starts_with(root)))
        .map(|u| u.id)
        .collect();
    // A person or patient filter that is no id names nobody: no events
    // (an empty list of units finds none), as before ids were typed.
    let actor_id = blank(&input.actor_id).map(|a| UserId::parse(&a));
    let patient_id = blank(&input.patient_id).map(|p| PatientFileId::parse(&p));
    if matches!(actor_id, Some(None)) || matches!(patient_id, Some(None)) {
        allowed.clear();
    }
    let whole_org = wanted_root.is_none() && allowed.len() == units.len();
    let action = match blank(&input.action) {
        Some(a) if ["CREATE", "READ", "UPDATE", "DELETE", "LIST", "EXPORT"].contains(&a.to_uppercase().as_str()) => {
            Some(a.to_uppercase())
        }
        Some(_) => return Err(crate::AppError::Conflict("invalid-action")),
        None => None,
    };
    Ok(audit::AuditQuery {
        org_id: scope.org_id,
        unit_ids: if whole_org { None } else { Some(allowed) },
        actor_id: actor_id.flatten(),
        patient_id: patient_id.flatten(),
        target_type: blank(&input.target_type),
        action,
        from: input.from,
        to: input.to,
        before_seq: input.before_seq,
        hide_views_by: input.hide_own_views.then_some(scope.user_id),
        limit,
    })
}

/// Target types whose id is a person's.
const PERSON_TARGETS: [&str; 3] = ["user", "member", "circle_member"];

/// The names of the people a page of events names.
async fn names_in(conn: &mut Conn, events: &[AuditRecord]) -> AppResult<std::collections::HashMap<String, String>> {
    let mut ids: Vec<String> = events
        .iter()
        .filter_map(|e| e.actor_id.clone())
        .chain(
            events
                .iter()
                .filter(|e| PERSON_TARGETS.contains(&e.target_type.as_str()))
                .filter_map(|e| e.target_id.clone()),
        )
        .collect();
    ids.sort();
    ids.dedup();
    let mut names = std::collections::HashMap::new();
    // In slices, to stay under every backend's limit of bound parameters.
    for chunk in ids.chunks(500) {
        names.extend(cercle_store::network::names(conn, chunk).await?);
    }
    Ok(names)
}

/// The names of the people in records the caller already holds (read
/// through [`search`] or `admin::audit_log`, which checked who may read them).
pub async fn names_of(ctx: &Ctx, events: &[AuditRecord]) -> AppResult<std::collections::HashMap<String, String>> {
    let mut conn = ctx.store.reader().await?;
    names_in(&mut conn, events).await
}

/// The organization's people, by name, for the audit log's person filter
/// (auditors only).
pub async fn people(ctx: &Ctx, scope: &crate::org_scope::OrgScope) -> AppResult<Vec<(String, String)>> {
    use cercle_domain::roles::Permission;
    if !scope.may_anywhere(Permission::ReadAudit) {
        return Err(crate::AppError::Forbidden);
    }
    let mut conn = ctx.store.reader().await?;
    Ok(cercle_store::members::members_of(&mut conn, scope.org_id)
        .await?
        .into_iter()
        .map(|m| (m.user_id.to_string(), m.name))
        .collect())
}

/// A person's name by id, for a filter naming someone no longer a member.
pub async fn name_of(ctx: &Ctx, scope: &crate::org_scope::OrgScope, user_id: &str) -> AppResult<Option<String>> {
    use cercle_domain::roles::Permission;
    if !scope.may_anywhere(Permission::ReadAudit) {
        return Err(crate::AppError::Forbidden);
    }
    let mut conn = ctx.store.reader().await?;
    Ok(cercle_store::network::names(&mut conn, &[user_id.to_string()])
        .await?
        .into_iter()
        .next()
        .map(|(_, n)| n))
}

/// Searches the organization's audit log (administrators and auditors of
/// the unit or above); the search itself is recorded.
pub async fn search(
    ctx: &Ctx,
    client: &crate::Client,
    scope: &crate::org_scope::OrgScope,
    input: &SearchInput,
) -> AppResult<SearchPage> {
    let limit = input.limit.unwrap_or(50).clamp(1, 200);
    let q = query_for(ctx, scope, input, limit).await?;
    let (events, names) = {
        let mut conn = ctx.store.reader().await?;
        let events = audit::search(&mut conn, &q).await?;
        let names = names_in(&mut conn, &events).await?;
        (events, names)
    };
    record_alone(
        ctx,
        scope.event(
            "audit.searched",
            cercle_domain::audit::AuditAction::List,
            "audit",
            scope.root_unit_id,
            client,
        ),
    )
    .await?;
    let next_before_seq = if events.len() as i64 == limit {
        events.last().map(|e| e.seq)
    } else {
        None
    };
    Ok(SearchPage {
        events,
        next_before_seq,
        names,
    })
}

/// Most rows one CSV export holds.
pub const EXPORT_MAX_ROWS: i64 = 100_000;

/// The same search as CSV (at most [`EXPORT_MAX_ROWS`] rows); the export is
/// itself recorded.
pub async fn export_csv(
    ctx: &Ctx,
    client: &crate::Client,
    scope: &crate::org_scope::OrgScope,
    input: &SearchInput,
) -> AppResult<String> {
    use cercle_domain::roles::Permission;
    if !scope.may_anywhere(Permission::ExportAudit) {
        return Err(crate::AppError::Forbidden);
    }
    let q = query_for(ctx, scope, input, EXPORT_MAX_ROWS).await?;
    let events = {
        let mut conn = ctx.store.reader().await?;
        audit::search(&mut conn, &q).await?
    };
    record_alone(
        ctx,
        scope
            .event(
                "audit.exported",
                cercle_domain::audit::AuditAction::Export,
                "audit",
                scope.root_unit_id,
                client,
            )
            .scope("rows", events.len()),
    )
    .await?;
    let mut out =
        String::from("seq,id,time_utc,unit_id,actor_kind,actor_id,event,action,target_type,target_id,scopes,ip,hash\n");
    for e in &events {
        let fields = [
            e.seq.to_string(),
            e.id.clone(),
            Timestamp(e.at).to_utc_string(),
            e.unit_id.clone().unwrap_or_default(),
            e.actor_kind.as_str().to_string(),
            e.actor_id.clone().unwrap_or_default(),
            e.event.clone(),
            e.action.clone(),
            e.target_type.clone(),
            e.target_id.clone().unwrap_or_default(),
            e.scopes.clone(),
            e.ip.clone().unwrap_or_default(),
            e.hash.clone(),
        ];
        out.push_str(&fields.iter().map(|f| csv_field(f)).collect::<Vec<_>>().join(","));
        out.push('\n');
    }
    Ok(out)
}

/// Quotes a CSV field, and defuses spreadsheet formulas.
fn csv_field(f: &str) -> String {
    let f = if f.starts_with(['=', '+', '-', '@']) {
        format!("'{f}")
    } else {
        f.to_string()
    };
    if f.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", f.replace('"', "\"\""))
    } else {
        f
    }
}
