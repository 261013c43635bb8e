//! The desktop app (eframe/egui). Screens draw [`AppState`] and return [`Action`]s;
//! [`XcAvatarApp::apply`] is the one place that changes state; [`tasks`] runs everything slow.

pub mod crop_editor;
mod main_screen;
mod setup;
pub mod state;
pub mod tasks;

use std::path::PathBuf;
use std::sync::Arc;

use eframe::egui;

use crate::api::{ApiError, CallEvent, TenantUrl};
use crate::avatar::Framing;
use crate::cli::Exit;
use crate::credentials::{ApiToken, KeyringStore, TokenStore};
use crate::settings::{Settings, SettingsFile};
use state::{
    Action, AppState, Before, ChangeKind, Connection, Current, Estimate, Notice, NoticeAction,
    Picture, Retry, RunningUpload, Screen, SetupForm, Tone, sentence,
};
use tasks::{Change, Changed, TaskEvent, Tasks, UploadError};
pub use tasks::{FilePicker, NativeFilePicker};

/// The window title, also what window managers and the smoke test look for.
pub const WINDOW_TITLE: &str = "xc-avatar";
/// The app id: matches the `.desktop` file's name and `StartupWMClass`.
pub const APP_ID: &str = "xc-avatar";

/// What the app starts with.
pub struct AppConfig {
    /// Tenant as typed (from `F5XC_API_URL`); else the saved default.
    pub tenant: Option<String>,
    /// Token from `F5XC_API_TOKEN`; else the store's token for the tenant.
    pub token: Option<ApiToken>,
    /// A picture to open at once (`xc-avatar FILE`, "Open with").
    pub initial_file: Option<PathBuf>,
    pub picker: Arc<dyn FilePicker>,
    pub store: Arc<dyn TokenStore>,
    /// Where tenants are remembered; `None` remembers nothing.
    pub settings_file: Option<SettingsFile>,
}

impl AppConfig {
    /// Reads `F5XC_API_URL` and `F5XC_API_TOKEN`; uses the native file dialog.
    pub fn from_env(initial_file: Option<PathBuf>) -> Self {
        let tenant = std::env::var(crate::ENV_TENANT)
            .ok()
            .filter(|t| !t.trim().is_empty());
        AppConfig {
            tenant,
            token: ApiToken::from_env().and_then(Result::ok),
            initial_file,
            picker: Arc::new(NativeFilePicker),
            store: Arc::new(KeyringStore::new()),
            settings_file: SettingsFile::default_location(),
        }
    }
}

/// Opens the window and runs until it is closed.
pub fn run(initial_file: Option<PathBuf>) -> Exit {
    let mut viewport = egui::ViewportBuilder::default()
        .with_title(WINDOW_TITLE)
        .with_app_id(APP_ID)
        .with_inner_size([880.0, 640.0])
        .with_min_inner_size([560.0, 420.0])
        .with_drag_and_drop(true);
    match eframe::icon_data::from_png_bytes(include_bytes!("../../assets/icons/xc-avatar-256.png"))
    {
        Ok(icon) => viewport = viewport.with_icon(icon),
        Err(err) => tracing::warn!("window icon not usable: {err}"),
    }
    let options = eframe::NativeOptions {
        viewport,
        ..Default::default()
    };
    let config = AppConfig::from_env(initial_file);
    let result = eframe::run_native(
        APP_ID,
        options,
        Box::new(|cc| {
            XcAvatarApp::new(cc, config)
                .map(|app| Box::new(app) as Box<dyn eframe::App>)
                .map_err(|e| e.into())
        }),
    );
    match result {
        Ok(()) => Exit::Success,
        Err(err) => {
            eprintln!(
                "xc-avatar: error: cannot open a window: {err}. \
                 Without a display, use the commands in `xc-avatar --help`."
            );
            Exit::Internal
        }
    }
}

pub struct XcAvatarApp {
    state: AppState,
    tasks: Tasks,
}

impl XcAvatarApp {
    pub fn new(cc: &eframe::CreationContext<'_>, config: AppConfig) -> std::io::Result<Self> {
        // A few hundred bytes, read once: not worth a round trip through a task.
        let (settings, settings_problem) = match &config.settings_file {
            Some(file) => file.load(),
            None => (Settings::default(), None),
        };
        let tenant_text = config
            .tenant
            .or_else(|| settings.default_tenant.clone())
            .unwrap_or_default();
        let tenant = TenantUrl::parse(&tenant_text).ok();
        let (screen, connection, reading_token) = match (tenant, config.token.clone()) {
            (Some(tenant), Some(token)) => (Screen::Main, Some(Connection { tenant, token }), None),
            (Some(tenant), None) => (Screen::Main, None, Some(tenant)),
            (None, _) => (
                Screen::Setup(SetupForm {
                    tenant: tenant_text,
                    ..SetupForm::default()
                }),
                None,
                None,
            ),
        };
        let tasks = Tasks::new(
            cc.egui_ctx.clone(),
            config.picker,
            config.store,
            config.settings_file,
        )?;
        if let Some(tenant) = &reading_token {
            tasks.read_token(tenant.clone());
        }
        let mut app = XcAvatarApp {
            state: AppState {
                screen,
                connection,
                env_token: config.token,
                reading_token,
                settings,
                store_location: tasks.store_location(),
                picture: None,
                loading: None,
                load_generation: 0,
                upload: None,
                upload_count: 0,
                retry: None,
                estimate: Estimate::Pending,
                estimate_for: None,
                estimating: None,
                current: Current::Fetching,
                current_for: None,
                replacing: None,
                undo: None,
                confirm_remove: false,
                last_change: None,
                notice: settings_problem.map(|p| Notice::new(Tone::Error, p.to_string())),
            },
            tasks,
        };
        if let Some(path) = config.initial_file {
            app.apply(&cc.egui_ctx, Action::Load { path, bytes: None });
        }
        Ok(app)
    }

    /// The state, for tests.
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// The one place state changes in answer to the user.
    fn apply(&mut self, ctx: &egui::Context, action: Action) {
        let state = &mut self.state;
        match action {
            Action::OpenDialog => self.tasks.pick_file(state.settings.last_folder.clone()),
            Action::Load { path, bytes } => {
                state.load_generation += 1;
                state.loading = Some(file_name(&path));
                self.tasks.load(state.load_generation, path, bytes);
            }
            Action::Paste(image) => {
                state.load_generation += 1;
                state.loading = Some(tasks::PASTED_NAME.into());
                self.tasks.load_pasted(state.load_generation, image);
            }
            Action::Upload => {
                if let Some(picture) = &state.picture {
                    // The estimate already encoded this framing: send those bytes, not a re-render.
                    let rendered = match &state.estimate {
                        Estimate::Ready(avatar)
                            if state.estimate_for
                                == Some((picture.generation, picture.framing)) =>
                        {
                            Some(avatar.clone())
                        }
                        _ => None,
                    };
                    let change = Change::Upload {
                        source: picture.source.clone(),
                        framing: picture.framing,
                        rendered,
                    };
                    self.start_change(change, ChangeKind::Upload);
                }
            }
            Action::Undo => {
                let tenant = state.connection.as_ref().map(|c| &c.tenant);
                // Kept until the undo succeeds, so "Try again" can repeat it.
                let before = state.undo.as_ref().filter(|(t, _)| Some(t) == tenant);
                if let Some((_, before)) = before {
                    let change = match before.clone() {
                        Before::Picture(picture) => Change::Restore(picture),
                        Before::Nothing => Change::Remove,
                    };
                    self.start_change(change, ChangeKind::Undo);
                }
            }
            Action::TryAgain => {
                let again = match state.last_change {
                    Some(ChangeKind::Upload) => Action::Upload,
                    Some(ChangeKind::Undo) => Action::Undo,
                    Some(ChangeKind::Remove) => Action::Remove,
                    None => return,
                };
                self.apply(ctx, again);
                return;
            }
            Action::AskRemove => state.confirm_remove = true,
            Action::KeepPicture => state.confirm_remove = false,
            Action::Remove => {
                state.confirm_remove = false;
                self.start_change(Change::Remove, ChangeKind::Remove);
            }
            Action::CancelUpload => {
                if let Some(upload) = state.upload.take() {
                    upload.handle.abort();
                    state.retry = None;
                    state.replacing = None;
                    state.notice = Some(Notice::new(Tone::Error, upload.kind.cancelled()));
                }
            }
            Action::TestConnection { tenant, token } => {
                if let Screen::Setup(form) = &mut state.screen {
                    form.busy = Some("Testing the connection…");
                    // The outcome line now says what is going on.
                    form.reason = None;
                    form.outcome = None;
                }
                self.tasks.test_connection(tenant, token);
            }
            Action::SaveToken { tenant, token } => {
                if let Screen::Setup(form) = &mut state.screen {
                    form.busy = Some("Saving…");
                    // The outcome line now says what is going on.
                    form.reason = None;
                    form.outcome = None;
                    form.store_failed = false;
                }
                self.tasks.save_token(tenant, token);
            }
            Action::ForgetToken { tenant } => {
                if let Screen::Setup(form) = &mut state.screen {
                    form.busy = Some("Forgetting…");
                    // The outcome line now says what is going on.
                    form.reason = None;
                    form.outcome = None;
                }
                self.tasks.forget_token(tenant);
            }
            Action::Connect { tenant, token } => {
                let session_only = state.env_token.as_ref() != Some(&token);
                state.notice = session_only.then(|| {
                    Notice::new(
                        Tone::Success,
                        format!(
                            "using the token for {tenant} for this session only: \
                             it is forgotten when you close the app"
                        ),
                    )
                });
                self.connect(tenant, token);
            }
            Action::SwitchTenant(tenant) => {
                state.connection = None;
                state.reading_token = Some(tenant.clone());
                state.settings.set_default(&tenant);
                self.tasks.save_settings(state.settings.clone());
                self.tasks.read_token(tenant);
            }
            Action::OpenSetup { reason } => {
                let tenant = state
                    .connection
                    .as_ref()
                    .map(|c| c.tenant.origin())
                    .or_else(|| state.settings.default_tenant.clone())
                    .unwrap_or_default();
                state.screen = Screen::Setup(SetupForm {
                    tenant,
                    reason,
                    can_cancel: state.connection.is_some(),
                    ..SetupForm::default()
                });
            }
            Action::CloseSetup => state.screen = Screen::Main,
            Action::Frame(edit) => {
                if let Some(picture) = &mut state.picture {
                    edit.apply(&mut picture.framing);
                }
            }
        }
        ctx.request_repaint();
    }

    /// Starts a change of the picture on the tenant, unless one is running; notes what it
    /// replaces so it can be undone.
    fn start_change(&mut self, change: Change, kind: ChangeKind) {
        let state = &mut self.state;
        let (Some(connection), None) = (&state.connection, &state.upload) else {
            return;
        };
        state.notice = None;
        state.replacing = match &state.current {
            Current::Shown { picture, .. }
                if state.current_for.as_ref() == Some(&connection.tenant) =>
            {
                Some(Before::Picture(picture.clone()))
            }
            Current::Missing if state.current_for.as_ref() == Some(&connection.tenant) => {
                Some(Before::Nothing)
            }
            // Not known: nothing to undo to.
            _ => None,
        };
        state.last_change = Some(kind);
        state.upload_count += 1;
        let id = state.upload_count;
        let handle = self.tasks.change(
            id,
            change,
            connection.tenant.clone(),
            connection.token.clone(),
        );
        state.upload = Some(RunningUpload { id, kind, handle });
    }

    /// Fetches the tenant's current picture when the tenant changed or the picture did.
    fn refresh_current(&mut self) {
        let state = &mut self.state;
        let Some(connection) = &state.connection else {
            return;
        };
        if state.current_for.as_ref() != Some(&connection.tenant) && !state.uploading() {
            state.current_for = Some(connection.tenant.clone());
            state.current = Current::Fetching;
            self.tasks
                .fetch_current(connection.tenant.clone(), connection.token.clone());
        }
    }

    /// Starts measuring what the current framing sends, unless that is known or being measured.
    fn refresh_estimate(&mut self) {
        let state = &mut self.state;
        let Some(picture) = &state.picture else {
            return;
        };
        let wanted = (picture.generation, picture.framing);
        if state.estimating.is_none() && state.estimate_for != Some(wanted) {
            state.estimating = Some(wanted);
            self.tasks
                .estimate(wanted.0, picture.source.clone(), picture.framing);
        }
    }

    /// Uses `token` for `tenant` from now on, and remembers the tenant (never the token).
    fn connect(&mut self, tenant: TenantUrl, token: ApiToken) {
        let state = &mut self.state;
        state.settings.add_tenant(&tenant);
        state.settings.set_default(&tenant);
        self.tasks.save_settings(state.settings.clone());
        state.connection = Some(Connection { tenant, token });
        state.reading_token = None;
        state.screen = Screen::Main;
        // A new token may see what the old one could not.
        state.current_for = None;
    }

    fn handle(&mut self, ctx: &egui::Context, event: TaskEvent) {
        let state = &mut self.state;
        match event {
            TaskEvent::Picked(Some(path)) => self.apply(ctx, Action::Load { path, bytes: None }),
            TaskEvent::Picked(None) => {}
            TaskEvent::Loaded { generation, .. } if generation != state.load_generation => {}
            TaskEvent::Loaded { result, .. } => {
                state.loading = None;
                match result {
                    Ok(loaded) => {
                        let texture = ctx.load_texture(
                            "picture",
                            loaded.preview,
                            // Mipmaps keep the 32 px preview smooth rather than aliased.
                            egui::TextureOptions::LINEAR
                                .with_mipmap_mode(Some(egui::TextureFilter::Linear)),
                        );
                        let framing = Framing::new(loaded.source.size());
                        if loaded.folder.is_some() && loaded.folder != state.settings.last_folder {
                            state.settings.last_folder = loaded.folder;
                            self.tasks.save_settings(state.settings.clone());
                        }
                        state.picture = Some(Picture {
                            name: loaded.name,
                            source: loaded.source,
                            texture,
                            framing,
                            generation: state.load_generation,
                        });
                        state.notice = None;
                    }
                    // Whatever was loaded before stays.
                    Err(err) => {
                        state.notice = Some(Notice::new(
                            Tone::Error,
                            format!("cannot open this file: {err}"),
                        ))
                    }
                }
            }
            TaskEvent::Retrying { id, .. } | TaskEvent::Changed { id, .. }
                if state.upload.as_ref().is_none_or(|u| u.id != id) =>
            {
                // A cancelled upload's late report no longer concerns the user.
            }
            TaskEvent::Retrying {
                event:
                    CallEvent::Retrying {
                        next_attempt,
                        attempts,
                        wait,
                        reason,
                    },
                ..
            } => {
                state.retry = Some(Retry {
                    reason: reason.to_string(),
                    next_attempt,
                    attempts,
                    at: std::time::Instant::now() + wait,
                });
            }
            TaskEvent::Estimated {
                generation,
                framing,
                result,
            } => {
                state.estimating = None;
                if state.picture.as_ref().map(|p| p.generation) == Some(generation) {
                    state.estimate_for = Some((generation, framing));
                    state.estimate = match result {
                        Ok(avatar) => Estimate::Ready(avatar),
                        Err(err) => Estimate::Failed(sentence(&err.to_string())),
                    };
                }
            }
            TaskEvent::Changed { result, .. } => {
                state.upload = None;
                state.retry = None;
                let replaced = state.replacing.take();
                state.notice = Some(match result {
                    Ok(report) => {
                        // Show what the tenant shows now.
                        state.current_for = None;
                        // Undoing an undo is just another upload: not offered.
                        state.undo = match report.changed {
                            Changed::Restored => None,
                            _ => replaced.map(|before| (report.tenant.clone(), before)),
                        };
                        let host = report.tenant.host();
                        let mut notice = Notice::new(
                            Tone::Success,
                            match &report.changed {
                                Changed::Uploaded(avatar) => format!(
                                    "your new profile picture is live on {host} ({})",
                                    avatar.describe()
                                ),
                                Changed::Restored => {
                                    format!("your previous picture is back on {host}")
                                }
                                Changed::Removed => {
                                    format!("your profile picture was removed from {host}")
                                }
                            },
                        );
                        if state.undo.is_some() {
                            notice.action = Some(("Undo".to_owned(), NoticeAction::Undo));
                        }
                        notice
                    }
                    Err(UploadError::Avatar(err)) => Notice::new(Tone::Error, err.to_string()),
                    Err(UploadError::Api(err)) => api_notice(&err),
                });
            }
            TaskEvent::Current { tenant, .. } if state.current_for.as_ref() != Some(&tenant) => {}
            TaskEvent::Current { result, .. } => {
                state.current = match result {
                    Ok(Some(current)) => Current::Shown {
                        texture: current.image.map(|image| {
                            ctx.load_texture(
                                "current",
                                image,
                                egui::TextureOptions::LINEAR
                                    .with_mipmap_mode(Some(egui::TextureFilter::Linear)),
                            )
                        }),
                        picture: current.picture,
                    },
                    Ok(None) => Current::Missing,
                    Err(err) => Current::Failed(err.to_string()),
                };
            }
            TaskEvent::TokenRead { tenant, .. }
                if state.reading_token.as_ref() != Some(&tenant) => {}
            TaskEvent::TokenRead { tenant, result } => {
                state.reading_token = None;
                let (reason, store_failed) = match result {
                    Ok(Some(token)) => {
                        state.connection = Some(Connection { tenant, token });
                        return;
                    }
                    Ok(None) => (format!("No API token is saved for {tenant} yet."), false),
                    Err(err) => (sentence(&format!("{err}. {}", err.next_step())), true),
                };
                self.apply(
                    ctx,
                    Action::OpenSetup {
                        reason: Some(reason),
                    },
                );
                if let Screen::Setup(form) = &mut self.state.screen {
                    form.tenant = tenant.origin();
                    form.store_failed = store_failed;
                }
            }
            TaskEvent::Tested { tenant, result } => {
                // The form may have moved on to another tenant meanwhile.
                if let Screen::Setup(form) = &mut state.screen
                    && TenantUrl::parse(&form.tenant).is_ok_and(|t| t == tenant)
                {
                    form.busy = None;
                    form.outcome = Some(match result {
                        Ok(me) => (
                            Tone::Success,
                            format!("Connected as {} on {}", me.display_name(), me.tenant),
                        ),
                        Err(err) => (
                            Tone::Error,
                            sentence(&format!("{}. {}", failure_line(&err), err.next_step())),
                        ),
                    });
                }
            }
            TaskEvent::Saved {
                tenant,
                token,
                result,
            } => match result {
                Ok(()) => {
                    let saved_in = state.store_location;
                    self.connect(tenant, token);
                    self.state.notice =
                        Some(Notice::new(Tone::Success, format!("saved in {saved_in}")));
                }
                Err(err) => {
                    if let Screen::Setup(form) = &mut state.screen {
                        form.busy = None;
                        form.store_failed = true;
                        form.outcome = Some((
                            Tone::Error,
                            sentence(&format!("{err}. {}", err.next_step())),
                        ));
                    }
                }
            },
            TaskEvent::Forgotten { tenant, result } => {
                if result.as_ref().is_ok_and(|removed| *removed)
                    && state
                        .connection
                        .as_ref()
                        .is_some_and(|c| c.tenant == tenant)
                    && state.env_token.is_none()
                {
                    state.connection = None;
                }
                if let Screen::Setup(form) = &mut state.screen {
                    form.busy = None;
                    form.can_cancel = state.connection.is_some();
                    form.outcome = Some(match result {
                        Ok(true) => (
                            Tone::Success,
                            format!(
                                "Forgot the token for {tenant} (removed from {})",
                                state.store_location
                            ),
                        ),
                        Ok(false) => (Tone::Success, format!("No token was saved for {tenant}")),
                        Err(err) => (
                            Tone::Error,
                            sentence(&format!("{err}. {}", err.next_step())),
                        ),
                    });
                }
            }
            TaskEvent::SettingsNotSaved(why) => {
                state.notice = Some(Notice::new(Tone::Error, why));
            }
        }
    }
}

/// "the tenant rejected the API token (HTTP 401) — server said: …"
fn failure_line(err: &ApiError) -> String {
    match err.server_text() {
        Some(said) => format!("{err} — server said: {said}"),
        None => err.to_string(),
    }
}

/// Each API outcome's panel: our message, the server's words, and the button that fits.
fn api_notice(err: &ApiError) -> Notice {
    let action = match err {
        ApiError::Unauthorized { .. } => Some(("Update token", NoticeAction::UpdateToken)),
        ApiError::NotFound { .. } | ApiError::Redirect { .. } | ApiError::Dns { .. } => {
            Some(("Check tenant URL", NoticeAction::CheckTenant))
        }
        ApiError::Forbidden { .. } => None,
        _ => Some(("Try again", NoticeAction::TryAgain)),
    };
    Notice {
        tone: Tone::Error,
        title: err.to_string(),
        server_text: err.server_text().map(str::to_owned),
        next_step: Some(err.next_step()),
        action: action.map(|(label, what)| (label.to_owned(), what)),
    }
}

fn file_name(path: &std::path::Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

/// Ctrl+V: an image on the clipboard, or a copied file (its path or file:// URI as text).
fn pasted(ctx: &egui::Context) -> Option<Action> {
    ctx.input(|i| {
        i.events.iter().find_map(|event| match event {
            egui::Event::PasteImage(image) => Some(Action::Paste(image.clone())),
            egui::Event::Paste(text) => {
                let first = text.lines().next()?.trim();
                let path = PathBuf::from(first.strip_prefix("file://").unwrap_or(first));
                path.is_file().then_some(Action::Load { path, bytes: None })
            }
            _ => None,
        })
    })
}

impl eframe::App for XcAvatarApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        let ctx = ui.ctx().clone();
        for event in self.tasks.drain() {
            self.handle(&ctx, event);
        }

        let (dropped, files_hovering) =
            ctx.input(|i| (i.raw.dropped_files.clone(), !i.raw.hovered_files.is_empty()));
        let mut actions: Vec<Action> = dropped
            .first()
            .map(|file| Action::Load {
                path: file.path().to_path_buf(),
                // Some platforms hand over the bytes rather than a readable path.
                bytes: if file.path().as_os_str().is_empty() {
                    file.bytes().ok()
                } else {
                    None
                },
            })
            .into_iter()
            .collect();

        match &mut self.state.screen {
            Screen::Setup(form) => {
                let context = setup::SetupContext {
                    env_token: self.state.env_token.as_ref(),
                    saved_tenants: &self.state.settings.tenants,
                    store_location: self.state.store_location,
                };
                egui::CentralPanel::default().show(ui, |ui| {
                    actions.extend(setup::show(ui, form, &context));
                });
            }
            // While "Remove your picture?" is open, only its buttons (and Esc) act.
            Screen::Main if self.state.confirm_remove => {
                actions.extend(main_screen::show(ui, &self.state, files_hovering));
            }
            Screen::Main => {
                let (open, upload) = ctx.input_mut(|i| {
                    (
                        i.consume_shortcut(&egui::KeyboardShortcut::new(
                            egui::Modifiers::COMMAND,
                            egui::Key::O,
                        )),
                        i.consume_shortcut(&egui::KeyboardShortcut::new(
                            egui::Modifiers::COMMAND,
                            egui::Key::Enter,
                        )),
                    )
                });
                if open {
                    actions.push(Action::OpenDialog);
                }
                if upload {
                    actions.push(Action::Upload);
                }
                if self.state.uploading() && ctx.input(|i| i.key_pressed(egui::Key::Escape)) {
                    actions.push(Action::CancelUpload);
                }
                if let Some(picture) = &self.state.picture {
                    actions.extend(crop_editor::keyboard(&ctx, picture));
                }
                actions.extend(pasted(&ctx));
                actions.extend(main_screen::show(ui, &self.state, files_hovering));
            }
        }
        for action in actions {
            self.apply(&ctx, action);
        }
        self.refresh_estimate();
        self.refresh_current();
    }
}
