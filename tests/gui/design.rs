//! What the design pass promises beyond pictures: keyboard order, the theme choice that
//! persists, the window title, About, and the Console link on the setup screen.

use crate::harness::*;
use xc_avatar::settings::Appearance;

fn focused_label(harness: &Harness<'_, XcAvatarApp>) -> Option<String> {
    harness
        .root()
        .children_recursive()
        .find(|node| node.is_focused())
        .and_then(|node| node.accesskit_node().label())
}

#[test]
fn tab_visits_the_controls_in_reading_order() {
    let fixture = Fixture::new();
    let mut harness = with_current_picture(&fixture);
    let mut visited: Vec<String> = Vec::new();
    for _ in 0..40 {
        harness.key_press(egui::Key::Tab);
        harness.run_ok();
        if let Some(label) = focused_label(&harness) {
            if visited.first() == Some(&label) {
                break;
            }
            visited.push(label);
        }
    }
    // Top bar, the picture's controls, the side column, then the actions at the bottom.
    let order = [
        "Tenant and credential…",
        "Menu",
        "Rotate left",
        "Rotate right",
        "Remove picture…",
        "Choose image…",
        "Upload",
    ];
    let positions: Vec<Option<usize>> = order
        .iter()
        .map(|want| visited.iter().position(|got| got == want))
        .collect();
    assert!(
        positions.iter().all(Option::is_some) && positions.is_sorted(),
        "Tab visited {visited:?}"
    );
}

#[test]
fn enter_uploads_when_nothing_has_focus() {
    let fixture = Fixture::new();
    let mut harness = with_photo(&fixture, DEFAULT_TOKEN, "stripes.jpg");
    wait_for_estimate(&mut harness);
    harness.key_press(egui::Key::Enter);
    harness.step();
    wait_for(&mut harness, "the upload", |app| {
        !app.state().changing() && app.state().notice.is_some()
    });
    assert!(fixture.tenant.image_of(DEFAULT_TOKEN).is_some());
}

#[test]
fn the_theme_choice_applies_at_once_and_is_kept() {
    let fixture = Fixture::new();
    let mut harness = harness(fixture.config(Some(DEFAULT_TOKEN), None));
    harness.run_ok();
    for (choice, theme) in [("Light", egui::Theme::Light), ("Dark", egui::Theme::Dark)] {
        harness.get_by_label("Menu").click();
        harness.run_ok();
        harness.get_by_label(choice).click();
        harness.run_ok();
        assert_eq!(harness.ctx.theme(), theme, "after choosing {choice}");
    }
    wait_for(&mut harness, "the saved settings", |_| {
        fixture.settings_file().load().0.appearance == Appearance::Dark
    });

    // The next start opens dark too, on a system that is light.
    let again = harness_with_system_light(fixture.config(Some(DEFAULT_TOKEN), None));
    assert_eq!(again.ctx.theme(), egui::Theme::Dark);
}

/// A harness whose "system" is light, so only a kept choice can make it dark.
fn harness_with_system_light(config: AppConfig) -> Harness<'static, XcAvatarApp> {
    let mut harness = Harness::builder()
        .with_size([900.0, 700.0])
        .with_theme(egui::Theme::Light)
        .build_eframe(move |cc| XcAvatarApp::new(cc, config).expect("app starts"));
    harness.run_ok();
    harness
}

#[test]
fn the_window_title_names_the_tenant() {
    let fixture = Fixture::new();
    let mut harness = harness(fixture.config(Some(DEFAULT_TOKEN), None));
    harness.run_ok();
    assert_eq!(
        xc_avatar::app::window_title(harness.state().state()),
        "xc-avatar — 127.0.0.1"
    );
    let mut config = fixture.config(None, None);
    config.environment.tenant = None;
    let first_start = harness_with_system_light(config);
    assert_eq!(
        xc_avatar::app::window_title(first_start.state().state()),
        "xc-avatar"
    );
}

#[test]
fn about_shows_version_licence_and_the_crates_inside() {
    let fixture = Fixture::new();
    let mut harness = harness(fixture.config(Some(DEFAULT_TOKEN), None));
    harness.run_ok();
    harness.get_by_label("Menu").click();
    harness.run_ok();
    harness.get_by_label("About xc-avatar").click();
    harness.run_ok();
    harness.get_by_label_contains(&format!("Version {}", env!("CARGO_PKG_VERSION")));
    harness.get_by_label("MIT or Apache-2.0, at your choice.");
    harness.get_by_label("Open-source crates inside").click();
    harness.run_ok();
    harness.get_by_label_contains("eframe v0.37");
    harness.get_by_label("Close").click();
    harness.run_ok();
    assert!(
        harness
            .query_by_label("Open-source crates inside")
            .is_none()
    );
}

#[test]
fn setup_opens_the_console_of_the_typed_tenant() {
    let fixture = Fixture::new();
    let mut config = fixture.config(None, None);
    config.environment.tenant = None;
    let mut harness = harness(config);
    harness.run_ok();
    assert!(harness.query_by_label("Open the Console").is_none());
    type_into(&mut harness, "Tenant", "acme");
    harness.get_by_label("Open the Console").click();
    harness.step();
    let opened: Vec<String> = harness
        .output()
        .platform_output
        .commands
        .iter()
        .filter_map(|command| match command {
            egui::OutputCommand::OpenUrl(open) => Some(open.url.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(opened, ["https://acme.console.ves.volterra.io/"]);
}

/// At the minimum and the default window size, with a picture, its outcome panel and the
/// current picture shown, no two controls overlap and each lies inside the window.
#[test]
fn at_the_minimum_size_nothing_overlaps() {
    use egui::accesskit::Role;
    for size in [xc_avatar::app::MIN_WINDOW, xc_avatar::app::DEFAULT_WINDOW] {
        let fixture = Fixture::new();
        let config = fixture.config(Some(DEFAULT_TOKEN), None);
        let mut harness = Harness::builder()
            .with_size(size)
            .build_eframe(move |cc| XcAvatarApp::new(cc, config).expect("app starts"));
        harness.run_ok();
        drop_file(&mut harness, fixture.photo("stripes.jpg"));
        wait_for_estimate(&mut harness);
        upload_until(&mut harness, "the upload", |app| !app.state().changing());
        wait_for(&mut harness, "the current picture", |app| {
            matches!(app.state().current.shown, Current::Shown { .. })
        });
        harness.run_ok();
        let window = egui::Rect::from_min_size(egui::Pos2::ZERO, egui::Vec2::from(size));
        let controls: Vec<(String, egui::Rect)> = harness
            .root()
            .children_recursive()
            .filter(|node| {
                matches!(
                    node.accesskit_node().role(),
                    Role::Button | Role::Slider | Role::SpinButton | Role::TextInput
                )
            })
            .map(|node| {
                let label = node.accesskit_node().label().unwrap_or_default();
                (label, node.rect())
            })
            .collect();
        assert!(controls.len() >= 8, "{controls:?}");
        for (i, (a, ra)) in controls.iter().enumerate() {
            assert!(
                window.contains_rect(*ra),
                "{a:?} {ra:?} leaves the {size:?} window"
            );
            for (b, rb) in &controls[i + 1..] {
                let overlap = ra.intersect(*rb);
                assert!(
                    !overlap.is_positive(),
                    "{a:?} {ra:?} overlaps {b:?} {rb:?} at {size:?}"
                );
            }
        }
    }
}
