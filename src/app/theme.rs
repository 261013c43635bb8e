//! The look of the app in one place: spacing and type scales, corner radii, and the colours of
//! the light and dark themes, applied through egui's `Style` and `Visuals` so widgets need no
//! tweaks of their own. Screens take sizes and colours from here, never literals.
//!
//! Roles follow GNOME's and Apple's guidelines: one accent-filled primary action per screen,
//! quiet secondary buttons, destructive actions in the error colour, and text contrast of at
//! least 4.5:1 (WCAG AA) on every surface it is drawn on — a test below computes it.

use eframe::egui::{self, Color32, CornerRadius, FontFamily, FontId, Stroke, TextStyle, Theme};

use crate::settings::Appearance;

/// Spacing scale, in points: every gap and margin is one of these.
pub mod space {
    pub const XS: f32 = 4.0;
    pub const S: f32 = 8.0;
    pub const M: f32 = 12.0;
    pub const L: f32 = 16.0;
    pub const XL: f32 = 24.0;
}

/// Type scale, in points.
pub mod size {
    pub const TITLE: f32 = 22.0;
    pub const HEADING: f32 = 16.0;
    pub const BODY: f32 = 14.0;
    pub const CAPTION: f32 = 12.0;
}

/// Corner radii.
pub mod radius {
    pub const CONTROL: u8 = 6;
    pub const CARD: u8 = 12;
}

/// The colours of one theme, by role.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Palette {
    /// The window behind everything.
    pub background: Color32,
    /// Cards, panels and the outcome panel sit on this.
    pub surface: Color32,
    /// Text fields and the crop editor's backdrop.
    pub sunken: Color32,
    pub border: Color32,
    pub text: Color32,
    /// Captions and hints: quieter, still 4.5:1.
    pub text_weak: Color32,
    pub accent: Color32,
    /// Text on an accent fill.
    pub on_accent: Color32,
    /// Accent used as text or outline (links, focus ring).
    pub accent_text: Color32,
    pub success: Color32,
    pub warning: Color32,
    pub error: Color32,
    /// Fill of a destructive button, and its text.
    pub destructive: Color32,
    pub on_destructive: Color32,
}

pub const LIGHT: Palette = Palette {
    background: Color32::from_rgb(0xf6, 0xf7, 0xf9),
    surface: Color32::from_rgb(0xff, 0xff, 0xff),
    sunken: Color32::from_rgb(0xec, 0xee, 0xf2),
    border: Color32::from_rgb(0xd3, 0xd7, 0xde),
    text: Color32::from_rgb(0x1c, 0x1f, 0x24),
    text_weak: Color32::from_rgb(0x58, 0x5f, 0x6b),
    accent: Color32::from_rgb(0x2f, 0x5b, 0xd3),
    on_accent: Color32::WHITE,
    accent_text: Color32::from_rgb(0x25, 0x4c, 0xb8),
    success: Color32::from_rgb(0x1d, 0x73, 0x38),
    warning: Color32::from_rgb(0x8a, 0x57, 0x00),
    error: Color32::from_rgb(0xb3, 0x26, 0x1e),
    destructive: Color32::from_rgb(0xb3, 0x26, 0x1e),
    on_destructive: Color32::WHITE,
};

pub const DARK: Palette = Palette {
    background: Color32::from_rgb(0x17, 0x19, 0x1d),
    surface: Color32::from_rgb(0x21, 0x24, 0x29),
    sunken: Color32::from_rgb(0x12, 0x14, 0x17),
    border: Color32::from_rgb(0x3a, 0x3f, 0x47),
    text: Color32::from_rgb(0xe8, 0xea, 0xee),
    text_weak: Color32::from_rgb(0xa3, 0xaa, 0xb5),
    accent: Color32::from_rgb(0x8a, 0xaa, 0xff),
    on_accent: Color32::from_rgb(0x0c, 0x16, 0x33),
    accent_text: Color32::from_rgb(0x9d, 0xb8, 0xff),
    success: Color32::from_rgb(0x6c, 0xd0, 0x8c),
    warning: Color32::from_rgb(0xf0, 0xc0, 0x5a),
    error: Color32::from_rgb(0xff, 0x8f, 0x85),
    destructive: Color32::from_rgb(0xff, 0x8f, 0x85),
    on_destructive: Color32::from_rgb(0x3a, 0x07, 0x04),
};

pub fn palette_of(theme: Theme) -> &'static Palette {
    match theme {
        Theme::Light => &LIGHT,
        Theme::Dark => &DARK,
    }
}

/// The palette the `ui` is drawn with.
pub fn palette(ui: &egui::Ui) -> &'static Palette {
    palette_of(if ui.visuals().dark_mode {
        Theme::Dark
    } else {
        Theme::Light
    })
}

/// Styles both themes and picks the one `appearance` asks for ("system" follows the OS).
pub fn apply(ctx: &egui::Context, appearance: Appearance) {
    for theme in [Theme::Light, Theme::Dark] {
        ctx.style_mut_of(theme, |style| style_for(style, theme));
    }
    ctx.set_theme(preference(appearance));
}

pub fn preference(appearance: Appearance) -> egui::ThemePreference {
    match appearance {
        Appearance::System => egui::ThemePreference::System,
        Appearance::Light => egui::ThemePreference::Light,
        Appearance::Dark => egui::ThemePreference::Dark,
    }
}

fn style_for(style: &mut egui::Style, theme: Theme) {
    let p = palette_of(theme);
    style.text_styles = [
        (
            TextStyle::Heading,
            FontId::new(size::TITLE, FontFamily::Proportional),
        ),
        (
            TextStyle::Body,
            FontId::new(size::BODY, FontFamily::Proportional),
        ),
        (
            TextStyle::Button,
            FontId::new(size::BODY, FontFamily::Proportional),
        ),
        (
            TextStyle::Small,
            FontId::new(size::CAPTION, FontFamily::Proportional),
        ),
        (
            TextStyle::Monospace,
            FontId::new(size::BODY - 1.0, FontFamily::Monospace),
        ),
        (
            TextStyle::Name("subheading".into()),
            FontId::new(size::HEADING, FontFamily::Proportional),
        ),
    ]
    .into();
    let spacing = &mut style.spacing;
    spacing.item_spacing = egui::vec2(space::S, space::S);
    spacing.button_padding = egui::vec2(space::M, space::XS + 2.0);
    spacing.interact_size.y = 28.0;
    spacing.window_margin = egui::Margin::same(space::L as i8);
    spacing.menu_margin = egui::Margin::same(space::S as i8);

    let v = &mut style.visuals;
    *v = match theme {
        Theme::Light => egui::Visuals::light(),
        Theme::Dark => egui::Visuals::dark(),
    };
    v.override_text_color = Some(p.text);
    v.weak_text_color = Some(p.text_weak);
    v.panel_fill = p.background;
    v.window_fill = p.surface;
    v.window_stroke = Stroke::new(1.0, p.border);
    v.window_corner_radius = CornerRadius::same(radius::CARD);
    v.menu_corner_radius = CornerRadius::same(radius::CONTROL + 2);
    v.faint_bg_color = p.surface;
    v.extreme_bg_color = p.sunken;
    v.text_edit_bg_color = Some(p.sunken);
    v.hyperlink_color = p.accent_text;
    v.warn_fg_color = p.warning;
    v.error_fg_color = p.error;
    v.selection.bg_fill = p.accent.gamma_multiply(0.35);
    // The focus ring and selected outlines: visible on every surface.
    v.selection.stroke = Stroke::new(2.0, p.accent_text);
    let control = CornerRadius::same(radius::CONTROL);
    for widget in [
        &mut v.widgets.noninteractive,
        &mut v.widgets.inactive,
        &mut v.widgets.hovered,
        &mut v.widgets.active,
        &mut v.widgets.open,
    ] {
        widget.corner_radius = control;
        widget.fg_stroke.color = p.text;
    }
    v.widgets.noninteractive.bg_stroke = Stroke::new(1.0, p.border);
    v.widgets.noninteractive.bg_fill = p.surface;
    v.widgets.inactive.weak_bg_fill = p.sunken;
    // Slider rails, checkbox and radio wells: visible against the panels.
    v.widgets.inactive.bg_fill = p.border;
    v.widgets.inactive.bg_stroke = Stroke::new(1.0, p.border);
    v.widgets.hovered.bg_stroke = Stroke::new(1.0, p.accent_text);
    v.widgets.active.bg_stroke = Stroke::new(1.0, p.accent_text);
}

/// The one accent-filled button of a screen.
pub fn primary_button<'a>(ui: &egui::Ui, text: impl Into<egui::WidgetText>) -> egui::Button<'a> {
    filled(text.into(), palette(ui).accent, palette(ui).on_accent)
}

/// A button that deletes something.
pub fn destructive_button<'a>(
    ui: &egui::Ui,
    text: impl Into<egui::WidgetText>,
) -> egui::Button<'a> {
    filled(
        text.into(),
        palette(ui).destructive,
        palette(ui).on_destructive,
    )
}

fn filled<'a>(text: egui::WidgetText, fill: Color32, on: Color32) -> egui::Button<'a> {
    let text = match text {
        egui::WidgetText::Text(text) => egui::RichText::new(text).color(on).strong().into(),
        egui::WidgetText::RichText(text) => {
            egui::WidgetText::RichText(std::sync::Arc::new((*text).clone().color(on).strong()))
        }
        other => other,
    };
    egui::Button::new(text)
        .fill(fill)
        .stroke(Stroke::NONE)
        .min_size(egui::vec2(96.0, 32.0))
}

/// A raised surface for a group of related things (the setup card, the outcome panel).
pub fn card(ui: &egui::Ui) -> egui::Frame {
    let p = palette(ui);
    egui::Frame::new()
        .fill(p.surface)
        .stroke(Stroke::new(1.0, p.border))
        .corner_radius(CornerRadius::same(radius::CARD))
        .inner_margin(egui::Margin::same(space::L as i8))
}

/// Text in the caption size and the weak colour.
pub fn caption(ui: &egui::Ui, text: impl Into<String>) -> egui::RichText {
    egui::RichText::new(text)
        .size(size::CAPTION)
        .color(palette(ui).text_weak)
}

/// A section heading inside a screen.
pub fn subheading(text: impl Into<String>) -> egui::RichText {
    egui::RichText::new(text).size(size::HEADING).strong()
}

/// WCAG 2 contrast ratio of two opaque colours (1 to 21): what the palette test checks.
#[cfg(test)]
fn contrast(a: Color32, b: Color32) -> f32 {
    fn luminance(c: Color32) -> f32 {
        let channel = |v: u8| {
            let v = f32::from(v) / 255.0;
            if v <= 0.040_45 {
                v / 12.92
            } else {
                ((v + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * channel(c.r()) + 0.7152 * channel(c.g()) + 0.0722 * channel(c.b())
    }
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_text_reads_at_4_5_to_1_in_both_themes() {
        for (name, p) in [("light", LIGHT), ("dark", DARK)] {
            let pairs = [
                ("text on background", p.text, p.background),
                ("text on surface", p.text, p.surface),
                ("text in a field", p.text, p.sunken),
                ("caption on background", p.text_weak, p.background),
                ("caption on surface", p.text_weak, p.surface),
                ("caption in a field", p.text_weak, p.sunken),
                ("primary button", p.on_accent, p.accent),
                ("destructive button", p.on_destructive, p.destructive),
                ("link on surface", p.accent_text, p.surface),
                ("link on background", p.accent_text, p.background),
                ("success on surface", p.success, p.surface),
                ("warning on surface", p.warning, p.surface),
                ("error on surface", p.error, p.surface),
                ("error on background", p.error, p.background),
            ];
            for (what, fg, bg) in pairs {
                let ratio = contrast(fg, bg);
                assert!(ratio >= 4.5, "{name}: {what} is {ratio:.2}:1");
            }
        }
    }

    #[test]
    fn contrast_matches_wcag_reference_values() {
        assert!((contrast(Color32::BLACK, Color32::WHITE) - 21.0).abs() < 0.01);
        assert!((contrast(Color32::WHITE, Color32::WHITE) - 1.0).abs() < 0.01);
        // #767676 on white is WebAIM's smallest grey that passes AA: 4.54:1.
        let grey = Color32::from_rgb(0x76, 0x76, 0x76);
        assert!((contrast(grey, Color32::WHITE) - 4.54).abs() < 0.01);
    }
}
