//! Device tokens (the browser's `cercle_device` cookie). Only the server
//! issues them: a token is a random part and a keyed MAC of it with the
//! server key, so a value the client chose is recognised as such without
//! any storage and never becomes a device. A device's token is replaced
//! whenever one of its sessions becomes active (sign-in, unlock, end of
//! sign-up), so a token known before that moment — planted in the browser
//! by someone else — opens nothing afterwards.

use crate::secrets::{hash_token, random_token, ServerKey};
use crate::{AppResult, Ctx};
use cercle_store::sessions::SessionRow;
use cercle_store::{devices, Conn};

/// How many hexadecimal characters of the MAC a token carries (128 bits).
const MAC_CHARS: usize = 32;

/// A new token for the device whose secret changed: the caller sets it as
/// the browser's device cookie (its CSRF token follows from it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDeviceToken(pub String);

fn mac(key: &ServerKey, random: &str) -> String {
    let mut m = key.keyed_hash(&["device-token-v1", random]);
    m.truncate(MAC_CHARS);
    m
}

/// A fresh device token, issued by this server (any node with the same key).
pub fn issue(ctx: &Ctx) -> String {
    issue_with(&ctx.key)
}

/// Whether this server issued `token` (a value chosen by a client is not).
pub fn is_issued(ctx: &Ctx, token: &str) -> bool {
    issued_with(&ctx.key, token)
}

fn issue_with(key: &ServerKey) -> String {
    let random = random_token();
    let tag = mac(key, &random);
    format!("{random}.{tag}")
}

fn issued_with(key: &ServerKey, token: &str) -> bool {
    let Some((random, tag)) = token.split_once('.') else {
        return false;
    };
    random.len() >= 40
        && tag.len() == MAC_CHARS
        && bool::from(subtle::ConstantTimeEq::ct_eq(
            mac(key, random).as_bytes(),
            tag.as_bytes(),
        ))
}

/// Replaces the secret of the device a session lives on (web sessions; API
/// sessions have no device): every session of the device follows.
pub(crate) async fn rotate_of(ctx: &Ctx, conn: &mut Conn, session: &SessionRow) -> AppResult<Option<NewDeviceToken>> {
    let Some(device_id) = session.device_id else {
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
            devices::rekey(&mut tx, d.id, &hash_token(&fresh), ctx.clock.now()).await?;
        }
        tx.commit().await?;
    }
    Ok(NewDeviceToken(fresh))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_tokens_of_this_key_are_devices() {
        let key = ServerKey::generate();
        let token = issue_with(&key);
        assert!(issued_with(&key, &token));
        assert!(token.len() <= 200, "fits the cookie reader's bound");
        assert!(
            !issued_with(&ServerKey::generate(), &token),
            "another server key did not issue it"
        );
        // Chosen by a client: no tag, a guessed tag, a tag moved to another random part.
        assert!(!issued_with(&key, &"A".repeat(43)));
        assert!(!issued_with(
            &key,
            &format!("{}.{}", "A".repeat(43), "0".repeat(MAC_CHARS))
        ));
        let (_, tag) = token.split_once('.').expect("two parts");
        assert!(!issued_with(&key, &format!("{}.{tag}", "B".repeat(43))));
        assert!(!issued_with(&key, &format!("{token}0")));
        assert_ne!(issue_with(&key), issue_with(&key), "random");
    }
}
