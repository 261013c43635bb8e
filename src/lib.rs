//! xc-avatar: change your F5 Distributed Cloud profile picture.
//!
//! Two front ends over one core: `cli` (headless commands) and `app` (egui). The core —
//! pictures, the XC client, credentials, settings, vesctl's profile — is the `xc-avatar-core`
//! crate, which cannot see egui. See ARCHITECTURE.md.
//!
//! The modules are private but for what the binary and the integration tests use, so rustc
//! reports dead code.

pub mod app;
pub mod cli;
mod exit;
mod messages;

/// The setup screen's title: how the GUI tests know the screen.
pub use messages::SETUP_TITLE;
pub use xc_avatar_core::{
    ENV_CONFIG_DIR, ENV_P12_FILE, ENV_P12_PASSWORD, ENV_TENANT, ENV_TOKEN, TenantUrl,
    TenantUrlError, api, avatar, clean, credentials, settings, sign_in, vesctl,
};
