use std::collections::HashMap;

use campaign_service::{App, Campaign, SERVICE};
use hearth_core::config::ServiceConfig;
use hearth_testkit::{staff_token, user_token, TestClient, TestDb, TestResponse, JWT_SECRET};
use serde_json::{json, Value};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use uuid::Uuid;

/// A running campaign-service on a random port, with a database of its own.
pub struct TestApp {
    pub client: TestClient,
    pub db: TestDb,
    _stop: oneshot::Sender<()>,
}

/// Someone calling the API.
#[derive(Debug, Clone)]
pub struct Person {
    pub id: Uuid,
    pub token: String,
}

impl Person {
    pub fn user() -> Self {
        let id = Uuid::new_v4();
        Self {
            id,
            token: user_token(id),
        }
    }

    pub fn staff() -> Self {
        let id = Uuid::new_v4();
        Self {
            id,
            token: staff_token(id),
        }
    }
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(&[]).await
}

/// Starts the service with extra settings (`CORS_ALLOWED_ORIGINS`, …).
pub async fn spawn_app_with(settings: &[(&str, &str)]) -> TestApp {
    let db = TestDb::create().await;
    let mut env: HashMap<String, String> = HashMap::from([
        ("CAMPAIGN_DATABASE_URL".to_owned(), db.url()),
        ("RABBITMQ_URL".to_owned(), hearth_testkit::rabbitmq_url()),
        ("JWT_SECRET".to_owned(), JWT_SECRET.to_owned()),
        ("DATABASE_ACQUIRE_TIMEOUT".to_owned(), "2s".to_owned()),
    ]);
    env.extend(
        settings
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
    );
    let config = ServiceConfig::from_env(&env, SERVICE, None).expect("valid test settings");
    let app = App::build_with::<Campaign>(&config, ()).expect("build the service");
    if !settings.iter().any(|(k, _)| *k == "CAMPAIGN_DATABASE_URL") {
        app.migrate().await.expect("migrate the test database");
    }
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind a port");
    let addr = listener.local_addr().expect("local address");
    let (stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(hearth_core::http::serve(listener, app.router, async move {
        let _ = stopped.await;
    }));
    TestApp {
        client: TestClient::new(addr),
        db,
        _stop: stop,
    }
}

/// A valid creation body; tests override what they care about.
pub fn campaign_body(overrides: Value) -> Value {
    let mut body = json!({
        "title": "Blankets for the shelter",
        "description": "Winter is coming to the night shelter on Elm Street.",
        "category": "community",
        "goal_minor": 50_000,
        "currency": "USD",
    });
    if let (Some(body), Some(overrides)) = (body.as_object_mut(), overrides.as_object()) {
        for (k, v) in overrides {
            body.insert(k.clone(), v.clone());
        }
    }
    body
}

impl TestApp {
    pub async fn create(&self, who: &Person, overrides: Value) -> TestResponse {
        self.client
            .post("/campaigns")
            .token(&who.token)
            .json(&campaign_body(overrides))
            .send()
            .await
    }

    /// Creates a campaign and returns it.
    pub async fn campaign(&self, who: &Person, overrides: Value) -> Value {
        self.create(who, overrides).await.expect(201)
    }

    pub async fn get(&self, id: &Value, who: Option<&Person>) -> TestResponse {
        self.client
            .get(&format!("/campaigns/{}", id.as_str().expect("id")))
            .maybe_token(who.map(|p| p.token.as_str()))
            .send()
            .await
    }

    pub async fn patch(&self, id: &Value, who: &Person, body: Value) -> TestResponse {
        self.client
            .patch(&format!("/campaigns/{}", id.as_str().expect("id")))
            .token(&who.token)
            .json(&body)
            .send()
            .await
    }

    pub async fn set_status(&self, id: &Value, who: &Person, status: &str) -> TestResponse {
        self.client
            .post(&format!("/campaigns/{}/status", id.as_str().expect("id")))
            .token(&who.token)
            .json(&json!({"status": status}))
            .send()
            .await
    }

    pub async fn list(&self, query: &str, who: Option<&Person>) -> Value {
        self.client
            .get(&format!("/campaigns?{query}"))
            .maybe_token(who.map(|p| p.token.as_str()))
            .send()
            .await
            .expect(200)
    }

    /// The ids of a list's items.
    pub async fn list_ids(&self, query: &str, who: Option<&Person>) -> Vec<String> {
        ids(&self.list(query, who).await)
    }

    /// Every event in the outbox, oldest first, as the CloudEvents that will be published.
    pub async fn outbox(&self) -> Vec<Value> {
        let mut conn = self.db.connect().await;
        sqlx::query_scalar("select envelope from campaign.outbox order by seq")
            .fetch_all(&mut conn)
            .await
            .expect("read the outbox")
    }
}

pub fn ids(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|c| c["id"].as_str().expect("id").to_owned())
        .collect()
}
