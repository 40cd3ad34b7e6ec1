//! messaging-service: messages between people, and notifications made from
//! events, on Main DB in schema `messaging`.
//!
//! - `consumers/`: the events it reacts to, one module per producer;
//! - `domain/`: messages, conversations and notifications;
//! - `donation_service.rs`: the guarded synchronous call to donation-service;
//! - `transitions.rs`: sending a message, with the event it emits;
//! - `http/`: the API of docs/api.md's messaging section;
//! - `db/`: the SQL.

pub mod consumers;
pub mod db;
pub mod domain;
pub mod donation_service;
pub mod http;
pub mod transitions;

use hearth_bus::app::{Parts, Service};
use hearth_bus::service::ServiceRuntime;
use std::time::Duration;

use hearth_core::auth::ServiceTokenKey;
use hearth_core::config::{
    read, read_duration, ConfigError, Database, Env, ServiceConfig, ServiceSpec,
};
use sqlx::migrate::Migrator;

pub use hearth_bus::app::App;

pub const SERVICE: ServiceSpec = ServiceSpec {
    name: "messaging",
    default_port: 8084,
    database: Database::Main,
};

/// The service's own migrations, with their history in schema `messaging`.
pub static MIGRATOR: Migrator = sqlx::migrate!();

/// Where donation-service answers when nothing else is said: `hearth up`'s port.
pub const DEFAULT_DONATION_SERVICE_URL: &str = "http://127.0.0.1:8082";

/// messaging-service's own settings.
#[derive(Debug, Clone)]
pub struct Settings {
    /// donation-service's base URL, for the donation-context check.
    pub donation_service_url: String,
    /// How long one attempt of that check may take.
    pub donation_service_timeout: Duration,
    /// What its calls to donation-service are signed with (scoped tokens).
    pub service_token_key: ServiceTokenKey,
}

impl hearth_bus::app::Settings for Settings {
    fn read(env: &dyn Env, config: &ServiceConfig) -> Result<Self, ConfigError> {
        Ok(Self {
            donation_service_url: read(
                env,
                "DONATION_SERVICE_URL",
                || DEFAULT_DONATION_SERVICE_URL.to_owned(),
                parse_http_url,
            )?,
            donation_service_timeout: read_duration(
                env,
                "DONATION_SERVICE_TIMEOUT",
                Duration::from_secs(2),
            )?,
            service_token_key: ServiceTokenKey::new(config.auth.require_service_token_secret()?),
        })
    }
}

fn parse_http_url(raw: &str) -> Result<String, String> {
    match reqwest::Url::parse(raw) {
        Ok(url) if matches!(url.scheme(), "http" | "https") && url.host().is_some() => {
            Ok(raw.to_owned())
        }
        _ => Err(format!(
            "expected an http(s) URL such as {DEFAULT_DONATION_SERVICE_URL}, got {raw:?}"
        )),
    }
}

/// messaging-service, as [`App`] builds it.
#[derive(Debug)]
pub struct Messaging;

impl Service for Messaging {
    const SPEC: ServiceSpec = SERVICE;
    type Settings = Settings;
    const MIGRATOR: &'static Migrator = &MIGRATOR;

    fn assemble(runtime: &ServiceRuntime, settings: Settings) -> anyhow::Result<Parts> {
        let donations = donation_service::DonationService::new(
            &settings.donation_service_url,
            settings.donation_service_timeout,
            settings.service_token_key,
        )?;
        let api = http::api(http::AppState {
            db: runtime.db.clone(),
            donations,
            waker: runtime.waker(),
        });
        Ok(Parts::new(api, consumers::consumer(runtime)))
    }
}
