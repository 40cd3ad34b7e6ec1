//! profile-service over HTTP and over the broker, against the real PostgreSQL
//! and RabbitMQ. Each test gets its own database and broker namespace.

mod anonymity;
mod helpers;
mod profiles;
mod ratings;
mod reports;
mod standing;
