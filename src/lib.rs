//! xc-avatar: change your F5 Distributed Cloud profile picture.
//!
//! Two front ends over one core: `cli` (headless commands) and `app` (egui). The core —
//! pictures, the XC client, credentials, settings — is the `xc-avatar-core` crate, which cannot
//! see egui. See ARCHITECTURE.md.

pub mod app;
pub mod cli;
pub mod messages;

pub use xc_avatar_core::{
    ENV_CONFIG_DIR, ENV_P12_FILE, ENV_P12_PASSWORD, ENV_TENANT, ENV_TOKEN, TenantUrl,
    TenantUrlError, api, avatar, credentials, settings,
};
