//! Request headers that operations document (their own module, below both
//! the handlers that name them and the OpenAPI document that gathers the
//! handlers, so that neither imports the other).

/// The `Idempotency-Key` header of the operations that accept one (one per
/// user action, repeated on its retries; see docs/operations.md).
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Header)]
pub struct IdempotencyHeader {
    /// 1 to 100 printable ASCII characters, one per user action. The same key from the same person within 24 hours returns the first answer (same status and body) without doing the work again; with another request body, 422 idempotency-key-reused; an invalid key, 422 idempotency-key-invalid.
    #[param(rename = "Idempotency-Key", min_length = 1, max_length = 100)]
    #[allow(dead_code)]
    idempotency_key: Option<String>,
}
