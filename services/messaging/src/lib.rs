//! messaging-service: notifications made from events (and, next, messages
//! between people), on Main DB in schema `messaging`.
//!
//! - `consumers/`: the events it reacts to, one module per producer;
//! - `domain/`: what a notification is and how it reads;
//! - `http/`: the API of API.md's messaging section;
//! - `db.rs`: the SQL.

pub mod consumers;
pub mod db;
pub mod domain;
pub mod http;

use axum::Router;
use hearth_bus::broker::BrokerLink;
use hearth_bus::service::ServiceRuntime;
use hearth_bus::workers::Workers;
use hearth_core::config::{Database, ServiceConfig, ServiceSpec};
use sqlx::migrate::Migrator;
use sqlx::PgPool;

pub const SERVICE: ServiceSpec = ServiceSpec {
    name: "messaging",
    default_port: 8084,
    database: Database::Main,
};

/// The service's migrations, with their own history in schema `messaging`.
pub static MIGRATOR: Migrator = sqlx::migrate!();

/// A messaging-service ready to serve.
#[derive(Debug)]
pub struct App {
    pub router: Router,
    pub db: PgPool,
    pub broker: BrokerLink,
    /// The relay and the consumer; started by whoever runs the service.
    pub workers: Workers,
}

impl App {
    pub fn build(config: &ServiceConfig) -> anyhow::Result<Self> {
        let runtime = ServiceRuntime::connect(config)?;
        let db = runtime.db.clone();
        let (api, openapi) = http::api(http::AppState { db: db.clone() });
        let workers = Workers {
            relay: Some(runtime.relay()),
            consumer: Some(consumers::consumer(&runtime)),
            tasks: Vec::new(),
        };
        Ok(Self {
            router: runtime.router(api, openapi, false),
            db,
            broker: runtime.broker,
            workers,
        })
    }

    pub async fn migrate(&self) -> anyhow::Result<()> {
        hearth_core::db::migrate(&self.db, SERVICE.schema(), &MIGRATOR).await
    }
}
