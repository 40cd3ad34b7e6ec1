//! profile-service: profiles, ratings, reports and moderation,
//! on Main DB in schema `profile`.
//!
//! - `domain/`: profiles, who may rate whom, reports and what staff may do with them;
//! - `standing.rs`: suspending and reinstating a person, with the events that
//!   carry it to every service;
//! - `consumers/`: donations that went through (the ratings' read model);
//! - `http/`: the API of docs/api.md's profile section; `db.rs`: the SQL.

pub mod consumers;
pub mod db;
pub mod domain;
pub mod http;
pub mod standing;

use axum::Router;
use hearth_bus::broker::BrokerLink;
use hearth_bus::service::ServiceRuntime;
use hearth_bus::tables::{INBOX, OUTBOX};
use hearth_bus::workers::Workers;
use hearth_core::config::{Database, ServiceConfig, ServiceSpec};
use hearth_core::migrations::Migrations;
use hearth_core::tables::{ACCOUNT_SUSPENSIONS, IDEMPOTENCY_KEYS};
use sqlx::migrate::Migrator;
use sqlx::PgPool;

pub const SERVICE: ServiceSpec = ServiceSpec {
    name: "profile",
    default_port: 8085,
    database: Database::Main,
};

/// The service's own migrations, with their history in schema `profile`.
pub static MIGRATOR: Migrator = sqlx::migrate!();

/// Its schema: the platform's tables it uses (its relay reads `outbox`, its
/// consumer `inbox`, its idempotent router `idempotency_keys`, and the
/// moderation layer `account_suspensions`), then its own.
pub static MIGRATIONS: Migrations = Migrations {
    platform: &[&OUTBOX, &INBOX, &IDEMPOTENCY_KEYS, &ACCOUNT_SUSPENSIONS],
    own: &MIGRATOR,
};

/// A profile-service ready to serve.
#[derive(Debug)]
pub struct App {
    pub router: Router,
    pub db: PgPool,
    pub broker: BrokerLink,
    /// The relay and the consumer; started by whoever runs the service.
    pub workers: Workers,
}

impl App {
    /// Builds the service from its configuration. Nothing is contacted yet:
    /// the pool and the broker connect in the background.
    pub fn build(config: &ServiceConfig) -> anyhow::Result<Self> {
        let runtime = ServiceRuntime::connect(config)?;
        let db = runtime.db.clone();
        let (api, openapi) = http::api(http::AppState { db: db.clone() });
        let workers = Workers {
            relay: Some(runtime.relay()),
            consumer: Some(consumers::consumer(&runtime)),
            tasks: vec![Box::pin(hearth_core::idempotency::clean_forever(
                db.clone(),
            ))],
        };
        Ok(Self {
            router: runtime.router(api, openapi, true),
            db,
            broker: runtime.broker,
            workers,
        })
    }

    pub async fn migrate(&self) -> anyhow::Result<()> {
        hearth_core::db::migrate(&self.db, SERVICE.schema(), &MIGRATIONS).await
    }
}
