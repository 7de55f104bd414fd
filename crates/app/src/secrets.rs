//! Random tokens, keyed hashes, Argon2id and at-rest encryption.

use argon2::password_hash::{Output, ParamsString, PasswordHash, PasswordHasher, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
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
        // HMAC pads a key shorter than the hash's block (64 bytes) with zeros;
        // padding it here gives the same MAC through the infallible constructor.
        let mut block = [0u8; 64];
        block[..32].copy_from_slice(&self.0);
        let mut mac = <Hmac<Sha256> as KeyInit>::new(&block.into());
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

    /// The key of one blob (an attachment's file, [`crate::blobs`]): derived
    /// from the server key and the blob's name, so that a file moved under
    /// another name does not open.
    pub fn blob_cipher(&self, name: &str) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new(&self.mac(&["blob-key-v1", name]).into())
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
///
/// Each hash needs its whole memory cost (19 MiB by default). Taking it from
/// the system for every hash cost as much time in page faults as the hash
/// itself (docs/benchmarks.md), so the memory is allocated once per core and
/// reused: at most one hash per core runs at a time (more would only queue
/// on the CPU), each on a block buffer of its own.
#[derive(Debug, Clone)]
pub struct Hasher {
    cost: HashCost,
    /// A hash of nothing, checked when an account does not exist, so that a
    /// wrong email takes as long as a wrong password.
    dummy: String,
    memory: std::sync::Arc<MemoryPool>,
}

#[derive(Debug)]
struct MemoryPool {
    permits: tokio::sync::Semaphore,
    buffers: std::sync::Mutex<Vec<Vec<Block>>>,
    size: usize,
}

impl Hasher {
    pub fn new(cost: HashCost) -> AppResult<Self> {
        let dummy = hash_with(cost, "cercle-timing-equalizer")?;
        let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2);
        let memory = MemoryPool {
            permits: tokio::sync::Semaphore::new(cores),
            buffers: std::sync::Mutex::new(Vec::new()),
            size: cores,
        };
        Ok(Hasher {
            cost,
            dummy,
            memory: std::sync::Arc::new(memory),
        })
    }

    pub fn cost(&self) -> HashCost {
        self.cost
    }

    /// Runs `work` on a blocking thread with `blocks` Argon2 blocks of reused memory.
    async fn with_memory<T: Send + 'static>(
        &self,
        blocks: usize,
        work: impl FnOnce(&mut [Block]) -> T + Send + 'static,
    ) -> AppResult<T> {
        let _permit = self
            .memory
            .permits
            .acquire()
            .await
            .map_err(|e| AppError::Internal(e.to_string()))?;
        let reused = self
            .memory
            .buffers
            .lock()
            .ok()
            .and_then(|mut b| b.pop())
            .filter(|b| b.len() >= blocks);
        let mut buffer = reused.unwrap_or_else(|| vec![Block::default(); blocks]);
        let (result, buffer) = tokio::task::spawn_blocking(move || {
            let result = work(&mut buffer[..blocks]);
            (result, buffer)
        })
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
        if let Ok(mut pool) = self.memory.buffers.lock() {
            if pool.len() < self.memory.size {
                pool.push(buffer);
            }
        }
        Ok(result)
    }

    /// A PHC string (`$argon2id$v=19$m=…,t=…,p=…$salt$hash`).
    pub async fn hash(&self, secret: &str) -> AppResult<String> {
        let params = params_of(self.cost)?;
        let salt_raw: [u8; 16] = random_bytes();
        let salt = SaltString::encode_b64(&salt_raw).map_err(|e| AppError::Internal(e.to_string()))?;
        let secret = secret.to_string();
        let work_params = params.clone();
        let out = self
            .with_memory(params.block_count(), move |blocks| {
                let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
                Argon2::new(Algorithm::Argon2id, Version::V0x13, work_params)
                    .hash_password_into_with_memory(secret.as_bytes(), &salt_raw, &mut out, blocks)
                    .map(|()| out)
            })
            .await?
            .map_err(|e| AppError::Internal(format!("argon2: {e}")))?;
        let phc = PasswordHash {
            algorithm: Algorithm::Argon2id.ident(),
            version: Some(Version::V0x13.into()),
            params: ParamsString::try_from(&params).map_err(|e| AppError::Internal(e.to_string()))?,
            salt: Some(salt.as_salt()),
            hash: Some(Output::new(&out).map_err(|e| AppError::Internal(e.to_string()))?),
        };
        Ok(phc.to_string())
    }

    /// True when `secret` matches `phc`. A missing hash checks the dummy and fails.
    pub async fn verify(&self, phc: Option<&str>, secret: &str) -> bool {
        let (phc, real) = match phc {
            Some(p) if !p.is_empty() => (p.to_string(), true),
            _ => (self.dummy.clone(), false),
        };
        let Some(check) = Check::parse(&phc) else { return false };
        let secret = secret.to_string();
        let blocks = check.params.block_count();
        let ok = self
            .with_memory(blocks, move |memory| check.matches(secret.as_bytes(), memory))
            .await
            .unwrap_or(false);
        ok && real
    }
}

/// What a stored PHC string says, owned, to be checked on another thread.
struct Check {
    algorithm: Algorithm,
    version: Version,
    params: Params,
    salt: Vec<u8>,
    expected: Vec<u8>,
}

impl Check {
    fn parse(phc: &str) -> Option<Check> {
        let parsed = PasswordHash::new(phc).ok()?;
        let mut salt_buf = [0u8; 64];
        let salt = parsed.salt?.decode_b64(&mut salt_buf).ok()?.to_vec();
        Some(Check {
            algorithm: Algorithm::try_from(parsed.algorithm).ok()?,
            version: parsed
                .version
                .map(Version::try_from)
                .transpose()
                .ok()?
                .unwrap_or_default(),
            params: Params::try_from(&parsed).ok()?,
            salt,
            expected: parsed.hash?.as_bytes().to_vec(),
        })
    }

    fn matches(self, secret: &[u8], memory: &mut [Block]) -> bool {
        let mut out = vec![0u8; self.expected.len()];
        let argon = Argon2::new(self.algorithm, self.version, self.params);
        argon
            .hash_password_into_with_memory(secret, &self.salt, &mut out, memory)
            .is_ok()
            && bool::from(subtle::ConstantTimeEq::ct_eq(out.as_slice(), self.expected.as_slice()))
    }
}

fn params_of(cost: HashCost) -> AppResult<Params> {
    Params::new(cost.memory_kib, cost.iterations, cost.parallelism, None)
        .map_err(|e| AppError::Internal(format!("argon2 params: {e}")))
}

/// The library's own hashing path (allocates its memory); used once at start
/// for the dummy hash, and by the tests to check both paths agree.
fn hash_with(cost: HashCost, secret: &str) -> AppResult<String> {
    let params = params_of(cost)?;
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

    #[tokio::test]
    async fn reused_memory_agrees_with_the_library() {
        use argon2::password_hash::PasswordVerifier;
        let cost = HashCost {
            memory_kib: 256,
            iterations: 2,
            parallelism: 1,
        };
        let h = Hasher::new(cost).unwrap();
        // Ours verifies the library's hashes, and the library verifies ours.
        let theirs = hash_with(cost, "0123-4567").unwrap();
        assert!(h.verify(Some(&theirs), "0123-4567").await);
        let ours = h.hash("0123-4567").await.unwrap();
        let parsed = PasswordHash::new(&ours).unwrap();
        assert!(Argon2::default().verify_password(b"0123-4567", &parsed).is_ok());
        assert!(!h.verify(Some(&ours), "0123-4568").await);
        // A hash made with another cost still verifies (bigger buffer).
        let bigger = hash_with(
            HashCost {
                memory_kib: 512,
                iterations: 1,
                parallelism: 1,
            },
            "x-y-z",
        )
        .unwrap();
        assert!(h.verify(Some(&bigger), "x-y-z").await);
        assert!(!h.verify(Some("$argon2id$garbage"), "x").await);
    }

    #[test]
    fn encryption_round_trip_and_key_binding() {
        let k = ServerKey::generate();
        let sealed = k.encrypt(b"totp seed").unwrap();
        assert_eq!(k.decrypt(&sealed).unwrap(), b"totp seed");
        assert!(ServerKey::generate().decrypt(&sealed).is_err());
    }

    #[test]
    fn padded_key_gives_the_same_mac() {
        let k = ServerKey::from_bytes([7; 32]);
        let mut reference = <Hmac<Sha256> as Mac>::new_from_slice(&[7; 32]).unwrap();
        reference.update(&1u64.to_be_bytes());
        reference.update(b"a");
        assert_eq!(k.mac(&["a"]), <[u8; 32]>::from(reference.finalize().into_bytes()));
    }

    #[test]
    fn keyed_hash_depends_on_key_and_parts() {
        let k = ServerKey::from_bytes([1; 32]);
        assert_ne!(k.keyed_hash(&["a", "bc"]), k.keyed_hash(&["ab", "c"]));
        assert_ne!(k.keyed_hash(&["a"]), ServerKey::from_bytes([2; 32]).keyed_hash(&["a"]));
    }
}
