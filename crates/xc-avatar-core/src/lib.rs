//! The core of xc-avatar, shared by its desktop app and its command line, and usable by any
//! other front end: pictures (`avatar`), the F5 Distributed Cloud client (`api`), the tenant
//! (`TenantUrl`), secrets and credentials (`credentials`), non-secret settings (`settings`),
//! vesctl's profile (`vesctl`) and which tenant and credential are used (`sign_in`). Nothing
//! here knows of a GUI; the workspace's CI checks that no GUI crate is in this crate's
//! dependency tree.

pub mod api;
pub mod avatar;
pub mod clean;
pub mod credentials;
pub mod settings;
pub mod sign_in;
mod small_file;
mod tenant;
pub mod vesctl;

pub use tenant::{TenantUrl, TenantUrlError};

/// Environment variable naming the tenant, as F5's own tooling (the f5xc Terraform provider).
pub const ENV_TENANT: &str = "F5XC_API_URL";
/// Environment variable holding the API token, as F5's own tooling.
pub const ENV_TOKEN: &str = "F5XC_API_TOKEN";
/// Environment variable naming an API certificate (`.p12`), as F5's Terraform provider.
pub const ENV_P12_FILE: &str = "VOLT_API_P12_FILE";
/// Environment variable holding that certificate's password, as F5's Terraform provider.
pub const ENV_P12_PASSWORD: &str = "VES_P12_PASSWORD";
/// Environment variable naming the folder for `settings.json`, on every OS.
pub const ENV_CONFIG_DIR: &str = "XC_AVATAR_CONFIG_DIR";
