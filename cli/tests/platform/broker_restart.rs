//! The broker going away while campaigns are being created: no write fails,
//! readiness says so and recovers, and every event arrives afterwards.
//!
//! These tests close or restart the one RabbitMQ every test shares, so they
//! are `#[ignore]`d in the parallel run and `scripts/test` runs them alone
//! afterwards (`--run-ignored only --test-threads 1`).

use std::collections::{HashMap, HashSet};
use std::process::Command;
use std::time::Duration;

use crate::support::{poll, start, Running};
use hearth_testkit::user_token;
use lapin::options::{QueueBindOptions, QueueDeclareOptions};
use lapin::types::FieldTable;
use serde_json::json;
use uuid::Uuid;

fn rabbitmqctl(args: &[&str]) {
    let status = Command::new("rabbitmqctl")
        .args(args)
        .output()
        .expect("run rabbitmqctl");
    assert!(
        status.status.success(),
        "rabbitmqctl {args:?}: {}",
        String::from_utf8_lossy(&status.stderr)
    );
}

/// Starts the broker's application again however the test ends.
struct RestartGuard;

impl Drop for RestartGuard {
    fn drop(&mut self) {
        let _ = Command::new("rabbitmqctl").arg("start_app").output();
        let _ = Command::new("rabbitmqctl")
            .args(["await_startup", "--timeout", "60"])
            .output();
    }
}

/// A durable queue of the test's own, bound to every event: unlike a tap, it
/// keeps what was published across the outage.
async fn durable_witness(running: &Running) -> String {
    assert!(
        running
            .broker
            .wait_for_exchange(&running.exchange(), Duration::from_secs(10))
            .await
    );
    let queue = format!("{}.witness", running.broker.namespace);
    let channel = running.broker.channel().await;
    channel
        .queue_declare(
            &queue,
            QueueDeclareOptions {
                durable: true,
                ..Default::default()
            },
            FieldTable::default(),
        )
        .await
        .expect("declare the witness");
    channel
        .queue_bind(
            &queue,
            &running.exchange(),
            "campaign.created",
            QueueBindOptions::default(),
            FieldTable::default(),
        )
        .await
        .expect("bind the witness");
    running.broker.track(queue.clone());
    queue
}

/// Creates `count` campaigns one after another; calls `outage` after the first third.
async fn create_through(
    running: &Running,
    token: &str,
    count: usize,
    outage: impl std::future::Future<Output = ()>,
) -> Vec<String> {
    let mut ids = Vec::new();
    let mut outage = Some(Box::pin(outage));
    for n in 0..count {
        if n == count / 3 {
            if let Some(outage) = outage.take() {
                outage.await;
            }
        }
        let response = running
            .campaign
            .post("/campaigns")
            .token(token)
            .json(&json!({"title": format!("Campaign {n}"), "goal_minor": 1000, "currency": "USD"}))
            .send()
            .await;
        let campaign = response.expect(201);
        ids.push(campaign["id"].as_str().expect("id").to_owned());
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    ids
}

/// Every campaign's event reached the witness, and each recipient was notified exactly once.
async fn assert_everything_arrived(running: &Running, witness: &str, token: &str, ids: &[String]) {
    let expected: HashSet<&String> = ids.iter().collect();
    let mut seen: HashMap<String, usize> = HashMap::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    let all_seen = |seen: &HashMap<String, usize>| expected.iter().all(|id| seen.contains_key(*id));
    while !all_seen(&seen) && tokio::time::Instant::now() < deadline {
        match running
            .broker
            .wait_get(witness, Duration::from_millis(500))
            .await
        {
            Some(delivery) => {
                let event: serde_json::Value =
                    serde_json::from_slice(&delivery.data).expect("json");
                *seen
                    .entry(event["subject"].as_str().expect("subject").to_owned())
                    .or_default() += 1;
            }
            None => continue,
        }
    }
    let missing: Vec<&&String> = expected
        .iter()
        .filter(|id| !seen.contains_key(**id))
        .collect();
    assert!(
        missing.is_empty(),
        "every campaign's event was published; missing {missing:?}"
    );
    let page = poll(
        &running.messaging,
        "/notifications?limit=100",
        token,
        Duration::from_secs(30),
        |p| {
            p["items"]
                .as_array()
                .is_some_and(|items| items.len() >= ids.len())
        },
    )
    .await;
    let notified: Vec<&str> = page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|n| n["link"]["id"].as_str().expect("id"))
        .collect();
    assert_eq!(
        notified.len(),
        ids.len(),
        "one notification per campaign, duplicates or not on the wire"
    );
    assert_eq!(
        notified.iter().copied().collect::<HashSet<_>>(),
        ids.iter().map(String::as_str).collect()
    );
}

async fn readiness(running: &Running) -> u16 {
    running
        .campaign
        .get("/health/ready")
        .send()
        .await
        .status
        .as_u16()
}

#[tokio::test]
#[ignore = "closes every connection to the shared broker; run alone by scripts/test"]
async fn closing_every_broker_connection_loses_nothing() {
    let mut running = start().await;
    let witness = durable_witness(&running).await;
    let token = user_token(Uuid::new_v4());

    let ids = create_through(&running, &token, 30, async {
        rabbitmqctl(&["close_all_connections", "hearth test: connections closed"]);
    })
    .await;

    assert_everything_arrived(&running, &witness, &token, &ids).await;
    assert_eq!(readiness(&running).await, 200);
    running.shutdown().await;
}

#[tokio::test]
#[ignore = "restarts the shared broker; run alone by scripts/test"]
async fn restarting_the_broker_loses_nothing_and_readiness_follows() {
    let _guard = RestartGuard;
    let mut running = start().await;
    let witness = durable_witness(&running).await;
    let token = user_token(Uuid::new_v4());
    assert_eq!(readiness(&running).await, 200);

    let ids = create_through(&running, &token, 30, async {
        rabbitmqctl(&["stop_app"]);
        // While the broker is away, writes go on and readiness says why.
        let mut body = running.campaign.get("/health/ready").send().await;
        for _ in 0..50 {
            if body.status.as_u16() == 503 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
            body = running.campaign.get("/health/ready").send().await;
        }
        assert_eq!(body.status.as_u16(), 503, "{}", body.text);
        assert!(body.text.contains("broker"), "{}", body.text);
        for n in 0..5 {
            running
                .campaign
                .post("/campaigns")
                .token(&user_token(Uuid::new_v4()))
                .json(&json!({"title": format!("During the outage {n}"), "goal_minor": 1000, "currency": "USD"}))
                .send()
                .await
                .expect(201);
        }
        rabbitmqctl(&["start_app"]);
        rabbitmqctl(&["await_startup", "--timeout", "60"]);
    })
    .await;

    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while readiness(&running).await != 200 && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(
        readiness(&running).await,
        200,
        "ready again after the restart"
    );
    assert_everything_arrived(&running, &witness, &token, &ids).await;
    running.shutdown().await;
}
