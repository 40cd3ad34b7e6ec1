//! The platform end to end: services started as `hearth up` starts them, on
//! databases and a broker namespace of the test's own.

use std::collections::HashMap;
use std::time::Duration;

use hearth::platform::Platform;
use hearth::services::Service;
use hearth_testkit::{user_token, TestBroker, TestClient, TestDb, JWT_SECRET};
use serde_json::json;
use uuid::Uuid;

struct Running {
    campaign: TestClient,
    messaging: TestClient,
    broker: TestBroker,
    platform: Option<Platform>,
    _main: TestDb,
    _campaign_db: TestDb,
}

async fn start() -> Running {
    let main = TestDb::create().await;
    let campaign_db = TestDb::create().await;
    let broker = TestBroker::new().await;
    let env = HashMap::from([
        ("CAMPAIGN_DATABASE_URL".to_owned(), campaign_db.url()),
        ("MAIN_DATABASE_URL".to_owned(), main.url()),
        ("CAMPAIGN_PORT".to_owned(), "0".to_owned()),
        ("MESSAGING_PORT".to_owned(), "0".to_owned()),
        ("RABBITMQ_URL".to_owned(), broker.url.clone()),
        ("BUS_NAMESPACE".to_owned(), broker.namespace.clone()),
        ("EVENT_RETRY_DELAYS".to_owned(), "1s".to_owned()),
    ]);
    for queue in ["messaging", "messaging.dead", "messaging.retry.1s"] {
        broker.track(format!("{}.{queue}", broker.namespace));
    }
    let platform = Platform::start(Service::ALL, &env, Some(JWT_SECRET)).await.expect("start");
    let addr = |service: Service| {
        platform.listening.iter().find(|l| l.service == service).expect("listening").addr
    };
    Running {
        campaign: TestClient::new(addr(Service::Campaign)),
        messaging: TestClient::new(addr(Service::Messaging)),
        platform: Some(platform),
        broker,
        _main: main,
        _campaign_db: campaign_db,
    }
}

/// Asks until `done` is satisfied, for at most `timeout`.
async fn poll<F: Fn(&serde_json::Value) -> bool>(client: &TestClient, path: &str, token: &str, timeout: Duration, done: F) -> serde_json::Value {
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        let body = client.get(path).token(token).send().await.expect(200);
        if done(&body) || tokio::time::Instant::now() >= deadline {
            return body;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn a_new_campaign_is_published_once_and_its_recipient_notified_once() {
    let mut running = start().await;
    let exchange = format!("{}.events", running.broker.namespace);
    // The consumer declared the exchange; tap it to see what crosses the bus.
    assert!(running.broker.wait_for_exchange(&exchange, Duration::from_secs(10)).await);
    let mut tap = running.broker.tap(&exchange, "#").await;
    let alice = Uuid::new_v4();
    let token = user_token(alice);

    let campaign = running
        .campaign
        .post("/campaigns")
        .token(&token)
        .header("x-request-id", "flow-1")
        .json(&json!({"title": "Blankets for the shelter", "goal_minor": 50_000, "currency": "USD"}))
        .send()
        .await
        .expect(201);

    let event = tap.next_json(Duration::from_secs(5)).await;
    assert_eq!(event["type"], "campaign.created");
    assert_eq!(event["subject"], campaign["id"]);
    assert_eq!(event["correlationid"], "flow-1");
    assert_eq!(event["data"]["recipient_id"], alice.to_string());
    assert!(tap.next(Duration::from_millis(500)).await.is_none(), "exactly one event");

    let page = poll(&running.messaging, "/notifications", &token, Duration::from_secs(5), |p| {
        !p["items"].as_array().is_some_and(Vec::is_empty)
    })
    .await;
    let items = page["items"].as_array().expect("items");
    assert_eq!(items.len(), 1, "{page}");
    assert_eq!(items[0]["type"], "campaign.created");
    assert_eq!(items[0]["user_id"], alice.to_string());
    assert_eq!(items[0]["title"], "Your campaign is live");
    assert_eq!(items[0]["link"], json!({"type": "campaign", "id": campaign["id"]}));
    assert!(items[0]["read_at"].is_null());

    // Nobody else sees it.
    let stranger = running.messaging.get("/notifications").token(&user_token(Uuid::new_v4())).send().await.expect(200);
    assert_eq!(stranger["items"], json!([]));

    tokio::time::timeout(Duration::from_secs(10), running.platform.take().expect("running").shutdown())
        .await
        .expect("stops")
        .expect("cleanly");
}
