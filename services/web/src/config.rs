//! web-service's settings. Like every service's (hearth_core::config): a
//! laptop default for each, and a bad one stops start-up with one line that
//! names the variable.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;

use hearth_core::config::{
    parse_duration, read, read_duration, read_parsed, AuthConfig, ConfigError, Env, HttpConfig,
};
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

    /// The service's own default port on a laptop (docs/architecture.md).
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
    /// `WEB_VISITOR_CACHE`: how long a visitor's public page is kept
    /// (visitor_cache.rs); `off`, never.
    pub visitor_cache: Option<Duration>,
    /// The shared HTTP edge: request timeout, header timeout, connection cap.
    pub http: HttpConfig,
    /// How a session's token is checked: as the APIs check it.
    pub auth: AuthConfig,
    /// The development sign-in's signing secret: only under `hearth up` with
    /// its public development secret, never when a real `JWT_SECRET` or a
    /// JWKS is configured (anyone could then sign in as anyone).
    pub dev_sign_in: Option<DevSignIn>,
    /// Supabase Auth, for signing in with email and password: both
    /// `SUPABASE_URL` and `SUPABASE_ANON_KEY`, or neither.
    pub supabase: Option<SupabaseAuth>,
}

/// Where Supabase Auth is and the project's public (anon) key, which every
/// call to it carries in `apikey`.
#[derive(Clone)]
pub struct SupabaseAuth {
    /// The project's URL (`https://abcd.supabase.co`); the API is under `/auth/v1`.
    pub url: Url,
    pub anon_key: String,
}

impl std::fmt::Debug for SupabaseAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SupabaseAuth")
            .field("url", &self.url.as_str())
            .finish_non_exhaustive()
    }
}

impl SupabaseAuth {
    /// Both variables or neither: a URL without its key could verify
    /// sessions but never start one, and a key alone names no server.
    fn from_env(env: &dyn Env) -> Result<Option<Self>, ConfigError> {
        let url = read(
            env,
            "SUPABASE_URL",
            || None,
            |raw| parse_service_url(raw).map(Some),
        )?;
        match (url, env.get("SUPABASE_ANON_KEY")) {
            (None, None) => Ok(None),
            (Some(url), Some(anon_key)) => Ok(Some(Self {
                url,
                anon_key: anon_key.trim().to_owned(),
            })),
            (Some(_), None) => Err(ConfigError::new(
                "SUPABASE_ANON_KEY",
                "missing; SUPABASE_URL is set, and signing in with Supabase Auth needs the project's anon (public) key too",
            )),
            (None, Some(_)) => Err(ConfigError::new(
                "SUPABASE_URL",
                "missing; SUPABASE_ANON_KEY is set, and signing in with Supabase Auth needs the project's URL such as https://abcd.supabase.co too",
            )),
        }
    }
}

/// The secret development tokens are minted with.
#[derive(Clone)]
pub struct DevSignIn {
    pub secret: String,
}

impl std::fmt::Debug for DevSignIn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DevSignIn { .. }")
    }
}

impl Config {
    /// `dev_jwt_secret` is what `hearth up` passes: with no `JWT_SECRET` and
    /// no JWKS configured, it signs and checks sessions, and turns on the
    /// development sign-in. `hearth web` passes `None`.
    pub fn from_env(env: &dyn Env, dev_jwt_secret: Option<&str>) -> Result<Self, ConfigError> {
        let host = read_parsed(
            env,
            "WEB_BIND",
            IpAddr::V4(Ipv4Addr::LOCALHOST),
            "an IP address such as 127.0.0.1 or 0.0.0.0",
        )?;
        let port = read_parsed(env, "WEB_PORT", DEFAULT_PORT, "a port number (0-65535)")?;
        let dev_sign_in = dev_sign_in(env, dev_jwt_secret)?;
        // Anyone who reaches the development sign-in may sign in as staff.
        if dev_sign_in.is_some() && !host.is_loopback() {
            return Err(ConfigError::new(
                "WEB_BIND",
                format!("{host} is reachable from other machines, but no JWT_SECRET is set and the development sign-in lets anyone sign in as staff; set JWT_SECRET"),
            ));
        }
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
            visitor_cache: read(
                env,
                "WEB_VISITOR_CACHE",
                || Some(Duration::from_secs(1)),
                |raw| match raw {
                    "off" => Ok(None),
                    raw => parse_duration(raw)
                        .map(Some)
                        .map_err(|e| format!("{e}, or off")),
                },
            )?,
            http: HttpConfig::from_env(env)?,
            dev_sign_in,
            supabase: SupabaseAuth::from_env(env)?,
            auth: AuthConfig::from_env(env, dev_jwt_secret)?,
        })
    }
}

/// The development secret, when it is the only key configured.
fn dev_sign_in(
    env: &dyn Env,
    dev_jwt_secret: Option<&str>,
) -> Result<Option<DevSignIn>, ConfigError> {
    let real_keys = env.get("JWT_SECRET").is_some()
        || env.get("JWT_JWKS_URL").is_some()
        || env.get("SUPABASE_URL").is_some();
    Ok(dev_jwt_secret
        .filter(|_| !real_keys)
        .map(|secret| DevSignIn {
            secret: secret.to_owned(),
        }))
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    const DEV: &str = "a-development-secret-of-32-characters-at-least";

    #[test]
    fn the_development_sign_in_is_off_with_real_keys() {
        let on = Config::from_env(&env(&[]), Some(DEV)).expect("config");
        assert!(on.dev_sign_in.is_some());
        for (var, value) in [
            ("JWT_SECRET", "a-real-secret-of-at-least-32-characters-long"),
            ("JWT_JWKS_URL", "https://auth.example/jwks.json"),
        ] {
            let config = Config::from_env(&env(&[(var, value)]), Some(DEV)).expect(var);
            assert!(config.dev_sign_in.is_none(), "{var}");
        }
        let supabase = env(&[
            ("SUPABASE_URL", "https://abcd.supabase.co"),
            ("SUPABASE_ANON_KEY", "anon-key"),
        ]);
        let config = Config::from_env(&supabase, Some(DEV)).expect("supabase");
        assert!(config.dev_sign_in.is_none());
        assert!(config.supabase.is_some());
        let serve = Config::from_env(
            &env(&[("JWT_SECRET", "a-real-secret-of-at-least-32-characters-long")]),
            None,
        )
        .expect("config");
        assert!(serve.dev_sign_in.is_none());
        assert!(Config::from_env(&env(&[]), None).is_err(), "no key at all");
        let public = Config::from_env(&env(&[("WEB_BIND", "0.0.0.0")]), Some(DEV));
        let err = public.expect_err("the development sign-in beyond loopback");
        assert_eq!(err.var, "WEB_BIND");
        let real = env(&[
            ("WEB_BIND", "0.0.0.0"),
            ("JWT_SECRET", "a-real-secret-of-at-least-32-characters-long"),
        ]);
        assert!(Config::from_env(&real, Some(DEV)).is_ok());
    }

    fn env(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn supabase_auth_needs_its_url_and_its_anon_key() {
        let none = Config::from_env(&env(&[]), Some(DEV)).expect("neither");
        assert!(none.supabase.is_none());
        let both = env(&[
            ("SUPABASE_URL", "https://abcd.supabase.co"),
            ("SUPABASE_ANON_KEY", "anon-key"),
        ]);
        let auth = Config::from_env(&both, None)
            .expect("both")
            .supabase
            .expect("on");
        assert_eq!(auth.url.as_str(), "https://abcd.supabase.co/");
        assert!(
            !format!("{auth:?}").contains("anon-key"),
            "the key stays out of logs"
        );
        let half = [
            (
                ("SUPABASE_URL", "https://abcd.supabase.co"),
                "SUPABASE_ANON_KEY: missing; SUPABASE_URL is set, and signing in with Supabase Auth needs the project's anon (public) key too",
            ),
            (
                ("SUPABASE_ANON_KEY", "anon-key"),
                "SUPABASE_URL: missing; SUPABASE_ANON_KEY is set, and signing in with Supabase Auth needs the project's URL such as https://abcd.supabase.co too",
            ),
        ];
        for ((var, value), line) in half {
            let err = Config::from_env(&env(&[(var, value)]), Some(DEV)).expect_err(var);
            assert_eq!(err.to_string(), line);
        }
        let bad = env(&[
            ("SUPABASE_URL", "abcd.supabase.co"),
            ("SUPABASE_ANON_KEY", "k"),
        ]);
        let err = Config::from_env(&bad, Some(DEV)).expect_err("a bad URL");
        assert_eq!(err.var, "SUPABASE_URL");
    }

    #[test]
    fn defaults_reach_the_laptop_ports() {
        let config = Config::from_env(&env(&[]), Some(DEV)).expect("defaults");
        assert_eq!(config.bind, "127.0.0.1:8080".parse().expect("addr"));
        assert_eq!(config.backends.donation.as_str(), "http://127.0.0.1:8082/");
        assert_eq!(config.backend_timeout, Duration::from_secs(3));
        assert_eq!(config.visitor_cache, Some(Duration::from_secs(1)));
        let off = Config::from_env(&env(&[("WEB_VISITOR_CACHE", "off")]), Some(DEV)).expect("off");
        assert_eq!(off.visitor_cache, None);
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
                "WEB_VISITOR_CACHE",
                "a while",
                "WEB_VISITOR_CACHE: expected a duration such as 5s or 10m, got \"a while\", or off",
            ),
            (
                "WEB_PUBLIC_URL",
                "hearth.example",
                "WEB_PUBLIC_URL: expected an http(s) URL, got \"hearth.example\"",
            ),
        ];
        for (var, value, line) in cases {
            let err = Config::from_env(&env(&[(var, value)]), Some(DEV)).expect_err(var);
            assert_eq!(err.to_string(), line);
            assert!(!line.contains('\n'));
        }
    }
}
