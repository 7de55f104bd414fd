//! Notifications (SPEC 9): what people are told about, the in-app
//! notification centre, and the worker that rings their devices.
//!
//! Recording is cheap and transactional: the action that causes a
//! notification (a message, a thread put in a triage box, a friend request,
//! a new version of a pinned document, an invitation) writes it in its own
//! transaction, so nothing is lost and nothing is told of an action that
//! rolled back. The worker then applies the rules of
//! [`cercle_domain::notification_rules`] at the time of its clock: ring now
//! or stay quiet (working hours, absence, muted thread; high priority breaks
//! through), one email alert when notifications stay unread past the
//! person's delay, and for an unacknowledged high-priority message repeated
//! rings then one SMS.
//!
//! Nothing here carries content: a notification's text is chosen from its
//! kind and the kind of thread ("New message in a clinical thread"), and its
//! link is a path that goes through the usual access checks when opened.

use crate::acting::{limit, person};
use crate::bus::{Bus, Topic};
use crate::outbox::{queue_email, queue_sms, Outgoing};
use crate::push::{self, PushMessage, Urgency};
use crate::{AppError, AppResult, Ctx};
use cercle_domain::events::EventKind;
use cercle_domain::notification_rules::{self as rules, Escalation, FollowUp, Priority, Recipient, Ring};
use cercle_domain::policy::Principal;
use cercle_domain::{InputError, Language, MessageId, NotificationId, ThreadId, Timestamp, UserId};
use cercle_store::notifications::{self as store, Delivery, NotificationRow};
use cercle_store::threads::{Numbered, ThreadRow};
use cercle_store::{users, Conn};
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

/// Server-wide notification settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotifySettings {
    /// Minutes before an unread notification becomes an email, for people
    /// who did not choose their own.
    pub email_delay_mins: i64,
    pub escalation: Escalation,
    /// Pushes for one high-priority message at most (the first one and the
    /// repeats): a phone left in a drawer is not rung forever.
    pub max_rings: i64,
    /// How far ahead the worker looks for a person's next working minute.
    pub horizon_days: i64,
}

impl Default for NotifySettings {
    fn default() -> Self {
        NotifySettings {
            email_delay_mins: 15,
            escalation: Escalation {
                repeat_every_secs: 5 * 60,
                sms_after_secs: 15 * 60,
            },
            max_rings: 12,
            horizon_days: 8,
        }
    }
}

/// The email-alert delays a person may choose, in minutes.
pub const DELAY_CHOICES: [i64; 7] = [5, 15, 30, 60, 120, 240, 1440];
/// Notifications shown in the centre.
const CENTRE_LIMIT: i64 = 100;
/// Notifications the worker takes per round.
const WORKER_BATCH: i64 = 100;
/// Mutes and preference changes per person and hour.
pub const CHANGES_PER_HOUR: i64 = 120;
/// Read notifications are kept this long.
const KEEP_READ_DAYS: i64 = 90;

/// What a notification is about.
pub use cercle_domain::notification_rules::NotificationKind as Kind;

/// A thread's kind as notifications name it (the text differs, never the
/// content): a care channel's threads are "channel".
fn thread_kind(t: &ThreadRow) -> &'static str {
    if t.channel_id.is_some() {
        return "channel";
    }
    match t.kind.as_str() {
        "clinical" => "clinical",
        "direct" => "direct",
        _ => "collaboration",
    }
}

/// A new message: everyone the thread reaches but its author is told. A
/// normal message folds into the person's unread notification of the
/// thread; a high-priority one has its own, followed up until acknowledged.
/// `message_event`, the thread's own entry for the message if the caller
/// has not logged it, goes into the log with the bell entries, first (one
/// statement less for the writer per message). `numbered`: where the
/// thread's numbering stands with the message. In the caller's transaction.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn on_message(
    bus: &dyn Bus,
    conn: &mut Conn,
    t: &ThreadRow,
    author_id: UserId,
    message_id: MessageId,
    high_priority: bool,
    message_event: Option<cercle_store::events::NewEvent<'_>>,
    numbered: Numbered,
    now: Timestamp,
) -> AppResult<()> {
    let posted = Posted {
        thread: t,
        messages: vec![(author_id, message_id, high_priority)],
        numbered,
    };
    on_messages(bus, conn, &[posted], message_event.into_iter().collect(), now).await
}

/// One thread's messages of a batch of posts, in the order posted.
pub(crate) struct Posted<'a> {
    pub thread: &'a ThreadRow,
    /// Each message's author, id, and whether it is high priority.
    pub messages: Vec<(UserId, MessageId, bool)>,
    /// Where the thread's numbering stands with them.
    pub numbered: Numbered,
}

/// Each person's share of one thread's messages: everyone the thread
/// reaches (told of the normal messages not theirs), and the authors (whose
/// own messages a counting notification takes off, `store::Counting`).
/// Only those with a normal message in it.
fn shares(recipients: &[UserId], messages: &[(UserId, MessageId, bool)]) -> Vec<store::Share> {
    let reached: HashSet<UserId> = recipients.iter().copied().collect();
    let mut people: Vec<UserId> = recipients.to_vec();
    for &(author, _, _) in messages {
        if !reached.contains(&author) && !people.contains(&author) {
            people.push(author);
        }
    }
    people
        .into_iter()
        .filter_map(|person| {
            let reached = reached.contains(&person);
            let mut share = store::Share {
                user_id: person,
                others: 0,
                own: 0,
                actor: None,
            };
            for &(author, _, _) in messages.iter().filter(|&&(_, _, urgent)| !urgent) {
                if author == person {
                    share.own += 1;
                } else if reached {
                    share.others += 1;
                    share.actor = Some(author);
                }
            }
            (share.others > 0 || share.own > 0).then_some(share)
        })
        .collect()
}

/// [`on_message`] for the messages of a batch of posts, with the same
/// outcome as telling of them one after the other, in a few statements per
/// thread rather than several per message: each person's unread
/// notification of the thread counts all the normal messages not theirs
/// (its actor the last of their authors) and is written only if something
/// else about it changes (`store::fold_batch`), a high-priority message
/// has its own for each, and one set of bell entries names everyone told.
/// `message_events`, the threads' own entries for the messages, go into the
/// log first, in the same statement. In the caller's transaction.
pub(crate) async fn on_messages(
    bus: &dyn Bus,
    conn: &mut Conn,
    posted: &[Posted<'_>],
    message_events: Vec<cercle_store::events::NewEvent<'_>>,
    now: Timestamp,
) -> AppResult<()> {
    let mut rows: Vec<NotificationRow> = Vec::new();
    let mut told: Vec<String> = Vec::new();
    let mut seen: HashSet<UserId> = HashSet::new();
    for p in posted {
        let t = p.thread;
        let link = thread_link(&t.id.to_string());
        let recipients = cercle_store::threads::people_reached(&mut *conn, t.id).await?;
        for &r in &recipients {
            if p.messages.iter().any(|&(author, _, _)| author != r) && seen.insert(r) {
                told.push(r.to_string());
            }
        }
        let shares = shares(&recipients, &p.messages);
        let had: HashSet<UserId> =
            store::fold_batch(&mut *conn, t.id, &shares, p.numbered, rules::RING_AGAIN_AFTER_MS, now)
                .await?
                .into_iter()
                .collect();
        for s in shares.iter().filter(|s| s.others > 0 && !had.contains(&s.user_id)) {
            let mut row = NotificationRow::new(s.user_id, Kind::Message, s.actor, link.clone(), now);
            row.thread_kind = thread_kind(t).into();
            row.thread_id = Some(t.id);
            row.count = s.others;
            row.counting = Some(store::Counting::after(p.numbered));
            rows.push(row);
        }
        for &(author, message_id, urgent) in &p.messages {
            if !urgent {
                continue;
            }
            for &user_id in recipients.iter().filter(|&&r| r != author) {
                let mut row = NotificationRow::new(user_id, Kind::Message, Some(author), link.clone(), now);
                row.thread_kind = thread_kind(t).into();
                row.thread_id = Some(t.id);
                row.high_priority = true;
                row.message_id = Some(message_id);
                rows.push(row);
            }
        }
    }
    store::insert_many(&mut *conn, &rows).await?;
    announce_after(bus, conn, message_events, &told, now).await
}

fn thread_link(thread_id: &str) -> String {
    format!("/threads/{thread_id}")
}

/// A thread landed (or came back) in a team's triage box: the team's
/// managers are told, each per their own schedule. In the caller's
/// transaction.
pub(crate) async fn on_triage(
    bus: &dyn Bus,
    conn: &mut Conn,
    t: &ThreadRow,
    team_id: &str,
    actor_id: &str,
    now: Timestamp,
) -> AppResult<()> {
    let managers = cercle_store::teams::members(&mut *conn, team_id.parse()?)
        .await?
        .into_iter()
        .filter(|m| m.role == cercle_domain::policy::teams::TeamRole::Manager)
        .map(|m| m.user_id.to_string())
        .collect();
    let told = tell_about_thread(conn, t, managers, Kind::Triage, actor_id, now).await?;
    announce(bus, conn, &told, now).await
}

/// Tells `recipients` (but the actor) about the thread: one more thing in
/// each one's unread notification of the thread, or a new one of `kind`
/// (`store::fold_many`; such a notification does not count messages until
/// one is folded into it). Set-based, so that a large team costs a few
/// statements rather than several per recipient (see docs/benchmarks.md).
/// Returns everyone told, folded or new: the caller announces it to them.
async fn tell_about_thread(
    conn: &mut Conn,
    t: &ThreadRow,
    recipients: Vec<String>,
    kind: Kind,
    actor_id: &str,
    now: Timestamp,
) -> AppResult<Vec<String>> {
    let actor_id = actor_id.parse::<UserId>()?;
    let thread_id = t.id;
    let mut recipients = recipients
        .iter()
        .map(|u| u.parse::<UserId>())
        .collect::<Result<Vec<UserId>, _>>()?;
    recipients.retain(|u| *u != actor_id);
    let folded_or_new: Vec<String> = recipients.iter().map(UserId::to_string).collect();
    let folded: HashSet<UserId> = store::fold_many(
        &mut *conn,
        &recipients,
        thread_id,
        actor_id,
        rules::RING_AGAIN_AFTER_MS,
        now,
    )
    .await?
    .into_iter()
    .collect();
    recipients.retain(|u| !folded.contains(u));
    let rows: Vec<NotificationRow> = recipients
        .iter()
        .map(|&user_id| {
            let mut row = NotificationRow::new(user_id, kind, Some(actor_id), thread_link(&t.id.to_string()), now);
            row.thread_kind = thread_kind(t).into();
            row.thread_id = Some(thread_id);
            row
        })
        .collect();
    store::insert_many(&mut *conn, &rows).await?;
    Ok(folded_or_new)
}

// ---- The per-person live stream -------------------------------------------------

/// The kind of the event-log entries that tell a person their notifications
/// changed, on that person's topic. Such an entry carries nothing (`{}`):
/// each person's stream turns it into their own count and latest
/// notification at that moment ([`live_event`]).
pub const LIVE_KIND: EventKind = EventKind::Notifications;

/// Whether an event is a change of notifications (`Some`), and whether it
/// is this person's (`Some(true)`): on their own topic, or among the people
/// a batch names.
pub fn live_concerns(e: &crate::threads::hub::Event, user_id: &str) -> Option<bool> {
    if e.kind != LIVE_KIND {
        return None;
    }
    match e.topic {
        Topic::Person(p) => Some(p.to_string() == user_id),
        Topic::People => Some(
            e.data["users"]
                .as_array()
                .is_some_and(|users| users.iter().any(|u| u.as_str() == Some(user_id))),
        ),
        _ => None,
    }
}

/// At most this many people are named in one logged bell entry.
const LIVE_CHUNK: usize = 500;

/// Logs, in the caller's transaction, that these people's notifications
/// changed. One person: an entry on their person topic. Several (everyone a
/// message reaches): one entry per chunk on the `people` topic naming them,
/// because every node's dispatcher hands every logged entry to every open
/// connection, so an entry per person would cost a thread of a hundred
/// people a hundred entries per message for each connection to skip. The
/// entries travel like the threads' (the log, then every node's
/// dispatcher), so they are sent only if the transaction commits, to every
/// open page of theirs on any node.
pub(crate) async fn announce(bus: &dyn Bus, conn: &mut Conn, user_ids: &[String], now: Timestamp) -> AppResult<()> {
    announce_after(bus, conn, Vec::new(), user_ids, now).await
}

/// [`announce`], with `first` logged before the bell entries in the same
/// statements. The transaction wakes the other nodes once, whatever it
/// logged: the wake-up says "read the log", which has every topic (on
/// PostgreSQL each wake-up is a `pg_notify` statement; a batch of posts
/// used to send one per thread and one for the bell).
async fn announce_after(
    bus: &dyn Bus,
    conn: &mut Conn,
    first: Vec<cercle_store::events::NewEvent<'_>>,
    user_ids: &[String],
    now: Timestamp,
) -> AppResult<()> {
    let topic = match user_ids {
        [] => None,
        [one] => match one.parse::<cercle_domain::UserId>() {
            Ok(id) => Some(Topic::Person(id)),
            Err(_) => {
                tracing::warn!(user_id = %one, "no live notification for an id that is no person's");
                None
            }
        },
        _ => Some(Topic::People),
    };
    let payloads: Vec<String> = match topic {
        None => Vec::new(),
        Some(Topic::People) => user_ids
            .chunks(LIVE_CHUNK)
            .map(|chunk| serde_json::json!({ "users": chunk }).to_string())
            .collect(),
        Some(_) => vec!["{}".to_string()],
    };
    let woken = first.first().map(|e| e.topic).or(topic);
    let events: Vec<cercle_store::events::NewEvent> = first
        .into_iter()
        .chain(topic.iter().flat_map(|&topic| {
            payloads.iter().map(move |payload| cercle_store::events::NewEvent {
                topic,
                kind: LIVE_KIND,
                payload,
            })
        }))
        .collect();
    cercle_store::events::append_events(&mut *conn, &events, now).await?;
    if let Some(topic) = woken {
        bus.durable_in(&mut *conn, &topic).await?;
    }
    Ok(())
}

/// After a person read notifications: their other pages follow. In a
/// transaction of its own (it only takes the event log's head, so it never
/// waits on a notification row while holding it).
pub(crate) async fn announce_alone(ctx: &Ctx, user_id: &str) -> AppResult<()> {
    let mut tx = ctx.store.begin().await?;
    announce(&*ctx.bus, &mut tx, &[user_id.to_string()], ctx.clock.now()).await?;
    tx.commit().await?;
    ctx.bus.committed().await;
    Ok(())
}

/// What a person's stream sends when their notifications changed: the
/// unread count, its words for screen readers ("2 unread"), and the latest
/// notification. Only the person's own.
pub async fn live_event(
    ctx: &Ctx,
    user_id: &str,
    lang: Language,
    id: Option<i64>,
) -> AppResult<crate::threads::hub::Event> {
    let user_id = user_id.parse::<UserId>()?;
    let list = list_of(ctx, user_id, lang, 1).await?;
    let label = cercle_i18n::ta(lang, "notif-live-unread", &[("count", &list.unread.to_string())]);
    let topic = Topic::Person(user_id);
    let data = serde_json::json!({
        "unread": list.unread,
        "label": label,
        "latest": list.items.into_iter().next(),
    });
    Ok(crate::threads::hub::Event::new(id, topic, LIVE_KIND, data))
}

/// [`live_event`] for live connections: one read per person, language and
/// change of their notifications for the whole node, shared by every
/// connection of the person that asks meanwhile or within a moment
/// ([`crate::flights`]). Each connection asks only once it has received
/// the change `id`, so the shared read, started by the first of them, sees
/// that change; a later change has another id and its own read. Without an
/// id, a read of its own. `DatabaseUnavailable` when it could not be read.
pub async fn live_event_shared(
    ctx: &Ctx,
    user_id: &str,
    lang: Language,
    id: Option<i64>,
) -> AppResult<Arc<crate::threads::hub::Event>> {
    let Some(id) = id else {
        return live_event(ctx, user_id, lang, None).await.map(Arc::new);
    };
    let user = user_id.parse::<UserId>()?;
    ctx.hub
        .bells
        .get((user, lang, id), || async {
            live_event(ctx, user_id, lang, Some(id)).await.ok().map(Arc::new)
        })
        .await
        .ok_or(AppError::DatabaseUnavailable)
}

/// The thread just opened for a new version of a pinned document: its
/// notifications say so instead of "new message".
pub(crate) async fn as_pinned_version(conn: &mut Conn, thread_id: &str) -> AppResult<()> {
    store::retag(conn, thread_id.parse()?, Kind::Message, Kind::PinnedVersion).await?;
    Ok(())
}

/// A notification not about a thread (a friend request, an invitation).
pub(crate) async fn on_personal(
    bus: &dyn Bus,
    conn: &mut Conn,
    user_id: &str,
    kind: Kind,
    actor_id: Option<&str>,
    link: &str,
    now: Timestamp,
) -> AppResult<()> {
    let row = NotificationRow::new(
        user_id.parse()?,
        kind,
        actor_id.map(str::parse).transpose()?,
        link.to_string(),
        now,
    );
    store::insert(&mut *conn, &row).await?;
    announce(bus, conn, &[user_id.to_string()], now).await
}

// ---- The notification centre ---------------------------------------------------

/// A notification as its owner sees it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct NotificationView {
    pub id: String,
    pub kind: String,
    /// clinical | collaboration | direct | channel, or empty.
    pub thread_kind: String,
    /// The generic text, in the reader's language.
    pub text: String,
    pub actor_name: Option<String>,
    /// Messages folded into it.
    pub count: i64,
    pub link: String,
    pub high_priority: bool,
    pub created_at: i64,
    pub updated_at: i64,
    pub read: bool,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct NotificationList {
    pub unread: i64,
    pub items: Vec<NotificationView>,
}

/// The generic text of a notification: never content, never patient data.
pub fn text(lang: Language, kind: Kind, thread_kind: &str, high_priority: bool) -> String {
    let key = match (kind, high_priority) {
        (Kind::Message, true) => format!("notif-urgent-{}", thread_kind_or(thread_kind)),
        (Kind::Message, false) => format!("notif-message-{}", thread_kind_or(thread_kind)),
        (Kind::Triage, _) => "notif-triage".into(),
        (Kind::FriendRequest, _) => "notif-friend-request".into(),
        (Kind::PinnedVersion, _) => "notif-pinned-version".into(),
        (Kind::Invitation, _) => "notif-invitation".into(),
    };
    cercle_i18n::t(lang, &key)
}

fn thread_kind_or(k: &str) -> &str {
    match k {
        "clinical" | "direct" | "channel" => k,
        _ => "collaboration",
    }
}

/// One's latest notifications and how many are unread.
pub async fn list(ctx: &Ctx, principal: &Principal, lang: Language) -> AppResult<NotificationList> {
    let me = person(principal)?;
    list_of(ctx, me.user_id, lang, CENTRE_LIMIT).await
}

async fn list_of(ctx: &Ctx, user_id: UserId, lang: Language, limit: i64) -> AppResult<NotificationList> {
    let mut conn = ctx.store.reader().await?;
    let rows = store::list(&mut conn, user_id, limit).await?;
    let unread = store::unread_count(&mut conn, user_id).await?;
    // Every actor's name in one query (a deleted account has none).
    let mut actors: Vec<String> = rows.iter().filter_map(|r| r.actor_id.map(String::from)).collect();
    actors.sort();
    actors.dedup();
    let names: HashMap<String, String> = cercle_store::network::names(&mut conn, &actors)
        .await?
        .into_iter()
        .collect();
    let mut items = Vec::with_capacity(rows.len());
    for r in rows {
        let actor_name = r.actor_id.and_then(|a| names.get(&a.to_string()).cloned());
        items.push(NotificationView {
            text: text(lang, r.kind, &r.thread_kind, r.high_priority),
            id: r.id.to_string(),
            kind: r.kind.as_str().into(),
            thread_kind: r.thread_kind,
            actor_name,
            count: r.count,
            link: r.link,
            high_priority: r.high_priority,
            created_at: r.created_at,
            updated_at: r.updated_at,
            read: r.read_at.is_some(),
        });
    }
    Ok(NotificationList { unread, items })
}

pub async fn unread_count(ctx: &Ctx, principal: &Principal) -> AppResult<i64> {
    let me = person(principal)?;
    let mut conn = ctx.store.reader().await?;
    Ok(store::unread_count(&mut conn, me.user_id).await?)
}

/// Opens one of one's notifications: marks it read and gives its link.
pub async fn open(ctx: &Ctx, principal: &Principal, id: NotificationId) -> AppResult<String> {
    let me = person(principal)?;
    let user_id = me.user_id;
    let mut tx = ctx.store.begin().await?;
    let row = store::get(&mut tx, id)
        .await?
        .filter(|r| r.user_id == user_id)
        .ok_or(AppError::NotFound)?;
    let was_unread = row.read_at.is_none();
    store::mark_read(&mut tx, user_id, id, ctx.clock.now()).await?;
    tx.commit().await?;
    if was_unread {
        announce_alone(ctx, &user_id.to_string()).await?;
    }
    Ok(row.link)
}

pub async fn mark_all_read(ctx: &Ctx, principal: &Principal) -> AppResult<u64> {
    let me = person(principal)?;
    let mut tx = ctx.store.begin().await?;
    let n = store::mark_all_read(&mut tx, me.user_id, ctx.clock.now()).await?;
    tx.commit().await?;
    if n > 0 {
        announce_alone(ctx, &me.user_id.to_string()).await?;
    }
    Ok(n)
}

// ---- Muted threads and preferences ---------------------------------------------

/// Mutes or unmutes a thread one reaches: its normal messages stay in the
/// centre without ringing; high priority still rings.
pub async fn set_muted(ctx: &Ctx, principal: &Principal, thread_id: ThreadId, muted: bool) -> AppResult<()> {
    let me = person(principal)?;
    let user_id = me.user_id.to_string();
    // The one door of thread actions: what one cannot read, one cannot mute.
    crate::threads::access::reachable_by_id(ctx, principal, thread_id).await?;
    limit(ctx, "notification-settings", &user_id, CHANGES_PER_HOUR, 3600).await?;
    let mut tx = ctx.store.begin().await?;
    store::set_muted(&mut tx, me.user_id, thread_id, muted, ctx.clock.now()).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn is_muted(ctx: &Ctx, principal: &Principal, thread_id: ThreadId) -> AppResult<bool> {
    let me = person(principal)?;
    crate::threads::access::reachable_by_id(ctx, principal, thread_id).await?;
    let mut conn = ctx.store.reader().await?;
    Ok(store::is_muted(&mut conn, me.user_id, thread_id).await?)
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MutedThread {
    pub thread_id: String,
    pub title: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Preferences {
    pub email_alerts: bool,
    pub email_delay_mins: i64,
    /// The delays one may choose, in minutes.
    pub delay_choices: Vec<i64>,
    /// Whether SMS escalation can reach the person (a verified phone).
    pub has_phone: bool,
    /// Muted threads one still reaches.
    pub muted: Vec<MutedThread>,
}

async fn prefs_of(conn: &mut Conn, settings: &NotifySettings, user_id: UserId) -> AppResult<(bool, i64)> {
    Ok(store::prefs(conn, user_id)
        .await?
        .unwrap_or((true, settings.email_delay_mins)))
}

pub async fn preferences(ctx: &Ctx, principal: &Principal, lang: Language) -> AppResult<Preferences> {
    let me = person(principal)?;
    let user_id = me.user_id.to_string();
    let (email_alerts, email_delay_mins, has_phone, candidates) = {
        let mut conn = ctx.store.reader().await?;
        let (on, delay) = prefs_of(&mut conn, &ctx.config.notifications, me.user_id).await?;
        let u = users::get(&mut conn, &user_id).await?;
        let muted = store::muted_threads(&mut conn, me.user_id, 100).await?;
        (on, delay, u.phone_verified_at.is_some(), muted)
    };
    // A thread one was removed from is not named any more.
    let mut muted = Vec::new();
    for (thread_id, title, text) in candidates {
        let thread_id = thread_id.to_string();
        if crate::threads::access::may_receive(ctx, &user_id, &thread_id).await? {
            let title = crate::texts::shown(&title, text.as_deref(), lang, cercle_domain::threads::MAX_TITLE_CHARS);
            muted.push(MutedThread { thread_id, title });
        }
    }
    Ok(Preferences {
        email_alerts,
        email_delay_mins,
        delay_choices: DELAY_CHOICES.to_vec(),
        has_phone,
        muted,
    })
}

pub async fn set_preferences(
    ctx: &Ctx,
    principal: &Principal,
    email_alerts: bool,
    email_delay_mins: i64,
) -> AppResult<()> {
    let me = person(principal)?;
    if !DELAY_CHOICES.contains(&email_delay_mins) {
        return Err(InputError::NotificationDelayInvalid.into());
    }
    limit(
        ctx,
        "notification-settings",
        &me.user_id.to_string(),
        CHANGES_PER_HOUR,
        3600,
    )
    .await?;
    let mut tx = ctx.store.begin().await?;
    store::set_prefs(&mut tx, me.user_id, email_alerts, email_delay_mins, ctx.clock.now()).await?;
    tx.commit().await?;
    Ok(())
}

// ---- The worker ----------------------------------------------------------------

/// What one round did, for tests and logs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct RoundReport {
    pub looked_at: usize,
    pub pushed: usize,
    pub emails: usize,
    pub sms: usize,
}

/// Applies the rules to every notification due at the clock's time. The
/// round takes its notifications in one statement, decides on each from
/// reads alone (outside the writer), then writes every decision in one
/// write shared with the posts of the moment (group commit); rings go out
/// after that commit.
pub async fn run_due(ctx: &Ctx) -> AppResult<RoundReport> {
    let now = ctx.clock.now();
    let due = {
        let mut conn = ctx.store.reader().await?;
        store::due(&mut conn, now, WORKER_BATCH).await?
    };
    let mut report = RoundReport::default();
    if due.is_empty() {
        return Ok(report);
    }
    // A lease, so that another node does not take them meanwhile.
    let ids: Vec<NotificationId> = due.iter().map(|n| n.id).collect();
    let taken: HashSet<NotificationId> = ctx
        .store
        .write(move |tx| {
            Box::pin(async move { Ok::<_, AppError>(store::claim_many(tx, &ids, now, now.plus_secs(120)).await?) })
        })
        .await?
        .into_iter()
        .collect();
    let mut decisions = Vec::new();
    for n in due.iter().filter(|n| taken.contains(&n.id)) {
        report.looked_at += 1;
        match decide(ctx, n, now).await {
            Ok(d) => decisions.push(d),
            Err(e) => {
                // Looked at again later; the error holds no content.
                tracing::warn!(error = %e, "notification round");
                decisions.push(Decision::retry(n, now));
            }
        }
    }
    // All taken by another node meanwhile: nothing to write.
    if decisions.is_empty() {
        return Ok(report);
    }
    let c = ctx.clone();
    let (decisions, emails) = ctx
        .store
        .write(move |tx| Box::pin(async move { apply(&c, tx, decisions, now).await }))
        .await?;
    report.emails += emails;
    report.sms += decisions
        .iter()
        .filter(|d| matches!(d.urgent, Some(Urgent::Sms { .. })))
        .count();
    report.emails += decisions
        .iter()
        .filter(|d| matches!(d.urgent, Some(Urgent::Email { .. })))
        .count();
    if emails > 0 || decisions.iter().any(|d| d.urgent.is_some()) {
        ctx.outbox_wake.notify_one();
    }
    for d in decisions {
        if let Some((user_id, message)) = d.ring {
            match push::send(ctx, user_id, &message).await {
                Ok(r) => report.pushed += r.delivered,
                // The deliveries stay queued for the push worker.
                Err(e) => tracing::warn!(error = %e, "push"),
            }
        }
    }
    Ok(report)
}

/// The follow-up of an unacknowledged high-priority message.
enum Urgent {
    Sms {
        phone: String,
        lang: Language,
        link: String,
    },
    /// No verified phone: the same words by email.
    Email {
        email: String,
        lang: Language,
        link: String,
    },
}

/// What the worker decided for one notification, to be written.
struct Decision {
    id: NotificationId,
    /// The notification's `count` when the worker read it.
    seen_count: i64,
    delivery: Delivery,
    urgent: Option<Urgent>,
    /// The email alert is due (sent if no other did meanwhile).
    alert: Option<(cercle_store::users::UserRow, Language)>,
    /// Ring the person's devices after the commit.
    ring: Option<(UserId, PushMessage)>,
}

impl Decision {
    /// Something failed: look again in a minute, nothing else changed.
    fn retry(n: &NotificationRow, now: Timestamp) -> Decision {
        Decision {
            id: n.id,
            seen_count: n.count,
            delivery: Delivery {
                ring_pending: n.ring_pending,
                changed_not_before: None,
                rings: n.rings,
                rung_at: n.rung_at,
                emailed_at: n.emailed_at,
                sms_at: n.sms_at,
                next_check_at: Some(now.plus_secs(60).0),
            },
            urgent: None,
            alert: None,
            ring: None,
        }
    }
}

/// Writes a round's decisions in the caller's transaction; returns them
/// and how many email alerts were queued.
async fn apply(
    ctx: &Ctx,
    tx: &mut Conn,
    decisions: Vec<Decision>,
    now: Timestamp,
) -> AppResult<(Vec<Decision>, usize)> {
    let mut emails = 0;
    for d in &decisions {
        match &d.urgent {
            Some(Urgent::Sms { phone, lang, link }) => {
                queue_sms(
                    &mut *tx,
                    phone,
                    *lang,
                    &Outgoing::UrgentMessage { link: link.clone() },
                    now,
                )
                .await?
            }
            Some(Urgent::Email { email, lang, link }) => {
                queue_email(
                    &mut *tx,
                    email,
                    *lang,
                    &Outgoing::UrgentMessage { link: link.clone() },
                    now,
                )
                .await?
            }
            None => {}
        }
        if let Some((user, lang)) = &d.alert {
            if queue_alert(ctx, &mut *tx, user, *lang, now).await? {
                emails += 1;
            }
        }
    }
    let saves: Vec<(NotificationId, i64, Delivery)> =
        decisions.iter().map(|d| (d.id, d.seen_count, d.delivery)).collect();
    store::save_deliveries(&mut *tx, &saves).await?;
    Ok((decisions, emails))
}

/// One notification: ring, follow up, email; then when to look again.
/// Reads only: the caller writes the decision.
async fn decide(ctx: &Ctx, n: &NotificationRow, now: Timestamp) -> AppResult<Decision> {
    let settings = ctx.config.notifications;
    // Someone who no longer reaches the thread (removed, left) is not rung.
    let user_id = n.user_id.to_string();
    let reaches = match n.thread_id {
        Some(t) => crate::threads::access::may_receive(ctx, &user_id, &t.to_string()).await?,
        None => true,
    };
    let mut conn = ctx.store.reader().await?;
    let Some(user) = users::by_id(&mut conn, &user_id)
        .await?
        .filter(|u| u.deleted_at.is_none() && reaches)
    else {
        // Nothing more to deliver (the account is gone, or the thread out
        // of reach); it stays in the centre until read or pruned.
        return Ok(Decision {
            id: n.id,
            seen_count: n.count,
            delivery: Delivery::stopped(n),
            urgent: None,
            alert: None,
            ring: None,
        });
    };
    let lang = crate::acting::language_of(&user);
    let (schedule, periods) = crate::availability::rules_of(&mut conn, n.user_id, now).await?;
    let muted = match n.thread_id {
        Some(t) => store::is_muted(&mut conn, n.user_id, t).await?,
        None => false,
    };
    let (email_alerts, delay_mins) = prefs_of(&mut conn, &settings, n.user_id).await?;
    let acknowledged = match n.message_id {
        Some(m) => store::acknowledged(&mut conn, m, n.user_id).await?,
        None => false,
    };
    drop(conn);
    let recipient = Recipient {
        schedule: &schedule,
        periods: &periods,
        muted,
    };
    let priority = if n.high_priority {
        Priority::High
    } else {
        Priority::Normal
    };
    let mut d = Delivery {
        ring_pending: false,
        changed_not_before: None,
        rings: n.rings,
        rung_at: n.rung_at,
        emailed_at: None,
        sms_at: n.sms_at,
        next_check_at: None,
    };
    let mut ring_now = false;
    let mut wake: Vec<Timestamp> = Vec::new();
    let mut urgent = None;
    let mut alert = None;

    // 1. A new notification (or a message folded in) rings now, or stays
    // quiet in the centre. A thread that rang a moment ago rings again once
    // the pause is over (the count moved in the centre meanwhile).
    if n.ring_pending
        && !acknowledged
        && (n.read_at.is_none() || n.high_priority)
        && rules::ring(&recipient, priority, now) == Ring::Now
    {
        match rules::ring_again_at(priority, n.rung_at.map(Timestamp), now) {
            None => ring_now = true,
            Some(at) => {
                d.ring_pending = true;
                wake.push(at);
            }
        }
    }

    // 2. An unacknowledged high-priority message: repeat, then one SMS.
    if n.high_priority && n.message_id.is_some() && !ring_now {
        let last = Timestamp(n.rung_at.unwrap_or(n.created_at));
        let step = rules::follow_up(
            &settings.escalation,
            Timestamp(n.created_at),
            last,
            acknowledged,
            n.sms_at.is_some(),
            now,
        );
        match step {
            FollowUp::Done => {}
            FollowUp::Wait { until } => wake.push(until),
            FollowUp::Repeat if d.rings < settings.max_rings => ring_now = true,
            // Rung enough: only the SMS may be left.
            FollowUp::Repeat if n.sms_at.is_none() => {
                wake.push(Timestamp(n.created_at).plus_secs(settings.escalation.sms_after_secs))
            }
            FollowUp::Repeat => {}
            FollowUp::Sms => {
                d.sms_at = Some(now.0);
                let link = format!("{}{}", ctx.config.public_url, n.link);
                urgent = Some(
                    match user.phone.as_deref().filter(|_| user.phone_verified_at.is_some()) {
                        Some(phone) => Urgent::Sms {
                            phone: phone.to_string(),
                            lang,
                            link,
                        },
                        None => Urgent::Email {
                            email: user.email.clone(),
                            lang,
                            link,
                        },
                    },
                );
                wake.push(last.plus_secs(settings.escalation.repeat_every_secs));
            }
        }
    }
    if ring_now {
        d.rings += 1;
        d.rung_at = Some(now.0);
        if n.high_priority && !acknowledged {
            let next = rules::follow_up(
                &settings.escalation,
                Timestamp(n.created_at),
                now,
                false,
                d.sms_at.is_some(),
                now,
            );
            if let FollowUp::Wait { until } = next {
                wake.push(until);
            }
        }
    }

    // 3. Unread past the delay: one email (telling of all unread ones).
    if email_alerts && n.read_at.is_none() && n.emailed_at.is_none() {
        let due_at = Timestamp(n.created_at).plus_secs(delay_mins * 60);
        if now < due_at {
            wake.push(due_at);
        } else if rules::email_alert_due(
            &recipient,
            priority,
            Timestamp(n.created_at),
            false,
            false,
            delay_mins * 60,
            now,
        ) {
            d.emailed_at = Some(now.0);
            alert = Some((user, lang));
        } else if let Some(next) = rules::next_ring_time(&recipient, now, settings.horizon_days) {
            wake.push(next);
        }
    }
    d.next_check_at = wake.into_iter().min().map(|t| t.0);
    // A message folded in meanwhile is looked at again at once, unless
    // this rang (or rang a moment ago): then after the pause, as the fold
    // itself arranged, so that a busy thread is not looked at again after
    // every message.
    d.changed_not_before = d
        .rung_at
        .and_then(|at| rules::ring_again_at(priority, Some(Timestamp(at)), now))
        .map(|t| t.0);
    let ring = ring_now.then(|| (n.user_id, push_message(lang, n)));
    Ok(Decision {
        id: n.id,
        seen_count: n.count,
        delivery: d,
        urgent,
        alert,
        ring,
    })
}

/// The email alert: how many notifications wait, and a link to the centre.
/// Marks them all emailed first, so that one email tells of all of them:
/// another of the person's notifications in the same round (read before
/// this one marked it) finds nothing left to tell and sends nothing.
/// Returns whether an email was queued.
async fn queue_alert(
    ctx: &Ctx,
    conn: &mut Conn,
    user: &cercle_store::users::UserRow,
    lang: Language,
    now: Timestamp,
) -> AppResult<bool> {
    let user_id = crate::acting::user_id_of(user)?;
    if store::mark_emailed(&mut *conn, user_id, now).await? == 0 {
        return Ok(false);
    }
    let count = store::unread_count(&mut *conn, user_id).await?.max(1);
    let msg = Outgoing::NotificationAlert {
        name: user.name.clone(),
        count: count.to_string(),
        link: format!("{}/notifications", ctx.config.public_url),
    };
    queue_email(&mut *conn, &user.email, lang, &msg, now).await?;
    Ok(true)
}

fn push_message(lang: Language, n: &NotificationRow) -> PushMessage {
    let mut m = PushMessage::new(
        cercle_i18n::t(lang, "notif-push-title"),
        text(lang, n.kind, &n.thread_kind, n.high_priority),
        n.link.clone(),
    );
    // A thread's notifications replace each other on the device.
    m.tag = Some(n.thread_id.map_or_else(|| n.id.to_string(), |t| t.to_string()));
    if n.high_priority {
        m.urgency = Urgency::High;
    }
    m
}

/// Runs until `shutdown` turns true: a round when woken, and every second
/// otherwise (quiet notifications whose time came, repeats, email alerts);
/// once an hour, read notifications older than 90 days are removed.
pub async fn run_worker(ctx: Ctx, mut shutdown: tokio::sync::watch::Receiver<bool>) {
    let mut last_prune = 0_i64;
    loop {
        if *shutdown.borrow() {
            return;
        }
        if let Err(e) = run_due(&ctx).await {
            tracing::warn!(error = %e, "notification worker round failed");
        }
        ctx.notify_rounds.send_modify(|n| *n += 1);
        let now = ctx.clock.now();
        if now.0 - last_prune > 3_600_000 {
            last_prune = now.0;
            if let Ok(mut tx) = ctx.store.begin().await {
                let cutoff = now.minus_secs(KEEP_READ_DAYS * 24 * 3600);
                if store::prune(&mut tx, cutoff).await.is_ok() {
                    let _ = tx.commit().await;
                }
            }
        }
        tokio::select! {
            _ = ctx.notify_wake.notified() => {}
            _ = tokio::time::sleep(Duration::from_secs(1)) => {}
            _ = shutdown.changed() => {}
        }
    }
}
