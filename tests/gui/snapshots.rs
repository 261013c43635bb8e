//! Pictures of every screen and outcome panel, in the light and the dark theme (file names end
//! in `_light`/`_dark`), plus one at 2× scale; compared on Linux (wgpu on the CPU).

use crate::harness::*;

/// Renders the harness's current screen in both themes.
fn both_themes(harness: &mut Harness<'_, XcAvatarApp>, name: &str) {
    both_themes_allowing(harness, name, 0);
}

fn both_themes_allowing(harness: &mut Harness<'_, XcAvatarApp>, name: &str, changing: usize) {
    for (theme, suffix) in [(egui::Theme::Light, "light"), (egui::Theme::Dark, "dark")] {
        harness.ctx.set_theme(theme);
        harness.run_ok();
        snapshot_allowing(harness, &format!("{name}_{suffix}"), changing);
    }
}

#[test]
#[cfg_attr(
    not(target_os = "linux"),
    ignore = "snapshots are made with llvmpipe on Linux; other GPUs antialias differently"
)]
fn snapshot_first_start() {
    let fixture = Fixture::new();
    let mut config = fixture.config(None, None);
    config.environment.tenant = None;
    let mut harness = harness(config);
    harness.run();
    both_themes(&mut harness, "setup_first_start");
}

#[test]
#[cfg_attr(
    not(target_os = "linux"),
    ignore = "snapshots are made with llvmpipe on Linux; other GPUs antialias differently"
)]
fn snapshot_setup_with_an_error() {
    let fixture = Fixture::new();
    let mut config = fixture.config(None, None);
    config.environment.tenant = None;
    let mut harness = harness(config);
    harness.run();
    type_into(&mut harness, "Tenant", "ftp://acme.example");
    type_into(&mut harness, "API token", "short");
    both_themes(&mut harness, "setup_error");
}

#[test]
#[cfg_attr(
    not(target_os = "linux"),
    ignore = "snapshots are made with llvmpipe on Linux; other GPUs antialias differently"
)]
fn snapshot_empty_main_screen() {
    let fixture = Fixture::new();
    let mut harness = harness(fixture.config(Some(DEFAULT_TOKEN), None));
    wait_for(
        &mut harness,
        "the current picture and the user's name",
        |app| {
            matches!(app.state().current.shown, Current::Missing)
                && app.state().current.initials_name.is_some()
        },
    );
    both_themes(&mut harness, "main_empty");
}

#[test]
#[cfg_attr(
    not(target_os = "linux"),
    ignore = "snapshots are made with llvmpipe on Linux; other GPUs antialias differently"
)]
fn snapshot_framed_on_the_face() {
    let fixture = Fixture::new();
    let path = fixture.dir.path().join("team.jpg");
    std::fs::write(&path, crate::support::scenes::two_faces().bytes).expect("write scene");
    let mut harness = harness(fixture.config(Some(DEFAULT_TOKEN), None));
    drop_file(&mut harness, path);
    wait_for(&mut harness, "the faces and the user's name", |app| {
        let state = app.state();
        state.photo.photo.as_ref().is_some_and(|p| p.faces_known)
            && state.current.user_name.is_some()
    });
    wait_for_estimate(&mut harness);
    both_themes(&mut harness, "framed_on_face");
}

#[test]
#[cfg_attr(
    not(target_os = "linux"),
    ignore = "snapshots are made with llvmpipe on Linux; other GPUs antialias differently"
)]
fn snapshot_initials() {
    let fixture = Fixture::new();
    let mut harness = with_initials(&fixture);
    both_themes(&mut harness, "initials");
}

#[test]
#[cfg_attr(
    not(target_os = "linux"),
    ignore = "snapshots are made with llvmpipe on Linux; other GPUs antialias differently"
)]
fn snapshot_framed_picture_with_previews_and_context() {
    let fixture = Fixture::new();
    let mut harness = with_current_picture(&fixture);
    harness.key_press(egui::Key::Plus);
    harness.step();
    wait_for_estimate(&mut harness);
    wait_for(&mut harness, "the user's name", |app| {
        app.state().current.user_name.is_some()
    });
    both_themes(&mut harness, "crop_editor");
}

#[test]
#[cfg_attr(
    not(target_os = "linux"),
    ignore = "snapshots are made with llvmpipe on Linux; other GPUs antialias differently"
)]
fn snapshot_at_twice_the_scale() {
    let fixture = Fixture::new();
    let config = fixture.config(Some(DEFAULT_TOKEN), None);
    // The default window size, on a 2× (Retina, HiDPI) screen: crisp, not scaled up.
    let mut harness = Harness::builder()
        .with_size([880.0, 640.0])
        .with_pixels_per_point(2.0)
        .build_eframe(move |cc| XcAvatarApp::new(cc, config).expect("app starts"));
    harness.run_ok();
    drop_file(&mut harness, fixture.photo("stripes.jpg"));
    wait_for_estimate(&mut harness);
    wait_for(&mut harness, "the user's name", |app| {
        app.state().current.user_name.is_some()
    });
    harness.ctx.set_theme(egui::Theme::Light);
    harness.run_ok();
    snapshot(&mut harness, "crop_editor_2x_light");
}

#[test]
#[cfg_attr(
    not(target_os = "linux"),
    ignore = "snapshots are made with llvmpipe on Linux; other GPUs antialias differently"
)]
fn snapshot_success_panel() {
    let fixture = Fixture::new();
    let mut harness = with_current_picture(&fixture);
    upload_until(&mut harness, "the upload", |app| !app.state().changing());
    harness.get_by_label("Undo");
    both_themes(&mut harness, "outcome_success");
}

#[test]
#[cfg_attr(
    not(target_os = "linux"),
    ignore = "snapshots are made with llvmpipe on Linux; other GPUs antialias differently"
)]
fn snapshot_rejected_token_panel() {
    let fixture = Fixture::new();
    let mut harness = with_photo(&fixture, "not-the-right-token-000000", "stripes.jpg");
    upload_until(&mut harness, "the rejected upload", |app| {
        !app.state().changing()
    });
    both_themes(&mut harness, "outcome_401");
}

#[test]
#[cfg_attr(
    not(target_os = "linux"),
    ignore = "snapshots are made with llvmpipe on Linux; other GPUs antialias differently"
)]
fn snapshot_rate_limit_countdown() {
    let fixture = Fixture::new();
    let mut harness = with_photo(&fixture, DEFAULT_TOKEN, "stripes.jpg");
    wait_for_estimate(&mut harness);
    // Long enough that the countdown's number stays put while both pictures are taken.
    fixture
        .tenant
        .push(Scripted::status(429, "slow down").with_retry_after("50"));
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Enter);
    wait_for(&mut harness, "the countdown", |app| {
        app.state().change.retry.is_some()
    });
    // Two things move with the clock: the seconds left (two digits) and the spinner's angle.
    both_themes_allowing(&mut harness, "outcome_429_countdown", 400);
    harness.get_by_label("Cancel").click();
    harness.run_ok();
}

#[test]
#[cfg_attr(
    not(target_os = "linux"),
    ignore = "snapshots are made with llvmpipe on Linux; other GPUs antialias differently"
)]
fn snapshot_remove_confirmation() {
    let fixture = Fixture::new();
    let mut harness = with_current_picture(&fixture);
    harness.get_by_label("Remove picture…").click();
    harness.run_ok();
    harness.get_by_label("Remove your profile picture?");
    both_themes(&mut harness, "remove_confirmation");
}
