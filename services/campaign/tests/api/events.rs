//! Every change writes its event into the outbox, in the same transaction.

use serde_json::json;

use crate::helpers::TestApp;
use hearth_testkit::Person;

#[tokio::test]
async fn creating_writes_one_campaign_created_with_the_full_envelope() {
    let app = TestApp::spawn().await;
    let alice = Person::user();
    let traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    let response = app
        .client
        .post("/campaigns")
        .token(&alice.token)
        .header("x-request-id", "walkthrough-1")
        .header("traceparent", traceparent)
        .json(&crate::helpers::campaign_body(
            json!({"ends_at": "2099-01-01T00:00:00Z"}),
        ))
        .send()
        .await;
    let campaign = response.expect(201);

    let events = app.outbox().await;
    assert_eq!(events.len(), 1);
    let event = &events[0];
    assert_eq!(event["specversion"], "1.0");
    assert_eq!(event["type"], "campaign.created");
    assert_eq!(event["source"], "/hearth/campaign-service");
    assert_eq!(event["subject"], campaign["id"]);
    assert_eq!(event["datacontenttype"], "application/json");
    assert_eq!(event["version"], 1);
    assert_eq!(event["correlationid"], "walkthrough-1");
    assert!(event["causationid"].is_null());
    assert_eq!(event["traceparent"], traceparent);
    let id = uuid::Uuid::parse_str(event["id"].as_str().expect("id")).expect("uuid");
    assert_eq!(id.get_version_num(), 7);
    assert_eq!(
        event["data"],
        json!({
            "campaign_id": campaign["id"], "recipient_id": alice.id, "creator_id": alice.id,
            "title": "Blankets for the shelter", "goal_minor": 50_000, "currency": "USD",
            "status": "active", "ends_at": "2099-01-01T00:00:00Z",
        })
    );
}

#[tokio::test]
async fn an_edit_writes_only_the_changed_fields() {
    let app = TestApp::spawn().await;
    let owner = Person::user();
    let campaign = app.campaign(&owner, json!({})).await;
    app.patch(
        &campaign["id"],
        &owner,
        json!({"title": "Warm blankets", "description": null, "category": "community"}),
    )
    .await
    .expect(200);
    // Changes nothing, so emits nothing.
    app.patch(&campaign["id"], &owner, json!({"title": "Warm blankets"}))
        .await
        .expect(200);

    let events = app.outbox().await;
    assert_eq!(events.len(), 2);
    assert_eq!(events[1]["type"], "campaign.updated");
    assert_eq!(
        events[1]["data"],
        json!({"campaign_id": campaign["id"], "changes": {"title": "Warm blankets", "description": null}})
    );
}

#[tokio::test]
async fn a_status_change_writes_from_to_and_reason() {
    let app = TestApp::spawn().await;
    let owner = Person::user();
    let campaign = app.campaign(&owner, json!({})).await;
    app.client
        .post(&format!(
            "/campaigns/{}/status",
            campaign["id"].as_str().expect("id")
        ))
        .token(&owner.token)
        .json(&json!({"status": "paused", "reason": "Back in spring"}))
        .send()
        .await
        .expect(200);
    app.set_status(&campaign["id"], &owner, "draft")
        .await
        .expect(409);

    let events = app.outbox().await;
    assert_eq!(events.len(), 2, "a refused move emits nothing");
    assert_eq!(events[1]["type"], "campaign.status_changed");
    assert_eq!(
        events[1]["data"],
        json!({"campaign_id": campaign["id"], "recipient_id": owner.id, "title": campaign["title"],
               "from": "active", "to": "paused", "reason": "Back in spring"})
    );
    // The events of one campaign share its subject, in commit order.
    assert!(events.iter().all(|e| e["subject"] == campaign["id"]));
}
