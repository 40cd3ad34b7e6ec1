use std::ops::Deref;

use donation_service::{App, Donation, SERVICE};
use hearth_core::config::ServiceConfig;
use hearth_testkit::{Built, Person, TestResponse, TestService};
use serde_json::{json, Value};
use uuid::Uuid;

/// donation-service alone (no relay or consumer): what its HTTP API does by
/// itself, its events left in the outbox.
pub struct TestApp(TestService);

impl Deref for TestApp {
    type Target = TestService;

    fn deref(&self) -> &TestService {
        &self.0
    }
}

impl TestApp {
    pub async fn spawn() -> Self {
        Self(
            hearth_testkit::spawn("donation", &[], |vars| async move {
                let config = ServiceConfig::from_env(&vars, SERVICE, None)?;
                let app = App::build::<Donation>(&config, &vars)?;
                app.migrate().await?;
                Ok(Built {
                    router: app.router,
                    db: app.db,
                    workers: None,
                })
            })
            .await,
        )
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
