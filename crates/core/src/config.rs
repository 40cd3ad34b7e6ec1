//! Configuration from the environment (docs/architecture.md, "Configuration").
//!
//! Every setting has a laptop default. A missing or malformed one is a
//! [`ConfigError`] whose `Display` is the one line the program prints before it
//! stops: the variable's name and what was wrong with it.

use std::collections::HashMap;
use std::fmt::Display;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::num::{NonZeroU32, NonZeroUsize};
use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::PgConnectOptions;

pub const DEFAULT_MAIN_DATABASE_URL: &str = "postgres://postgres@127.0.0.1:5432/hearth_main";
pub const DEFAULT_CAMPAIGN_DATABASE_URL: &str =
    "postgres://postgres@127.0.0.1:5432/hearth_campaign";
pub const DEFAULT_RABBITMQ_URL: &str = "amqp://guest:guest@127.0.0.1:5672/%2f";

/// Supabase JWT secrets are at least 32 characters; a shorter HS256 key is
/// guessable, so we refuse it rather than run with it.
const MIN_JWT_SECRET_LEN: usize = 32;

/// A setting that stops start-up, e.g. `CAMPAIGN_PORT: expected a port number, got "80a"`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{var}: {problem}")]
pub struct ConfigError {
    pub var: String,
    pub problem: String,
}

impl ConfigError {
    pub fn new(var: impl Into<String>, problem: impl Into<String>) -> Self {
        Self {
            var: var.into(),
            problem: problem.into(),
        }
    }
}

/// Where settings come from. The process environment in production; a map in
/// tests, so that tests never mutate the shared process environment.
pub trait Env {
    fn get(&self, var: &str) -> Option<String>;
}

#[derive(Debug, Clone, Copy, Default)]
pub struct ProcessEnv;

impl Env for ProcessEnv {
    fn get(&self, var: &str) -> Option<String> {
        // An empty variable is treated as unset: `FOO= hearth up` should mean "default".
        std::env::var(var).ok().filter(|v| !v.is_empty())
    }
}

impl Env for HashMap<String, String> {
    fn get(&self, var: &str) -> Option<String> {
        HashMap::get(self, var).cloned()
    }
}

/// Reads `var`, parsing it with `parse`, or returns `default` when unset.
pub fn read<T, E: Display>(
    env: &dyn Env,
    var: &str,
    default: impl FnOnce() -> T,
    parse: impl FnOnce(&str) -> Result<T, E>,
) -> Result<T, ConfigError> {
    match env.get(var) {
        None => Ok(default()),
        Some(raw) => parse(raw.trim()).map_err(|e| ConfigError::new(var, e.to_string())),
    }
}

/// Reads a `FromStr` value, with a message that shows what was given.
pub fn read_parsed<T: FromStr>(
    env: &dyn Env,
    var: &str,
    default: T,
    expected: &str,
) -> Result<T, ConfigError> {
    read(
        env,
        var,
        || default,
        |raw| {
            raw.parse::<T>()
                .map_err(|_| format!("expected {expected}, got {raw:?}"))
        },
    )
}

/// Durations are written the way people say them: `500ms`, `5s`, `10m`, `24h`.
pub fn read_duration(env: &dyn Env, var: &str, default: Duration) -> Result<Duration, ConfigError> {
    read(env, var, || default, parse_duration)
}

/// Every duration setting is a timeout, an interval or a retention: zero
/// would time out at once, spin, or forget at once, so it is refused.
pub fn parse_duration(raw: &str) -> Result<Duration, String> {
    match humantime::parse_duration(raw) {
        Ok(duration) if duration.is_zero() => Err(format!("must be above zero, got {raw:?}")),
        Ok(duration) => Ok(duration),
        Err(_) => Err(format!(
            "expected a duration such as 5s or 10m, got {raw:?}"
        )),
    }
}

/// Which of the two PostgreSQL databases a service's data lives in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Database {
    Main,
    Campaign,
}

impl Database {
    pub fn url_var(self) -> &'static str {
        match self {
            Database::Main => "MAIN_DATABASE_URL",
            Database::Campaign => "CAMPAIGN_DATABASE_URL",
        }
    }

    pub fn default_url(self) -> &'static str {
        match self {
            Database::Main => DEFAULT_MAIN_DATABASE_URL,
            Database::Campaign => DEFAULT_CAMPAIGN_DATABASE_URL,
        }
    }

    /// The database's URL, from its variable or the laptop default.
    pub fn url(self, env: &dyn Env) -> Result<String, ConfigError> {
        read(
            env,
            self.url_var(),
            || self.default_url().to_owned(),
            parse_database_url,
        )
    }
}

/// What the platform knows about one service before it starts (docs/architecture.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServiceSpec {
    /// `campaign`, `donation`, …: names its schema, its queue and its variables.
    pub name: &'static str,
    pub default_port: u16,
    pub database: Database,
}

impl ServiceSpec {
    /// The prefix of this service's own variables: `CAMPAIGN_PORT`, `CAMPAIGN_BIND`, …
    pub fn var(&self, suffix: &str) -> String {
        format!("{}_{suffix}", self.name.to_uppercase())
    }

    /// The service's schema in its database; always the service's name.
    pub fn schema(&self) -> &'static str {
        self.name
    }

    /// `<SERVICE>_RABBITMQ_URL` (the service's own broker user) wins over
    /// the shared `RABBITMQ_URL`.
    pub fn rabbitmq_url(&self, env: &dyn Env) -> Result<String, ConfigError> {
        let own = self.var("RABBITMQ_URL");
        match env.get(&own) {
            Some(raw) => parse_rabbitmq_url(raw.trim()).map_err(|e| ConfigError::new(own, e)),
            None => rabbitmq_url(env),
        }
    }

    /// `<SERVICE>_DATABASE_URL` wins over the shared database's URL.
    pub fn database_url(&self, env: &dyn Env) -> Result<String, ConfigError> {
        let own = self.var("DATABASE_URL");
        match env.get(&own) {
            Some(raw) => parse_database_url(raw.trim()).map_err(|e| ConfigError::new(own, e)),
            None => self.database.url(env),
        }
    }
}

/// A `postgres://` or `postgresql://` URL that sqlx can connect with.
pub fn parse_database_url(raw: &str) -> Result<String, String> {
    if !(raw.starts_with("postgres://") || raw.starts_with("postgresql://")) {
        return Err("not a PostgreSQL URL (expected postgres://…)".to_owned());
    }
    PgConnectOptions::from_str(raw)
        .map(|_| raw.to_owned())
        .map_err(|e| format!("not a PostgreSQL URL ({e})"))
}

/// An `amqp://` or `amqps://` URL naming a host (and, if any, a numeric
/// port): what the broker link connects to.
fn parse_rabbitmq_url(raw: &str) -> Result<String, String> {
    let url = url::Url::parse(raw).map_err(|e| format!("not an AMQP URL ({e})"))?;
    if !matches!(url.scheme(), "amqp" | "amqps") {
        return Err(format!(
            "not an AMQP URL (expected amqp:// or amqps://, got {}:)",
            url.scheme()
        ));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err("not an AMQP URL (it names no host)".to_owned());
    }
    Ok(raw.to_owned())
}

/// The user a broker URL logs in as (AMQP's default, `guest`, when it names none).
pub fn rabbitmq_user(url: &str) -> String {
    url::Url::parse(url)
        .ok()
        .map(|url| {
            percent_encoding::percent_decode_str(url.username())
                .decode_utf8_lossy()
                .into_owned()
        })
        .filter(|user| !user.is_empty())
        .unwrap_or_else(|| "guest".to_owned())
}

/// Whether a consumer checks that each event was published by the broker
/// user of the service the catalogue names as its producer
/// (`RABBITMQ_CHECK_PUBLISHERS`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PublisherCheck {
    /// On when the service connects as its own per-service user
    /// (`<prefix><service>`, as `hearth broker users` makes them); off on a
    /// shared user such as `hearth up`'s `guest`.
    Auto,
    /// Always; a service that does not connect as its own user does not start.
    On,
    /// Never: for the switch from a shared user to per-service users.
    Off,
}

impl FromStr for PublisherCheck {
    type Err = String;

    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        match raw {
            "auto" => Ok(PublisherCheck::Auto),
            "on" => Ok(PublisherCheck::On),
            "off" => Ok(PublisherCheck::Off),
            other => Err(format!("expected auto, on or off, got {other:?}")),
        }
    }
}

impl PublisherCheck {
    /// Reads `RABBITMQ_CHECK_PUBLISHERS`; `on` needs `spec` to connect
    /// with `url` as its own user.
    fn from_env(env: &dyn Env, spec: ServiceSpec, url: &str) -> Result<Self, ConfigError> {
        let var = "RABBITMQ_CHECK_PUBLISHERS";
        let check = read(env, var, || PublisherCheck::Auto, str::parse)?;
        let user = rabbitmq_user(url);
        if check == PublisherCheck::On && !user.ends_with(spec.name) {
            return Err(ConfigError::new(
                var,
                format!(
                    "on, but {}-service connects to RabbitMQ as {user:?}, not as its own user \
                     (such as hearth_{}); set {}",
                    spec.name,
                    spec.name,
                    spec.var("RABBITMQ_URL")
                ),
            ));
        }
        Ok(check)
    }
}

/// Which browser origins may call the API. Bearer tokens travel in a header,
/// not a cookie, so `*` is safe; the default is still "none" so that opening
/// the API to browsers is a decision someone made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CorsOrigins {
    None,
    Any,
    List(Vec<String>),
}

impl FromStr for CorsOrigins {
    type Err = String;

    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        match raw.trim() {
            "" => Ok(CorsOrigins::None),
            "*" => Ok(CorsOrigins::Any),
            list => {
                let origins: Vec<String> = list.split(',').map(|o| o.trim().to_owned()).collect();
                match origins.iter().find(|o| !is_origin(o)) {
                    Some(bad) => Err(format!(
                        "expected *, or origins such as https://app.example separated by commas, got {bad:?}"
                    )),
                    None => Ok(CorsOrigins::List(origins)),
                }
            }
        }
    }
}

/// What a browser sends in `Origin`: a scheme and a host with an optional
/// port, nothing after it. `https://app.example/` would never match one.
fn is_origin(origin: &str) -> bool {
    let host = origin
        .strip_prefix("https://")
        .or_else(|| origin.strip_prefix("http://"));
    host.is_some_and(|host| {
        !host.is_empty() && host.chars().all(|c| c.is_ascii_graphic() && c != '/')
    })
}

/// Settings of the HTTP stack shared by every service.
#[derive(Debug, Clone)]
pub struct HttpConfig {
    /// A request that runs longer is answered 503 and its work dropped.
    pub request_timeout: Duration,
    pub cors: CorsOrigins,
    /// A connection that has not sent a request's headers within this is
    /// closed; also how long an idle keep-alive connection is kept.
    pub header_timeout: Duration,
    /// Connections served at once; further ones wait in the kernel's backlog.
    pub max_connections: NonZeroUsize,
    pub write_limit: WriteLimit,
}

/// Connections one service serves at once by default: each costs a task,
/// its buffers (a few KiB) and a file descriptor, and with 5 services in one
/// process (`hearth up`) that stays well under a usual `ulimit -n` of 8192+;
/// far more than a 10-connection database pool can keep busy, so only idle or
/// hostile connections ever wait.
pub const DEFAULT_MAX_CONNECTIONS: NonZeroUsize = NonZeroUsize::new(1024).expect("not zero");

/// Writes one person may make by default: generous (20 a second, 300 at
/// once) so that no human and no test or benchmark meets it; a flood does.
pub const DEFAULT_WRITE_RATE: Rate = Rate::Every {
    count: NonZeroU32::new(1200).expect("not zero"),
    per: Duration::from_secs(60),
};
pub const DEFAULT_WRITE_BURST: NonZeroU32 = NonZeroU32::new(300).expect("not zero");

impl HttpConfig {
    pub fn from_env(env: &dyn Env) -> Result<Self, ConfigError> {
        Ok(Self {
            request_timeout: read(
                env,
                "HTTP_REQUEST_TIMEOUT",
                || Duration::from_secs(30),
                parse_request_timeout,
            )?,
            cors: read(
                env,
                "CORS_ALLOWED_ORIGINS",
                || CorsOrigins::None,
                str::parse,
            )?,
            header_timeout: read_duration(env, "HTTP_HEADER_TIMEOUT", Duration::from_secs(10))?,
            max_connections: read(
                env,
                "HTTP_MAX_CONNECTIONS",
                || DEFAULT_MAX_CONNECTIONS,
                parse_max_connections,
            )?,
            write_limit: WriteLimit::new(
                read(
                    env,
                    "RATE_LIMIT_WRITES",
                    || DEFAULT_WRITE_RATE,
                    str::parse::<Rate>,
                )?,
                read(
                    env,
                    "RATE_LIMIT_BURST",
                    || DEFAULT_WRITE_BURST,
                    |raw| {
                        raw.parse::<NonZeroU32>().map_err(|_| {
                            format!("expected a whole number of writes, at least 1, got {raw:?}")
                        })
                    },
                )?,
            ),
        })
    }
}

/// A cap of 0 would serve nobody; above 65 536 it would outrun the file
/// descriptors and ports of any one process.
fn parse_max_connections(raw: &str) -> Result<NonZeroUsize, String> {
    match raw.parse::<usize>() {
        Ok(n @ 1..=65_536) => NonZeroUsize::new(n).ok_or_else(String::new),
        _ => Err(format!("expected a number from 1 to 65536, got {raw:?}")),
    }
}

/// An `Idempotency-Key` claim this old without an answer belonged to a
/// request that died (crate::idempotency): another copy may take over.
pub const STALE_CLAIM: Duration = Duration::from_secs(60);

/// A request must end well before its `Idempotency-Key` claim counts as
/// abandoned and another copy of it may take over.
fn parse_request_timeout(raw: &str) -> Result<Duration, String> {
    let timeout = parse_duration(raw)?;
    if timeout >= STALE_CLAIM {
        return Err(format!(
            "must be under {} (an unanswered Idempotency-Key claim is taken over then), got {raw:?}",
            humantime::format_duration(STALE_CLAIM)
        ));
    }
    Ok(timeout)
}

/// Settings of the event flow (docs/events.md).
#[derive(Debug, Clone)]
pub struct EventsConfig {
    /// Prefix of every exchange and queue name: `hearth.events`, `hearth.campaign`.
    pub namespace: String,
    /// The delay before each retry of a failed handling; after the last, the dead queue.
    pub retry_delays: Vec<Duration>,
    /// How long published outbox rows are kept.
    pub outbox_retention: Duration,
    /// How long handled event ids are remembered. Keep it well above the
    /// sum of the retry delays: an id forgotten is a redelivery not recognised.
    pub inbox_retention: Duration,
    /// Deliveries each consumer handles at once; 1 handles them in queue order.
    pub concurrency: usize,
}

impl EventsConfig {
    pub fn from_env(env: &dyn Env) -> Result<Self, ConfigError> {
        Ok(Self {
            namespace: read(
                env,
                "BUS_NAMESPACE",
                || "hearth".to_owned(),
                parse_namespace,
            )?,
            retry_delays: read(
                env,
                "EVENT_RETRY_DELAYS",
                || [1, 5, 30, 120, 600].map(Duration::from_secs).to_vec(),
                parse_delays,
            )?,
            outbox_retention: read_duration(
                env,
                "OUTBOX_RETENTION",
                Duration::from_secs(24 * 3600),
            )?,
            inbox_retention: read_duration(
                env,
                "INBOX_RETENTION",
                Duration::from_secs(7 * 24 * 3600),
            )?,
            concurrency: read(env, "EVENT_CONCURRENCY", || 8, parse_concurrency)?,
        })
    }
}

fn parse_namespace(raw: &str) -> Result<String, String> {
    let ok = !raw.is_empty()
        && raw
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '-' | '_'));
    if ok {
        Ok(raw.to_owned())
    } else {
        Err(format!(
            "expected lower-case letters, digits, '.', '-' or '_', got {raw:?}"
        ))
    }
}

fn parse_concurrency(raw: &str) -> Result<usize, String> {
    match raw.parse::<usize>() {
        Ok(n) if (1..=256).contains(&n) => Ok(n),
        _ => Err(format!("expected a number from 1 to 256, got {raw:?}")),
    }
}

fn parse_delays(raw: &str) -> Result<Vec<Duration>, String> {
    raw.split(',')
        .map(|d| humantime::parse_duration(d.trim()))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|_| {
            format!("expected durations separated by commas such as 1s,5s,30s, got {raw:?}")
        })
}

/// Settings of one service's database pool.
#[derive(Clone)]
pub struct DatabaseConfig {
    pub url: String,
    pub max_connections: u32,
    /// How long a request waits for a pooled connection before it is answered 503.
    pub acquire_timeout: Duration,
}

/// The URL's password stays out of any `{:?}` of the settings.
impl std::fmt::Debug for DatabaseConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DatabaseConfig")
            .field("url", &redacted_url(&self.url))
            .field("max_connections", &self.max_connections)
            .field("acquire_timeout", &self.acquire_timeout)
            .finish()
    }
}

/// Everything one service needs to start.
#[derive(Debug, Clone)]
pub struct ServiceConfig {
    pub spec: ServiceSpec,
    pub bind: SocketAddr,
    pub database: DatabaseConfig,
    /// `<SERVICE>_RABBITMQ_URL`, or the shared `RABBITMQ_URL`.
    pub rabbitmq_url: String,
    pub publisher_check: PublisherCheck,
    pub auth: AuthConfig,
    pub http: HttpConfig,
    pub events: EventsConfig,
}

impl ServiceConfig {
    /// Reads one service's settings. `dev_jwt_secret` is what `hearth up` passes
    /// so that a newcomer needs no secret; `hearth serve` passes `None`, and
    /// then neither `JWT_SECRET` nor a JWKS stops it.
    pub fn from_env(
        env: &dyn Env,
        spec: ServiceSpec,
        dev_jwt_secret: Option<&str>,
    ) -> Result<Self, ConfigError> {
        let host = read_parsed(
            env,
            &spec.var("BIND"),
            IpAddr::V4(Ipv4Addr::LOCALHOST),
            "an IP address such as 127.0.0.1 or 0.0.0.0",
        )?;
        let port = read_parsed(
            env,
            &spec.var("PORT"),
            spec.default_port,
            "a port number (0-65535)",
        )?;
        let rabbitmq_url = spec.rabbitmq_url(env)?;
        Ok(Self {
            spec,
            bind: SocketAddr::new(host, port),
            database: DatabaseConfig {
                url: spec.database_url(env)?,
                max_connections: read(
                    env,
                    "DATABASE_MAX_CONNECTIONS",
                    || 10,
                    |raw| match raw.parse::<u32>() {
                        Ok(0) => Err(format!("must be at least 1, got {raw:?}")),
                        Ok(n) => Ok(n),
                        Err(_) => Err(format!(
                            "expected a whole number of connections, got {raw:?}"
                        )),
                    },
                )?,
                acquire_timeout: read_duration(
                    env,
                    "DATABASE_ACQUIRE_TIMEOUT",
                    Duration::from_secs(5),
                )?,
            },
            publisher_check: PublisherCheck::from_env(env, spec, &rabbitmq_url)?,
            rabbitmq_url,
            auth: AuthConfig::from_env(env, dev_jwt_secret)?,
            http: HttpConfig::from_env(env)?,
            events: EventsConfig::from_env(env)?,
        })
    }
}

pub fn rabbitmq_url(env: &dyn Env) -> Result<String, ConfigError> {
    read(
        env,
        "RABBITMQ_URL",
        || DEFAULT_RABBITMQ_URL.to_owned(),
        parse_rabbitmq_url,
    )
}

pub fn jwt_secret(env: &dyn Env, dev_default: Option<&str>) -> Result<String, ConfigError> {
    optional_jwt_secret(env, dev_default)?.ok_or_else(|| {
        ConfigError::new(
            "JWT_SECRET",
            "missing; set it to your Supabase project's JWT secret",
        )
    })
}

fn optional_jwt_secret(
    env: &dyn Env,
    dev_default: Option<&str>,
) -> Result<Option<String>, ConfigError> {
    let secret = env
        .get("JWT_SECRET")
        .or_else(|| dev_default.map(str::to_owned));
    secret
        .map(|secret| long_enough("JWT_SECRET", secret))
        .transpose()
}

/// A shorter HS256 key is guessable, so we refuse it rather than run with it.
fn long_enough(var: &str, secret: String) -> Result<String, ConfigError> {
    if secret.len() < MIN_JWT_SECRET_LEN {
        return Err(ConfigError::new(
            var,
            format!("must be at least {MIN_JWT_SECRET_LEN} characters"),
        ));
    }
    Ok(secret)
}

/// How tokens are checked (docs/conventions.md, "Authentication"): user
/// tokens with `JWT_SECRET` (HS256) and/or the JWKS, and the scoped tokens
/// services send each other with `SERVICE_TOKEN_SECRET`.
#[derive(Clone)]
pub struct AuthConfig {
    /// `JWT_SECRET`, or the development secret under `hearth up`.
    pub jwt_secret: Option<String>,
    /// `JWT_JWKS_URL`, or `<SUPABASE_URL>/auth/v1/.well-known/jwks.json`.
    pub jwks_url: Option<reqwest::Url>,
    /// `SERVICE_TOKEN_SECRET`, else the JWT secret.
    pub service_token_secret: Option<String>,
}

impl std::fmt::Debug for AuthConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthConfig")
            .field("jwt_secret", &self.jwt_secret.as_ref().map(|_| ".."))
            .field(
                "jwks_url",
                &self.jwks_url.as_ref().map(reqwest::Url::as_str),
            )
            .field(
                "service_token_secret",
                &self.service_token_secret.as_ref().map(|_| ".."),
            )
            .finish()
    }
}

/// Where Supabase Auth publishes a project's signing keys.
const SUPABASE_JWKS_PATH: &str = "/auth/v1/.well-known/jwks.json";

impl AuthConfig {
    /// Either `JWT_SECRET` or a JWKS may be configured alone; neither stops
    /// start-up (under `hearth up`, `dev_jwt_secret` is always there).
    pub fn from_env(env: &dyn Env, dev_jwt_secret: Option<&str>) -> Result<Self, ConfigError> {
        let jwt_secret = optional_jwt_secret(env, dev_jwt_secret)?;
        let jwks_url = jwks_url(env)?;
        if jwt_secret.is_none() && jwks_url.is_none() {
            return Err(ConfigError::new(
                "JWT_SECRET",
                "missing; set it to your Supabase project's JWT secret (HS256), or set SUPABASE_URL or JWT_JWKS_URL (asymmetric keys), or both",
            ));
        }
        let service_token_secret = match env.get("SERVICE_TOKEN_SECRET") {
            Some(secret) => Some(long_enough("SERVICE_TOKEN_SECRET", secret)?),
            None => jwt_secret.clone(),
        };
        Ok(Self {
            jwt_secret,
            jwks_url,
            service_token_secret,
        })
    }

    /// The secret of the scoped tokens services send each other, for a
    /// service that signs or checks them (messaging-service, donation-service).
    pub fn require_service_token_secret(&self) -> Result<&str, ConfigError> {
        self.service_token_secret.as_deref().ok_or_else(|| {
            ConfigError::new(
                "SERVICE_TOKEN_SECRET",
                "missing; messaging-service and donation-service sign and check their calls with it (it defaults to JWT_SECRET, which is unset); give both the same value of at least 32 characters",
            )
        })
    }
}

fn jwks_url(env: &dyn Env) -> Result<Option<reqwest::Url>, ConfigError> {
    if let Some(raw) = env.get("JWT_JWKS_URL") {
        return parse_web_url(raw.trim())
            .map(Some)
            .map_err(|e| ConfigError::new("JWT_JWKS_URL", e));
    }
    match env.get("SUPABASE_URL") {
        None => Ok(None),
        Some(raw) => {
            let base = raw.trim().trim_end_matches('/');
            parse_web_url(&format!("{base}{SUPABASE_JWKS_PATH}"))
                .map(Some)
                .map_err(|_| {
                    ConfigError::new(
                        "SUPABASE_URL",
                        format!(
                            "expected your project's URL such as https://abcd.supabase.co, got {raw:?}"
                        ),
                    )
                })
        }
    }
}

fn parse_web_url(raw: &str) -> Result<reqwest::Url, String> {
    match reqwest::Url::parse(raw) {
        Ok(url) if matches!(url.scheme(), "http" | "https") && url.host().is_some() => Ok(url),
        _ => Err(format!(
            "expected an http(s) URL such as https://abcd.supabase.co{SUPABASE_JWKS_PATH}, got {raw:?}"
        )),
    }
}

/// How many writes a person may make: `count` per `per` on average, and up
/// to `burst` at once after a pause.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteLimit {
    Off,
    On {
        count: NonZeroU32,
        per: Duration,
        burst: NonZeroU32,
    },
}

/// A rate as an operator writes it: `600/min`, `10/s`, `5000/h`, or `off`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rate {
    Off,
    Every { count: NonZeroU32, per: Duration },
}

impl FromStr for Rate {
    type Err = String;

    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        if raw == "off" {
            return Ok(Rate::Off);
        }
        let expected =
            || format!("expected a rate such as 600/min, 10/s or 5000/h, or off; got {raw:?}");
        let (count, unit) = raw.split_once('/').ok_or_else(expected)?;
        let count = count.trim().parse::<NonZeroU32>().map_err(|_| expected())?;
        let per = match unit.trim() {
            "s" | "sec" | "second" => Duration::from_secs(1),
            "m" | "min" | "minute" => Duration::from_secs(60),
            "h" | "hour" => Duration::from_secs(3600),
            _ => return Err(expected()),
        };
        Ok(Rate::Every { count, per })
    }
}

impl WriteLimit {
    pub fn new(rate: Rate, burst: NonZeroU32) -> Self {
        match rate {
            Rate::Off => WriteLimit::Off,
            Rate::Every { count, per } => WriteLimit::On { count, per, burst },
        }
    }
}

/// A database URL fit for a log line or a message: its password, in the
/// user part or as a `password=` parameter, is replaced by `***`. Every place
/// that shows a database URL shows it through this.
pub fn redacted_url(url: &str) -> String {
    let Ok(mut parsed) = url::Url::parse(url) else {
        // Cannot tell where a password would be, so show nothing of it.
        return "(a database URL that does not parse)".to_owned();
    };
    if parsed.password().is_some() {
        // Only fails for URLs without a host, which PostgreSQL URLs have.
        let _ = parsed.set_password(Some(REDACTED));
    }
    if parsed.query_pairs().any(|(key, _)| key == "password") {
        let pairs: Vec<(String, String)> = parsed
            .query_pairs()
            .map(|(key, value)| {
                let value = if key == "password" {
                    REDACTED.to_owned()
                } else {
                    value.into_owned()
                };
                (key.into_owned(), value)
            })
            .collect();
        parsed.query_pairs_mut().clear().extend_pairs(pairs);
    }
    parsed.to_string()
}

const REDACTED: &str = "***";

#[cfg(test)]
mod tests {
    use super::*;

    const CAMPAIGN: ServiceSpec = ServiceSpec {
        name: "campaign",
        default_port: 8081,
        database: Database::Campaign,
    };

    fn env(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    const SECRET: &str = "a-secret-of-at-least-thirty-two-characters";

    #[test]
    fn defaults_match_the_architecture_table() {
        let config = ServiceConfig::from_env(&env(&[("JWT_SECRET", SECRET)]), CAMPAIGN, None)
            .expect("defaults are valid");
        assert_eq!(config.bind, "127.0.0.1:8081".parse().expect("addr"));
        assert_eq!(config.database.url, DEFAULT_CAMPAIGN_DATABASE_URL);
        assert_eq!(config.rabbitmq_url, DEFAULT_RABBITMQ_URL);
        assert_eq!(config.http.cors, CorsOrigins::None);
        assert_eq!(config.http.header_timeout, Duration::from_secs(10));
        assert_eq!(config.http.max_connections.get(), 1024);
        assert_eq!(
            config.http.write_limit,
            WriteLimit::On {
                count: NonZeroU32::new(1200).expect("1200"),
                per: Duration::from_secs(60),
                burst: NonZeroU32::new(300).expect("300"),
            }
        );
    }

    #[test]
    fn a_database_password_stays_out_of_debug_output() {
        let config = ServiceConfig::from_env(
            &env(&[
                ("JWT_SECRET", SECRET),
                (
                    "CAMPAIGN_DATABASE_URL",
                    "postgres://hearth:hunter2@db/campaign",
                ),
            ]),
            CAMPAIGN,
            None,
        )
        .expect("valid");
        let shown = format!("{:?}", config.database);
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("db/campaign"), "{shown}");
    }

    #[test]
    fn the_write_limit_can_be_turned_off() {
        let config = ServiceConfig::from_env(
            &env(&[("JWT_SECRET", SECRET), ("RATE_LIMIT_WRITES", "off")]),
            CAMPAIGN,
            None,
        )
        .expect("valid");
        assert_eq!(config.http.write_limit, WriteLimit::Off);
    }

    #[test]
    fn a_service_database_url_wins_over_the_shared_one() {
        let config = ServiceConfig::from_env(
            &env(&[
                ("JWT_SECRET", SECRET),
                ("CAMPAIGN_DATABASE_URL", "postgres://a@h/shared"),
                ("MAIN_DATABASE_URL", "postgres://a@h/main"),
            ]),
            CAMPAIGN,
            None,
        )
        .expect("valid");
        assert_eq!(config.database.url, "postgres://a@h/shared");
    }

    #[test]
    fn each_malformed_setting_names_its_variable() {
        let cases = [
            (
                "CAMPAIGN_PORT",
                "80a",
                "CAMPAIGN_PORT: expected a port number",
            ),
            (
                "CAMPAIGN_BIND",
                "localhost:1",
                "CAMPAIGN_BIND: expected an IP address",
            ),
            (
                "CAMPAIGN_DATABASE_URL",
                "mysql://x",
                "CAMPAIGN_DATABASE_URL: not a PostgreSQL URL",
            ),
            ("RABBITMQ_URL", "http://x", "RABBITMQ_URL: not an AMQP URL"),
            (
                "RABBITMQ_URL",
                "amqp://h:port/",
                "RABBITMQ_URL: not an AMQP URL",
            ),
            ("RABBITMQ_URL", "amqp:/%2f", "RABBITMQ_URL: not an AMQP URL"),
            (
                "HTTP_REQUEST_TIMEOUT",
                "soon",
                "HTTP_REQUEST_TIMEOUT: expected a duration",
            ),
            (
                "HTTP_REQUEST_TIMEOUT",
                "60s",
                "HTTP_REQUEST_TIMEOUT: must be under 1m",
            ),
            (
                "CORS_ALLOWED_ORIGINS",
                "example.com",
                "CORS_ALLOWED_ORIGINS: expected *",
            ),
            (
                "DATABASE_MAX_CONNECTIONS",
                "-1",
                "DATABASE_MAX_CONNECTIONS: expected a whole number",
            ),
            (
                "DATABASE_MAX_CONNECTIONS",
                "0",
                "DATABASE_MAX_CONNECTIONS: must be at least 1",
            ),
            (
                "DATABASE_ACQUIRE_TIMEOUT",
                "0s",
                "DATABASE_ACQUIRE_TIMEOUT: must be above zero",
            ),
            (
                "HTTP_REQUEST_TIMEOUT",
                "0ms",
                "HTTP_REQUEST_TIMEOUT: must be above zero",
            ),
            (
                "INBOX_RETENTION",
                "0s",
                "INBOX_RETENTION: must be above zero",
            ),
            (
                "JWT_SECRET",
                "short",
                "JWT_SECRET: must be at least 32 characters",
            ),
            (
                "BUS_NAMESPACE",
                "Hearth Events",
                "BUS_NAMESPACE: expected lower-case",
            ),
            (
                "EVENT_RETRY_DELAYS",
                "1s,soon",
                "EVENT_RETRY_DELAYS: expected durations",
            ),
            (
                "OUTBOX_RETENTION",
                "forever",
                "OUTBOX_RETENTION: expected a duration",
            ),
            (
                "HTTP_HEADER_TIMEOUT",
                "soon",
                "HTTP_HEADER_TIMEOUT: expected a duration",
            ),
            (
                "HTTP_HEADER_TIMEOUT",
                "0s",
                "HTTP_HEADER_TIMEOUT: must be above zero",
            ),
            (
                "HTTP_MAX_CONNECTIONS",
                "0",
                "HTTP_MAX_CONNECTIONS: expected a number from 1 to 65536",
            ),
            (
                "HTTP_MAX_CONNECTIONS",
                "lots",
                "HTTP_MAX_CONNECTIONS: expected a number from 1 to 65536",
            ),
            (
                "RATE_LIMIT_WRITES",
                "60",
                "RATE_LIMIT_WRITES: expected a rate such as 600/min",
            ),
            (
                "RATE_LIMIT_WRITES",
                "0/min",
                "RATE_LIMIT_WRITES: expected a rate such as 600/min",
            ),
            (
                "RATE_LIMIT_BURST",
                "0",
                "RATE_LIMIT_BURST: expected a whole number of writes, at least 1",
            ),
        ];
        for (var, value, expected) in cases {
            let mut vars = env(&[("JWT_SECRET", SECRET)]);
            vars.insert(var.to_owned(), value.to_owned());
            let err = ServiceConfig::from_env(&vars, CAMPAIGN, None).expect_err(var);
            assert_eq!(err.var, var);
            let line = err.to_string();
            assert!(line.starts_with(expected), "{line}");
            assert!(!line.contains('\n'), "one line: {line}");
        }
    }

    #[test]
    fn a_service_rabbitmq_url_wins_over_the_shared_one() {
        let own = "amqp://hearth_campaign:pw@h:5672/%2f";
        let vars = env(&[
            ("JWT_SECRET", SECRET),
            ("RABBITMQ_URL", "amqp://shared:pw@h:5672/%2f"),
            ("CAMPAIGN_RABBITMQ_URL", own),
        ]);
        let config = ServiceConfig::from_env(&vars, CAMPAIGN, None).expect("valid");
        assert_eq!(config.rabbitmq_url, own);
        assert_eq!(rabbitmq_user(&config.rabbitmq_url), "hearth_campaign");
        assert_eq!(config.publisher_check, PublisherCheck::Auto);
        assert_eq!(rabbitmq_user(DEFAULT_RABBITMQ_URL), "guest");
        assert_eq!(rabbitmq_user("amqp://127.0.0.1"), "guest");
        assert_eq!(rabbitmq_user("amqps://a%40b+c:pw@broker:5671/%2f"), "a@b+c");

        let mut bad = vars.clone();
        bad.insert("CAMPAIGN_RABBITMQ_URL".into(), "http://x".into());
        let err = ServiceConfig::from_env(&bad, CAMPAIGN, None).expect_err("bad url");
        assert!(err
            .to_string()
            .starts_with("CAMPAIGN_RABBITMQ_URL: not an AMQP URL"));
    }

    #[test]
    fn checking_publishers_on_needs_the_services_own_user() {
        let on = [("JWT_SECRET", SECRET), ("RABBITMQ_CHECK_PUBLISHERS", "on")];
        let err = ServiceConfig::from_env(&env(&on), CAMPAIGN, None).expect_err("guest");
        assert_eq!(err.var, "RABBITMQ_CHECK_PUBLISHERS");
        assert!(
            err.to_string().contains("set CAMPAIGN_RABBITMQ_URL"),
            "{err}"
        );
        let mut own = env(&on);
        own.insert(
            "CAMPAIGN_RABBITMQ_URL".into(),
            "amqp://hearth_campaign:pw@h/%2f".into(),
        );
        let config = ServiceConfig::from_env(&own, CAMPAIGN, None).expect("own user");
        assert_eq!(config.publisher_check, PublisherCheck::On);
        let mut typo = env(&on);
        typo.insert("RABBITMQ_CHECK_PUBLISHERS".into(), "yes".into());
        let err = ServiceConfig::from_env(&typo, CAMPAIGN, None).expect_err("typo");
        assert!(err
            .to_string()
            .starts_with("RABBITMQ_CHECK_PUBLISHERS: expected auto, on or off"));
    }

    #[test]
    fn a_missing_secret_stops_serve_but_not_up() {
        let err = ServiceConfig::from_env(&env(&[]), CAMPAIGN, None).expect_err("no secret");
        assert_eq!(err.var, "JWT_SECRET");
        let dev = ServiceConfig::from_env(&env(&[]), CAMPAIGN, Some(SECRET)).expect("dev");
        assert_eq!(dev.auth.jwt_secret.as_deref(), Some(SECRET));
    }

    #[test]
    fn a_jwks_alone_is_enough_and_supabase_url_names_it() {
        let supabase =
            AuthConfig::from_env(&env(&[("SUPABASE_URL", "https://abcd.supabase.co/")]), None)
                .expect("a JWKS alone");
        assert_eq!(
            supabase.jwks_url.as_ref().map(reqwest::Url::as_str),
            Some("https://abcd.supabase.co/auth/v1/.well-known/jwks.json")
        );
        assert_eq!(supabase.jwt_secret, None);
        // JWT_JWKS_URL wins over the URL derived from SUPABASE_URL.
        let explicit = AuthConfig::from_env(
            &env(&[
                ("SUPABASE_URL", "https://abcd.supabase.co"),
                ("JWT_JWKS_URL", "http://127.0.0.1:9999/keys"),
            ]),
            None,
        )
        .expect("valid");
        assert_eq!(
            explicit.jwks_url.as_ref().map(reqwest::Url::as_str),
            Some("http://127.0.0.1:9999/keys")
        );
        for (var, value) in [
            ("JWT_JWKS_URL", "ftp://keys"),
            ("JWT_JWKS_URL", "keys.json"),
            ("SUPABASE_URL", "abcd.supabase.co"),
            ("SERVICE_TOKEN_SECRET", "short"),
        ] {
            let mut vars = env(&[("JWT_SECRET", SECRET)]);
            vars.insert(var.to_owned(), value.to_owned());
            let err = AuthConfig::from_env(&vars, None).expect_err(var);
            assert_eq!(err.var, var, "{err}");
            assert!(!err.to_string().contains('\n'));
        }
    }

    #[test]
    fn the_service_token_secret_defaults_to_the_jwt_secret_and_is_required_without_one() {
        let shared = AuthConfig::from_env(&env(&[("JWT_SECRET", SECRET)]), None).expect("valid");
        assert_eq!(shared.require_service_token_secret(), Ok(SECRET));
        let own = "a-service-secret-of-at-least-32-chars!";
        let separate = AuthConfig::from_env(
            &env(&[("JWT_SECRET", SECRET), ("SERVICE_TOKEN_SECRET", own)]),
            None,
        )
        .expect("valid");
        assert_eq!(separate.require_service_token_secret(), Ok(own));
        let jwks_only =
            AuthConfig::from_env(&env(&[("SUPABASE_URL", "https://abcd.supabase.co")]), None)
                .expect("valid");
        let err = jwks_only
            .require_service_token_secret()
            .expect_err("no secret to sign with");
        assert_eq!(err.var, "SERVICE_TOKEN_SECRET");
    }

    #[test]
    fn cors_origins_parse() {
        assert_eq!("*".parse::<CorsOrigins>(), Ok(CorsOrigins::Any));
        assert_eq!(
            "https://a.example, http://localhost:3000".parse::<CorsOrigins>(),
            Ok(CorsOrigins::List(vec![
                "https://a.example".into(),
                "http://localhost:3000".into()
            ]))
        );
        // Origins a browser never sends: refused at start, not ignored.
        for bad in [
            "https://app.example/",
            "https://app.example/path",
            "https://",
            "https://bücher.example",
            "app.example",
        ] {
            assert!(bad.parse::<CorsOrigins>().is_err(), "{bad}");
        }
    }
}
