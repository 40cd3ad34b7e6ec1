//! Tokens signed with the keys an identity provider publishes as a JWKS,
//! served over real HTTP by a test server that counts its requests.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use hearth_core::auth::{Authenticator, Caller, CallerKind, Jwks, JwksTiming};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{json, Value};
use tokio::net::TcpListener;
use uuid::Uuid;

const SECRET: &str = "jwks-test-secret-jwks-test-secret-jwks";

/// A fixed test key: `ec-1`, `ec-2` (P-256) or `rsa-1` (2048 bits).
struct TestKey {
    name: &'static str,
    private_pem: &'static [u8],
    public_pem: &'static [u8],
    jwk: &'static str,
}

const EC_1: TestKey = TestKey {
    name: "ec-1",
    private_pem: include_bytes!("keys/ec-1.pem"),
    public_pem: include_bytes!("keys/ec-1.pub.pem"),
    jwk: include_str!("keys/ec-1.jwk.json"),
};
const EC_2: TestKey = TestKey {
    name: "ec-2",
    private_pem: include_bytes!("keys/ec-2.pem"),
    public_pem: include_bytes!("keys/ec-2.pub.pem"),
    jwk: include_str!("keys/ec-2.jwk.json"),
};
const RSA_1: TestKey = TestKey {
    name: "rsa-1",
    private_pem: include_bytes!("keys/rsa-1.pem"),
    public_pem: include_bytes!("keys/rsa-1.pub.pem"),
    jwk: include_str!("keys/rsa-1.jwk.json"),
};

impl TestKey {
    fn jwk(&self) -> Value {
        serde_json::from_str(self.jwk).expect("a JWK")
    }

    fn encoding_key(&self) -> EncodingKey {
        if self.name.starts_with("ec") {
            EncodingKey::from_ec_pem(self.private_pem).expect("an EC key")
        } else {
            EncodingKey::from_rsa_pem(self.private_pem).expect("an RSA key")
        }
    }

    /// A token signed with this key, `alg` and `kid` in its header.
    fn sign(&self, alg: Algorithm, kid: Option<&str>, claims: &Value) -> String {
        let mut header = Header::new(alg);
        header.kid = kid.map(str::to_owned);
        jsonwebtoken::encode(&header, claims, &self.encoding_key()).expect("sign")
    }

    /// The usual token: this key's algorithm, its own `kid`.
    fn token(&self, claims: &Value) -> String {
        let alg = if self.name.starts_with("ec") {
            Algorithm::ES256
        } else {
            Algorithm::RS256
        };
        self.sign(alg, Some(self.name), claims)
    }
}

fn refetch_every(interval: Duration) -> JwksTiming {
    JwksTiming {
        refetch_interval: interval,
        ..JwksTiming::default()
    }
}

fn user(sub: Uuid) -> Value {
    json!({"sub": sub, "aud": "authenticated", "role": "authenticated",
           "exp": chrono::Utc::now().timestamp() + 3600})
}

/// An HS256 token over `claims` keyed with `key`'s bytes.
fn hmac(key: &[u8], kid: Option<&str>, claims: &Value) -> String {
    let mut header = Header::new(Algorithm::HS256);
    header.kid = kid.map(str::to_owned);
    jsonwebtoken::encode(&header, claims, &EncodingKey::from_secret(key)).expect("sign")
}

/// The identity provider: serves its keys at `/jwks.json` and counts the requests.
#[derive(Clone, Default)]
struct Provider {
    keys: Arc<Mutex<Vec<Value>>>,
    requests: Arc<AtomicUsize>,
    down: Arc<AtomicBool>,
}

impl Provider {
    async fn start(keys: &[&TestKey]) -> (Self, reqwest::Url) {
        let provider = Provider::default();
        provider.publish(keys);
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let url = format!("http://{}/jwks.json", listener.local_addr().expect("addr"));
        let app = Router::new()
            .route("/jwks.json", get(serve_keys))
            .with_state(provider.clone());
        tokio::spawn(async move { axum::serve(listener, app).await });
        (provider, url.parse().expect("url"))
    }

    fn publish(&self, keys: &[&TestKey]) {
        let mut published = self.keys.lock().expect("lock");
        published.extend(keys.iter().map(|k| k.jwk()));
    }

    fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }
}

async fn serve_keys(State(provider): State<Provider>) -> Response {
    provider.requests.fetch_add(1, Ordering::SeqCst);
    if provider.down.load(Ordering::SeqCst) {
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
    }
    let keys = provider.keys.lock().expect("lock").clone();
    Json(json!({"keys": keys})).into_response()
}

/// An authenticator as a service starts one: the set loaded at start-up.
async fn authenticator(jwks: Jwks, secret: Option<&str>) -> Authenticator {
    jwks.load().await;
    Authenticator::with_keys(secret, Some(jwks), None)
}

async fn caller(auth: &Authenticator, token: &str) -> Caller {
    auth.authenticate(token)
        .await
        .expect("accepted")
        .expect("a caller")
}

async fn assert_refused(auth: &Authenticator, token: &str, why: &str) {
    let err = auth.authenticate(token).await.expect_err(why);
    assert_eq!(err.code(), "unauthenticated", "{why}");
}

#[tokio::test]
async fn es256_and_rs256_tokens_signed_with_published_keys_are_accepted() {
    let (provider, url) = Provider::start(&[&EC_1, &RSA_1]).await;
    let auth = authenticator(Jwks::new(url), None).await;
    let (alice, bob) = (Uuid::new_v4(), Uuid::new_v4());

    let es256 = caller(&auth, &EC_1.token(&user(alice))).await;
    assert_eq!((es256.id, es256.kind), (alice, CallerKind::User));
    let mut staff = user(bob);
    staff["app_metadata"] = json!({"role": "moderator"});
    let rs256 = caller(&auth, &RSA_1.token(&staff)).await;
    assert_eq!((rs256.id, rs256.kind), (bob, CallerKind::Staff));
    for _ in 0..5 {
        caller(&auth, &EC_1.token(&user(alice))).await;
    }
    assert_eq!(provider.requests(), 1, "the set is fetched once and cached");
}

#[tokio::test]
async fn a_rotated_key_is_accepted_without_a_restart() {
    let (provider, url) = Provider::start(&[&EC_1]).await;
    let interval = Duration::from_millis(200);
    let auth = authenticator(Jwks::with_timing(url, refetch_every(interval)), None).await;
    let alice = Uuid::new_v4();
    caller(&auth, &EC_1.token(&user(alice))).await;

    // The provider adds a key and signs with it.
    tokio::time::sleep(interval).await;
    provider.publish(&[&EC_2]);
    let rotated = caller(&auth, &EC_2.token(&user(alice))).await;
    assert_eq!(rotated.id, alice);
    // The old key still works: both are published during a rotation.
    caller(&auth, &EC_1.token(&user(alice))).await;
    assert_eq!(
        provider.requests(),
        2,
        "one fetch at start, one for the new kid"
    );
}

#[tokio::test]
async fn unknown_kids_fetch_the_set_again_at_most_once_a_minute() {
    let (provider, url) = Provider::start(&[&EC_1]).await;
    // The default interval, a minute.
    let auth = authenticator(Jwks::new(url), None).await;
    assert_eq!(provider.requests(), 1);

    // A burst of made-up kids, at once and one after another.
    let burst = (0..20).map(|i| {
        let auth = auth.clone();
        let token = EC_2.sign(
            Algorithm::ES256,
            Some(&format!("made-up-{i}")),
            &user(Uuid::new_v4()),
        );
        async move { auth.authenticate(&token).await }
    });
    for answer in futures::future::join_all(burst).await {
        assert_eq!(answer.expect_err("unknown kid").code(), "unauthenticated");
    }
    for i in 0..5 {
        let token = EC_2.sign(
            Algorithm::ES256,
            Some(&format!("later-{i}")),
            &user(Uuid::new_v4()),
        );
        assert_refused(&auth, &token, "unknown kid").await;
    }
    assert_eq!(provider.requests(), 2, "one fetch at start, one refetch");

    // A key published within the minute waits for the next refetch.
    provider.publish(&[&EC_2]);
    assert_refused(
        &auth,
        &EC_2.token(&user(Uuid::new_v4())),
        "within the minute",
    )
    .await;
    assert_eq!(provider.requests(), 2);
}

#[tokio::test]
async fn tokens_the_published_keys_do_not_allow_are_refused() {
    let (_provider, url) = Provider::start(&[&EC_1, &RSA_1]).await;
    let auth = authenticator(Jwks::new(url), Some(SECRET)).await;
    let claims = user(Uuid::new_v4());
    let mut expired = claims.clone();
    expired["exp"] = json!(1_600_000_000);
    let cases = [
        ("an unknown kid", EC_2.token(&claims)),
        (
            "signed with another key under a published kid",
            EC_2.sign(Algorithm::ES256, Some("ec-1"), &claims),
        ),
        (
            "RS256 named on an EC key",
            RSA_1.sign(Algorithm::RS256, Some("ec-1"), &claims),
        ),
        (
            "ES256 named on an RSA key",
            EC_1.sign(Algorithm::ES256, Some("rsa-1"), &claims),
        ),
        (
            "PS256 on an RSA key published for RS256 only",
            RSA_1.sign(Algorithm::PS256, Some("rsa-1"), &claims),
        ),
        (
            "HS256 with the kid of an EC key, keyed with its public key",
            hmac(EC_1.public_pem, Some("ec-1"), &claims),
        ),
        (
            "HS256 keyed with the RSA public key",
            hmac(RSA_1.public_pem, None, &claims),
        ),
        (
            "HS256 with a kid, keyed with the RSA public key",
            hmac(RSA_1.public_pem, Some("rsa-1"), &claims),
        ),
        ("expired", EC_1.token(&expired)),
        ("no kid", EC_1.sign(Algorithm::ES256, None, &claims)),
    ];
    for (why, token) in cases {
        assert_refused(&auth, &token, why).await;
    }
    // HS256 with the secret is still accepted beside the JWKS, with or
    // without a kid (Supabase puts one on its HS256 tokens too).
    caller(&auth, &hmac(SECRET.as_bytes(), None, &claims)).await;
    caller(&auth, &hmac(SECRET.as_bytes(), Some("ec-1"), &claims)).await;
}

#[tokio::test]
async fn each_kind_of_token_needs_its_own_configuration() {
    let (_provider, url) = Provider::start(&[&EC_1]).await;
    let claims = user(Uuid::new_v4());
    let jwks_only = authenticator(Jwks::new(url), None).await;
    caller(&jwks_only, &EC_1.token(&claims)).await;
    assert_refused(
        &jwks_only,
        &hmac(SECRET.as_bytes(), None, &claims),
        "HS256 without JWT_SECRET",
    )
    .await;
    let secret_only = Authenticator::new(SECRET);
    caller(&secret_only, &hmac(SECRET.as_bytes(), None, &claims)).await;
    assert_refused(&secret_only, &EC_1.token(&claims), "ES256 without a JWKS").await;
}

#[tokio::test]
async fn a_provider_down_at_start_up_is_401_until_its_keys_load() {
    let (provider, url) = Provider::start(&[&EC_1]).await;
    provider.down.store(true, Ordering::SeqCst);
    let interval = Duration::from_millis(200);
    // Start-up goes on without the keys.
    let auth = authenticator(Jwks::with_timing(url, refetch_every(interval)), None).await;
    let token = EC_1.token(&user(Uuid::new_v4()));
    assert_refused(&auth, &token, "no keys yet").await;

    provider.down.store(false, Ordering::SeqCst);
    tokio::time::sleep(interval).await;
    caller(&auth, &token).await;
}

#[tokio::test]
async fn a_key_withdrawn_from_the_set_stops_working_once_the_set_is_old() {
    let (provider, url) = Provider::start(&[&EC_1, &EC_2]).await;
    let timing = JwksTiming {
        refetch_interval: Duration::from_millis(100),
        max_age: Duration::from_millis(300),
    };
    let auth = authenticator(Jwks::with_timing(url, timing), None).await;
    let token = EC_2.token(&user(Uuid::new_v4()));
    caller(&auth, &token).await;

    // The provider revokes ec-2; until the cached set is old it still counts.
    provider
        .keys
        .lock()
        .expect("lock")
        .retain(|k| k["kid"] != "ec-2");
    caller(&auth, &token).await;
    assert_eq!(provider.requests(), 1);
    tokio::time::sleep(timing.max_age).await;
    assert_refused(&auth, &token, "revoked").await;
    caller(&auth, &EC_1.token(&user(Uuid::new_v4()))).await;
    assert_eq!(provider.requests(), 2, "one fetch when the set grew old");
}
