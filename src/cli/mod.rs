//! Command line: `xc-avatar [FILE]` opens the app; subcommands run the same core headless.

mod cert;
mod commands;
mod exit;
mod framing;
mod monogram;
mod token;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use crate::avatar;

pub use exit::Exit;

/// After every command's help: the exit codes (one table, see `exit.rs`) and where the tenant
/// and token come from.
fn after_help() -> String {
    format!(
        "{}\nThe tenant comes from --tenant, else F5XC_API_URL, else the saved default (`tenants`). \
         The credential comes from F5XC_API_TOKEN, else VOLT_API_P12_FILE with VES_P12_PASSWORD \
         (an API certificate), else what `cert set` or `token set` kept for the tenant; never from \
         a flag. 429, 503 and 504 answers are retried up to 3 times, honouring Retry-After.",
        Exit::help_table()
    )
}

#[derive(Parser, Debug)]
#[command(
    name = "xc-avatar",
    version = env!("XC_AVATAR_VERSION"),
    about = "Change your F5 Distributed Cloud profile picture",
    long_about = "Change your F5 Distributed Cloud profile picture.\n\n\
                  With no command, opens the app (with FILE loaded, if given).",
    after_help = after_help()
)]
pub struct Cli {
    /// Picture to open in the app
    pub file: Option<PathBuf>,

    /// Print one JSON object on stdout instead of a line of text (for scripts); anywhere on
    /// the command line
    #[arg(long, global = true)]
    pub json: bool,

    /// Give up on the whole command after this many seconds, retries and their waits included;
    /// a tenant that asks to wait longer is told at once
    #[arg(long, global = true, default_value_t = 60, value_name = "SECS",
          value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub deadline: u64,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Upload FILE as your profile picture (framed on the face, 512×512, within 128 KiB), or
    /// your initials with --monogram
    #[command(after_help = after_help())]
    Upload(UploadArgs),
    /// Write the avatar `upload` would send to OUT, without sending anything
    #[command(after_help = after_help())]
    Prepare(PrepareArgs),
    /// Download your current profile picture to OUT (the right extension is added)
    #[command(after_help = after_help())]
    Current(CurrentArgs),
    /// Remove your profile picture
    #[command(after_help = after_help())]
    Remove(RemoveArgs),
    /// Show who the credential acts as (the tenant's whoami): a quick check that it works
    #[command(after_help = after_help())]
    Whoami(RemoveArgs),
    /// Keep, check or forget the API token in the OS keyring
    #[command(subcommand)]
    Token(TokenCommand),
    /// Keep or forget an API certificate (.p12) for a tenant
    #[command(subcommand)]
    Cert(CertCommand),
    /// List the tenants set up, or choose the default one
    #[command(after_help = after_help())]
    Tenants(TenantsArgs),
    /// Write an avatar of your initials to OUT (512×512, PNG or JPEG by OUT's extension), for
    /// when you have no photo; the name comes from --name, else from the tenant
    #[command(after_help = after_help())]
    Monogram(MonogramArgs),
}

#[derive(Args, Debug)]
pub struct MonogramArgs {
    /// The name to take the initials from, e.g. "Ada Lovelace" (default: yours, as the tenant
    /// knows it)
    #[arg(long)]
    pub name: Option<String>,
    /// Where to write it: a .png or .jpg file
    #[arg(short, long)]
    pub output: PathBuf,
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

#[derive(Subcommand, Debug)]
pub enum TokenCommand {
    /// Store a token: read from stdin (a hidden prompt on a terminal), checked with whoami
    #[command(after_help = after_help())]
    Set(TokenSetArgs),
    /// Show who each stored token acts as
    #[command(after_help = after_help())]
    Status(TokenTenantArgs),
    /// Delete the stored token of a tenant
    #[command(after_help = after_help())]
    Forget(TokenTenantArgs),
}

#[derive(Subcommand, Debug)]
pub enum CertCommand {
    /// Use an API certificate: the password is read from stdin (a hidden prompt on a
    /// terminal) and kept in the OS keyring, the file's path in the settings; checked with whoami
    #[command(after_help = after_help())]
    Set(CertSetArgs),
    /// Stop using the tenant's API certificate (the .p12 file itself is left alone)
    #[command(after_help = after_help())]
    Forget(TokenTenantArgs),
}

#[derive(Args, Debug)]
pub struct CertSetArgs {
    /// The .p12 file downloaded from the Console (Credentials → API Certificate)
    pub file: PathBuf,
    /// Tenant URL or name (default: F5XC_API_URL, else the saved default)
    #[arg(long, env = crate::ENV_TENANT, value_name = "URL")]
    pub tenant: Option<String>,
    /// Keep the certificate without checking it against the tenant
    #[arg(long)]
    pub no_verify: bool,
    /// Give up on the check after this many seconds
    #[arg(long, default_value_t = 60, value_name = "SECS",
          value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub timeout: u64,
}

#[derive(Args, Debug)]
pub struct TokenSetArgs {
    /// Tenant URL or name (default: F5XC_API_URL, else the saved default)
    #[arg(long, env = crate::ENV_TENANT, value_name = "URL")]
    pub tenant: Option<String>,
    /// Store the token without checking it against the tenant
    #[arg(long)]
    pub no_verify: bool,
    /// Give up on the check after this many seconds
    #[arg(long, default_value_t = 60, value_name = "SECS",
          value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub timeout: u64,
}

#[derive(Args, Debug)]
pub struct TokenTenantArgs {
    /// Tenant URL or name (default: every saved tenant for status, the default one for forget)
    #[arg(long, value_name = "URL")]
    pub tenant: Option<String>,
}

#[derive(Args, Debug)]
pub struct TenantsArgs {
    /// Make this tenant the default
    #[arg(long, value_name = "URL")]
    pub default: Option<String>,
}

#[derive(Args, Debug)]
pub struct UploadArgs {
    /// The picture to upload (JPEG, PNG, WebP, HEIC, AVIF, GIF, BMP, TIFF)
    #[arg(required_unless_present = "monogram")]
    pub file: Option<PathBuf>,
    /// Upload your initials on a colour instead of a photo (see `monogram`)
    #[arg(long, conflicts_with = "file")]
    pub monogram: bool,
    /// With --monogram: the name to take the initials from (default: yours, as the tenant
    /// knows it)
    #[arg(long, requires = "monogram")]
    pub name: Option<String>,
    /// Send FILE's bytes unchanged (a JPEG, PNG, GIF or WebP up to 4 MiB, e.g. one `current`
    /// saved): no framing, resizing or re-encoding, so a saved picture goes back byte for byte
    #[arg(long, conflicts_with_all = ["size", "crop", "frame", "rotate", "format", "max_bytes", "monogram"])]
    pub exact: bool,
    #[command(flatten)]
    pub avatar: AvatarArgs,
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

#[derive(Args, Debug)]
pub struct CurrentArgs {
    /// Where to write the picture, e.g. `me` (becomes me.jpg)
    #[arg(short, long)]
    pub output: PathBuf,
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

#[derive(Args, Debug)]
pub struct RemoveArgs {
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

#[derive(Args, Debug)]
pub struct PrepareArgs {
    /// The picture to prepare
    pub file: PathBuf,
    /// Where to write the avatar (exactly the bytes `upload` would send)
    #[arg(short, long)]
    pub output: PathBuf,
    #[command(flatten)]
    pub avatar: AvatarArgs,
}

/// How to frame and encode the avatar; the same for `prepare` and `upload`.
#[derive(Args, Debug)]
pub struct AvatarArgs {
    /// Side of the square avatar in pixels
    #[arg(long, default_value_t = avatar::DEFAULT_SIZE, value_name = "N",
          value_parser = clap::value_parser!(u32).range(64..=2048))]
    pub size: u32,
    /// Square to keep: left, top and side in pixels of the right-way-up picture (after
    /// --rotate); default: as --frame says
    #[arg(long, value_name = "X,Y,SIDE", value_parser = parse_crop)]
    pub crop: Option<avatar::Crop>,
    /// face: the square on the largest face, which fills about half of it (centred when there
    /// is no face); centre: the largest centred square
    #[arg(long, value_enum, default_value_t = framing::FrameArg::Face, conflicts_with = "crop")]
    pub frame: framing::FrameArg,
    /// Turn the picture clockwise by this many degrees before cropping
    #[arg(long, default_value = "0", value_name = "DEGREES",
          value_parser = ["0", "90", "180", "270"])]
    pub rotate: String,
    /// auto: PNG when the picture uses transparency and fits, else JPEG
    #[arg(long, value_enum, default_value_t = FormatArg::Auto)]
    pub format: FormatArg,
    /// Largest file to send, in bytes; JPEG quality is lowered until it fits (default: what
    /// keeps the request body within 128 KiB)
    #[arg(long, default_value_t = avatar::DEFAULT_MAX_BYTES, value_name = "N",
          value_parser = parse_max_bytes)]
    pub max_bytes: usize,
}

#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum FormatArg {
    Auto,
    Jpeg,
    Png,
}

impl AvatarArgs {
    pub fn rotation(&self) -> avatar::Rotation {
        self.rotate
            .parse()
            .ok()
            .and_then(avatar::Rotation::from_degrees)
            .unwrap_or_default()
    }

    pub fn output(&self) -> avatar::Output {
        avatar::Output {
            size: self.size,
            format: match self.format {
                FormatArg::Auto => avatar::FormatChoice::Auto,
                FormatArg::Jpeg => avatar::FormatChoice::Jpeg,
                FormatArg::Png => avatar::FormatChoice::Png,
            },
            max_bytes: self.max_bytes,
        }
    }
}

fn parse_max_bytes(text: &str) -> Result<usize, String> {
    match text.trim().parse::<usize>() {
        Ok(n) if n >= 1024 => Ok(n),
        Ok(_) => Err("at least 1024 bytes: no useful avatar is smaller".into()),
        Err(_) => Err(format!(
            "expected a number of bytes, e.g. 98304; got {text:?}"
        )),
    }
}

fn parse_crop(text: &str) -> Result<avatar::Crop, String> {
    let numbers: Vec<f64> = text
        .split(',')
        .map(|part| part.trim().parse::<u32>().map(f64::from))
        .collect::<Result<_, _>>()
        .map_err(|_| format!("expected X,Y,SIDE as whole pixels, e.g. 100,0,800; got {text:?}"))?;
    match numbers[..] {
        [x, y, side] if side > 0.0 => Ok(avatar::Crop::from_corner(x, y, side)),
        [_, _, _] => Err("the side must be at least 1 pixel".into()),
        _ => Err(format!(
            "expected X,Y,SIDE as whole pixels, e.g. 100,0,800; got {text:?}"
        )),
    }
}

#[derive(Args, Debug)]
pub struct ConnectionArgs {
    /// Tenant URL or name, e.g. acme (default: F5XC_API_URL, else the saved default)
    #[arg(long, env = crate::ENV_TENANT, value_name = "URL")]
    pub tenant: Option<String>,
    /// Give up on one attempt after this many seconds
    #[arg(long, default_value_t = 60, value_name = "SECS",
          value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub timeout: u64,
}

/// Entry point of the binary, with its arguments (the program's name first).
pub fn main(args: Vec<std::ffi::OsString>) -> ExitCode {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(err) => {
            // --help and --version are not errors.
            let code = if err.use_stderr() {
                Exit::Usage
            } else {
                Exit::Success
            };
            let _ = err.print();
            return code.into();
        }
    };
    init_logging();
    let deadline = crate::api::Deadline::starting_now(std::time::Duration::from_secs(cli.deadline));
    let report = |command| commands::Report {
        command,
        json: cli.json,
        deadline,
    };
    if cli.file.is_some() && cli.command.is_some() {
        // `xc-avatar photo.jpg upload …`: a FILE before a command is neither.
        return report("xc-avatar")
            .usage(crate::messages::FILE_BEFORE_COMMAND.to_owned())
            .into();
    }
    match &cli.command {
        None => crate::app::run(cli.file),
        Some(Command::Upload(args)) => commands::upload(args, &report("upload")),
        Some(Command::Prepare(args)) => commands::prepare(args, &report("prepare")),
        Some(Command::Current(args)) => commands::current(args, &report("current")),
        Some(Command::Remove(args)) => commands::remove(args, &report("remove")),
        Some(Command::Whoami(args)) => commands::whoami(args, &report("whoami")),
        Some(Command::Token(TokenCommand::Set(args))) => token::set(args, &report("token set")),
        Some(Command::Token(TokenCommand::Status(args))) => {
            token::status(args, &report("token status"))
        }
        Some(Command::Token(TokenCommand::Forget(args))) => {
            token::forget(args, &report("token forget"))
        }
        Some(Command::Cert(CertCommand::Set(args))) => cert::set(args, &report("cert set")),
        Some(Command::Cert(CertCommand::Forget(args))) => {
            cert::forget(args, &report("cert forget"))
        }
        Some(Command::Tenants(args)) => token::tenants(args, &report("tenants")),
        Some(Command::Monogram(args)) => monogram::monogram(args, &report("monogram")),
    }
    .into()
}

/// Logs go to stderr. By default only xc-avatar's own warnings (the one-line error report is
/// separate and always printed); other crates' lines (hyper, rustls, zbus, …) only when
/// `RUST_LOG` asks for them, as `LEVEL` and/or `TARGET=LEVEL` items separated by commas (a
/// spec that does not parse keeps the default). Colours only on a terminal, and never with
/// `NO_COLOR` set. The token never reaches them: it is only ever held as a redacted `ApiToken`
/// or a sensitive header, and server text is cleaned of it before it is logged.
///
/// `Targets` rather than `EnvFilter`: the same `RUST_LOG` lists, without EnvFilter's span and
/// field matching and the regex engine that brings (~0.2 MiB of the shipping binary).
fn init_logging() {
    use std::io::IsTerminal as _;
    use tracing_subscriber::filter::Targets;
    use tracing_subscriber::{Layer as _, layer::SubscriberExt as _, util::SubscriberInitExt as _};
    let filter = std::env::var("RUST_LOG")
        .ok()
        .filter(|spec| !spec.trim().is_empty())
        .and_then(|spec| spec.parse::<Targets>().ok())
        .unwrap_or_else(|| {
            Targets::new()
                .with_target("xc_avatar", tracing::Level::WARN)
                .with_target("xc_avatar_core", tracing::Level::WARN)
        });
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let colour = !no_color && std::io::stderr().is_terminal();
    let _ = tracing_subscriber::registry()
        .with(
            tracing_subscriber::fmt::layer()
                .with_writer(std::io::stderr)
                .with_ansi(colour)
                .with_filter(filter),
        )
        .try_init();
}
