//! The request side of the item saga (docs/events.md, "The item saga"),
//! driven by donation-service's events published on the real broker.

use std::time::Duration;

use serde_json::{json, Value};

use crate::helpers::{cancelled, completed, expired, pledge, TestApp};
use hearth_testkit::Person;

async fn quantities(app: &TestApp, request: &Value) -> (i64, i64, String) {
    let r = app.get(&request["id"], None).await.expect(200);
    (
        r["quantity_pledged"].as_i64().expect("pledged"),
        r["quantity_fulfilled"].as_i64().expect("fulfilled"),
        r["status"].as_str().expect("status").to_owned(),
    )
}

#[tokio::test]
async fn a_pledge_is_accepted_and_reserves_its_quantity() {
    let app = TestApp::spawn().await;
    let alice = Person::user();
    let bob = Person::user();
    let request = app.request(&alice, json!({"quantity_needed": 10})).await;

    let gift = pledge(&bob, &request["id"], 4);
    app.broker.publish(&gift).await;

    let accepted = app.wait_for_events("request.donation_accepted", 1).await;
    assert_eq!(accepted.len(), 1);
    assert_eq!(
        accepted[0]["data"],
        json!({"donation_id": gift.data.donation_id, "request_id": request["id"],
               "recipient_id": alice.id, "title": "Blankets for the night shelter", "quantity": 4,
               "donor_id": bob.id, "anonymous": false})
    );
    assert_eq!(accepted[0]["causationid"], gift.id.to_string());
    assert_eq!(quantities(&app, &request).await, (4, 0, "open".into()));
}

#[tokio::test]
async fn every_rejection_reason() {
    let app = TestApp::spawn().await;
    let alice = Person::user();
    let bob = Person::user();
    let request = app.request(&alice, json!({"quantity_needed": 5})).await;
    let closed = app.request(&alice, json!({})).await;
    app.close(&closed["id"], &alice, "cancelled")
        .await
        .expect(200);

    let cases = [
        (pledge(&bob, &json!(uuid::Uuid::new_v4()), 1), "not_found"),
        (pledge(&alice, &request["id"], 1), "self_donation"),
        (pledge(&bob, &closed["id"], 1), "not_open"),
        (pledge(&bob, &request["id"], 6), "quantity_exceeded"),
    ];
    for (gift, _) in &cases {
        app.broker.publish(gift).await;
    }
    let rejected = app.wait_for_events("request.donation_rejected", 4).await;
    for (gift, reason) in &cases {
        let answer = rejected
            .iter()
            .find(|e| e["data"]["donation_id"] == gift.data.donation_id.to_string())
            .unwrap_or_else(|| panic!("an answer for {reason}"));
        assert_eq!(answer["data"]["reason"], *reason);
    }
    assert!(app.events("request.donation_accepted").await.is_empty());
    assert_eq!(quantities(&app, &request).await, (0, 0, "open".into()));
}

#[tokio::test]
async fn an_over_pledge_is_refused_once_the_rest_is_promised() {
    let app = TestApp::spawn().await;
    let alice = Person::user();
    let request = app.request(&alice, json!({"quantity_needed": 5})).await;
    let first = pledge(&Person::user(), &request["id"], 3);
    let second = pledge(&Person::user(), &request["id"], 3);
    let third = pledge(&Person::user(), &request["id"], 2);
    for gift in [&first, &second, &third] {
        app.broker.publish(gift).await;
    }
    app.wait_for_handled(3).await;
    let accepted: Vec<Value> = app
        .events("request.donation_accepted")
        .await
        .iter()
        .map(|e| e["data"]["donation_id"].clone())
        .collect();
    let rejected = app.events("request.donation_rejected").await;
    assert_eq!(accepted.len(), 2, "3 + 2 fit, the other 3 does not");
    assert_eq!(rejected.len(), 1);
    assert_eq!(rejected[0]["data"]["reason"], "quantity_exceeded");
    assert_eq!(quantities(&app, &request).await, (5, 0, "open".into()));
}

#[tokio::test]
async fn received_items_fulfil_the_request_once() {
    let app = TestApp::spawn().await;
    let alice = Person::user();
    let request = app.request(&alice, json!({"quantity_needed": 5})).await;
    let first = pledge(&Person::user(), &request["id"], 2);
    let second = pledge(&Person::user(), &request["id"], 3);
    app.broker.publish(&first).await;
    app.broker.publish(&second).await;
    app.wait_for_events("request.donation_accepted", 2).await;

    app.broker.publish(&completed(&first, &alice)).await;
    app.wait_for_handled(3).await;
    assert_eq!(quantities(&app, &request).await, (3, 2, "open".into()));

    let last = completed(&second, &alice);
    for _ in 0..3 {
        app.broker.publish(&last).await;
    }
    let fulfilled = app.wait_for_events("request.fulfilled", 1).await;
    assert_eq!(fulfilled.len(), 1);
    assert_eq!(fulfilled[0]["data"]["requester_id"], alice.id.to_string());
    // Both copies of the last completion were handled, as duplicates.
    app.client
        .wait_for_metric(r#"hearth_events_duplicate_total{service="request"}"#, 2.0)
        .await;
    assert_eq!(quantities(&app, &request).await, (0, 5, "fulfilled".into()));
    assert_eq!(app.events("request.fulfilled").await.len(), 1, "once");
    let changes = app.events("request.status_changed").await;
    assert_eq!(changes.len(), 1);
    assert_eq!(changes[0]["data"]["to"], "fulfilled");
}

#[tokio::test]
async fn a_cancelled_or_expired_pledge_frees_its_quantity() {
    let app = TestApp::spawn().await;
    let alice = Person::user();
    let request = app.request(&alice, json!({"quantity_needed": 10})).await;
    let kept = pledge(&Person::user(), &request["id"], 2);
    let withdrawn = pledge(&Person::user(), &request["id"], 3);
    let lapsed = pledge(&Person::user(), &request["id"], 4);
    for gift in [&kept, &withdrawn, &lapsed] {
        app.broker.publish(gift).await;
    }
    app.wait_for_events("request.donation_accepted", 3).await;
    assert_eq!(quantities(&app, &request).await, (9, 0, "open".into()));

    for _ in 0..2 {
        app.broker.publish(&cancelled(&withdrawn)).await;
        app.broker.publish(&expired(&lapsed)).await;
    }
    app.wait_for_handled(7).await;
    assert_eq!(quantities(&app, &request).await, (2, 0, "open".into()));

    // A freed pledge stays freed: a late completion of it is ignored.
    app.broker.publish(&completed(&withdrawn, &alice)).await;
    app.wait_for_handled(8).await;
    assert_eq!(quantities(&app, &request).await, (2, 0, "open".into()));
}

#[tokio::test]
async fn a_pledge_cancelled_before_it_arrived_is_never_reserved() {
    let app = TestApp::spawn().await;
    let alice = Person::user();
    let request = app.request(&alice, json!({"quantity_needed": 10})).await;
    let gift = pledge(&Person::user(), &request["id"], 5);

    app.broker.publish(&cancelled(&gift)).await;
    app.wait_for_handled(1).await;
    app.broker.publish(&gift).await;
    app.wait_for_handled(2).await;

    assert_eq!(quantities(&app, &request).await, (0, 0, "open".into()));
    assert!(app.events("request.donation_accepted").await.is_empty());
    assert!(app.events("request.donation_rejected").await.is_empty());
}

#[tokio::test]
async fn a_redelivered_pledge_is_reserved_once() {
    let app = TestApp::spawn().await;
    let alice = Person::user();
    let request = app.request(&alice, json!({"quantity_needed": 10})).await;
    let gift = pledge(&Person::user(), &request["id"], 4);
    for _ in 0..3 {
        app.broker.publish(&gift).await;
    }
    app.wait_for_events("request.donation_accepted", 1).await;
    app.client
        .wait_for_metric(r#"hearth_events_duplicate_total{service="request"}"#, 2.0)
        .await;
    assert_eq!(app.events("request.donation_accepted").await.len(), 1);
    assert_eq!(quantities(&app, &request).await, (4, 0, "open".into()));
    assert_eq!(
        app.db.scalar("select count(*) from request.pledges").await,
        1
    );
}

#[tokio::test]
async fn money_is_not_this_services_business_and_poison_is_dead_lettered() {
    let app = TestApp::spawn().await;
    let alice = Person::user();
    let request = app.request(&alice, json!({})).await;
    let mut money = pledge(&Person::user(), &request["id"], 1);
    money.data.kind = hearth_events::donation::DonationKind::Money;
    money.data.request_id = None;
    money.data.quantity = None;
    app.broker.publish(&money).await;
    // A completion for a pledge this service never saw cannot succeed.
    app.broker
        .publish(&completed(
            &pledge(&Person::user(), &request["id"], 1),
            &alice,
        ))
        .await;

    let dead = app
        .broker
        .wait_get(
            &format!("{}.request.dead", app.broker.namespace),
            Duration::from_secs(5),
        )
        .await
        .expect("the impossible completion is dead-lettered");
    let body: Value = serde_json::from_slice(&dead.data).expect("json");
    assert_eq!(body["type"], "donation.completed");
    app.wait_for_handled(1).await;
    assert!(app.events("request.donation_accepted").await.is_empty());
    assert!(app.events("request.donation_rejected").await.is_empty());
    assert_eq!(quantities(&app, &request).await, (0, 0, "open".into()));
}

#[tokio::test]
async fn a_pledge_missing_its_quantity_is_dead_lettered_and_the_next_one_flows() {
    let app = TestApp::spawn().await;
    let alice = Person::user();
    let request = app.request(&alice, json!({"quantity_needed": 10})).await;
    let mut broken = pledge(&Person::user(), &request["id"], 1);
    broken.data.quantity = None;
    app.broker.publish(&broken).await;

    let dead = app
        .broker
        .wait_get(
            &format!("{}.request.dead", app.broker.namespace),
            Duration::from_secs(5),
        )
        .await
        .expect("an item pledge without its quantity is dead-lettered");
    let body: Value = serde_json::from_slice(&dead.data).expect("json");
    assert_eq!(body["id"], broken.id.to_string());

    app.broker
        .publish(&pledge(&Person::user(), &request["id"], 3))
        .await;
    app.wait_for_events("request.donation_accepted", 1).await;
    assert!(app.events("request.donation_rejected").await.is_empty());
    assert_eq!(quantities(&app, &request).await, (3, 0, "open".into()));
}
