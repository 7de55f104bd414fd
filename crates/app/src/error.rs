use cercle_domain::{InputError, Timestamp};

/// Everything a service can refuse, each with a stable code. The web layer
/// maps these to an HTTP status and a translated message, once.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("invalid input: {0}")]
    Input(#[from] InputError),
    #[error("email or password incorrect")]
    BadCredentials,
    #[error("account locked")]
    /// Locked until `until`, said in the person's time zone `zone`.
    AccountLocked {
        until: Timestamp,
        zone: cercle_domain::local_time::Zone,
    },
    #[error("too many attempts")]
    RateLimited,
    #[error("wrong code")]
    CodeWrong { attempts_left: i64 },
    #[error("code expired or already used")]
    CodeExpired,
    #[error("not signed in")]
    NotAuthenticated,
    #[error("session locked")]
    SessionLocked,
    #[error("wrong PIN")]
    PinWrong { tries_left: i64 },
    #[error("session erased after too many wrong PINs")]
    SessionErased,
    #[error("not allowed")]
    Forbidden,
    #[error("not found")]
    NotFound,
    #[error("the link expired or was already used")]
    LinkInvalid,
    #[error("wrong step")]
    WrongStep,
    #[error("already done")]
    Conflict(&'static str),
    /// The call already holds `max` people (a setting).
    #[error("call full")]
    CallFull { max: i64 },
    /// An instant mobile connect code that opens nothing, and why.
    #[error("connect code refused")]
    ConnectRefused(cercle_domain::session::ConnectRefusal),
    /// A SMART EHR launch that opens nothing, and why.
    #[error("SMART launch refused")]
    SmartRefused(cercle_domain::smart::SmartRefusal),
    #[error("no active organization")]
    NoActiveOrganization,
    /// Searching the external network, inviting to the network: for
    /// validated professionals only.
    #[error("profession not validated")]
    ProfessionNotValidated,
    /// The disk is full: nothing was saved; reads still work.
    #[error("storage full")]
    StorageFull,
    /// The database cannot be reached right now (down, restarting,
    /// connection lost): nothing was done; try again.
    #[error("database unavailable")]
    DatabaseUnavailable,
    /// The attachments' object storage cannot be reached right now:
    /// nothing was saved; try again.
    #[error("file storage unavailable")]
    FileStorageUnavailable,
    #[error("internal error")]
    Internal(String),
}

impl AppError {
    /// The stable code clients see (`{ "code": ... }`) and the suffix of the
    /// translated message id (`error-<code>`).
    pub fn code(&self) -> &'static str {
        match self {
            AppError::Input(e) => e.code(),
            AppError::BadCredentials => "bad-credentials",
            AppError::AccountLocked { .. } => "account-locked",
            AppError::RateLimited => "rate-limited",
            AppError::CodeWrong { .. } => "code-wrong",
            AppError::CodeExpired => "code-expired",
            AppError::NotAuthenticated => "not-authenticated",
            AppError::SessionLocked => "session-locked",
            AppError::PinWrong { .. } => "pin-wrong",
            AppError::SessionErased => "session-erased",
            AppError::Forbidden => "forbidden",
            AppError::NotFound => "not-found",
            AppError::LinkInvalid => "link-invalid",
            AppError::WrongStep => "wrong-step",
            AppError::Conflict(what) => what,
            AppError::CallFull { .. } => "call-full",
            AppError::ConnectRefused(why) => why.code(),
            AppError::SmartRefused(why) => why.code(),
            AppError::NoActiveOrganization => "no-active-organization",
            AppError::ProfessionNotValidated => "profession-not-validated",
            AppError::StorageFull => "storage-full",
            AppError::DatabaseUnavailable => "database-unavailable",
            AppError::FileStorageUnavailable => "file-storage-unavailable",
            AppError::Internal(_) => "internal",
        }
    }
}

/// An id that is not one of ours names nothing: "not found", as for an id
/// that names no row, so that a caller cannot tell the two apart.
impl From<cercle_domain::UnknownId> for AppError {
    fn from(_: cercle_domain::UnknownId) -> Self {
        AppError::NotFound
    }
}

impl From<cercle_store::StoreError> for AppError {
    fn from(e: cercle_store::StoreError) -> Self {
        match e {
            cercle_store::StoreError::Conflict => AppError::Conflict("conflict"),
            other => of_fault(other.fault(), &other),
        }
    }
}

/// sqlx errors surface directly from `commit()`.
impl From<cercle_store::SqlxError> for AppError {
    fn from(e: cercle_store::SqlxError) -> Self {
        of_fault(cercle_store::Fault::of(&e), &e)
    }
}

/// A storage fault is logged here, once, as a warning (the database's
/// message names no patient data: a code and a reason such as "database or
/// disk is full" or "connection refused").
fn of_fault(fault: cercle_store::Fault, e: &dyn std::fmt::Display) -> AppError {
    match fault {
        cercle_store::Fault::StorageFull => {
            tracing::warn!(error = %e, "storage full: write refused");
            AppError::StorageFull
        }
        cercle_store::Fault::Unavailable => {
            tracing::warn!(error = %e, "database unavailable");
            AppError::DatabaseUnavailable
        }
        cercle_store::Fault::Other => AppError::Internal(e.to_string()),
    }
}

pub type AppResult<T> = Result<T, AppError>;
