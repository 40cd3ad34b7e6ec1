//! The consumer runner: idempotent handling, retries with growing delay, dead letters.
//!
//! For each delivery, in one database transaction: the event id goes into the
//! service's `inbox` (a redelivered event finds its id there and changes
//! nothing), then the handler makes its effect. The transaction commits, and
//! only then is the message acked — so a crash anywhere loses nothing and
//! doubles nothing.
//!
//! A handler that fails is retried through the delay queues (docs/events.md: e.g.
//! 1 s, 5 s, 30 s, 2 min, 10 min); after the last, or at once for a message that
//! can never succeed (not a CloudEvent, an unknown version, data that does not
//! parse), the message goes to the dead queue with headers that say why.
//! Either way the original is acked, so one poison message never stops a queue.
//!
//! When the service connects as its own broker user ([`crate::publishers`]),
//! a message whose broker-checked publisher (`user_id`) is not its type's
//! producer is refused the same way, before the inbox or the handler sees it.
//! Retry and dead copies are published by this service's own user, so RabbitMQ
//! accepts their `user_id`; the original publisher travels with them in
//! `x-hearth-publisher`, which the consumer trusts only on a copy its own
//! user published.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use std::future::Future;

use futures::future::BoxFuture;
use futures::{FutureExt, StreamExt, TryStreamExt};
use hearth_core::metrics::Metrics;
use hearth_events::{Envelope, Event, Undecodable};
use lapin::message::Delivery;
use lapin::options::{BasicAckOptions, BasicConsumeOptions, BasicPublishOptions, BasicQosOptions};
use lapin::publisher_confirm::Confirmation;
use lapin::types::{AMQPValue, FieldTable, ShortString};
use lapin::{BasicProperties, Channel};
use prometheus_client::metrics::counter::Counter;
use sqlx::PgPool;
use tokio::sync::watch;
use tracing::Instrument;

use crate::broker::BrokerLink;
use crate::publishers::Publishers;
use crate::topology::{declare_own_queues, declare_shared, ConsumerTopology, Names};
use crate::unit_of_work::UnitOfWork;
use crate::wake::Waker;

/// The unit of work a handler works in; it hands it back to be committed
/// (which wakes the relay if the handler emitted).
pub type Tx = UnitOfWork;

/// Why a handler did not make its effect.
#[derive(Debug, thiserror::Error)]
pub enum HandleError {
    /// Might work later (a lock timeout, a lost connection): retry.
    #[error("{0:#}")]
    Retry(#[from] anyhow::Error),
    /// Can never work: dead-letter at once.
    #[error("{0}")]
    Poison(String),
}

impl From<Undecodable> for HandleError {
    fn from(err: Undecodable) -> Self {
        HandleError::Poison(err.to_string())
    }
}

impl From<sqlx::Error> for HandleError {
    fn from(err: sqlx::Error) -> Self {
        HandleError::Retry(err.into())
    }
}

/// A service's handler for events of type `T`: makes the effect of one in
/// `tx`. Any `async fn(Tx, Envelope<T>) -> Result<Tx, HandleError>` is one.
pub trait Handler<T: Event>: Send + Sync + 'static {
    fn handle(&self, tx: Tx, event: Envelope<T>) -> BoxFuture<'static, Result<Tx, HandleError>>;
}

impl<T, F, Fut> Handler<T> for F
where
    T: Event,
    F: Fn(Tx, Envelope<T>) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<Tx, HandleError>> + Send + 'static,
{
    fn handle(&self, tx: Tx, event: Envelope<T>) -> BoxFuture<'static, Result<Tx, HandleError>> {
        Box::pin(self(tx, event))
    }
}

/// A handler as the runner keeps it: it decodes the delivery's envelope into
/// its type once, then hands it to the service's [`Handler`].
type Decoding =
    Arc<dyn Fn(Tx, Envelope) -> BoxFuture<'static, Result<Tx, HandleError>> + Send + Sync>;

fn decoding<T: Event + Send + 'static>(handler: impl Handler<T>) -> Decoding {
    Arc::new(move |tx, envelope: Envelope| match envelope.decode::<T>() {
        Ok(event) => handler.handle(tx, event),
        Err(undecodable) => Box::pin(std::future::ready(Err(undecodable.into()))),
    })
}

/// Header names on retried and dead-lettered messages.
pub mod headers {
    pub const ATTEMPTS: &str = "x-hearth-attempts";
    pub const ERROR: &str = "x-hearth-error";
    pub const FIRST_FAILURE: &str = "x-hearth-first-failure";
    pub const LAST_FAILURE: &str = "x-hearth-last-failure";
    pub const ROUTING_KEY: &str = "x-hearth-routing-key";
    /// On a retry or dead copy: the broker user that published the original.
    pub const PUBLISHER: &str = "x-hearth-publisher";
}

#[derive(Debug, Clone, Default)]
pub struct ConsumerMetrics {
    consumed: Counter,
    duplicates: Counter,
    retried: Counter,
    dead_lettered: Counter,
}

impl ConsumerMetrics {
    pub fn register(metrics: &Metrics) -> Self {
        let m = Self::default();
        metrics.register(
            "events_consumed",
            "Events handled and acked",
            m.consumed.clone(),
        );
        metrics.register(
            "events_duplicate",
            "Redelivered events found in the inbox",
            m.duplicates.clone(),
        );
        metrics.register(
            "events_retried",
            "Failed handlings sent to a delay queue",
            m.retried.clone(),
        );
        metrics.register(
            "events_dead_lettered",
            "Events sent to the dead queue",
            m.dead_lettered.clone(),
        );
        m
    }
}

/// How a consumer's session ended.
enum Consumed {
    /// The channel or its deliveries ended: the consumer starts another.
    Lost,
    /// Asked to stop: the channel is closed.
    Stopped,
}

/// One service's consumer: its queue, its handlers, its retry policy.
pub struct Consumer {
    pool: PgPool,
    link: BrokerLink,
    names: Names,
    topology: ConsumerTopology,
    handlers: BTreeMap<&'static str, Decoding>,
    prefetch: u16,
    /// Deliveries handled at once.
    concurrency: usize,
    /// Handled event ids older than this are forgotten.
    inbox_retention: Duration,
    metrics: ConsumerMetrics,
    /// Given to each delivery's unit of work: wakes the relay after a
    /// handler that emitted has committed.
    waker: Waker,
    /// Whose events are refused.
    publishers: Publishers,
}

impl std::fmt::Debug for Consumer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Consumer")
            .field("topology", &self.topology)
            .finish_non_exhaustive()
    }
}

/// What happened to one delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Outcome {
    Handled,
    Duplicate,
    Failed(String),
    Poison(String),
}

impl Consumer {
    /// The broker link it consumes on.
    pub fn link(&self) -> &BrokerLink {
        &self.link
    }

    /// A service's consumer, as configured from the environment; add handlers with [`Consumer::on`].
    pub fn for_service(
        pool: PgPool,
        link: BrokerLink,
        service: &'static str,
        events: &hearth_core::config::EventsConfig,
        metrics: &Metrics,
    ) -> Self {
        Self::new(
            pool,
            link,
            Names::new(events.namespace.clone()),
            service,
            events.retry_delays.clone(),
            ConsumerMetrics::register(metrics),
        )
        .with_inbox_retention(events.inbox_retention)
        .with_concurrency(events.concurrency)
    }

    /// Checks publishers as `check` says for this service and its broker user.
    pub fn with_publisher_check(mut self, check: hearth_core::config::PublisherCheck) -> Self {
        self.publishers = Publishers::resolve(check, self.topology.service, self.link.user());
        let (service, user) = (self.topology.service, self.link.user());
        if self.publishers.is_checked() {
            tracing::info!(
                service,
                user,
                "each event is accepted from its producer's broker user alone"
            );
        } else {
            tracing::info!(
                service,
                user,
                "publishers are not checked: the service shares its broker user"
            );
        }
        self
    }

    pub fn new(
        pool: PgPool,
        link: BrokerLink,
        names: Names,
        service: &'static str,
        retry_delays: Vec<Duration>,
        metrics: ConsumerMetrics,
    ) -> Self {
        Self {
            waker: Waker::new(pool.clone()),
            pool,
            link,
            names,
            topology: ConsumerTopology {
                service,
                event_types: Vec::new(),
                retry_delays,
            },
            handlers: BTreeMap::new(),
            prefetch: 32,
            concurrency: 8,
            inbox_retention: Duration::from_secs(7 * 24 * 3600),
            metrics,
            publishers: Publishers::Unchecked,
        }
    }

    pub fn with_inbox_retention(mut self, retention: Duration) -> Self {
        self.inbox_retention = retention;
        self
    }

    /// What wakes the relay after a handler wrote to the outbox (by default,
    /// a `NOTIFY`).
    pub fn with_waker(mut self, waker: Waker) -> Self {
        self.waker = waker;
        self
    }

    /// How many deliveries are handled at once (default 8); 1 handles them in queue order.
    pub fn with_concurrency(mut self, concurrency: usize) -> Self {
        self.concurrency = concurrency.max(1);
        self
    }

    /// Handles events of type `T` with `handler`, and binds the queue to
    /// `T`'s routing key.
    ///
    /// # Panics
    ///
    /// If `T` already has a handler: one type, one handler, so that reading
    /// the `.on` calls tells what happens to each event. Replacing one on
    /// purpose is [`Consumer::replace`].
    pub fn on<T: Event + Send + 'static>(mut self, handler: impl Handler<T>) -> Self {
        assert!(
            !self.handlers.contains_key(T::TYPE),
            "{} has a handler already; Consumer::replace overrides one on purpose",
            T::TYPE
        );
        self.topology.event_types.push(T::TYPE);
        self.handlers.insert(T::TYPE, decoding(handler));
        self
    }

    /// Handles events of type `T` with `handler` instead of the handler
    /// added before (by a shared set such as
    /// [`crate::moderation::follow_suspensions`]).
    ///
    /// # Panics
    ///
    /// If `T` has no handler yet: then there is nothing to replace, and
    /// [`Consumer::on`] says what is meant.
    pub fn replace<T: Event + Send + 'static>(mut self, handler: impl Handler<T>) -> Self {
        assert!(
            self.handlers.contains_key(T::TYPE),
            "{} has no handler to replace; use Consumer::on",
            T::TYPE
        );
        self.handlers.insert(T::TYPE, decoding(handler));
        self
    }

    /// The event types the service consumes: what its queue is bound to.
    pub fn event_types(&self) -> Vec<&'static str> {
        let mut types = self.topology.event_types.clone();
        types.sort_unstable();
        types
    }

    /// Declares the service's queue and bindings now, waiting at most `timeout`
    /// for the broker. The consumer also declares them whenever it connects.
    pub async fn declare(&self, timeout: Duration) -> anyhow::Result<()> {
        tokio::time::timeout(timeout, async {
            let channel = self
                .link
                .channel()
                .await
                .ok_or_else(|| anyhow::anyhow!("the broker link has stopped"))??;
            declare_shared(&self.link, &self.names).await?;
            declare_own_queues(&channel, &self.names, &self.topology).await?;
            anyhow::Ok(())
        })
        .await
        .map_err(|_| anyhow::anyhow!("RabbitMQ did not answer within {timeout:?}"))?
    }

    /// Consumes until `stop` turns true (or its sender is gone), reconnecting
    /// after any loss. On stop it closes its channel (what it had not acked
    /// goes back to the queue at once), so the connection closes cleanly
    /// after it ([`crate::workers`]); stuck elsewhere (a broker that went
    /// away), it is dropped after [`crate::lifecycle::STOP_GRACE`].
    pub async fn run(self, stop: watch::Receiver<bool>) {
        let mut stopping = stop.clone();
        tokio::select! {
            () = self.consume_until(stop) => {}
            () = self.clean_inbox_forever() => {}
            () = crate::lifecycle::grace_after(&mut stopping) => {}
        }
    }

    /// Every instance cleans; the deletes are small batches, so they do not collide badly.
    async fn clean_inbox_forever(&self) {
        loop {
            tokio::time::sleep(crate::lifecycle::CLEANUP_INTERVAL).await;
            let Ok(mut conn) = self.pool.acquire().await else {
                continue;
            };
            match delete_inbox_before(&mut conn, self.inbox_retention, 5000).await {
                Ok(0) => {}
                Ok(deleted) => tracing::info!(
                    service = self.topology.service,
                    deleted,
                    "cleaned the inbox"
                ),
                Err(err) => tracing::warn!(error = %err, "inbox cleanup failed"),
            }
        }
    }

    async fn consume_until(&self, mut stop: watch::Receiver<bool>) {
        let mut delay = Duration::from_millis(250);
        loop {
            let started = tokio::time::Instant::now();
            match self.consume(&mut stop).await {
                Ok(Consumed::Stopped) => return,
                Ok(Consumed::Lost) => {}
                Err(err) => {
                    tracing::warn!(service = self.topology.service, error = %err, "consumer interrupted; resuming");
                }
            }
            // A session that lasted was healthy: start the backoff over.
            if started.elapsed() > Duration::from_secs(30) {
                delay = Duration::from_millis(250);
            }
            tokio::select! {
                () = tokio::time::sleep(delay) => {}
                () = crate::lifecycle::stopped(&mut stop) => return,
            }
            delay = (delay * 2).min(Duration::from_secs(10));
        }
    }

    /// One session on one channel: until the channel is lost or `stop`.
    async fn consume(&self, stop: &mut watch::Receiver<bool>) -> anyhow::Result<Consumed> {
        let Some(channel) = self.link.channel().await else {
            return Ok(Consumed::Stopped);
        };
        let channel = channel?;
        declare_shared(&self.link, &self.names).await?;
        declare_own_queues(&channel, &self.names, &self.topology).await?;
        channel.confirm_select(Default::default()).await?;
        channel
            .basic_qos(self.prefetch, BasicQosOptions::default())
            .await?;
        let queue = self.names.queue(self.topology.service);
        let deliveries = channel
            .basic_consume(
                &queue,
                &format!("{queue}.{}", uuid::Uuid::now_v7()),
                BasicConsumeOptions::default(),
                FieldTable::default(),
            )
            .await?;
        tracing::info!(%queue, "consuming");
        // Up to `concurrency` deliveries are handled at once. Events of one
        // aggregate may then be handled out of order, which the sagas allow
        // for (docs/events.md: consumers never rely on order); two deliveries of one
        // event still have one effect, because the second waits on the
        // first's inbox row and then finds it.
        let handled = deliveries
            .map(|delivery| delivery.map_err(anyhow::Error::from))
            .try_for_each_concurrent(self.concurrency, |delivery| {
                let channel = &channel;
                async move {
                    let outcome = self.handle(&delivery).await;
                    self.settle(channel, delivery, outcome).await
                }
            });
        tokio::select! {
            result = handled => result.map(|()| Consumed::Lost),
            () = crate::lifecycle::stopped(stop) => {
                // A delivery being handled is dropped with its transaction,
                // unacked: closing the channel returns it to the queue.
                channel.close(200, "the consumer is stopping").await?;
                Ok(Consumed::Stopped)
            }
        }
    }

    /// Runs the handler for one delivery, in one transaction with the inbox row.
    async fn handle(&self, delivery: &Delivery) -> Outcome {
        let envelope = match Envelope::from_slice(&delivery.data) {
            Ok(envelope) => envelope,
            Err(err) => return Outcome::Poison(err.to_string()),
        };
        let publisher = publisher(delivery, self.link.user());
        if let Some(why) = self.publishers.refusal(&envelope, publisher.as_deref()) {
            tracing::warn!(id = %envelope.id, r#type = %envelope.event_type, reason = %why, "refused an event from the wrong publisher");
            return Outcome::Poison(why);
        }
        let Some(handler) = self.handlers.get(envelope.event_type.as_str()) else {
            // During a rolling deploy an older instance may meet a type a newer
            // one bound: retry, so that a newer instance can take it.
            return Outcome::Failed(format!(
                "{} has no handler in this instance",
                envelope.event_type
            ));
        };
        let span = tracing::info_span!("event", id = %envelope.id, r#type = %envelope.event_type,
            correlationid = %envelope.correlationid, traceparent = envelope.traceparent.as_deref().unwrap_or_default());
        async move {
            // A handler that panics fails this delivery (retried, then dead-lettered)
            // instead of ending the consumer for every message after it.
            let handled = std::panic::AssertUnwindSafe(self.handle_once(handler, envelope))
                .catch_unwind()
                .await;
            let outcome = match handled {
                Ok(Ok(true)) => Outcome::Handled,
                Ok(Ok(false)) => Outcome::Duplicate,
                Ok(Err(HandleError::Poison(why))) => Outcome::Poison(why),
                Ok(Err(HandleError::Retry(err))) => Outcome::Failed(format!("{err:#}")),
                Err(_) => Outcome::Failed("the handler panicked".to_owned()),
            };
            tracing::debug!(?outcome, "event handled");
            outcome
        }
        .instrument(span)
        .await
    }

    /// `Ok(false)`: the event was handled before.
    async fn handle_once(
        &self,
        handler: &Decoding,
        envelope: Envelope,
    ) -> Result<bool, HandleError> {
        let mut tx = UnitOfWork::begin(&self.pool, &self.waker).await?;
        let first_time = sqlx::query!(
            "insert into inbox (event_id, event_type) values ($1, $2) on conflict do nothing",
            envelope.id,
            envelope.event_type,
        )
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
        if !first_time {
            return Ok(false);
        }
        let tx = handler(tx, envelope).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Acks, or re-publishes for a retry or the dead queue and then acks.
    async fn settle(
        &self,
        channel: &Channel,
        delivery: Delivery,
        outcome: Outcome,
    ) -> anyhow::Result<()> {
        match outcome {
            Outcome::Handled => {
                self.metrics.consumed.inc();
                tracing::debug!("handled");
            }
            Outcome::Duplicate => {
                self.metrics.duplicates.inc();
                tracing::debug!("already handled; acking the redelivery");
            }
            Outcome::Failed(why) => {
                let attempts = attempts(&delivery).saturating_add(1);
                match self
                    .topology
                    .retry_delays
                    .get((attempts as usize).saturating_sub(1))
                {
                    Some(delay) => {
                        tracing::warn!(error = %why, attempts, retry_in = ?delay, "handling failed; retrying");
                        let queue = self.names.retry_queue(self.topology.service, *delay);
                        if !self
                            .republish(channel, &delivery, &queue, attempts, &why)
                            .await?
                        {
                            return Err(unconfirmed_copy());
                        }
                        self.metrics.retried.inc();
                    }
                    None => {
                        tracing::error!(error = %why, attempts, "handling failed for the last time; dead-lettering");
                        if !self.dead_letter(channel, &delivery, attempts, &why).await? {
                            return Err(unconfirmed_copy());
                        }
                    }
                }
            }
            Outcome::Poison(why) => {
                tracing::error!(error = %why, "a message that can never be handled; dead-lettering");
                if !self
                    .dead_letter(
                        channel,
                        &delivery,
                        attempts(&delivery).saturating_add(1),
                        &why,
                    )
                    .await?
                {
                    return Err(unconfirmed_copy());
                }
            }
        }
        Ok(delivery.ack(BasicAckOptions::default()).await?)
    }

    async fn dead_letter(
        &self,
        channel: &Channel,
        delivery: &Delivery,
        attempts: u32,
        why: &str,
    ) -> lapin::Result<bool> {
        self.metrics.dead_lettered.inc();
        self.republish(
            channel,
            delivery,
            &self.names.dead_queue(self.topology.service),
            attempts,
            why,
        )
        .await
    }

    /// Publishes a copy of `delivery` to `queue` with the failure headers;
    /// `true` once the broker confirmed it.
    async fn republish(
        &self,
        channel: &Channel,
        delivery: &Delivery,
        queue: &str,
        attempts: u32,
        why: &str,
    ) -> lapin::Result<bool> {
        let now = chrono::Utc::now().to_rfc3339();
        // A publisher header the original carried proves nothing (it is
        // trusted only on a copy this service published): never carry one on.
        let mut headers = without(delivery.properties.headers().as_ref(), headers::PUBLISHER);
        let first_failure =
            header_string(&headers, headers::FIRST_FAILURE).unwrap_or_else(|| now.clone());
        let routing_key = header_string(&headers, headers::ROUTING_KEY)
            .unwrap_or_else(|| delivery.routing_key.to_string());
        // The copy is published by this service's user, which RabbitMQ checks;
        // who published the original goes with it (empty: nobody proven).
        headers.insert(
            ShortString::from(headers::PUBLISHER),
            AMQPValue::LongString(
                publisher(delivery, self.link.user())
                    .unwrap_or_default()
                    .into(),
            ),
        );
        for (key, value) in [
            (headers::ATTEMPTS, AMQPValue::LongUInt(attempts)),
            (
                headers::ERROR,
                AMQPValue::LongString(truncate(why, 2000).into()),
            ),
            (
                headers::FIRST_FAILURE,
                AMQPValue::LongString(first_failure.into()),
            ),
            (headers::LAST_FAILURE, AMQPValue::LongString(now.into())),
            (
                headers::ROUTING_KEY,
                AMQPValue::LongString(routing_key.into()),
            ),
        ] {
            headers.insert(ShortString::from(key), value);
        }
        let properties: BasicProperties = delivery
            .properties
            .clone()
            .with_headers(headers)
            .with_user_id(self.link.user().into())
            .with_delivery_mode(2);
        let confirm = copy_to_queue(channel, queue, &delivery.data, properties).await?;
        Ok(matches!(confirm, Confirmation::Ack(None)))
    }
}

/// Publishes a copy of a message straight to `queue` (through the default
/// exchange), mandatory, on a channel with publisher confirms, and waits for
/// the broker's answer: `Ack(None)` only when it was routed to the queue and
/// confirmed (a returned message comes back with the ack). A
/// retry, a dead letter and an operator's replay (`hearth dlq`) all go this
/// way, so none is acked away before its copy is safe.
pub async fn copy_to_queue(
    channel: &Channel,
    queue: &str,
    body: &[u8],
    properties: BasicProperties,
) -> lapin::Result<Confirmation> {
    let options = BasicPublishOptions {
        mandatory: true,
        ..Default::default()
    };
    channel
        .basic_publish("", queue, options, body, properties)
        .await?
        .await
}

/// A retry or dead-letter copy the broker did not confirm: the original must
/// not be acked. Dropping the channel returns it to the queue, and the
/// consumer comes back after a backoff instead of spinning on it.
fn unconfirmed_copy() -> anyhow::Error {
    anyhow::anyhow!("the broker did not confirm a retry or dead-letter copy; reconnecting")
}

/// The broker user that published `delivery`'s event: its `user_id`, checked
/// by RabbitMQ; or, on a retry or dead copy this service's own user
/// published, the original's, which that copy carries in a header (empty
/// when the original had no `user_id`). A header on a message anyone else
/// published proves nothing and is ignored.
pub fn publisher(delivery: &Delivery, own_user: &str) -> Option<String> {
    let user_id = delivery.properties.user_id().as_ref()?.to_string();
    if user_id != own_user {
        return Some(user_id);
    }
    let original = delivery
        .properties
        .headers()
        .as_ref()
        .and_then(|h| header_string(h, headers::PUBLISHER));
    match original {
        Some(original) if original.is_empty() => None,
        Some(original) => Some(original),
        // Not a copy: the service published it itself.
        None => Some(user_id),
    }
}

/// `table` without `key`.
pub fn without(table: Option<&FieldTable>, key: &str) -> FieldTable {
    let mut kept = FieldTable::default();
    for (name, value) in table.map(FieldTable::inner).into_iter().flatten() {
        if name.as_str() != key {
            kept.insert(name.clone(), value.clone());
        }
    }
    kept
}

fn attempts(delivery: &Delivery) -> u32 {
    delivery
        .properties
        .headers()
        .as_ref()
        .and_then(|h| h.inner().get(headers::ATTEMPTS))
        .and_then(|v| match v {
            AMQPValue::LongUInt(n) => Some(*n),
            AMQPValue::LongInt(n) => u32::try_from(*n).ok(),
            AMQPValue::LongLongInt(n) => u32::try_from(*n).ok(),
            _ => None,
        })
        .unwrap_or(0)
}

pub fn header_string(headers: &FieldTable, key: &str) -> Option<String> {
    match headers.inner().get(key)? {
        AMQPValue::LongString(s) => Some(s.to_string()),
        AMQPValue::ShortString(s) => Some(s.to_string()),
        _ => None,
    }
}

fn truncate(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
}

/// Deletes inbox rows older than `retention`, `batch` per statement. A
/// redelivery older than the retention is no longer recognised, so keep it
/// well above the longest retry delay and the broker's redelivery window.
pub async fn delete_inbox_before(
    conn: &mut sqlx::PgConnection,
    retention: Duration,
    batch: i64,
) -> sqlx::Result<u64> {
    let mut total = 0;
    loop {
        let deleted = sqlx::query!(
            "delete from inbox where event_id in (
               select event_id from inbox where received_at < now() - make_interval(secs => $1)
               order by received_at limit $2)",
            retention.as_secs_f64(),
            batch,
        )
        .execute(&mut *conn)
        .await?
        .rows_affected();
        total += deleted;
        if deleted < u64::try_from(batch).unwrap_or(u64::MAX) {
            return Ok(total);
        }
    }
}
