use serde_json::json;

use crate::helpers::TestApp;
use hearth_testkit::{error_fields, Person};

#[tokio::test]
async fn a_user_creates_a_campaign_they_receive() {
    let app = TestApp::spawn().await;
    let alice = Person::user();

    let response = app
        .create(&alice, json!({"ends_at": "2099-01-01T00:00:00Z"}))
        .await;

    let campaign = response.expect(201);
    let id = campaign["id"].as_str().expect("id");
    assert_eq!(
        response.header("location"),
        Some(format!("/campaigns/{id}").as_str())
    );
    assert_eq!(response.header("etag"), Some("\"1\""));
    assert_eq!(campaign["recipient_id"], alice.id.to_string());
    assert_eq!(campaign["creator_id"], alice.id.to_string());
    assert_eq!(campaign["title"], "Blankets for the shelter");
    assert_eq!(campaign["category"], "community");
    assert_eq!(campaign["goal_minor"], 50_000);
    assert_eq!(campaign["raised_minor"], 0);
    assert_eq!(campaign["donor_count"], 0);
    assert_eq!(campaign["currency"], "USD");
    assert_eq!(campaign["status"], "active");
    assert_eq!(campaign["ends_at"], "2099-01-01T00:00:00Z");
    assert!(campaign["goal_reached_at"].is_null());
    assert_eq!(campaign["version"], 1);
    assert!(campaign["created_at"].is_string() && campaign["updated_at"].is_string());
    let fields: Vec<&String> = campaign.as_object().expect("object").keys().collect();
    assert!(
        campaign["image_url"].is_null(),
        "no picture unless one is given"
    );
    assert_eq!(
        fields.len(),
        17,
        "exactly the API's fields and image_url: {fields:?}"
    );
}

#[tokio::test]
async fn a_campaign_may_start_as_a_draft() {
    let app = TestApp::spawn().await;
    let campaign = app
        .campaign(&Person::user(), json!({"status": "draft"}))
        .await;
    assert_eq!(campaign["status"], "draft");
}

#[tokio::test]
async fn only_staff_create_for_someone_else() {
    let app = TestApp::spawn().await;
    let recipient = Person::user();

    app.create(&Person::user(), json!({"recipient_id": recipient.id}))
        .await
        .assert_problem(403, "forbidden");

    let staff = Person::staff();
    let campaign = app
        .campaign(&staff, json!({"recipient_id": recipient.id}))
        .await;
    assert_eq!(campaign["recipient_id"], recipient.id.to_string());
    assert_eq!(campaign["creator_id"], staff.id.to_string());

    // Naming yourself is no one else.
    let alice = Person::user();
    app.create(&alice, json!({"recipient_id": alice.id}))
        .await
        .expect(201);
}

#[tokio::test]
async fn anonymous_callers_cannot_create() {
    let app = TestApp::spawn().await;
    app.client
        .post("/campaigns")
        .json(&crate::helpers::campaign_body(json!({})))
        .send()
        .await
        .assert_problem(401, "unauthenticated");
}

#[tokio::test]
async fn every_invalid_field_is_listed_at_once() {
    let app = TestApp::spawn().await;
    let response = app
        .create(
            &Person::user(),
            json!({
                "title": "  x ",
                "description": "d".repeat(10_001),
                "category": "",
                "goal_minor": 0,
                "currency": "usd",
                "ends_at": "2001-01-01T00:00:00Z",
                "status": "paused",
            }),
        )
        .await;
    let problem = response.assert_problem(422, "validation_failed");
    let fields = error_fields(&problem);
    assert_eq!(
        fields,
        [
            "category",
            "currency",
            "description",
            "ends_at",
            "goal_minor",
            "status",
            "title"
        ]
    );
    assert!(problem["errors"][0]["message"].is_string());
}

#[tokio::test]
async fn field_limits_are_inclusive() {
    let app = TestApp::spawn().await;
    let alice = Person::user();
    let at_the_limits = json!({
        "title": "t".repeat(120),
        "description": "d".repeat(10_000),
        "goal_minor": 1_000_000_000_000_i64,
        "currency": "JPY",
    });
    app.create(&alice, at_the_limits).await.expect(201);
    app.create(&alice, json!({"title": "abc", "goal_minor": 1}))
        .await
        .expect(201);

    for (field, value) in [
        ("title", json!("t".repeat(121))),
        ("title", json!("ab")),
        ("goal_minor", json!(1_000_000_000_001_i64)),
        ("goal_minor", json!(-5)),
        ("currency", json!("XYZ")),
    ] {
        let problem = app
            .create(&alice, json!({ field: value }))
            .await
            .assert_problem(422, "validation_failed");
        assert_eq!(problem["errors"][0]["field"], field, "{value}");
    }
}

#[tokio::test]
async fn a_body_of_the_wrong_shape_names_the_field() {
    let app = TestApp::spawn().await;
    let alice = Person::user();
    for (body, field) in [
        (
            json!({"title": "Blankets", "currency": "USD"}),
            "goal_minor",
        ),
        (
            crate::helpers::campaign_body(json!({"goal_minor": "lots"})),
            "goal_minor",
        ),
        (
            crate::helpers::campaign_body(json!({"raised_minor": 100})),
            "raised_minor",
        ),
        (
            crate::helpers::campaign_body(json!({"status": "running"})),
            "status",
        ),
        (
            crate::helpers::campaign_body(json!({"ends_at": "tomorrow"})),
            "ends_at",
        ),
        // PostgreSQL cannot store U+0000: refused by name, not a 500.
        (
            crate::helpers::campaign_body(json!({"description": "warm\u{0}blankets"})),
            "description",
        ),
    ] {
        let problem = app
            .client
            .post("/campaigns")
            .token(&alice.token)
            .json(&body)
            .send()
            .await
            .assert_problem(422, "validation_failed");
        assert_eq!(problem["errors"][0]["field"], field, "{body}");
    }
}

#[tokio::test]
async fn a_refused_create_stores_nothing() {
    let app = TestApp::spawn().await;
    let alice = Person::user();
    app.create(&alice, json!({"goal_minor": 0}))
        .await
        .expect(422);
    assert!(app.list_ids("", Some(&alice)).await.is_empty());
    assert!(app.outbox().await.is_empty());
}
