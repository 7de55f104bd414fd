//! Device tokens (the browser's `cercle_device` cookie). Only the server
//! issues them: a token is a random part and a keyed MAC of it with the
//! server key, so a value the client chose is recognised as such without
//! any storage and never becomes a device. A device's token is replaced
//! whenever one of its sessions becomes active (sign-in, unlock, end of
//! sign-up), so a token known before that moment — planted in the browser
//! by someone else — opens nothing afterwards.

use crate::secrets::{hash_token, random_token};
use crate::{AppResult, Ctx};
use cercle_store::sessions::SessionRow;
use cercle_store::{devices, Conn};

/// How many hexadecimal characters of the MAC a token carries (128 bits).
const MAC_CHARS: usize = 32;

/// A new token for the device whose secret changed: the caller sets it as
/// the browser's device cookie (its CSRF token follows from it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDeviceToken(pub String);

fn mac(ctx: &Ctx, random: &str) -> String {
    let mut m = ctx.key.keyed_hash(&["device-token-v1", random]);
    m.truncate(MAC_CHARS);
    m
}

/// A fresh device token, issued by this server (any node with the same key).
pub fn issue(ctx: &Ctx) -> String {
    let random = random_token();
    let tag = mac(ctx, &random);
    format!("{random}.{tag}")
}

/// Whether this server issued `token` (a value chosen by a client is not).
pub fn is_issued(ctx: &Ctx, token: &str) -> bool {
    let Some((random, tag)) = token.split_once('.') else {
        return false;
    };
    random.len() >= 40
        && tag.len() == MAC_CHARS
        && cercle_domain::totp::constant_time_eq(mac(ctx, random).as_bytes(), tag.as_bytes())
}

/// Replaces the secret of the device a session lives on (web sessions; API
/// sessions have no device): every session of the device follows.
pub(crate) async fn rotate_of(ctx: &Ctx, conn: &mut Conn, session: &SessionRow) -> AppResult<Option<NewDeviceToken>> {
    let Some(device_id) = session.device_id.as_deref() else {
        return Ok(None);
    };
    let token = issue(ctx);
    devices::rekey(conn, device_id, &hash_token(&token), ctx.clock.now()).await?;
    Ok(Some(NewDeviceToken(token)))
}

/// Replaces the secret of the device holding `token`, if it is a known
/// device (e.g. after a password reset made from it); a device nothing is
/// stored for simply gets a fresh token.
pub async fn rotate(ctx: &Ctx, token: &str) -> AppResult<NewDeviceToken> {
    let fresh = issue(ctx);
    if is_issued(ctx, token) {
        let mut tx = ctx.store.begin().await?;
        if let Some(d) = devices::by_token_hash(&mut tx, &hash_token(token)).await? {
            devices::rekey(&mut tx, &d.id, &hash_token(&fresh), ctx.clock.now()).await?;
        }
        tx.commit().await?;
    }
    Ok(NewDeviceToken(fresh))
}
