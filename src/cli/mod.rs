//! Command line: `xc-avatar [FILE]` opens the app; subcommands run the same core headless.
//!
//! - `args`: the flags (clap);
//! - `report`: one line, or one JSON object, per command;
//! - `context`: the settings, environment, tenant, credential and client a command starts from;
//! - `picture`, `credential`, `tenants`: the commands.

mod args;
mod context;
mod credential;
mod picture;
mod report;
mod tenants;

use std::process::ExitCode;

use clap::Parser as _;

pub use args::Cli;
use args::{CertCommand, Command, TokenCommand};
use report::Report;

use crate::credentials::CredentialKind;
use crate::exit::Exit;

/// Entry point of the binary.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
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
    let report = |command| Report {
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
        None => match crate::app::run(cli.file) {
            Ok(()) => Exit::Success,
            Err(err) => {
                eprintln!("xc-avatar: error: {}", crate::messages::no_window(&err));
                Exit::Internal
            }
        },
        Some(Command::Upload(args)) => picture::upload(args, &report("upload")),
        Some(Command::Prepare(args)) => picture::prepare(args, &report("prepare")),
        Some(Command::Current(args)) => picture::current(args, &report("current")),
        Some(Command::Remove(args)) => picture::remove(args, &report("remove")),
        Some(Command::Token(TokenCommand::Set(args))) => {
            credential::token_set(args, &report("token set"))
        }
        Some(Command::Token(TokenCommand::Status(args))) => {
            credential::status(args, &report("token status"))
        }
        Some(Command::Token(TokenCommand::Forget(args))) => {
            credential::forget(CredentialKind::Token, args, &report("token forget"))
        }
        Some(Command::Cert(CertCommand::Set(args))) => {
            credential::cert_set(args, &report("cert set"))
        }
        Some(Command::Cert(CertCommand::Forget(args))) => {
            credential::forget(CredentialKind::P12, args, &report("cert forget"))
        }
        Some(Command::Tenants(args)) => tenants::tenants(args, &report("tenants")),
    }
    .into()
}

/// Logs go to stderr. By default only xc-avatar's own warnings (the one-line error report is
/// separate and always printed); other crates' lines (hyper, rustls, zbus, …) only when
/// `RUST_LOG` asks for them. Colours only on a terminal, and never with `NO_COLOR` set. The
/// token never reaches them: it is only ever held as a redacted `ApiToken` or a sensitive
/// header, and server text is cleaned of it before it is logged.
fn init_logging() {
    use std::io::IsTerminal as _;
    let filter = std::env::var("RUST_LOG")
        .ok()
        .filter(|spec| !spec.trim().is_empty())
        .and_then(|spec| tracing_subscriber::EnvFilter::try_new(spec).ok())
        .unwrap_or_else(|| {
            tracing_subscriber::EnvFilter::new("off,xc_avatar=warn,xc_avatar_core=warn")
        });
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let colour = !no_color && std::io::stderr().is_terminal();
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(colour)
        .try_init();
}
