//! Command line: `xc-avatar [FILE]` opens the app; subcommands run the same core headless.
//!
//! - `args`: the flags (clap);
//! - `report`: one line, or one JSON object, per command;
//! - `context`: the settings, environment, tenant, credential and client a command starts from;
//! - `picture`, `credential`, `tenants`, `monogram`: the commands (`framing`: where `prepare`
//!   and `upload` put the square).

mod args;
mod context;
mod credential;
mod framing;
mod monogram;
mod picture;
mod report;
mod tenants;

use std::ffi::OsString;
use std::process::ExitCode;

use clap::Parser as _;

pub use args::Cli;
use args::{CertCommand, Command, TokenCommand};
use report::Report;

use crate::credentials::CredentialKind;
use crate::exit::Exit;

/// Entry point of the binary, with its arguments (the program's name first).
pub fn main(args: Vec<OsString>) -> ExitCode {
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
        Some(Command::Whoami(args)) => credential::whoami(args, &report("whoami")),
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
        Some(Command::Monogram(args)) => monogram::monogram(args, &report("monogram")),
    }
    .into()
}

/// Whether these arguments (the program's name first) run a command that asks for a secret on
/// the terminal: `token set`, and `cert set` of a `.p12` (a PEM pair needs no password).
/// Arguments that do not parse ask for nothing: clap reports them.
pub fn prompts_for_secret(args: &[OsString]) -> bool {
    match Cli::try_parse_from(args).map(|cli| cli.command) {
        Ok(Some(Command::Token(TokenCommand::Set(_)))) => true,
        Ok(Some(Command::Cert(CertCommand::Set(args)))) => args.key.is_none(),
        _ => false,
    }
}

/// Said instead of a secret's prompt where the terminal's shell reads the same console
/// (Windows, `xc-avatar.exe token set` typed in cmd): a usage error.
pub fn refuse_shared_console_prompt() -> ExitCode {
    eprintln!("xc-avatar: {}", crate::messages::SHARED_CONSOLE_REFUSAL);
    Exit::Usage.into()
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

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<OsString> {
        list.iter().map(OsString::from).collect()
    }

    #[test]
    fn the_commands_that_ask_for_a_secret_are_recognised() {
        assert!(prompts_for_secret(&args(&["x", "token", "set"])));
        assert!(prompts_for_secret(&args(&[
            "x", "--json", "token", "set", "--tenant", "acme"
        ])));
        assert!(prompts_for_secret(&args(&[
            "x", "--json", "cert", "set", "a.p12"
        ])));
        // A PEM pair has no password to ask for.
        assert!(!prompts_for_secret(&args(&[
            "x", "cert", "set", "a.pem", "--key", "k.pem"
        ])));
        assert!(!prompts_for_secret(&args(&["x", "token", "status"])));
        assert!(!prompts_for_secret(&args(&["x", "upload", "set"])));
        assert!(!prompts_for_secret(&args(&["x", "set"])));
        assert!(!prompts_for_secret(&args(&["x"])));
        assert!(!prompts_for_secret(&args(&[
            "x", "token", "set", "--bogus"
        ])));
    }

    #[test]
    fn the_shared_console_refusal_says_how_to_go_on() {
        let said = crate::messages::SHARED_CONSOLE_REFUSAL;
        assert!(said.contains("without `.exe`"), "{said}");
        assert!(said.contains("| xc-avatar.exe token set"), "{said}");
    }
}
