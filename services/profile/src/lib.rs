//! profile-service: profiles, ratings, reports and moderation,
//! on Main DB in schema `profile`.
//!
//! - `domain/`: profiles, who may rate whom, reports and what staff may do with them;
//! - `transitions.rs`: every change that emits an event, with its event
//!   (suspending and reinstating a person among them);
//! - `standing.rs`: a person's standing, and when a decision about it is made;
//! - `consumers/`: donations that went through (the ratings' read model);
//! - `http/`: the API of docs/api.md's profile section; `db.rs`: the SQL.

pub mod consumers;
pub mod db;
pub mod domain;
pub mod http;
pub mod standing;
pub mod transitions;

use axum::Router;
use hearth_bus::broker::BrokerLink;
use hearth_bus::service::ServiceRuntime;
use hearth_bus::workers::Workers;
use hearth_core::config::{Database, ServiceConfig, ServiceSpec};
use sqlx::migrate::Migrator;
use sqlx::PgPool;

pub const SERVICE: ServiceSpec = ServiceSpec {
    name: "profile",
    default_port: 8085,
    database: Database::Main,
};

/// The service's migrations, with their own history in schema `profile`.
pub static MIGRATOR: Migrator = sqlx::migrate!();

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
        let (api, openapi) = http::api(http::AppState {
            db: db.clone(),
            waker: runtime.waker(),
        });
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
        hearth_core::db::migrate(&self.db, SERVICE.schema(), &MIGRATOR).await
    }
}
