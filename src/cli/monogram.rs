//! `xc-avatar monogram`, and the picture `upload --monogram` sends: initials on a colour, for
//! people without a photo. The name comes from `--name`, else from the tenant's whoami.

use std::path::Path;

use serde_json::{Value, json};

use super::commands::{Report, block_on, connect};
use super::{ConnectionArgs, Exit, MonogramArgs};
use crate::api::XcClient;
use crate::avatar::{self, EncodedAvatar, Framing, Monogram, Output, OutputFormat, Source};

/// Side of the monogram: the avatar's usual size.
const SIZE: u32 = avatar::DEFAULT_SIZE;

pub fn monogram(args: &MonogramArgs, report: &Report) -> Exit {
    let Some(format) = format_for(&args.output) else {
        return report.usage(format!(
            "{}: name the file .png or .jpg (or .jpeg); the format follows the extension",
            args.output.display()
        ));
    };
    let name = match &args.name {
        Some(name) => name.clone(),
        None => match name_from_whoami(&args.connection, report) {
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
        return report.usage(format!("cannot write {}: {err}", args.output.display()));
    }
    report.success(
        format!(
            "wrote {} ({}, {})",
            args.output.display(),
            shown_initials(&monogram),
            avatar.describe()
        ),
        json!({
            "output": args.output,
            "monogram": monogram_json(&monogram, &name),
            "avatar": super::commands::avatar_json(&avatar),
        }),
    )
}

/// The monogram as a picture to frame and send like a photo: centred, the whole square.
pub fn source(monogram: &Monogram) -> Result<Source, avatar::AvatarError> {
    Source::from_bytes(monogram.png(SIZE)?)
}

pub fn render(monogram: &Monogram, output: &Output) -> Result<EncodedAvatar, avatar::AvatarError> {
    let source = source(monogram)?;
    avatar::render(&source, &Framing::new(source.size()), output)
}

/// The name to take initials from, as the tenant knows the user (`connect` picks the tenant and
/// credential as every other command does).
fn name_from_whoami(connection: &ConnectionArgs, report: &Report) -> Result<String, Exit> {
    let client = connect(connection, report)?;
    whoami_name(&client, report)
}

pub fn whoami_name(client: &XcClient, report: &Report) -> Result<String, Exit> {
    let who = block_on(client.whoami()).map_err(|err| report.api_error(&err))?;
    Ok(avatar::name_for_initials(
        &who.first_name,
        &who.last_name,
        &who.email,
        &who.name,
    ))
}

pub fn monogram_json(monogram: &Monogram, name: &str) -> Value {
    let [r, g, b] = monogram.background();
    json!({
        "name": name,
        "initials": monogram.initials(),
        "drawn": if monogram.draws_letters() { "letters" } else { "silhouette" },
        "background": format!("#{r:02x}{g:02x}{b:02x}"),
    })
}

/// "initials AL", or the silhouette and why.
pub fn shown_initials(monogram: &Monogram) -> String {
    match monogram.initials() {
        "" => "a silhouette: the name has no letter".to_owned(),
        initials if !monogram.draws_letters() => {
            format!("a silhouette: no font on this system has {initials}")
        }
        initials => format!("initials {initials}"),
    }
}

fn format_for(path: &Path) -> Option<OutputFormat> {
    let extension = path.extension()?.to_str()?.to_ascii_lowercase();
    match extension.as_str() {
        "png" => Some(OutputFormat::Png),
        "jpg" | "jpeg" => Some(OutputFormat::Jpeg),
        _ => None,
    }
}
