//! The headless commands: the same core as the app, one line (or one JSON object) of output.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::{Value, json};

use super::framing::Framed;
use super::{AvatarArgs, ConnectionArgs, CurrentArgs, Exit, PrepareArgs, RemoveArgs, UploadArgs};
use crate::api::{ApiError, CallEvent, ClientOptions, Deadline, TenantPicture, XcClient};
use crate::avatar::{self, AvatarError, EncodedAvatar, Framing, Source};
use crate::messages::{self, explain};

/// Prints results for a person (one line) or for a script (`--json`: one JSON object on stdout).
pub struct Report {
    pub command: &'static str,
    pub json: bool,
    /// When the whole command must be over (`--deadline`).
    pub deadline: Deadline,
}

/// A line of ours for a terminal: each of its lines with what could move the cursor, retitle
/// the window, reorder or hide text (a path, a name from the settings) written out as an
/// escape. Server text is already cleaned of all that (escapes removed), and so unchanged.
pub(crate) fn shown(text: &str) -> String {
    text.split('\n')
        .map(crate::api::terminal_safe)
        .collect::<Vec<_>>()
        .join("\n")
}

/// A warning on stderr, made safe for a terminal.
pub(crate) fn warn(text: &str) {
    eprintln!("xc-avatar: warning: {}", crate::api::terminal_safe(text));
}

impl Report {
    pub(crate) fn success(&self, line: String, mut fields: Value) -> Exit {
        if self.json {
            fields["ok"] = json!(true);
            fields["command"] = json!(self.command);
            println!("{fields}");
        } else {
            println!("{}", shown(&line));
        }
        Exit::Success
    }

    /// Client options for this command: `timeout` per attempt, within the command's deadline.
    pub(crate) fn client_options(&self, timeout: Duration) -> ClientOptions {
        ClientOptions {
            timeout,
            deadline: Some(self.deadline),
            ..ClientOptions::default()
        }
    }

    pub(crate) fn failure(&self, exit: Exit, kind: &str, line: String, mut error: Value) -> Exit {
        if self.json {
            error["kind"] = json!(kind);
            error["message"] = json!(line);
            let result = json!({
                "ok": false,
                "command": self.command,
                "exit_code": exit as u8,
                "error": error,
            });
            println!("{result}");
        } else {
            // One line, whatever a path or a name in it holds.
            eprintln!("xc-avatar: error: {}", crate::api::terminal_safe(&line));
        }
        exit
    }

    pub(crate) fn usage(&self, line: String) -> Exit {
        self.failure(Exit::Usage, "usage", line, json!({}))
    }

    fn image_error(&self, file: &Path, err: &AvatarError) -> Exit {
        self.failure(
            Exit::from(err),
            "image",
            format!("{}: {err}", file.display()),
            json!({ "file": file }),
        )
    }

    pub(crate) fn api_error(&self, err: &ApiError) -> Exit {
        let error = json!({
            "status": err.status(),
            "server_text": err.server_text(),
            "next_step": err.next_step(),
        });
        self.failure(Exit::from(err), err.kind(), explain(err).to_string(), error)
    }

    /// Each wait before a retry says what it waits for, in one line on stderr — on a terminal
    /// or not, with `--json` too (whose output is stdout), so a log shows why a run took long.
    fn on_event(&self) -> impl Fn(&CallEvent) + Send + Sync + 'static {
        move |event| {
            let CallEvent::Retrying {
                next_attempt,
                attempts,
                wait,
                reason,
            } = event;
            eprintln!(
                "xc-avatar: {}",
                messages::waiting_to_retry(
                    &reason.to_string(),
                    wait.as_secs_f64().ceil() as u64,
                    *next_attempt,
                    *attempts
                )
            );
        }
    }
}

pub fn upload(args: &UploadArgs, report: &Report) -> Exit {
    let client = match connect(&args.connection, report) {
        Ok(client) => client,
        Err(exit) => return exit,
    };
    let (avatar, about, how) = match &args.file {
        Some(file) if args.exact => return upload_exact(&client, file, report),
        Some(file) => match render(file, &args.avatar, report) {
            Ok((avatar, framed)) => (avatar, framed.json(), framed.describe().map(str::to_owned)),
            Err(exit) => return exit,
        },
        None => match render_monogram(&client, args, report) {
            Ok(rendered) => rendered,
            Err(exit) => return exit,
        },
    };
    match block_on(client.update_image(&avatar)) {
        Ok(()) => {
            let mut fields =
                json!({ "tenant": client.tenant().origin(), "avatar": avatar_json(&avatar) });
            merge(&mut fields, about);
            let how = how.map(|how| format!(", {how}")).unwrap_or_default();
            report.success(
                format!(
                    "uploaded your new profile picture to {} ({}{how})",
                    client.tenant(),
                    avatar.describe()
                ),
                fields,
            )
        }
        Err(err) => report.api_error(&err),
    }
}

/// `upload --monogram`: the initials of `--name`, else of the user the tenant says we are,
/// framed and encoded as a photo would be.
fn render_monogram(
    client: &XcClient,
    args: &UploadArgs,
    report: &Report,
) -> Result<(EncodedAvatar, Value, Option<String>), Exit> {
    let name = match &args.name {
        Some(name) => name.clone(),
        None => super::monogram::whoami_name(client, report)?,
    };
    let monogram = avatar::Monogram::new(&name);
    let avatar = super::monogram::render(&monogram, &args.avatar.output())
        .map_err(|err| report.failure(Exit::from(&err), "image", err.to_string(), json!({})))?;
    Ok((
        avatar,
        json!({ "monogram": super::monogram::monogram_json(&monogram, &name) }),
        Some(super::monogram::shown_initials(&monogram)),
    ))
}

/// `upload --exact`: FILE as it is, if it is a picture the tenant can hold and no larger than
/// what the client reads back.
fn upload_exact(client: &XcClient, file: &Path, report: &Report) -> Exit {
    let refuse = |detail: String| {
        report.failure(
            Exit::Image,
            "image",
            format!("{}: {detail}", file.display()),
            json!({ "file": file }),
        )
    };
    let limit = crate::api::PICTURE_MAX_BYTES;
    let bytes = match read_at_most(file, limit) {
        Ok(Some(bytes)) => bytes,
        Ok(None) => return refuse(format!("larger than {} MiB", limit / (1024 * 1024))),
        Err(err) => return refuse(format!("cannot read it: {err}")),
    };
    let picture = match TenantPicture::from_bytes(bytes) {
        Ok(picture) => picture,
        Err(what) => return refuse(format!("not a picture to send as it is: {what}")),
    };
    match block_on(client.put_image(&picture.content_type, &picture.bytes)) {
        Ok(()) => report.success(
            format!(
                "uploaded {} unchanged to {} ({}, {} bytes)",
                file.display(),
                client.tenant(),
                picture.content_type,
                picture.bytes.len()
            ),
            json!({
                "tenant": client.tenant().origin(),
                "picture": { "content_type": picture.content_type, "bytes": picture.bytes.len() },
            }),
        ),
        Err(err) => report.api_error(&err),
    }
}

/// The file's bytes, or `None` when it holds more than `limit` (the rest is never read).
fn read_at_most(file: &Path, limit: u64) -> std::io::Result<Option<Vec<u8>>> {
    use std::io::Read as _;
    let mut bytes = Vec::new();
    std::fs::File::open(file)?
        .take(limit + 1)
        .read_to_end(&mut bytes)?;
    Ok((bytes.len() as u64 <= limit).then_some(bytes))
}

pub fn whoami(args: &RemoveArgs, report: &Report) -> Exit {
    let client = match connect(&args.connection, report) {
        Ok(client) => client,
        Err(exit) => return exit,
    };
    match block_on(client.whoami()) {
        Ok(me) => report.success(
            format!(
                "{} acts as {} on tenant {}",
                client.tenant(),
                me.display_name(),
                me.tenant
            ),
            json!({
                "tenant": client.tenant().origin(),
                "user": {
                    "name": me.name,
                    "email": me.email,
                    "first_name": me.first_name,
                    "last_name": me.last_name,
                    "tenant": me.tenant,
                },
            }),
        ),
        Err(err) => report.api_error(&err),
    }
}

pub fn prepare(args: &PrepareArgs, report: &Report) -> Exit {
    let (avatar, framed) = match render(&args.file, &args.avatar, report) {
        Ok(rendered) => rendered,
        Err(exit) => return exit,
    };
    if let Err(err) = std::fs::write(&args.output, &avatar.bytes) {
        return report.usage(format!("cannot write {}: {err}", args.output.display()));
    }
    let mut fields = json!({ "output": args.output, "avatar": avatar_json(&avatar) });
    merge(&mut fields, framed.json());
    let framed_line = framed
        .describe()
        .map(|how| format!(", {how}"))
        .unwrap_or_default();
    report.success(
        format!(
            "wrote {} ({}{framed_line})",
            args.output.display(),
            avatar.describe()
        ),
        fields,
    )
}

pub fn current(args: &CurrentArgs, report: &Report) -> Exit {
    let client = match connect(&args.connection, report) {
        Ok(client) => client,
        Err(exit) => return exit,
    };
    let picture = match block_on(client.current_image()) {
        Ok(Some(picture)) => picture,
        Ok(None) => {
            return report.success(
                format!("you have no profile picture on {}", client.tenant()),
                json!({ "tenant": client.tenant().origin(), "picture": null }),
            );
        }
        Err(err) => return report.api_error(&err),
    };
    // Saved only once it decodes: a tenant's bytes that merely begin like a picture are not.
    if let Err(err) = picture.preview(64) {
        return report.api_error(&err);
    }
    let path = with_extension_of(&args.output, &picture);
    if let Err(err) = std::fs::write(&path, &picture.bytes) {
        return report.usage(format!("cannot write {}: {err}", path.display()));
    }
    report.success(
        format!(
            "wrote your current profile picture to {} ({}, {} KB)",
            path.display(),
            picture.content_type,
            picture.bytes.len().div_ceil(1000)
        ),
        json!({
            "tenant": client.tenant().origin(),
            "picture": {
                "path": path,
                "content_type": picture.content_type,
                "bytes": picture.bytes.len(),
            },
        }),
    )
}

pub fn remove(args: &RemoveArgs, report: &Report) -> Exit {
    let client = match connect(&args.connection, report) {
        Ok(client) => client,
        Err(exit) => return exit,
    };
    match block_on(client.delete_image()) {
        Ok(()) => report.success(
            format!("removed your profile picture on {}", client.tenant()),
            json!({ "tenant": client.tenant().origin() }),
        ),
        Err(err) => report.api_error(&err),
    }
}

/// Reads FILE and renders the avatar the flags describe: framed as `--crop` says, else on the
/// face (or centred, `--frame`), then turned by `--rotate`; the crop is checked against the
/// picture as rotated, since only then is its size known.
fn render(
    file: &Path,
    args: &AvatarArgs,
    report: &Report,
) -> Result<(EncodedAvatar, Framed), Exit> {
    let source = Source::open(file).map_err(|err| report.image_error(file, &err))?;
    let framed = match args.crop {
        None => {
            let mut framed =
                Framed::first(&source, args.frame).map_err(|err| report.image_error(file, &err))?;
            framed.framing.rotate(args.rotation().quarter_turns());
            framed
        }
        Some(crop) => {
            let mut turned = Framing::new(source.size());
            turned.rotate(args.rotation().quarter_turns());
            let framing = Framing::with(source.size(), args.rotation(), crop).ok_or_else(|| {
                let (width, height) = turned.size();
                report.usage(format!(
                    "--crop {},{},{} does not fit in {} ({width}×{height} pixels{}): \
                         the square must lie inside the picture",
                    crop.left(),
                    crop.top(),
                    crop.side,
                    file.display(),
                    match args.rotation().degrees() {
                        0 => String::new(),
                        degrees => format!(" after turning it {degrees}°"),
                    }
                ))
            })?;
            Framed::given(framing)
        }
    };
    let avatar = avatar::render(&source, &framed.framing, &args.output())
        .map_err(|err| report.image_error(file, &err))?;
    Ok((avatar, framed))
}

/// Adds `more`'s fields to `fields` (both JSON objects).
fn merge(fields: &mut Value, more: Value) {
    if let (Some(fields), Value::Object(more)) = (fields.as_object_mut(), more) {
        fields.extend(more);
    }
}

pub(super) fn avatar_json(avatar: &EncodedAvatar) -> Value {
    json!({
        "content_type": avatar.content_type(),
        "width": avatar.size,
        "height": avatar.size,
        "bytes": avatar.bytes.len(),
        "quality": avatar.quality,
    })
}

/// `OUT` with the picture's own extension: `me` → `me.jpg`; `me.png` holding a JPEG → `me.jpg`.
fn with_extension_of(output: &Path, picture: &TenantPicture) -> PathBuf {
    let wanted = picture.extension();
    let matches = output
        .extension()
        .and_then(|e| e.to_str())
        .and_then(image::ImageFormat::from_extension)
        .is_some_and(|f| f.to_mime_type() == picture.content_type);
    if matches {
        output.to_path_buf()
    } else {
        output.with_extension(wanted)
    }
}

/// The tenant (`--tenant`, else `F5XC_API_URL`, else the saved default) and its credential
/// (see [`super::cert::credential_for`]), checked before any image work or connection.
pub(super) fn connect(args: &ConnectionArgs, report: &Report) -> Result<XcClient, Exit> {
    let (settings, _) = super::token::load_settings();
    let tenant = super::token::resolve_tenant(args.tenant.as_deref(), &settings, report)?;
    let credential = super::cert::credential_for(&tenant, &settings, report)?;
    let options = report.client_options(Duration::from_secs(args.timeout));
    XcClient::with_credential(tenant, &credential, options)
        .map(|client| client.on_event(report.on_event()))
        .map_err(|err| report.api_error(&err))
}

/// Runs one call on a small runtime: the CLI does one thing at a time.
pub(crate) fn block_on<T>(call: impl Future<Output = Result<T, ApiError>>) -> Result<T, ApiError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| ApiError::Internal {
            detail: format!("cannot start the async runtime: {e}"),
        })?;
    runtime.block_on(call)
}
