use std::process::ExitCode;

use crate::TenantUrlError;
use crate::avatar::AvatarError;
use crate::credentials::CertificateError;

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
    CertificateMissing = 12,
    NotP12 = 13,
    WrongPassword = 14,
    CertificateExpired = 15,
}

impl Exit {
    /// Every exit code and what it means: the one table `--help` and the README show.
    pub const TABLE: [(Exit, &'static str); 16] = [
        (Exit::Success, "success"),
        (Exit::Internal, "unexpected internal error"),
        (
            Exit::Usage,
            "usage or configuration error (bad flag, `--crop` outside the picture, an avatar \
             that cannot fit `--max-bytes`, bad or non-https tenant URL, more than 4 KiB on \
             stdin for `token set`, a vesctl profile that cannot be read)",
        ),
        (
            Exit::Image,
            "image unreadable, unsupported or too large; not a regular file (a folder, FIFO, \
             device or socket); a file over 200 MB",
        ),
        (
            Exit::NotAuthenticated,
            "not authenticated (401, no token available, or the tenant rejected the API \
             certificate)",
        ),
        (Exit::Forbidden, "forbidden (403)"),
        (Exit::NotFound, "not found (404)"),
        (Exit::Conflict, "conflict (409)"),
        (
            Exit::RateLimited,
            "rate limited (429, after retries, or asked to wait past `--deadline`)",
        ),
        (
            Exit::Server,
            "server error (5xx after retries, other unexpected status, redirect, an answer over \
             its ceiling, a \"picture\" that is not one)",
        ),
        (Exit::Network, "network: DNS, connect, reset, TLS, timeout"),
        (Exit::Keyring, "keyring unavailable or failing"),
        (
            Exit::CertificateMissing,
            "API certificate file missing or unreadable",
        ),
        (
            Exit::NotP12,
            "the API certificate file is not a usable .p12 (PKCS#12) file: not one at all, its \
             key does not belong to its certificate, or it asks for far more key derivation \
             than a real one; or a PEM certificate or key file holds none",
        ),
        (Exit::WrongPassword, "the password does not open the .p12"),
        (
            Exit::CertificateExpired,
            "API certificate expired or not yet valid",
        ),
    ];

    /// The table as `--help` prints it: "  10 network: DNS, …".
    pub fn help_table() -> String {
        let mut text = String::from("Exit codes:\n");
        for (exit, meaning) in Exit::TABLE {
            text.push_str(&format!(
                "  {:<2} {}\n",
                exit as u8,
                meaning.replace('`', "")
            ));
        }
        text
    }
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> Self {
        ExitCode::from(exit as u8)
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

impl From<&CertificateError> for Exit {
    fn from(error: &CertificateError) -> Self {
        match error {
            CertificateError::Missing { .. } | CertificateError::Unreadable { .. } => {
                Exit::CertificateMissing
            }
            CertificateError::NotP12 { .. }
            | CertificateError::NotPem { .. }
            | CertificateError::TooCostly { .. }
            | CertificateError::KeyMismatch { .. } => Exit::NotP12,
            CertificateError::WrongPassword { .. } => Exit::WrongPassword,
            CertificateError::Expired { .. } | CertificateError::NotYetValid { .. } => {
                Exit::CertificateExpired
            }
        }
    }
}

impl From<&TenantUrlError> for Exit {
    fn from(_: &TenantUrlError) -> Self {
        Exit::Usage
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_lists_every_code_once_in_order() {
        for (n, (exit, meaning)) in Exit::TABLE.iter().enumerate() {
            assert_eq!(*exit as usize, n, "{meaning}");
        }
    }

    /// The README's table is the same table, word for word.
    #[test]
    fn the_readme_shows_the_same_table() {
        let readme = include_str!("../README.md");
        for (exit, meaning) in Exit::TABLE {
            let row = format!("| {} | {} |", exit as u8, meaning);
            assert!(readme.contains(&row), "README lacks the row {row:?}");
        }
    }
}
