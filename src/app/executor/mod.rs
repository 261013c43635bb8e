//! The [`Executor`]: the one place effects are carried out. Everything slow — the file dialog,
//! decoding, encoding, the keyring, HTTP — runs on a tokio runtime and reports back through one
//! channel, waking the UI. The task bodies are in `tasks`; the helpers that keep work from
//! piling up in `jobs`.

mod jobs;
mod tasks;

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, Sender, channel};

use eframe::egui;

pub use jobs::{ClientCache, KEPT_CLIENTS};
use jobs::{LatestOnly, SettingsWriter};

use super::dialog::FilePicker;
use super::effects::{ChangeRequest, Effect, LoadWhat};
use super::msg::{ChangeEvent, FileField, PhotoEvent, SetupEvent, TaskEvent, TenantEvent};
use super::state::Connection;
use crate::TenantUrl;
use crate::avatar::{self, AvatarError};
use crate::credentials::{CredentialInput, CredentialKind, SecretStore};
use crate::settings::{Settings, SettingsFile};
use crate::sign_in::{self, Environment};

/// Runs effects and hands back what they found.
pub struct Executor {
    /// `None` only while dropping: see `Drop`.
    runtime: Option<tokio::runtime::Runtime>,
    sender: EventSender,
    receiver: Receiver<TaskEvent>,
    picker: Arc<dyn FilePicker>,
    store: Arc<dyn SecretStore>,
    /// What the process environment says (tenant, credential, vesctl's profile).
    env: Arc<Environment>,
    settings: SettingsWriter,
    clients: ClientCache,
    loads: LatestOnly,
    changes: Vec<(u64, tokio::task::AbortHandle)>,
}

/// Sends an event and wakes the UI so it is handled at once (the app repaints only on demand).
#[derive(Clone)]
pub struct EventSender {
    sender: Sender<TaskEvent>,
    ctx: egui::Context,
}

impl EventSender {
    pub fn send(&self, event: impl Into<TaskEvent>) {
        // The receiver only goes away when the app is closing; nothing is left to tell.
        let _ = self.sender.send(event.into());
        self.ctx.request_repaint();
    }
}

impl Executor {
    pub fn new(
        ctx: egui::Context,
        picker: Arc<dyn FilePicker>,
        store: Arc<dyn SecretStore>,
        settings_file: Option<SettingsFile>,
        env: Environment,
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
            env: Arc::new(env),
            settings: SettingsWriter::new(settings_file),
            clients: ClientCache::default(),
            loads: LatestOnly::default(),
            changes: Vec::new(),
        })
    }

    /// Where secrets are kept, for "Saved in …".
    pub fn store_location(&self) -> &'static str {
        self.store.location()
    }

    /// How many clients are kept (one per tenant and credential, bounded).
    pub fn clients_kept(&self) -> usize {
        self.clients.len()
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
    fn blocking<T: Send + 'static, E: Into<TaskEvent>>(
        &self,
        call: impl FnOnce() -> T + Send + 'static,
        report: impl FnOnce(T) -> E + Send + 'static,
    ) {
        let sender = self.sender.clone();
        self.handle()
            .spawn_blocking(move || sender.send(report(call())));
    }

    /// Runs async work on the runtime and reports what it returns.
    fn spawn<E: Into<TaskEvent>>(&self, work: impl Future<Output = E> + Send + 'static) {
        let sender = self.sender.clone();
        self.handle().spawn(async move { sender.send(work.await) });
    }

    /// Carries out `effect`. Runs on the UI thread; returns at once.
    pub fn run(&mut self, effect: Effect, frame: Option<&eframe::Frame>) {
        match effect {
            Effect::PickPicture { folder } => {
                let dialog = self.picker.pick_image(folder, frame);
                self.spawn(async move { PhotoEvent::Picked(dialog.await) });
            }
            Effect::Load { generation, what } => self.load(generation, what),
            Effect::Prepare {
                generation,
                source,
                framing,
            } => self.blocking(
                move || avatar::render(&source, &framing, &avatar::Output::default()),
                move |result| PhotoEvent::Prepared {
                    generation,
                    framing,
                    result,
                },
            ),
            Effect::StartChange {
                id,
                request,
                connection,
            } => self.start_change(id, request, connection),
            Effect::CancelChange { id } => {
                for (_, handle) in self.changes.iter().filter(|(i, _)| *i == id) {
                    handle.abort();
                }
            }
            Effect::FetchCurrent {
                generation,
                connection,
            } => self.fetch_current(generation, connection),
            Effect::ReadCredential { tenant, settings } => self.read_credential(tenant, settings),
            Effect::TestCredential { tenant, input } => self.spawn(async move {
                let result = tasks::test_credential(tenant.clone(), input).await;
                SetupEvent::Tested { tenant, result }
            }),
            Effect::SaveCredential {
                tenant,
                input,
                keep,
            } => self.save_credential(tenant, input, keep),
            Effect::ForgetCredential { tenant, kind } => self.forget_credential(tenant, kind),
            Effect::PickCredentialFile { field, folder } => {
                self.pick_credential_file(field, folder, frame)
            }
            Effect::SaveSettings(settings) => self.save_settings(settings),
            Effect::SetAppearance(appearance) => {
                super::theme::apply(&self.sender.ctx, appearance);
            }
        }
    }

    fn load(&self, generation: u64, what: LoadWhat) {
        let sender = self.sender.clone();
        let ctx = self.sender.ctx.clone();
        self.loads.run(self.handle(), move || {
            // A panic must not leave the load slot taken (no picture could open again) nor
            // the "Opening…" spinner turning forever.
            let opened = std::panic::AssertUnwindSafe(|| tasks::load(&ctx, generation, what));
            let (event, preview) = std::panic::catch_unwind(opened).unwrap_or_else(|_| {
                let failed = AvatarError::Corrupt("opening it failed unexpectedly".into());
                (
                    PhotoEvent::Loaded {
                        generation,
                        result: Err(failed),
                    },
                    None,
                )
            });
            let opened = matches!(&event, PhotoEvent::Loaded { result: Ok(_), .. });
            sender.send(event);
            // The photo shows first; its faces follow (`update` drops them if another photo
            // was opened meanwhile, and moves no framing the user already changed). An
            // initials avatar has no preview to look in: no face.
            if opened {
                let faces = preview
                    .and_then(|(preview, scale)| {
                        let found = std::panic::AssertUnwindSafe(|| {
                            avatar::faces_in_preview(&preview, scale)
                        });
                        std::panic::catch_unwind(found).ok()
                    })
                    .unwrap_or_default();
                sender.send(PhotoEvent::FacesFound { generation, faces });
            }
        });
    }

    fn start_change(&mut self, id: u64, request: ChangeRequest, connection: Connection) {
        let sender = self.sender.clone();
        let clients = self.clients.clone();
        let handle = self
            .handle()
            .spawn(async move {
                let tenant = connection.tenant.clone();
                let result = tasks::change(&clients, id, request, &connection, &sender).await;
                sender.send(ChangeEvent::Finished { id, tenant, result });
            })
            .abort_handle();
        self.changes.retain(|(_, h)| !h.is_finished());
        self.changes.push((id, handle));
    }

    fn fetch_current(&self, generation: u64, connection: Connection) {
        let sender = self.sender.clone();
        let clients = self.clients.clone();
        let ctx = self.sender.ctx.clone();
        self.handle().spawn(async move {
            let result = tasks::fetch_current(&clients, &connection, &ctx).await;
            // The name beside the picture in the "In the Console" preview. Asked after the
            // picture, not beside it, so both have answered once the picture shows.
            let user = match (&result, clients.get(&connection)) {
                (Ok(_), Ok(client)) => client.whoami().await.ok(),
                _ => None,
            };
            sender.send(ChangeEvent::Current { generation, result });
            if let Some(user) = user {
                sender.send(ChangeEvent::User {
                    generation,
                    name: user.short_name(),
                    initials_name: avatar::name_for_initials(
                        &user.first_name,
                        &user.last_name,
                        &user.email,
                        &user.name,
                    ),
                });
            }
        });
    }

    fn read_credential(&self, tenant: TenantUrl, settings: Settings) {
        let (store, env) = (self.store.clone(), self.env.clone());
        let key = tenant.clone();
        self.blocking(
            move || sign_in::credential(&key, &env, &settings, store.as_ref()),
            |result| TenantEvent::CredentialRead { tenant, result },
        );
    }

    fn save_credential(&self, tenant: TenantUrl, input: CredentialInput, keep: bool) {
        let store = self.store.clone();
        let key = tenant.clone();
        self.blocking(
            move || tasks::save_credential(&key, &input, keep, store.as_ref()),
            move |result| SetupEvent::Saved {
                tenant,
                kept: keep,
                result,
            },
        );
    }

    fn forget_credential(&self, tenant: TenantUrl, kind: CredentialKind) {
        let store = self.store.clone();
        let key = tenant.clone();
        self.blocking(
            move || sign_in::forget_secret(&key, kind, store.as_ref()),
            move |result| SetupEvent::Forgotten {
                tenant,
                kind,
                result,
            },
        );
    }

    fn pick_credential_file(
        &self,
        field: FileField,
        folder: Option<PathBuf>,
        frame: Option<&eframe::Frame>,
    ) {
        let dialog = self.picker.pick_credential_file(field, folder, frame);
        self.spawn(async move {
            let path = dialog.await;
            SetupEvent::FilePicked { field, path }
        });
    }

    fn save_settings(&self, settings: Settings) {
        let sender = self.sender.clone();
        let writer = self.settings.clone();
        let ticket = writer.ticket();
        self.handle().spawn_blocking(move || {
            if let Err(why) = writer.write(ticket, &settings) {
                sender.send(TenantEvent::SettingsNotSaved(why));
            }
        });
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
