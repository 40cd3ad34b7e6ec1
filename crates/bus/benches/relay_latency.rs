//! How long one event takes from its commit to a consumer, at a steady rate:
//! the hop every saga step pays (the wake-up, the relay's read, the publish,
//! the quorum queue's confirm, the delivery).
//!
//!     cargo bench -p hearth-bus --bench relay_latency [-- EVENTS RATE]
//!
//! The commits wake the relay as a service's do when its own relay leads (in
//! the process); `NOTIFY=1` wakes it through PostgreSQL instead, as when
//! another instance leads.
//!
//! Commits EVENTS (default 2000) outbox rows one transaction each, RATE
//! (default 200) a second, with a relay running, and times each from the
//! moment its commit returned to the moment a consumer of a quorum queue
//! received it. Needs the local PostgreSQL and RabbitMQ.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures::StreamExt;
use hearth_bus::broker::BrokerLink;
use hearth_bus::relay::{Relay, RelayConfig, RelayMetrics};
use lapin::options::{BasicAckOptions, BasicConsumeOptions};
use uuid::Uuid;

mod support;
use support::Bench;

const INSERT: &str = r"
insert into svc.outbox (event_id, aggregate_id, event_type, envelope)
values ($1, $1::text, 'campaign.created', jsonb_build_object(
    'specversion', '1.0', 'id', $1, 'type', 'campaign.created',
    'source', '/hearth/campaign-service', 'subject', $1::text, 'time', now(),
    'datacontenttype', 'application/json', 'version', 1,
    'correlationid', $1, 'causationid', null,
    'data', jsonb_build_object('campaign_id', $1, 'title', 'Blankets for the shelter',
        'goal_minor', 50000, 'currency', 'USD', 'status', 'active')))
";

type Sent = Arc<Mutex<HashMap<String, Instant>>>;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse::<u64>().ok());
    let events = args.next().unwrap_or(2000);
    let rate = args.next().unwrap_or(200);

    let bench = Bench::new(8).await?;
    let queue = bench.declare_quorum_queue().await?;
    let Bench {
        pool,
        broker,
        names,
        ..
    } = &bench;

    let link = BrokerLink::spawn(broker.url.clone());
    anyhow::ensure!(
        link.wait_until_up(Duration::from_secs(10)).await,
        "RabbitMQ is not reachable"
    );
    let relay = Relay::new(
        pool.clone(),
        link,
        RelayConfig::new("svc", names.clone()),
        RelayMetrics::default(),
    );
    let waker = if std::env::var_os("NOTIFY").is_some() {
        hearth_bus::wake::Waker::new(pool.clone())
    } else {
        relay.waker()
    };
    let (stop_tx, stop) = tokio::sync::watch::channel(false);
    let running = tokio::spawn(relay.run(stop));

    let sent: Sent = Arc::default();
    let received = tokio::spawn(receive(broker.channel().await, queue, sent.clone(), events));
    // Let the relay take the lead before the clock starts.
    tokio::time::sleep(Duration::from_millis(500)).await;

    let mut ticks = tokio::time::interval(Duration::from_secs(1) / rate as u32);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    let writers = Arc::new(tokio::sync::Semaphore::new(16));
    for _ in 0..events {
        ticks.tick().await;
        let permit = writers.clone().acquire_owned().await?;
        let (pool, sent, waker) = (pool.clone(), sent.clone(), waker.clone());
        tokio::spawn(async move {
            let id = Uuid::now_v7();
            sqlx::query(INSERT)
                .bind(id)
                .execute(&pool)
                .await
                .expect("insert an outbox row");
            // As a service does once its transaction committed (hearth_bus::wake).
            waker.wake();
            sent.lock()
                .expect("sent")
                .insert(id.to_string(), Instant::now());
            drop(permit);
        });
    }
    let mut latencies = tokio::time::timeout(Duration::from_secs(120), received).await???;
    stop_tx.send_replace(true);
    running.await?;

    latencies.sort_unstable();
    let at = |q: f64| latencies[((latencies.len() - 1) as f64 * q) as usize].as_secs_f64() * 1e3;
    println!(
        "commit → consumer over {} events at {rate}/s: p50 {:.1} ms, p90 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        latencies.len(),
        at(0.5),
        at(0.9),
        at(0.99),
        at(1.0)
    );
    Ok(())
}

/// Consumes `events` messages and returns how long each took since its commit.
async fn receive(
    channel: lapin::Channel,
    queue: String,
    sent: Sent,
    events: u64,
) -> anyhow::Result<Vec<Duration>> {
    let mut deliveries = channel
        .basic_consume(
            &queue,
            "latency",
            BasicConsumeOptions::default(),
            Default::default(),
        )
        .await?;
    let mut latencies = Vec::with_capacity(events as usize);
    while latencies.len() < events as usize {
        let delivery = deliveries
            .next()
            .await
            .ok_or_else(|| anyhow::anyhow!("the consumer stopped"))??;
        let at = Instant::now();
        let envelope: serde_json::Value = serde_json::from_slice(&delivery.data)?;
        let id = envelope["id"].as_str().unwrap_or_default().to_owned();
        delivery.ack(BasicAckOptions::default()).await?;
        // The commit's clock reading lands just after the commit returns;
        // a delivery faster than that waits for it.
        let committed = loop {
            if let Some(committed) = sent.lock().expect("sent").get(&id).copied() {
                break committed;
            }
            tokio::task::yield_now().await;
        };
        latencies.push(at.saturating_duration_since(committed));
    }
    Ok(latencies)
}
