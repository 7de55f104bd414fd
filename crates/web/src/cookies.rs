//! Reading and writing the few cookies Cercle uses.

use axum::http::header::COOKIE;
use axum::http::HeaderMap;

/// The browser's device: a random secret, the only credential a browser holds.
pub const DEVICE: &str = "cercle_device";
/// Which of the device's sessions is in front (not a secret: it only works
/// together with the device cookie).
pub const ACCOUNT: &str = "cercle_account";
/// The chosen language.
pub const LANG: &str = "cercle_lang";
/// A one-shot notice for the next page (a message id, never user data).
pub const FLASH: &str = "cercle_flash";

pub fn get(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
        .filter(|v| !v.is_empty() && v.len() <= 200)
}

/// A `Set-Cookie` value: HttpOnly, SameSite=Lax, path `/`, and Secure when
/// Cercle is served over HTTPS.
pub fn set(name: &str, value: &str, max_age_secs: i64, secure: bool) -> String {
    let mut c = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_secs}");
    if secure {
        c.push_str("; Secure");
    }
    c
}

pub fn clear(name: &str, secure: bool) -> String {
    set(name, "", 0, secure)
}
