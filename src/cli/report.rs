//! What a command prints: one line for a person (stdout on success, stderr on failure), or one
//! JSON object on stdout for a script (`--json`).

use std::path::Path;
use std::time::Duration;

use serde_json::{Value, json};

use crate::TenantUrl;
use crate::api::{ApiError, CallEvent, ClientOptions, Deadline, WhoAmI};
use crate::avatar::{AvatarError, EncodedAvatar};
use crate::credentials::CertificateError;
use crate::exit::Exit;
use crate::messages::{self, Explained, Front, explain, explain_certificate};
use crate::sign_in::CredentialProblem;

pub struct Report {
    pub command: &'static str,
    pub json: bool,
    /// When the whole command must be over (`--deadline`).
    pub deadline: Deadline,
}

/// A line of ours for a terminal: each of its lines with what could move the cursor, retitle
/// the window, reorder or hide text (a path, a name from the settings) written out as an
/// escape. Server text is already cleaned of all that (escapes removed), and so unchanged.
pub fn shown(text: &str) -> String {
    text.split('\n')
        .map(crate::clean::terminal_safe)
        .collect::<Vec<_>>()
        .join("\n")
}

/// A warning on stderr, made safe for a terminal.
pub fn warn(text: &str) {
    eprintln!("xc-avatar: warning: {}", crate::clean::terminal_safe(text));
}

impl Report {
    pub fn success(&self, line: String, mut fields: Value) -> Exit {
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
    pub fn client_options(&self, timeout: Duration) -> ClientOptions {
        ClientOptions {
            timeout,
            deadline: Some(self.deadline),
            ..ClientOptions::default()
        }
    }

    pub fn failure(&self, exit: Exit, kind: &str, line: String, mut error: Value) -> Exit {
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
            eprintln!("xc-avatar: error: {}", crate::clean::terminal_safe(&line));
        }
        exit
    }

    /// A failure worded by `messages`: its line, and its next step for scripts.
    fn explained(&self, exit: Exit, kind: &str, explained: &Explained, mut error: Value) -> Exit {
        error["next_step"] = json!(explained.next_step);
        self.failure(exit, kind, explained.to_string(), error)
    }

    /// A note for a person that changes nothing (never in a script's output).
    pub fn note(&self, line: &str) {
        if !self.json {
            eprintln!("xc-avatar: {}", crate::clean::terminal_safe(line));
        }
    }

    pub fn usage(&self, line: String) -> Exit {
        self.failure(Exit::Usage, "usage", line, json!({}))
    }

    pub fn image_error(&self, file: &Path, err: &AvatarError) -> Exit {
        self.failure(
            Exit::from(err),
            "image",
            messages::image_problem(file, err),
            json!({ "file": file }),
        )
    }

    pub fn api_error(&self, err: &ApiError) -> Exit {
        let row = messages::row(err);
        let error = json!({ "status": err.status(), "server_text": err.server_text() });
        self.explained(row.exit, row.kind, &explain(err), error)
    }

    /// A certificate that cannot be used: its own line and exit code.
    pub fn certificate_error(&self, err: &CertificateError) -> Exit {
        let error = json!({ "file": err.path() });
        self.explained(
            Exit::from(err),
            err.kind(),
            &explain_certificate(err),
            error,
        )
    }

    /// No credential can be used for `tenant`.
    pub fn credential_problem(&self, tenant: &TenantUrl, problem: &CredentialProblem) -> Exit {
        let explained = messages::explain_problem(tenant, problem, Front::Cli);
        let kind = messages::problem_kind(problem);
        self.explained(Exit::from(problem), kind, &explained, json!({}))
    }

    /// Each wait before a retry says what it waits for, in one line on stderr — on a terminal
    /// or not, with `--json` too (whose output is stdout), so a log shows why a run took long.
    pub fn on_event(&self) -> impl Fn(&CallEvent) + Send + Sync + 'static {
        move |event| {
            let CallEvent::Retrying {
                next_attempt,
                attempts,
                wait,
                reason,
            } = event;
            let seconds = wait.as_secs_f64().ceil() as u64;
            let line =
                messages::waiting_to_retry(&reason.to_string(), seconds, *next_attempt, *attempts);
            eprintln!("xc-avatar: {line}");
        }
    }
}

/// Who a credential acts as, for `--json`.
pub fn user_json(me: &WhoAmI) -> Value {
    json!({ "name": me.display_name(), "tenant": me.tenant })
}

/// The avatar a command made or sent, for `--json`.
pub(super) fn avatar_json(avatar: &EncodedAvatar) -> Value {
    json!({
        "content_type": avatar.content_type(),
        "width": avatar.size,
        "height": avatar.size,
        "bytes": avatar.bytes.len(),
        "quality": avatar.quality,
    })
}
