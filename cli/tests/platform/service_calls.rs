//! The token messaging-service sends donation-service, captured on the way
//! and replayed against the whole platform: it is good for reading one
//! donation's parties, and for nothing else anywhere.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::support::prepare;
use axum::http::{HeaderMap, StatusCode, Uri};
use hearth::services::Service;
use hearth_testkit::{staff_token, user_token, TestClient, TestResponse};
use serde_json::{json, Value};
use tokio::net::TcpListener;
use uuid::Uuid;

/// What a donation-service impostor heard: each request's path and token.
type Heard = Arc<Mutex<Vec<(String, String)>>>;

/// Listens where messaging-service expects donation-service, writes down
/// what it is sent, and knows no donation (404).
async fn eavesdropper() -> (String, Heard) {
    let heard = Heard::default();
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let log = heard.clone();
    let app = axum::Router::new().fallback(move |uri: Uri, headers: HeaderMap| {
        let log = log.clone();
        async move {
            let token = headers
                .get("authorization")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.strip_prefix("Bearer "))
                .unwrap_or_default()
                .to_owned();
            log.lock()
                .expect("lock")
                .push((uri.path().to_owned(), token));
            StatusCode::NOT_FOUND
        }
    });
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, heard)
}

async fn post(client: &TestClient, path: &str, token: &str, body: Value) -> TestResponse {
    client.post(path).token(token).json(&body).send().await
}

/// The donation as its donor sees it once it has left `pending` (or after 10 s).
async fn settled(client: &TestClient, token: &str, id: &str) -> Value {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let d = client
            .get(&format!("/donations/{id}"))
            .token(token)
            .send()
            .await
            .expect(200);
        if d["status"] != "pending" || tokio::time::Instant::now() >= deadline {
            return d;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn the_token_messaging_sends_cannot_suspend_refund_resolve_or_write_anywhere() {
    let (impostor, heard) = eavesdropper().await;
    let mut prepared = prepare().await;
    prepared.set("DONATION_SERVICE_URL", &impostor);
    let (platform, clients) = prepared.launch(Service::ALL).await;
    let (alice, bob) = (Uuid::new_v4(), Uuid::new_v4());
    let (alice_token, bob_token) = (user_token(alice), user_token(bob));
    let staff = staff_token(Uuid::new_v4());

    // Something to attack: alice's campaign, bob's confirmed gift to it, a
    // request of alice's, and a report on the campaign.
    let campaign = post(
        &clients["campaign"],
        "/campaigns",
        &alice_token,
        json!({"title": "Blankets", "goal_minor": 10_000, "currency": "USD"}),
    )
    .await
    .expect(201);
    let campaign_id = campaign["id"].as_str().expect("id").to_owned();
    let donation = post(
        &clients["donation"],
        "/donations",
        &bob_token,
        json!({"kind": "money", "campaign_id": campaign_id, "amount_minor": 500, "currency": "USD"}),
    )
    .await
    .expect(201);
    let donation_id = donation["id"].as_str().expect("id").to_owned();
    assert_eq!(
        settled(&clients["donation"], &bob_token, &donation_id).await["status"],
        "confirmed"
    );
    let request = post(
        &clients["request"],
        "/requests",
        &alice_token,
        json!({"title": "Soup", "category": "food", "quantity_needed": 3}),
    )
    .await
    .expect(201);
    let request_id = request["id"].as_str().expect("id").to_owned();
    let report = post(
        &clients["profile"],
        "/reports",
        &bob_token,
        json!({"target_type": "campaign", "target_id": campaign_id, "reason": "fraud"}),
    )
    .await
    .expect(201);
    let report_id = report["id"].as_str().expect("id").to_owned();

    // bob messages alice about a donation: messaging asks "donation-service".
    let asked_about = Uuid::new_v4();
    post(
        &clients["messaging"],
        "/messages",
        &bob_token,
        json!({"recipient_id": alice, "body": "Thanks!",
               "context": {"type": "donation", "id": asked_about}}),
    )
    .await
    .assert_problem(409, "not_eligible");
    let (path, token) = heard
        .lock()
        .expect("lock")
        .first()
        .cloned()
        .expect("a call");
    assert_eq!(path, format!("/donations/{asked_about}/parties"));

    // Replayed everywhere, it is no caller at all.
    let attempts: Vec<(&str, &str, String, Value)> = vec![
        (
            "profile",
            "suspend",
            format!("/profiles/{alice}/suspend"),
            json!({"reason": "spam"}),
        ),
        (
            "profile",
            "reinstate",
            format!("/profiles/{alice}/reinstate"),
            json!({}),
        ),
        (
            "profile",
            "resolve",
            format!("/reports/{report_id}/resolve"),
            json!({"resolution": "actioned", "action": "hide_target"}),
        ),
        (
            "profile",
            "rate",
            "/ratings".to_owned(),
            json!({"donation_id": donation_id, "score": 1, "comment": "bad"}),
        ),
        (
            "profile",
            "report",
            "/reports".to_owned(),
            json!({"target_type": "campaign", "target_id": campaign_id, "reason": "spam"}),
        ),
        (
            "donation",
            "refund",
            format!("/donations/{donation_id}/refund"),
            json!({"reason": "chargeback"}),
        ),
        (
            "donation",
            "give",
            "/donations".to_owned(),
            json!({"kind": "money", "campaign_id": campaign_id, "amount_minor": 100, "currency": "USD"}),
        ),
        (
            "campaign",
            "suspend",
            format!("/campaigns/{campaign_id}/status"),
            json!({"status": "suspended"}),
        ),
        (
            "campaign",
            "create",
            "/campaigns".to_owned(),
            json!({"title": "Mine now", "goal_minor": 100, "currency": "USD", "recipient_id": alice}),
        ),
        (
            "request",
            "suspend",
            format!("/requests/{request_id}/status"),
            json!({"status": "suspended"}),
        ),
        (
            "request",
            "create",
            "/requests".to_owned(),
            json!({"title": "Mine now", "category": "food", "quantity_needed": 1, "recipient_id": alice}),
        ),
        (
            "messaging",
            "message",
            "/messages".to_owned(),
            json!({"recipient_id": alice, "body": "hi"}),
        ),
        (
            "messaging",
            "read all",
            "/notifications/read-all".to_owned(),
            json!({}),
        ),
    ];
    for (service, what, path, body) in attempts {
        let answer = post(&clients[service], &path, &token, body).await;
        assert_eq!(answer.status, 401, "{service} {what}: {:?}", answer.json());
    }
    let put = clients["profile"]
        .put("/profiles/me")
        .token(&token)
        .json(&json!({"display_name": "Service"}))
        .send()
        .await;
    assert_eq!(put.status, 401, "profile put");
    for (service, path) in [
        ("profile", "/reports".to_owned()),
        ("donation", format!("/donations/{donation_id}")),
        ("messaging", "/notifications".to_owned()),
    ] {
        let answer = clients[service].get(&path).token(&token).send().await;
        assert_eq!(answer.status, 401, "{service} GET {path}");
    }
    // Nor does it read the parties of another donation than the one asked about.
    clients["donation"]
        .get(&format!("/donations/{donation_id}/parties"))
        .token(&token)
        .send()
        .await
        .assert_problem(403, "forbidden");

    // Nothing changed.
    let d = clients["donation"]
        .get(&format!("/donations/{donation_id}"))
        .token(&staff)
        .send()
        .await
        .expect(200);
    assert_eq!(d["status"], "confirmed");
    let c = clients["campaign"]
        .get(&format!("/campaigns/{campaign_id}"))
        .send()
        .await
        .expect(200);
    assert_eq!(c["status"], "active");
    let r = clients["profile"]
        .get(&format!("/reports/{report_id}"))
        .token(&staff)
        .send()
        .await
        .expect(200);
    assert_eq!(r["status"], "open");
    // alice is not suspended: she can still write.
    post(
        &clients["campaign"],
        "/campaigns",
        &alice_token,
        json!({"title": "Still here", "goal_minor": 100, "currency": "USD"}),
    )
    .await
    .expect(201);
    tokio::time::timeout(Duration::from_secs(15), platform.shutdown())
        .await
        .expect("stops within 15 s")
        .expect("stops cleanly");
}
