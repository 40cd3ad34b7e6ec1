//! One skeleton for every service: a service says what is its own (its
//! spec, settings, migrations, API, consumer and sweepers) by implementing
//! [`Service`]; [`App::build`] assembles the rest the same way for all of
//! them (the relay, the HTTP stack, the idempotency-key cleaner).

use axum::Router;
use std::future::Future;

use futures::future::BoxFuture;
use hearth_core::config::{ConfigError, Env, ServiceConfig, ServiceSpec};
use hearth_core::migrations::{Migrations, PlatformTable};
use sqlx::migrate::Migrator;
use sqlx::PgPool;

use crate::broker::BrokerLink;
use crate::consumer::Consumer;
use crate::service::ServiceRuntime;
use crate::wake::Waker;
use crate::workers::Workers;

/// The platform's tables every [`App`] reads, in the order they are
/// migrated: its relay reads `outbox`, its consumer `inbox`, its idempotent
/// router `idempotency_keys`, and the router's moderation layer
/// `account_suspensions`.
pub const PLATFORM_TABLES: &[&PlatformTable] = &[
    &crate::tables::OUTBOX,
    &crate::tables::INBOX,
    &hearth_core::tables::IDEMPOTENCY_KEYS,
    &hearth_core::tables::ACCOUNT_SUSPENSIONS,
];

/// What makes a service itself. The rest is [`App`]'s.
pub trait Service {
    /// Its name, default port and database.
    const SPEC: ServiceSpec;

    /// The settings only this service reads (`()` for none).
    type Settings: Settings;

    /// Its own migrations (`sqlx::migrate!()` of its `migrations/`), with
    /// their history in its schema.
    const MIGRATOR: &'static Migrator;

    /// Its schema: the platform's tables every `App` reads, then its own.
    const MIGRATIONS: Migrations = Migrations {
        platform: PLATFORM_TABLES,
        own: Self::MIGRATOR,
    };

    /// Its API, consumer and own background work, on the runtime every
    /// service shares. Nothing is contacted yet.
    fn assemble(runtime: &ServiceRuntime, settings: Self::Settings) -> anyhow::Result<Parts>;
}

/// A service's own settings, read besides the [`ServiceConfig`] every
/// service has.
pub trait Settings: Sized {
    /// Reads them, refusing a bad one before anything starts. The shared
    /// `config` is read already; a service that needs one of its optional
    /// parts (the service-token secret) requires it here.
    fn read(env: &dyn Env, config: &ServiceConfig) -> Result<Self, ConfigError>;
}

/// A service with no settings of its own.
impl Settings for () {
    fn read(_: &dyn Env, _: &ServiceConfig) -> Result<(), ConfigError> {
        Ok(())
    }
}

/// A service's own parts, as [`Service::assemble`] makes them.
pub struct Parts {
    /// Its routes and the OpenAPI document generated from them.
    pub api: (Router, utoipa::openapi::OpenApi),
    /// Its consumer with its handlers (from [`ServiceRuntime::consumer`]).
    pub consumer: Consumer,
    /// Its own loops, such as expiry sweepers.
    pub tasks: Vec<BoxFuture<'static, ()>>,
}

impl Parts {
    /// A service's API and consumer, with no loops of its own yet.
    pub fn new(api: (Router, utoipa::openapi::OpenApi), consumer: Consumer) -> Self {
        Self {
            api,
            consumer,
            tasks: Vec::new(),
        }
    }

    /// Adds a loop of the service's own, such as an expiry sweeper.
    pub fn with_task(mut self, task: impl Future<Output = ()> + Send + 'static) -> Self {
        self.tasks.push(Box::pin(task));
        self
    }
}

/// What every handler of a service reaches: its pool, and the waker each
/// unit of work commits with (so that a commit that emitted wakes the relay).
#[derive(Debug, Clone)]
pub struct AppState {
    pub db: PgPool,
    pub waker: Waker,
}

impl AppState {
    pub fn of(runtime: &ServiceRuntime) -> Self {
        Self {
            db: runtime.db.clone(),
            waker: runtime.waker(),
        }
    }
}

/// A service built from its configuration, ready to migrate and serve.
#[derive(Debug)]
pub struct App {
    pub spec: ServiceSpec,
    pub router: Router,
    pub db: PgPool,
    pub broker: BrokerLink,
    /// The relay, the consumer and the service's own loops; started by
    /// whoever runs the service.
    pub workers: Workers,
    migrations: Migrations,
}

impl App {
    /// Reads `S`'s own settings from `env`, then builds it. Nothing is
    /// contacted yet: the pool and the broker connect in the background.
    pub fn build<S: Service>(config: &ServiceConfig, env: &dyn Env) -> anyhow::Result<Self> {
        let settings = S::Settings::read(env, config)?;
        let runtime = ServiceRuntime::connect(config)?;
        let Parts {
            api: (api, openapi),
            consumer,
            mut tasks,
        } = S::assemble(&runtime, settings)?;
        tasks.push(Box::pin(hearth_core::idempotency::clean_forever(
            runtime.db.clone(),
        )));
        let workers = Workers {
            relay: Some(runtime.relay()),
            consumer: Some(consumer),
            tasks,
        };
        Ok(Self {
            spec: S::SPEC,
            router: runtime.router(api, openapi),
            db: runtime.db,
            broker: runtime.broker,
            workers,
            migrations: S::MIGRATIONS,
        })
    }

    /// Migrates the service's schema: the platform's tables, then its own.
    pub async fn migrate(&self) -> anyhow::Result<()> {
        hearth_core::migrations::migrate(&self.db, self.spec.schema(), &self.migrations).await
    }
}
