//! Web Push: subscriptions per person and the deliveries still to be made.

use crate::{Conn, Result};
use cercle_domain::{PushDeliveryId, PushSubscriptionId, Timestamp, UserId};
use sqlx::any::AnyRow;
use sqlx::Row;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubscriptionRow {
    pub id: PushSubscriptionId,
    pub user_id: UserId,
    pub endpoint: String,
    pub p256dh: String,
    pub auth: String,
    pub created_at: i64,
    pub last_success_at: Option<i64>,
}

fn map_sub(r: &AnyRow) -> std::result::Result<SubscriptionRow, sqlx::Error> {
    Ok(SubscriptionRow {
        id: r.try_get("id")?,
        user_id: r.try_get("user_id")?,
        endpoint: r.try_get("endpoint")?,
        p256dh: r.try_get("p256dh")?,
        auth: r.try_get("auth")?,
        created_at: r.try_get("created_at")?,
        last_success_at: r.try_get("last_success_at")?,
    })
}

const SUB_COLUMNS: &str = "id, user_id, endpoint, p256dh, auth, created_at, last_success_at";

pub async fn subscriptions_of(conn: &mut Conn, user_id: UserId) -> Result<Vec<SubscriptionRow>> {
    let rows = sqlx::query(&format!(
        "SELECT {SUB_COLUMNS} FROM push_subscriptions WHERE user_id = $1 ORDER BY created_at, id"
    ))
    .bind(user_id)
    .fetch_all(conn)
    .await?;
    Ok(rows.iter().map(map_sub).collect::<std::result::Result<_, _>>()?)
}

pub async fn find(conn: &mut Conn, user_id: UserId, endpoint: &str) -> Result<Option<SubscriptionRow>> {
    let row = sqlx::query(&format!(
        "SELECT {SUB_COLUMNS} FROM push_subscriptions WHERE user_id = $1 AND endpoint = $2"
    ))
    .bind(user_id)
    .bind(endpoint)
    .fetch_optional(conn)
    .await?;
    Ok(row.as_ref().map(map_sub).transpose()?)
}

/// Adds a subscription, or refreshes the keys of the same endpoint.
pub async fn upsert(
    conn: &mut Conn,
    id: PushSubscriptionId,
    user_id: UserId,
    endpoint: &str,
    p256dh: &str,
    auth: &str,
    now: Timestamp,
) -> Result<PushSubscriptionId> {
    let row = sqlx::query(
        "INSERT INTO push_subscriptions (id, user_id, endpoint, p256dh, auth, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (user_id, endpoint) DO UPDATE SET p256dh = excluded.p256dh, auth = excluded.auth \
         RETURNING id",
    )
    .bind(id)
    .bind(user_id)
    .bind(endpoint)
    .bind(p256dh)
    .bind(auth)
    .bind(now.0)
    .fetch_one(conn)
    .await?;
    Ok(row.try_get("id")?)
}

/// Removes one person's subscription of an endpoint; true if there was one.
pub async fn remove(conn: &mut Conn, user_id: UserId, endpoint: &str) -> Result<bool> {
    let done = sqlx::query("DELETE FROM push_subscriptions WHERE user_id = $1 AND endpoint = $2")
        .bind(user_id)
        .bind(endpoint)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// The push service said the endpoint is gone: every subscription of it goes.
pub async fn remove_endpoint(conn: &mut Conn, endpoint: &str) -> Result<u64> {
    let done = sqlx::query("DELETE FROM push_subscriptions WHERE endpoint = $1")
        .bind(endpoint)
        .execute(conn)
        .await?;
    Ok(done.rows_affected())
}

/// Every subscription of a person (account deleted).
pub async fn remove_all_of(conn: &mut Conn, user_id: UserId) -> Result<u64> {
    let done = sqlx::query("DELETE FROM push_subscriptions WHERE user_id = $1")
        .bind(user_id)
        .execute(conn)
        .await?;
    Ok(done.rows_affected())
}

pub async fn mark_success(conn: &mut Conn, subscription_id: PushSubscriptionId, now: Timestamp) -> Result<()> {
    sqlx::query("UPDATE push_subscriptions SET last_success_at = $1 WHERE id = $2")
        .bind(now.0)
        .bind(subscription_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// A delivery with what is needed to make it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryRow {
    pub id: PushDeliveryId,
    pub subscription_id: PushSubscriptionId,
    pub endpoint: String,
    pub p256dh: String,
    pub auth: String,
    pub payload: String,
    pub ttl_secs: i64,
    pub urgency: String,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub next_attempt_at: i64,
    pub expires_at: i64,
}

fn map_delivery(r: &AnyRow) -> std::result::Result<DeliveryRow, sqlx::Error> {
    Ok(DeliveryRow {
        id: r.try_get("id")?,
        subscription_id: r.try_get("subscription_id")?,
        endpoint: r.try_get("endpoint")?,
        p256dh: r.try_get("p256dh")?,
        auth: r.try_get("auth")?,
        payload: r.try_get("payload")?,
        ttl_secs: r.try_get("ttl_secs")?,
        urgency: r.try_get("urgency")?,
        attempts: r.try_get("attempts")?,
        last_error: r.try_get("last_error")?,
        next_attempt_at: r.try_get("next_attempt_at")?,
        expires_at: r.try_get("expires_at")?,
    })
}

const DELIVERY_SELECT: &str = "SELECT d.id, d.subscription_id, s.endpoint, s.p256dh, s.auth, d.payload, d.ttl_secs, \
     d.urgency, d.attempts, d.last_error, d.next_attempt_at, d.expires_at \
     FROM push_deliveries d JOIN push_subscriptions s ON s.id = d.subscription_id";

/// Deliveries waiting for one subscription.
pub async fn pending_count(conn: &mut Conn, subscription_id: PushSubscriptionId) -> Result<i64> {
    let row = sqlx::query("SELECT COUNT(*) AS n FROM push_deliveries WHERE subscription_id = $1")
        .bind(subscription_id)
        .fetch_one(conn)
        .await?;
    Ok(row.try_get("n")?)
}

/// Queues a delivery already claimed by the caller until `lease_until`
/// (the caller attempts it at once; the worker picks it up after the lease).
#[allow(clippy::too_many_arguments)]
pub async fn enqueue_claimed(
    conn: &mut Conn,
    id: PushDeliveryId,
    subscription_id: PushSubscriptionId,
    payload: &str,
    ttl_secs: i64,
    urgency: &str,
    now: Timestamp,
    lease_until: Timestamp,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO push_deliveries (id, subscription_id, payload, ttl_secs, urgency, attempts, next_attempt_at, expires_at, created_at) \
         VALUES ($1, $2, $3, $4, $5, 1, $6, $7, $8)",
    )
    .bind(id)
    .bind(subscription_id)
    .bind(payload)
    .bind(ttl_secs)
    .bind(urgency)
    .bind(lease_until.0)
    .bind(now.0 + ttl_secs * 1000)
    .bind(now.0)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn delivery(conn: &mut Conn, id: PushDeliveryId) -> Result<Option<DeliveryRow>> {
    let row = sqlx::query(&format!("{DELIVERY_SELECT} WHERE d.id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?;
    Ok(row.as_ref().map(map_delivery).transpose()?)
}

pub async fn due(conn: &mut Conn, now: Timestamp, limit: i64) -> Result<Vec<DeliveryRow>> {
    let rows = sqlx::query(&format!(
        "{DELIVERY_SELECT} WHERE d.next_attempt_at <= $1 ORDER BY d.next_attempt_at, d.id LIMIT $2"
    ))
    .bind(now.0)
    .bind(limit)
    .fetch_all(conn)
    .await?;
    Ok(rows.iter().map(map_delivery).collect::<std::result::Result<_, _>>()?)
}

/// Deliveries still waiting for a person's subscriptions.
pub async fn pending_of_user(conn: &mut Conn, user_id: UserId) -> Result<Vec<DeliveryRow>> {
    let rows = sqlx::query(&format!(
        "{DELIVERY_SELECT} WHERE s.user_id = $1 ORDER BY d.created_at, d.id"
    ))
    .bind(user_id)
    .fetch_all(conn)
    .await?;
    Ok(rows.iter().map(map_delivery).collect::<std::result::Result<_, _>>()?)
}

/// Claims a due delivery (two nodes never both send it): pushes its next
/// attempt to `lease_until`; false if another node took it.
pub async fn claim(conn: &mut Conn, id: PushDeliveryId, now: Timestamp, lease_until: Timestamp) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE push_deliveries SET next_attempt_at = $1, attempts = attempts + 1 WHERE id = $2 AND next_attempt_at <= $3",
    )
    .bind(lease_until.0)
    .bind(id)
    .bind(now.0)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn retry_at(conn: &mut Conn, id: PushDeliveryId, error: &str, next: Timestamp) -> Result<()> {
    sqlx::query("UPDATE push_deliveries SET last_error = $1, next_attempt_at = $2 WHERE id = $3")
        .bind(error)
        .bind(next.0)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Delivered, given up or expired.
pub async fn remove_delivery(conn: &mut Conn, id: PushDeliveryId) -> Result<()> {
    sqlx::query("DELETE FROM push_deliveries WHERE id = $1")
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Deliveries waiting, for every subscription: the queue depth `/metrics`
/// shows.
pub async fn waiting_count(conn: &mut Conn) -> Result<i64> {
    let row = sqlx::query("SELECT COUNT(*) AS n FROM push_deliveries")
        .fetch_one(conn)
        .await?;
    Ok(row.try_get("n")?)
}
