//! The platform's tests: the `hearth` binary and the five services together,
//! on the real PostgreSQL and RabbitMQ, each test on databases and a broker
//! namespace of its own. One test binary (one link) with a module per
//! concern; `support` starts platforms and people for all of them.

mod support;

mod anonymity;
mod broker_restart;
mod broker_users;
mod cli;
mod conversations;
mod copy_campaigns;
mod database_restart;
mod dlq;
mod flow;
mod item_saga;
mod item_saga_load;
mod jwks;
mod moderation;
mod notifications;
mod outbox_tools;
mod ratings;
mod roles;
mod saga;
mod saga_load;
mod service_calls;
mod upgrade;
