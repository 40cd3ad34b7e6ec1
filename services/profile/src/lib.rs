//! profile-service: profiles, ratings, reports and moderation,
//! on Main DB in schema `profile`.
//!
//! - `domain/`: profiles, who may rate whom, reports and what staff may do with them;
//! - `transitions.rs`: every change that emits an event, with its event
//!   (suspending and reinstating a person among them);
//! - `standing.rs`: a person's standing, and when a decision about it is made;
//! - `consumers/`: donations that went through (the ratings' read model);
//! - `http/`: the API of docs/api.md's profile section; `db.rs`: the SQL.

pub mod consumers;
pub mod db;
pub mod domain;
pub mod http;
pub mod standing;
pub mod transitions;

use hearth_bus::app::{Parts, Service};
use hearth_bus::service::ServiceRuntime;
use hearth_core::config::{Database, ServiceSpec};
use sqlx::migrate::Migrator;

pub use hearth_bus::app::App;

pub const SERVICE: ServiceSpec = ServiceSpec {
    name: "profile",
    default_port: 8085,
    database: Database::Main,
};

/// The service's own migrations, with their history in schema `profile`.
pub static MIGRATOR: Migrator = sqlx::migrate!();

/// profile-service, as [`App`] builds it.
#[derive(Debug)]
pub struct Profile;

impl Service for Profile {
    const SPEC: ServiceSpec = SERVICE;
    type Settings = ();
    const MIGRATOR: &'static Migrator = &MIGRATOR;

    fn assemble(runtime: &ServiceRuntime, (): ()) -> anyhow::Result<Parts> {
        let api = http::api(http::AppState::of(runtime));
        Ok(Parts::new(api, consumers::consumer(runtime)))
    }
}
