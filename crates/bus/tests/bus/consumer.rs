use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

use hearth_bus::consumer::{headers, Consumer, ConsumerMetrics, HandleError, Handler, Tx};
use hearth_bus::topology::declare_consumer;
use hearth_events::campaign::CampaignCreated;
use hearth_events::{Envelope, EventContext};
use lapin::options::BasicPublishOptions;
use lapin::types::AMQPValue;
use lapin::BasicProperties;
use uuid::Uuid;

use crate::support::{created, eventually, Fixture};

const SERVICE: &str = "svc";

/// A handler that records one effect per event, failing the first `failures` attempts.
fn recording_handler(
    failures: u32,
    attempts: Arc<AtomicU32>,
) -> impl Handler<CampaignCreated> + Clone {
    move |mut tx: Tx, event: Envelope<CampaignCreated>| {
        let attempts = attempts.clone();
        async move {
            sqlx::query("insert into effects (event_id) values ($1)")
                .bind(event.id)
                .execute(&mut *tx)
                .await?;
            if attempts.fetch_add(1, Ordering::SeqCst) < failures {
                return Err(HandleError::Retry(anyhow::anyhow!("the database blinked")));
            }
            Ok(tx)
        }
    }
}

async fn start(f: &Fixture, delays: &[u64], handler: impl Handler<CampaignCreated>) {
    let delays: Vec<Duration> = delays.iter().map(|ms| Duration::from_millis(*ms)).collect();
    f.broker.track(f.names.queue(SERVICE));
    f.broker.track(f.names.dead_queue(SERVICE));
    for delay in &delays {
        f.broker.track(f.names.retry_queue(SERVICE, *delay));
    }
    let consumer = Consumer::new(
        f.pool.clone(),
        f.link.clone(),
        f.names.clone(),
        SERVICE,
        delays,
        ConsumerMetrics::default(),
    )
    .on::<CampaignCreated>(handler);
    // Declare before publishing, so nothing published in the test is unrouted.
    declare_consumer(
        &f.broker.channel().await,
        &f.names,
        &hearth_bus::topology::ConsumerTopology {
            service: SERVICE,
            event_types: vec!["campaign.created"],
            retry_delays: vec![],
        },
    )
    .await
    .expect("declare");
    tokio::spawn(consumer.run(f.stop.subscribe()));
}

async fn publish(f: &Fixture, routing_key: &str, body: &[u8]) {
    let channel = f.broker.channel().await;
    channel
        .basic_publish(
            &f.names.exchange(),
            routing_key,
            BasicPublishOptions::default(),
            body,
            BasicProperties::default().with_delivery_mode(2),
        )
        .await
        .expect("publish")
        .await
        .expect("confirm");
}

fn event() -> Envelope<CampaignCreated> {
    Envelope::new(
        "campaign",
        created(Uuid::now_v7(), 0),
        &EventContext::default(),
    )
}

fn header(delivery: &lapin::message::Delivery, key: &str) -> Option<AMQPValue> {
    delivery
        .properties
        .headers()
        .as_ref()
        .and_then(|h| h.inner().get(key).cloned())
}

fn header_text(delivery: &lapin::message::Delivery, key: &str) -> String {
    delivery
        .properties
        .headers()
        .as_ref()
        .and_then(|h| hearth_bus::consumer::header_string(h, key))
        .unwrap_or_default()
}

#[tokio::test]
async fn the_same_event_delivered_three_times_has_one_effect() {
    let f = Fixture::new().await;
    let attempts = Arc::new(AtomicU32::new(0));
    start(&f, &[100], recording_handler(0, attempts.clone())).await;
    let event = serde_json::to_vec(&event()).expect("json");

    for _ in 0..3 {
        publish(&f, "campaign.created", &event).await;
    }

    assert!(
        eventually(Duration::from_secs(5), || async {
            f.scalar("select count(*) from inbox").await == 1
        })
        .await
    );
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(f.scalar("select count(*) from effects").await, 1);
    assert_eq!(attempts.load(Ordering::SeqCst), 1, "the handler ran once");
}

#[tokio::test]
async fn a_poison_message_is_dead_lettered_at_once_and_the_next_one_is_handled() {
    let f = Fixture::new().await;
    start(
        &f,
        &[100, 100],
        recording_handler(0, Arc::new(AtomicU32::new(0))),
    )
    .await;
    let mut unknown_version = serde_json::to_value(event()).expect("json");
    unknown_version["version"] = 99.into();
    let good = event();

    publish(&f, "campaign.created", b"this is not a CloudEvent").await;
    publish(
        &f,
        "campaign.created",
        &serde_json::to_vec(&unknown_version).expect("json"),
    )
    .await;
    publish(
        &f,
        "campaign.created",
        &serde_json::to_vec(&good).expect("json"),
    )
    .await;

    assert!(
        eventually(Duration::from_secs(5), || async {
            f.scalar("select count(*) from effects").await == 1
        })
        .await
    );
    let dead = f.names.dead_queue(SERVICE);
    let first = f
        .broker
        .wait_get(&dead, Duration::from_secs(5))
        .await
        .expect("dead-lettered");
    assert_eq!(first.data, b"this is not a CloudEvent");
    let why = header_text(&first, headers::ERROR);
    assert!(why.contains("not a CloudEvent"), "{why}");
    assert_eq!(
        header(&first, headers::ATTEMPTS),
        Some(AMQPValue::LongUInt(1))
    );
    assert_eq!(
        header_text(&first, headers::ROUTING_KEY),
        "campaign.created"
    );
    let second = f
        .broker
        .wait_get(&dead, Duration::from_secs(5))
        .await
        .expect("dead-lettered");
    assert!(header_text(&second, headers::ERROR).contains("unknown version 99"));
}

#[tokio::test]
async fn a_handler_that_fails_twice_is_retried_after_the_delays_and_succeeds() {
    let f = Fixture::new().await;
    let attempts = Arc::new(AtomicU32::new(0));
    start(
        &f,
        &[300, 600, 5000],
        recording_handler(2, attempts.clone()),
    )
    .await;
    let published = std::time::Instant::now();
    publish(
        &f,
        "campaign.created",
        &serde_json::to_vec(&event()).expect("json"),
    )
    .await;

    assert!(
        eventually(Duration::from_secs(10), || async {
            f.scalar("select count(*) from inbox").await == 1
        })
        .await
    );
    assert!(
        published.elapsed() >= Duration::from_millis(900),
        "waited 300 ms, then 600 ms"
    );
    assert!(
        published.elapsed() < Duration::from_secs(5),
        "the third delay was not needed"
    );
    assert_eq!(attempts.load(Ordering::SeqCst), 3);
    // Failed attempts rolled back: one effect, from the attempt that succeeded.
    assert_eq!(f.scalar("select count(*) from effects").await, 1);
}

#[tokio::test]
async fn delay_queues_are_quorum_queues_that_dead_letter_at_least_once() {
    let f = Fixture::new().await;
    let delay = Duration::from_millis(300);
    let queue = f.names.retry_queue(SERVICE, delay);
    f.broker.track(queue.clone());
    f.broker.track(f.names.queue(SERVICE));
    f.broker.track(f.names.dead_queue(SERVICE));
    let topology = hearth_bus::topology::ConsumerTopology {
        service: SERVICE,
        event_types: vec!["campaign.created"],
        retry_delays: vec![delay],
    };
    declare_consumer(&f.broker.channel().await, &f.names, &topology)
        .await
        .expect("declare");
    // RabbitMQ refuses to declare a queue again with other arguments, and
    // says which one differs.
    let declare = |changed: Option<(&'static str, &'static str)>| {
        let mut args = lapin::types::FieldTable::default();
        let text = |s: &str| AMQPValue::LongString(s.into());
        args.insert("x-queue-type".into(), text("quorum"));
        args.insert("x-message-ttl".into(), AMQPValue::LongLongInt(300));
        args.insert("x-dead-letter-exchange".into(), text(""));
        args.insert(
            "x-dead-letter-routing-key".into(),
            text(&f.names.queue(SERVICE)),
        );
        args.insert("x-dead-letter-strategy".into(), text("at-least-once"));
        args.insert("x-overflow".into(), text("reject-publish"));
        if let Some((key, value)) = changed {
            args.insert(key.into(), text(value));
        }
        let (queue, broker) = (queue.clone(), &f.broker);
        async move {
            broker
                .channel()
                .await
                .queue_declare(
                    &queue,
                    lapin::options::QueueDeclareOptions {
                        durable: true,
                        ..Default::default()
                    },
                    args,
                )
                .await
        }
    };
    declare(None).await.expect("exactly these arguments");
    for (key, other) in [
        ("x-queue-type", "classic"),
        ("x-dead-letter-strategy", "at-most-once"),
    ] {
        let refused = declare(Some((key, other)))
            .await
            .expect_err(key)
            .to_string();
        assert!(refused.contains(key), "{key}: {refused}");
    }
}

#[tokio::test]
async fn a_handler_that_always_fails_ends_in_the_dead_queue_with_the_story() {
    let f = Fixture::new().await;
    let attempts = Arc::new(AtomicU32::new(0));
    start(
        &f,
        &[100, 200],
        recording_handler(u32::MAX, attempts.clone()),
    )
    .await;
    publish(
        &f,
        "campaign.created",
        &serde_json::to_vec(&event()).expect("json"),
    )
    .await;

    let dead = f
        .broker
        .wait_get(&f.names.dead_queue(SERVICE), Duration::from_secs(10))
        .await
        .expect("dead-lettered");
    assert_eq!(
        attempts.load(Ordering::SeqCst),
        3,
        "the first try and two retries"
    );
    assert_eq!(
        header(&dead, headers::ATTEMPTS),
        Some(AMQPValue::LongUInt(3))
    );
    assert!(header_text(&dead, headers::ERROR).contains("the database blinked"));
    assert_eq!(header_text(&dead, headers::ROUTING_KEY), "campaign.created");
    let first = header_text(&dead, headers::FIRST_FAILURE);
    let last = header_text(&dead, headers::LAST_FAILURE);
    assert!(
        !first.is_empty() && !last.is_empty() && first < last,
        "{first} then {last}"
    );
    assert_eq!(f.scalar("select count(*) from effects").await, 0);
    assert_eq!(f.scalar("select count(*) from inbox").await, 0);
}

/// A buffer the test's log lines are written to.
#[derive(Clone, Default)]
struct Captured(Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if let Ok(mut lines) = self.0.lock() {
            lines.extend_from_slice(buf);
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn the_events_traceparent_is_on_the_consumers_log_lines() {
    // nextest runs each test in its own process, so this subscriber is the test's own.
    let captured = Captured::default();
    let writer = captured.clone();
    tracing_subscriber::fmt()
        .with_env_filter("hearth_bus=debug")
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .init();
    let f = Fixture::new().await;
    start(
        &f,
        &[100],
        recording_handler(0, Arc::new(AtomicU32::new(0))),
    )
    .await;
    let traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    let event = Envelope::new(
        "campaign",
        created(Uuid::now_v7(), 0),
        &EventContext {
            correlation_id: "req-42".into(),
            causation_id: None,
            traceparent: Some(traceparent.into()),
        },
    );
    publish(
        &f,
        "campaign.created",
        &serde_json::to_vec(&event).expect("json"),
    )
    .await;
    assert!(
        eventually(Duration::from_secs(5), || async {
            f.scalar("select count(*) from effects").await == 1
        })
        .await
    );

    let logs = String::from_utf8(captured.0.lock().expect("logs").clone()).expect("utf-8");
    let line = logs
        .lines()
        .find(|l| l.contains("event handled"))
        .expect("a line about the event");
    assert!(line.contains(traceparent), "{line}");
    assert!(line.contains("req-42"), "{line}");
}

#[tokio::test]
async fn a_panicking_handler_fails_its_message_not_the_consumer() {
    let f = Fixture::new().await;
    let calls = Arc::new(AtomicU32::new(0));
    let counted = calls.clone();
    let record = recording_handler(0, Arc::new(AtomicU32::new(0)));
    let panics_on_first = move |tx: Tx, event: Envelope<CampaignCreated>| {
        let counted = counted.clone();
        let record = record.clone();
        async move {
            if counted.fetch_add(1, Ordering::SeqCst) == 0 {
                panic!("a bug in a handler");
            }
            record.handle(tx, event).await
        }
    };
    start(&f, &[100], panics_on_first).await;
    publish(
        &f,
        "campaign.created",
        &serde_json::to_vec(&event()).expect("json"),
    )
    .await;
    publish(
        &f,
        "campaign.created",
        &serde_json::to_vec(&event()).expect("json"),
    )
    .await;

    // Both end up handled: the one that met the panic on its retry.
    assert!(
        eventually(Duration::from_secs(5), || async {
            f.scalar("select count(*) from effects").await == 2
        })
        .await
    );
}

/// A consumer with no handlers, on the fixture's pool and link.
fn bare_consumer(f: &Fixture) -> Consumer {
    Consumer::new(
        f.pool.clone(),
        f.link.clone(),
        f.names.clone(),
        SERVICE,
        vec![],
        ConsumerMetrics::default(),
    )
}

#[tokio::test]
#[should_panic(expected = "campaign.created has a handler already")]
async fn a_second_handler_for_one_type_is_refused_at_assembly() {
    let f = Fixture::new().await;
    let recording = recording_handler(0, Arc::new(AtomicU32::new(0)));
    let _ = bare_consumer(&f)
        .on::<CampaignCreated>(recording.clone())
        .on::<CampaignCreated>(recording);
}

#[tokio::test]
#[should_panic(expected = "campaign.created has no handler to replace")]
async fn replacing_a_handler_that_is_not_there_is_refused_at_assembly() {
    let f = Fixture::new().await;
    let _ = bare_consumer(&f)
        .replace::<CampaignCreated>(recording_handler(0, Arc::new(AtomicU32::new(0))));
}

#[tokio::test]
async fn a_replaced_handler_is_the_only_one_that_runs_and_the_queue_is_bound_once() {
    let f = Fixture::new().await;
    let first = Arc::new(AtomicU32::new(0));
    let second = Arc::new(AtomicU32::new(0));
    let consumer = bare_consumer(&f)
        .on::<CampaignCreated>(recording_handler(0, first.clone()))
        .replace::<CampaignCreated>(recording_handler(0, second.clone()));
    assert_eq!(consumer.event_types(), vec!["campaign.created"]);
    f.broker.track(f.names.queue(SERVICE));
    f.broker.track(f.names.dead_queue(SERVICE));
    consumer
        .declare(Duration::from_secs(10))
        .await
        .expect("declare");
    tokio::spawn(consumer.run(f.stop.subscribe()));
    publish(
        &f,
        "campaign.created",
        &serde_json::to_vec(&event()).expect("json"),
    )
    .await;

    assert!(
        eventually(Duration::from_secs(5), || async {
            f.scalar("select count(*) from effects").await == 1
        })
        .await
    );
    assert_eq!(first.load(Ordering::SeqCst), 0);
    assert_eq!(second.load(Ordering::SeqCst), 1);
}
