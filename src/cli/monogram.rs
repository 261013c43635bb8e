//! `xc-avatar monogram`, and the picture `upload --monogram` sends: initials on a colour, for
//! people without a photo. The name comes from `--name`, else from the tenant's whoami.

use std::path::Path;

use serde_json::{Value, json};

use super::args::{MonogramArgs, UploadArgs};
use super::context::{Context, block_on};
use super::report::Report;
use crate::api::XcClient;
use crate::avatar::{self, EncodedAvatar, Framing, Monogram, Output, OutputFormat, Source};
use crate::exit::Exit;
use crate::messages;

/// Side of the monogram: the avatar's usual size.
const SIZE: u32 = avatar::DEFAULT_SIZE;

pub fn monogram(args: &MonogramArgs, report: &Report) -> Exit {
    let Some(format) = format_for(&args.output) else {
        return report.usage(messages::monogram_extension(&args.output));
    };
    let name = match &args.name {
        Some(name) => name.clone(),
        None => match Context::load()
            .connect(&args.connection, report)
            .and_then(|client| whoami_name(&client, report))
        {
            Ok(name) => name,
            Err(exit) => return exit,
        },
    };
    let monogram = Monogram::new(&name);
    let output = Output {
        size: SIZE,
        format: match format {
            OutputFormat::Png => avatar::FormatChoice::Png,
            OutputFormat::Jpeg => avatar::FormatChoice::Jpeg,
        },
        max_bytes: avatar::DEFAULT_MAX_BYTES,
    };
    let avatar = match render(&monogram, &output) {
        Ok(avatar) => avatar,
        Err(err) => return report.failure(Exit::from(&err), "image", err.to_string(), json!({})),
    };
    if let Err(err) = std::fs::write(&args.output, &avatar.bytes) {
        return report.usage(messages::cannot_write(&args.output, &err));
    }
    report.success(
        messages::wrote_monogram(&args.output, &shows(&monogram), &avatar),
        json!({
            "output": args.output,
            "monogram": monogram_json(&monogram, &name),
            "avatar": super::report::avatar_json(&avatar),
        }),
    )
}

/// `upload --monogram`: the initials of `--name`, else of the user the tenant says we are,
/// framed and encoded as a photo would be (`--format`, `--size` apply). The avatar, its JSON
/// fields and what it shows.
pub fn for_upload(
    client: &XcClient,
    args: &UploadArgs,
    report: &Report,
) -> Result<(EncodedAvatar, Value, Option<String>), Exit> {
    let name = match &args.name {
        Some(name) => name.clone(),
        None => whoami_name(client, report)?,
    };
    let monogram = Monogram::new(&name);
    let avatar = render(&monogram, &args.avatar.output())
        .map_err(|err| report.failure(Exit::from(&err), "image", err.to_string(), json!({})))?;
    Ok((
        avatar,
        json!({ "monogram": monogram_json(&monogram, &name) }),
        Some(shows(&monogram)),
    ))
}

/// The monogram framed whole and encoded as `output` says.
fn render(monogram: &Monogram, output: &Output) -> Result<EncodedAvatar, avatar::AvatarError> {
    let source = Source::from_bytes(monogram.png(SIZE)?)?;
    avatar::render(&source, &Framing::new(source.size()), output)
}

/// The name to take initials from, as the tenant knows the user.
fn whoami_name(client: &XcClient, report: &Report) -> Result<String, Exit> {
    let who = block_on(client.whoami()).map_err(|err| report.api_error(&err))?;
    Ok(avatar::name_for_initials(
        &who.first_name,
        &who.last_name,
        &who.email,
        &who.name,
    ))
}

fn monogram_json(monogram: &Monogram, name: &str) -> Value {
    let [r, g, b] = monogram.background();
    json!({
        "name": name,
        "initials": monogram.initials(),
        "drawn": if monogram.draws_letters() { "letters" } else { "silhouette" },
        "background": format!("#{r:02x}{g:02x}{b:02x}"),
    })
}

fn shows(monogram: &Monogram) -> String {
    messages::monogram_shows(monogram.initials(), monogram.draws_letters())
}

fn format_for(path: &Path) -> Option<OutputFormat> {
    let extension = path.extension()?.to_str()?.to_ascii_lowercase();
    match extension.as_str() {
        "png" => Some(OutputFormat::Png),
        "jpg" | "jpeg" => Some(OutputFormat::Jpeg),
        _ => None,
    }
}
