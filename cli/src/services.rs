//! The services this binary can run. A new service adds a variant here and
//! one line to [`Service::entry`]; everything else comes from its
//! [`hearth_bus::app::Service`] implementation.

use clap::ValueEnum;
use hearth_bus::app::{self, App};
use hearth_core::config::{ConfigError, Env, ServiceConfig, ServiceSpec};
use hearth_core::migrations::Migrations;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Service {
    Campaign,
    Donation,
    Request,
    Messaging,
    Profile,
}

/// One service's spec and its two steps, taken from its
/// [`app::Service`] implementation by [`entry`].
struct Entry {
    spec: ServiceSpec,
    migrations: Migrations,
    check_settings: fn(&dyn Env, &ServiceConfig) -> Result<(), ConfigError>,
    build: fn(&ServiceConfig, &dyn Env) -> anyhow::Result<App>,
}

fn entry<S: app::Service>() -> Entry {
    Entry {
        spec: S::SPEC,
        migrations: S::MIGRATIONS,
        check_settings: |env, config| <S::Settings as app::Settings>::read(env, config).map(drop),
        build: App::build::<S>,
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

    fn entry(self) -> Entry {
        match self {
            Service::Campaign => entry::<campaign_service::Campaign>(),
            Service::Donation => entry::<donation_service::Donation>(),
            Service::Request => entry::<request_service::Request>(),
            Service::Messaging => entry::<messaging_service::Messaging>(),
            Service::Profile => entry::<profile_service::Profile>(),
        }
    }

    pub fn spec(self) -> ServiceSpec {
        self.entry().spec
    }

    /// Its schema's migrations: the platform's tables it uses, then its own.
    pub fn migrations(self) -> Migrations {
        self.entry().migrations
    }

    /// Reads the settings only this service has, to refuse a bad one before
    /// anything starts ([`Service::build`] reads them again).
    pub fn check_own_settings(
        self,
        env: &dyn Env,
        config: &ServiceConfig,
    ) -> Result<(), ConfigError> {
        (self.entry().check_settings)(env, config)
    }

    /// Builds the service; `env` supplies its own settings (such as
    /// `DONATION_PENDING_TIMEOUT`).
    pub fn build(self, config: &ServiceConfig, env: &dyn Env) -> anyhow::Result<App> {
        (self.entry().build)(config, env)
    }
}
