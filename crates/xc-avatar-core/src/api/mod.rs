//! The XC client: the only code that speaks HTTP. Front ends consume its typed outcomes.

mod clean;
mod client;
mod error;
mod retry;
mod tenant;

pub use clean::{REDACTED, clean_text, is_invisible, redact, terminal_safe};
pub use client::{
    CallEvent, ClientOptions, Deadline, ERROR_BODY_MAX_BYTES, PICTURE_MAX_BYTES,
    SMALL_BODY_MAX_BYTES, TenantPicture, WhoAmI, XcClient,
};
#[doc(hidden)]
pub use client::{parse_picture, parse_whoami};
pub use error::{ApiError, server_text, server_text_redacted};
pub use retry::{RetryPolicy, parse_retry_after};
pub use tenant::{TenantUrl, TenantUrlError};

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
