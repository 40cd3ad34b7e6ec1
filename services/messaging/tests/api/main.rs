//! messaging-service over HTTP and through the real broker. Each test gets
//! its own database and broker namespace.

mod consumer;
mod helpers;
mod messages;
mod notification_rules;
mod notifications;
