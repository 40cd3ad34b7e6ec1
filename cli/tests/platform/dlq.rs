//! `hearth dlq`: dead-lettered messages listed, replayed (and then handled),
//! and purged, on a broker namespace of the test's own.

use crate::support;

use std::process::{Command, Output};
use std::time::Duration;

use hearth::services::Service;
use hearth_events::donation::{DonationCreated, DonationKind};
use hearth_events::{Envelope, EventContext};
use hearth_testkit::TestBroker;
use lapin::options::{BasicPublishOptions, QueueDeclareOptions};
use lapin::types::{AMQPValue, FieldTable, ShortString};
use lapin::BasicProperties;
use uuid::Uuid;

fn dlq(broker: &TestBroker, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hearth"))
        .arg("dlq")
        .args(args)
        .env("RABBITMQ_URL", &broker.url)
        .env("BUS_NAMESPACE", &broker.namespace)
        .env_remove("RUST_LOG")
        .output()
        .expect("run hearth")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn assert_ok(output: &Output) {
    assert!(
        output.status.success(),
        "stdout:\n{}\nstderr:\n{}",
        stdout(output),
        String::from_utf8_lossy(&output.stderr)
    );
}

fn donation(campaign_id: Uuid, amount: i64) -> Envelope<DonationCreated> {
    Envelope::new(
        "donation",
        DonationCreated {
            donation_id: Uuid::now_v7(),
            kind: DonationKind::Money,
            donor_id: Uuid::new_v4(),
            campaign_id: Some(campaign_id),
            request_id: None,
            amount_minor: Some(amount),
            currency: Some("USD".into()),
            quantity: None,
            anonymous: false,
        },
        &EventContext::default(),
    )
}

/// Publishes `event` as a relay does, to `exchange` with `routing_key`.
async fn publish(
    broker: &TestBroker,
    exchange: &str,
    routing_key: &str,
    event: &Envelope<DonationCreated>,
    headers: FieldTable,
) {
    let channel = broker.channel().await;
    let properties = BasicProperties::default()
        .with_message_id(event.id.to_string().into())
        .with_type(event.event_type.clone().into())
        .with_content_type("application/cloudevents+json".into())
        .with_delivery_mode(2)
        .with_headers(headers);
    channel
        .basic_publish(
            exchange,
            routing_key,
            BasicPublishOptions::default(),
            &serde_json::to_vec(event).expect("serialise"),
            properties,
        )
        .await
        .expect("publish")
        .await
        .expect("published");
}

/// Runs `hearth dlq list SERVICE` until its output satisfies `done`.
async fn list_until(broker: &TestBroker, service: &str, done: impl Fn(&str) -> bool) -> String {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    loop {
        let output = dlq(broker, &["list", service]);
        assert_ok(&output);
        let listed = stdout(&output);
        if done(&listed) {
            return listed;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "never satisfied; last:\n{listed}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test]
async fn a_dead_lettered_donation_is_replayed_and_then_handled() {
    let prepared = support::prepare().await;
    let (platform, _) = prepared.launch(&[Service::Campaign]).await;
    let mut db = prepared.campaign_db.connect().await;
    let campaign_id = Uuid::now_v7();
    let recipient = Uuid::new_v4();
    sqlx::query(
        "insert into campaign.campaigns (id, recipient_id, creator_id, title, goal_minor, currency, status) \
         values ($1, $2, $2, 'Blankets', 100000, 'USD', 'active')",
    )
    .bind(campaign_id)
    .bind(recipient)
    .execute(&mut db)
    .await
    .expect("a campaign");
    // Break campaign-service's handling: every attempt fails, the last goes to the dead queue.
    sqlx::raw_sql("alter table campaign.accepted_donations rename to accepted_donations_away")
        .execute(&mut db)
        .await
        .expect("break");

    let broker = &prepared.broker;
    let event = donation(campaign_id, 2_500);
    let id = event.id.to_string();
    publish(
        broker,
        &format!("{}.events", broker.namespace),
        "donation.created",
        &event,
        FieldTable::default(),
    )
    .await;
    let listed = list_until(broker, "campaign", |l| l.contains(&id)).await;
    let line = listed.lines().find(|l| l.contains(&id)).expect("listed");
    assert!(line.contains("donation.created"), "{line}");
    assert!(line.contains("attempts=2"), "one try and one retry: {line}");
    assert!(
        line.contains("accepted_donations"),
        "the last error: {line}"
    );
    // Listing takes nothing away.
    list_until(broker, "campaign", |l| l.contains(&id)).await;

    sqlx::raw_sql("alter table campaign.accepted_donations_away rename to accepted_donations")
        .execute(&mut db)
        .await
        .expect("mend");
    let replayed = dlq(broker, &["replay", "campaign", "--id", &id]);
    assert_ok(&replayed);
    assert!(stdout(&replayed).contains("1 message(s) put back"));

    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    loop {
        let raised: i64 =
            sqlx::query_scalar("select raised_minor from campaign.campaigns where id = $1")
                .bind(campaign_id)
                .fetch_one(&mut db)
                .await
                .expect("the campaign");
        if raised == 2_500 {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the replay was not handled"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    list_until(broker, "campaign", |l| l.contains("0 message(s)")).await;
    tokio::time::timeout(Duration::from_secs(15), platform.shutdown())
        .await
        .expect("stops")
        .expect("cleanly");
}

fn failure_headers() -> FieldTable {
    let mut headers = FieldTable::default();
    headers.insert(
        ShortString::from("x-hearth-attempts"),
        AMQPValue::LongUInt(6),
    );
    headers.insert(
        ShortString::from("x-hearth-error"),
        AMQPValue::LongString("campaign locked".into()),
    );
    headers.insert(
        ShortString::from("x-hearth-routing-key"),
        AMQPValue::LongString("donation.created".into()),
    );
    headers
}

#[tokio::test]
async fn purge_deletes_one_or_all_and_a_replay_the_broker_refuses_keeps_them() {
    let broker = TestBroker::new().await;
    let dead = format!("{}.campaign.dead", broker.namespace);
    broker.track(&dead);
    let mut quorum = FieldTable::default();
    quorum.insert(
        ShortString::from("x-queue-type"),
        AMQPValue::LongString("quorum".into()),
    );
    broker
        .channel()
        .await
        .queue_declare(
            &dead,
            QueueDeclareOptions {
                durable: true,
                ..Default::default()
            },
            quorum,
        )
        .await
        .expect("declare the dead queue");
    let events: Vec<_> = (0..3).map(|_| donation(Uuid::now_v7(), 100)).collect();
    for event in &events {
        publish(&broker, "", &dead, event, failure_headers()).await;
    }
    let listed = list_until(&broker, "campaign", |l| l.contains("3 message(s)")).await;
    assert!(listed.contains("attempts=6") && listed.contains("campaign locked"));
    let every = dlq(&broker, &["list"]);
    assert_ok(&every);
    assert!(
        stdout(&every).contains(&format!("{dead}: 3 message(s)")),
        "without a name, every service's dead queue: {}",
        stdout(&every)
    );

    let first = events[0].id.to_string();
    assert_ok(&dlq(&broker, &["purge", "campaign", "--id", &first]));
    let listed = list_until(&broker, "campaign", |l| l.contains("2 message(s)")).await;
    assert!(!listed.contains(&first));

    let unknown = dlq(
        &broker,
        &["replay", "campaign", "--id", &Uuid::new_v4().to_string()],
    );
    assert!(!unknown.status.success(), "an id not there is an error");
    list_until(&broker, "campaign", |l| l.contains("2 message(s)")).await;

    // No campaign queue to put them back on: the broker returns the copy, and
    // the dead messages stay where they are.
    let unroutable = dlq(&broker, &["replay", "campaign", "--all"]);
    assert!(!unroutable.status.success(), "{}", stdout(&unroutable));
    list_until(&broker, "campaign", |l| l.contains("2 message(s)")).await;

    assert_ok(&dlq(&broker, &["purge", "campaign", "--all"]));
    list_until(&broker, "campaign", |l| l.contains("0 message(s)")).await;

    let refused = dlq(&broker, &["list", "nosuch"]);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("no dead queue"));
    let neither = dlq(&broker, &["purge", "campaign"]);
    assert!(!neither.status.success(), "--id or --all is required");
}

#[tokio::test]
async fn a_list_cut_at_its_limit_says_so_and_counts_them_all() {
    let broker = TestBroker::new().await;
    let dead = format!("{}.campaign.dead", broker.namespace);
    broker.track(&dead);
    let channel = broker.channel().await;
    channel
        .queue_declare(&dead, QueueDeclareOptions::default(), FieldTable::default())
        .await
        .expect("declare the dead queue");
    // One more than `hearth dlq list` shows, published at once, confirms awaited together.
    let mut confirms = Vec::new();
    for _ in 0..10_001 {
        confirms.push(
            channel
                .basic_publish(
                    "",
                    &dead,
                    BasicPublishOptions::default(),
                    b"{}",
                    BasicProperties::default(),
                )
                .await
                .expect("publish"),
        );
    }
    for confirm in confirms {
        confirm.await.expect("published");
    }
    let output = dlq(&broker, &["list", "campaign"]);
    assert_ok(&output);
    let listed = stdout(&output);
    assert_eq!(
        listed.lines().next(),
        Some(format!("{dead}: 10001 message(s), the first 10000 shown").as_str())
    );
    assert_eq!(
        listed.lines().count(),
        10_001,
        "the heading and 10 000 lines"
    );
}
