//! What a service's integration tests stand on when its relay and consumer
//! run: a database and a broker namespace of the test's own, the settings
//! that point the service at them, and a server on a free port.

use std::collections::HashMap;
use std::time::Duration;

use axum::Router;
use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::{TestBroker, TestClient, TestDb, JWT_SECRET};

/// How long a failed event waits before its retry in tests.
pub const TEST_RETRY_DELAY: &str = "200ms";

pub struct ServiceEnv {
    pub service: &'static str,
    pub db: TestDb,
    pub broker: TestBroker,
    /// The settings to build the service from.
    pub vars: HashMap<String, String>,
}

impl ServiceEnv {
    /// For service `service` (`request`, …): its database, the broker, a
    /// short retry delay, the test JWT secret; its queues cleaned up afterwards.
    pub async fn new(service: &'static str) -> Self {
        let db = TestDb::create().await;
        let broker = TestBroker::new().await;
        let vars = HashMap::from([
            (format!("{}_DATABASE_URL", service.to_uppercase()), db.url()),
            ("RABBITMQ_URL".to_owned(), broker.url.clone()),
            ("BUS_NAMESPACE".to_owned(), broker.namespace.clone()),
            ("EVENT_RETRY_DELAYS".to_owned(), TEST_RETRY_DELAY.to_owned()),
            ("JWT_SECRET".to_owned(), JWT_SECRET.to_owned()),
        ]);
        for queue in ["", ".dead", &format!(".delay.{TEST_RETRY_DELAY}")] {
            broker.track(format!("{}.{service}{queue}", broker.namespace));
        }
        Self {
            service,
            db,
            broker,
            vars,
        }
    }

    /// Adds or replaces settings.
    pub fn with(mut self, settings: &[(&str, &str)]) -> Self {
        self.vars.extend(
            settings
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
        );
        self
    }

    /// Serves `router` on a free port until `stop` turns true, and waits
    /// until the service's consumer is consuming, so that an event published
    /// next reaches it.
    pub async fn serve(&self, router: Router, stop: &watch::Receiver<bool>) -> TestClient {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let mut stopped = stop.clone();
        tokio::spawn(hearth_core::http::serve(listener, router, async move {
            let _ = stopped.wait_for(|s| *s).await;
        }));
        let queue = format!("{}.{}", self.broker.namespace, self.service);
        assert!(
            self.broker
                .wait_for_consumer(&queue, Duration::from_secs(5))
                .await,
            "the consumer is consuming"
        );
        TestClient::new(addr)
    }
}
