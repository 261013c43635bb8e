//! The desktop app (eframe/egui), one-way:
//!
//! ```text
//!  screens ──Action──▶ update(state, msg) ──Effect──▶ Executor (tokio) ──TaskEvent──┐
//!     ▲                  │ the one place state changes                              │
//!     └──draw AppState───┘◀─────────────────── one channel, drained each frame ──────┘
//! ```
//!
//! - `screens/`: draw `&AppState` plus their own text fields, return every [`Action`] of the
//!   frame;
//! - `update/`: the one place state changes, by domain (photo, change, tenant, setup); pure (no
//!   window, runtime or clock), so flows are unit-tested by feeding it messages;
//! - `effects`: what `update` asks for, as data; `executor/` carries it out (the only code
//!   that starts work), with the task bodies in `tasks` and the native dialog in `dialog`.

mod dialog;
mod effects;
mod executor;
#[cfg(target_os = "macos")]
mod macos_open;
mod msg;
mod opened;
mod paste;
mod screens;
mod shortcuts;
pub(crate) mod state;
mod theme;
pub(crate) mod update;

use std::path::PathBuf;
use std::sync::Arc;

use eframe::egui;

// What the integration tests drive (tests/gui): the app itself, the executor on its own, and
// the data they exchange. Everything else stays private, so rustc reports what nothing uses.
pub use dialog::{FilePicker, IMAGE_EXTENSIONS, NativeFilePicker, PickFuture};
pub use effects::{ChangeRequest, Effect, LoadWhat};
pub use executor::{Executor, KEPT_CLIENTS};
use msg::Msg;
pub use msg::{ChangeEvent, FileField, Pasted, PhotoEvent, SetupEvent, TaskEvent, TenantEvent};
pub use opened::channel as opened_channel;
use screens::ScreenInput;
pub use screens::SetupInput;
pub use state::{AppState, Connection, Current, Photo, Screen, SetupState};
use state::{Notice, TenantState, Tone};
pub use theme::{DARK as DARK_PALETTE, LIGHT as LIGHT_PALETTE};
use update::update;

use crate::credentials::{KeyringStore, SecretStore};
use crate::settings::{Settings, SettingsFile};
use crate::sign_in::{self, Environment};

/// The window title, also what window managers and the smoke test look for.
pub const WINDOW_TITLE: &str = "xc-avatar";
/// The window's default and minimum inner sizes, in points.
pub const DEFAULT_WINDOW: [f32; 2] = [880.0, 640.0];
pub const MIN_WINDOW: [f32; 2] = [720.0, 520.0];
/// The app id: matches the `.desktop` file's name and `StartupWMClass`.
pub const APP_ID: &str = "xc-avatar";

/// What the app starts with.
pub struct AppConfig {
    /// The environment: `F5XC_API_URL`, a credential variable, vesctl's profile.
    pub environment: Environment,
    /// A picture to open at once (`xc-avatar FILE`, "Open with").
    pub initial_file: Option<PathBuf>,
    /// Files the OS asks the running app to open (macOS sends them as events, not argv).
    pub opened: Option<opened::OpenedFiles>,
    pub picker: Arc<dyn FilePicker>,
    pub store: Arc<dyn SecretStore>,
    /// Where tenants are remembered; `None` remembers nothing.
    pub settings_file: Option<SettingsFile>,
}

impl AppConfig {
    /// This process's environment (and vesctl's profile), the OS keyring, the native file
    /// dialog, the settings in their usual place.
    pub fn from_env(initial_file: Option<PathBuf>) -> Self {
        AppConfig {
            environment: Environment::read(),
            initial_file,
            opened: None,
            picker: Arc::new(NativeFilePicker),
            store: Arc::new(KeyringStore::new()),
            settings_file: SettingsFile::default_location(),
        }
    }
}

/// Opens the window and runs until it is closed.
pub fn run(initial_file: Option<PathBuf>) -> Result<(), eframe::Error> {
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
    eframe::run_native(
        APP_ID,
        options,
        Box::new(|cc| {
            XcAvatarApp::new(cc, config)
                .map(|app| Box::new(app) as Box<dyn eframe::App>)
                .map_err(|e| e.into())
        }),
    )
}

/// The state the app starts in, and the work that starts with it: find the tenant's
/// credential, open the file it was started with. Pure, like `update`.
pub fn start(
    env: &Environment,
    settings: Settings,
    settings_problem: Option<String>,
    store_location: &'static str,
    initial_file: Option<PathBuf>,
) -> (AppState, Vec<Effect>) {
    // A tenant in F5XC_API_URL that does not parse is shown on setup, as typed.
    let tenant = sign_in::tenant(env.tenant.as_deref(), &settings, env);
    let mut effects = Vec::new();
    let reading = match &tenant {
        Ok(Some((tenant, _))) => {
            effects.push(update::read_credential(&settings, tenant.clone()));
            Some(tenant.clone())
        }
        _ => None,
    };
    let mut state = AppState::new(
        Screen::Main,
        TenantState {
            connection: None,
            env_token: env.token().cloned(),
            vesctl: env.profile().cloned(),
            reading,
            settings,
            store_location,
        },
    );
    if state.tenant.reading.is_none() {
        // Setup shows no notices, only its reason line: a first screen that is setup (no
        // tenant left after the damaged file was set aside) says it there.
        update::open_setup(&mut state, settings_problem.clone());
        if let (Screen::Setup(setup), Some(typed)) = (&mut state.screen, &env.tenant) {
            setup.fill.tenant = Some(typed.clone());
        }
    }
    state.notice = settings_problem.map(|p| Notice::new(Tone::Error, p));
    effects.extend(match initial_file {
        Some(path) => update(&mut state, msg::PhotoAction::Load(path)),
        // Starts the fetch of the current picture when the credential is known.
        None => update::refresh(&mut state),
    });
    (state, effects)
}

/// The edge: draws screens, feeds `update`, hands effects to the executor.
pub struct XcAvatarApp {
    state: AppState,
    /// The text the screens' fields hold.
    input: ScreenInput,
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
    match state.tenant.active() {
        Some(tenant) => format!("{WINDOW_TITLE} — {}", tenant.host()),
        None => WINDOW_TITLE.to_owned(),
    }
}

impl XcAvatarApp {
    pub fn new(cc: &eframe::CreationContext<'_>, config: AppConfig) -> std::io::Result<Self> {
        cc.egui_ctx.set_fonts(theme::fonts());
        // A few hundred bytes, read once: not worth a round trip through a task.
        let (settings, settings_problem) = match &config.settings_file {
            Some(file) => file.load(),
            None => (Settings::default(), None),
        };
        // The kept theme, styled on the first frame like every effect of the start.
        let appearance = settings.appearance;
        let (state, mut pending) = start(
            &config.environment,
            settings,
            settings_problem.map(|p| p.to_string()),
            config.store.location(),
            config.initial_file,
        );
        let executor = Executor::new(
            cc.egui_ctx.clone(),
            config.picker,
            config.store,
            config.settings_file,
            config.environment,
        )?;
        pending.insert(0, Effect::SetAppearance(appearance));
        if let Some(opened) = &config.opened {
            opened.wake(&cc.egui_ctx);
        }
        Ok(XcAvatarApp {
            state,
            input: ScreenInput::default(),
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

    /// What the setup screen's fields hold, for tests.
    pub fn setup_input(&self) -> &screens::SetupInput {
        &self.input.setup
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
            self.dispatch(msg::PhotoAction::Load(path), Some(frame));
        }
        let actions = screens::show(ui, &self.state, &mut self.input);
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
