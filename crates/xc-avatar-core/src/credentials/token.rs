use std::fmt;

/// An XC API token. Its `Debug` is redacted and it has no `Display`, so it cannot reach a log
/// line or an error message by accident.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiToken(String);

/// Why a token was refused before any call was made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("the API token is empty")]
    Empty,
    #[error("the API token contains spaces or control characters: paste only the token")]
    BadCharacters,
}

impl ApiToken {
    /// Accepts a pasted token, trimming surrounding white space.
    pub fn new(text: &str) -> Result<Self, TokenError> {
        let token = text.trim();
        if token.is_empty() {
            return Err(TokenError::Empty);
        }
        if !token.chars().all(|c| c.is_ascii_graphic()) {
            return Err(TokenError::BadCharacters);
        }
        Ok(ApiToken(token.to_owned()))
    }

    /// The secret itself, for the one place that sends it and the store that keeps it.
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ApiToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiToken(***)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_is_trimmed_checked_and_never_printed() {
        let token = ApiToken::new("  abc.DEF-123=  \n").expect("valid token");
        assert_eq!(token.expose(), "abc.DEF-123=");
        assert_eq!(format!("{token:?}"), "ApiToken(***)");
        assert_eq!(ApiToken::new(" \t"), Err(TokenError::Empty));
        assert_eq!(ApiToken::new("abc def"), Err(TokenError::BadCharacters));
    }
}
