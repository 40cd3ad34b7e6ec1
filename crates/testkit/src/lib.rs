//! Test support shared by every service's integration tests.
//!
//! Tests run against the real PostgreSQL and RabbitMQ. Each test gets its own
//! database ([`TestDb`]), dropped when the test ends, so tests run in parallel
//! and leave nothing behind.

mod broker;
mod client;
mod database;
pub mod image_url;
mod owned;
mod person;
mod service;

pub use broker::{Tap, TestBroker};
pub use client::{error_fields, TestClient, TestResponse};
pub use database::TestDb;
pub use owned::{ids, with_overrides, Collection};
pub use person::Person;
pub use service::{spawn, Built, TestService, Vars, TEST_RETRY_DELAY};

use hearth_core::auth::{mint, Scope, ServiceTokenKey, TokenRequest};
use uuid::Uuid;

/// The JWT secret every test service is configured with.
pub const JWT_SECRET: &str = "hearth-test-secret-0123456789abcdef";

/// The RabbitMQ the tests use: `RABBITMQ_URL`, or the local default.
pub fn rabbitmq_url() -> String {
    std::env::var("RABBITMQ_URL")
        .unwrap_or_else(|_| hearth_core::config::DEFAULT_RABBITMQ_URL.to_owned())
}

/// A token for an ordinary user.
pub fn user_token(id: Uuid) -> String {
    mint(JWT_SECRET, &TokenRequest::user(id)).expect("mint a test token")
}

/// A token for an admin.
pub fn staff_token(id: Uuid) -> String {
    mint(JWT_SECRET, &TokenRequest::staff(id)).expect("mint a test token")
}

/// A `service_role` token without a user (`sub`), as an operator sends.
pub fn service_token() -> String {
    mint(JWT_SECRET, &TokenRequest::service()).expect("mint a test token")
}

/// A scoped token good for `scope` on `resource` alone, as one service sends
/// another; signed with the test JWT secret, which `SERVICE_TOKEN_SECRET`
/// defaults to.
pub fn service_call_token(scope: &Scope, resource: Uuid) -> String {
    ServiceTokenKey::new(JWT_SECRET)
        .mint("hearth:test", scope, resource)
        .expect("mint a test token")
}
