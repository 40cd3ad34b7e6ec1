//! The outbox relay: publishes committed outbox rows to RabbitMQ.
//!
//! - **One publisher per outbox at a time.** Every instance of a service runs
//!   a relay, but only the one holding the outbox's advisory lock publishes;
//!   the others stand by and take over when its database session ends. One
//!   publisher reading in `seq` order is what keeps each aggregate's events in
//!   commit order with many instances — skipping locked rows would not.
//! - **Wakes on commit**: whoever commits outbox rows wakes it afterwards
//!   ([`crate::wake`]): directly when it is in the same process and leads,
//!   otherwise by `NOTIFY` on `<schema>_outbox`, which it `LISTEN`s to; with a
//!   poll as the fallback. Drains start at least `min_drain_interval` (2 ms)
//!   apart, so under load the events of those milliseconds travel together.
//! - **Confirms, pipelined**: a batch is published at once, persistent and
//!   `mandatory`; its confirms are awaited, and its rows marked, in the
//!   background while the relay goes on reading and publishing (up to
//!   `batches_in_flight` batches), so an event committed meanwhile leaves at
//!   once. A row is marked published only after the broker confirmed it; a
//!   nack or a returned message leaves it for the next pass from the start
//!   (at least once; consumers deduplicate).
//! - **Bounded tables**: published rows older than the retention are deleted
//!   in batches.

use std::time::{Duration, Instant};

use hearth_core::metrics::Metrics;
use lapin::options::{BasicPublishOptions, ConfirmSelectOptions};
use lapin::publisher_confirm::{Confirmation, PublisherConfirm};
use lapin::types::{AMQPValue, FieldTable, ShortString};
use lapin::{BasicProperties, Channel};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::gauge::Gauge;
use sqlx::postgres::PgListener;
use sqlx::{PgConnection, PgPool};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::broker::BrokerLink;
use crate::topology::{declare_shared, Names};
use crate::wake::{LocalRelay, Waker};

mod cursor;
use cursor::{Cursor, Snapshot};

const BACKLOG_OBSERVE_INTERVAL: Duration = Duration::from_secs(1);

/// How the relay behaves; the defaults suit production.
#[derive(Debug, Clone)]
pub struct RelayConfig {
    /// The service's schema: names its outbox, its lock and its notify channel.
    pub schema: &'static str,
    pub names: Names,
    /// Rows published per round.
    pub batch_size: i64,
    /// AMQP channels published through at once; an aggregate keeps to one.
    pub channels: usize,
    /// Batches published whose confirms are still awaited.
    pub batches_in_flight: usize,
    /// How often the relay looks without being woken.
    pub poll_interval: Duration,
    /// Drains start at least this far apart. At a trickle the last one is
    /// long past and an event leaves at once; under load, the commits of the
    /// interval leave in one read, one burst of publishes and one mark
    /// instead of one each.
    pub min_drain_interval: Duration,
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
            channels: 4,
            batches_in_flight: 4,
            poll_interval: Duration::from_secs(1),
            min_drain_interval: Duration::from_millis(2),
            retention: Duration::from_secs(24 * 3600),
            cleanup_batch: 5000,
            cleanup_interval: crate::lifecycle::CLEANUP_INTERVAL,
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
        metrics.register(
            "events_published",
            "Events the broker confirmed",
            m.published.clone(),
        );
        metrics.register(
            "events_publish_failed",
            "Events nacked or returned by the broker",
            m.failed.clone(),
        );
        metrics.register(
            "outbox_pending",
            "Outbox rows waiting to be published",
            m.pending.clone(),
        );
        metrics.register(
            "outbox_oldest_age_seconds",
            "Age of the oldest waiting outbox row",
            m.oldest_age_seconds.clone(),
        );
        m
    }
}

#[derive(Debug)]
struct OutboxRow {
    seq: i64,
    event_id: uuid::Uuid,
    aggregate_id: String,
    event_type: String,
    envelope: String,
    traceparent: Option<String>,
    snapshot_xmin: i64,
    snapshot_bound: i64,
}

/// Why a round stopped.
#[derive(Debug, thiserror::Error)]
enum RoundError {
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("broker: {0}")]
    Broker(#[from] lapin::Error),
    #[error("a settling task failed: {0}")]
    Task(String),
}

/// How a spell of leading ended.
enum Led {
    /// Another instance holds the outbox's lock.
    NotLeader,
    /// The broker connection was lost; the relay leads on with a new one.
    LostBroker,
    /// Asked to stop: what was published is confirmed, the channels closed.
    Stopped,
}

/// What a leader carries from one drain to the next.
struct Round {
    in_flight: InFlight,
    cursor: Cursor,
    last_cleanup: Instant,
    last_observed: Option<Instant>,
}

impl Default for Round {
    fn default() -> Self {
        Self {
            in_flight: InFlight::default(),
            cursor: Cursor::default(),
            last_cleanup: Instant::now(),
            last_observed: None,
        }
    }
}

/// The leader's session: marking rows published need not wait for the disk
/// (a mark lost in a crash only means the event is sent again, which
/// consumers absorb), and its few statements each read a few rows by index.
async fn prepare_session(session: &mut PgConnection) -> Result<(), RoundError> {
    // `set_config(…, false)` is `set`: for the whole session.
    sqlx::query!(
        "select set_config('synchronous_commit', 'off', false) as synchronous_commit,
           -- The batch query must walk the unpublished index in order and stop
           -- after a batch. Before autovacuum has analyzed a freshly filled
           -- outbox, PostgreSQL underestimates it and sorts the whole backlog
           -- instead; this session runs nothing else, so it may forbid that.
           set_config('enable_bitmapscan', 'off', false) as enable_bitmapscan,
           set_config('enable_sort', 'off', false) as enable_sort,
           -- With many gaps PostgreSQL would rather hash the whole outbox than
           -- look each gap up.
           set_config('enable_hashjoin', 'off', false) as enable_hashjoin,
           set_config('enable_mergejoin', 'off', false) as enable_mergejoin"
    )
    .fetch_one(&mut *session)
    .await?;
    Ok(())
}

#[derive(Debug)]
pub struct Relay {
    pool: PgPool,
    link: BrokerLink,
    config: RelayConfig,
    metrics: RelayMetrics,
    local: LocalRelay,
}

impl Relay {
    /// The broker link it publishes on.
    pub fn link(&self) -> &BrokerLink {
        &self.link
    }

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
        Self {
            pool,
            link,
            config,
            metrics,
            local: LocalRelay::default(),
        }
    }

    /// Woken in the process by `waker` (and its clones) while this relay
    /// leads; see [`Relay::waker`].
    pub fn woken_by(mut self, waker: &Waker) -> Self {
        if let Some(local) = waker.local_relay() {
            self.local = local.clone();
        }
        self
    }

    /// A waker for this process's commits to the outbox: it wakes this relay
    /// directly while it leads, and by `NOTIFY` otherwise.
    pub fn waker(&self) -> Waker {
        Waker::new(self.pool.clone()).waking(self.local.clone())
    }

    /// Runs until `stop` turns true (or its sender is gone): stands by for
    /// leadership, then publishes. A leader that stops waits for the
    /// broker's confirms of what it published and closes its channels, so
    /// the connection closes cleanly after it ([`crate::workers`]); one stuck
    /// elsewhere (a database or broker that went away) is dropped after
    /// [`crate::lifecycle::STOP_GRACE`].
    pub async fn run(self, stop: watch::Receiver<bool>) {
        let mut stopping = stop.clone();
        tokio::select! {
            () = self.relay_until(stop) => {}
            () = crate::lifecycle::grace_after(&mut stopping) => {}
        }
    }

    async fn relay_until(&self, mut stop: watch::Receiver<bool>) {
        loop {
            match self.lead(&mut stop).await {
                Ok(Led::Stopped) => return,
                Ok(Led::NotLeader | Led::LostBroker) => {}
                Err(err) => {
                    tracing::warn!(schema = self.config.schema, error = %err, "outbox relay interrupted");
                }
            }
            tokio::select! {
                () = tokio::time::sleep(self.config.poll_interval) => {}
                () = crate::lifecycle::stopped(&mut stop) => return,
            }
        }
    }

    /// Takes the outbox's lock if free, and publishes for as long as it
    /// holds it, across broker connections.
    async fn lead(&self, stop: &mut watch::Receiver<bool>) -> Result<Led, RoundError> {
        let Some(mut session) = self.take_lock().await? else {
            return Ok(Led::NotLeader);
        };
        let mut listener = PgListener::connect_with(&self.pool).await?;
        listener
            .listen(&format!("{}_outbox", self.config.schema))
            .await?;
        // From here this process's commits wake this relay directly; they
        // go back to `NOTIFY` when it stops leading (this returns).
        let _leading = self.local.leading();
        tracing::info!(
            schema = self.config.schema,
            "this instance relays the outbox"
        );
        prepare_session(&mut session).await?;
        let mut round = Round::default();
        loop {
            let Some(channels) = self.open_channels().await? else {
                return Ok(Led::Stopped);
            };
            let led = self
                .publish_while_connected(&mut session, &mut listener, &channels, &mut round, stop)
                .await?;
            if let Led::Stopped = led {
                round.in_flight.settle_all().await?;
                for channel in &channels {
                    channel.close(200, "the relay is stopping").await?;
                }
                return Ok(Led::Stopped);
            }
            // The broker went away: what it did not confirm stays unpublished
            // and is sent again on the next connection.
            round.in_flight.abandon().await;
        }
    }

    /// The outbox's advisory lock, when no other instance holds it: the
    /// session that holds it, taken out of the pool (the lock lives as long
    /// as the session). Standing by costs a pooled connection for a moment.
    async fn take_lock(&self) -> Result<Option<PgConnection>, RoundError> {
        let mut pooled = self.pool.acquire().await?;
        let leader = sqlx::query_scalar!(
            r#"select pg_try_advisory_lock(hashtext($1)) as "leader!""#,
            format!("hearth.outbox.{}", self.config.schema),
        )
        .fetch_one(&mut *pooled)
        .await?;
        Ok(leader.then(|| pooled.detach()))
    }

    /// `config.channels` channels in confirm mode on the link's connection,
    /// waiting for one if the broker is away; `None` once the link stopped.
    async fn open_channels(&self) -> Result<Option<Vec<Channel>>, RoundError> {
        let mut channels = Vec::with_capacity(self.config.channels);
        for _ in 0..self.config.channels {
            let Some(channel) = self.link.channel().await else {
                return Ok(None);
            };
            let channel = channel?;
            channel
                .confirm_select(ConfirmSelectOptions::default())
                .await?;
            channels.push(channel);
        }
        declare_shared(&self.link, &self.config.names).await?;
        Ok(Some(channels))
    }

    /// Drains whenever woken (or polled), until a channel is lost or `stop`.
    async fn publish_while_connected(
        &self,
        session: &mut PgConnection,
        listener: &mut PgListener,
        channels: &[Channel],
        round: &mut Round,
        stop: &mut watch::Receiver<bool>,
    ) -> Result<Led, RoundError> {
        let mut last_drain: Option<Instant> = None;
        while channels.iter().all(|c| c.status().connected()) {
            tokio::time::sleep(pause_before_drain(
                last_drain,
                Instant::now(),
                self.config.min_drain_interval,
            ))
            .await;
            last_drain = Some(Instant::now());
            self.drain(session, channels, &mut round.in_flight, &mut round.cursor)
                .await?;
            self.keep_up(session, round).await?;
            tokio::select! {
                () = self.wait_for_commits(listener) => {}
                () = crate::lifecycle::stopped(stop) => return Ok(Led::Stopped),
            }
        }
        Ok(Led::LostBroker)
    }

    /// The occasional chores between drains: the backlog gauge and the
    /// deletion of old published rows.
    async fn keep_up(
        &self,
        session: &mut PgConnection,
        round: &mut Round,
    ) -> Result<(), RoundError> {
        // Counting the backlog costs a scan of it; once a second is plenty for a gauge.
        if round
            .last_observed
            .is_none_or(|at| at.elapsed() >= BACKLOG_OBSERVE_INTERVAL)
        {
            self.observe_backlog(session).await?;
            round.last_observed = Some(Instant::now());
        }
        if round.last_cleanup.elapsed() >= self.config.cleanup_interval {
            self.clean_up(session).await?;
            round.last_cleanup = Instant::now();
        }
        Ok(())
    }

    /// Caught up: sleeps until a commit wakes the relay or the poll comes round.
    async fn wait_for_commits(&self, listener: &mut PgListener) {
        let woken = async {
            tokio::select! {
                notified = listener.recv() => notified.map(drop),
                () = self.local.woken() => Ok(()),
            }
        };
        match tokio::time::timeout(self.config.poll_interval, woken).await {
            Ok(Ok(())) => {
                // The wake-ups already here are spent: one drain reads
                // them all. Under load, the commits made while a drain
                // reads and publishes (and in the pause before it)
                // wait for the next one, so batches grow with the load.
                while listener.next_buffered().is_some() {}
            }
            Ok(Err(err)) => {
                // The listener reconnects on its next call; do not spin meanwhile.
                tracing::warn!(error = %err, "lost LISTEN; polling until it is back");
                tokio::time::sleep(self.config.poll_interval).await;
            }
            Err(_) => {}
        }
    }

    async fn drain(
        &self,
        session: &mut PgConnection,
        channels: &[Channel],
        in_flight: &mut InFlight,
        cursor: &mut Cursor,
    ) -> Result<(), RoundError> {
        let from_start = in_flight.start_pass(self.config.poll_interval).await?;
        let mut after = if from_start { 0 } else { cursor.high() };
        loop {
            let rows = self.waiting(session, after, cursor).await?;
            let Some(last) = rows.last() else {
                return Ok(());
            };
            let seqs: Vec<i64> = rows.iter().map(|r| r.seq).collect();
            cursor.absorb(
                &seqs,
                Snapshot {
                    xmin: last.snapshot_xmin,
                    bound: last.snapshot_bound,
                },
            );
            // Past the rows in flight, which are not marked yet: none is sent
            // twice. A pass from the start reads on from where it got to.
            after = if from_start { last.seq } else { cursor.high() };
            let caught_up = (rows.len() as i64) < self.config.batch_size;
            let confirms = self.publish(channels, &rows).await?;
            in_flight.push(tokio::spawn(settle(
                self.pool.clone(),
                confirms,
                self.metrics.clone(),
            )));
            // Bounded: a slow broker holds the relay back instead of filling memory.
            while in_flight.len() > self.config.batches_in_flight {
                in_flight.settle_oldest().await?;
            }
            if caught_up {
                return Ok(());
            }
        }
    }

    /// Up to a batch of unpublished rows after `after`, and those of the
    /// cursor's gaps now committed, in `seq` order, all in one snapshot
    /// (see [`cursor`]).
    async fn waiting(
        &self,
        session: &mut PgConnection,
        after: i64,
        cursor: &Cursor,
    ) -> Result<Vec<OutboxRow>, RoundError> {
        let (gap_firsts, gap_lasts) = cursor.gaps();
        // The ids first, then the rows: only one batch of envelopes is
        // turned into text. Each part walks the unpublished index (`offset
        // 0` keeps a gap a range scan of its own, not a join over the whole
        // backlog; a gap's rows all come, or 8 could leave before 6), and
        // the rows are sorted here: an outer `order by` over the two parts
        // made PostgreSQL walk every row instead. `bound` is this read's
        // own transaction id, taken after its snapshot: above every id
        // given out before it (the snapshot's `xmax` is not, since
        // PostgreSQL 14 it is only past the last one to finish).
        let mut rows = sqlx::query_as!(
            OutboxRow,
            r#"with next as (
                 (select seq from outbox where published_at is null and seq > $1 order by seq limit $2)
                 union all
                 select found.seq from unnest($3::int8[], $4::int8[]) as gap(first, last),
                   lateral (select seq from outbox
                            where published_at is null and seq between gap.first and gap.last
                            offset 0) as found)
               select o.seq, o.event_id, o.aggregate_id, o.event_type,
                      o.envelope::text as "envelope!", o.envelope->>'traceparent' as traceparent,
                      snapshot.xmin as "snapshot_xmin!", snapshot.bound as "snapshot_bound!"
               from outbox o join next using (seq),
                    (select pg_snapshot_xmin(pg_current_snapshot())::text::int8 as xmin,
                            pg_current_xact_id()::text::int8 as bound) as snapshot"#,
            after,
            self.config.batch_size,
            &gap_firsts,
            &gap_lasts,
        )
        .fetch_all(&mut *session)
        .await?;
        rows.sort_unstable_by_key(|row| row.seq);
        // A pass from the start also finds the gaps' rows by their first part.
        rows.dedup_by_key(|row| row.seq);
        Ok(rows)
    }

    /// Sends `rows`, persistent and mandatory, without waiting for the confirms.
    /// Each aggregate always goes through the same channel, so its events stay
    /// in order while several channels keep the broker's cores busy.
    async fn publish(
        &self,
        channels: &[Channel],
        rows: &[OutboxRow],
    ) -> Result<Vec<(i64, PublisherConfirm)>, RoundError> {
        let exchange = self.config.names.exchange();
        let mut confirms = Vec::with_capacity(rows.len());
        for row in rows {
            let confirm = channels[channel_of(&row.aggregate_id, channels.len())]
                .basic_publish(
                    &exchange,
                    &row.event_type,
                    BasicPublishOptions {
                        mandatory: true,
                        ..Default::default()
                    },
                    row.envelope.as_bytes(),
                    properties(row, self.link.user()),
                )
                .await?;
            confirms.push((row.seq, confirm));
        }
        Ok(confirms)
    }

    async fn observe_backlog(&self, session: &mut PgConnection) -> Result<(), RoundError> {
        let backlog = sqlx::query!(
            r#"select count(*) as "pending!", extract(epoch from now() - min(created_at))::float8 as oldest
               from outbox where published_at is null"#
        )
        .fetch_one(&mut *session)
        .await?;
        let (pending, oldest) = (backlog.pending, backlog.oldest);
        self.metrics.pending.set(pending);
        self.metrics
            .oldest_age_seconds
            .set(oldest.unwrap_or(0.0) as i64);
        Ok(())
    }

    async fn clean_up(&self, session: &mut PgConnection) -> Result<(), RoundError> {
        let deleted =
            delete_published_before(session, self.config.retention, self.config.cleanup_batch)
                .await?;
        if deleted > 0 {
            tracing::info!(schema = self.config.schema, deleted, "cleaned the outbox");
        }
        Ok(())
    }
}

/// Published batches whose confirms are still awaited, oldest first.
#[derive(Debug, Default)]
struct InFlight {
    batches: std::collections::VecDeque<JoinHandle<Result<(), RoundError>>>,
    last_full_pass: Option<Instant>,
}

impl InFlight {
    fn len(&self) -> usize {
        self.batches.len()
    }

    fn push(&mut self, settling: JoinHandle<Result<(), RoundError>>) {
        self.batches.push_back(settling);
    }

    /// Whether this pass reads from the start. Reading past the rows in
    /// flight never sends one twice, but misses a row left by a nack (a
    /// row committed late is the cursor's business). A pass from the start
    /// finds those; it waits for the batches in flight to be marked first,
    /// so it is made when nothing is in flight, and at least once per
    /// `every` even under load.
    async fn start_pass(&mut self, every: Duration) -> Result<bool, RoundError> {
        self.reap_settled().await?;
        if self.last_full_pass.is_none_or(|at| at.elapsed() >= every) {
            self.settle_all().await?;
        }
        let from_start = self.batches.is_empty();
        if from_start {
            self.last_full_pass = Some(Instant::now());
        }
        Ok(from_start)
    }

    /// Takes the batches already marked off the front, with their errors.
    async fn reap_settled(&mut self) -> Result<(), RoundError> {
        while self.batches.front().is_some_and(|task| task.is_finished()) {
            self.settle_oldest().await?;
        }
        Ok(())
    }

    async fn settle_oldest(&mut self) -> Result<(), RoundError> {
        match self.batches.pop_front() {
            Some(task) => task.await.map_err(|e| RoundError::Task(e.to_string()))?,
            None => Ok(()),
        }
    }

    /// Waits for every batch, logging instead of failing: after a lost
    /// connection the unconfirmed rows simply stay waiting.
    async fn abandon(&mut self) {
        while !self.batches.is_empty() {
            if let Err(err) = self.settle_oldest().await {
                tracing::warn!(error = %err, "a batch in flight was not confirmed; it will be sent again");
            }
        }
    }

    async fn settle_all(&mut self) -> Result<(), RoundError> {
        while !self.batches.is_empty() {
            self.settle_oldest().await?;
        }
        Ok(())
    }
}

/// How long to wait at `now` before a drain so that drains start at least
/// `interval` apart.
fn pause_before_drain(last_drain: Option<Instant>, now: Instant, interval: Duration) -> Duration {
    last_drain.map_or(Duration::ZERO, |at| {
        interval.saturating_sub(now.saturating_duration_since(at))
    })
}

/// The channel an aggregate's events always travel on.
fn channel_of(aggregate_id: &str, channels: usize) -> usize {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    aggregate_id.hash(&mut hasher);
    (hasher.finish() % channels.max(1) as u64) as usize
}

/// Awaits a batch's confirms and marks the confirmed rows published; the
/// others stay waiting, with their failure counted.
async fn settle(
    pool: PgPool,
    confirms: Vec<(i64, PublisherConfirm)>,
    metrics: RelayMetrics,
) -> Result<(), RoundError> {
    let mut published = Vec::with_capacity(confirms.len());
    let mut failed = Vec::new();
    for (seq, confirm) in confirms {
        match confirm.await? {
            Confirmation::Ack(None) => published.push(seq),
            // NotRequested cannot happen on a confirm channel; if it did, the
            // broker promised nothing, so the row is not marked.
            Confirmation::Ack(Some(_)) | Confirmation::Nack(_) | Confirmation::NotRequested => {
                failed.push(seq)
            }
        }
    }
    if published.is_empty() && failed.is_empty() {
        return Ok(());
    }
    // One statement, not a transaction of four: the mark need not wait for
    // the disk (a mark lost in a crash only means a second send), and
    // `set_config(.., true)` turns that off for this statement's own commit.
    sqlx::query!(
        "update outbox set published_at = now()
         from (select set_config('synchronous_commit', 'off', true)) as async_commit
         where seq = any($1)",
        &published,
    )
    .execute(&pool)
    .await?;
    if !failed.is_empty() {
        tracing::warn!(
            count = failed.len(),
            "the broker refused events; they will be sent again"
        );
        sqlx::query!(
            "update outbox set attempts = attempts + 1, last_error = 'nacked or returned by the broker'
             where seq = any($1)",
            &failed,
        )
        .execute(&pool)
        .await?;
    }
    metrics.published.inc_by(published.len() as u64);
    metrics.failed.inc_by(failed.len() as u64);
    Ok(())
}

/// An outbox row waiting longer than this means the relay is stalled.
pub const STALL_AFTER: Duration = Duration::from_secs(60);

/// The readiness check "relay not stalled": nothing has waited in the outbox
/// longer than [`STALL_AFTER`].
pub fn stall_check(pool: PgPool) -> hearth_core::health::Check {
    std::sync::Arc::new(move || {
        let pool = pool.clone();
        Box::pin(async move {
            let oldest = sqlx::query_scalar!(
                "select extract(epoch from now() - min(created_at))::float8 from outbox where published_at is null",
            )
            .fetch_one(&pool)
            .await
            .map_err(|e| e.to_string())?;
            match oldest {
                Some(age) if age > STALL_AFTER.as_secs_f64() => Err(format!(
                    "the oldest unpublished event has waited {age:.0} s"
                )),
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
        let deleted = sqlx::query!(
            "delete from outbox where seq in (
               select seq from outbox
               where published_at is not null
                 and published_at < now() - make_interval(secs => $1)
               order by published_at limit $2)",
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

/// The AMQP properties of an event. `user_id` is the relay's broker user,
/// which RabbitMQ checks: with per-service users it proves to consumers
/// which service published the event.
fn properties(row: &OutboxRow, user: &str) -> BasicProperties {
    let mut headers = FieldTable::default();
    if let Some(traceparent) = &row.traceparent {
        headers.insert(
            ShortString::from("traceparent"),
            AMQPValue::LongString(traceparent.as_str().into()),
        );
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
        .with_user_id(user.into())
        .with_headers(headers)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drains_start_at_least_the_interval_apart_and_at_once_after_a_quiet_spell() {
        let interval = Duration::from_millis(2);
        let at = Instant::now();
        assert_eq!(pause_before_drain(None, at, interval), Duration::ZERO);
        assert_eq!(pause_before_drain(Some(at), at, interval), interval);
        assert_eq!(
            pause_before_drain(Some(at), at + Duration::from_micros(500), interval),
            Duration::from_micros(1500)
        );
        assert_eq!(
            pause_before_drain(Some(at), at + Duration::from_secs(1), interval),
            Duration::ZERO
        );
    }
}
