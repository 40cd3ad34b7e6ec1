//! The outbox relay: publishes committed outbox rows to RabbitMQ.
//!
//! - **One publisher per outbox at a time.** Every instance of a service runs
//!   a relay, but only the one holding the outbox's advisory lock publishes;
//!   the others stand by and take over when its database session ends. One
//!   publisher reading in `seq` order is what keeps each aggregate's events in
//!   commit order with many instances — skipping locked rows would not.
//! - **Wakes on commit**: a trigger `NOTIFY`s `<schema>_outbox` on insert, and
//!   the relay `LISTEN`s, with a poll as the fallback.
//! - **Confirms, pipelined**: a batch is published at once, persistent and
//!   `mandatory`, and only then are the confirms awaited. A row is marked
//!   published after the broker confirmed it; a nack or a returned message
//!   leaves it for the next round (at least once; consumers deduplicate).
//! - **Bounded tables**: published rows older than the retention are deleted
//!   in batches.

use std::time::{Duration, Instant};

use hearth_core::metrics::Metrics;
use lapin::options::BasicPublishOptions;
use lapin::publisher_confirm::Confirmation;
use lapin::types::{AMQPValue, FieldTable, ShortString};
use lapin::{BasicProperties, Channel};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::gauge::Gauge;
use sqlx::postgres::PgListener;
use sqlx::{Connection, PgConnection, PgPool};
use tokio::sync::watch;

use crate::broker::BrokerLink;
use crate::topology::{declare_exchange, Names};

/// How the relay behaves; the defaults suit production.
#[derive(Debug, Clone)]
pub struct RelayConfig {
    /// The service's schema: names its outbox, its lock and its notify channel.
    pub schema: &'static str,
    pub names: Names,
    /// Rows published per round.
    pub batch_size: i64,
    /// How often the relay looks without being woken.
    pub poll_interval: Duration,
    /// Published rows are kept this long (for `hearth outbox status` and audits).
    pub retention: Duration,
    /// Rows deleted per cleanup statement, so cleanup never holds long locks.
    pub cleanup_batch: i64,
    pub cleanup_interval: Duration,
}

impl RelayConfig {
    pub fn new(schema: &'static str, names: Names) -> Self {
        Self {
            schema,
            names,
            batch_size: 1000,
            poll_interval: Duration::from_secs(1),
            retention: Duration::from_secs(24 * 3600),
            cleanup_batch: 5000,
            cleanup_interval: crate::workers::CLEANUP_INTERVAL,
        }
    }
}

/// The relay's metrics, registered in the service's registry.
#[derive(Debug, Clone, Default)]
pub struct RelayMetrics {
    published: Counter,
    failed: Counter,
    pending: Gauge,
    oldest_age_seconds: Gauge,
}

impl RelayMetrics {
    pub fn register(metrics: &Metrics) -> Self {
        let m = Self::default();
        metrics.register("events_published", "Events the broker confirmed", m.published.clone());
        metrics.register("events_publish_failed", "Events nacked or returned by the broker", m.failed.clone());
        metrics.register("outbox_pending", "Outbox rows waiting to be published", m.pending.clone());
        metrics.register("outbox_oldest_age_seconds", "Age of the oldest waiting outbox row", m.oldest_age_seconds.clone());
        m
    }
}

#[derive(Debug, sqlx::FromRow)]
struct OutboxRow {
    seq: i64,
    event_id: uuid::Uuid,
    event_type: String,
    envelope: String,
    traceparent: Option<String>,
}

/// Why a round stopped.
#[derive(Debug, thiserror::Error)]
enum RoundError {
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("broker: {0}")]
    Broker(#[from] lapin::Error),
}

#[derive(Debug)]
pub struct Relay {
    pool: PgPool,
    link: BrokerLink,
    config: RelayConfig,
    metrics: RelayMetrics,
}

impl Relay {
    /// The relay of a service's outbox, as configured from the environment.
    pub fn for_service(
        pool: PgPool,
        link: BrokerLink,
        schema: &'static str,
        events: &hearth_core::config::EventsConfig,
        metrics: &Metrics,
    ) -> Self {
        let mut config = RelayConfig::new(schema, Names::new(events.namespace.clone()));
        config.retention = events.outbox_retention;
        Self::new(pool, link, config, RelayMetrics::register(metrics))
    }

    pub fn new(pool: PgPool, link: BrokerLink, config: RelayConfig, metrics: RelayMetrics) -> Self {
        Self { pool, link, config, metrics }
    }

    /// Runs until `stop` turns true (or its sender is gone): stands by for
    /// leadership, then publishes.
    pub async fn run(self, mut stop: watch::Receiver<bool>) {
        tokio::select! {
            () = self.relay_forever() => {}
            _ = stop.wait_for(|stop| *stop) => {}
        }
    }

    async fn relay_forever(&self) {
        loop {
            if let Err(err) = self.lead().await {
                tracing::warn!(schema = self.config.schema, error = %err, "outbox relay interrupted");
            }
            tokio::time::sleep(self.config.poll_interval).await;
        }
    }

    /// Takes the outbox's lock if free, and publishes for as long as it holds it.
    async fn lead(&self) -> Result<(), RoundError> {
        let mut session = self.pool.acquire().await?.detach();
        let leader: bool = sqlx::query_scalar("select pg_try_advisory_lock(hashtext($1))")
            .bind(format!("hearth.outbox.{}", self.config.schema))
            .fetch_one(&mut session)
            .await?;
        if !leader {
            session.close().await?;
            return Ok(());
        }
        tracing::info!(schema = self.config.schema, "this instance relays the outbox");
        let mut listener = PgListener::connect_with(&self.pool).await?;
        listener.listen(&format!("{}_outbox", self.config.schema)).await?;
        let mut last_cleanup = Instant::now();
        loop {
            let Some(channel) = self.link.channel().await else { return Ok(()) };
            let channel = channel?;
            declare_exchange(&channel, &self.config.names).await?;
            loop {
                let sent = self.publish_batch(&mut session, &channel).await?;
                self.observe_backlog(&mut session).await?;
                if last_cleanup.elapsed() >= self.config.cleanup_interval {
                    self.clean_up(&mut session).await?;
                    last_cleanup = Instant::now();
                }
                if sent < self.config.batch_size {
                    // Caught up: sleep until a commit wakes us or the poll comes round.
                    let _ = tokio::time::timeout(self.config.poll_interval, listener.recv()).await;
                }
                if !channel.status().connected() {
                    break;
                }
            }
        }
    }

    /// Publishes up to a batch of waiting rows; returns how many it took.
    async fn publish_batch(&self, session: &mut PgConnection, channel: &Channel) -> Result<i64, RoundError> {
        let rows: Vec<OutboxRow> = sqlx::query_as(
            "select seq, event_id, event_type, envelope::text as envelope, \
                    envelope->>'traceparent' as traceparent \
             from outbox where published_at is null order by seq limit $1",
        )
        .bind(self.config.batch_size)
        .fetch_all(&mut *session)
        .await?;
        let taken = i64::try_from(rows.len()).unwrap_or(i64::MAX);
        if rows.is_empty() {
            return Ok(0);
        }
        let exchange = self.config.names.exchange();
        let mut confirms = Vec::with_capacity(rows.len());
        for row in &rows {
            let confirm = channel
                .basic_publish(
                    &exchange,
                    &row.event_type,
                    BasicPublishOptions { mandatory: true, ..Default::default() },
                    row.envelope.as_bytes(),
                    properties(row),
                )
                .await?;
            confirms.push(confirm);
        }
        let mut published = Vec::with_capacity(rows.len());
        let mut failed = Vec::new();
        for (row, confirm) in rows.iter().zip(confirms) {
            match confirm.await? {
                Confirmation::Ack(None) => published.push(row.seq),
                Confirmation::Ack(Some(_)) | Confirmation::Nack(_) => failed.push(row.seq),
                Confirmation::NotRequested => published.push(row.seq),
            }
        }
        sqlx::query("update outbox set published_at = now() where seq = any($1)")
            .bind(&published)
            .execute(&mut *session)
            .await?;
        self.metrics.published.inc_by(published.len() as u64);
        if !failed.is_empty() {
            self.metrics.failed.inc_by(failed.len() as u64);
            tracing::warn!(count = failed.len(), "the broker refused events; they will be sent again");
            sqlx::query(
                "update outbox set attempts = attempts + 1, last_error = 'nacked or returned by the broker' \
                 where seq = any($1)",
            )
            .bind(&failed)
            .execute(&mut *session)
            .await?;
        }
        Ok(taken)
    }

    async fn observe_backlog(&self, session: &mut PgConnection) -> Result<(), RoundError> {
        let (pending, oldest): (i64, Option<f64>) = sqlx::query_as(
            "select count(*), extract(epoch from now() - min(created_at))::float8 \
             from outbox where published_at is null",
        )
        .fetch_one(&mut *session)
        .await?;
        self.metrics.pending.set(pending);
        self.metrics.oldest_age_seconds.set(oldest.unwrap_or(0.0) as i64);
        Ok(())
    }

    async fn clean_up(&self, session: &mut PgConnection) -> Result<(), RoundError> {
        let deleted = delete_published_before(session, self.config.retention, self.config.cleanup_batch).await?;
        if deleted > 0 {
            tracing::info!(schema = self.config.schema, deleted, "cleaned the outbox");
        }
        Ok(())
    }
}

/// An outbox row waiting longer than this means the relay is stalled.
pub const STALL_AFTER: Duration = Duration::from_secs(60);

/// The readiness check "relay not stalled": nothing has waited in the outbox
/// longer than [`STALL_AFTER`].
pub fn stall_check(pool: PgPool) -> hearth_core::health::Check {
    std::sync::Arc::new(move || {
        let pool = pool.clone();
        Box::pin(async move {
            let oldest: Option<f64> = sqlx::query_scalar(
                "select extract(epoch from now() - min(created_at))::float8 from outbox where published_at is null",
            )
            .fetch_one(&pool)
            .await
            .map_err(|e| e.to_string())?;
            match oldest {
                Some(age) if age > STALL_AFTER.as_secs_f64() => {
                    Err(format!("the oldest unpublished event has waited {age:.0} s"))
                }
                _ => Ok(()),
            }
        })
    })
}

/// Deletes published rows older than `retention`, `batch` rows per statement,
/// until none are left. Rows not yet published are never touched.
pub async fn delete_published_before(
    conn: &mut PgConnection,
    retention: Duration,
    batch: i64,
) -> sqlx::Result<u64> {
    let mut total = 0;
    loop {
        let deleted = sqlx::query(
            "delete from outbox where seq in ( \
               select seq from outbox \
               where published_at is not null and published_at < now() - $1::interval \
               order by published_at limit $2)",
        )
        .bind(pg_interval(retention))
        .bind(batch)
        .execute(&mut *conn)
        .await?
        .rows_affected();
        total += deleted;
        if deleted < u64::try_from(batch).unwrap_or(u64::MAX) {
            return Ok(total);
        }
    }
}

/// A duration as PostgreSQL interval text: `90 seconds`.
fn pg_interval(d: Duration) -> String {
    format!("{} milliseconds", d.as_millis())
}

fn properties(row: &OutboxRow) -> BasicProperties {
    let mut headers = FieldTable::default();
    if let Some(traceparent) = &row.traceparent {
        headers.insert(ShortString::from("traceparent"), AMQPValue::LongString(traceparent.as_str().into()));
    }
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    BasicProperties::default()
        .with_message_id(row.event_id.to_string().into())
        .with_type(row.event_type.as_str().into())
        .with_timestamp(now)
        .with_delivery_mode(2)
        .with_content_type("application/cloudevents+json".into())
        .with_headers(headers)
}
