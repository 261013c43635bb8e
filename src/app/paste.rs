//! Ctrl+V: what the clipboard holds, turned into something to open. Pure: nothing here touches
//! the file system or the clipboard (a network path can take seconds to answer; the loader
//! checks off the UI thread that the path is a file, or reads the clipboard's file list).

use std::path::PathBuf;

use eframe::egui;

use super::msg::{Pasted, PhotoAction as Action};

/// The first paste of this frame, as an action.
pub fn pasted(ctx: &egui::Context) -> Option<Action> {
    let id = egui::Id::unique("xc-avatar paste watch");
    let mut watch: PasteWatch = ctx.data(|d| d.get_temp(id)).unwrap_or_default();
    let action = ctx.input(|i| watch.observe(&i.events));
    ctx.data_mut(|d| d.insert_temp(id, watch));
    action
}

/// Notices a Ctrl+V that egui-winit swallowed. It turns the press into `Paste`/`PasteImage`
/// when the clipboard holds text or an image, and otherwise drops it without a trace
/// (egui-winit 0.37, lib.rs `on_keyboard_input`): that is what happens to a file copied in
/// Windows Explorer, which puts only a file list (CF_HDROP) on the clipboard. The release
/// of V still arrives; a release whose press was never seen, with no paste in between, is
/// such a swallowed paste, and the loader then reads the clipboard's file list.
#[derive(Clone, Copy, Debug, Default)]
pub struct PasteWatch {
    v_press_seen: bool,
    paste_seen: bool,
}

impl PasteWatch {
    pub fn observe(&mut self, events: &[egui::Event]) -> Option<Action> {
        let mut action = None;
        for event in events {
            let found = match event {
                egui::Event::PasteImage(image) => {
                    self.paste_seen = true;
                    Some(Action::Paste(Pasted::Image(image.clone())))
                }
                egui::Event::Paste(text) => {
                    self.paste_seen = true;
                    Some(Action::Paste(match named_in(text) {
                        Named::File(path) => Pasted::Path(path),
                        Named::Network(shown) => Pasted::NetworkPath(shown),
                        Named::Nothing => Pasted::FileList,
                    }))
                }
                egui::Event::Key {
                    key,
                    physical_key,
                    pressed,
                    ..
                } if *key == egui::Key::V || *physical_key == Some(egui::Key::V) => {
                    let swallowed = !*pressed && !self.v_press_seen && !self.paste_seen;
                    if *pressed {
                        self.v_press_seen = true;
                    } else {
                        *self = Self::default();
                    }
                    swallowed.then_some(Action::Paste(Pasted::FileList))
                }
                _ => None,
            };
            if action.is_none() {
                action = found;
            }
        }
        action
    }
}

/// What a copied text names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Named {
    /// A file on this computer.
    File(PathBuf),
    /// A file on another computer, as the text wrote it: a UNC path (`\\host\share\x.jpg`,
    /// `//host/share/x.jpg`, `\\?\UNC\host\…`) or a `file://` URI with a host. Never opened
    /// from a paste: on Windows, merely looking at such a path signs in to that host with the
    /// user's credentials (NTLM) — and anything, a web page included, can put text on the
    /// clipboard.
    Network(String),
    Nothing,
}

/// The file a copied text names, in the forms file managers and shells put on the clipboard:
/// a `file://` URI (percent-escapes decoded: `%20` is a space), an absolute path, either in
/// quotes (Explorer's "Copy as path" gives `"C:\…"`), or GNOME's `x-special/gnome-copied-files`
/// list (its first file); a file on another computer is told apart ([`Named::Network`]).
pub fn named_in(text: &str) -> Named {
    for line in text.lines() {
        let line = unquote(line.trim());
        if line.is_empty() {
            continue;
        }
        if is_unc(line) {
            return Named::Network(line.to_owned());
        }
        if line
            .get(..5)
            .is_some_and(|s| s.eq_ignore_ascii_case("file:"))
        {
            let Ok(url) = reqwest::Url::parse(line) else {
                continue;
            };
            if url
                .host_str()
                .is_some_and(|host| !host.is_empty() && !host.eq_ignore_ascii_case("localhost"))
            {
                return Named::Network(line.to_owned());
            }
            if let Ok(path) = url.to_file_path() {
                return Named::File(path);
            }
            continue;
        }
        let path = PathBuf::from(line);
        if path.is_absolute() {
            return Named::File(path);
        }
    }
    Named::Nothing
}

/// The file a copied text names on this computer, if it names one ([`named_in`]): what the
/// tests ask (the app goes by `named_in`).
#[cfg(test)]
pub fn path_in(text: &str) -> Option<PathBuf> {
    match named_in(text) {
        Named::File(path) => Some(path),
        Named::Network(_) | Named::Nothing => None,
    }
}

/// Whether `text` is a UNC path (`\\host\share`, `//host/share`, `\\?\UNC\host\share`), as
/// opposed to a drive path in the long form (`\\?\C:\…`).
pub fn is_unc(text: &str) -> bool {
    let normalised = text.replace('/', "\\");
    match normalised.strip_prefix("\\\\") {
        Some(rest) => {
            let long_form = rest
                .strip_prefix("?\\")
                .or_else(|| rest.strip_prefix(".\\"));
            match long_form {
                Some(inner) => inner
                    .get(..4)
                    .is_some_and(|unc| unc.eq_ignore_ascii_case("UNC\\")),
                None => !rest.is_empty(),
            }
        }
        None => false,
    }
}

fn unquote(text: &str) -> &str {
    for quote in ['"', '\''] {
        if let Some(inner) = text
            .strip_prefix(quote)
            .and_then(|rest| rest.strip_suffix(quote))
        {
            return inner;
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(cases: &[(&str, Option<&str>)]) {
        for (text, want) in cases {
            assert_eq!(path_in(text), want.map(PathBuf::from), "pasted {text:?}");
        }
    }

    #[test]
    fn text_that_names_no_file_gives_nothing() {
        check(&[
            ("acme", None),
            ("relative/photo.jpg", None),
            ("https://example.com/photo.jpg", None),
            ("", None),
            ("\"\"", None),
        ]);
    }

    // Unix paths and file URIs: on Windows `/home/ada` is not absolute (no drive) and
    // `file:///home/…` names no file, so these are Unix cases; Windows has its own below.
    #[cfg(unix)]
    #[test]
    fn every_form_of_a_copied_file_names_it() {
        check(&[
            ("/home/ada/photo.jpg", Some("/home/ada/photo.jpg")),
            ("  /home/ada/photo.jpg\n", Some("/home/ada/photo.jpg")),
            ("file:///home/ada/photo.jpg", Some("/home/ada/photo.jpg")),
            // Percent-escapes are decoded: before, such paths were silently ignored.
            (
                "file:///home/ada/My%20Photos/caf%C3%A9.jpg",
                Some("/home/ada/My Photos/café.jpg"),
            ),
            ("file://localhost/tmp/a.png", Some("/tmp/a.png")),
            ("FILE:///tmp/a.png", Some("/tmp/a.png")),
            (
                "\"/home/ada/with space.jpg\"",
                Some("/home/ada/with space.jpg"),
            ),
            ("'/tmp/quoted.png'", Some("/tmp/quoted.png")),
            (
                "x-special/gnome-copied-files\ncopy\nfile:///tmp/first.jpg\nfile:///tmp/second.jpg",
                Some("/tmp/first.jpg"),
            ),
            ("file:///tmp/a.png\r\nfile:///tmp/b.png", Some("/tmp/a.png")),
            ("file://other-host/share/photo.jpg", None),
        ]);
    }

    fn v(pressed: bool, modifiers: egui::Modifiers) -> egui::Event {
        egui::Event::Key {
            key: egui::Key::V,
            physical_key: Some(egui::Key::V),
            pressed,
            repeat: false,
            modifiers,
        }
    }

    fn is_file_list(action: Option<Action>) -> bool {
        matches!(action, Some(Action::Paste(Pasted::FileList)))
    }

    #[test]
    fn a_ctrl_v_egui_swallowed_reads_the_copied_file_list() {
        let mut watch = PasteWatch::default();
        // The press left no event at all; the release comes, Ctrl already let go or not.
        assert!(watch.observe(&[]).is_none());
        assert!(is_file_list(
            watch.observe(&[v(false, egui::Modifiers::COMMAND)])
        ));
        assert!(is_file_list(
            watch.observe(&[v(false, egui::Modifiers::NONE)])
        ));
    }

    #[test]
    fn typing_v_or_a_paste_egui_handled_is_not_a_second_paste() {
        let mut watch = PasteWatch::default();
        // A plain "v": its press is seen, so its release is not a paste.
        assert!(watch.observe(&[v(true, egui::Modifiers::NONE)]).is_none());
        assert!(watch.observe(&[v(false, egui::Modifiers::NONE)]).is_none());
        // Ctrl+V of text: the paste is the action, its release adds nothing.
        let pasted = watch.observe(&[egui::Event::Paste("/tmp/a.png".to_owned())]);
        assert!(matches!(pasted, Some(Action::Paste(Pasted::Path(_)))));
        assert!(
            watch
                .observe(&[v(false, egui::Modifiers::COMMAND)])
                .is_none()
        );
        // Held down (auto-repeat of the swallowed press): one release, one attempt.
        assert!(is_file_list(
            watch.observe(&[v(false, egui::Modifiers::COMMAND)])
        ));
        assert!(watch.observe(&[]).is_none());
    }

    // Explorer's "Copy as path", typed paths and file URIs as Windows apps write them.
    #[cfg(windows)]
    #[test]
    fn windows_forms_name_the_file() {
        check(&[
            (
                "\"C:\\Users\\Ada\\My Photos\\me.jpg\"",
                Some(r"C:\Users\Ada\My Photos\me.jpg"),
            ),
            ("  C:\\Users\\Ada\\me.jpg\r\n", Some(r"C:\Users\Ada\me.jpg")),
            ("'C:\\tmp\\quoted.png'", Some(r"C:\tmp\quoted.png")),
            (
                "file:///C:/Users/Ada/My%20Photos/caf%C3%A9.jpg",
                Some(r"C:\Users\Ada\My Photos\café.jpg"),
            ),
            ("FILE:///C:/tmp/a.png", Some(r"C:\tmp\a.png")),
            ("file://localhost/C:/tmp/a.png", Some(r"C:\tmp\a.png")),
            (
                "file:///C:/tmp/a.png\r\nfile:///C:/tmp/b.png",
                Some(r"C:\tmp\a.png"),
            ),
            // No drive: not a path on Windows.
            ("/home/ada/photo.jpg", None),
            ("file:///home/ada/photo.jpg", None),
            ("C:relative.jpg", None),
            ("relative\\photo.jpg", None),
        ]);
    }
}

/// Network paths in pasted text (issue 22): kept apart from `tests`, which another change
/// splits by platform.
#[cfg(test)]
mod network_tests {
    use super::*;

    #[test]
    fn a_pasted_network_path_is_named_as_such_and_never_as_a_file() {
        for text in [
            "\\\\host\\share\\x.jpg",
            "\"\\\\host\\share\\My Photos\\x.jpg\"",
            "//host/share/x.jpg",
            "\\\\?\\UNC\\host\\share\\x.jpg",
            "file://host/share/x.jpg",
            "FILE://evil.example/x.jpg",
            "x-special/gnome-copied-files\ncopy\nfile://nas.local/photos/me.jpg",
        ] {
            assert_eq!(
                named_in(text),
                Named::Network(
                    text.lines()
                        .last()
                        .unwrap_or_default()
                        .trim_matches('"')
                        .to_owned()
                ),
                "{text:?}"
            );
            assert_eq!(path_in(text), None, "{text:?}");
        }
        // This computer's files are files.
        assert_eq!(
            named_in("file:///tmp/a.png"),
            Named::File(PathBuf::from("/tmp/a.png"))
        );
        assert_eq!(
            named_in("file://localhost/tmp/a.png"),
            Named::File(PathBuf::from("/tmp/a.png"))
        );
        assert!(!is_unc("\\\\?\\C:\\Users\\ada\\me.jpg"));
        assert!(!is_unc("/home/ada/me.jpg"));
        assert!(!is_unc("\\\\"));
        assert_eq!(named_in("acme"), Named::Nothing);
    }

    #[test]
    fn pasting_a_network_path_gives_the_refusal_not_a_load() {
        let mut watch = PasteWatch::default();
        let action = watch.observe(&[egui::Event::Paste("\\\\host\\share\\x.jpg".to_owned())]);
        assert!(
            matches!(&action, Some(Action::Paste(Pasted::NetworkPath(named))) if named == "\\\\host\\share\\x.jpg"),
            "{action:?}"
        );
    }
}
