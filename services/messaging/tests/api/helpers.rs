use std::ops::Deref;
use std::time::Duration;

use hearth_core::config::ServiceConfig;
use hearth_events::campaign::CampaignCreated;
use hearth_events::{Envelope, EventContext};
use hearth_testkit::{Built, Person, TestService};
use messaging_service::{App, Messaging, SERVICE};
use uuid::Uuid;

/// messaging-service with its relay and consumer running on a database and a
/// broker namespace of its own.
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

    /// The same, with extra settings (`DONATION_SERVICE_URL`, …).
    pub async fn spawn_with(settings: &[(&str, &str)]) -> Self {
        Self(
            hearth_testkit::spawn("messaging", settings, |vars| async move {
                let config = ServiceConfig::from_env(&vars, SERVICE, None)?;
                let app = App::build::<Messaging>(&config, &vars)?;
                app.migrate().await?;
                Ok(Built {
                    router: app.router,
                    db: app.db,
                    workers: Some(app.workers),
                })
            })
            .await,
        )
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
