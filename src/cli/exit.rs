use std::process::ExitCode;

use crate::api::{ApiError, TenantUrlError};
use crate::avatar::AvatarError;

/// The process exit codes, documented in `--help` and the README.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Exit {
    Success = 0,
    Internal = 1,
    Usage = 2,
    Image = 3,
    NotAuthenticated = 4,
    Forbidden = 5,
    NotFound = 6,
    Conflict = 7,
    RateLimited = 8,
    Server = 9,
    Network = 10,
    Keyring = 11,
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> Self {
        ExitCode::from(exit as u8)
    }
}

impl From<&ApiError> for Exit {
    fn from(error: &ApiError) -> Self {
        match error {
            ApiError::Unauthorized { .. } | ApiError::UnusableToken => Exit::NotAuthenticated,
            ApiError::Forbidden { .. } => Exit::Forbidden,
            ApiError::NotFound { .. } => Exit::NotFound,
            ApiError::Conflict { .. } => Exit::Conflict,
            ApiError::RateLimited { .. } => Exit::RateLimited,
            ApiError::Server { .. }
            | ApiError::UnexpectedStatus { .. }
            | ApiError::Redirect { .. }
            | ApiError::InvalidResponse { .. }
            | ApiError::ResponseTooLarge { .. }
            | ApiError::NotAPicture { .. } => Exit::Server,
            ApiError::Dns { .. }
            | ApiError::ConnectionRefused { .. }
            | ApiError::ConnectionReset { .. }
            | ApiError::Tls { .. }
            | ApiError::Timeout { .. }
            | ApiError::Network { .. } => Exit::Network,
            ApiError::Internal { .. } => Exit::Internal,
        }
    }
}

impl From<&AvatarError> for Exit {
    fn from(error: &AvatarError) -> Self {
        match error {
            AvatarError::Encode(_) => Exit::Internal,
            // The picture is fine; the size and byte budget asked for cannot both be met.
            AvatarError::OverBudget { .. } => Exit::Usage,
            _ => Exit::Image,
        }
    }
}

impl From<&TenantUrlError> for Exit {
    fn from(_: &TenantUrlError) -> Self {
        Exit::Usage
    }
}
