//! One service running for a test: a database and a broker namespace of the
//! test's own, the settings that point the service at them, and a server on
//! a free port, stopped when the test drops it.

use std::collections::HashMap;
use std::future::Future;
use std::time::Duration;

use axum::Router;
use hearth_bus::workers::Workers;
use sqlx::PgPool;
use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::{TestBroker, TestClient, TestDb, JWT_SECRET};

/// How long a failed event waits before its retry in tests.
pub const TEST_RETRY_DELAY: &str = "200ms";

/// The settings a service is built from, as its `from_env` reads them.
pub type Vars = HashMap<String, String>;

/// A service as its crate assembled it, for [`spawn`] to serve.
#[derive(Debug)]
pub struct Built {
    pub router: Router,
    pub db: PgPool,
    /// The relay, the consumer and the sweepers, run beside the server;
    /// `None` tests the HTTP API by itself, with events left in the outbox.
    pub workers: Option<Workers>,
}

/// A service running for a test; dropping it stops the server and the
/// workers, then removes the database and the broker namespace.
#[derive(Debug)]
pub struct TestService {
    /// Held so the server and the workers run; dropping it stops them.
    /// First, so that they stop before the database and the broker
    /// namespace go (fields drop in declaration order).
    _stop: watch::Sender<bool>,
    pub client: TestClient,
    /// The service's own pool (its schema on the search path).
    pub pool: PgPool,
    pub db: TestDb,
    pub broker: TestBroker,
}

/// Starts service `service` (`campaign`, …) for a test.
///
/// Its settings point it at a fresh database and broker namespace, with the
/// test JWT secret and a short retry delay; `settings` add to them or replace
/// them. `build` assembles (and migrates) the service from those settings.
/// When it comes with workers, they run, and `spawn` returns once the
/// consumer is consuming, so that an event published next reaches it.
pub async fn spawn<F, Fut>(
    service: &'static str,
    settings: &[(&str, &str)],
    build: F,
) -> TestService
where
    F: FnOnce(Vars) -> Fut,
    Fut: Future<Output = anyhow::Result<Built>>,
{
    let db = TestDb::create().await;
    let broker = TestBroker::new().await;
    let mut vars = Vars::from([
        (format!("{}_DATABASE_URL", service.to_uppercase()), db.url()),
        ("RABBITMQ_URL".to_owned(), broker.url.clone()),
        ("BUS_NAMESPACE".to_owned(), broker.namespace.clone()),
        ("EVENT_RETRY_DELAYS".to_owned(), TEST_RETRY_DELAY.to_owned()),
        ("JWT_SECRET".to_owned(), JWT_SECRET.to_owned()),
    ]);
    vars.extend(
        settings
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
    );
    let queue = format!("{}.{service}", broker.namespace);
    for suffix in ["", ".dead", &format!(".delay.{TEST_RETRY_DELAY}")] {
        broker.track(format!("{queue}{suffix}"));
    }
    let built = build(vars).await.expect("build the service for the test");
    let (stop, stopped) = watch::channel(false);
    let consumes = built.workers.as_ref().is_some_and(|w| w.consumer.is_some());
    if let Some(workers) = built.workers {
        workers.spawn(&stopped);
    }
    let client = serve(built.router, &stopped).await;
    if consumes {
        assert!(
            broker
                .wait_for_consumer(&queue, Duration::from_secs(5))
                .await,
            "the consumer is consuming"
        );
    }
    TestService {
        client,
        pool: built.db,
        db,
        broker,
        _stop: stop,
    }
}

/// Serves `router` on a free port until `stop` turns true.
async fn serve(router: Router, stop: &watch::Receiver<bool>) -> TestClient {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let mut stopped = stop.clone();
    tokio::spawn(hearth_core::http::serve(listener, router, async move {
        let _ = stopped.wait_for(|s| *s).await;
    }));
    TestClient::new(addr)
}
