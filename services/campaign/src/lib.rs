//! campaign-service: fundraising campaigns, on Campaign DB in schema `campaign`.
//!
//! - `domain/`: the campaign, its validation and its state machine;
//! - `http/`: the API of docs/api.md's campaign section;
//! - `transitions.rs`: status moves with the event each emits;
//! - `consumers/`: the money saga's campaign side, and moderation's hidden campaigns;
//! - `db.rs`: the SQL;
//! - `migrations/`: the schema, with the outbox its events leave through.

pub mod consumers;
pub mod db;
pub mod domain;
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
    name: "campaign",
    default_port: 8081,
    database: Database::Campaign,
};

/// The service's migrations, with their own history in schema `campaign`.
pub static MIGRATOR: Migrator = sqlx::migrate!();

/// A campaign-service ready to serve.
#[derive(Debug)]
pub struct App {
    pub router: Router,
    pub db: PgPool,
    pub broker: BrokerLink,
    /// The outbox relay; started by whoever runs the service.
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
