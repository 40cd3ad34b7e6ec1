//! campaign-service over HTTP, against the real PostgreSQL and RabbitMQ.
//! Each test gets its own database (see `helpers::TestApp::spawn`).

mod auth;
mod create;
mod errors;
mod events;
mod helpers;
mod idempotency;
mod image;
mod list;
mod platform;
mod read;
mod status;
mod update;
