use std::collections::HashMap;

use donation_service::{App, Donation, Settings, SERVICE};
use hearth_core::config::ServiceConfig;
use hearth_testkit::{user_token, TestClient, TestDb, TestResponse, JWT_SECRET};
use serde_json::{json, Value};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use uuid::Uuid;

pub struct TestApp {
    pub client: TestClient,
    pub db: TestDb,
    _stop: oneshot::Sender<()>,
}

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
            token: hearth_testkit::staff_token(id),
        }
    }
}

/// donation-service alone (no relay or consumer): what its HTTP API does by itself.
pub async fn spawn_app() -> TestApp {
    let db = TestDb::create().await;
    let env: HashMap<String, String> = HashMap::from([
        ("DONATION_DATABASE_URL".to_owned(), db.url()),
        ("RABBITMQ_URL".to_owned(), hearth_testkit::rabbitmq_url()),
        ("JWT_SECRET".to_owned(), JWT_SECRET.to_owned()),
    ]);
    let config = ServiceConfig::from_env(&env, SERVICE, None).expect("settings");
    let app = App::build_with::<Donation>(&config, Settings::from_env(&env).expect("settings"))
        .expect("build");
    app.migrate().await.expect("migrate");
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
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

pub fn money(campaign: Uuid) -> Value {
    json!({"kind": "money", "campaign_id": campaign, "amount_minor": 2500, "currency": "USD", "message": "Stay warm"})
}

pub fn items(request: Uuid) -> Value {
    json!({"kind": "item", "request_id": request, "quantity": 5, "item_description": "Wool blankets"})
}

impl TestApp {
    pub async fn give(&self, who: &Person, body: &Value) -> TestResponse {
        self.client
            .post("/donations")
            .token(&who.token)
            .json(body)
            .send()
            .await
    }

    /// Moves a donation as the saga would have (the campaign or request accepted it).
    pub async fn confirm(&self, id: &Value, recipient: &Person) {
        let mut conn = self.db.connect().await;
        sqlx::query("update donation.donations set status = 'confirmed', recipient_id = $2 where id = $1::uuid")
            .bind(id.as_str().expect("id"))
            .bind(recipient.id)
            .execute(&mut conn)
            .await
            .expect("confirm");
    }

    pub async fn act(
        &self,
        id: &Value,
        action: &str,
        who: &Person,
        body: Option<Value>,
    ) -> TestResponse {
        let request = self
            .client
            .post(&format!("/donations/{}/{action}", id.as_str().expect("id")))
            .token(&who.token);
        match body {
            Some(body) => request.json(&body).send().await,
            None => request.send().await,
        }
    }

    pub async fn events(&self) -> Vec<Value> {
        let mut conn = self.db.connect().await;
        sqlx::query_scalar("select envelope from donation.outbox order by seq")
            .fetch_all(&mut conn)
            .await
            .expect("outbox")
    }
}
