//! End-to-end smoke test: the real binary in a real window on an X server (Xvfb in CI), opened
//! with a picture as "Open with" does, driven with xdotool, seen through a screenshot.
//!
//! `#[ignore]`d, since it needs an X server: scripts/test (and so `.ci/run`) starts Xvfb and runs
//! it with `--include-ignored`; run that way without a display, it fails.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use xc_avatar::app::{DARK_PALETTE, LIGHT_PALETTE};

use fake_tenant::{DEFAULT_TOKEN, FakeTenant};
use image::{ImageFormat, RgbImage};

/// Kills the app if the test fails half way.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn run(program: &str, args: &[&str]) -> Option<String> {
    let output = Command::new(program).args(args).output().ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).trim().to_owned())
}

fn wait_until<T>(what: &str, app: &mut Running, mut probe: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Some(found) = probe() {
            return found;
        }
        if let Ok(Some(status)) = app.0.try_wait() {
            panic!("xc-avatar exited ({status}) while waiting for {what}");
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(250));
    }
}

fn screenshot(window: &str, path: &Path) -> Option<RgbImage> {
    run("import", &["-window", window, path.to_str()?])?;
    image::open(path).ok().map(|i| i.to_rgb8())
}

fn count_near(shot: &RgbImage, want: [u8; 3]) -> usize {
    shot.pixels()
        .filter(|p| {
            p.0.iter()
                .zip(want)
                .all(|(g, w)| (i16::from(*g) - i16::from(w)).abs() <= 24)
        })
        .count()
}

/// Pixels near `want` in `after` that were not near it in `before` (same window size).
fn newly_near(before: &RgbImage, after: &RgbImage, want: [u8; 3]) -> usize {
    let near = |p: &image::Rgb<u8>| {
        p.0.iter()
            .zip(want)
            .all(|(g, w)| (i16::from(*g) - i16::from(w)).abs() <= 24)
    };
    if before.dimensions() != after.dimensions() {
        return 0;
    }
    before
        .pixels()
        .zip(after.pixels())
        .filter(|(b, a)| near(a) && !near(b))
        .count()
}

#[test]
#[ignore = "needs an X server, xdotool and ImageMagick: scripts/test starts Xvfb"]
fn the_real_window_opens_the_file_and_uploads_it() {
    support::require_env("DISPLAY", "an X display");
    let tenant = FakeTenant::start();
    let home = tempfile::tempdir().expect("temp dir");
    let photo = support::write_photo(home.path(), "portrait.jpg", ImageFormat::Jpeg);
    let original = std::fs::read(&photo).expect("read photo");
    let shots = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("smoke");
    std::fs::create_dir_all(&shots).expect("screenshot dir");

    let mut app = Running(
        Command::new(env!("CARGO_BIN_EXE_xc-avatar"))
            .arg(&photo)
            .env("F5XC_API_URL", tenant.url())
            .env("F5XC_API_TOKEN", DEFAULT_TOKEN)
            // Keep eframe's saved state out of the user's real config.
            .env("XDG_DATA_HOME", home.path())
            .env("XDG_CONFIG_HOME", home.path())
            .env("XC_AVATAR_CONFIG_DIR", home.path().join("config"))
            .stdout(Stdio::null())
            .spawn()
            .expect("start xc-avatar"),
    );

    let window = wait_until("the window", &mut app, || {
        run("xdotool", &["search", "--name", "^xc-avatar"])
            .and_then(|ids| ids.lines().last().map(str::to_owned))
    });

    // The window is drawn once the picture's stripes show inside the crop.
    let opened = shots.join("opened.png");
    let shot = wait_until("the picture on screen", &mut app, || {
        screenshot(&window, &opened).filter(|shot| {
            count_near(shot, support::GREEN) > 2_000 && count_near(shot, support::BLUE) > 500
        })
    });
    assert!(
        shot.width() >= 560 && shot.height() >= 420,
        "window is {}×{}",
        shot.width(),
        shot.height()
    );

    // Click Upload with the mouse: the rightmost button of the bottom bar.
    let (x, y) = (shot.width() - 34, shot.height() - 18);
    run(
        "xdotool",
        &[
            "mousemove",
            "--window",
            &window,
            &x.to_string(),
            &y.to_string(),
            "click",
            "1",
        ],
    )
    .expect("click Upload");
    let stored = wait_until("the upload to reach the fake tenant", &mut app, || {
        tenant.image_of(DEFAULT_TOKEN)
    });
    support::assert_is_stripes_avatar(&stored.bytes, 512);

    // The success panel's green frame and text: counted only where the window changed since
    // the picture opened, so the stripes' own edges (green fading into blue) cannot pass for it.
    let uploaded = shots.join("uploaded.png");
    wait_until("the success message", &mut app, || {
        // The success panel's green frame and text, in whichever theme the window took, in
        // pixels that changed since the picture opened (not a stripe's edge that was there).
        let greens = [LIGHT_PALETTE.success, DARK_PALETTE.success].map(|c| [c.r(), c.g(), c.b()]);
        screenshot(&window, &uploaded).filter(|after| {
            greens
                .iter()
                .any(|green| newly_near(&shot, after, *green) > 50)
        })
    });
    assert_eq!(
        std::fs::read(&photo).expect("read photo"),
        original,
        "original changed"
    );
}
