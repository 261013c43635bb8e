//! Making a server's words safe to show: no terminal escape sequences, no control characters,
//! no secret of ours, and no more than a line.
//!
//! A tenant (or whatever answers in its place) controls every byte it sends. Shown raw, a name
//! like `"\x1b]0;pwned\x07Ada"` retitles the terminal, `"\x1b[2J"` clears it, and an error body
//! that echoes the `Authorization` header puts the token in a CI log.

/// What a secret is replaced with.
pub const REDACTED: &str = "***";

/// `text` with every terminal escape sequence (CSI, OSC, DCS, …; 7-bit and 8-bit forms)
/// removed, every other control character turned into a space, bidirectional-override
/// characters removed, and runs of whitespace collapsed to one space; trimmed.
pub fn clean_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len().min(4096));
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\u{1b}' => match chars.next() {
                // CSI: parameters and intermediates, then one final byte.
                Some('[') => skip_csi(&mut chars),
                // OSC, DCS, SOS, PM, APC: a string up to BEL or the string terminator.
                Some(']' | 'P' | 'X' | '^' | '_') => skip_string(&mut chars),
                // Any other two-character escape (or a lone ESC at the end).
                _ => {}
            },
            '\u{9b}' => skip_csi(&mut chars),
            '\u{9d}' | '\u{90}' | '\u{98}' | '\u{9e}' | '\u{9f}' => skip_string(&mut chars),
            c if c.is_control() => out.push(' '),
            c if is_bidi_control(c) => {}
            c => out.push(c),
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// [`clean_text`] of `text` with each of `secrets` replaced by [`REDACTED`], and at most
/// `max_chars` characters (an ellipsis marks a cut). The secrets are removed before and after
/// cleaning, so one split by an escape sequence or a line break is caught as well.
pub fn clean_server_text(text: &str, secrets: &[&str], max_chars: usize) -> String {
    let cleaned = redact(&clean_text(&redact(text, secrets)), secrets);
    if cleaned.chars().count() > max_chars {
        let cut: String = cleaned.chars().take(max_chars.saturating_sub(1)).collect();
        return format!("{}…", cut.trim_end());
    }
    cleaned
}

/// `text` with every occurrence of each non-empty secret replaced by [`REDACTED`].
pub fn redact(text: &str, secrets: &[&str]) -> String {
    let mut text = text.to_owned();
    for secret in secrets.iter().filter(|s| !s.is_empty()) {
        if text.contains(secret) {
            text = text.replace(secret, REDACTED);
        }
    }
    text
}

fn skip_csi(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    for c in chars.by_ref() {
        if ('\u{40}'..='\u{7e}').contains(&c) {
            return;
        }
        // Not a parameter or intermediate byte: a broken sequence ends here.
        if !('\u{20}'..='\u{3f}').contains(&c) {
            return;
        }
    }
}

fn skip_string(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    while let Some(c) = chars.next() {
        match c {
            '\u{7}' | '\u{9c}' => return,
            '\u{1b}' => {
                if chars.peek() == Some(&'\\') {
                    chars.next();
                }
                return;
            }
            _ => {}
        }
    }
}

/// Characters that reorder the text around them (a name could show as someone else's).
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_sequences_and_controls_are_removed() {
        assert_eq!(clean_text("\x1b[31mred\x1b[0m text"), "red text");
        assert_eq!(clean_text("\x1b]0;pwned\x07Ada"), "Ada");
        assert_eq!(
            clean_text("\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\"),
            "link"
        );
        assert_eq!(clean_text("a\u{9b}2Jb"), "ab");
        assert_eq!(clean_text("line\r\nnext\tcol\0"), "line next col");
        assert_eq!(clean_text("\u{202e}evil"), "evil");
        assert_eq!(clean_text("trailing \x1b"), "trailing");
        assert_eq!(clean_text("Zoë 名前"), "Zoë 名前");
    }

    #[test]
    fn secrets_are_redacted_even_when_split_by_escapes() {
        let secret = "s3cr3t-token";
        assert_eq!(
            clean_server_text("bad APIToken s3cr3t-token here", &[secret], 300),
            "bad APIToken *** here"
        );
        assert_eq!(
            clean_server_text("bad s3cr3t\x1b[0m-token", &[secret], 300),
            "bad ***"
        );
        assert_eq!(clean_server_text("x", &[""], 300), "x");
        let cut = clean_server_text(&"y".repeat(50), &[], 10);
        assert_eq!(cut.chars().count(), 10);
        assert!(cut.ends_with('…'));
    }
}
