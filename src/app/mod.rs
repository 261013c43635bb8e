//! The desktop app (eframe/egui), one-way:
//!
//! ```text
//!  screens ──Action──▶ update(state, msg) ──Effect──▶ Executor (tokio) ──TaskEvent──┐
//!     ▲                  │ the one place state changes                              │
//!     └──draw AppState───┘◀─────────────────── one channel, drained each frame ──────┘
//! ```
//!
//! [`update`] is pure (no window, runtime or clock), so flows are unit-tested by feeding it
//! messages; [`effects::Executor`] is the only code that starts work.

pub mod effects;
#[cfg(target_os = "macos")]
mod macos_open;
pub mod msg;
pub mod opened;
pub mod paste;
pub mod screens;
pub mod shortcuts;
pub mod state;
pub mod theme;
pub mod update;

pub use screens::crop_editor;

use std::path::PathBuf;
use std::sync::Arc;

use eframe::egui;

use crate::TenantUrl;
use crate::cli::Exit;
use crate::credentials::{ApiToken, CertificatePassword, Credential, KeyringStore, TokenStore};
use crate::settings::{Settings, SettingsFile};
pub use effects::{Effect, Executor, FilePicker, NativeFilePicker, PickFuture};
pub use msg::{Action, Msg, TaskEvent};
use state::{AppState, Connection, Notice, Screen, SetupForm, TenantState, Tone};
pub use update::update;

/// The window title, also what window managers and the smoke test look for.
pub const WINDOW_TITLE: &str = "xc-avatar";
/// The window's default and minimum inner sizes, in points.
pub const DEFAULT_WINDOW: [f32; 2] = [880.0, 640.0];
pub const MIN_WINDOW: [f32; 2] = [720.0, 520.0];
/// The app id: matches the `.desktop` file's name and `StartupWMClass`.
pub const APP_ID: &str = "xc-avatar";

/// What the app starts with.
pub struct AppConfig {
    /// Tenant as typed (from `F5XC_API_URL`); else the saved default.
    pub tenant: Option<String>,
    /// Token from `F5XC_API_TOKEN`; else the store's token for the tenant.
    pub token: Option<ApiToken>,
    /// An API certificate from `VOLT_API_P12_FILE` and `VES_P12_PASSWORD`, used when there is
    /// no token from the environment (opened off the UI thread at start).
    pub certificate: Option<(PathBuf, CertificatePassword)>,
    /// A picture to open at once (`xc-avatar FILE`, "Open with").
    pub initial_file: Option<PathBuf>,
    /// Files the OS asks the running app to open (macOS sends them as events, not argv).
    pub opened: Option<opened::OpenedFiles>,
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
            certificate: std::env::var_os(crate::ENV_P12_FILE)
                .filter(|file| !file.is_empty())
                .map(|file| {
                    let password = CertificatePassword::from_env()
                        .unwrap_or_else(|| CertificatePassword::new(""));
                    (PathBuf::from(file), password)
                }),
            initial_file,
            opened: None,
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
        .with_inner_size(DEFAULT_WINDOW)
        // Fits a 1366×768 laptop with its taskbar; below the minimum, the framing controls
        // and the side column would collide (tests/gui/design.rs checks they do not).
        .with_min_inner_size(MIN_WINDOW)
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
    #[allow(unused_mut)] // Only macOS has file-open events.
    let mut config = AppConfig::from_env(initial_file);
    #[cfg(target_os = "macos")]
    {
        let (requests, opened) = opened::channel();
        macos_open::install(move |paths| requests.open(paths));
        config.opened = Some(opened);
    }
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
            eprintln!("xc-avatar: error: {}", crate::messages::no_window(&err));
            Exit::Internal
        }
    }
}

/// The state the app starts in, and the work that starts with it: read the saved token, open
/// the file it was started with. Pure, like `update`.
pub fn start(
    config_tenant: Option<String>,
    env_token: Option<ApiToken>,
    settings: Settings,
    settings_problem: Option<String>,
    store_location: &'static str,
    initial_file: Option<PathBuf>,
) -> (AppState, Vec<Effect>) {
    let tenant_text = config_tenant
        .or_else(|| settings.default_tenant.clone())
        .unwrap_or_default();
    let tenant = TenantUrl::parse(&tenant_text).ok();
    let mut effects = Vec::new();
    let (screen, connection, reading_token) = match (tenant, env_token.clone()) {
        (Some(tenant), Some(token)) => (
            Screen::Main,
            Some(Connection {
                tenant,
                credential: Credential::Token(token),
            }),
            None,
        ),
        (Some(tenant), None) => {
            effects.push(update::read_credential(&settings, tenant.clone()));
            (Screen::Main, None, Some(tenant))
        }
        (None, _) => (
            Screen::Setup(SetupForm {
                tenant: tenant_text,
                ..SetupForm::default()
            }),
            None,
            None,
        ),
    };
    let mut state = AppState::new(
        screen,
        TenantState {
            connection,
            env_token,
            reading_token,
            settings,
            store_location,
        },
    );
    // Setup shows no notices, only its reason line: a first screen that is setup (no tenant
    // left after the damaged file was set aside) says it there.
    if let (Screen::Setup(form), Some(problem)) = (&mut state.screen, &settings_problem) {
        form.reason = Some(problem.clone());
    }
    state.notice = settings_problem.map(|p| Notice::new(Tone::Error, p));
    effects.extend(match initial_file {
        Some(path) => update(&mut state, Action::Load(path)),
        // Starts the fetch of the current picture when the token is known.
        None => update::refresh(&mut state),
    });
    (state, effects)
}

/// The edge: draws screens, feeds `update`, hands effects to the executor.
pub struct XcAvatarApp {
    state: AppState,
    executor: Executor,
    /// Effects from start-up, run on the first frame (when the window exists, for dialogs).
    pending: Vec<Effect>,
    opened: Option<opened::OpenedFiles>,
    /// The title last given to the window, so it is only sent when it changes.
    title: String,
}

/// "xc-avatar — acme.console.ves.volterra.io": which tenant this window changes, as the
/// taskbar and window switcher show it.
pub fn window_title(state: &AppState) -> String {
    let tenant = state
        .tenant
        .connection
        .as_ref()
        .map(|c| &c.tenant)
        .or(state.tenant.reading_token.as_ref());
    match tenant {
        Some(tenant) => format!("{WINDOW_TITLE} — {}", tenant.host()),
        None => WINDOW_TITLE.to_owned(),
    }
}

impl XcAvatarApp {
    pub fn new(cc: &eframe::CreationContext<'_>, config: AppConfig) -> std::io::Result<Self> {
        // A few hundred bytes, read once: not worth a round trip through a task.
        let (settings, settings_problem) = match &config.settings_file {
            Some(file) => file.load(),
            None => (Settings::default(), None),
        };
        // The kept theme, styled on the first frame like every effect of the start.
        let appearance = settings.appearance;
        let executor = Executor::new(
            cc.egui_ctx.clone(),
            config.picker,
            config.store,
            config.settings_file,
        )?;
        let env_token = config.token.is_some();
        let (state, mut pending) = start(
            config.tenant,
            config.token,
            settings,
            settings_problem.map(|p| p.to_string()),
            executor.store_location(),
            config.initial_file,
        );
        pending.insert(0, Effect::SetAppearance(appearance));
        if let Some(opened) = &config.opened {
            opened.wake(&cc.egui_ctx);
        }
        // VOLT_API_P12_FILE works like F5XC_API_TOKEN (which wins when both are set): what is
        // kept for the tenant is not read.
        if let (false, Some((path, password)), Some(tenant)) = (
            env_token,
            config.certificate,
            state.tenant.reading_token.clone(),
        ) {
            pending.retain(|e| {
                !matches!(e, Effect::ReadToken { .. } | Effect::ReadCertificate { .. })
            });
            pending.push(Effect::ReadCertificate {
                tenant,
                path,
                password: Some(password),
            });
        }
        Ok(XcAvatarApp {
            state,
            executor,
            pending,
            opened: config.opened,
            title: WINDOW_TITLE.to_owned(),
        })
    }

    /// The state, for tests.
    pub fn state(&self) -> &AppState {
        &self.state
    }

    fn dispatch(&mut self, msg: impl Into<Msg>, frame: Option<&eframe::Frame>) {
        for effect in update(&mut self.state, msg) {
            self.executor.run(effect, frame);
        }
    }
}

impl eframe::App for XcAvatarApp {
    fn ui(&mut self, ui: &mut egui::Ui, frame: &mut eframe::Frame) {
        for effect in std::mem::take(&mut self.pending) {
            self.executor.run(effect, Some(frame));
        }
        for event in self.executor.drain() {
            self.dispatch(event, Some(frame));
        }
        if let Some(path) = self.opened.as_ref().and_then(opened::OpenedFiles::latest) {
            self.dispatch(Action::Load(path), Some(frame));
        }
        let actions = screens::show(ui, &mut self.state);
        for action in actions {
            self.dispatch(action, Some(frame));
        }
        let title = window_title(&self.state);
        if title != self.title {
            ui.ctx()
                .send_viewport_cmd(egui::ViewportCommand::Title(title.clone()));
            self.title = title;
        }
    }
}
