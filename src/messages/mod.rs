//! Every sentence xc-avatar says to a person, for the app and the command line alike, so the
//! two cannot drift. Core errors are lower-case clauses ("the tenant rejected the API token
//! (HTTP 401)"); the app shows them as sentences ([`sentence`]), the command line as they are,
//! after "xc-avatar: error: ".
//!
//! - `outcome`: every API outcome's row (next step, `--json` kind, exit code, the app's
//!   button) and keyring failures;
//! - `credential`: setting up a tenant and credential, where one came from, why one cannot be
//!   used;
//! - `picture`: opening, framing, uploading, removing; the picture the tenant shows.

mod credential;
mod outcome;
mod picture;

use std::fmt;

pub use credential::*;
pub use outcome::*;
pub use picture::*;

/// An outcome worded for a person: what happened, what the tenant said, what to do next.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Explained {
    /// What happened, as a clause: "the tenant rejected the API token (HTTP 401)".
    pub headline: String,
    /// The tenant's own words, already cleaned, if it sent any.
    pub server_text: Option<String>,
    /// One sentence on what to do about it.
    pub next_step: String,
}

impl fmt::Display for Explained {
    /// One line: `the tenant rejected the API token (HTTP 401) — server said: "expired". The
    /// token may be wrong or expired: …`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.headline)?;
        if let Some(said) = &self.server_text {
            write!(f, " — server said: \"{said}\"")?;
        }
        write!(f, ". {}", self.next_step)
    }
}

/// "the tenant…" → "The tenant…": core errors are lower-case clauses; titles are sentences.
pub fn sentence(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// `xc-avatar FILE COMMAND …`.
pub const FILE_BEFORE_COMMAND: &str = "a picture given before a command opens the app, and a \
     command takes its own FILE: put the file after the command (e.g. `xc-avatar upload \
     photo.jpg`)";

/// `xc-avatar` with no command, where no window can open.
pub fn no_window(err: &dyn fmt::Display) -> String {
    format!(
        "cannot open a window: {err}. Without a display, use the commands in `xc-avatar --help`."
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::ApiError;

    #[test]
    fn an_outcome_is_one_line_with_the_servers_words_quoted() {
        let err = ApiError::Unauthorized {
            server_text: Some("token expired".into()),
        };
        assert_eq!(
            explain(&err).to_string(),
            "the tenant rejected the API token (HTTP 401) — server said: \"token expired\". \
             The token may be wrong or expired: create a new API token in the Console and \
             update it."
        );
        let err = ApiError::Dns {
            host: "acme.example".into(),
        };
        assert_eq!(
            explain(&err).to_string(),
            "cannot find the host acme.example (DNS lookup failed). Check the tenant URL and \
             your network or proxy settings."
        );
    }

    #[test]
    fn a_sentence_starts_with_a_capital() {
        assert_eq!(sentence("éclair"), "Éclair");
        assert_eq!(sentence(""), "");
    }
}

#[cfg(test)]
#[path = "../messages_table.rs"]
mod table;
