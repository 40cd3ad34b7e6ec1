//! The RabbitMQ topology of docs/events.md, declared idempotently at every (re)connect.
//!
//! ```text
//! <ns>.events            topic exchange; routing key = event type
//!   └─ alternate exchange <ns>.unrouted → queue <ns>.unrouted (capped)
//! <ns>.<service>         quorum queue, bound to the types the service consumes
//! <ns>.<service>.delay.5s a delay queue per retry delay (quorum); expired messages go back to <ns>.<service>
//! <ns>.<service>.dead    where messages go when they can never succeed
//! ```
//!
//! `<ns>` is `hearth` in production; tests use a namespace of their own so
//! they run in parallel on one broker without seeing each other's events.
//!
//! The alternate exchange exists because relays publish with `mandatory` and
//! treat a returned message as a failure (docs/events.md). Some events have no
//! consumer yet (`campaign.updated`); without the alternate exchange they would
//! come back forever. With it, a message returns only when the topology itself
//! is missing — a real failure.

use std::time::Duration;

use lapin::options::{ExchangeDeclareOptions, QueueBindOptions, QueueDeclareOptions};
use lapin::protocol::{AMQPErrorKind, AMQPSoftError};
use lapin::types::{AMQPValue, FieldTable, ShortString};
use lapin::{Channel, ExchangeKind};

use crate::broker::BrokerLink;

/// How many unrouted events are kept for inspection, and for how long.
const UNROUTED_MAX_LENGTH: i64 = 10_000;
const UNROUTED_TTL: Duration = Duration::from_secs(24 * 3600);

/// Names, all derived from the namespace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Names {
    pub namespace: String,
}

impl Names {
    pub fn new(namespace: impl Into<String>) -> Self {
        Self {
            namespace: namespace.into(),
        }
    }

    pub fn exchange(&self) -> String {
        format!("{}.events", self.namespace)
    }

    pub fn unrouted_exchange(&self) -> String {
        format!("{}.unrouted", self.namespace)
    }

    pub fn unrouted_queue(&self) -> String {
        format!("{}.unrouted", self.namespace)
    }

    pub fn queue(&self, service: &str) -> String {
        format!("{}.{service}", self.namespace)
    }

    /// Named by its delay, so that changing the delays declares new queues
    /// instead of clashing with the old ones' arguments.
    /// (`.delay.`: these are quorum queues, and a broker may still hold
    /// classic `.retry.` queues of the same names, which cannot be declared
    /// again with another type.)
    pub fn retry_queue(&self, service: &str, delay: Duration) -> String {
        format!(
            "{}.{service}.delay.{}",
            self.namespace,
            humantime::format_duration(delay)
        )
    }

    pub fn dead_queue(&self, service: &str) -> String {
        format!("{}.{service}.dead", self.namespace)
    }

    /// A regular expression, as RabbitMQ's permissions take them, for every
    /// queue of `service`: [`Names::queue`], each [`Names::retry_queue`]
    /// whatever the delays, and [`Names::dead_queue`]. (A delay never has a
    /// dot: humantime writes `1m 30s`.)
    pub fn queues_pattern(&self, service: &str) -> String {
        format!(r"{}(\.delay\.[^.]+|\.dead)?", escape(&self.queue(service)))
    }
}

/// `name` as a regular expression that matches it alone.
pub fn escape(name: &str) -> String {
    let mut escaped = String::with_capacity(name.len() + 4);
    for c in name.chars() {
        if r"\.+*?()|[]{}^$".contains(c) {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

/// What one consuming service needs declared.
#[derive(Debug, Clone)]
pub struct ConsumerTopology {
    pub service: &'static str,
    /// The event types the service consumes; its queue is bound to exactly these.
    pub event_types: Vec<&'static str>,
    /// The delay before each retry; after the last, the dead queue.
    pub retry_delays: Vec<Duration>,
}

fn table(entries: Vec<(&str, AMQPValue)>) -> FieldTable {
    let mut table = FieldTable::default();
    for (key, value) in entries {
        table.insert(ShortString::from(key), value);
    }
    table
}

fn string(s: String) -> AMQPValue {
    AMQPValue::LongString(s.into())
}

fn millis(d: Duration) -> AMQPValue {
    AMQPValue::LongLongInt(i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

fn durable() -> QueueDeclareOptions {
    QueueDeclareOptions {
        durable: true,
        ..Default::default()
    }
}

fn durable_exchange() -> ExchangeDeclareOptions {
    ExchangeDeclareOptions {
        durable: true,
        ..Default::default()
    }
}

/// Declares the exchange every event goes through, with its alternate
/// exchange and the queue that keeps what falls into it.
pub async fn declare_exchange(channel: &Channel, names: &Names) -> lapin::Result<()> {
    declare_unrouted(channel, names).await?;
    declare_events_exchange(channel, names).await
}

/// Declares the unrouted exchange and its queue. A service's own broker
/// user may not (`hearth broker users` declares them as the operator): the
/// queue shares its name with the exchange, so a permission to bind it would
/// be one to read every event nobody consumes.
pub async fn declare_unrouted(channel: &Channel, names: &Names) -> lapin::Result<()> {
    channel
        .exchange_declare(
            &names.unrouted_exchange(),
            ExchangeKind::Fanout,
            durable_exchange(),
            FieldTable::default(),
        )
        .await?;
    channel
        .queue_declare(
            &names.unrouted_queue(),
            durable(),
            table(vec![
                ("x-max-length", AMQPValue::LongLongInt(UNROUTED_MAX_LENGTH)),
                ("x-message-ttl", millis(UNROUTED_TTL)),
            ]),
        )
        .await?;
    channel
        .queue_bind(
            &names.unrouted_queue(),
            &names.unrouted_exchange(),
            "",
            QueueBindOptions::default(),
            FieldTable::default(),
        )
        .await
}

/// Declares the events exchange alone, naming its alternate exchange.
async fn declare_events_exchange(channel: &Channel, names: &Names) -> lapin::Result<()> {
    channel
        .exchange_declare(
            &names.exchange(),
            ExchangeKind::Topic,
            durable_exchange(),
            table(vec![(
                "alternate-exchange",
                string(names.unrouted_exchange()),
            )]),
        )
        .await
}

/// What a service declares when it connects, as far as its broker user may:
/// the unrouted exchange and queue on a channel of their own (a refusal
/// closes the channel it happens on; a per-service user is refused, and
/// finds them declared by `hearth broker users`), then the events exchange.
pub async fn declare_shared(link: &BrokerLink, names: &Names) -> lapin::Result<()> {
    let Some(channel) = link.channel().await else {
        return Ok(());
    };
    let channel = channel?;
    match declare_unrouted(&channel, names).await {
        Ok(()) => {
            let _ = channel.close(200, "declared").await;
        }
        Err(err) if is_access_refused(&err) => {
            tracing::debug!(
                user = link.user(),
                "not allowed to declare the unrouted queue; leaving it to the operator"
            );
        }
        Err(err) => return Err(err),
    }
    let Some(channel) = link.channel().await else {
        return Ok(());
    };
    let channel = channel?;
    declare_events_exchange(&channel, names).await?;
    let _ = channel.close(200, "declared").await;
    Ok(())
}

/// Whether RabbitMQ refused an operation for the user's permissions.
pub fn is_access_refused(err: &lapin::Error) -> bool {
    matches!(err, lapin::Error::ProtocolError(e)
        if *e.kind() == AMQPErrorKind::Soft(AMQPSoftError::ACCESSREFUSED))
}

/// Declares a service's queue, its bindings, its delay queues and its dead
/// queue, with the shared exchanges (see [`declare_exchange`]).
pub async fn declare_consumer(
    channel: &Channel,
    names: &Names,
    topology: &ConsumerTopology,
) -> lapin::Result<()> {
    declare_exchange(channel, names).await?;
    declare_own_queues(channel, names, topology).await
}

/// Declares a service's queues and bindings, on an events exchange declared
/// before (by [`declare_shared`]).
pub async fn declare_own_queues(
    channel: &Channel,
    names: &Names,
    topology: &ConsumerTopology,
) -> lapin::Result<()> {
    let queue = names.queue(topology.service);
    channel
        .queue_declare(
            &queue,
            durable(),
            table(vec![("x-queue-type", string("quorum".into()))]),
        )
        .await?;
    for event_type in &topology.event_types {
        channel
            .queue_bind(
                &queue,
                &names.exchange(),
                event_type,
                QueueBindOptions::default(),
                FieldTable::default(),
            )
            .await?;
    }
    for delay in &topology.retry_delays {
        // Expired messages go back to the service's queue through the default
        // exchange. A classic queue dead-letters at most once: a message that
        // expires while the service's queue cannot take it (a broker restarting,
        // a cluster without a leader) is dropped. A quorum queue with the
        // at-least-once strategy keeps it until the service's queue confirms it.
        channel
            .queue_declare(
                &names.retry_queue(topology.service, *delay),
                durable(),
                table(vec![
                    ("x-queue-type", string("quorum".into())),
                    ("x-message-ttl", millis(*delay)),
                    ("x-dead-letter-exchange", string(String::new())),
                    ("x-dead-letter-routing-key", string(queue.clone())),
                    ("x-dead-letter-strategy", string("at-least-once".into())),
                    // What at-least-once dead-lettering requires of the queue.
                    ("x-overflow", string("reject-publish".into())),
                ]),
            )
            .await?;
    }
    channel
        .queue_declare(
            &names.dead_queue(topology.service),
            durable(),
            table(vec![("x-queue-type", string("quorum".into()))]),
        )
        .await?;
    Ok(())
}
