//! Writing and checking the audit log.

use crate::{AppResult, Ctx};
use cercle_domain::audit::{verify_chain, AuditRecord, ChainBreak, NewAuditEvent, GENESIS_HASH};
use cercle_domain::{AuditId, Timestamp};
use cercle_store::{audit, Conn};

/// Appends an event in the caller's transaction.
pub async fn record(conn: &mut Conn, ev: NewAuditEvent, now: Timestamp) -> AppResult<()> {
    audit::append(conn, &AuditId::new().to_string(), &ev, now).await?;
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

/// Walks the whole chain in pages.
pub async fn verify(ctx: &Ctx) -> AppResult<ChainStatus> {
    let mut conn = ctx.store.reader().await?;
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
    if last_seq != head_seq || prev != head_hash {
        return Ok(ChainStatus::Truncated { head_seq, last_seq });
    }
    Ok(ChainStatus::Intact { records: last_seq })
}
