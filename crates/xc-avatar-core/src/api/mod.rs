//! The XC client: the only code that speaks HTTP. Front ends consume its typed outcomes.

mod answers;
mod client;
mod error;
mod network;
mod options;
mod retry;

pub use answers::{TenantPicture, WhoAmI};
#[doc(hidden)]
pub use answers::{parse_picture, parse_whoami};
pub use client::{
    CallEvent, ERROR_BODY_MAX_BYTES, PICTURE_MAX_BYTES, SMALL_BODY_MAX_BYTES, XcClient,
};
pub use error::{ApiError, server_text, server_text_redacted};
pub use options::{ClientOptions, Deadline};
pub use retry::{RetryPolicy, parse_retry_after};

use crate::TenantUrl;

/// The profile-picture endpoint (PUT uploads, GET reads, DELETE removes).
pub const IMAGE_PATH: &str = "/api/web/namespaces/system/user/settings/image";
/// The user's settings; carries the picture as base64 in `image`.
pub const SETTINGS_PATH: &str = "/api/web/namespaces/system/user/settings";
/// The cheap authenticated call that tells who a token belongs to.
pub const WHOAMI_PATH: &str = "/api/web/custom/namespaces/system/whoami";

/// Who `token` acts as on `tenant`: the one way every front end checks a token.
pub async fn whoami(
    tenant: TenantUrl,
    token: &crate::credentials::ApiToken,
    options: ClientOptions,
) -> Result<WhoAmI, ApiError> {
    XcClient::new(tenant, token, options)?.whoami().await
}

/// Who `credential` (a token or an API certificate) acts as on `tenant`.
pub async fn whoami_as(
    tenant: TenantUrl,
    credential: &crate::credentials::Credential,
    options: ClientOptions,
) -> Result<WhoAmI, ApiError> {
    XcClient::with_credential(tenant, credential, options)?
        .whoami()
        .await
}
