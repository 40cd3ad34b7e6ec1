//! donation-service: money to campaigns and items to requests, on Main DB in
//! schema `donation`.
//!
//! - `domain/`: the donation, its state machines, validation and visibility;
//! - `transitions.rs`: each move with the event it emits;
//! - `consumers/`: the campaigns' and requests' answers (the saga's step 3);
//! - `expiry.rs`: the sweeper that expires donations no answer reached;
//! - `http/`: the API of docs/api.md's donation section; `db.rs`: the SQL.

pub mod consumers;
pub mod db;
pub mod domain;
pub mod expiry;
pub mod http;
pub mod transitions;

use std::time::Duration;

use hearth_bus::app::{Parts, Service};
use hearth_bus::service::ServiceRuntime;
use hearth_core::config::{read_duration, ConfigError, Database, Env, ServiceConfig, ServiceSpec};
use sqlx::migrate::Migrator;

pub use hearth_bus::app::App;

pub const SERVICE: ServiceSpec = ServiceSpec {
    name: "donation",
    default_port: 8082,
    database: Database::Main,
};

/// The service's own migrations, with their history in schema `donation`.
pub static MIGRATOR: Migrator = sqlx::migrate!();

/// donation-service's own settings.
#[derive(Debug, Clone)]
pub struct Settings {
    /// A donation no saga answer reached in this long expires.
    pub pending_timeout: Duration,
}

impl Settings {
    pub fn from_env(env: &dyn Env) -> Result<Self, ConfigError> {
        Ok(Self {
            pending_timeout: read_duration(
                env,
                "DONATION_PENDING_TIMEOUT",
                Duration::from_secs(600),
            )?,
        })
    }
}
impl hearth_bus::app::Settings for Settings {
    fn read(env: &dyn Env, config: &ServiceConfig) -> Result<Self, ConfigError> {
        // `GET /donations/{id}/parties` checks messaging-service's tokens with it.
        config.auth.require_service_token_secret()?;
        Settings::from_env(env)
    }
}

/// donation-service, as [`App`] builds it.
#[derive(Debug)]
pub struct Donation;

impl Service for Donation {
    const SPEC: ServiceSpec = SERVICE;
    type Settings = Settings;
    const MIGRATOR: &'static Migrator = &MIGRATOR;

    fn assemble(runtime: &ServiceRuntime, settings: Settings) -> anyhow::Result<Parts> {
        let api = http::api(http::AppState::of(runtime));
        let sweeper = expiry::sweep_forever(
            runtime.db.clone(),
            runtime.waker(),
            settings.pending_timeout,
        );
        Ok(Parts::new(api, consumers::consumer(runtime)).with_task(sweeper))
    }
}
