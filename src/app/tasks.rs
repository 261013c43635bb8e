//! Background work: decoding, dialogs and HTTP run here, off the UI thread, and report back
//! through one channel, each followed by a repaint request.

use std::future::Future;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, Sender, channel};

use eframe::egui;

use crate::api::{ApiError, CallEvent, ClientOptions, TenantPicture, TenantUrl, WhoAmI, XcClient};
use crate::avatar::{self, AvatarError, EncodedAvatar, Framing, Source};
use crate::credentials::{ApiToken, StoreError, TokenStore};
use crate::settings::{Settings, SettingsFile};

/// Shows the native "open image" dialog. A seam, so tests never block on a real dialog.
pub trait FilePicker: Send + Sync {
    /// Shows the dialog, opening in `folder` when given (the last one used).
    fn pick_image(
        &self,
        folder: Option<PathBuf>,
    ) -> Pin<Box<dyn Future<Output = Option<PathBuf>> + Send>>;
}

/// The platform's file dialog (xdg-desktop-portal or zenity on Linux, native elsewhere).
pub struct NativeFilePicker;

impl FilePicker for NativeFilePicker {
    fn pick_image(
        &self,
        folder: Option<PathBuf>,
    ) -> Pin<Box<dyn Future<Output = Option<PathBuf>> + Send>> {
        Box::pin(async move {
            let mut dialog = rfd::AsyncFileDialog::new().set_title("Choose a picture");
            if let Some(folder) = folder.filter(|f| f.is_dir()) {
                dialog = dialog.set_directory(folder);
            }
            dialog
                .add_filter(
                    "Images",
                    &["jpg", "jpeg", "png", "webp", "gif", "bmp", "tif", "tiff"],
                )
                .add_filter("All files", &["*"])
                .pick_file()
                .await
                .map(|handle| handle.path().to_path_buf())
        })
    }
}

/// A decoded picture with its on-screen preview, ready for the UI thread.
pub struct LoadedPicture {
    pub name: String,
    /// The folder it came from, for the next file dialog.
    pub folder: Option<PathBuf>,
    pub source: Source,
    pub preview: egui::ColorImage,
}

/// What a finished change did, and where.
#[derive(Clone, Debug)]
pub struct ChangeReport {
    pub tenant: TenantUrl,
    pub changed: Changed,
}

#[derive(Debug, thiserror::Error)]
pub enum UploadError {
    #[error(transparent)]
    Avatar(#[from] AvatarError),
    #[error(transparent)]
    Api(#[from] ApiError),
}

/// A background task's result.
pub enum TaskEvent {
    Picked(Option<PathBuf>),
    Loaded {
        generation: u64,
        result: Result<LoadedPicture, AvatarError>,
    },
    /// Upload `id` is waiting to try again.
    Retrying {
        id: u64,
        event: CallEvent,
    },
    Changed {
        id: u64,
        result: Result<ChangeReport, UploadError>,
    },
    Current {
        tenant: TenantUrl,
        result: Result<Option<CurrentPicture>, ApiError>,
    },
    /// What `framing` of picture `generation` encodes to.
    Estimated {
        generation: u64,
        framing: Framing,
        result: Result<EncodedAvatar, AvatarError>,
    },
    TokenRead {
        tenant: TenantUrl,
        result: Result<Option<ApiToken>, StoreError>,
    },
    Tested {
        tenant: TenantUrl,
        result: Result<WhoAmI, ApiError>,
    },
    Saved {
        tenant: TenantUrl,
        token: ApiToken,
        result: Result<(), StoreError>,
    },
    Forgotten {
        tenant: TenantUrl,
        result: Result<bool, StoreError>,
    },
    /// Writing the settings file failed: why.
    SettingsNotSaved(String),
}

/// Owns the async runtime, the channel back to the UI, and the slow resources.
pub struct Tasks {
    runtime: tokio::runtime::Runtime,
    sender: EventSender,
    receiver: Receiver<TaskEvent>,
    picker: Arc<dyn FilePicker>,
    store: Arc<dyn TokenStore>,
    settings_file: Option<SettingsFile>,
}

/// Sends an event and wakes the UI so it is handled at once (the app repaints only on demand).
#[derive(Clone)]
struct EventSender {
    sender: Sender<TaskEvent>,
    ctx: egui::Context,
}

impl EventSender {
    fn send(&self, event: TaskEvent) {
        // The receiver only goes away when the app is closing; nothing is left to tell.
        let _ = self.sender.send(event);
        self.ctx.request_repaint();
    }
}

impl Tasks {
    pub fn new(
        ctx: egui::Context,
        picker: Arc<dyn FilePicker>,
        store: Arc<dyn TokenStore>,
        settings_file: Option<SettingsFile>,
    ) -> std::io::Result<Self> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("xc-avatar-task")
            .enable_all()
            .build()?;
        let (sender, receiver) = channel();
        Ok(Tasks {
            runtime,
            sender: EventSender { sender, ctx },
            receiver,
            picker,
            store,
            settings_file,
        })
    }

    /// Where tokens are kept, for "Saved in …".
    pub fn store_location(&self) -> &'static str {
        self.store.location()
    }

    /// Runs a blocking call (keyring, file) off the UI thread and reports its result.
    fn blocking<T: Send + 'static>(
        &self,
        call: impl FnOnce() -> T + Send + 'static,
        report: impl FnOnce(T) -> TaskEvent + Send + 'static,
    ) {
        let sender = self.sender.clone();
        self.runtime
            .spawn_blocking(move || sender.send(report(call())));
    }

    pub fn read_token(&self, tenant: TenantUrl) {
        let store = self.store.clone();
        let key = tenant.clone();
        self.blocking(
            move || store.get(&key),
            |result| TaskEvent::TokenRead { tenant, result },
        );
    }

    pub fn save_token(&self, tenant: TenantUrl, token: ApiToken) {
        let store = self.store.clone();
        let (key, secret) = (tenant.clone(), token.clone());
        self.blocking(
            move || store.set(&key, &secret),
            |result| TaskEvent::Saved {
                tenant,
                token,
                result,
            },
        );
    }

    pub fn forget_token(&self, tenant: TenantUrl) {
        let store = self.store.clone();
        let key = tenant.clone();
        self.blocking(
            move || store.delete(&key),
            |result| TaskEvent::Forgotten { tenant, result },
        );
    }

    pub fn save_settings(&self, settings: Settings) {
        let Some(file) = self.settings_file.clone() else {
            return;
        };
        let sender = self.sender.clone();
        self.runtime.spawn_blocking(move || {
            if let Err(err) = file.save(&settings) {
                sender.send(TaskEvent::SettingsNotSaved(err.to_string()));
            }
        });
    }

    /// Asks the tenant who the token belongs to.
    pub fn test_connection(&self, tenant: TenantUrl, token: ApiToken) {
        let sender = self.sender.clone();
        self.runtime.spawn(async move {
            let options = ClientOptions {
                retry: crate::api::RetryPolicy::none(),
                ..ClientOptions::default()
            };
            let result = match XcClient::new(tenant.clone(), &token, options) {
                Ok(client) => client.whoami().await,
                Err(err) => Err(err),
            };
            sender.send(TaskEvent::Tested { tenant, result });
        });
    }

    /// Events that arrived since the last frame.
    pub fn drain(&self) -> Vec<TaskEvent> {
        self.receiver.try_iter().collect()
    }

    pub fn pick_file(&self, folder: Option<PathBuf>) {
        let sender = self.sender.clone();
        let dialog = self.picker.pick_image(folder);
        self.runtime.spawn(async move {
            sender.send(TaskEvent::Picked(dialog.await));
        });
    }

    /// Decodes `path` (or the dropped bytes) and builds the preview, off the UI thread.
    pub fn load(&self, generation: u64, path: PathBuf, bytes: Option<Vec<u8>>) {
        let sender = self.sender.clone();
        self.runtime.spawn_blocking(move || {
            let result = load_picture(&path, bytes);
            sender.send(TaskEvent::Loaded { generation, result });
        });
    }

    /// Loads a pasted image: encoded as PNG off the UI thread, then loaded like a file, so
    /// it goes through the same checks and pipeline.
    pub fn load_pasted(&self, generation: u64, image: Arc<egui::ColorImage>) {
        let sender = self.sender.clone();
        self.runtime.spawn_blocking(move || {
            let result = png_of(&image).and_then(|png| {
                load_picture(Path::new(PASTED_NAME), Some(png)).map(|mut loaded| {
                    loaded.folder = None;
                    loaded
                })
            });
            sender.send(TaskEvent::Loaded { generation, result });
        });
    }

    /// Renders the avatar as Upload would, to say what will be sent.
    pub fn estimate(&self, generation: u64, source: Source, framing: Framing) {
        let sender = self.sender.clone();
        self.runtime.spawn_blocking(move || {
            let result = avatar::render(&source, &framing, &avatar::Output::default());
            sender.send(TaskEvent::Estimated {
                generation,
                framing,
                result,
            });
        });
    }

    /// Changes the picture on the tenant: uploads a framing, puts a previous picture back, or
    /// removes it. Aborting the handle cancels it at once, even while it waits to retry.
    pub fn change(
        &self,
        id: u64,
        change: Change,
        tenant: TenantUrl,
        token: ApiToken,
    ) -> tokio::task::AbortHandle {
        let sender = self.sender.clone();
        self.runtime
            .spawn(async move {
                let events = sender.clone();
                let on_event = move |event: &CallEvent| {
                    events.send(TaskEvent::Retrying {
                        id,
                        event: event.clone(),
                    })
                };
                let result = run_change(change, tenant, token, on_event).await;
                sender.send(TaskEvent::Changed { id, result });
            })
            .abort_handle()
    }

    /// Fetches the picture the tenant shows now, decoded small for the screen.
    pub fn fetch_current(&self, tenant: TenantUrl, token: ApiToken) {
        let sender = self.sender.clone();
        self.runtime.spawn(async move {
            let result = fetch_current(&tenant, &token).await;
            sender.send(TaskEvent::Current { tenant, result });
        });
    }
}

/// A change to the picture on the tenant.
pub enum Change {
    Upload {
        source: Source,
        framing: Framing,
        /// This framing already encoded (by the estimate), if it was.
        rendered: Option<EncodedAvatar>,
    },
    /// Put this picture back (Undo).
    Restore(TenantPicture),
    Remove,
}

/// What a finished change did.
#[derive(Clone, Debug)]
pub enum Changed {
    Uploaded(EncodedAvatar),
    Restored,
    Removed,
}

/// The picture on the tenant now, and how it looks (`None` if it would not decode).
pub struct CurrentPicture {
    pub picture: TenantPicture,
    pub image: Option<egui::ColorImage>,
}

async fn fetch_current(
    tenant: &TenantUrl,
    token: &ApiToken,
) -> Result<Option<CurrentPicture>, ApiError> {
    let client = XcClient::new(tenant.clone(), token, ClientOptions::default())?;
    let Some(picture) = client.current_image().await? else {
        return Ok(None);
    };
    let bytes = picture.bytes.clone();
    let image = tokio::task::spawn_blocking(move || {
        let (image, _) = Source::from_bytes(bytes).ok()?.preview(256).ok()?;
        Some(egui::ColorImage::from_rgba_unmultiplied(
            [image.width() as usize, image.height() as usize],
            image.as_raw(),
        ))
    })
    .await
    .ok()
    .flatten();
    Ok(Some(CurrentPicture { picture, image }))
}

/// What a pasted picture is called on screen.
pub const PASTED_NAME: &str = "Pasted image";

fn png_of(image: &egui::ColorImage) -> Result<Vec<u8>, AvatarError> {
    use image::ImageEncoder as _;
    let [width, height] = image.size;
    let rgba: Vec<u8> = image
        .pixels
        .iter()
        .flat_map(|c| c.to_srgba_unmultiplied())
        .collect();
    let mut png = Vec::new();
    // Fast compression: this PNG only carries the pixels to the loader.
    image::codecs::png::PngEncoder::new_with_quality(
        &mut png,
        image::codecs::png::CompressionType::Fast,
        image::codecs::png::FilterType::NoFilter,
    )
    .write_image(
        &rgba,
        u32::try_from(width).unwrap_or(u32::MAX),
        u32::try_from(height).unwrap_or(u32::MAX),
        image::ExtendedColorType::Rgba8,
    )
    .map_err(|e| AvatarError::Encode(e.to_string()))?;
    Ok(png)
}

fn load_picture(path: &Path, bytes: Option<Vec<u8>>) -> Result<LoadedPicture, AvatarError> {
    let source = match bytes {
        Some(bytes) => Source::from_bytes(bytes)?,
        None => Source::open(path)?,
    };
    let (preview, _) = source.preview(avatar::PREVIEW_MAX_SIDE)?;
    let preview = egui::ColorImage::from_rgba_unmultiplied(
        [preview.width() as usize, preview.height() as usize],
        preview.as_raw(),
    );
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string());
    Ok(LoadedPicture {
        name,
        folder: path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .map(Path::to_path_buf),
        source,
        preview,
    })
}

async fn run_change(
    change: Change,
    tenant: TenantUrl,
    token: ApiToken,
    on_event: impl Fn(&CallEvent) + Send + Sync + 'static,
) -> Result<ChangeReport, UploadError> {
    let client =
        XcClient::new(tenant.clone(), &token, ClientOptions::default())?.on_event(on_event);
    let changed = match change {
        Change::Upload {
            source,
            framing,
            rendered,
        } => {
            let avatar = match rendered {
                Some(avatar) => avatar,
                None => tokio::task::spawn_blocking(move || {
                    avatar::render(&source, &framing, &avatar::Output::default())
                })
                .await
                .map_err(|e| AvatarError::Encode(e.to_string()))??,
            };
            client.update_image(&avatar).await?;
            Changed::Uploaded(avatar)
        }
        Change::Restore(picture) => {
            client
                .put_image(&picture.content_type, &picture.bytes)
                .await?;
            Changed::Restored
        }
        Change::Remove => {
            client.delete_image().await?;
            Changed::Removed
        }
    };
    Ok(ChangeReport { tenant, changed })
}
