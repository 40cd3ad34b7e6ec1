use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::json;
use uuid::Uuid;

use crate::helpers::{campaign_body, TestApp};
use hearth_core::auth::{mint, TokenRequest};
use hearth_testkit::Person;
use hearth_testkit::JWT_SECRET;

fn signed(claims: serde_json::Value, secret: &str) -> String {
    let key = jsonwebtoken::EncodingKey::from_secret(secret.as_bytes());
    jsonwebtoken::encode(&jsonwebtoken::Header::default(), &claims, &key).expect("sign")
}

#[tokio::test]
async fn bad_tokens_are_401_even_where_no_token_is_needed() {
    let app = TestApp::spawn().await;
    let sub = Uuid::new_v4();
    let exp = chrono::Utc::now().timestamp() + 3600;
    let alg_none = format!(
        "{}.{}.",
        URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#),
        URL_SAFE_NO_PAD.encode(
            json!({"sub": sub, "aud": "authenticated", "role": "authenticated", "exp": exp})
                .to_string()
        )
    );
    let tokens = [
        (
            "expired",
            signed(
                json!({"sub": sub, "aud": "authenticated", "role": "authenticated", "exp": 1_600_000_000}),
                JWT_SECRET,
            ),
        ),
        (
            "wrong secret",
            signed(
                json!({"sub": sub, "aud": "authenticated", "role": "authenticated", "exp": exp}),
                "not-the-secret-not-the-secret-not-the",
            ),
        ),
        (
            "wrong audience",
            signed(
                json!({"sub": sub, "aud": "elsewhere", "role": "authenticated", "exp": exp}),
                JWT_SECRET,
            ),
        ),
        ("alg none", alg_none),
    ];
    for (name, token) in tokens {
        app.client
            .post("/campaigns")
            .token(&token)
            .json(&campaign_body(json!({})))
            .send()
            .await
            .assert_problem(401, "unauthenticated");
        let problem = app
            .client
            .get("/campaigns")
            .token(&token)
            .send()
            .await
            .assert_problem(401, "unauthenticated");
        assert!(problem["detail"].is_string(), "{name}");
    }
    app.client
        .get("/campaigns")
        .header("authorization", "Basic dXNlcjpwYXNz")
        .send()
        .await
        .assert_problem(401, "unauthenticated");
}

#[tokio::test]
async fn the_anon_key_reads_like_nobody() {
    let app = TestApp::spawn().await;
    let owner = Person::user();
    let draft = app.campaign(&owner, json!({"status": "draft"})).await;
    let anon = signed(
        json!({"role": "anon", "iss": "supabase", "exp": chrono::Utc::now().timestamp() + 60}),
        JWT_SECRET,
    );
    let path = format!("/campaigns/{}", draft["id"].as_str().expect("id"));
    app.client
        .get(&path)
        .token(&anon)
        .send()
        .await
        .assert_problem(404, "not_found");
    app.client
        .post("/campaigns")
        .token(&anon)
        .json(&campaign_body(json!({})))
        .send()
        .await
        .assert_problem(401, "unauthenticated");
}

#[tokio::test]
async fn a_service_token_acts_as_staff() {
    let app = TestApp::spawn().await;
    let recipient = Person::user();
    let service = mint(
        JWT_SECRET,
        &TokenRequest {
            sub: None,
            staff_role: None,
            service: true,
            ttl: std::time::Duration::from_secs(60),
        },
    )
    .expect("mint");
    let campaign = app
        .client
        .post("/campaigns")
        .token(&service)
        .json(&campaign_body(json!({"recipient_id": recipient.id})))
        .send()
        .await
        .expect(201);
    assert_eq!(campaign["recipient_id"], recipient.id.to_string());
    // Without a user, the token must say for whom.
    let problem = app
        .client
        .post("/campaigns")
        .token(&service)
        .json(&campaign_body(json!({})))
        .send()
        .await
        .assert_problem(422, "validation_failed");
    assert_eq!(problem["errors"][0]["field"], "recipient_id");
    app.client
        .post(&format!(
            "/campaigns/{}/status",
            campaign["id"].as_str().expect("id")
        ))
        .token(&service)
        .json(&json!({"status": "suspended", "reason": "fraud report"}))
        .send()
        .await
        .expect(200);
}
