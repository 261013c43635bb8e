//! What a command prints: one line for a person (stdout on success, stderr on failure), or one
//! JSON object on stdout for a script (`--json`).

use std::io::IsTerminal as _;
use std::path::Path;

use serde_json::{Value, json};

use crate::TenantUrl;
use crate::api::{ApiError, CallEvent, WhoAmI};
use crate::avatar::AvatarError;
use crate::credentials::CertificateError;
use crate::exit::Exit;
use crate::messages::{self, Explained, Front, explain, explain_certificate};
use crate::sign_in::CredentialProblem;

pub struct Report {
    pub command: &'static str,
    pub json: bool,
}

impl Report {
    pub fn success(&self, line: String, mut fields: Value) -> Exit {
        if self.json {
            fields["ok"] = json!(true);
            fields["command"] = json!(self.command);
            println!("{fields}");
        } else {
            println!("{line}");
        }
        Exit::Success
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
            eprintln!("xc-avatar: error: {line}");
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
            eprintln!("xc-avatar: {line}");
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

    /// Retry notices go to a person watching a terminal, never into a script's output.
    pub fn on_event(&self) -> impl Fn(&CallEvent) + Send + Sync + 'static {
        let show = !self.json && std::io::stderr().is_terminal();
        move |event| {
            let CallEvent::Retrying {
                next_attempt,
                attempts,
                wait,
                reason,
            } = event;
            if show {
                let seconds = wait.as_secs_f64().ceil();
                let notice = messages::retry_notice(reason, *next_attempt, *attempts, seconds);
                eprintln!("xc-avatar: {notice}");
            }
        }
    }
}

/// Who a credential acts as, for `--json`.
pub fn user_json(me: &WhoAmI) -> Value {
    json!({ "name": me.display_name(), "tenant": me.tenant })
}
