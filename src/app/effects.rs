//! Effects: what `update` asks the world to do, as data; and the [`Executor`], the one place
//! they are carried out. Everything slow — the file dialog, decoding, encoding, the keyring,
//! HTTP — runs on a tokio runtime and reports back through one channel, waking the UI.

use std::future::Future;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use eframe::egui;

use super::msg::{
    CertificateProblem, ChangeError, ChangeOutcome, CurrentPicture, LoadedPhoto, Pasted, TaskEvent,
};
use super::state::Connection;
use crate::api::{
    self, ApiError, CallEvent, ClientOptions, RetryPolicy, TenantPicture, TenantUrl, XcClient,
};
use crate::avatar::{self, AvatarError, EncodedAvatar, Framing, Source};
use crate::credentials::{ApiCertificate, ApiToken, CertificatePassword, Credential, TokenStore};
use crate::messages::PASTED_NAME;
use crate::settings::{Settings, SettingsFile};

/// Something `update` wants done. Plain data: tests compare it; the executor runs it.
#[derive(Debug)]
pub enum Effect {
    /// Show the native "open image" dialog, opening in `folder`.
    PickFile {
        folder: Option<PathBuf>,
    },
    /// Decode a file (or a pasted image) and make its preview.
    Load {
        generation: u64,
        what: LoadWhat,
    },
    /// Encode `framing` of the photo as Upload would, to say what will be sent.
    Prepare {
        generation: u64,
        source: Source,
        framing: Framing,
    },
    StartChange {
        id: u64,
        request: ChangeRequest,
        connection: Connection,
    },
    /// Stop change `id` at once, even while it waits to retry.
    CancelChange {
        id: u64,
    },
    FetchCurrent {
        generation: u64,
        connection: Connection,
    },
    ReadToken {
        tenant: TenantUrl,
    },
    TestConnection {
        tenant: TenantUrl,
        token: ApiToken,
    },
    SaveToken {
        tenant: TenantUrl,
        token: ApiToken,
    },
    ForgetToken {
        tenant: TenantUrl,
    },
    /// Show the native dialog for a `.p12`, opening in `folder`.
    PickCertificate {
        folder: Option<PathBuf>,
    },
    /// Open the tenant's `.p12` with `password`, or with the password kept in the store when
    /// `None`.
    ReadCertificate {
        tenant: TenantUrl,
        path: PathBuf,
        password: Option<CertificatePassword>,
    },
    TestCertificate {
        tenant: TenantUrl,
        path: PathBuf,
        password: CertificatePassword,
    },
    SaveCertificate {
        tenant: TenantUrl,
        path: PathBuf,
        password: CertificatePassword,
    },
    ForgetCertificate {
        tenant: TenantUrl,
    },
    SaveSettings(Settings),
    /// Restyle the window for this choice.
    SetAppearance(crate::settings::Appearance),
}

/// What a load opens.
#[derive(Debug)]
pub enum LoadWhat {
    File(PathBuf),
    Pasted(Pasted),
}

/// A change of the picture on the tenant.
#[derive(Clone, Debug)]
pub enum ChangeRequest {
    Upload {
        source: Source,
        framing: Framing,
        /// This framing already encoded (by the "will send" measurement), if it was.
        prepared: Option<EncodedAvatar>,
    },
    /// Put this picture back (Undo).
    Restore(TenantPicture),
    Remove,
}

/// Shows the native "open image" dialog. A seam, so tests never block on a real dialog.
pub trait FilePicker: Send + Sync {
    /// Called on the UI thread (macOS requires dialogs to be made there; `parent` makes the
    /// dialog modal to the window on Windows and macOS); the returned future is awaited on the
    /// runtime.
    fn pick_image(&self, folder: Option<PathBuf>, parent: Option<&eframe::Frame>) -> PickFuture;

    /// The same for an API certificate (`.p12`). A picker that does not tell the two apart
    /// (as tests' pickers) answers with its one file.
    fn pick_certificate(
        &self,
        folder: Option<PathBuf>,
        parent: Option<&eframe::Frame>,
    ) -> PickFuture {
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

    fn pick_certificate(
        &self,
        folder: Option<PathBuf>,
        parent: Option<&eframe::Frame>,
    ) -> PickFuture {
        let extensions = ["p12", "pfx", "P12", "PFX"];
        let filter = "API certificate (.p12)";
        pick_file(
            "Choose your API certificate",
            filter,
            &extensions,
            folder,
            parent,
        )
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

/// Runs effects and hands back what they found.
pub struct Executor {
    /// `None` only while dropping: see `Drop`.
    runtime: Option<tokio::runtime::Runtime>,
    sender: EventSender,
    receiver: Receiver<TaskEvent>,
    picker: Arc<dyn FilePicker>,
    store: Arc<dyn TokenStore>,
    settings: SettingsWriter,
    clients: ClientCache,
    loads: LatestOnly,
    changes: Vec<(u64, tokio::task::AbortHandle)>,
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

impl Executor {
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
        Ok(Executor {
            runtime: Some(runtime),
            sender: EventSender { sender, ctx },
            receiver,
            picker,
            store,
            settings: SettingsWriter::new(settings_file),
            clients: ClientCache::default(),
            loads: LatestOnly::default(),
            changes: Vec::new(),
        })
    }

    /// Where tokens are kept, for "Saved in …".
    pub fn store_location(&self) -> &'static str {
        self.store.location()
    }

    /// Events that arrived since the last frame.
    pub fn drain(&self) -> Vec<TaskEvent> {
        self.receiver.try_iter().collect()
    }

    fn handle(&self) -> &tokio::runtime::Handle {
        // Set from `new` until `drop`, which is the only place that takes it.
        match &self.runtime {
            Some(runtime) => runtime.handle(),
            None => unreachable!("the runtime lives as long as the executor"),
        }
    }

    /// Runs a blocking call (keyring, file) off the UI thread and reports its result.
    fn blocking<T: Send + 'static>(
        &self,
        call: impl FnOnce() -> T + Send + 'static,
        report: impl FnOnce(T) -> TaskEvent + Send + 'static,
    ) {
        let sender = self.sender.clone();
        self.handle()
            .spawn_blocking(move || sender.send(report(call())));
    }

    /// Carries out `effect`. Runs on the UI thread; returns at once.
    pub fn run(&mut self, effect: Effect, frame: Option<&eframe::Frame>) {
        match effect {
            Effect::PickFile { folder } => {
                let dialog = self.picker.pick_image(folder, frame);
                let sender = self.sender.clone();
                self.handle().spawn(async move {
                    sender.send(TaskEvent::Picked(dialog.await));
                });
            }
            Effect::Load { generation, what } => {
                let sender = self.sender.clone();
                let ctx = self.sender.ctx.clone();
                self.loads.run(self.handle(), move || {
                    // A panic must not leave the load slot taken (no picture could open again)
                    // nor the "Opening…" spinner turning forever.
                    let opened = std::panic::AssertUnwindSafe(|| load(&ctx, generation, what));
                    let event =
                        std::panic::catch_unwind(opened).unwrap_or_else(|_| TaskEvent::Loaded {
                            generation,
                            result: Err(AvatarError::Corrupt(
                                "opening it failed unexpectedly".into(),
                            )),
                        });
                    sender.send(event);
                });
            }
            Effect::Prepare {
                generation,
                source,
                framing,
            } => self.blocking(
                move || avatar::render(&source, &framing, &avatar::Output::default()),
                move |result| TaskEvent::Prepared {
                    generation,
                    framing,
                    result,
                },
            ),
            Effect::StartChange {
                id,
                request,
                connection,
            } => {
                let sender = self.sender.clone();
                let clients = self.clients.clone();
                let handle = self
                    .handle()
                    .spawn(async move {
                        let tenant = connection.tenant.clone();
                        let result = change(&clients, id, request, &connection, &sender).await;
                        sender.send(TaskEvent::ChangeFinished { id, tenant, result });
                    })
                    .abort_handle();
                self.changes.retain(|(_, h)| !h.is_finished());
                self.changes.push((id, handle));
            }
            Effect::CancelChange { id } => {
                for (_, handle) in self.changes.iter().filter(|(i, _)| *i == id) {
                    handle.abort();
                }
            }
            Effect::FetchCurrent {
                generation,
                connection,
            } => {
                let sender = self.sender.clone();
                let clients = self.clients.clone();
                let ctx = self.sender.ctx.clone();
                self.handle().spawn(async move {
                    let result = fetch_current(&clients, &connection, &ctx).await;
                    // The name beside the picture in the "In the Console" preview. Asked after
                    // the picture, not beside it, so both have answered once the picture shows.
                    let user = match (&result, clients.get(&connection)) {
                        (Ok(_), Ok(client)) => client.whoami().await.ok(),
                        _ => None,
                    };
                    sender.send(TaskEvent::Current { generation, result });
                    if let Some(user) = user {
                        sender.send(TaskEvent::User {
                            generation,
                            name: user.short_name(),
                        });
                    }
                });
            }
            Effect::ReadToken { tenant } => {
                let store = self.store.clone();
                let key = tenant.clone();
                self.blocking(
                    move || store.get(&key),
                    |result| TaskEvent::TokenRead { tenant, result },
                );
            }
            Effect::TestConnection { tenant, token } => {
                let sender = self.sender.clone();
                self.handle().spawn(async move {
                    // A test answers now or fails: no retries behind the user's back.
                    let options = ClientOptions {
                        retry: RetryPolicy::none(),
                        ..ClientOptions::default()
                    };
                    let result = api::whoami(tenant.clone(), &token, options).await;
                    sender.send(TaskEvent::Tested { tenant, result });
                });
            }
            Effect::SaveToken { tenant, token } => {
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
            Effect::ForgetToken { tenant } => {
                let store = self.store.clone();
                let key = tenant.clone();
                self.blocking(
                    move || store.delete(&key),
                    |result| TaskEvent::Forgotten { tenant, result },
                );
            }
            Effect::SetAppearance(appearance) => {
                super::theme::apply(&self.sender.ctx, appearance);
            }
            Effect::PickCertificate { folder } => {
                let dialog = self.picker.pick_certificate(folder, frame);
                let sender = self.sender.clone();
                self.handle().spawn(async move {
                    sender.send(TaskEvent::PickedCertificate(dialog.await));
                });
            }
            Effect::ReadCertificate {
                tenant,
                path,
                password,
            } => {
                let store = self.store.clone();
                let key = tenant.clone();
                self.blocking(
                    move || {
                        let password = match password {
                            Some(given) => Ok(Some(given)),
                            None => store.get_certificate_password(&key),
                        };
                        match password {
                            Ok(Some(password)) => ApiCertificate::open(&path, &password)
                                .map_err(CertificateProblem::File),
                            Ok(None) => Err(CertificateProblem::NoPassword),
                            Err(err) => Err(CertificateProblem::Store(err)),
                        }
                    },
                    |result| TaskEvent::CertificateRead { tenant, result },
                );
            }
            Effect::TestCertificate {
                tenant,
                path,
                password,
            } => {
                let sender = self.sender.clone();
                self.handle().spawn(async move {
                    let opened =
                        tokio::task::spawn_blocking(move || ApiCertificate::open(&path, &password))
                            .await;
                    let result = match opened {
                        Ok(Ok(certificate)) => {
                            let options = ClientOptions {
                                retry: RetryPolicy::none(),
                                ..ClientOptions::default()
                            };
                            let credential = Credential::Certificate(certificate.clone());
                            api::whoami_as(tenant.clone(), &credential, options)
                                .await
                                .map(|me| (me, certificate))
                                .map_err(CertificateProblem::Api)
                        }
                        Ok(Err(err)) => Err(CertificateProblem::File(err)),
                        Err(join) => Err(CertificateProblem::Api(ApiError::Internal {
                            detail: format!("opening the certificate failed: {join}"),
                        })),
                    };
                    sender.send(TaskEvent::CertificateTested { tenant, result });
                });
            }
            Effect::SaveCertificate {
                tenant,
                path,
                password,
            } => {
                let store = self.store.clone();
                let key = tenant.clone();
                self.blocking(
                    move || {
                        let certificate = ApiCertificate::open(&path, &password)
                            .map_err(CertificateProblem::File)?;
                        store
                            .set_certificate_password(&key, &password)
                            .map_err(CertificateProblem::Store)?;
                        Ok(certificate)
                    },
                    |result| TaskEvent::CertificateSaved { tenant, result },
                );
            }
            Effect::ForgetCertificate { tenant } => {
                let store = self.store.clone();
                let key = tenant.clone();
                self.blocking(
                    move || store.delete_certificate_password(&key),
                    |result| TaskEvent::CertificateForgotten { tenant, result },
                );
            }
            Effect::SaveSettings(settings) => {
                let sender = self.sender.clone();
                let writer = self.settings.clone();
                let ticket = writer.ticket();
                self.handle().spawn_blocking(move || {
                    if let Err(why) = writer.write(ticket, &settings) {
                        sender.send(TaskEvent::SettingsNotSaved(why));
                    }
                });
            }
        }
    }
}

impl Drop for Executor {
    /// Closing the window must not wait for a keyring prompt, a decode or a slow tenant:
    /// dropping a runtime normally waits for every blocking job. Whatever still runs is
    /// abandoned; the process ends right after.
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

/// Runs one job at a time and keeps only the newest waiting one: a user who drops five files
/// in a row decodes the first and the last, not all five.
#[derive(Clone, Default)]
struct LatestOnly(Arc<Mutex<LatestOnlyState>>);

type Job = Box<dyn FnOnce() + Send>;

#[derive(Default)]
struct LatestOnlyState {
    running: bool,
    waiting: Option<Job>,
}

impl LatestOnly {
    fn run(&self, runtime: &tokio::runtime::Handle, job: impl FnOnce() + Send + 'static) {
        {
            let mut state = self.0.lock().unwrap_or_else(PoisonError::into_inner);
            if state.running {
                // Replaces (and so cancels) any job that was waiting.
                state.waiting = Some(Box::new(job));
                return;
            }
            state.running = true;
        }
        let slot = self.clone();
        runtime.spawn_blocking(move || {
            let mut next: Option<Job> = Some(Box::new(job));
            while let Some(job) = next {
                job();
                let mut state = slot.0.lock().unwrap_or_else(PoisonError::into_inner);
                next = state.waiting.take();
                state.running = next.is_some();
            }
        });
    }
}

/// Writes settings one at a time, skipping any save a newer one supersedes: the last *call*
/// wins, whatever order the blocking threads run in.
#[derive(Clone)]
struct SettingsWriter {
    file: Option<SettingsFile>,
    latest: Arc<AtomicU64>,
    writing: Arc<Mutex<()>>,
}

impl SettingsWriter {
    fn new(file: Option<SettingsFile>) -> Self {
        SettingsWriter {
            file,
            latest: Arc::default(),
            writing: Arc::default(),
        }
    }

    /// Numbers a save, in call order (on the UI thread).
    fn ticket(&self) -> u64 {
        self.latest.fetch_add(1, Ordering::SeqCst) + 1
    }

    fn write(&self, ticket: u64, settings: &Settings) -> Result<(), String> {
        let Some(file) = &self.file else {
            return Ok(());
        };
        let _one_at_a_time = self.writing.lock().unwrap_or_else(PoisonError::into_inner);
        if ticket < self.latest.load(Ordering::SeqCst) {
            // A newer save is waiting or already written.
            return Ok(());
        }
        file.save(settings).map_err(|err| err.to_string())
    }
}

/// One client per tenant and token, kept while they stay the same, so the start-up fetch, an
/// upload and the re-fetch after it share one kept-alive connection (one TLS handshake).
#[derive(Clone, Default)]
struct ClientCache(Arc<Mutex<Option<(Connection, XcClient)>>>);

impl ClientCache {
    fn get(&self, connection: &Connection) -> Result<XcClient, ApiError> {
        let mut kept = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some((for_connection, client)) = kept.as_ref()
            && for_connection == connection
        {
            return Ok(client.clone());
        }
        let client = XcClient::with_credential(
            connection.tenant.clone(),
            &connection.credential,
            ClientOptions::default(),
        )?;
        *kept = Some((connection.clone(), client.clone()));
        Ok(client)
    }
}

/// Opens what a load names and makes its texture (texture uploads are thread-safe in egui).
fn load(ctx: &egui::Context, generation: u64, what: LoadWhat) -> TaskEvent {
    let result = match what {
        LoadWhat::File(path) => Source::open(&path).map(|source| (source, Some(path))),
        LoadWhat::Pasted(Pasted::Path(path)) => {
            if !path.is_file() {
                return TaskEvent::PasteIgnored { generation };
            }
            Source::open(&path).map(|source| (source, Some(path)))
        }
        // Refused by `update` with a notice before any load starts.
        LoadWhat::Pasted(Pasted::NetworkPath(_)) => return TaskEvent::PasteIgnored { generation },
        LoadWhat::Pasted(Pasted::FileList) => match copied_file() {
            Some(path) => Source::open(&path).map(|source| (source, Some(path))),
            None => return TaskEvent::PasteIgnored { generation },
        },
        LoadWhat::Pasted(Pasted::Image(image)) => png_of(&image)
            .and_then(Source::from_bytes)
            .map(|source| (source, None)),
    };
    let result = result.and_then(|(source, path)| {
        let (preview, _) = source.preview(avatar::PREVIEW_MAX_SIDE)?;
        Ok(LoadedPhoto {
            name: path
                .as_deref()
                .map_or_else(|| PASTED_NAME.to_owned(), file_name),
            folder: path
                .as_deref()
                .and_then(Path::parent)
                .filter(|p| !p.as_os_str().is_empty())
                .map(Path::to_path_buf),
            source,
            texture: texture(ctx, "photo", &preview),
        })
    });
    TaskEvent::Loaded { generation, result }
}

/// The first file of the list a file manager copied, if the clipboard holds one. A file on
/// another computer (a UNC path) is passed over before anything looks at it: on Windows even
/// that signs in to the other computer (see `paste.rs`).
fn copied_file() -> Option<PathBuf> {
    let mut clipboard = arboard::Clipboard::new().ok()?;
    let files = clipboard.get().file_list().ok()?;
    files.into_iter().find(|path| {
        let network = super::paste::is_unc(&path.to_string_lossy());
        if network {
            tracing::warn!("a copied file on another computer was not opened");
        }
        !network && path.is_file()
    })
}

/// A picture for the screen. Mipmaps keep the 32 px preview smooth rather than aliased.
fn texture(ctx: &egui::Context, name: &str, image: &image::RgbaImage) -> egui::TextureHandle {
    let image = egui::ColorImage::from_rgba_unmultiplied(
        [image.width() as usize, image.height() as usize],
        image.as_raw(),
    );
    ctx.load_texture(
        name,
        image,
        egui::TextureOptions::LINEAR.with_mipmap_mode(Some(egui::TextureFilter::Linear)),
    )
}

pub fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

/// A pasted image as PNG, so it goes through the same checks and pipeline as a file.
fn png_of(image: &egui::ColorImage) -> Result<Vec<u8>, AvatarError> {
    use image::ImageEncoder as _;
    // Checked before copying or encoding a pixel, as a file's header is.
    let [width, height] = image.size;
    let (Ok(width), Ok(height)) = (u32::try_from(width), u32::try_from(height)) else {
        return Err(AvatarError::TooLarge {
            dimensions: None,
            limits: avatar::Limits::PICTURE,
        });
    };
    if !avatar::Limits::PICTURE.fit((width, height)) {
        return Err(AvatarError::TooLarge {
            dimensions: Some((width, height)),
            limits: avatar::Limits::PICTURE,
        });
    }
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
    .write_image(&rgba, width, height, image::ExtendedColorType::Rgba8)
    .map_err(|e| AvatarError::Encode(e.to_string()))?;
    Ok(png)
}

async fn fetch_current(
    clients: &ClientCache,
    connection: &Connection,
    ctx: &egui::Context,
) -> Result<Option<CurrentPicture>, ApiError> {
    let client = clients.get(connection)?;
    let Some(picture) = client.current_image().await? else {
        return Ok(None);
    };
    let shown = picture.clone();
    let ctx = ctx.clone();
    // Decoded within an avatar's limits, off the runtime's threads; a newer fetch or closing
    // the window abandons it.
    let texture = tokio::task::spawn_blocking(move || {
        let image = shown.preview(256).ok()?;
        Some(texture(&ctx, "current", &image))
    })
    .await
    .ok()
    .flatten();
    Ok(Some(CurrentPicture { picture, texture }))
}

async fn change(
    clients: &ClientCache,
    id: u64,
    request: ChangeRequest,
    connection: &Connection,
    sender: &EventSender,
) -> Result<ChangeOutcome, ChangeError> {
    let events = sender.clone();
    let client = clients.get(connection)?.on_event(move |event: &CallEvent| {
        let CallEvent::Retrying { wait, .. } = event;
        events.send(TaskEvent::Retrying {
            id,
            event: event.clone(),
            at: Instant::now() + *wait,
        })
    });
    let sent = || sender.send(TaskEvent::ChangeSent { id });
    Ok(match request {
        ChangeRequest::Upload {
            source,
            framing,
            prepared,
        } => {
            let avatar = match prepared {
                Some(avatar) => avatar,
                None => tokio::task::spawn_blocking(move || {
                    avatar::render(&source, &framing, &avatar::Output::default())
                })
                .await
                .map_err(|e| AvatarError::Encode(e.to_string()))??,
            };
            sent();
            client.update_image(&avatar).await?;
            ChangeOutcome::Uploaded(avatar)
        }
        ChangeRequest::Restore(picture) => {
            sent();
            client
                .put_image(&picture.content_type, &picture.bytes)
                .await?;
            ChangeOutcome::Restored
        }
        ChangeRequest::Remove => {
            sent();
            client.delete_image().await?;
            ChangeOutcome::Removed
        }
    })
}
