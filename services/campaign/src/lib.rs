//! campaign-service: fundraising campaigns, on Campaign DB in schema `campaign`.
//!
//! - `domain/`: the campaign, its validation and its state machine;
//! - `http/`: the API of API.md's campaign section;
//! - `db.rs`: the SQL;
//! - `migrations/`: the schema, with the outbox its events leave through.

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
        let db = hearth_core::db::pool(&config.database, SERVICE.schema())?;
        let broker = BrokerLink::spawn(config.rabbitmq_url.clone());
        let metrics = Metrics::new(SERVICE.name);
        let relay = Relay::for_service(
            db.clone(),
            broker.clone(),
            SERVICE.schema(),
            &config.events,
            &metrics,
        );
        let consumer = consumers::consumer(db.clone(), broker.clone(), &config.events, &metrics);
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
        let workers = Workers {
            relay: Some(relay),
            consumer: Some(consumer),
            tasks: vec![Box::pin(hearth_core::idempotency::clean_forever(
                db.clone(),
            ))],
        };
        Ok(Self {
            router,
            db,
            broker,
            workers,
        })
    }

    /// Creates the schema and applies the migrations.
    pub async fn migrate(&self) -> anyhow::Result<()> {
        hearth_core::db::migrate(&self.db, SERVICE.schema(), &MIGRATOR).await
    }
}
