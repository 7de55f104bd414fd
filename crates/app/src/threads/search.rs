//! Searching the messages of the threads one may see (accent-insensitive,
//! in the database's own index).

use super::access::me;
use super::reading::list;
use super::views::FoundMessage;
use crate::{AppResult, Ctx};
use cercle_domain::policy::Principal;
use cercle_domain::{Language, ThreadId};
use cercle_store::threads as store;
use std::collections::HashMap;

/// Searches the messages of the threads one may see (accent-insensitive).
pub async fn search(ctx: &Ctx, principal: &Principal, q: &str, lang: Language) -> AppResult<Vec<FoundMessage>> {
    let me = me(principal)?;
    let words = crate::network::search::query_words(q)?;
    let mut threads = list(ctx, principal, false, lang).await?;
    threads.extend(list(ctx, principal, true, lang).await?);
    let titles: HashMap<String, String> = threads.iter().map(|t| (t.id.clone(), t.title.clone())).collect();
    let ids = threads
        .iter()
        .map(|t| t.id.parse())
        .collect::<Result<Vec<ThreadId>, _>>()?;
    crate::acting::limit(ctx, "thread-search", &me.user_id.to_string(), 60, 60).await?;
    let mut conn = ctx.store.reader().await?;
    let rows = store::search_messages(&mut conn, &ids, &words, 50).await?;
    Ok(rows
        .into_iter()
        .map(|m| FoundMessage {
            thread_title: titles.get(&m.thread_id.to_string()).cloned().unwrap_or_default(),
            thread_id: m.thread_id.to_string(),
            message_id: m.id.to_string(),
            seq: m.seq,
            excerpt: m.body.chars().take(200).collect(),
            created_at: m.created_at,
        })
        .collect())
}
