//! What the tenant answers, read: who a credential acts as (`whoami`) and the picture it holds
//! (raw bytes or the spec's JSON, or the settings' base64) — each checked and cleaned before
//! anyone sees it.

use base64::Engine as _;
use image::ImageFormat;
use serde::Deserialize;

use super::ApiError;
use crate::avatar::{AvatarError, Limits, Source};
use crate::clean::clean_server_text;

/// Longest name, e-mail or `Location` we show.
pub(super) const SHOWN_MAX_CHARS: usize = 200;

/// Who an API token belongs to, from `whoami`. Every field is cleaned of escape sequences and
/// control characters, and of the token, before it reaches anyone.
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(default)]
pub struct WhoAmI {
    pub name: String,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub tenant: String,
}

impl WhoAmI {
    /// "Ada Lovelace <ada@example.com>", or whatever part is known.
    pub fn display_name(&self) -> String {
        let full = format!("{} {}", self.first_name, self.last_name);
        let full = full.trim();
        match (full.is_empty(), self.email.is_empty()) {
            (false, false) => format!("{full} <{}>", self.email),
            (false, true) => full.to_owned(),
            (true, false) => self.email.clone(),
            (true, true) => self.name.clone(),
        }
    }

    /// "Ada Lovelace" as a console header shows it; the e-mail or login name if that is all.
    pub fn short_name(&self) -> String {
        let full = format!("{} {}", self.first_name, self.last_name);
        match full.trim() {
            "" if !self.email.is_empty() => self.email.clone(),
            "" => self.name.clone(),
            full => full.to_owned(),
        }
    }
}

/// A profile picture as the tenant holds it: bytes that are an image (checked), and their
/// type as read from the bytes themselves (never the server's words).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TenantPicture {
    pub content_type: String,
    pub bytes: Vec<u8>,
}

impl TenantPicture {
    /// `bytes` as a picture the tenant can hold, its type read from the bytes; else what they
    /// are instead.
    pub fn from_bytes(bytes: Vec<u8>) -> Result<Self, String> {
        picture_from_bytes(bytes)
    }

    /// The picture decoded, right way up, at most `max_side` pixels on its longer side: the
    /// proof that the bytes are a picture. Decoded within the limits of an avatar
    /// ([`Limits::AVATAR`], 4096²): whatever a tenant sends, showing it costs at most that.
    pub fn preview(&self, max_side: u32) -> Result<image::RgbaImage, ApiError> {
        Source::from_bytes_within(self.bytes.as_slice(), Limits::AVATAR)
            .and_then(|source| source.preview(max_side))
            .map(|(image, _)| image)
            .map_err(|error| ApiError::NotAPicture {
                detail: format!(
                    "{} bytes of {} that do not decode: {error}",
                    self.bytes.len(),
                    self.content_type
                ),
            })
    }

    /// The usual file extension for its type (`jpg`, `png`, …).
    pub fn extension(&self) -> &'static str {
        ImageFormat::from_mime_type(&self.content_type)
            .and_then(|f| f.extensions_str().first().copied())
            .unwrap_or("img")
    }
}

/// A 2xx answer.
pub(super) struct Answer {
    pub(super) content_type: String,
    pub(super) body: Vec<u8>,
}

/// A parse failure, named; serde's message can quote the body, so it is cleaned too.
pub(super) fn invalid(what: &str, error: &serde_json::Error, secrets: &[&str]) -> ApiError {
    ApiError::InvalidResponse {
        detail: clean_server_text(
            &format!("{what} are not the expected JSON ({error})"),
            secrets,
            SHOWN_MAX_CHARS,
        ),
    }
}

/// Parses a whoami answer as [`XcClient::whoami`] does (for the fuzz target).
#[doc(hidden)]
pub fn parse_whoami(body: &[u8]) -> Result<WhoAmI, ApiError> {
    whoami_from(body, &[])
}

/// Parses a GET image answer as [`XcClient::current_image`] does (for the fuzz target).
#[doc(hidden)]
pub fn parse_picture(content_type: &str, body: &[u8]) -> Result<Option<TenantPicture>, ApiError> {
    picture_from_image_answer(
        Answer {
            content_type: content_type.to_owned(),
            body: body.to_vec(),
        },
        &[],
    )
}

pub(super) fn whoami_from(body: &[u8], secrets: &[&str]) -> Result<WhoAmI, ApiError> {
    let raw: WhoAmI =
        serde_json::from_slice(body).map_err(|e| invalid("whoami's details", &e, secrets))?;
    let clean = |text: String| clean_server_text(&text, secrets, SHOWN_MAX_CHARS);
    Ok(WhoAmI {
        name: clean(raw.name),
        email: clean(raw.email),
        first_name: clean(raw.first_name),
        last_name: clean(raw.last_name),
        tenant: clean(raw.tenant),
    })
}

/// A 200 whose body is not `{}`-like JSON still did what was asked; note it for support.
pub(super) fn warn_unless_json_object(what: &str, body: &[u8]) {
    if serde_json::from_slice::<serde_json::Map<String, serde_json::Value>>(body).is_err() {
        tracing::warn!(
            body_len = body.len(),
            "{what} answered 200 with a body that is not a JSON object; treating as success"
        );
    }
}

/// GET image answers either raw bytes with an image type (gRPC gateway's `HttpBody`) or the
/// spec's JSON `{content_type, data}`; empty means no picture. Whatever the server says the
/// type is, the bytes must be an image.
pub(super) fn picture_from_image_answer(
    answer: Answer,
    secrets: &[&str],
) -> Result<Option<TenantPicture>, ApiError> {
    if answer.body.is_empty() {
        return Ok(None);
    }
    let media_type = answer
        .content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    let looks_json = media_type.contains("json") || answer.body.first() == Some(&b'{');
    if !media_type.starts_with("image/") && looks_json {
        #[derive(Deserialize)]
        struct HttpBody {
            #[serde(default)]
            data: String,
        }
        let json: HttpBody = serde_json::from_slice(&answer.body)
            .map_err(|e| invalid("the picture's details", &e, secrets))?;
        return picture_from_base64(&json.data);
    }
    let shown_type = match clean_server_text(&media_type, secrets, 80) {
        empty if empty.is_empty() => "no content type".to_owned(),
        named => named,
    };
    picture_from_bytes(answer.body)
        .map(Some)
        .map_err(|what| ApiError::NotAPicture {
            detail: format!("{what}, sent as {shown_type}"),
        })
}

pub(super) fn picture_from_base64(data: &str) -> Result<Option<TenantPicture>, ApiError> {
    if data.is_empty() {
        return Ok(None);
    }
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(data)
        .map_err(|_| ApiError::NotAPicture {
            detail: "its base64 does not decode".into(),
        })?;
    picture_from_bytes(bytes)
        .map(Some)
        .map_err(|what| ApiError::NotAPicture { detail: what })
}

/// `bytes` as a picture if they are one: a known image format (its type taken from the bytes),
/// whose header reads, within an avatar's limits, when it is a format we decode. Else what
/// they are instead. ([`TenantPicture::preview`] then decodes it.)
fn picture_from_bytes(bytes: Vec<u8>) -> Result<TenantPicture, String> {
    let Ok(format) = image::guess_format(&bytes) else {
        return Err(format!("{} bytes of no image format", bytes.len()));
    };
    match Source::from_bytes_within(bytes.as_slice(), Limits::AVATAR) {
        Ok(_) | Err(AvatarError::Unsupported(_)) => {}
        Err(error) => {
            return Err(format!(
                "{} bytes that begin like {} but are not one ({error})",
                bytes.len(),
                format.to_mime_type()
            ));
        }
    }
    Ok(TenantPicture {
        content_type: format.to_mime_type().to_owned(),
        bytes,
    })
}

/// Target of the one debug line per answer that says what it looked like, never what it said:
/// `scripts/live-check` turns it on (`RUST_LOG=xc_avatar_core::answer=debug`) to report how a
/// real tenant answers.
pub const ANSWER_LOG_TARGET: &str = "xc_avatar_core::answer";

/// Logs (at debug, under [`ANSWER_LOG_TARGET`]) what an answer looked like, not what it said.
pub(super) fn log_shape(path: &str, status: u16, content_type: &str, body: &[u8]) {
    tracing::debug!(
        target: ANSWER_LOG_TARGET,
        path,
        status,
        content_type = %clean_server_text(content_type, &[], 80),
        bytes = body.len(),
        shape = %shape_of(body),
        "answer"
    );
}

/// An answer's form without its values: `{"content_type": string(10), "data": string(1234)}`
/// for JSON (names cleaned and capped), else `raw`.
pub fn shape_of(body: &[u8]) -> String {
    fn kind(value: &serde_json::Value, depth: usize) -> String {
        use serde_json::Value;
        match value {
            Value::Null => "null".into(),
            Value::Bool(_) => "bool".into(),
            Value::Number(_) => "number".into(),
            Value::String(text) => format!("string({})", text.len()),
            Value::Array(items) => format!("array({})", items.len()),
            Value::Object(_) if depth >= 2 => "object".into(),
            Value::Object(fields) => {
                let fields: Vec<String> = fields
                    .iter()
                    .take(40)
                    .map(|(name, value)| {
                        let name = clean_server_text(name, &[], 40);
                        format!("{name:?}: {}", kind(value, depth + 1))
                    })
                    .collect();
                let more = if fields.len() == 40 { ", …" } else { "" };
                format!("{{{}{more}}}", fields.join(", "))
            }
        }
    }
    if body.is_empty() {
        return "empty".into();
    }
    match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(value) => kind(&value, 0),
        Err(_) => "raw".into(),
    }
}
