//! web-service's settings. Like every service's (hearth_core::config): a
//! laptop default for each, and a bad one stops start-up with one line that
//! names the variable.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;

use hearth_core::config::{read, read_duration, read_parsed, ConfigError, Env, HttpConfig};
use url::Url;

pub const DEFAULT_PORT: u16 = 8080;

/// The five services the site reads from, each by its public HTTP API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Campaign,
    Donation,
    Request,
    Messaging,
    Profile,
}

impl Backend {
    pub const ALL: [Backend; 5] = [
        Backend::Campaign,
        Backend::Donation,
        Backend::Request,
        Backend::Messaging,
        Backend::Profile,
    ];

    /// `CAMPAIGN_SERVICE_URL`, …: where the service's API is.
    pub fn url_var(self) -> &'static str {
        match self {
            Backend::Campaign => "CAMPAIGN_SERVICE_URL",
            Backend::Donation => "DONATION_SERVICE_URL",
            Backend::Request => "REQUEST_SERVICE_URL",
            Backend::Messaging => "MESSAGING_SERVICE_URL",
            Backend::Profile => "PROFILE_SERVICE_URL",
        }
    }

    /// The service's own default port on a laptop (ARCHITECTURE.md's table).
    fn default_url(self) -> &'static str {
        match self {
            Backend::Campaign => "http://127.0.0.1:8081",
            Backend::Donation => "http://127.0.0.1:8082",
            Backend::Request => "http://127.0.0.1:8083",
            Backend::Messaging => "http://127.0.0.1:8084",
            Backend::Profile => "http://127.0.0.1:8085",
        }
    }

    /// How a notice names what is missing: "Donations are unavailable right now".
    pub fn what_it_serves(self) -> &'static str {
        match self {
            Backend::Campaign => "Campaigns",
            Backend::Donation => "Donations",
            Backend::Request => "Requests",
            Backend::Messaging => "Messages and notifications",
            Backend::Profile => "Profiles and ratings",
        }
    }
}

/// Where each backend service's API is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackendUrls {
    pub campaign: Url,
    pub donation: Url,
    pub request: Url,
    pub messaging: Url,
    pub profile: Url,
}

impl BackendUrls {
    pub fn get(&self, backend: Backend) -> &Url {
        match backend {
            Backend::Campaign => &self.campaign,
            Backend::Donation => &self.donation,
            Backend::Request => &self.request,
            Backend::Messaging => &self.messaging,
            Backend::Profile => &self.profile,
        }
    }

    fn from_env(env: &dyn Env) -> Result<Self, ConfigError> {
        let url = |backend: Backend| {
            read(
                env,
                backend.url_var(),
                || Url::parse(backend.default_url()).expect("a valid default"),
                parse_service_url,
            )
        };
        Ok(Self {
            campaign: url(Backend::Campaign)?,
            donation: url(Backend::Donation)?,
            request: url(Backend::Request)?,
            messaging: url(Backend::Messaging)?,
            profile: url(Backend::Profile)?,
        })
    }
}

/// An `http://` or `https://` base URL; the API's paths are appended to it.
fn parse_service_url(raw: &str) -> Result<Url, String> {
    let url = Url::parse(raw).map_err(|_| format!("expected an http(s) URL, got {raw:?}"))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(format!("expected an http(s) URL, got {raw:?}"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(format!("expected a base URL without ? or #, got {raw:?}"));
    }
    Ok(url)
}

/// Everything web-service is configured with.
#[derive(Debug, Clone)]
pub struct Config {
    pub bind: SocketAddr,
    pub backends: BackendUrls,
    /// Where people reach the site (`https://hearth.example`), when it is
    /// not the address it listens on: share links name it, and an https one
    /// tells the site its cookies must be `Secure`. Unset: the request's host.
    pub public_url: Option<Url>,
    /// One call to a backend that takes longer becomes a notice on the page:
    /// a page waits for its slowest call, so this bounds how slow a page gets.
    pub backend_timeout: Duration,
    /// The shared HTTP edge: request timeout, header timeout, connection cap.
    pub http: HttpConfig,
}

impl Config {
    pub fn from_env(env: &dyn Env) -> Result<Self, ConfigError> {
        let host = read_parsed(
            env,
            "WEB_BIND",
            IpAddr::V4(Ipv4Addr::LOCALHOST),
            "an IP address such as 127.0.0.1 or 0.0.0.0",
        )?;
        let port = read_parsed(env, "WEB_PORT", DEFAULT_PORT, "a port number (0-65535)")?;
        Ok(Self {
            bind: SocketAddr::new(host, port),
            backends: BackendUrls::from_env(env)?,
            public_url: read(
                env,
                "WEB_PUBLIC_URL",
                || None,
                |raw| parse_service_url(raw).map(Some),
            )?,
            backend_timeout: read_duration(env, "WEB_BACKEND_TIMEOUT", Duration::from_secs(3))?,
            http: HttpConfig::from_env(env)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn env(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn defaults_reach_the_laptop_ports() {
        let config = Config::from_env(&env(&[])).expect("defaults");
        assert_eq!(config.bind, "127.0.0.1:8080".parse().expect("addr"));
        assert_eq!(config.backends.donation.as_str(), "http://127.0.0.1:8082/");
        assert_eq!(config.backend_timeout, Duration::from_secs(3));
    }

    #[test]
    fn a_bad_setting_is_one_line_naming_it() {
        let cases = [
            (
                "WEB_PORT",
                "80a",
                "WEB_PORT: expected a port number (0-65535), got \"80a\"",
            ),
            (
                "WEB_BIND",
                "localhost",
                "WEB_BIND: expected an IP address such as 127.0.0.1 or 0.0.0.0, got \"localhost\"",
            ),
            (
                "CAMPAIGN_SERVICE_URL",
                "ftp://x",
                "CAMPAIGN_SERVICE_URL: expected an http(s) URL, got \"ftp://x\"",
            ),
            (
                "PROFILE_SERVICE_URL",
                "nonsense",
                "PROFILE_SERVICE_URL: expected an http(s) URL, got \"nonsense\"",
            ),
            (
                "WEB_BACKEND_TIMEOUT",
                "0s",
                "WEB_BACKEND_TIMEOUT: must be above zero, got \"0s\"",
            ),
            (
                "WEB_PUBLIC_URL",
                "hearth.example",
                "WEB_PUBLIC_URL: expected an http(s) URL, got \"hearth.example\"",
            ),
        ];
        for (var, value, line) in cases {
            let err = Config::from_env(&env(&[(var, value)])).expect_err(var);
            assert_eq!(err.to_string(), line);
            assert!(!line.contains('\n'));
        }
    }
}
