//! The desktop app (eframe/egui). Screens draw [`AppState`] and return [`Action`]s;
//! [`XcAvatarApp::apply`] is the one place that changes state; [`tasks`] runs everything slow.

mod main_screen;
mod setup;
pub mod state;
pub mod tasks;

use std::path::PathBuf;
use std::sync::Arc;

use eframe::egui;

use crate::api::{ApiError, CallEvent, TenantUrl};
use crate::avatar::Crop;
use crate::cli::Exit;
use crate::credentials::ApiToken;
use state::{
    Action, AppState, Connection, Notice, NoticeAction, Picture, Retry, RunningUpload, Screen,
    SetupForm, Tone,
};
pub use tasks::{FilePicker, NativeFilePicker};
use tasks::{TaskEvent, Tasks, UploadError};

/// The window title, also what window managers and the smoke test look for.
pub const WINDOW_TITLE: &str = "xc-avatar";
/// The app id: matches the `.desktop` file's name and `StartupWMClass`.
pub const APP_ID: &str = "xc-avatar";
/// Key of the last tenant in eframe's storage (never the token).
const TENANT_KEY: &str = "tenant";

/// What the app starts with.
pub struct AppConfig {
    /// Tenant as typed (from `F5XC_API_URL`); falls back to the one saved last time.
    pub tenant: Option<String>,
    pub token: Option<ApiToken>,
    pub token_from_env: bool,
    /// A picture to open at once (`xc-avatar FILE`, "Open with").
    pub initial_file: Option<PathBuf>,
    pub picker: Arc<dyn FilePicker>,
}

impl AppConfig {
    /// Reads `F5XC_API_URL` and `F5XC_API_TOKEN`; uses the native file dialog.
    pub fn from_env(initial_file: Option<PathBuf>) -> Self {
        let tenant = std::env::var(crate::ENV_TENANT)
            .ok()
            .filter(|t| !t.trim().is_empty());
        let token = ApiToken::from_env().and_then(Result::ok);
        AppConfig {
            tenant,
            token_from_env: token.is_some(),
            token,
            initial_file,
            picker: Arc::new(NativeFilePicker),
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
        let saved_tenant = cc
            .storage
            .and_then(|storage| eframe::get_value::<String>(storage, TENANT_KEY));
        let tenant_text = config.tenant.or(saved_tenant).unwrap_or_default();
        let connection = match (TenantUrl::parse(&tenant_text), config.token) {
            (Ok(tenant), Some(token)) => Some(Connection { tenant, token }),
            _ => None,
        };
        let screen = match connection {
            Some(_) => Screen::Main,
            None => Screen::Setup(SetupForm {
                tenant: tenant_text,
                ..SetupForm::default()
            }),
        };
        let mut app = XcAvatarApp {
            state: AppState {
                screen,
                connection,
                token_from_env: config.token_from_env,
                picture: None,
                loading: None,
                load_generation: 0,
                upload: None,
                upload_count: 0,
                retry: None,
                notice: None,
            },
            tasks: Tasks::new(cc.egui_ctx.clone(), config.picker)?,
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
            Action::OpenDialog => self.tasks.pick_file(),
            Action::Load { path, bytes } => {
                state.load_generation += 1;
                state.loading = Some(file_name(&path));
                self.tasks.load(state.load_generation, path, bytes);
            }
            Action::Upload => {
                if let (Some(picture), Some(connection), None) =
                    (&state.picture, &state.connection, &state.upload)
                {
                    state.notice = None;
                    state.upload_count += 1;
                    let id = state.upload_count;
                    let handle = self.tasks.upload(
                        id,
                        picture.source.clone(),
                        picture.crop,
                        connection.tenant.clone(),
                        connection.token.clone(),
                    );
                    state.upload = Some(RunningUpload { id, handle });
                }
            }
            Action::CancelUpload => {
                if let Some(upload) = state.upload.take() {
                    upload.handle.abort();
                    state.retry = None;
                    state.notice = Some(Notice {
                        tone: Tone::Error,
                        title: "upload cancelled: your profile picture was not changed".into(),
                        server_text: None,
                        next_step: None,
                        action: None,
                    });
                }
            }
            Action::Connect { tenant, token } => {
                state.connection = Some(Connection { tenant, token });
                state.screen = Screen::Main;
                state.notice = None;
            }
            Action::OpenSetup { reason } => {
                let tenant = state
                    .connection
                    .as_ref()
                    .map(|c| c.tenant.origin())
                    .unwrap_or_default();
                state.screen = Screen::Setup(SetupForm {
                    tenant,
                    reason,
                    can_cancel: state.connection.is_some(),
                    ..SetupForm::default()
                });
            }
            Action::CloseSetup => state.screen = Screen::Main,
        }
        ctx.request_repaint();
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
                            egui::TextureOptions::LINEAR,
                        );
                        let crop = Crop::centered(loaded.source.width(), loaded.source.height());
                        state.picture = Some(Picture {
                            name: loaded.name,
                            source: loaded.source,
                            texture,
                            crop,
                        });
                        state.notice = None;
                    }
                    // Whatever was loaded before stays.
                    Err(err) => {
                        state.notice = Some(Notice {
                            tone: Tone::Error,
                            title: format!("cannot open this file: {err}"),
                            server_text: None,
                            next_step: None,
                            action: None,
                        })
                    }
                }
            }
            TaskEvent::Retrying { id, .. } | TaskEvent::Uploaded { id, .. }
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
            TaskEvent::Uploaded { result, .. } => {
                state.upload = None;
                state.retry = None;
                state.notice = Some(match result {
                    Ok(report) => Notice {
                        tone: Tone::Success,
                        title: format!(
                            "your new profile picture is live on {} ({})",
                            report.tenant.host(),
                            report.avatar.describe(),
                        ),
                        server_text: None,
                        next_step: None,
                        action: None,
                    },
                    Err(UploadError::Avatar(err)) => Notice {
                        tone: Tone::Error,
                        title: err.to_string(),
                        server_text: None,
                        next_step: None,
                        action: None,
                    },
                    Err(UploadError::Api(err)) => api_notice(&err),
                });
            }
        }
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
                let from_env = self.state.token_from_env;
                egui::CentralPanel::default().show(ui, |ui| {
                    actions.extend(setup::show(ui, form, from_env));
                });
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
                actions.extend(main_screen::show(ui, &self.state, files_hovering));
            }
        }
        for action in actions {
            self.apply(&ctx, action);
        }
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        if let Some(connection) = &self.state.connection {
            eframe::set_value(storage, TENANT_KEY, &connection.tenant.origin());
        }
    }
}
