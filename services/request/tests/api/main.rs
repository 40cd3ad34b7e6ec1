//! request-service over HTTP and over the broker, against the real PostgreSQL
//! and RabbitMQ. Each test gets its own database and broker namespace (see
//! `helpers::TestApp::spawn`).

mod create;
mod helpers;
mod image;
mod list;
mod pledges;
mod status;
mod update;
