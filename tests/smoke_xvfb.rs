//! End-to-end smoke test: the real binary in a real window on an X server (Xvfb in CI), opened
//! with a picture as "Open with" does, driven with xdotool, seen through a screenshot.
//!
//! `#[ignore]`d, since it needs an X server: scripts/test (and so `.ci/run`) starts Xvfb and runs
//! it with `--include-ignored`; run that way without a display, it fails.

mod support;

use std::path::PathBuf;
use std::process::Stdio;
use xc_avatar::app::{DARK_PALETTE, LIGHT_PALETTE};

use fake_tenant::{DEFAULT_TOKEN, FakeTenant};
use image::{ImageFormat, RgbImage};
use support::Hermetic;
use support::window::{Running, find_window, newly_near, run, screenshot, wait_until};

fn count_near(shot: &RgbImage, want: [u8; 3]) -> usize {
    shot.pixels()
        .filter(|p| {
            p.0.iter()
                .zip(want)
                .all(|(g, w)| (i16::from(*g) - i16::from(w)).abs() <= 24)
        })
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

    let mut app = Running::new(
        Hermetic::xc_avatar_in(home.path())
            .with_arg(&photo)
            .tenant(&tenant.url())
            .token(DEFAULT_TOKEN)
            .stdout(Stdio::null())
            .spawn()
            .expect("start xc-avatar"),
    );

    let window = find_window(&mut app);

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
