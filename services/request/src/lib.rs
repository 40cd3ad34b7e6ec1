//! request-service: requests for goods and the request side of the item saga,
//! on Main DB in schema `request`.
//!
//! - `domain/`: the request, its validation, its state machine, and whether it takes a pledge;
//! - `transitions.rs`: every change that emits an event, with its event;
//! - `consumers/`: item donations, received, cancelled and expired (docs/events.md, "The item saga");
//! - `expiry.rs`: the sweeper that expires open requests past `needed_by`;
//! - `http/`: the API of docs/api.md's request section; `db/`: the SQL (the list query in `list.sql`).

pub mod consumers;
pub mod db;
pub mod domain;
pub mod expiry;
pub mod http;
pub mod transitions;

use hearth_bus::app::{Parts, Service};
use hearth_bus::service::ServiceRuntime;
use hearth_core::config::{Database, ServiceSpec};
use sqlx::migrate::Migrator;

pub use hearth_bus::app::App;

pub const SERVICE: ServiceSpec = ServiceSpec {
    name: "request",
    default_port: 8083,
    database: Database::Main,
};

/// The service's own migrations, with their history in schema `request`.
pub static MIGRATOR: Migrator = sqlx::migrate!();

/// request-service, as [`App`] builds it.
#[derive(Debug)]
pub struct Request;

impl Service for Request {
    const SPEC: ServiceSpec = SERVICE;
    type Settings = ();
    const MIGRATOR: &'static Migrator = &MIGRATOR;

    fn assemble(runtime: &ServiceRuntime, (): ()) -> anyhow::Result<Parts> {
        let api = http::api(http::AppState::of(runtime));
        let sweeper = expiry::sweep_forever(runtime.db.clone(), runtime.waker());
        Ok(Parts::new(api, consumers::consumer(runtime)).with_task(sweeper))
    }
}
