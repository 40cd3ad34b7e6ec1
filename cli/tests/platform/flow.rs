//! The platform end to end: services started as `hearth up` starts them, on
//! databases and a broker namespace of the test's own.

use std::time::Duration;

use crate::support::{poll, prepare, start};
use hearth_testkit::user_token;
use serde_json::json;
use uuid::Uuid;

#[tokio::test]
async fn a_new_campaign_is_published_once_and_its_recipient_notified_once() {
    let mut running = start().await;
    let exchange = running.exchange();
    // The consumer declared the exchange; tap it to see what crosses the bus.
    assert!(
        running
            .broker
            .wait_for_exchange(&exchange, Duration::from_secs(10))
            .await
    );
    let mut tap = running.broker.tap(&exchange, "#").await;
    let alice = Uuid::new_v4();
    let token = user_token(alice);

    let campaign = running
        .campaign
        .post("/campaigns")
        .token(&token)
        .header("x-request-id", "flow-1")
        .json(
            &json!({"title": "Blankets for the shelter", "goal_minor": 50_000, "currency": "USD"}),
        )
        .send()
        .await
        .expect(201);

    let event = tap.next_json(Duration::from_secs(5)).await;
    assert_eq!(event["type"], "campaign.created");
    assert_eq!(event["subject"], campaign["id"]);
    assert_eq!(event["correlationid"], "flow-1");
    assert_eq!(event["data"]["recipient_id"], alice.to_string());
    assert!(
        tap.next(Duration::from_millis(500)).await.is_none(),
        "exactly one event"
    );

    let page = poll(
        &running.messaging,
        "/notifications",
        &token,
        Duration::from_secs(5),
        |p| !p["items"].as_array().is_some_and(Vec::is_empty),
    )
    .await;
    let items = page["items"].as_array().expect("items");
    assert_eq!(items.len(), 1, "{page}");
    assert_eq!(items[0]["type"], "campaign.created");
    assert_eq!(items[0]["user_id"], alice.to_string());
    assert_eq!(items[0]["title"], "Your campaign is live");
    assert_eq!(
        items[0]["link"],
        json!({"type": "campaign", "id": campaign["id"]})
    );
    assert!(items[0]["read_at"].is_null());

    // Nobody else sees it.
    let stranger = running
        .messaging
        .get("/notifications")
        .token(&user_token(Uuid::new_v4()))
        .send()
        .await
        .expect(200);
    assert_eq!(stranger["items"], json!([]));

    // The flow shows in both services' metrics.
    let published = running.campaign.get("/metrics").send().await.text;
    assert!(
        published.contains(r#"hearth_events_published_total{service="campaign"} 1"#),
        "{published}"
    );
    let consumed = running.messaging.get("/metrics").send().await.text;
    assert!(
        consumed.contains(r#"hearth_events_consumed_total{service="messaging"} 1"#),
        "{consumed}"
    );
    assert!(
        published.contains("hearth_outbox_pending{service=\"campaign\"}"),
        "{published}"
    );

    running.shutdown().await;
}

#[tokio::test]
async fn an_event_committed_before_anything_ran_reaches_its_consumer() {
    let prepared = prepare().await;
    // campaign-service committed a campaign and its event, then died before
    // publishing; the broker has never seen messaging-service's queue.
    let pool = hearth_core::db::pool(
        &hearth_core::config::DatabaseConfig {
            url: prepared.campaign_db.url(),
            max_connections: 2,
            acquire_timeout: Duration::from_secs(5),
        },
        "campaign",
    )
    .expect("pool");
    hearth_core::migrations::migrate(
        &pool,
        "campaign",
        &<campaign_service::Campaign as hearth_bus::app::Service>::MIGRATIONS,
    )
    .await
    .expect("migrate");
    let alice = Uuid::new_v4();
    let event = hearth_events::Envelope::new(
        "campaign",
        hearth_events::campaign::CampaignCreated {
            campaign_id: Uuid::now_v7(),
            recipient_id: alice,
            creator_id: alice,
            title: "Committed before start".into(),
            goal_minor: 1000,
            currency: "USD".into(),
            status: "active".into(),
            ends_at: None,
            image_url: None,
        },
        &Default::default(),
    );
    let mut conn = pool.acquire().await.expect("conn");
    hearth_bus::outbox::enqueue(&mut conn, &event)
        .await
        .expect("enqueue");
    drop(conn);

    let mut running = prepared.start().await;

    let token = user_token(alice);
    let page = poll(
        &running.messaging,
        "/notifications",
        &token,
        Duration::from_secs(10),
        |p| !p["items"].as_array().is_some_and(Vec::is_empty),
    )
    .await;
    assert_eq!(
        page["items"][0]["body"],
        "\u{201c}Committed before start\u{201d} is live and can receive donations."
    );
    running.shutdown().await;
}
