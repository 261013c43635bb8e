//! The shipped wiring, as a user's double-click runs it: the real binary in a real window
//! (Xvfb), nothing in its environment, the real Secret Service keyring (gnome-keyring on
//! scripts/test's private D-Bus session). Set up by keyboard — tenant and token typed in,
//! Test connection, Save —, quit, start again with a picture (as "Open with" does), upload
//! with Ctrl+Enter. Everything goes through `AppConfig::from_env`, the keyring store and the
//! settings file exactly as for a user.
//!
//! Outcomes are checked by what the fake tenant received, what the keyring and the settings
//! file hold, and screenshots kept in target/tmp/real-wiring for a person to look at; never by
//! where today's layout puts a button. The keys pressed are in one table, [`SETUP_KEYS`]: a
//! redesign of the setup form changes that table, and the checks stay.
#![cfg(target_os = "linux")]

mod support;

use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration, Instant};

use fake_tenant::{DEFAULT_TOKEN, FakeTenant, IMAGE_PATH, WHOAMI_PATH};
use image::ImageFormat;
use support::Hermetic;
use support::window::{Running, find_window, run, screenshot, wait_until};

/// One step of the keyboard script.
enum Key {
    /// Press these keys (xdotool names), in order.
    Press(&'static [&'static str]),
    /// Type the tenant's URL.
    Tenant,
    /// Type the token.
    Token,
}

/// The setup form by keyboard, from a window where nothing has focus yet: Tab into the tenant
/// field and type it, Tab past the credential kind (Token, Certificate (.p12), Certificate and
/// key (PEM)) into the token field and type it, Tab past Show, Open the Console, How to create
/// one and Save to Test connection.
const SETUP_KEYS: &[Key] = &[
    Key::Press(&["Tab"]),
    Key::Tenant,
    Key::Press(&["Tab", "Tab", "Tab", "Tab"]),
    Key::Token,
    Key::Press(&["Tab", "Tab", "Tab", "Tab", "Tab"]),
];
/// Press the focused Test connection (Space: Enter anywhere in the form means Save).
const TEST_KEYS: &[&str] = &["space"];
/// Then, once the test connection answered: Escape lets go of the focused button (egui), so
/// Enter is the form's Save rather than pressing Test connection again.
const UNFOCUS_KEY: &str = "Escape";
const SAVE_KEYS: &[&str] = &["Return"];
/// With a picture open: upload.
const UPLOAD_KEYS: &[&str] = &["ctrl+Return"];

/// Does `act`, then waits until the window shows something else: each key of the script moves
/// the focus ring, types a character or starts something, and the next key must not arrive
/// before the app has drawn that (a character typed before a Tab's focus landed is lost).
fn and_redrawn(window: &str, what: &str, act: impl FnOnce()) {
    let scratch = std::env::temp_dir().join(format!("real-wiring-{}.png", std::process::id()));
    let before = screenshot(window, &scratch).expect("a screenshot");
    act();
    wait_for(&format!("the window to show {what}"), || {
        screenshot(window, &scratch).filter(|now| *now != before)
    });
    let _ = std::fs::remove_file(&scratch);
}

fn press(window: &str, keys: &[&str]) {
    for key in keys {
        and_redrawn(window, &format!("the effect of {key}"), || {
            run("xdotool", &["key", "--window", window, key]).expect("xdotool key");
        });
    }
}

fn type_text(window: &str, text: &str) {
    and_redrawn(window, "the typed text", || {
        run(
            "xdotool",
            &["type", "--window", window, "--delay", "20", text],
        )
        .expect("xdotool type");
    });
}

fn focus(window: &str) {
    run("xdotool", &["windowfocus", "--sync", window]).expect("focus the window");
}

/// Ends the app as a session logout does (SIGTERM); under Xvfb no window manager runs to send
/// the close request a title bar's × would.
fn quit(mut app: Running) {
    let pid = app.0.id().to_string();
    run("kill", &["-TERM", &pid]).expect("kill -TERM");
    app.wait_for_exit("xc-avatar to quit");
}

/// Starts the app; what it prints goes to `log` (named in a failure).
fn start(home: &std::path::Path, args: &[&PathBuf], log: &std::path::Path) -> Running {
    let log_file = std::fs::File::create(log).expect("create the app's log");
    // Nothing of the caller's environment reaches it but the display and the session bus.
    Running::logged(
        Hermetic::xc_avatar_in(home)
            .with_args(args)
            .stdout(Stdio::null())
            .stderr(log_file)
            .spawn()
            .expect("start xc-avatar"),
        log,
    )
}

/// Whether a screenshot shows a drawn window: a window not yet drawn is one flat colour, a
/// drawn one has text (bright on the dark theme, dark on the light one) on its surfaces.
fn drawn(shot: &image::RgbImage) -> bool {
    let first = shot.get_pixel(0, 0).0;
    let differ = |p: &&image::Rgb<u8>| {
        p.0.iter()
            .zip(first)
            .any(|(c, f)| (i16::from(*c) - i16::from(f)).abs() > 60)
    };
    shot.pixels().filter(differ).count() > 1_000
}

/// Pixels in the app's success colour (light or dark theme) in `after` that were not in
/// `before`: a success message that appeared.
fn success_appeared(before: &image::RgbImage, after: &image::RgbImage) -> usize {
    use xc_avatar::app::{DARK_PALETTE, LIGHT_PALETTE};
    [LIGHT_PALETTE.success, DARK_PALETTE.success]
        .map(|c| support::window::newly_near(before, after, [c.r(), c.g(), c.b()]))
        .into_iter()
        .max()
        .unwrap_or(0)
}

fn wait_for<T>(what: &str, mut probe: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + support::window::WAIT;
    loop {
        if let Some(found) = probe() {
            return found;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
#[ignore = "needs an X server, xdotool, ImageMagick and a Secret Service: scripts/test starts them"]
fn set_up_by_keyboard_with_the_real_keyring_quit_start_again_and_upload() {
    support::require_env("DISPLAY", "an X display");
    support::require_secret_service();
    let tenant = FakeTenant::start();
    let origin = tenant.url();
    let home = tempfile::tempdir().expect("temp dir");
    let shots = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("real-wiring");
    std::fs::create_dir_all(&shots).expect("screenshot dir");
    assert_eq!(
        support::secret_tool_lookup(&origin),
        None,
        "a fresh tenant has no token yet"
    );

    // First start: nothing kept, nothing in the environment: the setup form.
    let mut app = start(home.path(), &[], &shots.join("first-start.log"));
    let window = find_window(&mut app);
    wait_until("the setup form drawn", &mut app, || {
        screenshot(&window, &shots.join("1-setup.png")).filter(drawn)
    });
    focus(&window);
    for step in SETUP_KEYS {
        match step {
            Key::Press(keys) => press(&window, keys),
            Key::Tenant => type_text(&window, &origin),
            Key::Token => type_text(&window, DEFAULT_TOKEN),
        }
    }
    let typed = screenshot(&window, &shots.join("2-typed.png")).expect("a screenshot");
    press(&window, TEST_KEYS);
    // Test connection reached the tenant typed, with the token typed.
    let auth = format!("APIToken {DEFAULT_TOKEN}");
    wait_until("Test connection's whoami", &mut app, || {
        tenant
            .received_on("GET", WHOAMI_PATH)
            .into_iter()
            .find(|r| r.header("authorization") == Some(auth.as_str()) && r.status == 200)
    });
    // ... and the form says so (its success colour, in either theme), so it is ready for Save.
    wait_until("the test's success on screen", &mut app, || {
        screenshot(&window, &shots.join("3-tested.png"))
            .filter(|shot| success_appeared(&typed, shot) > 50)
    });
    // Escape may change nothing visible (when nothing had focus): no redraw to wait for.
    run("xdotool", &["key", "--window", &window, UNFOCUS_KEY]).expect("xdotool key");
    std::thread::sleep(Duration::from_millis(300));
    press(&window, SAVE_KEYS);
    // Save put the token in the real keyring and the tenant in the settings file.
    wait_until("the token in the keyring", &mut app, || {
        support::secret_tool_lookup(&origin).filter(|token| token == DEFAULT_TOKEN)
    });
    let settings = home.path().join("config").join("settings.json");
    wait_until("the tenant in the settings file", &mut app, || {
        std::fs::read_to_string(&settings)
            .ok()
            .filter(|text| text.contains(&origin))
    });
    screenshot(&window, &shots.join("4-saved.png"));
    assert_eq!(
        support::files_containing(home.path(), DEFAULT_TOKEN),
        Vec::<String>::new(),
        "the token is in a file"
    );
    quit(app);

    // Second start, with a picture, as "Open with" does: the tenant from the settings file,
    // the token from the keyring, no setup.
    let photo = support::write_photo(home.path(), "portrait.jpg", ImageFormat::Jpeg);
    let before = tenant.received().len();
    let mut app = start(home.path(), &[&photo], &shots.join("second-start.log"));
    let window = find_window(&mut app);
    // The start-up fetch of the current picture goes out with the kept token.
    wait_until("the start-up fetch with the kept token", &mut app, || {
        tenant.received()[before..]
            .iter()
            .find(|r| r.path == IMAGE_PATH && r.header("authorization") == Some(auth.as_str()))
            .cloned()
    });
    let opened = wait_until("the picture on screen", &mut app, || {
        screenshot(&window, &shots.join("5-opened.png")).filter(|shot| {
            let green = shot
                .pixels()
                .filter(|p| {
                    p.0.iter()
                        .zip(support::GREEN)
                        .all(|(g, w)| (i16::from(*g) - i16::from(w)).abs() <= 24)
                })
                .count();
            green > 2_000
        })
    });
    focus(&window);
    press(&window, UPLOAD_KEYS);
    let stored = wait_for("the upload", || tenant.image_of(DEFAULT_TOKEN));
    support::assert_is_stripes_avatar(&stored.bytes, 512);
    let puts = tenant.received_on("PUT", IMAGE_PATH);
    assert_eq!(puts.len(), 1);
    assert_eq!(puts[0].header("authorization"), Some(auth.as_str()));
    // And the user is told: the success message in its colour.
    wait_until("the upload's success on screen", &mut app, || {
        screenshot(&window, &shots.join("6-uploaded.png"))
            .filter(|shot| success_appeared(&opened, shot) > 50)
    });
    quit(app);
}
