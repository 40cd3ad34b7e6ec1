//! Hearth's side of RabbitMQ (EVENTS.md).
//!
//! - [`outbox`]: a service writes its events here, in the transaction of the
//!   change they describe; a relay publishes them afterwards.
//! - [`broker`]: the service's connection to RabbitMQ, kept alive with
//!   backoff, and its readiness check.

pub mod broker;
pub mod outbox;
