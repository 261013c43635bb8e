//! Every keyboard shortcut in one table, and its label as the platform writes it: "Ctrl+O" on
//! Linux and Windows, "⌘O" on macOS (egui's `COMMAND` is ⌘ there, so a hint saying "Ctrl"
//! would be wrong).

use eframe::egui::{self, Key, KeyboardShortcut, Modifiers};

/// Choose a picture.
pub const OPEN: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::O);
/// Upload the framed picture.
pub const UPLOAD: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::Enter);
/// Paste a picture or a copied file (egui turns it into a paste event; listed for its label).
pub const PASTE: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::V);
/// Stop a running upload, undo or removal.
pub const CANCEL: KeyboardShortcut = KeyboardShortcut::new(Modifiers::NONE, Key::Escape);

/// "Ctrl+O", "⌘O", "Esc".
pub fn label(ctx: &egui::Context, shortcut: &KeyboardShortcut) -> String {
    if shortcut.modifiers.is_none() && shortcut.logical_key == Key::Escape {
        // egui names it "Escape"; keyboards and every platform's menus say "Esc".
        return "Esc".to_owned();
    }
    ctx.format_shortcut(shortcut)
}

/// "Open a picture (Ctrl+O)": a hint with the shortcut that does the same.
pub fn hint(ctx: &egui::Context, text: &str, shortcut: &KeyboardShortcut) -> String {
    format!("{text} ({})", label(ctx, shortcut))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_follow_the_platform() {
        let ctx = egui::Context::default();
        // Fonts, which decide whether "⌘" can be shown, load with the first pass.
        let mut output = ctx.run_ui(egui::RawInput::default(), |_| {});
        output.textures_delta.clear();
        ctx.set_os(egui::os::OperatingSystem::Nix);
        assert_eq!(label(&ctx, &OPEN), "Ctrl+O");
        assert_eq!(label(&ctx, &CANCEL), "Esc");
        ctx.set_os(egui::os::OperatingSystem::Windows);
        assert_eq!(label(&ctx, &PASTE), "Ctrl+V");
        ctx.set_os(egui::os::OperatingSystem::Mac);
        let mac = label(&ctx, &OPEN);
        assert!(!mac.contains("Ctrl"), "{mac}");
        assert!(mac.contains('⌘') || mac.contains("Cmd"), "{mac}");
        assert!(mac.ends_with('O'), "{mac}");
    }
}
