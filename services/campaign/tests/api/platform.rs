//! What the HTTP stack adds around the API: health, metrics, request ids,
//! CORS, timeouts, the OpenAPI document.

use serde_json::json;

use crate::helpers::TestApp;
use hearth_testkit::Person;

#[tokio::test]
async fn live_and_ready_with_everything_up() {
    let app = TestApp::spawn().await;
    app.client.get("/health/live").send().await.expect(200);
    // The broker link connects in the background; give it a moment.
    let mut ready = app.client.get("/health/ready").send().await;
    for _ in 0..50 {
        if ready.status == 200 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        ready = app.client.get("/health/ready").send().await;
    }
    let body = ready.expect(200);
    assert_eq!(body["status"], "ready");
    assert_eq!(body["checks"]["database"]["status"], "up");
    assert_eq!(body["checks"]["broker"]["status"], "up");
}

#[tokio::test]
async fn without_a_broker_writes_go_on_and_ready_says_why() {
    // Nothing listens on port 1.
    let app = TestApp::spawn_with(&[("RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:1/%2f")]).await;
    let ready = app.client.get("/health/ready").send().await;
    let body = ready.expect(503);
    assert_eq!(body["checks"]["database"]["status"], "up");
    assert_eq!(body["checks"]["broker"]["status"], "down");
    assert!(body["checks"]["broker"].get("error").is_none(), "{body}");
    // The reason is for staff.
    let staff = hearth_testkit::staff_token(uuid::Uuid::new_v4());
    let body = app
        .client
        .get("/health/ready")
        .token(&staff)
        .send()
        .await
        .expect(503);
    assert!(body["checks"]["broker"]["error"]
        .as_str()
        .expect("reason")
        .contains("RabbitMQ"));

    let campaign = app.campaign(&Person::user(), json!({})).await;
    assert_eq!(app.outbox().await.len(), 1, "the event waits in the outbox");
    app.get(&campaign["id"], None).await.expect(200);
}

#[tokio::test]
async fn without_a_database_requests_are_503_with_retry_after() {
    let app = TestApp::spawn_with(&[
        (
            "CAMPAIGN_DATABASE_URL",
            "postgres://postgres@127.0.0.1:1/nowhere",
        ),
        ("DATABASE_ACQUIRE_TIMEOUT", "300ms"),
    ])
    .await;
    let response = app.client.get("/campaigns").send().await;
    response.assert_problem(503, "dependency_unavailable");
    assert_eq!(response.header("retry-after"), Some("5"));
    let ready = app.client.get("/health/ready").send().await.expect(503);
    assert_eq!(ready["checks"]["database"]["status"], "down");
    app.client.get("/health/live").send().await.expect(200);
}

#[tokio::test]
async fn a_request_over_the_timeout_is_503() {
    // The pool would wait 10 s for a database that is not there; the request gives up first.
    let app = TestApp::spawn_with(&[
        (
            "CAMPAIGN_DATABASE_URL",
            "postgres://postgres@127.0.0.1:1/nowhere",
        ),
        ("DATABASE_ACQUIRE_TIMEOUT", "10s"),
        ("HTTP_REQUEST_TIMEOUT", "200ms"),
    ])
    .await;
    let started = std::time::Instant::now();
    let problem = app
        .client
        .get("/campaigns")
        .send()
        .await
        .assert_problem(503, "dependency_unavailable");
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    assert!(
        problem["detail"]
            .as_str()
            .expect("detail")
            .contains("did not finish within 200ms"),
        "{problem}"
    );
}

#[tokio::test]
async fn request_ids_are_echoed_or_made() {
    let app = TestApp::spawn().await;
    let echoed = app
        .client
        .get("/campaigns")
        .header("x-request-id", "abc-123")
        .send()
        .await;
    assert_eq!(echoed.header("x-request-id"), Some("abc-123"));
    let made = app.client.get("/nowhere").send().await;
    let id = made
        .header("x-request-id")
        .expect("a request id on errors too");
    assert!(uuid::Uuid::parse_str(id).is_ok(), "{id}");
}

#[tokio::test]
async fn an_unfit_request_id_never_reaches_an_event() {
    let app = TestApp::spawn().await;
    let person = Person::user();
    let huge = "x".repeat(300 * 1024);
    for unfit in [huge.as_str(), "two words"] {
        let created = app
            .client
            .post("/campaigns")
            .token(&person.token)
            .header("x-request-id", unfit)
            .json(&crate::helpers::campaign_body(json!({})))
            .send()
            .await;
        assert_eq!(created.status, 201, "{}", created.text);
        let fresh = created.header("x-request-id").expect("an id").to_owned();
        assert!(
            uuid::Uuid::parse_str(&fresh).is_ok(),
            "a fresh id: {fresh:.40}"
        );
        let outbox = app.outbox().await;
        let event = outbox.last().expect("campaign.created");
        assert_eq!(event["correlationid"], fresh.as_str());
    }
}

#[tokio::test]
async fn metrics_count_requests_by_route_and_status() {
    let app = TestApp::spawn().await;
    let campaign = app.campaign(&Person::user(), json!({})).await;
    app.get(&campaign["id"], None).await.expect(200);
    app.get(&json!(uuid::Uuid::new_v4().to_string()), None)
        .await
        .expect(404);

    let metrics = app.client.get("/metrics").send().await;
    assert_eq!(metrics.status, 200);
    let text = &metrics.text;
    assert!(text.contains(r#"hearth_http_requests_total{service="campaign",method="POST",route="/campaigns",status="201"} 1"#), "{text}");
    assert!(
        text.contains(r#"route="/campaigns/{id}",status="200"} 1"#),
        "{text}"
    );
    assert!(
        text.contains(r#"route="/campaigns/{id}",status="404"} 1"#),
        "{text}"
    );
    assert!(
        text.contains("hearth_http_request_duration_seconds_bucket"),
        "{text}"
    );
}

#[tokio::test]
async fn cors_is_off_unless_configured() {
    let closed = TestApp::spawn().await;
    let preflight = |app: &crate::helpers::TestApp| {
        app.client
            .request(reqwest::Method::OPTIONS, "/campaigns")
            .header("origin", "https://app.example")
            .header("access-control-request-method", "POST")
            .send()
    };
    assert_eq!(
        preflight(&closed)
            .await
            .header("access-control-allow-origin"),
        None
    );

    let open = TestApp::spawn_with(&[("CORS_ALLOWED_ORIGINS", "https://app.example")]).await;
    let answer = preflight(&open).await;
    assert_eq!(
        answer.header("access-control-allow-origin"),
        Some("https://app.example")
    );
    assert!(answer
        .header("access-control-allow-headers")
        .expect("headers")
        .contains("if-match"));
}

#[tokio::test]
async fn the_docs_are_served_without_the_network() {
    let app = TestApp::spawn().await;
    let page = app.client.get("/docs/").send().await;
    assert_eq!(page.status, 200);
    assert!(page.text.contains("swagger"), "the vendored Swagger UI");
}

/// The contract, as generated from the code. A change to it shows up in review
/// as a change to `snapshots/api__platform__openapi_document.snap`.
#[tokio::test]
async fn openapi_document() {
    let app = TestApp::spawn().await;
    let document = app.client.get("/openapi.json").send().await.expect(200);
    assert_eq!(document["openapi"], "3.1.0");
    insta::assert_json_snapshot!("openapi_document", document);
}
