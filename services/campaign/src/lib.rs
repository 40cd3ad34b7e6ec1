//! campaign-service: fundraising campaigns, on Campaign DB in schema `campaign`.
//!
//! - `domain/`: the campaign, its validation and its state machine;
//! - `http/`: the API of docs/api.md's campaign section;
//! - `transitions.rs`: every change that emits an event, with its event;
//! - `consumers/`: the money saga's campaign side, and moderation's hidden campaigns;
//! - `db/`: the SQL (the list query in `list.sql`);
//! - `migrations/`: its own tables (the platform's come first: `hearth_bus::app::Service::MIGRATIONS`).

pub mod consumers;
pub mod db;
pub mod domain;
pub mod http;
pub mod transitions;

use hearth_bus::app::{Parts, Service};
use hearth_bus::service::ServiceRuntime;
use hearth_core::config::{Database, ServiceSpec};
use sqlx::migrate::Migrator;

pub use hearth_bus::app::App;

pub const SERVICE: ServiceSpec = ServiceSpec {
    name: "campaign",
    default_port: 8081,
    database: Database::Campaign,
};

/// The service's own migrations, with their history in schema `campaign`.
pub static MIGRATOR: Migrator = sqlx::migrate!();

/// campaign-service, as [`App`] builds it.
#[derive(Debug)]
pub struct Campaign;

impl Service for Campaign {
    const SPEC: ServiceSpec = SERVICE;
    type Settings = ();
    const MIGRATOR: &'static Migrator = &MIGRATOR;

    fn assemble(runtime: &ServiceRuntime, (): ()) -> anyhow::Result<Parts> {
        let api = http::api(http::AppState::of(runtime));
        Ok(Parts::new(api, consumers::consumer(runtime)))
    }
}
