use std::ops::Deref;

use campaign_service::{App, Campaign, SERVICE};
use hearth_core::config::ServiceConfig;
use hearth_testkit::{with_overrides, Built, Collection, Person, TestResponse, TestService};
use serde_json::{json, Value};

/// A running campaign-service on a random port, with a database of its
/// own; its relay does not run, so its events stay in the outbox.
pub struct TestApp(TestService);

impl Deref for TestApp {
    type Target = TestService;

    fn deref(&self) -> &TestService {
        &self.0
    }
}

impl TestApp {
    pub async fn spawn() -> Self {
        Self::spawn_with(&[]).await
    }

    /// Starts the service with extra settings (`CORS_ALLOWED_ORIGINS`, …).
    pub async fn spawn_with(settings: &[(&str, &str)]) -> Self {
        // A pool that cannot connect gives up after 2 s, not 5: no test waits long on it.
        let settings = [&[("DATABASE_ACQUIRE_TIMEOUT", "2s")], settings].concat();
        // Nothing to migrate where a test pointed the service at its own database.
        let migrate = !settings.iter().any(|(k, _)| *k == "CAMPAIGN_DATABASE_URL");
        Self(
            hearth_testkit::spawn("campaign", &settings, |vars| async move {
                let app =
                    App::build::<Campaign>(&ServiceConfig::from_env(&vars, SERVICE, None)?, &vars)?;
                if migrate {
                    app.migrate().await?;
                }
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

/// A valid creation body; tests override what they care about.
fn defaults() -> Value {
    json!({
        "title": "Blankets for the shelter",
        "description": "Winter is coming to the night shelter on Elm Street.",
        "category": "community",
        "goal_minor": 50_000,
        "currency": "USD",
    })
}

/// A valid creation body with `overrides` over it.
pub fn campaign_body(overrides: Value) -> Value {
    with_overrides(defaults(), &overrides)
}

impl TestApp {
    /// The service's campaigns, as a client calls them.
    pub fn campaigns(&self) -> Collection<'_> {
        Collection {
            client: &self.client,
            path: "/campaigns",
            defaults,
        }
    }

    pub async fn create(&self, who: &Person, overrides: Value) -> TestResponse {
        self.campaigns().create(who, overrides).await
    }

    /// Creates a campaign and returns it.
    pub async fn campaign(&self, who: &Person, overrides: Value) -> Value {
        self.campaigns().created(who, overrides).await
    }

    pub async fn get(&self, id: &Value, who: Option<&Person>) -> TestResponse {
        self.campaigns().get(id, who).await
    }

    pub async fn patch(&self, id: &Value, who: &Person, body: Value) -> TestResponse {
        self.campaigns().patch(id, who, body).await
    }

    pub async fn set_status(&self, id: &Value, who: &Person, status: &str) -> TestResponse {
        self.campaigns().move_to(id, who, "status", status).await
    }

    pub async fn list(&self, query: &str, who: Option<&Person>) -> Value {
        self.campaigns().list(query, who).await
    }

    /// The ids of a list's items.
    pub async fn list_ids(&self, query: &str, who: Option<&Person>) -> Vec<String> {
        self.campaigns().list_ids(query, who).await
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
