use crate::helpers::{campaign_body, TestApp};
use hearth_testkit::Person;

#[tokio::test]
async fn a_body_that_is_not_json_is_400() {
    let app = TestApp::spawn().await;
    let alice = Person::user();
    for body in [
        "{\"title\": ",
        "",
        "title=Blankets",
        "{\"title\": \"x\"} {}",
    ] {
        app.client
            .post("/campaigns")
            .token(&alice.token)
            .body("application/json", body)
            .send()
            .await
            .assert_problem(400, "malformed_json");
    }
}

#[tokio::test]
async fn a_body_that_is_not_declared_json_is_415() {
    let app = TestApp::spawn().await;
    let alice = Person::user();
    let json = campaign_body(serde_json::json!({})).to_string();
    for content_type in [
        "text/plain",
        "application/x-www-form-urlencoded",
        "application/xml",
    ] {
        app.client
            .post("/campaigns")
            .token(&alice.token)
            .body(content_type, json.clone())
            .send()
            .await
            .assert_problem(415, "unsupported_media_type");
    }
    app.client
        .post("/campaigns")
        .token(&alice.token)
        .body("application/json; charset=utf-8", json)
        .send()
        .await
        .expect(201);
}

#[tokio::test]
async fn a_body_over_64_kib_is_413() {
    let app = TestApp::spawn().await;
    let alice = Person::user();
    let huge = campaign_body(serde_json::json!({"description": "d".repeat(64 * 1024)})).to_string();
    app.client
        .post("/campaigns")
        .token(&alice.token)
        .body("application/json", huge)
        .send()
        .await
        .assert_problem(413, "payload_too_large");
    // Just under the limit is read (and then judged on its fields).
    let padding = 64 * 1024 - 200;
    let near = format!(
        r#"{{"title": "Blankets", "goal_minor": 1, "currency": "USD", "category": "{}"}}"#,
        "c".repeat(padding)
    );
    assert!(near.len() < 64 * 1024);
    app.client
        .post("/campaigns")
        .token(&alice.token)
        .body("application/json", near)
        .send()
        .await
        .assert_problem(422, "validation_failed");
}

#[tokio::test]
async fn unknown_routes_and_methods_answer_problems() {
    let app = TestApp::spawn().await;
    app.client
        .get("/nowhere")
        .send()
        .await
        .assert_problem(404, "not_found");
    app.client
        .request(reqwest::Method::DELETE, "/campaigns")
        .send()
        .await
        .assert_problem(405, "method_not_allowed");
}
