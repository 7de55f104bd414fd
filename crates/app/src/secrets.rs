//! Random tokens, keyed hashes, Argon2id and at-rest encryption.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::error::{AppError, AppResult};

/// A 256-bit random token, URL-safe.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    bytes
}

pub fn random_u32() -> u32 {
    rand::rngs::OsRng.next_u32()
}

/// SHA-256 of a high-entropy token (session, device, reset link): enough,
/// since such a token cannot be guessed.
pub fn hash_token(token: &str) -> String {
    cercle_domain::audit::hex(&Sha256::digest(token.as_bytes()))
}

/// The server's own secret key (kept in the data folder or given by
/// configuration). Low-entropy secrets such as 6-digit codes are hashed with
/// it, so a stolen database alone does not reveal them.
#[derive(Clone)]
pub struct ServerKey([u8; 32]);

impl std::fmt::Debug for ServerKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ServerKey(****)")
    }
}

impl ServerKey {
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        ServerKey(bytes)
    }

    pub fn generate() -> Self {
        ServerKey(random_bytes())
    }

    fn mac(&self, parts: &[&str]) -> [u8; 32] {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.0).unwrap_or_else(|_| unreachable_mac());
        for p in parts {
            // Length-prefixed so that ["a", "bc"] and ["ab", "c"] differ.
            mac.update(&(p.len() as u64).to_be_bytes());
            mac.update(p.as_bytes());
        }
        mac.finalize().into_bytes().into()
    }

    pub fn keyed_hash(&self, parts: &[&str]) -> String {
        cercle_domain::audit::hex(&self.mac(parts))
    }

    fn cipher(&self) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new(&self.mac(&["encryption-key-v1"]).into())
    }

    /// Encrypts a small secret (e.g. a TOTP seed) for storage.
    pub fn encrypt(&self, plaintext: &[u8]) -> AppResult<String> {
        let nonce_bytes: [u8; 24] = random_bytes();
        let ct = self
            .cipher()
            .encrypt(XNonce::from_slice(&nonce_bytes), plaintext)
            .map_err(|_| AppError::Internal("encryption failed".into()))?;
        let mut out = nonce_bytes.to_vec();
        out.extend(ct);
        Ok(URL_SAFE_NO_PAD.encode(out))
    }

    pub fn decrypt(&self, stored: &str) -> AppResult<Vec<u8>> {
        let raw = URL_SAFE_NO_PAD
            .decode(stored)
            .map_err(|_| AppError::Internal("bad ciphertext".into()))?;
        if raw.len() < 24 {
            return Err(AppError::Internal("bad ciphertext".into()));
        }
        let (nonce, ct) = raw.split_at(24);
        self.cipher()
            .decrypt(XNonce::from_slice(nonce), ct)
            .map_err(|_| AppError::Internal("decryption failed (wrong server key?)".into()))
    }
}

/// HMAC accepts keys of any length; this never runs.
fn unreachable_mac() -> Hmac<Sha256> {
    #[allow(clippy::expect_used)]
    <Hmac<Sha256> as Mac>::new_from_slice(&[0u8; 32]).expect("HMAC takes any key length")
}

/// Argon2id cost. Defaults follow OWASP's recommendation (19 MiB, 2 passes,
/// 1 lane); tests lower them to keep the suite fast.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HashCost {
    pub memory_kib: u32,
    pub iterations: u32,
    pub parallelism: u32,
}

impl Default for HashCost {
    fn default() -> Self {
        HashCost {
            memory_kib: 19_456,
            iterations: 2,
            parallelism: 1,
        }
    }
}

impl HashCost {
    pub const FAST_FOR_TESTS: HashCost = HashCost {
        memory_kib: 64,
        iterations: 1,
        parallelism: 1,
    };
}

/// Hashes and checks passwords, PINs, recovery codes and security answers
/// with Argon2id, off the async runtime's threads.
#[derive(Debug, Clone)]
pub struct Hasher {
    cost: HashCost,
    /// At most one hash per core at a time: more in flight only queue on
    /// the CPU and multiply the memory each hash takes (19 MiB by default).
    permits: std::sync::Arc<tokio::sync::Semaphore>,
    /// A hash of nothing, checked when an account does not exist, so that a
    /// wrong email takes as long as a wrong password.
    dummy: String,
}

impl Hasher {
    pub fn new(cost: HashCost) -> AppResult<Self> {
        let dummy = hash_with(cost, "cercle-timing-equalizer")?;
        let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2);
        Ok(Hasher {
            cost,
            dummy,
            permits: std::sync::Arc::new(tokio::sync::Semaphore::new(cores)),
        })
    }

    pub fn cost(&self) -> HashCost {
        self.cost
    }

    pub async fn hash(&self, secret: &str) -> AppResult<String> {
        let cost = self.cost;
        let secret = secret.to_string();
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|e| AppError::Internal(e.to_string()))?;
        tokio::task::spawn_blocking(move || hash_with(cost, &secret))
            .await
            .map_err(|e| AppError::Internal(e.to_string()))?
    }

    /// True when `secret` matches `phc`. A missing hash checks the dummy and fails.
    pub async fn verify(&self, phc: Option<&str>, secret: &str) -> bool {
        let (phc, real) = match phc {
            Some(p) if !p.is_empty() => (p.to_string(), true),
            _ => (self.dummy.clone(), false),
        };
        let secret = secret.to_string();
        let Ok(_permit) = self.permits.acquire().await else {
            return false;
        };
        let ok = tokio::task::spawn_blocking(move || {
            PasswordHash::new(&phc).is_ok_and(|h| Argon2::default().verify_password(secret.as_bytes(), &h).is_ok())
        })
        .await
        .unwrap_or(false);
        ok && real
    }
}

fn hash_with(cost: HashCost, secret: &str) -> AppResult<String> {
    let params = Params::new(cost.memory_kib, cost.iterations, cost.parallelism, None)
        .map_err(|e| AppError::Internal(format!("argon2 params: {e}")))?;
    let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
    let salt = SaltString::encode_b64(&random_bytes::<16>()).map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(argon
        .hash_password(secret.as_bytes(), &salt)
        .map_err(|e| AppError::Internal(format!("argon2: {e}")))?
        .to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn argon2_round_trip() {
        let h = Hasher::new(HashCost::FAST_FOR_TESTS).unwrap();
        let phc = h.hash("lune-verte-sur-le-fleuve").await.unwrap();
        assert!(phc.starts_with("$argon2id$"));
        assert!(h.verify(Some(&phc), "lune-verte-sur-le-fleuve").await);
        assert!(!h.verify(Some(&phc), "lune-verte-sur-le-fleuv").await);
        assert!(!h.verify(None, "cercle-timing-equalizer").await, "dummy never matches");
    }

    #[test]
    fn encryption_round_trip_and_key_binding() {
        let k = ServerKey::generate();
        let sealed = k.encrypt(b"totp seed").unwrap();
        assert_eq!(k.decrypt(&sealed).unwrap(), b"totp seed");
        assert!(ServerKey::generate().decrypt(&sealed).is_err());
    }

    #[test]
    fn keyed_hash_depends_on_key_and_parts() {
        let k = ServerKey::from_bytes([1; 32]);
        assert_ne!(k.keyed_hash(&["a", "bc"]), k.keyed_hash(&["ab", "c"]));
        assert_ne!(k.keyed_hash(&["a"]), ServerKey::from_bytes([2; 32]).keyed_hash(&["a"]));
    }
}
