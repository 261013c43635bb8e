//! Making a server's words safe to show: no terminal escape sequences, no control characters,
//! no secret of ours, and no more than a line.
//!
//! A tenant (or whatever answers in its place) controls every byte it sends. Shown raw, a name
//! like `"\x1b]0;pwned\x07Ada"` retitles the terminal, `"\x1b[2J"` clears it, and an error body
//! that echoes the `Authorization` header puts the token in a CI log.

use icu_properties::CodePointSetData;
use icu_properties::props::{BidiControl, DefaultIgnorableCodePoint};

/// What a secret is replaced with.
pub const REDACTED: &str = "***";

/// Whether `c` is invisible or reorders the text around it, by Unicode's own properties:
/// Default_Ignorable_Code_Point (zero-width spaces and joiners, soft hyphen, variation
/// selectors, U+180E, tags, …) and Bidi_Control (U+061C, U+200E/F, U+202A–E, U+2066–9). A
/// name could hide a word in them, or show as someone else's.
pub fn is_invisible(c: char) -> bool {
    CodePointSetData::new::<DefaultIgnorableCodePoint>().contains(c)
        || CodePointSetData::new::<BidiControl>().contains(c)
}

/// `text` as it may be printed on a terminal in a line of ours (a file path, a name read from
/// the settings): every control character and every [`is_invisible`] one written out as its
/// escape (`\u{1b}`), so nothing in it can move the cursor, retitle the window, reorder the
/// line or hide a part of it, and what it was stays readable.
pub fn terminal_safe(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() || is_invisible(c) {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    out
}

/// `text` with every terminal escape sequence (CSI, OSC, DCS, …; 7-bit and 8-bit forms)
/// removed, every other control character turned into a space, invisible and bidirectional
/// control characters ([`is_invisible`]) removed, and runs of whitespace collapsed to one
/// space; trimmed.
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
            c if is_invisible(c) => {}
            c => out.push(c),
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// [`clean_text`] of `text` with each of `secrets` replaced by [`REDACTED`], and at most
/// `max_chars` characters (an ellipsis marks a cut). The secrets are removed before and after
/// cleaning, so one split by an escape sequence or a line break is caught as well, and in
/// every encoded form a server may echo them in ([`redact`]).
pub fn clean_server_text(text: &str, secrets: &[&str], max_chars: usize) -> String {
    let cleaned = redact(&clean_text(&redact(text, secrets)), secrets);
    if cleaned.chars().count() > max_chars {
        let cut: String = cleaned.chars().take(max_chars.saturating_sub(1)).collect();
        return format!("{}…", cut.trim_end());
    }
    cleaned
}

/// `text` with every occurrence of each non-empty secret replaced by [`REDACTED`]: as it is,
/// and as it reads once decoded the ways a server may have encoded it — JSON string escapes
/// (`\/`, `\u002b`), percent-encoding (`%2B`), HTML character references (`&#43;`,
/// `&plus;`), any of them nested — and with invisible characters ([`is_invisible`]) taken out,
/// so a zero-width space cannot split it either. The span of the text each occurrence came
/// from is what is replaced.
pub fn redact(text: &str, secrets: &[&str]) -> String {
    let secrets: Vec<Vec<char>> = secrets
        .iter()
        .filter(|s| !s.is_empty())
        .map(|s| s.chars().collect())
        .collect();
    if secrets.is_empty() {
        return text.to_owned();
    }
    let mut layer: Vec<Decoded> = text
        .char_indices()
        .map(|(at, c)| Decoded {
            c,
            from: at,
            to: at + c.len_utf8(),
        })
        .collect();
    let mut spans = Vec::new();
    for _ in 0..=MAX_ENCODING_LAYERS {
        for secret in &secrets {
            find_spans(&layer, secret, &mut spans);
        }
        match decode_layer(&layer) {
            Some(next) => layer = next,
            None => break,
        }
    }
    if spans.is_empty() {
        return text.to_owned();
    }
    spans.sort_unstable();
    let mut out = String::with_capacity(text.len());
    // The end of the text written so far; spans that overlap or touch become one `***`.
    let mut at = 0;
    let mut redacted_to = None;
    for (from, to) in spans {
        if redacted_to.is_some_and(|end| from <= end) {
            at = at.max(to);
            redacted_to = Some(at);
            continue;
        }
        out.push_str(&text[at..from]);
        out.push_str(REDACTED);
        at = to;
        redacted_to = Some(to);
    }
    out.push_str(&text[at..]);
    out
}

/// How many encodings deep [`redact`] looks (a percent-encoded token in a JSON string in an
/// HTML page is three).
const MAX_ENCODING_LAYERS: usize = 4;

/// One character of the text as decoded, and the bytes of the original text it came from.
#[derive(Clone, Copy)]
struct Decoded {
    c: char,
    from: usize,
    to: usize,
}

/// Adds the original span of each occurrence of `secret` in `layer` to `spans`.
fn find_spans(layer: &[Decoded], secret: &[char], spans: &mut Vec<(usize, usize)>) {
    if secret.len() > layer.len() {
        return;
    }
    for start in 0..=layer.len() - secret.len() {
        if layer[start..start + secret.len()]
            .iter()
            .zip(secret)
            .all(|(d, c)| d.c == *c)
        {
            spans.push((layer[start].from, layer[start + secret.len() - 1].to));
        }
    }
}

/// One round of decoding: JSON escapes, percent-encoding, HTML references decoded and invisible
/// characters dropped; `None` when nothing changed.
fn decode_layer(layer: &[Decoded]) -> Option<Vec<Decoded>> {
    let mut out = Vec::with_capacity(layer.len());
    let mut changed = false;
    let mut i = 0;
    while i < layer.len() {
        let here = layer[i];
        let decoded = match here.c {
            '\\' => json_escape(&layer[i..]),
            '%' => percent_escape(&layer[i..]),
            '&' => html_reference(&layer[i..]),
            c if is_invisible(c) => {
                changed = true;
                i += 1;
                continue;
            }
            _ => None,
        };
        match decoded {
            Some((c, used)) => {
                out.push(Decoded {
                    c,
                    from: here.from,
                    to: layer[i + used - 1].to,
                });
                changed = true;
                i += used;
            }
            None => {
                out.push(here);
                i += 1;
            }
        }
    }
    changed.then_some(out)
}

fn hex_value(chars: &[Decoded]) -> Option<u32> {
    let text: String = chars.iter().map(|d| d.c).collect();
    u32::from_str_radix(&text, 16).ok()
}

/// `\/`, `\"`, `\\`, `\uXXXX` (with surrogate pairs) and the one-letter escapes: the character
/// and how many characters the escape took.
fn json_escape(at: &[Decoded]) -> Option<(char, usize)> {
    match at.get(1)?.c {
        '/' => Some(('/', 2)),
        '"' => Some(('"', 2)),
        '\\' => Some(('\\', 2)),
        'n' | 'r' | 't' | 'b' | 'f' => Some((' ', 2)),
        'u' => {
            let unit = hex_value(at.get(2..6)?)?;
            if (0xD800..0xDC00).contains(&unit) {
                // A high surrogate: its low half follows as another \uXXXX.
                if at.get(6)?.c != '\\' || at.get(7)?.c != 'u' {
                    return None;
                }
                let low = hex_value(at.get(8..12)?)?;
                let c =
                    char::from_u32(0x10000 + ((unit - 0xD800) << 10) + low.checked_sub(0xDC00)?)?;
                return Some((c, 12));
            }
            Some((char::from_u32(unit)?, 6))
        }
        _ => None,
    }
}

/// `%XX`, or a run of them that is one UTF-8 character.
fn percent_escape(at: &[Decoded]) -> Option<(char, usize)> {
    let byte = |n: usize| -> Option<u8> {
        if at.get(n * 3)?.c != '%' {
            return None;
        }
        u8::try_from(hex_value(at.get(n * 3 + 1..n * 3 + 3)?)?).ok()
    };
    let first = byte(0)?;
    let length = match first {
        0x00..=0x7F => 1,
        0xC0..=0xDF => 2,
        0xE0..=0xEF => 3,
        0xF0..=0xF7 => 4,
        _ => return None,
    };
    let bytes = (0..length).map(byte).collect::<Option<Vec<u8>>>()?;
    let c = std::str::from_utf8(&bytes).ok()?.chars().next()?;
    Some((c, length * 3))
}

/// `&#NN;`, `&#xHH;` and the named references of the characters a token or key can hold.
fn html_reference(at: &[Decoded]) -> Option<(char, usize)> {
    let end = at.iter().take(12).position(|d| d.c == ';')?;
    let name: String = at[1..end].iter().map(|d| d.c).collect();
    let c = if let Some(number) = name.strip_prefix('#') {
        let value = match number.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => number.parse().ok()?,
        };
        char::from_u32(value)?
    } else {
        match name.as_str() {
            "amp" => '&',
            "lt" => '<',
            "gt" => '>',
            "quot" => '"',
            "apos" => '\'',
            "plus" => '+',
            "sol" => '/',
            "bsol" => '\\',
            "equals" => '=',
            "percnt" => '%',
            "num" => '#',
            "colon" => ':',
            "semi" => ';',
            "comma" => ',',
            "period" => '.',
            "lowbar" => '_',
            "hyphen" | "dash" => '-',
            "excl" => '!',
            "quest" => '?',
            "ast" => '*',
            "dollar" => '$',
            "commat" => '@',
            "tilde" => '~',
            "nbsp" => ' ',
            _ => return None,
        }
    };
    Some((c, end + 1))
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
    fn invisible_characters_go_by_their_unicode_properties() {
        // Bidi_Control, including the Arabic letter mark a hand list had missed.
        for c in [
            '\u{061c}', '\u{200e}', '\u{200f}', '\u{202a}', '\u{202e}', '\u{2066}', '\u{2069}',
        ] {
            assert!(is_invisible(c), "{:?}", c);
        }
        // Default_Ignorable_Code_Point: zero-width space, joiners, soft hyphen, word joiner,
        // BOM, variation selector, a tag character.
        for c in [
            '\u{200b}',
            '\u{200c}',
            '\u{200d}',
            '\u{00ad}',
            '\u{2060}',
            '\u{feff}',
            '\u{fe0f}',
            '\u{e0041}',
        ] {
            assert!(is_invisible(c), "{:?}", c);
        }
        for c in ['a', 'é', '名', ' ', '-', '\u{0627}'] {
            assert!(!is_invisible(c), "{:?}", c);
        }
        assert_eq!(
            clean_text("Ad\u{200b}a \u{061c}Love\u{2066}lace"),
            "Ada Lovelace"
        );
    }

    #[test]
    fn text_for_a_terminal_shows_what_it_hides() {
        assert_eq!(terminal_safe("/tmp/a\x1b[2Jb.jpg"), "/tmp/a\\u{1b}[2Jb.jpg");
        assert_eq!(terminal_safe("acme\u{202e}gpj.exe"), "acme\\u{202e}gpj.exe");
        assert_eq!(terminal_safe("two\nlines"), "two\\u{a}lines");
        assert_eq!(terminal_safe("Zoë 名前 ok"), "Zoë 名前 ok");
    }

    /// The one table of every form a server may echo the token in: each becomes ***.
    #[test]
    fn a_secret_is_redacted_in_every_encoding() {
        let token = "Ab+c/d=e9";
        let cases: &[(&str, &str)] = &[
            ("bad token Ab+c/d=e9 here", "bad token *** here"),
            // JSON string escapes: \/ and \u002b, \u0041 for a letter.
            ("bad token Ab+c\\/d=e9 here", "bad token *** here"),
            (
                "bad token Ab\\u002bc\\/d\\u003de9 here",
                "bad token *** here",
            ),
            ("bad token \\u0041b+c/d=e9 here", "bad token *** here"),
            // Percent-encoding, upper and lower case.
            ("bad token Ab%2Bc%2Fd%3De9 here", "bad token *** here"),
            ("bad token Ab%2bc%2fd%3de9 here", "bad token *** here"),
            // HTML character references: decimal, hexadecimal, named.
            (
                "bad token Ab&#43;c&#x2F;d&#61;e9 here",
                "bad token *** here",
            ),
            (
                "bad token Ab&plus;c&sol;d&equals;e9 here",
                "bad token *** here",
            ),
            // Split by invisible characters.
            (
                "bad token Ab+c\u{200b}/d=\u{2060}e9 here",
                "bad token *** here",
            ),
            ("bad token A\u{061c}b+c/d=e9 here", "bad token *** here"),
            // Nested: a percent-encoded token in a JSON string; HTML around percent-encoding.
            ("bad token Ab%2Bc\\/d%3De9 here", "bad token *** here"),
            ("bad token Ab&#37;2Bc/d=e9 here", "bad token *** here"),
            // Twice, and next to each other.
            ("Ab+c/d=e9 and Ab%2Bc/d=e9", "*** and ***"),
            ("Ab+c/d=e9Ab+c/d=e9", "***"),
            // Not the token: left as it is.
            ("Ab+c/d=e8 and %2B and &amp;", "Ab+c/d=e8 and %2B and &amp;"),
        ];
        for (said, shown) in cases {
            assert_eq!(redact(said, &[token]), *shown, "{said:?}");
            assert_eq!(clean_server_text(said, &[token], 300), *shown, "{said:?}");
        }
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
