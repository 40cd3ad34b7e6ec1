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
use hearth_bus::relay::{stall_check, Relay};
use hearth_bus::workers::Workers;
use hearth_core::auth::Authenticator;
use hearth_core::config::{Database, ServiceConfig, ServiceSpec};
use hearth_core::health::Readiness;
use hearth_core::http::{service_router, ServiceHttp};
use hearth_core::metrics::Metrics;
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
            tasks: Vec::new(),
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
            idempotency: None,
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
