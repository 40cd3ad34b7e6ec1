use std::time::Duration;

use hearth_core::config::ServiceConfig;
use hearth_events::campaign::CampaignCreated;
use hearth_events::{Envelope, EventContext};
use hearth_testkit::{user_token, ServiceEnv, TestBroker, TestClient, TestDb};
use messaging_service::{App, Messaging, Settings, SERVICE};
use tokio::sync::watch;
use uuid::Uuid;

pub struct TestApp {
    pub client: TestClient,
    pub db: TestDb,
    pub broker: TestBroker,
    /// Held so the workers run; dropping it stops them.
    _stop: watch::Sender<bool>,
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

/// messaging-service with its consumer running on a namespace of the test's own.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(&[]).await
}

/// The same, with extra settings (`DONATION_SERVICE_URL`, …).
pub async fn spawn_app_with(settings: &[(&str, &str)]) -> TestApp {
    let env = ServiceEnv::new("messaging").await.with(settings);
    let config = ServiceConfig::from_env(&env.vars, SERVICE, None).expect("valid settings");
    let settings = Settings::from_env(&env.vars).expect("valid settings");
    let app = App::build_with::<Messaging>(&config, settings).expect("build");
    app.migrate().await.expect("migrate");
    let (stop, stopped) = watch::channel(false);
    app.workers.spawn(&stopped);
    let client = env.serve(app.router, &stopped).await;
    TestApp {
        client,
        db: env.db,
        broker: env.broker,
        _stop: stop,
    }
}

impl TestApp {
    /// `recipient`'s notifications once `count` have arrived (or after 5 s).
    pub async fn notifications_of(&self, recipient: &Person, count: usize) -> serde_json::Value {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
        loop {
            let page = self
                .client
                .get("/notifications?limit=100")
                .token(&recipient.token)
                .send()
                .await
                .expect(200);
            let n = page["items"].as_array().map_or(0, Vec::len);
            if n >= count || tokio::time::Instant::now() >= deadline {
                return page;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

/// A `campaign.created` for `recipient`'s new campaign.
pub fn campaign_created(recipient: &Person, title: &str) -> Envelope<CampaignCreated> {
    Envelope::new(
        "campaign",
        CampaignCreated {
            campaign_id: Uuid::now_v7(),
            recipient_id: recipient.id,
            creator_id: recipient.id,
            title: title.to_owned(),
            goal_minor: 50_000,
            currency: "USD".into(),
            status: "active".into(),
            ends_at: None,
            image_url: None,
        },
        &EventContext::default(),
    )
}
