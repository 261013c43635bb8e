//! What every GUI test uses: the fixture (a fake tenant, a temp dir, a memory keyring), the
//! kittest harness of the real app, and helpers that step frames until background work is done.
#![allow(unused_imports)] // a prelude for the topic modules

pub use std::path::{Path, PathBuf};
pub use std::sync::Arc;
pub use std::time::{Duration, Instant};

pub use eframe::egui;
pub use egui_kittest::Harness;
pub use egui_kittest::kittest::{NodeT as _, Queryable as _};
pub use fake_tenant::{DEFAULT_TOKEN, FakeTenant, IMAGE_PATH, Scripted};
pub use image::ImageFormat;
pub use xc_avatar::TenantUrl;
pub use xc_avatar::app::Current;
pub use xc_avatar::app::{AppConfig, FilePicker, PickFuture, XcAvatarApp};
pub use xc_avatar::credentials::{
    ApiToken, CertificatePassword, CredentialInput, MemoryStore, Secret, SecretKind, SecretStore,
    StoreError,
};
pub use xc_avatar::settings::{Settings, SettingsFile};
pub use xc_avatar::sign_in::Environment;

pub(crate) use crate::support;

/// The X11 clipboard is one per display, and the GUI tests run in parallel threads: a test that
/// puts something on it holds this until it is done, so another's copy cannot replace it.
pub fn own_the_clipboard() -> std::sync::MutexGuard<'static, ()> {
    static CLIPBOARD: std::sync::Mutex<()> = std::sync::Mutex::new(());
    CLIPBOARD
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// A file dropped on the window, as the windowing layer hands it over.
#[derive(Debug)]
pub struct DroppedPath(PathBuf);

impl egui::DroppedFile for DroppedPath {
    fn path(&self) -> &Path {
        &self.0
    }

    fn bytes(&self) -> Result<Vec<u8>, String> {
        std::fs::read(&self.0).map_err(|e| e.to_string())
    }
}

/// Stands in for the native dialog: "chooses" a fixed file, noting where it was opened.
pub struct ChoosesFile(Option<PathBuf>, Arc<std::sync::Mutex<Vec<Option<PathBuf>>>>);

impl FilePicker for ChoosesFile {
    fn pick_image(&self, folder: Option<PathBuf>, _parent: Option<&eframe::Frame>) -> PickFuture {
        self.1.lock().expect("opened in").push(folder);
        let path = self.0.clone();
        Box::pin(async move { path })
    }
}

pub struct Fixture {
    pub tenant: FakeTenant,
    pub dir: tempfile::TempDir,
    pub store: Arc<MemoryStore>,
    /// The folder each file dialog opened in.
    pub dialog_folders: Arc<std::sync::Mutex<Vec<Option<PathBuf>>>>,
}

impl Fixture {
    pub fn new() -> Self {
        Self::with_tenant(FakeTenant::start())
    }

    pub fn with_tenant(tenant: FakeTenant) -> Self {
        Fixture {
            tenant,
            dir: tempfile::tempdir().expect("temp dir"),
            store: Arc::new(MemoryStore::new()),
            dialog_folders: Arc::default(),
        }
    }

    pub fn settings_file(&self) -> SettingsFile {
        SettingsFile::new(self.dir.path().join("config/settings.json"))
    }

    pub fn tenant_url(&self) -> TenantUrl {
        TenantUrl::parse(&self.tenant.url()).expect("tenant URL")
    }

    /// As if the app had run before with these tenants set up (the first is the default);
    /// the config then names no tenant, so the app starts from the saved settings.
    pub fn config_remembering(&self, tenants: &[&TenantUrl]) -> AppConfig {
        let mut settings = Settings::default();
        for tenant in tenants {
            settings.add_tenant(tenant);
        }
        self.settings_file().save(&settings).expect("save settings");
        let mut config = self.config(None, None);
        config.environment.tenant = None;
        config
    }

    /// As if `token set` had stored the fake's token earlier.
    pub fn save_token(&self) -> TenantUrl {
        let tenant = self.tenant_url();
        let token = ApiToken::new(DEFAULT_TOKEN).expect("token");
        self.store
            .set(&tenant, &Secret::Token(token))
            .expect("store");
        tenant
    }

    pub fn photo(&self, name: &str) -> PathBuf {
        support::write_photo(self.dir.path(), name, ImageFormat::Jpeg)
    }

    pub fn config(&self, token: Option<&str>, picked: Option<PathBuf>) -> AppConfig {
        let token = token.map(|t| ApiToken::new(t).expect("valid token"));
        AppConfig {
            // No vesctl profile, whatever the machine running the tests has.
            environment: Environment {
                tenant: Some(self.tenant.url()),
                credential: token
                    .map(|token| (xc_avatar::ENV_TOKEN, Ok(CredentialInput::Token(token)))),
                ..Environment::default()
            },
            initial_file: None,
            opened: None,
            picker: Arc::new(ChoosesFile(picked, self.dialog_folders.clone())),
            store: self.store.clone(),
            settings_file: Some(self.settings_file()),
        }
    }
}

pub fn harness(config: AppConfig) -> Harness<'static, XcAvatarApp> {
    let mut harness = Harness::builder()
        .with_size([900.0, 700.0])
        .build_eframe(move |cc| XcAvatarApp::new(cc, config).expect("app starts"));
    // With a token, the first frame fetches the current picture: let that settle.
    harness.step();
    wait_for(&mut harness, "the start", |_| true);
    harness
}

/// Whether the current picture is being fetched, the photo's faces looked for, or the estimate
/// measured: their spinners keep
/// `run()` from settling, and a fetch would take answers the tests script for other requests.
pub fn busy_in_background(app: &XcAvatarApp) -> bool {
    let state = app.state();
    (state.current.tenant.is_some() && matches!(state.current.shown, Current::Fetching))
        || state.photo.preparing.is_some()
        || state.photo.photo.as_ref().is_some_and(|p| !p.faces_known)
}

/// Steps frames until `done` holds; background tasks report through the app's channel.
pub fn wait_for(
    harness: &mut Harness<'_, XcAvatarApp>,
    what: &str,
    done: impl Fn(&XcAvatarApp) -> bool,
) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !done(harness.state()) || busy_in_background(harness.state()) {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        harness.step();
        std::thread::sleep(Duration::from_millis(10));
    }
    harness.step();
    harness.step();
}

/// The app signed in with `token`, with a photo named `name` dropped on it.
/// A picture with a current one on the tenant, so "Now on" shows it.
pub fn with_current_picture(fixture: &Fixture) -> Harness<'static, XcAvatarApp> {
    fixture.tenant.set_image(
        DEFAULT_TOKEN,
        fake_tenant::StoredImage {
            content_type: "image/png".into(),
            bytes: support::encode(
                &image::DynamicImage::ImageRgb8(support::three_stripes()),
                ImageFormat::Png,
            ),
        },
    );
    let mut harness = with_photo(fixture, DEFAULT_TOKEN, "stripes.jpg");
    wait_for(&mut harness, "the current picture", |app| {
        matches!(app.state().current.shown, Current::Shown { .. })
    });
    wait_for_estimate(&mut harness);
    harness
}

pub fn with_photo(fixture: &Fixture, token: &str, name: &str) -> Harness<'static, XcAvatarApp> {
    let mut harness = harness(fixture.config(Some(token), None));
    drop_file(&mut harness, fixture.photo(name));
    harness
}

/// The app signed in, with "No photo? Use your initials" clicked once whoami named the user,
/// and the initials avatar open and measured.
pub fn with_initials(fixture: &Fixture) -> Harness<'static, XcAvatarApp> {
    let mut harness = harness(fixture.config(Some(DEFAULT_TOKEN), None));
    wait_for(&mut harness, "who the user is", |app| {
        app.state().current.initials_name.is_some()
    });
    harness.get_by_label("No photo? Use your initials").click();
    harness.step();
    wait_for(&mut harness, "the initials", |app| {
        let state = app.state();
        state.photo.loading.is_none() && state.photo.photo.as_ref().is_some_and(|p| p.faces_known)
    });
    wait_for_estimate(&mut harness);
    harness
}

/// Clicks Upload, then steps until `done`.
pub fn upload_until(
    harness: &mut Harness<'_, XcAvatarApp>,
    what: &str,
    done: impl Fn(&XcAvatarApp) -> bool,
) {
    harness.get_by_label("Upload").click();
    harness.step();
    wait_for(harness, what, done);
}

pub fn drop_file(harness: &mut Harness<'_, XcAvatarApp>, path: PathBuf) {
    harness
        .input_mut()
        .dropped_files
        .push(Arc::new(DroppedPath(path)));
    harness.step();
    wait_for(harness, "the picture to load", |app| {
        app.state().photo.loading.is_none()
    });
}

/// Focuses the field named `label`, selects what it holds, and types `text` over it.
pub fn type_into(harness: &mut Harness<'_, XcAvatarApp>, label: &str, text: &str) {
    harness.get_by_label(label).focus();
    harness.run();
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    harness.run();
    harness.get_by_label(label).type_text(text);
    harness.run();
}

pub fn picture_name(app: &XcAvatarApp) -> Option<String> {
    app.state().photo.photo.as_ref().map(|p| p.name.clone())
}

/// A keyring that is not there, as on a desktop without a Secret Service.
pub struct NoKeyring;

impl SecretStore for NoKeyring {
    fn get(&self, _: &TenantUrl, _: SecretKind) -> Result<Option<Secret>, StoreError> {
        Err(self.error())
    }
    fn set(&self, _: &TenantUrl, _: &Secret) -> Result<(), StoreError> {
        Err(self.error())
    }
    fn delete(&self, _: &TenantUrl, _: SecretKind) -> Result<bool, StoreError> {
        Err(self.error())
    }
    fn location(&self) -> &'static str {
        "the system keyring (Secret Service)"
    }
}

impl NoKeyring {
    pub fn error(&self) -> StoreError {
        StoreError::Unavailable {
            detail: "no D-Bus session".into(),
        }
    }
}

/// Waits for the setup screen's test, save or forget to finish.
pub fn wait_idle(harness: &mut Harness<'_, XcAvatarApp>, what: &str) {
    harness.step();
    wait_for(harness, what, |app| match &app.state().screen {
        xc_avatar::app::Screen::Setup(setup) => setup.busy.is_none(),
        xc_avatar::app::Screen::Main => true,
    });
}

/// Presses the left button at `from`, moves to `to` in a few steps, releases.
pub fn drag(harness: &mut Harness<'_, XcAvatarApp>, from: egui::Pos2, to: egui::Pos2) {
    let events = [
        egui::Event::PointerMoved(from),
        egui::Event::PointerButton {
            pos: from,
            button: egui::PointerButton::Primary,
            pressed: true,
            modifiers: egui::Modifiers::NONE,
        },
    ];
    for event in events {
        harness.input_mut().events.push(event);
        harness.step();
    }
    for i in 1..=4 {
        let at = from + (to - from) * (i as f32 / 4.0);
        harness
            .input_mut()
            .events
            .push(egui::Event::PointerMoved(at));
        harness.step();
    }
    harness.input_mut().events.push(egui::Event::PointerButton {
        pos: to,
        button: egui::PointerButton::Primary,
        pressed: false,
        modifiers: egui::Modifiers::NONE,
    });
    harness.step();
}

pub fn crop_of(app: &XcAvatarApp) -> xc_avatar::avatar::Crop {
    app.state()
        .photo
        .photo
        .as_ref()
        .expect("picture")
        .framing
        .crop()
}

/// Steps until the "Will send" estimate matches the framing on screen.
pub fn wait_for_estimate(harness: &mut Harness<'_, XcAvatarApp>) {
    wait_for(harness, "the estimate", |app| {
        let state = app.state();
        state.photo.preparing.is_none() && state.photo.prepared_is_current()
    });
}

// ---- snapshots: what the main screens look like (rendered by wgpu on the CPU) ----
// Update with `UPDATE_SNAPSHOTS=1 cargo test --test gui snapshot`, then look at the PNGs.
// They are compared on Linux only, where CI renders them with llvmpipe as they were made; other
// platforms' GPUs and drivers antialias differently, so there the snapshot tests are ignored
// (`cfg_attr(not(linux), ignore)`) rather than passing without comparing.

// The fake tenant listens on a free port, different each run, and some screens show its
// origin: each text showing it is painted over with the background beside it before comparing.

pub fn snapshot(harness: &mut Harness<'_, XcAvatarApp>, name: &str) {
    snapshot_allowing(harness, name, 0);
}

/// A snapshot where `changing` pixels may differ (a countdown's number ticking).
pub fn snapshot_allowing(harness: &mut Harness<'_, XcAvatarApp>, name: &str, changing: usize) {
    let scale = harness.ctx.pixels_per_point();
    let origins: Vec<egui::Rect> = harness
        .query_all_by_label_contains("127.0.0.1:")
        .map(|node| node.rect())
        .collect();
    let mut image = harness.render().expect("render the screen");
    for rect in origins {
        let to_px = |v: f32, max: u32| ((v * scale).round().max(0.0) as u32).min(max);
        let (x0, y0) = (
            to_px(rect.min.x, image.width()),
            to_px(rect.min.y, image.height()),
        );
        let (x1, y1) = (
            to_px(rect.max.x, image.width()),
            to_px(rect.max.y, image.height()),
        );
        let background = *image.get_pixel(x0.saturating_sub(1), y0);
        for y in y0..y1 {
            for x in x0..x1 {
                image.put_pixel(x, y, background);
            }
        }
    }
    let options = harness.options().clone().max_failed_pixels(changing);
    if let Err(err) = egui_kittest::try_image_snapshot_options(&image, name, &options) {
        panic!("{err}");
    }
}
