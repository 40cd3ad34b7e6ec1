//! How fast the outbox relay drains a backlog to RabbitMQ, with publisher
//! confirms, into a quorum queue as a consuming service's would be.
//!
//!     cargo bench -p hearth-bus --bench relay_drain [-- EVENTS]
//!
//! Knobs: BATCH, CHANNELS, IN_FLIGHT, QUEUE=classic; BROKER_ONLY=1 measures
//! RabbitMQ alone (the ceiling the relay works under).
//!
//! Fills a fresh database's outbox with EVENTS (default 100 000) committed
//! `campaign.created` events, starts one relay, and times it until every row
//! is marked published. Needs the local PostgreSQL and RabbitMQ.

use std::time::{Duration, Instant};

use hearth_bus::broker::BrokerLink;
use hearth_bus::relay::{Relay, RelayConfig, RelayMetrics};
use hearth_bus::topology::{declare_exchange, Names};
use hearth_testkit::TestBroker;

mod support;
use support::Bench;

/// A realistic envelope (~600 bytes), one aggregate per 10 events.
const FILL: &str = r#"
insert into svc.outbox (event_id, aggregate_id, event_type, envelope)
select id, agg::text, 'campaign.created', jsonb_build_object(
    'specversion', '1.0', 'id', id, 'type', 'campaign.created',
    'source', '/hearth/campaign-service', 'subject', agg::text,
    'time', now(), 'datacontenttype', 'application/json', 'version', 1,
    'correlationid', md5(g::text), 'causationid', null,
    'traceparent', '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
    'data', jsonb_build_object('campaign_id', agg, 'recipient_id', gen_random_uuid(),
        'creator_id', gen_random_uuid(), 'title', 'Blankets for the shelter ' || g,
        'goal_minor', 50000, 'currency', 'USD', 'status', 'active', 'ends_at', null))
from (select g, gen_random_uuid() as id, md5('agg' || (g / 10))::uuid as agg
      from generate_series(1, $1) as g) as rows
"#;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let events: i64 = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(100_000);
    let bench = Bench::new(4).await?;
    let Bench {
        pool,
        broker,
        names,
        ..
    } = &bench;
    sqlx::query(FILL).bind(events).execute(pool).await?;
    // QUEUE=classic binds a classic durable queue instead of the services' quorum queue.
    let classic = std::env::var("QUEUE").is_ok_and(|q| q == "classic");
    if classic {
        use lapin::options::{QueueBindOptions, QueueDeclareOptions};
        let queue = names.queue("bench");
        declare_exchange(&broker.channel().await, names).await?;
        let channel = broker.channel().await;
        channel
            .queue_declare(
                &queue,
                QueueDeclareOptions {
                    durable: true,
                    ..Default::default()
                },
                Default::default(),
            )
            .await?;
        channel
            .queue_bind(
                &queue,
                &names.exchange(),
                "#",
                QueueBindOptions::default(),
                Default::default(),
            )
            .await?;
    } else {
        bench.declare_quorum_queue().await?;
    }
    let kind = if classic { "classic" } else { "quorum" };

    if std::env::var("BROKER_ONLY").is_ok() {
        return broker_ceiling(broker, names, events).await;
    }
    let link = BrokerLink::spawn(broker.url.clone());
    anyhow::ensure!(
        link.wait_until_up(Duration::from_secs(10)).await,
        "RabbitMQ is not reachable"
    );
    let mut config = RelayConfig::new("svc", names.clone());
    if let Some(batch) = std::env::var("BATCH").ok().and_then(|b| b.parse().ok()) {
        config.batch_size = batch;
    }
    if let Some(channels) = std::env::var("CHANNELS").ok().and_then(|c| c.parse().ok()) {
        config.channels = channels;
    }
    if let Some(depth) = std::env::var("IN_FLIGHT").ok().and_then(|c| c.parse().ok()) {
        config.batches_in_flight = depth;
    }
    let batch = config.batch_size;
    let channels = config.channels;
    let depth = config.batches_in_flight;
    let relay = Relay::new(pool.clone(), link, config, RelayMetrics::default());
    let (stop_tx, stop) = tokio::sync::watch::channel(false);

    let started = Instant::now();
    let running = tokio::spawn(relay.run(stop));
    loop {
        // Asking whether any row waits, not how many: counting would scan
        // the whole backlog 50 times a second, on the cores the relay uses.
        let waiting: bool =
            sqlx::query_scalar("select exists (select 1 from outbox where published_at is null)")
                .fetch_one(pool)
                .await?;
        if !waiting {
            break;
        }
        anyhow::ensure!(
            started.elapsed() < Duration::from_secs(600),
            "events still waiting after 10 minutes"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let elapsed = started.elapsed();
    stop_tx.send_replace(true);
    running.await?;

    let rate = events as f64 / elapsed.as_secs_f64();
    println!(
        "relay drained {events} events in {:.2} s: {rate:.0} events/s (batch {batch}, {channels} channels, {depth} batches in flight, confirmed, into a {kind} queue)",
        elapsed.as_secs_f64()
    );
    Ok(())
}

/// The broker alone: the same messages, published through 4 confirm channels
/// with no database in the loop. The relay cannot beat this.
async fn broker_ceiling(broker: &TestBroker, names: &Names, events: i64) -> anyhow::Result<()> {
    use lapin::options::{BasicPublishOptions, ConfirmSelectOptions};
    let body = vec![b'x'; 700];
    let mut channels = Vec::new();
    for _ in 0..4 {
        let channel = broker.channel().await;
        channel
            .confirm_select(ConfirmSelectOptions::default())
            .await?;
        channels.push(channel);
    }
    let started = Instant::now();
    let mut confirms = Vec::with_capacity(1000);
    for n in 0..events {
        let channel = &channels[(n % 4) as usize];
        confirms.push(
            channel
                .basic_publish(
                    &names.exchange(),
                    "campaign.created",
                    BasicPublishOptions {
                        mandatory: true,
                        ..Default::default()
                    },
                    &body,
                    lapin::BasicProperties::default().with_delivery_mode(2),
                )
                .await?,
        );
        if confirms.len() == 4000 {
            for confirm in confirms.drain(..) {
                confirm.await?;
            }
        }
    }
    for confirm in confirms {
        confirm.await?;
    }
    let elapsed = started.elapsed();
    println!(
        "broker alone took {events} confirmed messages in {:.2} s: {:.0} messages/s",
        elapsed.as_secs_f64(),
        events as f64 / elapsed.as_secs_f64()
    );
    Ok(())
}
