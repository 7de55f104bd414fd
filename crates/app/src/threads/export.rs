//! A closed thread exported as PDF for the record (SPEC 6): every message
//! with its author, profession and time, attachment names, then the history
//! of its calls (issue 17), in the reader's language and time zone. The
//! export is audited.

use super::access::manageable;
use super::pdf::{self, ExportCallEntry, ExportMessage, ThreadExport};
use super::reading::{org_name, show};
use super::views::message_views;
use crate::{audit, AppError, AppResult, Client, Ctx};
use cercle_domain::audit::{Actor, AuditAction, NewAuditEvent};
use cercle_domain::policy::Principal;
use cercle_domain::{Language, ThreadId};
use cercle_store::threads as store;

pub async fn pdf(
    ctx: &Ctx,
    client: &Client,
    principal: &Principal,
    id: ThreadId,
    lang: Language,
) -> AppResult<Vec<u8>> {
    let me = crate::network::me(principal)?;
    let view = show(ctx, client, principal, id, lang).await?;
    let Some(closed) = &view.closed else {
        return Err(AppError::Conflict("thread-open"));
    };
    let mut conn = ctx.store.reader().await?;
    let t = manageable(&mut conn, me.user_id, id).await?;
    let id = t.id;
    let mut rows = Vec::new();
    let mut before = i64::MAX;
    loop {
        let page = store::messages(&mut conn, id, before, 500).await?;
        if page.is_empty() {
            break;
        }
        before = page[0].seq;
        let mut page = page;
        page.extend(rows);
        rows = page;
    }
    let messages = message_views(&mut conn, id, rows, lang).await?;
    let local = cercle_domain::local_time::LocalTime::new(lang, crate::acting::zone_of(&mut conn, me.user_id).await?);
    // The history of its calls, oldest first, after the messages.
    let calls: Vec<ExportCallEntry> = crate::calls::records(ctx, &mut conn, id, crate::calls::EXPORT_LIMIT, lang)
        .await?
        .into_iter()
        .rev()
        .flat_map(|r| r.history)
        .map(|e| ExportCallEntry {
            time: local.date_time(e.at),
            text: e.text,
        })
        .collect();
    drop(conn);
    let organization = match t.org_id {
        Some(o) => org_name(ctx, o).await?.unwrap_or_default(),
        None => String::new(),
    };
    let closed_line = cercle_i18n::ta(
        lang,
        "thread-export-closed",
        &[("name", &closed.by_name), ("date", &local.date_time(closed.at))],
    );
    let export = ThreadExport {
        title: view.title.clone(),
        organization,
        patient: view.patient.as_ref().map(|p| p.name.clone()),
        participants: view.participants.iter().map(|p| p.name.clone()).collect(),
        closed: closed_line,
        generated: local.date_time(ctx.clock.now().0),
        generated_at: ctx.clock.now().0,
        lang,
        messages: messages
            .into_iter()
            .map(|m| ExportMessage {
                author: m.author.name,
                profession: m.author.profession,
                time: local.date_time(m.created_at),
                body: m.body,
                attachments: m.attachments.into_iter().map(|a| a.name).collect(),
                edited: m.edited_at.is_some(),
                retracted: m.retracted_at.is_some(),
            })
            .collect(),
        calls,
    };
    let bytes = tokio::task::spawn_blocking(move || pdf::render(&export))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))??;
    let mut ev = NewAuditEvent::new(
        Actor::User(me.user_id),
        "thread.exported",
        AuditAction::Export,
        "thread",
    )
    .target(id)
    .ip(client.ip.clone());
    ev.org_id = t.org_id.map(String::from);
    if let Some(p) = t.patient_file_id {
        ev = ev.scope("patient", p);
    }
    audit::record_alone(ctx, ev).await?;
    Ok(bytes)
}
