//! Web Push message encryption (RFC 8291, `aes128gcm` content coding of
//! RFC 8188) and VAPID (RFC 8292: an ES256 JWT naming the push service's
//! origin, signed with the server's P-256 key).

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes128Gcm, Nonce};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hkdf::Hkdf;
use p256::ecdsa::signature::Signer;
use p256::ecdsa::{Signature, SigningKey};
use p256::elliptic_curve::sec1::ToEncodedPoint;
use p256::{PublicKey, SecretKey};
use sha2::Sha256;

/// The record size written in the header; one record carries the payload.
pub const RECORD_SIZE: u32 = 4096;
/// Largest plaintext we encrypt: a push service takes 4096 bytes of body,
/// minus the header (86), the delimiter (1) and the tag (16).
pub const MAX_PLAINTEXT: usize = 3993;
/// Length of an uncompressed P-256 point (`0x04 || x || y`).
pub const PUBLIC_KEY_LEN: usize = 65;
/// Length of the subscription's authentication secret.
pub const AUTH_LEN: usize = 16;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PushCryptoError {
    BadPublicKey,
    BadAuthSecret,
    TooLong,
    Malformed,
    Decrypt,
}

impl std::fmt::Display for PushCryptoError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            PushCryptoError::BadPublicKey => "invalid P-256 public key",
            PushCryptoError::BadAuthSecret => "invalid authentication secret",
            PushCryptoError::TooLong => "payload too long",
            PushCryptoError::Malformed => "malformed message",
            PushCryptoError::Decrypt => "decryption failed",
        })
    }
}

pub fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Base64url, with or without padding (browsers' `toJSON()` omits it; some
/// libraries add it).
pub fn unb64(text: &str) -> Option<Vec<u8>> {
    URL_SAFE_NO_PAD.decode(text.trim_end_matches('=')).ok()
}

/// Checks a subscription's `p256dh` (an uncompressed point on P-256).
pub fn parse_public_key(bytes: &[u8]) -> Result<PublicKey, PushCryptoError> {
    if bytes.len() != PUBLIC_KEY_LEN || bytes[0] != 0x04 {
        return Err(PushCryptoError::BadPublicKey);
    }
    PublicKey::from_sec1_bytes(bytes).map_err(|_| PushCryptoError::BadPublicKey)
}

fn uncompressed(key: &PublicKey) -> Vec<u8> {
    key.to_encoded_point(false).as_bytes().to_vec()
}

fn ecdh(secret: &SecretKey, public: &PublicKey) -> [u8; 32] {
    let shared = p256::ecdh::diffie_hellman(secret.to_nonzero_scalar(), public.as_affine());
    let mut out = [0u8; 32];
    out.copy_from_slice(shared.raw_secret_bytes());
    out
}

/// Content-encryption key and nonce (RFC 8291 §3.4, RFC 8188 §2.2).
fn derive(
    ecdh_secret: &[u8; 32],
    auth: &[u8],
    ua_public: &[u8],
    as_public: &[u8],
    salt: &[u8],
) -> Result<([u8; 16], [u8; 12]), PushCryptoError> {
    let mut key_info = Vec::with_capacity(14 + 2 * PUBLIC_KEY_LEN);
    key_info.extend_from_slice(b"WebPush: info\0");
    key_info.extend_from_slice(ua_public);
    key_info.extend_from_slice(as_public);
    let mut ikm = [0u8; 32];
    Hkdf::<Sha256>::new(Some(auth), ecdh_secret)
        .expand(&key_info, &mut ikm)
        .map_err(|_| PushCryptoError::Malformed)?;
    let prk = Hkdf::<Sha256>::new(Some(salt), &ikm);
    let mut cek = [0u8; 16];
    let mut nonce = [0u8; 12];
    prk.expand(b"Content-Encoding: aes128gcm\0", &mut cek)
        .map_err(|_| PushCryptoError::Malformed)?;
    prk.expand(b"Content-Encoding: nonce\0", &mut nonce)
        .map_err(|_| PushCryptoError::Malformed)?;
    Ok((cek, nonce))
}

/// Encrypts `plaintext` for a subscription with a fresh sender key and salt.
pub fn encrypt(plaintext: &[u8], ua_public: &[u8], auth: &[u8]) -> Result<Vec<u8>, PushCryptoError> {
    let sender = SecretKey::random(&mut rand::rngs::OsRng);
    let salt: [u8; 16] = crate::secrets::random_bytes();
    encrypt_with(plaintext, ua_public, auth, &sender, &salt)
}

/// The same with a given sender key and salt (RFC 8291's test vector).
pub fn encrypt_with(
    plaintext: &[u8],
    ua_public: &[u8],
    auth: &[u8],
    sender: &SecretKey,
    salt: &[u8; 16],
) -> Result<Vec<u8>, PushCryptoError> {
    if plaintext.len() > MAX_PLAINTEXT {
        return Err(PushCryptoError::TooLong);
    }
    if auth.len() != AUTH_LEN {
        return Err(PushCryptoError::BadAuthSecret);
    }
    let ua = parse_public_key(ua_public)?;
    let as_public = uncompressed(&sender.public_key());
    let (cek, nonce) = derive(&ecdh(sender, &ua), auth, ua_public, &as_public, salt)?;
    // One record, the last: the plaintext then the delimiter 0x02, no padding.
    let mut record = Vec::with_capacity(plaintext.len() + 1);
    record.extend_from_slice(plaintext);
    record.push(0x02);
    let cipher = Aes128Gcm::new_from_slice(&cek).map_err(|_| PushCryptoError::Malformed)?;
    let sealed = cipher
        .encrypt(Nonce::from_slice(&nonce), record.as_slice())
        .map_err(|_| PushCryptoError::Malformed)?;
    let mut out = Vec::with_capacity(21 + PUBLIC_KEY_LEN + sealed.len());
    out.extend_from_slice(salt);
    out.extend_from_slice(&RECORD_SIZE.to_be_bytes());
    out.push(PUBLIC_KEY_LEN as u8);
    out.extend_from_slice(&as_public);
    out.extend_from_slice(&sealed);
    Ok(out)
}

/// What a browser does on receipt (used by the tests to read what was sent):
/// one `aes128gcm` record, decrypted with the subscription's private key.
pub fn decrypt(body: &[u8], ua_secret: &SecretKey, auth: &[u8]) -> Result<Vec<u8>, PushCryptoError> {
    if body.len() < 21 {
        return Err(PushCryptoError::Malformed);
    }
    let salt = &body[..16];
    let idlen = body[20] as usize;
    let rest = &body[21..];
    if idlen != PUBLIC_KEY_LEN || rest.len() < idlen + 17 {
        return Err(PushCryptoError::Malformed);
    }
    let as_public = &rest[..idlen];
    let sender = parse_public_key(as_public)?;
    let ua_public = uncompressed(&ua_secret.public_key());
    let (cek, nonce) = derive(&ecdh(ua_secret, &sender), auth, &ua_public, as_public, salt)?;
    let cipher = Aes128Gcm::new_from_slice(&cek).map_err(|_| PushCryptoError::Malformed)?;
    let mut record = cipher
        .decrypt(Nonce::from_slice(&nonce), &rest[idlen..])
        .map_err(|_| PushCryptoError::Decrypt)?;
    // Strip padding (zeros) back to the last-record delimiter.
    while let Some(&last) = record.last() {
        record.pop();
        match last {
            0 => continue,
            2 => return Ok(record),
            _ => return Err(PushCryptoError::Malformed),
        }
    }
    Err(PushCryptoError::Malformed)
}

/// [`decrypt`] with the subscription's private scalar as bytes.
pub fn decrypt_with_scalar(body: &[u8], ua_scalar: &[u8], auth: &[u8]) -> Result<Vec<u8>, PushCryptoError> {
    let secret = SecretKey::from_slice(ua_scalar).map_err(|_| PushCryptoError::BadPublicKey)?;
    decrypt(body, &secret, auth)
}

/// Checks an ES256 JWT against an uncompressed public key (base64url);
/// its claims if the signature holds.
pub fn verify_jwt(jwt: &str, public_b64: &str) -> Option<serde_json::Value> {
    use p256::ecdsa::signature::Verifier;
    let (input, sig) = jwt.rsplit_once('.')?;
    let (_, claims) = input.split_once('.')?;
    let key = p256::ecdsa::VerifyingKey::from_sec1_bytes(&unb64(public_b64)?).ok()?;
    let sig = Signature::from_slice(&unb64(sig)?).ok()?;
    key.verify(input.as_bytes(), &sig).ok()?;
    serde_json::from_slice(&unb64(claims)?).ok()
}

/// The server's VAPID key pair (RFC 8292).
#[derive(Clone)]
pub struct VapidKey {
    secret: SecretKey,
}

impl std::fmt::Debug for VapidKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "VapidKey({})", self.public_key_b64())
    }
}

impl VapidKey {
    pub fn generate() -> Self {
        VapidKey {
            secret: SecretKey::random(&mut rand::rngs::OsRng),
        }
    }

    /// From the 32-byte private scalar.
    pub fn from_bytes(bytes: &[u8]) -> Option<Self> {
        if bytes.len() != 32 {
            return None;
        }
        SecretKey::from_slice(bytes).ok().map(|secret| VapidKey { secret })
    }

    /// A key derived from the server key, for deployments whose server key
    /// comes from configuration (every node then signs with the same key).
    pub fn derive_from(seed: &[u8; 32]) -> Self {
        let hk = Hkdf::<Sha256>::new(Some(b"cercle-vapid-v1"), seed);
        let mut counter = 0u8;
        loop {
            let mut okm = [0u8; 32];
            // 32 bytes are always a valid HKDF-SHA256 output length.
            let _ = hk.expand(&[counter], &mut okm);
            if let Some(key) = Self::from_bytes(&okm) {
                return key;
            }
            counter = counter.wrapping_add(1);
        }
    }

    pub fn secret_bytes(&self) -> [u8; 32] {
        self.secret.to_bytes().into()
    }

    /// The public key, uncompressed, base64url: the browser's
    /// `applicationServerKey` and the `k=` of the Authorization header.
    pub fn public_key_b64(&self) -> String {
        b64(&uncompressed(&self.secret.public_key()))
    }

    /// `vapid t=<JWT>, k=<public key>` for a push service at `audience`
    /// (the endpoint's origin), valid until `expires_unix` (seconds).
    pub fn authorization(&self, audience: &str, subject: &str, expires_unix: i64) -> String {
        format!(
            "vapid t={}, k={}",
            self.jwt(audience, subject, expires_unix),
            self.public_key_b64()
        )
    }

    pub fn jwt(&self, audience: &str, subject: &str, expires_unix: i64) -> String {
        let header = b64(br#"{"typ":"JWT","alg":"ES256"}"#);
        let claims = serde_json::json!({ "aud": audience, "exp": expires_unix, "sub": subject });
        let signing_input = format!("{header}.{}", b64(claims.to_string().as_bytes()));
        let signature: Signature = SigningKey::from(&self.secret).sign(signing_input.as_bytes());
        format!("{signing_input}.{}", b64(&signature.to_bytes()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use p256::ecdsa::signature::Verifier;
    use p256::ecdsa::VerifyingKey;

    // RFC 8291, Section 5 and Appendix A.
    const PLAINTEXT: &str = "When I grow up, I want to be a watermelon";
    const AS_PRIVATE: &str = "yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw";
    const AS_PUBLIC: &str = "BP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A8";
    const UA_PRIVATE: &str = "q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94";
    const UA_PUBLIC: &str = "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4";
    const SALT: &str = "DGv6ra1nlYgDCS1FRnbzlw";
    const AUTH: &str = "BTBZMqHH6r4Tts7J_aSIgg";
    const BODY: &str = "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN";

    fn d(s: &str) -> Vec<u8> {
        unb64(s).unwrap_or_default()
    }

    fn secret(s: &str) -> SecretKey {
        SecretKey::from_slice(&d(s)).unwrap_or_else(|_| panic!("bad test key"))
    }

    #[test]
    fn rfc8291_test_vector_byte_for_byte() {
        let sender = secret(AS_PRIVATE);
        assert_eq!(b64(&uncompressed(&sender.public_key())), AS_PUBLIC);
        assert_eq!(b64(&uncompressed(&secret(UA_PRIVATE).public_key())), UA_PUBLIC);
        let mut salt = [0u8; 16];
        salt.copy_from_slice(&d(SALT));
        let body = encrypt_with(PLAINTEXT.as_bytes(), &d(UA_PUBLIC), &d(AUTH), &sender, &salt);
        assert_eq!(body, Ok(d(BODY)));
    }

    #[test]
    fn rfc8291_test_vector_decrypts() {
        let plain = decrypt(&d(BODY), &secret(UA_PRIVATE), &d(AUTH));
        assert_eq!(plain, Ok(PLAINTEXT.as_bytes().to_vec()));
        let mut tampered = d(BODY);
        let n = tampered.len();
        tampered[n - 20] ^= 1;
        assert_eq!(
            decrypt(&tampered, &secret(UA_PRIVATE), &d(AUTH)),
            Err(PushCryptoError::Decrypt)
        );
    }

    #[test]
    fn random_encryption_round_trips_and_differs() {
        let ua = SecretKey::random(&mut rand::rngs::OsRng);
        let ua_public = uncompressed(&ua.public_key());
        let auth: [u8; 16] = crate::secrets::random_bytes();
        let a = encrypt(b"hello", &ua_public, &auth).unwrap_or_default();
        let b = encrypt(b"hello", &ua_public, &auth).unwrap_or_default();
        assert_ne!(a, b);
        assert_eq!(decrypt(&a, &ua, &auth), Ok(b"hello".to_vec()));
        assert_eq!(
            encrypt(&[0u8; MAX_PLAINTEXT + 1], &ua_public, &auth),
            Err(PushCryptoError::TooLong)
        );
        assert_eq!(
            encrypt(b"x", &ua_public, &auth[..15]),
            Err(PushCryptoError::BadAuthSecret)
        );
        assert_eq!(encrypt(b"x", &[4u8; 65], &auth), Err(PushCryptoError::BadPublicKey));
        assert_eq!(
            encrypt(b"x", &ua_public[..64], &auth),
            Err(PushCryptoError::BadPublicKey)
        );
    }

    #[test]
    fn vapid_jwt_verifies_with_the_public_key() {
        let key = VapidKey::generate();
        let jwt = key.jwt("https://push.example.net", "mailto:ops@example.org", 1_700_000_000);
        let parts: Vec<&str> = jwt.split('.').collect();
        assert_eq!(parts.len(), 3);
        let header: serde_json::Value = serde_json::from_slice(&d(parts[0])).unwrap_or_default();
        assert_eq!(header["alg"], "ES256");
        let claims: serde_json::Value = serde_json::from_slice(&d(parts[1])).unwrap_or_default();
        assert_eq!(claims["aud"], "https://push.example.net");
        assert_eq!(claims["exp"], 1_700_000_000);
        assert_eq!(claims["sub"], "mailto:ops@example.org");
        let public = d(&key.public_key_b64());
        assert_eq!(public.len(), 65);
        let verifier = VerifyingKey::from_sec1_bytes(&public).unwrap_or_else(|_| panic!("public key"));
        let sig = Signature::from_slice(&d(parts[2])).unwrap_or_else(|_| panic!("signature"));
        let input = format!("{}.{}", parts[0], parts[1]);
        assert!(verifier.verify(input.as_bytes(), &sig).is_ok());
        assert!(verifier.verify(b"something else", &sig).is_err());
        let auth = key.authorization("https://push.example.net", "mailto:ops@example.org", 1);
        assert!(auth.starts_with("vapid t=") && auth.ends_with(&format!(", k={}", key.public_key_b64())));
    }

    #[test]
    fn vapid_key_round_trips_and_derives_stably() {
        let key = VapidKey::generate();
        let again = VapidKey::from_bytes(&key.secret_bytes()).unwrap_or_else(VapidKey::generate);
        assert_eq!(key.public_key_b64(), again.public_key_b64());
        assert_eq!(
            VapidKey::derive_from(&[7u8; 32]).public_key_b64(),
            VapidKey::derive_from(&[7u8; 32]).public_key_b64()
        );
        assert_ne!(
            VapidKey::derive_from(&[7u8; 32]).public_key_b64(),
            VapidKey::derive_from(&[8u8; 32]).public_key_b64()
        );
        assert!(VapidKey::from_bytes(&[0u8; 32]).is_none());
    }
}
