//! Hearth's side of RabbitMQ (docs/events.md).
//!
//! - [`outbox`]: a service writes its events here, in the transaction of the
//!   change they describe;
//! - [`relay`]: publishes the outbox with publisher confirms;
//! - [`unit_of_work`]: a transaction that may emit, whose commit wakes the relay;
//! - [`wake`]: how that wake-up reaches the relay;
//! - [`consumer`]: handles a service's queue idempotently, with retries and dead letters;
//! - [`topology`]: the exchange and queues, declared at every (re)connect;
//! - [`broker`]: the connection, kept alive with backoff, and its readiness check;
//! - [`service`]: the pool, link and metrics every service stands on, and the
//!   relay, consumer and router built from them;
//! - [`app`]: the one skeleton every service is built by: a service says what
//!   is its own ([`app::Service`]), [`app::App`] assembles the rest;
//! - [`publishers`]: who may publish what, checked by the consumer when
//!   services connect as their own broker users;
//! - [`moderation`]: every service's copy of who is suspended, from profile events;
//! - [`tables`]: the tables this crate reads (`outbox`, `inbox`), with their migrations;
//! - [`workers`]: a service's relay and consumer, started together, and
//!   [`lifecycle`]: how they pace their chores and stop.

pub mod app;
pub mod broker;
pub mod consumer;
pub mod lifecycle;
pub mod moderation;
pub mod outbox;
pub mod publishers;
pub mod relay;
pub mod service;
pub mod tables;
pub mod topology;
pub mod unit_of_work;
pub mod wake;
pub mod workers;
