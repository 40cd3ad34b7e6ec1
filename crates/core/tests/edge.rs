//! The HTTP edge every service stands behind, served as in production
//! (`hearth_core::http::serve_with` over a real socket): slow and idle
//! connections are closed, the connection cap holds, unfit request ids are
//! replaced, readiness errors stay with staff, and writes are rate limited.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::num::NonZeroUsize;
use std::time::{Duration, Instant};

use axum::routing::post;
use axum::{Json, Router};
use hearth_core::auth::{Authenticator, Caller};
use hearth_core::config::{DatabaseConfig, HttpConfig};
use hearth_core::health::Readiness;
use hearth_core::http::{serve_with, service_router, ConnectionLimits, ServiceHttp};
use hearth_core::metrics::Metrics;
use hearth_core::request_context::RequestContext;
use hearth_testkit::{service_token, staff_token, user_token, TestClient, JWT_SECRET};
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use uuid::Uuid;

/// No wait in these tests is longer.
const PATIENCE: Duration = Duration::from_secs(10);

/// A service with one write (`POST /things`, answering the request id its
/// events would carry) and one slow read, behind the platform's stack.
fn app(settings: &[(&str, &str)], readiness: Readiness) -> Router {
    let env: HashMap<String, String> = settings
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    let config = HttpConfig::from_env(&env).expect("valid settings");
    let api = Router::new().route("/things", post(create_thing)).route(
        "/slow",
        axum::routing::get(|| async {
            tokio::time::sleep(Duration::from_millis(500)).await;
            "done"
        }),
    );
    service_router(ServiceHttp {
        api,
        openapi: utoipa::openapi::OpenApiBuilder::new().build(),
        auth: Authenticator::new(JWT_SECRET),
        readiness,
        metrics: Metrics::new("edge_test"),
        config,
        idempotency: None,
        moderation: None,
    })
}

/// What a handler hands to `UnitOfWork::emit`: the event's context.
async fn create_thing(caller: Option<Caller>, context: RequestContext) -> Json<Value> {
    Json(json!({
        "correlationid": context.event_context().correlation_id,
        "by": caller.map(|c| c.id),
    }))
}

/// A running server and the way to stop it.
struct Running {
    addr: SocketAddr,
    stop: watch::Sender<bool>,
    served: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Running {
    async fn start(router: Router, limits: ConnectionLimits) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let (stop, mut stopped) = watch::channel(false);
        let served = tokio::spawn(serve_with(
            listener,
            router,
            async move {
                let _ = stopped.wait_for(|s| *s).await;
            },
            limits,
        ));
        Self { addr, stop, served }
    }

    fn client(&self) -> TestClient {
        TestClient::new(self.addr)
    }
}

fn limits(header_timeout: Duration, max_connections: usize) -> ConnectionLimits {
    ConnectionLimits {
        header_timeout,
        max_connections: NonZeroUsize::new(max_connections).expect("not zero"),
    }
}

/// Whether the server has closed `stream`: a read ends (EOF or reset)
/// instead of waiting.
async fn is_closed(stream: &mut TcpStream, within: Duration) -> bool {
    let mut buf = [0u8; 1024];
    loop {
        match tokio::time::timeout(within, stream.read(&mut buf)).await {
            Err(_) => return false,
            Ok(Ok(0)) | Ok(Err(_)) => return true,
            // hyper may answer 408 before closing; keep reading to the end.
            Ok(Ok(_)) => continue,
        }
    }
}

/// How many slow connections the test opens; `EDGE_SLOW_CONNECTIONS` to change.
fn slow_connections() -> usize {
    std::env::var("EDGE_SLOW_CONNECTIONS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(300)
}

#[tokio::test]
async fn connections_that_never_finish_their_headers_are_closed() {
    let running = Running::start(
        app(&[], Readiness::new()),
        limits(Duration::from_secs(1), 1024),
    )
    .await;
    let mut slow = Vec::new();
    for _ in 0..slow_connections() {
        let mut stream = TcpStream::connect(running.addr).await.expect("connect");
        stream
            .write_all(b"GET /health/live HTTP/1.1\r\nHost: edge\r\nX-Slow: ")
            .await
            .expect("half a request");
        slow.push(stream);
    }
    // Meanwhile a whole request is answered.
    running
        .client()
        .get("/health/live")
        .send()
        .await
        .expect(200);

    let started = Instant::now();
    for stream in &mut slow {
        assert!(
            is_closed(stream, PATIENCE).await,
            "a connection without its headers is closed"
        );
    }
    let took = started.elapsed();
    assert!(took < Duration::from_secs(5), "closed after {took:?}");
    running
        .client()
        .get("/health/live")
        .send()
        .await
        .expect(200);
}

#[tokio::test]
async fn an_idle_keep_alive_connection_is_closed_after_the_header_timeout() {
    let running = Running::start(
        app(&[], Readiness::new()),
        limits(Duration::from_secs(1), 1024),
    )
    .await;
    let mut stream = TcpStream::connect(running.addr).await.expect("connect");
    stream
        .write_all(b"GET /health/live HTTP/1.1\r\nHost: edge\r\n\r\n")
        .await
        .expect("a request");
    let mut buf = [0u8; 1024];
    let n = tokio::time::timeout(PATIENCE, stream.read(&mut buf))
        .await
        .expect("an answer in time")
        .expect("read");
    assert!(buf[..n].starts_with(b"HTTP/1.1 200"), "answered");
    // Kept alive, then idle: closed once the next request's headers are late.
    assert!(!is_closed(&mut stream, Duration::from_millis(300)).await);
    assert!(is_closed(&mut stream, Duration::from_secs(3)).await);
}

#[tokio::test]
async fn no_more_than_the_cap_are_served_at_once() {
    let running = Running::start(
        app(&[], Readiness::new()),
        limits(Duration::from_secs(30), 2),
    )
    .await;
    // Two connections that send nothing hold both slots.
    let first = TcpStream::connect(running.addr).await.expect("connect");
    let _second = TcpStream::connect(running.addr).await.expect("connect");
    tokio::time::sleep(Duration::from_millis(200)).await;

    // A third waits in the backlog: its request is not answered...
    let mut third = TcpStream::connect(running.addr).await.expect("connect");
    third
        .write_all(b"GET /health/live HTTP/1.1\r\nHost: edge\r\n\r\n")
        .await
        .expect("a request");
    let mut buf = [0u8; 1024];
    assert!(
        tokio::time::timeout(Duration::from_millis(700), third.read(&mut buf))
            .await
            .is_err(),
        "not served while two connections hold the slots"
    );
    // ...until a slot frees.
    drop(first);
    let n = tokio::time::timeout(PATIENCE, third.read(&mut buf))
        .await
        .expect("served once a slot is free")
        .expect("read");
    assert!(buf[..n].starts_with(b"HTTP/1.1 200"), "answered");
}

#[tokio::test]
async fn a_request_in_flight_finishes_when_the_server_stops() {
    let running = Running::start(app(&[], Readiness::new()), ConnectionLimits::default()).await;
    let client = running.client();
    let slow = tokio::spawn(async move { client.get("/slow").send().await });
    tokio::time::sleep(Duration::from_millis(100)).await;
    running.stop.send_replace(true);
    let answer = slow.await.expect("joined");
    assert_eq!(answer.status, 200, "{}", answer.text);
    tokio::time::timeout(PATIENCE, running.served)
        .await
        .expect("stops once the request finished")
        .expect("joined")
        .expect("served");
}

/// `x-request-id` values that must not be carried.
fn unfit_ids() -> Vec<(&'static str, reqwest::header::HeaderValue)> {
    let long = "a".repeat(300 * 1024);
    vec![
        (
            "300 KB",
            reqwest::header::HeaderValue::from_str(&long).expect("ascii"),
        ),
        ("129 characters", {
            reqwest::header::HeaderValue::from_str(&"b".repeat(129)).expect("ascii")
        }),
        (
            "non-ASCII",
            reqwest::header::HeaderValue::from_bytes("zürich-1".as_bytes()).expect("obs-text"),
        ),
        (
            "with a space",
            reqwest::header::HeaderValue::from_static("two words"),
        ),
    ]
}

#[tokio::test]
async fn an_unfit_request_id_is_replaced_everywhere() {
    let running = Running::start(app(&[], Readiness::new()), ConnectionLimits::default()).await;
    let http = reqwest::Client::new();
    let url = format!("http://{}/things", running.addr);
    for (what, id) in unfit_ids() {
        let answer = tokio::time::timeout(
            PATIENCE,
            http.post(&url).header("x-request-id", id.clone()).send(),
        )
        .await
        .expect("answered in time")
        .expect("sent");
        assert_eq!(answer.status(), 200, "{what}");
        let fresh = answer.headers()["x-request-id"]
            .to_str()
            .expect("ascii")
            .to_owned();
        assert_ne!(fresh.as_bytes(), id.as_bytes(), "{what}");
        assert!(
            Uuid::parse_str(&fresh).is_ok(),
            "{what}: a fresh id {fresh}"
        );
        let body: Value = answer.json().await.expect("json");
        assert_eq!(body["correlationid"], fresh, "{what}: events carry it");
    }

    // A fit one is kept, in the answer and in the events.
    let answer = running
        .client()
        .post("/things")
        .header("x-request-id", "client-chosen_id.42")
        .send()
        .await;
    assert_eq!(answer.header("x-request-id"), Some("client-chosen_id.42"));
    assert_eq!(answer.expect(200)["correlationid"], "client-chosen_id.42");
}

/// A readiness whose database cannot be reached, with a password in its URL.
fn database_down() -> Readiness {
    let config = DatabaseConfig {
        url: "postgres://hearth:hunter2@127.0.0.1:1/nowhere".to_owned(),
        max_connections: 1,
        acquire_timeout: Duration::from_millis(500),
    };
    let pool = hearth_core::db::pool(&config, "public").expect("lazy pool");
    Readiness::new().with_database(pool)
}

#[tokio::test]
async fn readiness_shows_states_to_anyone_and_errors_only_to_staff() {
    let running = Running::start(app(&[], database_down()), ConnectionLimits::default()).await;
    let client = running.client();
    for token in [None, Some(user_token(Uuid::new_v4()))] {
        let answer = client
            .get("/health/ready")
            .maybe_token(token.as_deref())
            .send()
            .await;
        assert_eq!(answer.status, 503);
        assert_eq!(
            answer.json(),
            json!({"status": "not_ready", "checks": {"database": {"status": "down"}}}),
            "no error text"
        );
    }
    for token in [staff_token(Uuid::new_v4()), service_token()] {
        let answer = client.get("/health/ready").token(&token).send().await;
        assert_eq!(answer.status, 503);
        let body = answer.json();
        assert_eq!(body["checks"]["database"]["status"], "down");
        let error = body["checks"]["database"]["error"]
            .as_str()
            .expect("staff see the error");
        assert!(!error.is_empty() && !error.contains("hunter2"), "{error}");
    }
}

#[tokio::test]
async fn writes_beyond_a_persons_limit_answer_429_with_retry_after() {
    let running = Running::start(
        app(
            &[("RATE_LIMIT_WRITES", "2/min"), ("RATE_LIMIT_BURST", "2")],
            Readiness::new(),
        ),
        ConnectionLimits::default(),
    )
    .await;
    let client = running.client();
    let hasty = user_token(Uuid::new_v4());
    for _ in 0..2 {
        client
            .post("/things")
            .token(&hasty)
            .send()
            .await
            .expect(200);
    }
    let refused = client.post("/things").token(&hasty).send().await;
    let problem = refused.assert_problem(429, "rate_limited");
    assert_eq!(problem["type"], "/problems/rate_limited");
    let retry_after: u64 = refused
        .header("retry-after")
        .expect("Retry-After")
        .parse()
        .expect("seconds");
    assert!((1..=30).contains(&retry_after), "{retry_after}");

    // Reads stay open to them; other people, staff writes counted apart,
    // service tokens and anonymous callers are not affected.
    client
        .get("/health/live")
        .token(&hasty)
        .send()
        .await
        .expect(200);
    let other = user_token(Uuid::new_v4());
    client
        .post("/things")
        .token(&other)
        .send()
        .await
        .expect(200);
    for _ in 0..5 {
        client
            .post("/things")
            .token(&service_token())
            .send()
            .await
            .expect(200);
        client.post("/things").send().await.expect(200);
    }
}

#[tokio::test]
async fn without_a_limit_writes_are_not_counted() {
    let running = Running::start(
        app(&[("RATE_LIMIT_WRITES", "off")], Readiness::new()),
        ConnectionLimits::default(),
    )
    .await;
    let token = user_token(Uuid::new_v4());
    for _ in 0..20 {
        running
            .client()
            .post("/things")
            .token(&token)
            .send()
            .await
            .expect(200);
    }
}
