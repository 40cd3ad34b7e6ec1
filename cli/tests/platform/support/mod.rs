//! Starting the platform for a test, on databases and a broker namespace of its own.

use std::collections::HashMap;
use std::time::Duration;

use hearth::platform::Platform;
use hearth::services::Service;
use hearth_testkit::{Person, TestBroker, TestClient, TestDb, JWT_SECRET};
use serde_json::{json, Value};

pub struct Running {
    pub campaign: TestClient,
    pub donation: TestClient,
    pub request: TestClient,
    pub messaging: TestClient,
    pub profile: TestClient,
    pub broker: TestBroker,
    pub platform: Option<Platform>,
    pub main_db: TestDb,
    pub campaign_db: TestDb,
}

/// Databases and a broker namespace, ready for the platform to start on.
pub struct Prepared {
    pub main_db: TestDb,
    pub campaign_db: TestDb,
    pub broker: TestBroker,
    env: HashMap<String, String>,
}

pub async fn prepare() -> Prepared {
    let main_db = TestDb::create().await;
    let campaign_db = TestDb::create().await;
    let broker = TestBroker::new().await;
    let env = HashMap::from([
        ("CAMPAIGN_DATABASE_URL".to_owned(), campaign_db.url()),
        ("MAIN_DATABASE_URL".to_owned(), main_db.url()),
        ("CAMPAIGN_PORT".to_owned(), "0".to_owned()),
        ("MESSAGING_PORT".to_owned(), "0".to_owned()),
        ("DONATION_PORT".to_owned(), "0".to_owned()),
        ("REQUEST_PORT".to_owned(), "0".to_owned()),
        ("PROFILE_PORT".to_owned(), "0".to_owned()),
        ("RABBITMQ_URL".to_owned(), broker.url.clone()),
        ("BUS_NAMESPACE".to_owned(), broker.namespace.clone()),
        ("EVENT_RETRY_DELAYS".to_owned(), "1s".to_owned()),
    ]);
    for service in ["campaign", "donation", "request", "messaging", "profile"] {
        for queue in ["", ".dead", ".delay.1s"] {
            broker.track(format!("{}.{service}{queue}", broker.namespace));
        }
    }
    Prepared {
        main_db,
        campaign_db,
        broker,
        env,
    }
}

impl Prepared {
    /// Sets one more variable for the services.
    pub fn set(&mut self, var: &str, value: &str) {
        self.env.insert(var.to_owned(), value.to_owned());
    }

    /// Starts some of the services on these databases and namespace; the
    /// platform and a client per service started.
    pub async fn launch(
        &self,
        services: &[Service],
    ) -> (Platform, HashMap<&'static str, TestClient>) {
        let platform = Platform::start(services, &self.env, Some(JWT_SECRET))
            .await
            .expect("start");
        let clients = platform
            .listening
            .iter()
            .map(|l| (l.service.spec().name, TestClient::new(l.addr)))
            .collect();
        (platform, clients)
    }

    pub async fn start(self) -> Running {
        let platform = Platform::start(Service::ALL, &self.env, Some(JWT_SECRET))
            .await
            .expect("start");
        let addr = |service: Service| {
            platform
                .listening
                .iter()
                .find(|l| l.service == service)
                .expect("listening")
                .addr
        };
        Running {
            campaign: TestClient::new(addr(Service::Campaign)),
            donation: TestClient::new(addr(Service::Donation)),
            request: TestClient::new(addr(Service::Request)),
            messaging: TestClient::new(addr(Service::Messaging)),
            profile: TestClient::new(addr(Service::Profile)),
            platform: Some(platform),
            broker: self.broker,
            main_db: self.main_db,
            campaign_db: self.campaign_db,
        }
    }
}

pub async fn start() -> Running {
    prepare().await.start().await
}

impl Running {
    pub fn exchange(&self) -> String {
        format!("{}.events", self.broker.namespace)
    }

    /// donation-service's one `donation.created` so far, as its outbox holds it.
    pub async fn donation_created(&self) -> Value {
        let mut conn = self.main_db.connect().await;
        sqlx::query_scalar(
            "select envelope from donation.outbox where event_type = 'donation.created'",
        )
        .fetch_one(&mut conn)
        .await
        .expect("the event")
    }

    /// Publishes `envelope` `times` times more, as a broker redelivering it.
    pub async fn publish_again(&self, envelope: &Value, times: usize) {
        let channel = self.broker.channel().await;
        let routing_key = envelope["type"].as_str().expect("an event type");
        for _ in 0..times {
            channel
                .basic_publish(
                    &self.exchange(),
                    routing_key,
                    Default::default(),
                    &serde_json::to_vec(envelope).expect("json"),
                    lapin::BasicProperties::default(),
                )
                .await
                .expect("publish")
                .await
                .expect("confirm");
        }
    }

    pub async fn shutdown(&mut self) {
        let platform = self.platform.take().expect("running");
        tokio::time::timeout(Duration::from_secs(15), platform.shutdown())
            .await
            .expect("stops within 15 s")
            .expect("stops cleanly");
    }
}

/// Asks until `done` is satisfied, for at most `timeout`.
pub async fn poll<F: Fn(&serde_json::Value) -> bool>(
    client: &TestClient,
    path: &str,
    token: &str,
    timeout: Duration,
    done: F,
) -> serde_json::Value {
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        let body = client.get(path).token(token).send().await.expect(200);
        if done(&body) || tokio::time::Instant::now() >= deadline {
            return body;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// `donor`'s pledge of `quantity` wool blankets to `request`.
pub async fn pledge(client: &TestClient, donor: &Person, request: &Value, quantity: i32) -> Value {
    client
        .post("/donations")
        .token(&donor.token)
        .json(
            &json!({"kind": "item", "request_id": request["id"], "quantity": quantity,
                      "item_description": "wool blankets"}),
        )
        .send()
        .await
        .expect(201)
}

/// The donation as `who` sees it once it has left `pending` (or after 10 s).
pub async fn settled(client: &TestClient, who: &Person, donation: &Value) -> Value {
    let path = format!("/donations/{}", donation["id"].as_str().expect("id"));
    poll(client, &path, &who.token, Duration::from_secs(10), |d| {
        d["status"] != "pending"
    })
    .await
}
