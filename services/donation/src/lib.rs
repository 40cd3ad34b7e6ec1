//! donation-service: money to campaigns and items to requests, on Main DB in
//! schema `donation`.
//!
//! - `domain/`: the donation, its state machines, validation and visibility;
//! - `transitions.rs`: each move with the event it emits;
//! - `consumers/`: the campaigns' and requests' answers (the saga's step 3);
//! - `expiry.rs`: the sweeper that expires donations no answer reached;
//! - `http/`: the API of API.md's donation section; `db.rs`: the SQL.

pub mod consumers;
pub mod db;
pub mod domain;
pub mod expiry;
pub mod http;
pub mod transitions;

use std::time::Duration;

use axum::Router;
use hearth_bus::broker::BrokerLink;
use hearth_bus::relay::{stall_check, Relay};
use hearth_bus::workers::Workers;
use hearth_core::auth::Authenticator;
use hearth_core::config::{read_duration, ConfigError, Database, Env, ServiceConfig, ServiceSpec};
use hearth_core::health::Readiness;
use hearth_core::http::{service_router, ServiceHttp};
use hearth_core::metrics::Metrics;
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
        let db = hearth_core::db::pool(&config.database, SERVICE.schema())?;
        let broker = BrokerLink::spawn(config.rabbitmq_url.clone());
        let metrics = Metrics::new(SERVICE.name);
        let workers = Workers {
            relay: Some(Relay::for_service(
                db.clone(),
                broker.clone(),
                SERVICE.schema(),
                &config.events,
                &metrics,
            )),
            consumer: Some(consumers::consumer(
                db.clone(),
                broker.clone(),
                &config.events,
                &metrics,
            )),
            tasks: vec![
                Box::pin(expiry::sweep_forever(db.clone(), settings.pending_timeout)),
                Box::pin(hearth_core::idempotency::clean_forever(db.clone())),
            ],
        };
        let (api, openapi) = http::api(http::AppState { db: db.clone() });
        let router = service_router(ServiceHttp {
            api,
            openapi,
            auth: Authenticator::new(&config.jwt_secret),
            readiness: Readiness::new()
                .with_database(db.clone())
                .with("broker", broker.check())
                .with("relay", stall_check(db.clone())),
            metrics,
            config: config.http.clone(),
            idempotency: Some(db.clone()),
        });
        Ok(Self {
            router,
            db,
            broker,
            workers,
        })
    }

    pub async fn migrate(&self) -> anyhow::Result<()> {
        hearth_core::db::migrate(&self.db, SERVICE.schema(), &MIGRATOR).await
    }
}
