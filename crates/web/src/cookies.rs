//! Reading and writing the few cookies Cercle uses.

use axum::http::header::COOKIE;
use axum::http::HeaderMap;

/// The browser's device: a random secret, the only credential a browser holds.
pub const DEVICE: &str = "cercle_device";
/// Which of the device's sessions is in front (not a secret: it only works
/// together with the device cookie).
pub const ACCOUNT: &str = "cercle_account";
/// Set by a SMART EHR launch: this browser's Cercle pages may be in an
/// EMR's frame (see `crate::middleware::security_headers`).
pub const EMBED: &str = "cercle_embed";
/// The handle of a SMART launch between its callback and the patient's file.
pub const SMART_LAUNCH: &str = "cercle_smart";
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

/// The device cookie: two years, since the device outlives its sessions
/// (it is what "this device" means).
pub fn device(token: &str, secure: bool) -> String {
    set(DEVICE, token, 2 * 365 * 24 * 3600, secure)
}

/// The header saying a request is the page working on its own (the bell's
/// poll, the draft's autosave, fetches after a live event), not the
/// person: such requests do not count as activity for the idle lock.
pub const BACKGROUND_HEADER: &str = "x-cercle-background";

pub fn is_background(headers: &HeaderMap) -> bool {
    headers
        .get(BACKGROUND_HEADER)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim() == "1")
}

/// A `Set-Cookie` value made to work inside an EMR's frame (a third-party
/// context): `SameSite=None; Secure; Partitioned` (CHIPS: the cookie lives
/// in a jar of its own for that top-level site).
pub fn for_frame(cookie: &str) -> String {
    let mut parts: Vec<&str> = cookie
        .split(';')
        .map(str::trim)
        .filter(|p| {
            let p = p.to_ascii_lowercase();
            !p.starts_with("samesite") && p != "secure" && p != "partitioned"
        })
        .collect();
    parts.extend(["SameSite=None", "Secure", "Partitioned"]);
    parts.join("; ")
}

pub fn clear(name: &str, secure: bool) -> String {
    set(name, "", 0, secure)
}

#[cfg(test)]
mod tests {
    #[test]
    fn frame_cookies_are_cross_site_secure_and_partitioned() {
        assert_eq!(
            super::for_frame(&super::set("cercle_device", "abc", 60, false)),
            "cercle_device=abc; Path=/; HttpOnly; Max-Age=60; SameSite=None; Secure; Partitioned"
        );
        assert_eq!(
            super::for_frame(&super::set("x", "1", 60, true)),
            "x=1; Path=/; HttpOnly; Max-Age=60; SameSite=None; Secure; Partitioned"
        );
    }
}
