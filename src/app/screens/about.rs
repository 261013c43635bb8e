//! About xc-avatar: version and commit, licence, project link, and the crates we ship.

use eframe::egui;

use crate::app::theme::{self, space};

const THIRD_PARTY: &str = include_str!("../../../assets/third-party.txt");

/// Shows the window; true when the user closed it.
pub fn show(ctx: &egui::Context) -> bool {
    let modal = egui::Modal::new(egui::Id::unique("about")).show(ctx, |ui| {
        ui.set_max_width(440.0);
        ui.vertical_centered(|ui| {
            ui.label(
                egui::RichText::new("xc-avatar")
                    .size(theme::size::TITLE)
                    .strong(),
            );
            ui.label(theme::caption(
                ui,
                format!("Version {}", env!("XC_AVATAR_VERSION")),
            ));
            ui.label("Your profile picture on F5 Distributed Cloud, framed and uploaded.");
            ui.label(theme::caption(ui, "MIT or Apache-2.0, at your choice."));
            ui.hyperlink(env!("CARGO_PKG_REPOSITORY"));
        });
        ui.add_space(space::M);
        egui::CollapsingHeader::new("Open-source crates inside")
            .default_open(false)
            .show(ui, |ui| {
                egui::ScrollArea::vertical()
                    .max_height(200.0)
                    .show(ui, |ui| {
                        ui.label(theme::caption(ui, THIRD_PARTY));
                    });
            });
        ui.add_space(space::M);
        let mut close = false;
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            close = ui.add(theme::primary_button(ui, "Close")).clicked();
        });
        close
    });
    modal.inner || modal.should_close()
}
