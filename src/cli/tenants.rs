//! `tenants [--default URL]`: the tenants set up, and which one is the default.

use serde_json::json;

use super::args::TenantsArgs;
use super::context::Context;
use super::report::Report;
use crate::TenantUrl;
use crate::exit::Exit;
use crate::messages;

pub fn tenants(args: &TenantsArgs, report: &Report) -> Exit {
    let mut context = Context::load();
    if let Some(text) = args.default.as_deref() {
        let tenant = match TenantUrl::parse(text) {
            Ok(tenant) => tenant,
            Err(err) => return report.usage(err.to_string()),
        };
        context.settings.set_default(&tenant);
        // Said to be the default only once that is written down.
        if let Err(why) = context.save_settings_or_say_why() {
            return report.failure(
                Exit::Usage,
                "settings_not_saved",
                messages::default_not_saved(&tenant, &why),
                json!({ "tenant": tenant.origin() }),
            );
        }
        return report.success(
            messages::now_default(&tenant),
            json!({ "default": tenant.origin() }),
        );
    }
    let settings = &context.settings;
    if settings.tenants.is_empty() {
        return report.success(
            messages::no_tenants_yet().into(),
            json!({ "tenants": [], "default": null }),
        );
    }
    let lines: Vec<String> = settings
        .tenants
        .iter()
        .map(|t| {
            // Names read from settings.json, shown as such: nothing in one can reach the
            // terminal as anything but text on its own line.
            let name = crate::clean::terminal_safe(t);
            if settings.default_tenant.as_ref() == Some(t) {
                format!("{name} (default)")
            } else {
                name
            }
        })
        .collect();
    report.success(
        lines.join("\n"),
        json!({ "tenants": settings.tenants, "default": settings.default_tenant }),
    )
}
