//! Ctrl+V: what the clipboard holds, turned into something to open. Pure: nothing here touches
//! the file system or the clipboard (a network path can take seconds to answer; the loader
//! checks off the UI thread that the path is a file, or reads the clipboard's file list).

use std::path::PathBuf;

use eframe::egui;

use super::msg::{Action, Pasted};

/// The first paste event of this frame, as an action.
pub fn pasted(ctx: &egui::Context) -> Option<Action> {
    ctx.input(|i| {
        i.events.iter().find_map(|event| match event {
            egui::Event::PasteImage(image) => Some(Action::Paste(Pasted::Image(image.clone()))),
            egui::Event::Paste(text) => Some(Action::Paste(match path_in(text) {
                Some(path) => Pasted::Path(path),
                None => Pasted::FileList,
            })),
            _ => None,
        })
    })
}

/// The file a copied text names, in the forms file managers and shells put on the clipboard:
/// a `file://` URI (percent-escapes decoded: `%20` is a space), an absolute path, either in
/// quotes (Explorer's "Copy as path" gives `"C:\…"`), or GNOME's `x-special/gnome-copied-files`
/// list (its first file). Anything else is not a file and gives `None`.
pub fn path_in(text: &str) -> Option<PathBuf> {
    text.lines().find_map(|line| {
        let line = unquote(line.trim());
        if line.is_empty() {
            return None;
        }
        if line
            .get(..5)
            .is_some_and(|s| s.eq_ignore_ascii_case("file:"))
        {
            return reqwest::Url::parse(line).ok()?.to_file_path().ok();
        }
        let path = PathBuf::from(line);
        path.is_absolute().then_some(path)
    })
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

    #[test]
    fn every_form_of_a_copied_file_names_it() {
        let cases: &[(&str, Option<&str>)] = &[
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
            ("acme", None),
            ("relative/photo.jpg", None),
            ("https://example.com/photo.jpg", None),
            ("file://other-host/share/photo.jpg", None),
            ("", None),
            ("\"\"", None),
        ];
        for (text, want) in cases {
            assert_eq!(path_in(text), want.map(PathBuf::from), "pasted {text:?}");
        }
    }

    #[cfg(windows)]
    #[test]
    fn windows_forms_name_the_file() {
        assert_eq!(
            path_in("\"C:\\Users\\Ada\\My Photos\\me.jpg\""),
            Some(PathBuf::from(r"C:\Users\Ada\My Photos\me.jpg"))
        );
        assert_eq!(
            path_in("file:///C:/Users/Ada/My%20Photos/me.jpg"),
            Some(PathBuf::from(r"C:\Users\Ada\My Photos\me.jpg"))
        );
    }
}
