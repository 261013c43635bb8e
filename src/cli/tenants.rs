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
        context.save_settings();
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
            if settings.default_tenant.as_ref() == Some(t) {
                format!("{t} (default)")
            } else {
                t.clone()
            }
        })
        .collect();
    report.success(
        lines.join("\n"),
        json!({ "tenants": settings.tenants, "default": settings.default_tenant }),
    )
}
