//! The event core against the real RabbitMQ and PostgreSQL. Every test has
//! its own database and its own exchange and queue names.

mod consumer;
mod moderation;
mod relay;
mod support;
mod wake;
