//! The app's flows in egui_kittest, against the fake tenant on loopback: no window, real HTTP.

mod support;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use eframe::egui;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT as _, Queryable as _};
use fake_tenant::{DEFAULT_TOKEN, FakeTenant, IMAGE_PATH, Scripted};
use image::ImageFormat;
use xc_avatar::api::TenantUrl;
use xc_avatar::app::state::Current;
use xc_avatar::app::{AppConfig, FilePicker, PickFuture, XcAvatarApp};
use xc_avatar::credentials::{ApiToken, MemoryStore, StoreError, TokenStore};
use xc_avatar::settings::{Settings, SettingsFile};

/// A file dropped on the window, as the windowing layer hands it over.
#[derive(Debug)]
struct DroppedPath(PathBuf);

impl egui::DroppedFile for DroppedPath {
    fn path(&self) -> &Path {
        &self.0
    }

    fn bytes(&self) -> Result<Vec<u8>, String> {
        std::fs::read(&self.0).map_err(|e| e.to_string())
    }
}

/// Stands in for the native dialog: "chooses" a fixed file, noting where it was opened.
struct ChoosesFile(Option<PathBuf>, Arc<std::sync::Mutex<Vec<Option<PathBuf>>>>);

impl FilePicker for ChoosesFile {
    fn pick_image(&self, folder: Option<PathBuf>, _parent: Option<&eframe::Frame>) -> PickFuture {
        self.1.lock().expect("opened in").push(folder);
        let path = self.0.clone();
        Box::pin(async move { path })
    }
}

struct Fixture {
    tenant: FakeTenant,
    dir: tempfile::TempDir,
    store: Arc<MemoryStore>,
    /// The folder each file dialog opened in.
    dialog_folders: Arc<std::sync::Mutex<Vec<Option<PathBuf>>>>,
}

impl Fixture {
    fn new() -> Self {
        Self::with_tenant(FakeTenant::start())
    }

    /// With the fake tenant on a fixed port, so screens showing its URL look the same each run.
    fn on_port(port: u16) -> Self {
        let tenant = FakeTenant::start_on(std::net::SocketAddr::from(([127, 0, 0, 1], port)))
            .expect("bind the snapshot port");
        Self::with_tenant(tenant)
    }

    fn with_tenant(tenant: FakeTenant) -> Self {
        Fixture {
            tenant,
            dir: tempfile::tempdir().expect("temp dir"),
            store: Arc::new(MemoryStore::new()),
            dialog_folders: Arc::default(),
        }
    }

    fn settings_file(&self) -> SettingsFile {
        SettingsFile::new(self.dir.path().join("config/settings.json"))
    }

    fn tenant_url(&self) -> TenantUrl {
        TenantUrl::parse(&self.tenant.url()).expect("tenant URL")
    }

    /// As if the app had run before with these tenants set up (the first is the default);
    /// the config then names no tenant, so the app starts from the saved settings.
    fn config_remembering(&self, tenants: &[&TenantUrl]) -> AppConfig {
        let mut settings = Settings::default();
        for tenant in tenants {
            settings.add_tenant(tenant);
        }
        self.settings_file().save(&settings).expect("save settings");
        let mut config = self.config(None, None);
        config.tenant = None;
        config
    }

    /// As if `token set` had stored the fake's token earlier.
    fn save_token(&self) -> TenantUrl {
        let tenant = self.tenant_url();
        let token = ApiToken::new(DEFAULT_TOKEN).expect("token");
        self.store.set(&tenant, &token).expect("store");
        tenant
    }

    fn photo(&self, name: &str) -> PathBuf {
        support::write_photo(self.dir.path(), name, ImageFormat::Jpeg)
    }

    fn config(&self, token: Option<&str>, picked: Option<PathBuf>) -> AppConfig {
        AppConfig {
            tenant: Some(self.tenant.url()),
            token: token.map(|t| ApiToken::new(t).expect("valid token")),
            initial_file: None,
            picker: Arc::new(ChoosesFile(picked, self.dialog_folders.clone())),
            store: self.store.clone(),
            settings_file: Some(self.settings_file()),
        }
    }
}

fn harness(config: AppConfig) -> Harness<'static, XcAvatarApp> {
    let mut harness = Harness::builder()
        .with_size([900.0, 700.0])
        .build_eframe(move |cc| XcAvatarApp::new(cc, config).expect("app starts"));
    // With a token, the first frame fetches the current picture: let that settle.
    harness.step();
    wait_for(&mut harness, "the start", |_| true);
    harness
}

/// Whether the current picture is being fetched or the estimate measured: their spinners keep
/// `run()` from settling, and a fetch would take answers the tests script for other requests.
fn busy_in_background(app: &XcAvatarApp) -> bool {
    let state = app.state();
    (state.current.tenant.is_some() && matches!(state.current.shown, Current::Fetching))
        || state.photo.preparing.is_some()
}

/// Steps frames until `done` holds; background tasks report through the app's channel.
fn wait_for(
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
fn with_photo(fixture: &Fixture, token: &str, name: &str) -> Harness<'static, XcAvatarApp> {
    let mut harness = harness(fixture.config(Some(token), None));
    drop_file(&mut harness, fixture.photo(name));
    harness
}

/// Clicks Upload, then steps until `done`.
fn upload_until(
    harness: &mut Harness<'_, XcAvatarApp>,
    what: &str,
    done: impl Fn(&XcAvatarApp) -> bool,
) {
    harness.get_by_label("Upload").click();
    harness.step();
    wait_for(harness, what, done);
}

fn drop_file(harness: &mut Harness<'_, XcAvatarApp>, path: PathBuf) {
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
fn type_into(harness: &mut Harness<'_, XcAvatarApp>, label: &str, text: &str) {
    harness.get_by_label(label).focus();
    harness.run();
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    harness.run();
    harness.get_by_label(label).type_text(text);
    harness.run();
}

fn picture_name(app: &XcAvatarApp) -> Option<String> {
    app.state().photo.photo.as_ref().map(|p| p.name.clone())
}

#[test]
fn drop_a_photo_then_upload_it() {
    let fixture = Fixture::new();
    let mut harness = harness(fixture.config(Some(DEFAULT_TOKEN), None));
    harness.run();
    harness.get_by_label("Drop a photo here");
    assert!(
        harness
            .get_by_label("Upload")
            .accesskit_node()
            .is_disabled()
    );

    drop_file(&mut harness, fixture.photo("holiday.jpg"));
    assert_eq!(
        picture_name(harness.state()).as_deref(),
        Some("holiday.jpg")
    );
    harness.get_by_label_contains("holiday.jpg: crop 480 pixels square");

    upload_until(&mut harness, "the upload", |app| !app.state().changing());
    harness.get_by_label_contains("Your new profile picture is live on 127.0.0.1 (512×512 JPEG");

    let puts = fixture.tenant.received_on("PUT", IMAGE_PATH);
    assert_eq!(puts.len(), 1);
    assert_eq!(
        puts[0].header("authorization"),
        Some(format!("APIToken {DEFAULT_TOKEN}").as_str())
    );
    let stored = fixture
        .tenant
        .image_of(DEFAULT_TOKEN)
        .expect("picture stored");
    support::assert_is_stripes_avatar(&stored.bytes, 512);
}

#[test]
fn choose_image_opens_the_picked_file_and_ctrl_enter_uploads() {
    let fixture = Fixture::new();
    let photo = fixture.photo("picked.jpg");
    let mut harness = harness(fixture.config(Some(DEFAULT_TOKEN), Some(photo)));
    harness.run();
    harness.get_by_label("Choose image…").click();
    harness.step();
    wait_for(&mut harness, "the picked picture", |app| {
        app.state().photo.photo.is_some()
    });
    assert_eq!(picture_name(harness.state()).as_deref(), Some("picked.jpg"));
    // The next dialog opens where that picture was.
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::O);
    harness.step();
    wait_for(&mut harness, "the second dialog and its picture", |app| {
        fixture.dialog_folders.lock().expect("folders").len() == 2
            && app.state().photo.photo.as_ref().map(|p| p.generation) == Some(2)
    });
    assert_eq!(
        *fixture.dialog_folders.lock().expect("folders"),
        [None, Some(fixture.dir.path().to_path_buf())]
    );

    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Enter);
    harness.step();
    wait_for(&mut harness, "the upload", |app| {
        !app.state().changing() && app.state().notice.is_some()
    });
    assert!(fixture.tenant.image_of(DEFAULT_TOKEN).is_some());
}

#[test]
fn a_server_error_is_a_message_and_try_again_succeeds() {
    let fixture = Fixture::new();
    let mut harness = with_photo(&fixture, DEFAULT_TOKEN, "a.jpg");

    fixture
        .tenant
        .push(Scripted::status(500, "upstream connect error"));
    upload_until(&mut harness, "the failed upload", |app| {
        !app.state().changing()
    });
    harness.get_by_label("The tenant had a server error (HTTP 500)");
    harness.get_by_label("Server said: upstream connect error");
    harness.get_by_label_contains("Try again in a few minutes");
    assert_eq!(fixture.tenant.image_of(DEFAULT_TOKEN), None);

    harness.get_by_label("Try again").click();
    harness.step();
    wait_for(&mut harness, "the retried upload", |app| {
        !app.state().changing()
    });
    harness.get_by_label_contains("Your new profile picture is live");
    assert!(fixture.tenant.image_of(DEFAULT_TOKEN).is_some());
}

#[test]
fn a_rejected_token_leads_to_the_setup_screen_with_the_reason() {
    let fixture = Fixture::new();
    let mut harness = with_photo(&fixture, "expired-token", "a.jpg");
    upload_until(&mut harness, "the rejected upload", |app| {
        !app.state().changing()
    });
    harness.get_by_label("The tenant rejected the API token (HTTP 401)");
    harness.get_by_label("Server said: Invalid or expired API token");

    harness.get_by_label("Update token").click();
    harness.run();
    harness.get_by_label("Connect to your F5 Distributed Cloud tenant");
    harness.get_by_label("The tenant rejected the API token (HTTP 401)");
    assert_eq!(
        harness.get_by_label("Tenant").value().as_deref(),
        Some(fixture.tenant.url().as_str())
    );

    type_into(&mut harness, "API token", DEFAULT_TOKEN);
    harness.get_by_label("Save").click();
    harness.step();
    // The rejected token's connection is still there until the save lands: wait for the
    // screen, not the connection.
    wait_for(&mut harness, "the token to be saved", |app| {
        matches!(app.state().screen, xc_avatar::app::state::Screen::Main)
    });
    // Back on the main screen with the picture still there.
    assert_eq!(picture_name(harness.state()).as_deref(), Some("a.jpg"));
    upload_until(&mut harness, "the upload", |app| !app.state().changing());
    assert!(fixture.tenant.image_of(DEFAULT_TOKEN).is_some());
}

#[test]
fn without_a_token_the_app_asks_for_tenant_and_token_first() {
    let fixture = Fixture::new();
    let mut config = fixture.config(None, None);
    config.tenant = None;
    let mut harness = harness(config);
    harness.run();
    harness.get_by_label("Connect to your F5 Distributed Cloud tenant");
    assert!(harness.get_by_label("Save").accesskit_node().is_disabled());

    type_into(&mut harness, "Tenant", "http://acme.example.com");
    harness.get_by_label_contains("Http:// is only allowed for this computer");

    type_into(&mut harness, "Tenant", "acme");
    harness.get_by_label("Will call https://acme.console.ves.volterra.io");

    type_into(&mut harness, "API token", "abc 123");
    harness.get_by_label_contains("contains spaces or control characters");
    assert!(harness.get_by_label("Save").accesskit_node().is_disabled());
}

#[test]
fn a_bad_file_shows_its_error_and_keeps_the_picture() {
    let fixture = Fixture::new();
    let mut harness = with_photo(&fixture, DEFAULT_TOKEN, "good.jpg");

    let bad = fixture.dir.path().join("broken.png");
    std::fs::write(&bad, b"\x89PNG\r\n\x1a\n truncated").expect("write");
    drop_file(&mut harness, bad);
    harness.get_by_label_contains("Cannot open this file: the image is damaged or truncated");
    assert_eq!(picture_name(harness.state()).as_deref(), Some("good.jpg"));
}

#[test]
fn a_rate_limit_counts_down_then_the_upload_succeeds() {
    let fixture = Fixture::new();
    let mut harness = with_photo(&fixture, DEFAULT_TOKEN, "a.jpg");
    fixture
        .tenant
        .push(Scripted::status(429, "slow down").with_retry_after("4"));

    upload_until(&mut harness, "the retry", |app| {
        app.state().change.retry.is_some()
    });
    harness.get_by_label_contains("The tenant is rate limiting requests (HTTP 429) — retrying in ");
    harness.get_by_label_contains("s (attempt 2 of 4)");
    wait_for(&mut harness, "the upload", |app| !app.state().changing());
    harness.get_by_label_contains("Your new profile picture is live");
    assert_eq!(fixture.tenant.received_on("PUT", IMAGE_PATH).len(), 2);
}

#[test]
fn an_upload_can_be_cancelled_while_it_waits() {
    let fixture = Fixture::new();
    let mut harness = with_photo(&fixture, DEFAULT_TOKEN, "a.jpg");
    fixture
        .tenant
        .push(Scripted::status(503, "maintenance").with_retry_after("100"));

    upload_until(&mut harness, "the retry", |app| {
        app.state().change.retry.is_some()
    });
    harness.get_by_label("Cancel").click();
    harness.step();
    harness.step();
    assert!(!harness.state().state().changing());
    harness.get_by_label("Upload cancelled: your profile picture was not changed");
    assert_eq!(fixture.tenant.received_on("PUT", IMAGE_PATH).len(), 1);
    assert_eq!(fixture.tenant.image_of(DEFAULT_TOKEN), None);
}

/// A keyring that is not there, as on a desktop without a Secret Service.
struct NoKeyring;

impl TokenStore for NoKeyring {
    fn get(&self, _: &TenantUrl) -> Result<Option<ApiToken>, StoreError> {
        Err(self.error())
    }
    fn set(&self, _: &TenantUrl, _: &ApiToken) -> Result<(), StoreError> {
        Err(self.error())
    }
    fn delete(&self, _: &TenantUrl) -> Result<bool, StoreError> {
        Err(self.error())
    }
    fn location(&self) -> &'static str {
        "the system keyring (Secret Service)"
    }
}

impl NoKeyring {
    fn error(&self) -> StoreError {
        StoreError::Unavailable {
            detail: "no D-Bus session".into(),
        }
    }
}

/// Waits for the setup screen's test, save or forget to finish.
fn wait_idle(harness: &mut Harness<'_, XcAvatarApp>, what: &str) {
    harness.step();
    wait_for(harness, what, |app| match &app.state().screen {
        xc_avatar::app::state::Screen::Setup(form) => form.busy.is_none(),
        xc_avatar::app::state::Screen::Main => true,
    });
}

#[test]
fn setup_tests_the_connection_then_saves_the_token_in_the_store() {
    let fixture = Fixture::new();
    let mut config = fixture.config(None, None);
    config.tenant = None;
    let mut harness = harness(config);
    harness.run();
    type_into(&mut harness, "Tenant", &fixture.tenant.url());
    type_into(&mut harness, "API token", "wrong-token");
    harness.get_by_label("Test connection").click();
    wait_idle(&mut harness, "the test");
    harness.get_by_label_contains(
        "The tenant rejected the API token (HTTP 401) — server said: \"Invalid or expired API \
         token\". The token may be wrong or expired",
    );

    type_into(&mut harness, "API token", DEFAULT_TOKEN);
    harness.get_by_label("Test connection").click();
    wait_idle(&mut harness, "the test");
    harness.get_by_label("Connected as Ada Lovelace <ada@example.com> on acme");
    assert_eq!(
        fixture.store.get(&fixture.tenant_url()),
        Ok(None),
        "a test keeps nothing"
    );

    harness.get_by_label("Save").click();
    wait_idle(&mut harness, "the save");
    harness.run();
    harness.get_by_label("Saved in memory, for this session only");
    let stored = fixture.store.get(&fixture.tenant_url()).expect("store");
    assert_eq!(stored, Some(ApiToken::new(DEFAULT_TOKEN).expect("token")));
    // Settings are written off the UI thread.
    let deadline = Instant::now() + Duration::from_secs(10);
    while !fixture.settings_file().path().exists() {
        assert!(Instant::now() < deadline, "settings never saved");
        std::thread::sleep(Duration::from_millis(10));
    }
    let settings = std::fs::read_to_string(fixture.settings_file().path()).expect("settings saved");
    assert!(settings.contains(&fixture.tenant.url()), "{settings}");
    assert!(
        !settings.contains(DEFAULT_TOKEN),
        "the token is in the settings file"
    );
}

#[test]
fn a_saved_token_is_read_from_the_store_at_start() {
    let fixture = Fixture::new();
    let tenant = fixture.save_token();
    let config = fixture.config_remembering(&[&tenant]);

    let mut harness = harness(config);
    harness.step();
    wait_for(&mut harness, "the token", |app| {
        app.state().tenant.connection.is_some()
    });
    drop_file(&mut harness, fixture.photo("a.jpg"));
    upload_until(&mut harness, "the upload", |app| !app.state().changing());
    assert!(fixture.tenant.image_of(DEFAULT_TOKEN).is_some());
}

#[test]
fn without_a_keyring_the_token_can_be_used_for_this_session_only() {
    let fixture = Fixture::new();
    let mut config = fixture.config(None, None);
    config.store = Arc::new(NoKeyring);
    let mut harness = harness(config);
    harness.step();
    // The saved-token lookup fails: the setup screen says why, with the tenant filled in.
    wait_for(&mut harness, "the keyring error", |app| {
        matches!(app.state().screen, xc_avatar::app::state::Screen::Setup(_))
    });
    harness.run();
    harness.get_by_label_contains(
        "No keyring is available (no D-Bus session). Start a Secret Service",
    );

    type_into(&mut harness, "API token", DEFAULT_TOKEN);
    harness.get_by_label("Save").click();
    wait_idle(&mut harness, "the failed save");
    harness.get_by_label_contains("No keyring is available");
    harness.get_by_label("Use for this session only").click();
    harness.step();
    wait_for(&mut harness, "the connection", |app| {
        app.state().tenant.connection.is_some()
    });
    harness.get_by_label_contains("for this session only: it is forgotten when you close the app");
    drop_file(&mut harness, fixture.photo("a.jpg"));
    upload_until(&mut harness, "the upload", |app| !app.state().changing());
    assert!(fixture.tenant.image_of(DEFAULT_TOKEN).is_some());
}

#[test]
fn forget_token_deletes_it_from_the_store() {
    let fixture = Fixture::new();
    let tenant = fixture.save_token();
    let mut harness = harness(fixture.config(None, None));
    harness.step();
    wait_for(&mut harness, "the token", |app| {
        app.state().tenant.connection.is_some()
    });
    harness.get_by_label("Tenant and token…").click();
    harness.run();
    harness.get_by_label("Forget token").click();
    wait_idle(&mut harness, "the forget");
    harness.get_by_label(&format!(
        "Forgot the token for {} (removed from memory, for this session only)",
        fixture.tenant.url()
    ));
    assert_eq!(fixture.store.get(&tenant), Ok(None));
    assert!(harness.state().state().tenant.connection.is_none());

    harness.get_by_label("Forget token").click();
    wait_idle(&mut harness, "the second forget");
    harness.get_by_label(&format!("No token was saved for {}", fixture.tenant.url()));
}

#[test]
fn a_tenant_without_a_saved_token_opens_setup_saying_so() {
    let fixture = Fixture::new();
    let mut harness = harness(fixture.config(None, None));
    harness.step();
    wait_for(&mut harness, "the token lookup", |app| {
        app.state().tenant.reading_token.is_none()
    });
    harness.run();
    harness.get_by_label(&format!(
        "No API token is saved for {} yet.",
        fixture.tenant.url()
    ));
    assert_eq!(
        harness.get_by_label("Tenant").value().as_deref(),
        Some(fixture.tenant.url().as_str())
    );
}

#[test]
fn a_file_dragged_over_the_window_is_highlighted() {
    let fixture = Fixture::new();
    let mut harness = harness(fixture.config(Some(DEFAULT_TOKEN), None));
    harness.run();
    assert!(harness.query_by_label("Drop to open").is_none());
    harness.input_mut().hovered_files.push(egui::HoveredFile {
        path: Some(fixture.photo("a.jpg")),
        ..Default::default()
    });
    // egui keeps repainting while a file hovers: step rather than wait to settle.
    harness.step();
    harness.step();
    harness.get_by_label("Drop to open");
}

#[test]
fn the_top_bar_switches_between_saved_tenants() {
    let fixture = Fixture::new();
    let first = fixture.save_token();
    let other = FakeTenant::start();
    let second = TenantUrl::parse(&other.url()).expect("tenant URL");
    fixture
        .store
        .set(&second, &ApiToken::new(DEFAULT_TOKEN).expect("token"))
        .expect("store");
    let config = fixture.config_remembering(&[&first, &second]);

    let mut harness = harness(config);
    harness.step();
    wait_for(&mut harness, "the first tenant's token", |app| {
        app.state()
            .tenant
            .connection
            .as_ref()
            .is_some_and(|c| c.tenant == first)
    });
    harness.get_by_label("Tenant:").click();
    harness.run();
    harness.get_by_label(&second.origin()).click();
    harness.step();
    wait_for(&mut harness, "the second tenant's token", |app| {
        app.state()
            .tenant
            .connection
            .as_ref()
            .is_some_and(|c| c.tenant == second)
    });
    drop_file(&mut harness, fixture.photo("a.jpg"));
    upload_until(&mut harness, "the upload", |app| !app.state().changing());
    assert!(
        other.image_of(DEFAULT_TOKEN).is_some(),
        "uploaded to the chosen tenant"
    );
    assert!(fixture.tenant.image_of(DEFAULT_TOKEN).is_none());
    assert_eq!(
        harness.state().state().tenant.settings.default_tenant,
        Some(second.origin()),
        "the chosen tenant becomes the default"
    );
}

/// Presses the left button at `from`, moves to `to` in a few steps, releases.
fn drag(harness: &mut Harness<'_, XcAvatarApp>, from: egui::Pos2, to: egui::Pos2) {
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

fn crop_of(app: &XcAvatarApp) -> xc_avatar::avatar::Crop {
    app.state()
        .photo
        .photo
        .as_ref()
        .expect("picture")
        .framing
        .crop()
}

/// Steps until the "Will send" estimate matches the framing on screen.
fn wait_for_estimate(harness: &mut Harness<'_, XcAvatarApp>) {
    wait_for(harness, "the estimate", |app| {
        let state = app.state();
        state.photo.preparing.is_none() && state.photo.prepared_is_current()
    });
}

#[test]
fn the_crop_editor_zooms_pans_rotates_and_says_what_will_be_sent() {
    let fixture = Fixture::new();
    let mut harness = with_photo(&fixture, DEFAULT_TOKEN, "stripes.jpg");
    wait_for_estimate(&mut harness);
    harness.get_by_label_contains("Will send: 512×512 JPEG, quality 85,");
    for size in ["128", "64", "32"] {
        harness.get_by_label(&format!("Preview at {size} pixels"));
    }
    assert!(harness.get_by_label("Reset").accesskit_node().is_disabled());
    let start = crop_of(harness.state());
    assert_eq!(
        (start.center_x, start.center_y, start.side),
        (320.0, 240.0, 480.0)
    );

    // "+" zooms in around the centre; arrows nudge.
    for _ in 0..5 {
        harness.key_press(egui::Key::Plus);
        harness.step();
    }
    let zoomed = crop_of(harness.state());
    assert!(zoomed.side < 250.0, "{zoomed:?}");
    assert_eq!((zoomed.center_x, zoomed.center_y), (320.0, 240.0));
    harness.key_press(egui::Key::ArrowRight);
    harness.step();
    assert!(crop_of(harness.state()).center_x > 320.0);

    // Dragging the crop far to the left stops at the picture's edge: red only.
    let editor = harness.get_by_label_contains("stripes.jpg: crop").rect();
    let from = editor.center();
    drag(&mut harness, from, from - egui::vec2(editor.width(), 0.0));
    let dragged = crop_of(harness.state());
    assert_eq!(dragged.left(), 0.0, "{dragged:?}");
    assert!(!harness.get_by_label("Reset").accesskit_node().is_disabled());

    // Rotating keeps the same part framed, now in a 480×640 picture.
    harness.get_by_label("Rotate right").click();
    harness.step();
    let picture_size = harness
        .state()
        .state()
        .photo
        .photo
        .as_ref()
        .map(|p| p.framing.size());
    assert_eq!(picture_size, Some((480, 640)));
    wait_for_estimate(&mut harness);
    let promised = match harness.state().state().photo.ready_avatar() {
        Some(avatar) => avatar.bytes.clone(),
        None => panic!(
            "no avatar prepared: {:?}",
            harness.state().state().photo.prepared
        ),
    };

    upload_until(&mut harness, "the upload", |app| !app.state().changing());
    let stored = fixture
        .tenant
        .image_of(DEFAULT_TOKEN)
        .expect("picture stored");
    assert!(
        stored.bytes == promised,
        "what was sent is not what 'Will send' described"
    );
    let avatar = image::load_from_memory(&stored.bytes)
        .expect("decodes")
        .to_rgb8();
    support::assert_near(
        avatar.get_pixel(256, 256).0,
        support::RED,
        "centre of the crop",
    );

    // Reset: back to the centred square, unrotated.
    harness.get_by_label("Reset").click();
    harness.step();
    let framing = harness
        .state()
        .state()
        .photo
        .photo
        .as_ref()
        .expect("picture")
        .framing;
    assert!(framing.is_default());
}

#[test]
fn ctrl_v_pastes_an_image_or_a_copied_file() {
    let fixture = Fixture::new();
    let mut harness = harness(fixture.config(Some(DEFAULT_TOKEN), None));
    harness.run();
    let stripes = image::DynamicImage::ImageRgb8(support::three_stripes()).to_rgba8();
    let pasted = egui::ColorImage::from_rgba_unmultiplied([640, 480], stripes.as_raw());
    harness
        .input_mut()
        .events
        .push(egui::Event::PasteImage(Arc::new(pasted)));
    harness.step();
    wait_for(&mut harness, "the pasted picture", |app| {
        app.state().photo.photo.is_some()
    });
    assert_eq!(
        picture_name(harness.state()).as_deref(),
        Some("Pasted image")
    );
    upload_until(&mut harness, "the upload", |app| !app.state().changing());
    let stored = fixture
        .tenant
        .image_of(DEFAULT_TOKEN)
        .expect("picture stored");
    support::assert_is_stripes_avatar(&stored.bytes, 512);

    // A file copied in a file manager arrives as its file:// URI.
    let photo = fixture.photo("copied.jpg");
    harness
        .input_mut()
        .events
        .push(egui::Event::Paste(format!("file://{}\n", photo.display())));
    harness.step();
    wait_for(&mut harness, "the copied file", |app| {
        picture_name(app).as_deref() == Some("copied.jpg")
    });
}

#[test]
fn the_current_picture_is_shown_and_changes_can_be_undone_or_removed() {
    let fixture = Fixture::new();
    let old = support::encode(
        &image::DynamicImage::ImageRgb8(support::quadrants()),
        ImageFormat::Png,
    );
    fixture.tenant.set_image(
        DEFAULT_TOKEN,
        fake_tenant::StoredImage {
            content_type: "image/png".into(),
            bytes: old.clone(),
        },
    );
    let mut harness = with_photo(&fixture, DEFAULT_TOKEN, "new.jpg");
    harness.get_by_label("Now on 127.0.0.1");
    harness.get_by_label("Your current profile picture");

    // Upload, then Undo: the old picture is back, byte for byte.
    upload_until(&mut harness, "the upload", |app| !app.state().changing());
    assert_ne!(
        fixture.tenant.image_of(DEFAULT_TOKEN).map(|i| i.bytes),
        Some(old.clone())
    );
    harness.get_by_label("Undo").click();
    harness.step();
    wait_for(&mut harness, "the undo", |app| {
        !app.state().changing() && app.state().notice.is_some()
    });
    harness.get_by_label_contains("Your previous picture is back on 127.0.0.1");
    let restored = fixture.tenant.image_of(DEFAULT_TOKEN).expect("picture");
    assert_eq!(
        (restored.content_type.as_str(), restored.bytes),
        ("image/png", old)
    );
    assert!(
        harness.query_by_label("Undo").is_none(),
        "an undo is not undone"
    );

    // Remove asks first; "Keep it" keeps it.
    wait_for(&mut harness, "the refreshed picture", |app| {
        matches!(app.state().current.shown, Current::Shown { .. })
    });
    harness.get_by_label("Remove picture…").click();
    harness.run();
    harness.get_by_label("Remove your profile picture?");
    // The question blocks the shortcuts behind it.
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Enter);
    harness.run();
    assert!(!harness.state().state().changing());
    harness.get_by_label("Keep it").click();
    harness.run();
    assert!(
        harness
            .query_by_label("Remove your profile picture?")
            .is_none()
    );
    assert!(fixture.tenant.image_of(DEFAULT_TOKEN).is_some());

    harness.get_by_label("Remove picture…").click();
    harness.run();
    harness.get_by_label("Remove").click();
    harness.step();
    wait_for(&mut harness, "the removal", |app| {
        !app.state().changing() && matches!(app.state().current.shown, Current::Missing)
    });
    harness.get_by_label_contains("Your profile picture was removed from 127.0.0.1");
    harness.get_by_label("No picture yet: the Console shows your initials.");
    assert!(fixture.tenant.image_of(DEFAULT_TOKEN).is_none());

    // Undo of a removal puts it back.
    harness.get_by_label("Undo").click();
    harness.step();
    wait_for(&mut harness, "the undo of the removal", |app| {
        !app.state().changing() && matches!(app.state().current.shown, Current::Shown { .. })
    });
    assert!(fixture.tenant.image_of(DEFAULT_TOKEN).is_some());
}

// ---- snapshots: what the main screens look like (rendered by wgpu on the CPU) ----
// Update with `UPDATE_SNAPSHOTS=1 cargo test --test gui_flow snapshot`, then look at the PNGs.
// They are compared on Linux only, where CI renders them with llvmpipe as they were made; other
// platforms' GPUs and drivers antialias differently.

fn snapshot(harness: &mut Harness<'_, XcAvatarApp>, name: &str) {
    if cfg!(target_os = "linux") {
        harness.snapshot(name);
    }
}

#[test]
fn snapshot_first_start_asks_for_tenant_and_token() {
    let fixture = Fixture::new();
    let mut config = fixture.config(None, None);
    config.tenant = None;
    let mut harness = harness(config);
    harness.run();
    snapshot(&mut harness, "setup_first_start");
}

#[test]
fn snapshot_crop_editor_with_previews() {
    let fixture = Fixture::on_port(47_811);
    let mut harness = with_photo(&fixture, DEFAULT_TOKEN, "stripes.jpg");
    harness.key_press(egui::Key::Plus);
    harness.step();
    wait_for_estimate(&mut harness);
    harness.run();
    snapshot(&mut harness, "crop_editor");
}

#[test]
fn snapshot_rejected_token_panel() {
    let fixture = Fixture::on_port(47_812);
    let mut harness = with_photo(&fixture, "not-the-right-token-000000", "stripes.jpg");
    upload_until(&mut harness, "the rejected upload", |app| {
        !app.state().changing()
    });
    harness.run();
    snapshot(&mut harness, "rejected_token");
}

#[test]
fn each_error_status_has_its_own_panel_and_action() {
    let fixture = Fixture::new();
    let mut harness = with_photo(&fixture, DEFAULT_TOKEN, "a.jpg");
    let cases = [
        (
            Scripted::status(403, "RBAC: access denied"),
            "Your account may not change its picture on this tenant (HTTP 403)",
            None,
        ),
        (
            Scripted::status(404, "no route"),
            "The tenant has no such API (HTTP 404)",
            Some("Check tenant URL"),
        ),
        (
            Scripted::status(409, "version mismatch"),
            "The picture was changed elsewhere at the same time (HTTP 409)",
            Some("Try again"),
        ),
        (
            Scripted::status(418, "teapot"),
            "The tenant answered with unexpected HTTP status 418",
            Some("Try again"),
        ),
    ];
    for (answer, title, button) in cases {
        fixture.tenant.push(answer);
        harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Enter);
        harness.step();
        wait_for(&mut harness, title, |app| {
            !app.state().changing() && app.state().notice.is_some()
        });
        harness.get_by_label(title);
        for other in ["Update token", "Check tenant URL", "Try again"] {
            let shown = harness.query_by_label(other).is_some();
            assert_eq!(shown, Some(other) == button, "{title}: {other} button");
        }
    }
    // "Try again" after the 418 uploads for real.
    harness.get_by_label("Try again").click();
    harness.step();
    wait_for(&mut harness, "the retried upload", |app| {
        !app.state().changing() && fixture.tenant.image_of(DEFAULT_TOKEN).is_some()
    });
    harness.get_by_label_contains("Your new profile picture is live on 127.0.0.1");
}

#[test]
fn a_current_picture_that_does_not_decode_is_named_and_a_removal_can_be_cancelled() {
    let fixture = Fixture::new();
    fixture.tenant.set_image(
        DEFAULT_TOKEN,
        fake_tenant::StoredImage {
            content_type: "image/png".into(),
            bytes: b"not really a PNG".to_vec(),
        },
    );
    let mut harness = harness(fixture.config(Some(DEFAULT_TOKEN), None));
    harness.run();
    harness.get_by_label("A picture (image/png) this app cannot show.");

    // A slow tenant: Cancel stops the removal and says the picture stays.
    fixture
        .tenant
        .push(Scripted::Delay(Duration::from_secs(30)));
    harness.get_by_label("Remove picture…").click();
    harness.run();
    harness.get_by_label("Remove").click();
    harness.step();
    wait_for(&mut harness, "the removal to start", |app| {
        app.state().changing()
    });
    harness.step();
    harness.get_by_label("Removing your picture…");
    harness.get_by_label("Cancel").click();
    harness.step();
    wait_for(&mut harness, "the cancel", |app| !app.state().changing());
    // The request was out: the app cannot promise nothing changed, so it says so and looks.
    harness.get_by_label(
        "Removal cancelled after it was sent: your picture may already be removed",
    );
    assert!(fixture.tenant.image_of(DEFAULT_TOKEN).is_some());
    wait_for(&mut harness, "the re-fetch", |app| {
        matches!(app.state().current.shown, Current::Shown { .. })
    });
    harness.get_by_label("A picture (image/png) this app cannot show.");
    assert_eq!(fixture.tenant.received_on("GET", IMAGE_PATH).len(), 2);
}
