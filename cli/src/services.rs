//! The services this binary can run. A new service adds a variant here.

use axum::Router;
use clap::ValueEnum;
use hearth_bus::workers::Workers;
use hearth_core::config::{ConfigError, Env, ServiceConfig, ServiceSpec};
use hearth_core::migrations::Migrations;
use sqlx::PgPool;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Service {
    Campaign,
    Donation,
    Request,
    Messaging,
    Profile,
}

/// A service built from its configuration, ready to migrate and serve.
#[derive(Debug)]
pub struct Built {
    pub spec: ServiceSpec,
    pub router: Router,
    pub db: PgPool,
    /// The relay and consumers to start beside the HTTP server.
    pub workers: Workers,
    migrations: &'static Migrations,
}

impl Built {
    pub async fn migrate(&self) -> anyhow::Result<()> {
        hearth_core::db::migrate(&self.db, self.spec.schema(), self.migrations).await
    }
}

impl Service {
    pub const ALL: &'static [Service] = &[
        Service::Campaign,
        Service::Donation,
        Service::Request,
        Service::Messaging,
        Service::Profile,
    ];

    pub fn spec(self) -> ServiceSpec {
        match self {
            Service::Campaign => campaign_service::SERVICE,
            Service::Donation => donation_service::SERVICE,
            Service::Request => request_service::SERVICE,
            Service::Messaging => messaging_service::SERVICE,
            Service::Profile => profile_service::SERVICE,
        }
    }

    pub fn migrations(self) -> &'static Migrations {
        match self {
            Service::Campaign => &campaign_service::MIGRATIONS,
            Service::Donation => &donation_service::MIGRATIONS,
            Service::Request => &request_service::MIGRATIONS,
            Service::Messaging => &messaging_service::MIGRATIONS,
            Service::Profile => &profile_service::MIGRATIONS,
        }
    }

    /// Reads the settings only this service has, to refuse a bad one before
    /// anything starts ([`Service::build`] reads them again). The two ends of
    /// the one call between services need the secret of its scoped tokens.
    pub fn check_own_settings(
        self,
        env: &dyn Env,
        config: &ServiceConfig,
    ) -> Result<(), ConfigError> {
        match self {
            Service::Donation => {
                config.auth.require_service_token_secret()?;
                donation_service::Settings::from_env(env).map(drop)
            }
            Service::Messaging => {
                config.auth.require_service_token_secret()?;
                messaging_service::Settings::from_env(env).map(drop)
            }
            Service::Campaign | Service::Request | Service::Profile => Ok(()),
        }
    }

    /// Builds the service; `env` supplies its own settings (such as
    /// `DONATION_PENDING_TIMEOUT`).
    pub fn build(self, config: &ServiceConfig, env: &dyn Env) -> anyhow::Result<Built> {
        let (router, db, workers) = match self {
            Service::Campaign => {
                let app = campaign_service::App::build(config)?;
                (app.router, app.db, app.workers)
            }
            Service::Donation => {
                let settings = donation_service::Settings::from_env(env)?;
                let app = donation_service::App::build(config, &settings)?;
                (app.router, app.db, app.workers)
            }
            Service::Request => {
                let app = request_service::App::build(config)?;
                (app.router, app.db, app.workers)
            }
            Service::Messaging => {
                let settings = messaging_service::Settings::from_env(env)?;
                let app = messaging_service::App::build(config, &settings)?;
                (app.router, app.db, app.workers)
            }
            Service::Profile => {
                let app = profile_service::App::build(config)?;
                (app.router, app.db, app.workers)
            }
        };
        Ok(Built {
            spec: self.spec(),
            router,
            db,
            workers,
            migrations: self.migrations(),
        })
    }
}
