//! Files the OS asks the running app to open after it started: on macOS "Open With", a
//! double-click on a picture and a drop on the Dock icon (see `macos_open`), which arrive
//! while the window may not exist yet. A channel holds them until the next frame; the sender
//! wakes the window so a request is not left waiting for the mouse to move.

use std::path::PathBuf;
use std::sync::{Arc, OnceLock, mpsc};

use eframe::egui;

/// Where the OS's requests go in.
#[derive(Clone)]
pub struct OpenRequests {
    sender: mpsc::Sender<PathBuf>,
    window: Arc<OnceLock<egui::Context>>,
}

/// What the app reads them from, each frame.
pub struct OpenedFiles {
    receiver: mpsc::Receiver<PathBuf>,
    window: Arc<OnceLock<egui::Context>>,
}

pub fn channel() -> (OpenRequests, OpenedFiles) {
    let (sender, receiver) = mpsc::channel();
    let window = Arc::new(OnceLock::new());
    (
        OpenRequests {
            sender,
            window: window.clone(),
        },
        OpenedFiles { receiver, window },
    )
}

impl OpenRequests {
    pub fn open(&self, paths: impl IntoIterator<Item = PathBuf>) {
        for path in paths {
            // The app has quit when nobody receives: nothing left to open it in.
            let _ = self.sender.send(path);
        }
        if let Some(ctx) = self.window.get() {
            ctx.request_repaint();
        }
    }
}

impl OpenedFiles {
    /// From now on, a request repaints this window.
    pub fn wake(&self, ctx: &egui::Context) {
        let _ = self.window.set(ctx.clone());
    }

    /// The last file asked for since the previous frame: the app shows one picture, and the
    /// most recent request is the one the user is looking at.
    pub fn latest(&self) -> Option<PathBuf> {
        self.receiver.try_iter().last()
    }
}
