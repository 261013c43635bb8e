//! The tenant URL: whatever a user pastes, reduced to the origin we call.

use std::fmt;
use std::net::IpAddr;

use reqwest::Url;

/// Where XC tenants live when the user types only the tenant name.
const DEFAULT_DOMAIN: &str = "console.ves.volterra.io";

/// Why a tenant URL was refused. Each says what was wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TenantUrlError {
    #[error("the tenant URL is empty: enter e.g. acme or https://acme.console.ves.volterra.io")]
    Empty,
    #[error("{0:?} is not a valid URL")]
    Invalid(String),
    #[error("{scheme}:// is not supported: use https://")]
    UnsupportedScheme { scheme: String },
    #[error("http:// is only allowed for this computer (localhost); use https://{host}")]
    InsecureHttp { host: String },
    #[error("the tenant URL must not contain a user name or password")]
    HasCredentials,
}

/// The origin (`scheme://host[:port]`) of an XC tenant. HTTPS, except loopback hosts.
#[derive(Clone, PartialEq, Eq)]
pub struct TenantUrl {
    origin: Url,
}

impl TenantUrl {
    /// Accepts `acme`, `acme.console.ves.volterra.io`, `https://acme.console.ves.volterra.io/`,
    /// `.../api` or any Console page URL, and keeps only the origin.
    pub fn parse(input: &str) -> Result<Self, TenantUrlError> {
        let text = input.trim();
        if text.is_empty() {
            return Err(TenantUrlError::Empty);
        }
        let with_scheme = if text.contains("://") {
            text.to_owned()
        } else if is_bare_tenant_name(text) {
            format!("https://{}.{DEFAULT_DOMAIN}", text.to_ascii_lowercase())
        } else {
            format!("https://{text}")
        };
        let url = Url::parse(&with_scheme).map_err(|_| TenantUrlError::Invalid(text.to_owned()))?;
        let host = url
            .host_str()
            .filter(|h| !h.is_empty())
            .ok_or_else(|| TenantUrlError::Invalid(text.to_owned()))?
            .to_owned();
        if !url.username().is_empty() || url.password().is_some() {
            return Err(TenantUrlError::HasCredentials);
        }
        match url.scheme() {
            "https" => {}
            "http" if is_loopback_host(&host) => {}
            "http" => return Err(TenantUrlError::InsecureHttp { host }),
            other => {
                return Err(TenantUrlError::UnsupportedScheme {
                    scheme: other.to_owned(),
                });
            }
        }
        let origin = Url::parse(&url.origin().ascii_serialization())
            .map_err(|_| TenantUrlError::Invalid(text.to_owned()))?;
        Ok(TenantUrl { origin })
    }

    /// `scheme://host[:port]`, with no trailing slash: what the user is shown.
    pub fn origin(&self) -> String {
        self.origin.origin().ascii_serialization()
    }

    pub fn host(&self) -> &str {
        self.origin.host_str().unwrap_or_default()
    }

    /// Whether the tenant is this computer (`localhost`, `127.0.0.0/8`, `::1`): such a tenant
    /// is never reached through a proxy.
    pub fn is_loopback(&self) -> bool {
        is_loopback_host(self.host())
    }

    /// The full URL of an API path on this tenant.
    pub fn endpoint(&self, path: &str) -> Url {
        let mut url = self.origin.clone();
        url.set_path(path);
        url
    }
}

impl fmt::Display for TenantUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.origin())
    }
}

impl fmt::Debug for TenantUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TenantUrl({})", self.origin())
    }
}

/// `acme`, `my-tenant`: a DNS label with no dot, port or path.
fn is_bare_tenant_name(text: &str) -> bool {
    !text.eq_ignore_ascii_case("localhost")
        && text.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        && !text.starts_with('-')
}

fn is_loopback_host(host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || bare.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn origin(input: &str) -> String {
        TenantUrl::parse(input)
            .map(|t| t.origin())
            .unwrap_or_else(|e| format!("error: {e}"))
    }

    #[test]
    fn pasted_forms_reduce_to_the_origin() {
        let want = "https://acme.console.ves.volterra.io";
        assert_eq!(origin("acme"), want);
        assert_eq!(origin("  ACME "), want);
        assert_eq!(origin("acme.console.ves.volterra.io"), want);
        assert_eq!(origin("https://acme.console.ves.volterra.io/"), want);
        assert_eq!(origin("https://acme.console.ves.volterra.io/api"), want);
        assert_eq!(
            origin("https://acme.console.ves.volterra.io/web/workspaces/administration?tab=1#x"),
            want
        );
        assert_eq!(
            origin("acme.demo1.volterra.us"),
            "https://acme.demo1.volterra.us"
        );
        assert_eq!(
            origin("https://example.com:8443/x"),
            "https://example.com:8443"
        );
    }

    #[test]
    fn http_only_for_loopback() {
        assert_eq!(origin("http://127.0.0.1:8700/"), "http://127.0.0.1:8700");
        assert_eq!(origin("http://localhost:8700"), "http://localhost:8700");
        assert_eq!(origin("http://[::1]:8700"), "http://[::1]:8700");
        assert_eq!(
            TenantUrl::parse("http://acme.console.ves.volterra.io"),
            Err(TenantUrlError::InsecureHttp {
                host: "acme.console.ves.volterra.io".into()
            })
        );
        assert!(matches!(
            TenantUrl::parse("ftp://acme.example.com"),
            Err(TenantUrlError::UnsupportedScheme { .. })
        ));
    }

    /// Only a lone DNS label is a tenant name: a leading hyphen, `localhost` or a dot is not.
    #[test]
    fn a_bare_name_is_a_tenant_only_when_it_is_one_label() {
        assert_eq!(
            origin("my-tenant"),
            "https://my-tenant.console.ves.volterra.io"
        );
        assert_eq!(
            origin("Tenant42"),
            "https://tenant42.console.ves.volterra.io"
        );
        assert_eq!(origin("localhost"), "https://localhost");
        assert_eq!(origin("LocalHost"), "https://localhost");
        assert!(
            !origin("-acme").contains(DEFAULT_DOMAIN),
            "{}",
            origin("-acme")
        );
        assert!(
            !origin("acme_corp").contains(DEFAULT_DOMAIN),
            "{}",
            origin("acme_corp")
        );
    }

    #[test]
    fn loopback_host_endpoint_and_debug() {
        let parse = |text: &str| TenantUrl::parse(text).expect(text);
        for loopback in [
            "http://localhost:1",
            "http://LOCALHOST:1",
            "http://127.0.0.1:1",
            "http://127.8.9.10",
            "http://[::1]:1",
        ] {
            assert!(parse(loopback).is_loopback(), "{loopback}");
        }
        for remote in ["acme", "https://10.0.0.1", "https://[2001:db8::1]"] {
            assert!(!parse(remote).is_loopback(), "{remote}");
        }
        let acme = parse("acme");
        assert_eq!(acme.host(), "acme.console.ves.volterra.io");
        assert_eq!(parse("http://[::1]:8700").host(), "[::1]");
        assert_eq!(
            acme.endpoint("/api/web/x").as_str(),
            "https://acme.console.ves.volterra.io/api/web/x"
        );
        assert_eq!(
            format!("{acme:?}"),
            "TenantUrl(https://acme.console.ves.volterra.io)"
        );
        assert_eq!(acme.to_string(), "https://acme.console.ves.volterra.io");
    }

    #[test]
    fn bad_input_is_named() {
        assert_eq!(TenantUrl::parse("  "), Err(TenantUrlError::Empty));
        for with_credentials in [
            "https://user:pw@acme.example.com",
            "https://user@acme.example.com",
            "https://:pw@acme.example.com",
        ] {
            assert_eq!(
                TenantUrl::parse(with_credentials),
                Err(TenantUrlError::HasCredentials),
                "{with_credentials}"
            );
        }
        assert!(matches!(
            TenantUrl::parse("https://"),
            Err(TenantUrlError::Invalid(_))
        ));
        assert!(matches!(
            TenantUrl::parse("acme corp"),
            Err(TenantUrlError::Invalid(_))
        ));
    }
}
