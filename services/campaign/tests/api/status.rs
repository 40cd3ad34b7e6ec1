use serde_json::{json, Value};

use crate::helpers::TestApp;
use hearth_testkit::Person;

const STATUSES: [&str; 6] = [
    "draft",
    "active",
    "paused",
    "completed",
    "cancelled",
    "suspended",
];

/// The moves docs/api.md allows an owner.
const ALLOWED: [(&str, &str); 8] = [
    ("draft", "active"),
    ("draft", "cancelled"),
    ("active", "paused"),
    ("paused", "active"),
    ("active", "completed"),
    ("paused", "completed"),
    ("active", "cancelled"),
    ("paused", "cancelled"),
];

/// A campaign of `owner`'s, brought to `status`.
async fn campaign_in(app: &TestApp, owner: &Person, status: &str) -> Value {
    let staff = Person::staff();
    let start = if status == "draft" { "draft" } else { "active" };
    let campaign = app.campaign(owner, json!({"status": start})).await;
    let by = if status == "suspended" { &staff } else { owner };
    if !matches!(status, "draft" | "active") {
        app.set_status(&campaign["id"], by, status)
            .await
            .expect(200);
    }
    app.get(&campaign["id"], Some(&staff)).await.expect(200)
}

#[tokio::test]
async fn every_move_an_owner_asks_for() {
    let app = TestApp::spawn().await;
    let owner = Person::user();
    for from in STATUSES {
        for to in STATUSES {
            let campaign = campaign_in(&app, &owner, from).await;
            let response = app.set_status(&campaign["id"], &owner, to).await;
            if ALLOWED.contains(&(from, to)) {
                let moved = response.expect(200);
                assert_eq!(moved["status"], to, "{from} → {to}");
                assert_eq!(
                    moved["version"],
                    campaign["version"].as_i64().expect("v") + 1
                );
            } else if from == "suspended" {
                // Hidden from everyone but staff, the owner included.
                response.assert_problem(404, "not_found");
            } else if to == "suspended" {
                response.assert_problem(403, "forbidden");
            } else {
                response.assert_problem(409, "invalid_state");
            }
        }
    }
}

#[tokio::test]
async fn staff_suspend_from_any_status_and_reinstate_to_it() {
    let app = TestApp::spawn().await;
    let owner = Person::user();
    let staff = Person::staff();
    for from in ["draft", "active", "paused", "completed", "cancelled"] {
        let campaign = campaign_in(&app, &owner, from).await;
        app.set_status(&campaign["id"], &staff, "suspended")
            .await
            .expect(200);
        app.set_status(&campaign["id"], &staff, "suspended")
            .await
            .assert_problem(409, "invalid_state");
        let wrong = if from == "active" { "paused" } else { "active" };
        app.set_status(&campaign["id"], &staff, wrong)
            .await
            .assert_problem(409, "invalid_state");
        let back = app
            .set_status(&campaign["id"], &staff, from)
            .await
            .expect(200);
        assert_eq!(back["status"], from);
    }
}

#[tokio::test]
async fn staff_make_the_owners_moves_too() {
    let app = TestApp::spawn().await;
    let campaign = app.campaign(&Person::user(), json!({})).await;
    let staff = Person::staff();
    app.set_status(&campaign["id"], &staff, "paused")
        .await
        .expect(200);
    app.set_status(&campaign["id"], &staff, "draft")
        .await
        .assert_problem(409, "invalid_state");
}

#[tokio::test]
async fn who_may_change_a_status() {
    let app = TestApp::spawn().await;
    let owner = Person::user();
    let campaign = app.campaign(&owner, json!({})).await;
    let path = format!("/campaigns/{}/status", campaign["id"].as_str().expect("id"));

    app.client
        .post(&path)
        .json(&json!({"status": "paused"}))
        .send()
        .await
        .assert_problem(401, "unauthenticated");
    app.set_status(&campaign["id"], &Person::user(), "paused")
        .await
        .assert_problem(403, "forbidden");
    app.set_status(&campaign["id"], &owner, "paused")
        .await
        .expect(200);
}

#[tokio::test]
async fn a_status_body_is_checked() {
    let app = TestApp::spawn().await;
    let owner = Person::user();
    let campaign = app.campaign(&owner, json!({})).await;
    let path = format!("/campaigns/{}/status", campaign["id"].as_str().expect("id"));
    for body in [
        json!({"status": "finished"}),
        json!({}),
        json!({"status": "paused", "reason": "r".repeat(501)}),
    ] {
        app.client
            .post(&path)
            .token(&owner.token)
            .json(&body)
            .send()
            .await
            .assert_problem(422, "validation_failed");
    }
    app.client
        .post(&path)
        .token(&owner.token)
        .json(&json!({"status": "paused", "reason": "Back in spring"}))
        .send()
        .await
        .expect(200);
}
