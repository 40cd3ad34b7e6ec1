use serde_json::json;

use crate::helpers::{request_body, TestApp};
use hearth_testkit::{error_fields, Person};

#[tokio::test]
async fn a_user_posts_a_request_and_request_created_goes_out() {
    let app = TestApp::spawn().await;
    let alice = Person::user();

    let response = app
        .create(&alice, json!({"needed_by": "2099-01-01T00:00:00Z"}))
        .await;

    let request = response.expect(201);
    let id = request["id"].as_str().expect("id");
    assert_eq!(
        response.header("location"),
        Some(format!("/requests/{id}").as_str())
    );
    assert_eq!(response.header("etag"), Some("\"1\""));
    assert_eq!(request["requester_id"], alice.id.to_string());
    assert_eq!(request["title"], "Blankets for the night shelter");
    assert_eq!(request["category"], "bedding");
    assert_eq!(request["quantity_needed"], 10);
    assert_eq!(request["quantity_pledged"], 0);
    assert_eq!(request["quantity_fulfilled"], 0);
    assert_eq!(request["status"], "open");
    assert_eq!(request["needed_by"], "2099-01-01T00:00:00Z");
    assert_eq!(request["location"], "Elm Street 4");
    assert_eq!(request["version"], 1);
    let fields: Vec<&String> = request.as_object().expect("object").keys().collect();
    assert!(
        request["image_url"].is_null(),
        "no picture unless one is given"
    );
    assert_eq!(
        fields.len(),
        15,
        "exactly the API's fields and image_url: {fields:?}"
    );

    let events = app.outbox().await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["type"], "request.created");
    assert_eq!(events[0]["subject"], id);
    assert_eq!(
        events[0]["data"],
        json!({"request_id": id, "requester_id": alice.id, "title": "Blankets for the night shelter",
               "category": "bedding", "quantity_needed": 10})
    );
}

#[tokio::test]
async fn every_invalid_field_is_named_at_once() {
    let app = TestApp::spawn().await;
    let problem = app
        .client
        .post("/requests")
        .token(&Person::user().token)
        .json(
            &json!({"title": "ab", "description": "x".repeat(10_001), "category": " ",
                      "quantity_needed": 10_001, "needed_by": "2001-01-01T00:00:00Z",
                      "location": "y".repeat(201)}),
        )
        .send()
        .await
        .assert_problem(422, "validation_failed");
    let fields = error_fields(&problem);
    assert_eq!(
        fields,
        [
            "category",
            "description",
            "location",
            "needed_by",
            "quantity_needed",
            "title"
        ]
    );
    for zero in [0, -1] {
        app.create(&Person::user(), json!({"quantity_needed": zero}))
            .await
            .assert_problem(422, "validation_failed");
    }
    assert!(app.outbox().await.is_empty(), "nothing was stored");
}

#[tokio::test]
async fn bad_bodies_and_callers_are_refused() {
    let app = TestApp::spawn().await;
    app.client
        .post("/requests")
        .json(&request_body(json!({})))
        .send()
        .await
        .assert_problem(401, "unauthenticated");
    app.client
        .post("/requests")
        .token(&Person::user().token)
        .body("application/json", "{not json")
        .send()
        .await
        .assert_problem(400, "malformed_json");
    app.create(
        &Person::user(),
        json!({"requester_id": uuid::Uuid::new_v4()}),
    )
    .await
    .assert_problem(422, "validation_failed");
    app.client
        .post("/requests")
        .token(&Person::user().token)
        .json(&json!({"title": "No category or quantity"}))
        .send()
        .await
        .assert_problem(422, "validation_failed");
}

#[tokio::test]
async fn an_idempotency_key_creates_once() {
    let app = TestApp::spawn().await;
    let alice = Person::user();
    let send = |body: serde_json::Value| {
        app.client
            .post("/requests")
            .token(&alice.token)
            .header("idempotency-key", "pledge-drive-1")
            .json(&body)
            .send()
    };
    let first = send(request_body(json!({}))).await.expect(201);
    let again = send(request_body(json!({}))).await.expect(201);
    assert_eq!(first, again);
    send(request_body(json!({"quantity_needed": 11})))
        .await
        .assert_problem(422, "idempotency_key_reused");
    assert_eq!(
        app.db.scalar("select count(*) from request.requests").await,
        1
    );
}

#[tokio::test]
async fn a_request_whose_answer_was_lost_after_its_commit_is_not_made_twice() {
    let app = TestApp::spawn().await;
    let alice = Person::user();
    let send = || {
        app.client
            .post("/requests")
            .token(&alice.token)
            .header("idempotency-key", "pledge-drive-2")
            .json(&request_body(json!({})))
            .send()
    };
    let first = send().await.expect(201);
    app.db
        .lose_idempotent_answer("request", "pledge-drive-2")
        .await;

    let again = send().await.expect(201);

    assert_eq!(again["id"], first["id"], "the request the first run made");
    assert_eq!(
        app.db.scalar("select count(*) from request.requests").await,
        1
    );
    assert_eq!(app.events("request.created").await.len(), 1);
}

#[tokio::test]
async fn openapi_document() {
    let app = TestApp::spawn().await;
    let document = app.client.get("/openapi.json").send().await.expect(200);
    let paths: Vec<&String> = document["paths"]
        .as_object()
        .expect("paths")
        .keys()
        .collect();
    assert_eq!(
        paths,
        [
            "/requests",
            "/requests/{id}",
            "/requests/{id}/close",
            "/requests/{id}/status"
        ]
    );
    insta::assert_json_snapshot!("openapi_document", document);
}
