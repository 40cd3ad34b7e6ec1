//! What every service stands on: its pool (in its own schema), its broker
//! link and its metrics — and the pieces built from them that do not differ
//! between services: the outbox relay, the consumer, and the HTTP router with
//! its readiness checks.

use axum::Router;
use hearth_core::auth::Authenticator;
use hearth_core::config::ServiceConfig;
use hearth_core::health::Readiness;
use hearth_core::http::{service_router, ServiceHttp};
use hearth_core::metrics::Metrics;
use hearth_core::moderation::Suspensions;
use sqlx::PgPool;

use crate::broker::BrokerLink;
use crate::consumer::Consumer;
use crate::relay::{stall_check, Relay};
use crate::wake::{LocalRelay, Waker};

#[derive(Debug)]
pub struct ServiceRuntime {
    pub db: PgPool,
    pub broker: BrokerLink,
    pub metrics: Metrics,
    config: ServiceConfig,
    /// Wakes [`ServiceRuntime::relay`]; one for the whole service, so that at
    /// most one `NOTIFY` is on its way at a time.
    waker: Waker,
}

impl ServiceRuntime {
    /// Opens the pool and starts the broker link. Nothing is contacted yet:
    /// both connect in the background, so a service starts without them.
    pub fn connect(config: &ServiceConfig) -> anyhow::Result<Self> {
        let db = hearth_core::db::pool(&config.database, config.spec.schema())?;
        Ok(Self {
            waker: Waker::new(db.clone()).waking(LocalRelay::default()),
            db,
            broker: BrokerLink::spawn(config.rabbitmq_url.clone()),
            metrics: Metrics::new(config.spec.name),
            config: config.clone(),
        })
    }

    /// What wakes the relay after a commit that wrote the outbox: handed to
    /// every [`crate::unit_of_work::UnitOfWork`] — the handlers', the
    /// consumer's and the sweepers'.
    pub fn waker(&self) -> Waker {
        self.waker.clone()
    }

    /// The relay of the service's outbox.
    pub fn relay(&self) -> Relay {
        Relay::for_service(
            self.db.clone(),
            self.broker.clone(),
            self.config.spec.schema(),
            &self.config.events,
            &self.metrics,
        )
        .woken_by(&self.waker)
    }

    /// The service's consumer, without handlers yet (add them with [`Consumer::on`]).
    pub fn consumer(&self) -> Consumer {
        Consumer::for_service(
            self.db.clone(),
            self.broker.clone(),
            self.config.spec.name,
            &self.config.events,
            &self.metrics,
        )
        .with_publisher_check(self.config.publisher_check)
        .with_waker(self.waker())
    }

    /// The service's API inside the platform's HTTP stack, ready when its
    /// database and broker answer and its relay is not stalled. Its `POST`s
    /// honour `Idempotency-Key` (the schema has an `idempotency_keys`
    /// table). Writes by suspended users are refused
    /// (the schema has an `account_suspensions` table; see `crate::moderation`).
    pub fn router(&self, api: Router, openapi: utoipa::openapi::OpenApi) -> Router {
        service_router(ServiceHttp {
            api,
            openapi,
            auth: Authenticator::from_config(&self.config.auth),
            readiness: Readiness::new()
                .with_database(self.db.clone())
                .with("broker", self.broker.check())
                .with("relay", stall_check(self.db.clone())),
            metrics: self.metrics.clone(),
            config: self.config.http.clone(),
            idempotency: Some(self.db.clone()),
            moderation: Some(Suspensions::follow(
                self.db.clone(),
                self.config.spec.schema(),
            )),
        })
    }
}
