//! The picture commands: `upload` (and `upload --exact`), `prepare`, `current`, `remove` —
//! the same core as the app, one line (or one JSON object) of output.

use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use super::args::{AvatarArgs, CallArgs, CurrentArgs, PrepareArgs, UploadArgs};
use super::context::{Context, block_on};
use super::framing::Framed;
use super::report::{Report, avatar_json};
use crate::api::{PICTURE_MAX_BYTES, TenantPicture, XcClient};
use crate::avatar::{self, EncodedAvatar, Framing, Source};
use crate::exit::Exit;
use crate::messages;

pub fn upload(args: &UploadArgs, report: &Report) -> Exit {
    let client = match Context::load().connect(&args.connection, report) {
        Ok(client) => client,
        Err(exit) => return exit,
    };
    let (avatar, about, how) = match &args.file {
        Some(file) if args.exact => return upload_exact(&client, file, report),
        Some(file) => match render(file, &args.avatar, report) {
            Ok((avatar, framed)) => (avatar, framed.json(), framed.describe().map(str::to_owned)),
            Err(exit) => return exit,
        },
        None => match super::monogram::for_upload(&client, args, report) {
            Ok(rendered) => rendered,
            Err(exit) => return exit,
        },
    };
    match block_on(client.update_image(&avatar)) {
        Ok(()) => {
            let mut fields =
                json!({ "tenant": client.tenant().origin(), "avatar": avatar_json(&avatar) });
            merge(&mut fields, about);
            report.success(
                messages::uploaded_to(client.tenant(), &avatar, how.as_deref()),
                fields,
            )
        }
        Err(err) => report.api_error(&err),
    }
}

/// `upload --exact`: FILE as it is, if it is a picture the tenant can hold and no larger than
/// what the client reads back; refused before any request otherwise.
fn upload_exact(client: &XcClient, file: &Path, report: &Report) -> Exit {
    let refuse = |line: String| report.failure(Exit::Image, "image", line, json!({ "file": file }));
    let bytes = match read_at_most(file, PICTURE_MAX_BYTES) {
        Ok(Some(bytes)) => bytes,
        Ok(None) => return refuse(messages::exact_too_large(file, PICTURE_MAX_BYTES)),
        Err(err) => return refuse(messages::exact_unreadable(file, &err)),
    };
    let picture = match TenantPicture::from_bytes(bytes) {
        Ok(picture) => picture,
        Err(what) => return refuse(messages::exact_not_a_picture(file, &what)),
    };
    let (content_type, size) = (&picture.content_type, picture.bytes.len());
    match block_on(client.put_image(content_type, &picture.bytes)) {
        Ok(()) => report.success(
            messages::uploaded_exact(file, client.tenant(), content_type, size),
            json!({
                "tenant": client.tenant().origin(),
                "picture": { "content_type": content_type, "bytes": size },
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

pub fn prepare(args: &PrepareArgs, report: &Report) -> Exit {
    let (avatar, framed) = match render(&args.file, &args.avatar, report) {
        Ok(rendered) => rendered,
        Err(exit) => return exit,
    };
    if let Err(err) = std::fs::write(&args.output, &avatar.bytes) {
        return report.usage(messages::cannot_write(&args.output, &err));
    }
    let mut fields = json!({ "output": args.output, "avatar": avatar_json(&avatar) });
    merge(&mut fields, framed.json());
    report.success(
        messages::wrote_avatar(&args.output, &avatar, framed.describe()),
        fields,
    )
}

pub fn current(args: &CurrentArgs, report: &Report) -> Exit {
    let client = match Context::load().connect(&args.connection, report) {
        Ok(client) => client,
        Err(exit) => return exit,
    };
    let picture = match block_on(client.current_image()) {
        Ok(Some(picture)) => picture,
        Ok(None) => {
            return report.success(
                messages::no_picture_on(client.tenant()),
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
        return report.usage(messages::cannot_write(&path, &err));
    }
    report.success(
        messages::wrote_current(&path, &picture.content_type, picture.bytes.len()),
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

pub fn remove(args: &CallArgs, report: &Report) -> Exit {
    let client = match Context::load().connect(&args.connection, report) {
        Ok(client) => client,
        Err(exit) => return exit,
    };
    match block_on(client.delete_image()) {
        Ok(()) => report.success(
            messages::removed_on(client.tenant()),
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
                let degrees = args.rotation().degrees();
                report.usage(messages::crop_outside(&crop, file, turned.size(), degrees))
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
