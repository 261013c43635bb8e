//! The native file dialog, behind a seam ([`FilePicker`]) so tests never block on a real one.

use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;

use super::msg::FileField;

/// Shows the native "open" dialog.
pub trait FilePicker: Send + Sync {
    /// Called on the UI thread (macOS requires dialogs to be made there; `parent` makes the
    /// dialog modal to the window on Windows and macOS); the returned future is awaited on the
    /// runtime.
    fn pick_image(&self, folder: Option<PathBuf>, parent: Option<&eframe::Frame>) -> PickFuture;

    /// The same for one of an API certificate's files (`.p12`, or PEM certificate or key). A
    /// picker that does not tell them apart (as tests' pickers) answers with its one file.
    fn pick_credential_file(
        &self,
        field: FileField,
        folder: Option<PathBuf>,
        parent: Option<&eframe::Frame>,
    ) -> PickFuture {
        let _ = field;
        self.pick_image(folder, parent)
    }
}

pub type PickFuture = Pin<Box<dyn Future<Output = Option<PathBuf>> + Send>>;

/// The platform's file dialog (xdg-desktop-portal or zenity on Linux, native elsewhere).
pub struct NativeFilePicker;

/// What the dialog offers: the formats we read, by extension. Both cases, since Linux file
/// choosers match the globs case-sensitively and cameras write `.JPG`.
pub const IMAGE_EXTENSIONS: [&str; 22] = [
    "jpg", "jpeg", "png", "webp", "heic", "heif", "avif", "gif", "bmp", "tif", "tiff", "JPG",
    "JPEG", "PNG", "WEBP", "HEIC", "HEIF", "AVIF", "GIF", "BMP", "TIF", "TIFF",
];

impl FilePicker for NativeFilePicker {
    fn pick_image(&self, folder: Option<PathBuf>, parent: Option<&eframe::Frame>) -> PickFuture {
        pick_file(
            "Choose a picture",
            "Images",
            &IMAGE_EXTENSIONS,
            folder,
            parent,
        )
    }

    fn pick_credential_file(
        &self,
        field: FileField,
        folder: Option<PathBuf>,
        parent: Option<&eframe::Frame>,
    ) -> PickFuture {
        let (title, filter, extensions): (_, _, &[&str]) = match field {
            FileField::P12 => (
                "Choose your API certificate",
                "API certificate (.p12)",
                &["p12", "pfx", "P12", "PFX"],
            ),
            FileField::Cert => (
                "Choose the certificate (PEM)",
                "Certificate (.pem, .crt)",
                &["pem", "crt", "cer", "PEM", "CRT", "CER"],
            ),
            FileField::Key => (
                "Choose the certificate's key (PEM)",
                "Private key (.pem, .key)",
                &["pem", "key", "PEM", "KEY"],
            ),
        };
        pick_file(title, filter, extensions, folder, parent)
    }
}

/// The native "open" dialog, built here on the UI thread (AppKit needs the main thread; with
/// the window as parent Windows makes it modal); only the wait runs on the runtime.
fn pick_file(
    title: &str,
    filter: &str,
    extensions: &[&str],
    folder: Option<PathBuf>,
    parent: Option<&eframe::Frame>,
) -> PickFuture {
    let mut dialog = rfd::AsyncFileDialog::new()
        .set_title(title)
        .add_filter(filter, extensions);
    // macOS merges every filter into one list of allowed types, where "*" is taken
    // literally: an "All files" entry there would allow nothing more. Elsewhere it lets a
    // user pick a file whatever its name (the loaders go by content, not extension).
    if !cfg!(target_os = "macos") {
        dialog = dialog.add_filter("All files", &["*"]);
    }
    if let Some(parent) = parent {
        dialog = dialog.set_parent(parent);
    }
    // Not checked here (the UI thread must not touch a folder that may be on a network
    // share that is gone): every backend opens elsewhere when the folder no longer exists
    // (rfd's Windows code skips a folder it cannot parse; NSOpenPanel and the portal
    // ignore a missing one).
    if let Some(folder) = folder {
        dialog = dialog.set_directory(folder);
    }
    let picked = dialog.pick_file();
    Box::pin(async move { picked.await.map(|handle| handle.path().to_path_buf()) })
}
