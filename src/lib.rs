//! xc-avatar: change your F5 Distributed Cloud profile picture.
//!
//! `avatar`, `api` and `credentials` are the core and know nothing of egui; `cli` and `app` are
//! two front ends over the same core. See ARCHITECTURE.md.

pub mod api;
pub mod app;
pub mod avatar;
pub mod cli;
pub mod credentials;
pub mod settings;

/// Environment variable naming the tenant, as F5's own tooling (the f5xc Terraform provider).
pub const ENV_TENANT: &str = "F5XC_API_URL";
/// Environment variable holding the API token, as F5's own tooling.
pub const ENV_TOKEN: &str = "F5XC_API_TOKEN";
