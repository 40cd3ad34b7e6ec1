//! request-service: requests for goods and the request side of the item saga,
//! on Main DB in schema `request`.
//!
//! - `domain/`: the request, its validation, its state machine, and whether it takes a pledge;
//! - `transitions.rs`: each status move with the event it emits;
//! - `consumers/`: item donations, received, cancelled and expired (docs/events.md, "The item saga");
//! - `expiry.rs`: the sweeper that expires open requests past `needed_by`;
//! - `http/`: the API of docs/api.md's request section; `db.rs`: the SQL.

pub mod consumers;
pub mod db;
pub mod domain;
pub mod expiry;
pub mod http;
pub mod transitions;

use axum::Router;
use hearth_bus::broker::BrokerLink;
use hearth_bus::service::ServiceRuntime;
use hearth_bus::workers::Workers;
use hearth_core::config::{Database, ServiceConfig, ServiceSpec};
use sqlx::migrate::Migrator;
use sqlx::PgPool;

pub const SERVICE: ServiceSpec = ServiceSpec {
    name: "request",
    default_port: 8083,
    database: Database::Main,
};

/// The service's migrations, with their own history in schema `request`.
pub static MIGRATOR: Migrator = sqlx::migrate!();

/// A request-service ready to serve.
#[derive(Debug)]
pub struct App {
    pub router: Router,
    pub db: PgPool,
    pub broker: BrokerLink,
    /// The relay, the consumer and the sweepers; started by whoever runs the service.
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
            tasks: vec![
                Box::pin(expiry::sweep_forever(db.clone(), runtime.waker())),
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
