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

use axum::Router;
use hearth_bus::broker::BrokerLink;
use hearth_bus::service::ServiceRuntime;
use hearth_bus::workers::Workers;
use hearth_core::config::{read_duration, ConfigError, Database, Env, ServiceConfig, ServiceSpec};
use sqlx::migrate::Migrator;
use sqlx::PgPool;

pub const SERVICE: ServiceSpec = ServiceSpec {
    name: "donation",
    default_port: 8082,
    database: Database::Main,
};

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

#[derive(Debug)]
pub struct App {
    pub router: Router,
    pub db: PgPool,
    pub broker: BrokerLink,
    pub workers: Workers,
}

impl App {
    pub fn build(config: &ServiceConfig, settings: &Settings) -> anyhow::Result<Self> {
        // `GET /donations/{id}/parties` checks messaging-service's tokens with it.
        config.auth.require_service_token_secret()?;
        let runtime = ServiceRuntime::connect(config)?;
        let db = runtime.db.clone();
        let (api, openapi) = http::api(http::AppState {
            db: db.clone(),
            waker: runtime.waker(),
        });
        let workers = Workers {
            relay: Some(runtime.relay()),
            consumer: Some(consumers::consumer(&runtime)),
            tasks: vec![
                Box::pin(expiry::sweep_forever(
                    db.clone(),
                    runtime.waker(),
                    settings.pending_timeout,
                )),
                Box::pin(hearth_core::idempotency::clean_forever(db.clone())),
            ],
        };
        Ok(Self {
            router: runtime.router(api, openapi, true),
            db,
            broker: runtime.broker,
            workers,
        })
    }

    pub async fn migrate(&self) -> anyhow::Result<()> {
        hearth_core::db::migrate(&self.db, SERVICE.schema(), &MIGRATOR).await
    }
}
