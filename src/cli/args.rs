//! The command line's flags and commands (clap): each flag's help beside the flag, so
//! `--help`, the man pages and the completions come from here.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use super::framing::FrameArg;
use crate::avatar;
use crate::exit::Exit;

/// After every command's help: the exit codes (one table, see `exit.rs`) and where the tenant
/// and token come from.
fn after_help() -> String {
    format!(
        "{}\nThe tenant comes from --tenant, else F5XC_API_URL, else the saved default (`tenants`), \
         else vesctl's profile (~/.vesconfig). The credential comes from F5XC_API_TOKEN, else \
         VOLT_API_P12_FILE with VES_P12_PASSWORD (an API certificate), else what `cert set` or \
         `token set` kept for the tenant, else vesctl's profile for that tenant; never from a \
         flag. 429, 503 and 504 answers are retried up to 3 times, honouring Retry-After.",
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
    Remove(CallArgs),
    /// Show who the credential acts as (the tenant's whoami): a quick check that it works
    #[command(after_help = after_help())]
    Whoami(CallArgs),
    /// Keep or forget the API token in the OS keyring; see which credential each tenant uses
    #[command(subcommand)]
    Token(TokenCommand),
    /// Keep or forget an API certificate (.p12, or PEM certificate and key) for a tenant
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
    Set(SetArgs),
    /// Show, for each tenant, which credential is used, where it comes from and who it acts as
    #[command(after_help = after_help())]
    Status(TenantArgs),
    /// Delete the stored token of a tenant
    #[command(after_help = after_help())]
    Forget(TenantArgs),
}

#[derive(Subcommand, Debug)]
pub enum CertCommand {
    /// Use an API certificate: a .p12's password is read from stdin (a hidden prompt on a
    /// terminal) and kept in the OS keyring, the file's path in the settings; checked with whoami
    #[command(after_help = after_help())]
    Set(CertSetArgs),
    /// Stop using the tenant's API certificate (its files are left alone)
    #[command(after_help = after_help())]
    Forget(TenantArgs),
}

#[derive(Args, Debug)]
pub struct CertSetArgs {
    /// The .p12 file downloaded from the Console (Credentials → API Certificate); with --key,
    /// a PEM certificate
    pub file: PathBuf,
    /// The certificate's private key as a PEM file: FILE is then a PEM certificate, and no
    /// password is asked
    #[arg(long, value_name = "KEY")]
    pub key: Option<PathBuf>,
    #[command(flatten)]
    pub set: SetArgs,
}

/// What `token set` and `cert set` share: where, and how the credential is checked.
#[derive(Args, Debug)]
pub struct SetArgs {
    /// Tenant URL or name (default: F5XC_API_URL, else the saved default)
    #[arg(long, env = crate::ENV_TENANT, value_name = "URL")]
    pub tenant: Option<String>,
    /// Keep the credential without checking it against the tenant
    #[arg(long)]
    pub no_verify: bool,
    /// Give up on the check after this many seconds
    #[arg(long, default_value_t = 60, value_name = "SECS",
          value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub timeout: u64,
}

#[derive(Args, Debug)]
pub struct TenantArgs {
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

/// The flags of a command that only calls the tenant (`remove`, `whoami`).
#[derive(Args, Debug)]
pub struct CallArgs {
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
    #[arg(long, value_enum, default_value_t = FrameArg::Face, conflicts_with = "crop")]
    pub frame: FrameArg,
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
