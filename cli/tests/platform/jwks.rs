//! A service configured with a JWKS alone, as with Supabase's asymmetric
//! signing keys: its ES256 tokens are accepted through the whole HTTP stack.

use std::collections::HashMap;
use std::time::Duration;

use axum::routing::get;
use axum::Json;
use hearth::platform::Platform;
use hearth::services::Service;
use hearth_testkit::{user_token, TestBroker, TestClient, TestDb};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{json, Value};
use tokio::net::TcpListener;
use uuid::Uuid;

const EC_PRIVATE: &[u8] = include_bytes!("../../../crates/core/tests/keys/ec-1.pem");
const EC_JWK: &str = include_str!("../../../crates/core/tests/keys/ec-1.jwk.json");

/// Supabase Auth's JWKS endpoint, with one key.
async fn identity_provider() -> String {
    let jwk: Value = serde_json::from_str(EC_JWK).expect("a JWK");
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let app = axum::Router::new().route(
        "/auth/v1/.well-known/jwks.json",
        get(move || {
            let jwk = jwk.clone();
            async move { Json(json!({"keys": [jwk]})) }
        }),
    );
    tokio::spawn(async move { axum::serve(listener, app).await });
    url
}

fn es256_token(sub: Uuid) -> String {
    let mut header = Header::new(Algorithm::ES256);
    header.kid = Some("ec-1".to_owned());
    let claims = json!({"sub": sub, "aud": "authenticated", "role": "authenticated",
                        "exp": chrono::Utc::now().timestamp() + 600});
    let key = EncodingKey::from_ec_pem(EC_PRIVATE).expect("an EC key");
    jsonwebtoken::encode(&header, &claims, &key).expect("sign")
}

#[tokio::test]
async fn with_supabase_url_alone_es256_tokens_are_accepted_and_hs256_ones_are_not() {
    let supabase = identity_provider().await;
    let db = TestDb::create().await;
    let broker = TestBroker::new().await;
    for queue in ["", ".dead", ".delay.1s"] {
        broker.track(format!("{}.campaign{queue}", broker.namespace));
    }
    let env = HashMap::from([
        ("CAMPAIGN_DATABASE_URL".to_owned(), db.url()),
        ("CAMPAIGN_PORT".to_owned(), "0".to_owned()),
        ("RABBITMQ_URL".to_owned(), broker.url.clone()),
        ("BUS_NAMESPACE".to_owned(), broker.namespace.clone()),
        ("EVENT_RETRY_DELAYS".to_owned(), "1s".to_owned()),
        ("SUPABASE_URL".to_owned(), supabase),
    ]);
    // As `hearth serve` starts: no development secret, no JWT_SECRET.
    let platform = Platform::start(&[Service::Campaign], &env, None)
        .await
        .expect("starts with a JWKS alone");
    let client = TestClient::new(platform.listening[0].addr);
    let alice = Uuid::new_v4();
    let created = client
        .post("/campaigns")
        .token(&es256_token(alice))
        .json(&json!({"title": "Blankets", "goal_minor": 10_000, "currency": "USD"}))
        .send()
        .await
        .expect(201);
    assert_eq!(created["recipient_id"], alice.to_string());
    // An HS256 token proves nothing without JWT_SECRET.
    client
        .post("/campaigns")
        .token(&user_token(alice))
        .json(&json!({"title": "Blankets", "goal_minor": 10_000, "currency": "USD"}))
        .send()
        .await
        .assert_problem(401, "unauthenticated");
    tokio::time::timeout(Duration::from_secs(15), platform.shutdown())
        .await
        .expect("stops within 15 s")
        .expect("stops cleanly");
}
