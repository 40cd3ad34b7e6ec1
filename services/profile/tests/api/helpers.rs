use std::ops::Deref;

use hearth_core::config::ServiceConfig;
use hearth_events::donation::{
    DonationCompleted, DonationConfirmed, DonationKind, DonationRefunded,
};
use hearth_events::{Envelope, EventContext};
use hearth_testkit::{Built, Person, TestResponse, TestService};
use profile_service::{App, Profile, SERVICE};
use serde_json::{json, Value};
use uuid::Uuid;

/// A running profile-service on a random port, with a database and a broker
/// namespace of its own, its relay and consumer running.
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
            hearth_testkit::spawn("profile", &[], |vars| async move {
                let app =
                    App::build::<Profile>(&ServiceConfig::from_env(&vars, SERVICE, None)?, &vars)?;
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
    pub async fn put_profile(&self, who: &Person, body: Value) -> TestResponse {
        self.client
            .put("/profiles/me")
            .token(&who.token)
            .json(&body)
            .send()
            .await
    }

    /// Gives `who` a profile named `name`.
    pub async fn profile(&self, who: &Person, name: &str) -> Value {
        self.put_profile(who, json!({"display_name": name}))
            .await
            .expect(201)
    }

    pub async fn get_profile(&self, id: Uuid) -> TestResponse {
        self.client.get(&format!("/profiles/{id}")).send().await
    }

    pub async fn rate(&self, who: &Person, donation_id: Uuid, score: i64) -> TestResponse {
        self.client
            .post("/ratings")
            .token(&who.token)
            .json(&json!({"donation_id": donation_id, "score": score}))
            .send()
            .await
    }

    pub async fn report(&self, who: &Person, target_type: &str, target_id: Uuid) -> TestResponse {
        self.client
            .post("/reports")
            .token(&who.token)
            .json(&json!({"target_type": target_type, "target_id": target_id, "reason": "fraud"}))
            .send()
            .await
    }

    pub async fn resolve(&self, report: &Value, who: &Person, body: Value) -> TestResponse {
        self.client
            .post(&format!(
                "/reports/{}/resolve",
                report["id"].as_str().expect("id")
            ))
            .token(&who.token)
            .json(&body)
            .send()
            .await
    }

    /// Staff's suspend or reinstate (`verb`), with no body.
    pub async fn standing(&self, verb: &str, target: Uuid, who: Option<&Person>) -> TestResponse {
        self.client
            .post(&format!("/profiles/{target}/{verb}"))
            .maybe_token(who.map(|p| p.token.as_str()))
            .send()
            .await
    }

    /// Every event in the outbox of one type, oldest first.
    pub async fn events(&self, event_type: &str) -> Vec<Value> {
        let mut conn = self.db.connect().await;
        sqlx::query_scalar("select envelope from profile.outbox where event_type = $1 order by seq")
            .bind(event_type)
            .fetch_all(&mut conn)
            .await
            .expect("read the outbox")
    }

    /// Waits until the consumer has handled `count` events (or 5 s pass).
    pub async fn wait_for_handled(&self, count: i64) {
        self.db
            .wait_for_count("select count(*) from profile.inbox", count)
            .await;
    }

    /// A donation between `donor` and `recipient` that went through, as
    /// profile-service hears of it; returns its id once handled.
    pub async fn exchange(&self, kind: DonationKind, donor: &Person, recipient: &Person) -> Uuid {
        self.exchange_as(kind, donor, recipient, false).await
    }

    /// Like [`TestApp::exchange`], a donation whose donor asked (or not) to stay anonymous.
    pub async fn exchange_as(
        &self,
        kind: DonationKind,
        donor: &Person,
        recipient: &Person,
        anonymous: bool,
    ) -> Uuid {
        let donation_id = Uuid::now_v7();
        match kind {
            DonationKind::Money => {
                let mut event = confirmed(donation_id, kind, donor, recipient);
                event.data.anonymous = anonymous;
                self.handle(&event).await
            }
            DonationKind::Item => {
                let mut event = completed(donation_id, donor, recipient);
                event.data.anonymous = Some(anonymous);
                self.handle(&event).await
            }
        }
        donation_id
    }

    /// Publishes `event` and waits until the consumer has handled it.
    pub async fn handle<T: serde::Serialize>(&self, event: &Envelope<T>) {
        let handled = self.db.scalar("select count(*) from profile.inbox").await;
        self.broker.publish(event).await;
        self.wait_for_handled(handled + 1).await;
    }
}

pub fn confirmed(
    donation_id: Uuid,
    kind: DonationKind,
    donor: &Person,
    recipient: &Person,
) -> Envelope<DonationConfirmed> {
    let money = kind == DonationKind::Money;
    Envelope::new(
        "donation",
        DonationConfirmed {
            donation_id,
            kind,
            donor_id: donor.id,
            recipient_id: recipient.id,
            campaign_id: money.then(Uuid::now_v7),
            request_id: (!money).then(Uuid::now_v7),
            amount_minor: money.then_some(2_500),
            currency: money.then(|| "USD".to_owned()),
            quantity: (!money).then_some(2),
            anonymous: false,
        },
        &EventContext::default(),
    )
}

pub fn completed(
    donation_id: Uuid,
    donor: &Person,
    recipient: &Person,
) -> Envelope<DonationCompleted> {
    Envelope::new(
        "donation",
        DonationCompleted {
            donation_id,
            donor_id: donor.id,
            recipient_id: recipient.id,
            request_id: Uuid::now_v7(),
            quantity: 2,
            anonymous: Some(false),
        },
        &EventContext::default(),
    )
}

pub fn refunded(
    donation_id: Uuid,
    donor: &Person,
    recipient: &Person,
) -> Envelope<DonationRefunded> {
    Envelope::new(
        "donation",
        DonationRefunded {
            donation_id,
            donor_id: donor.id,
            recipient_id: recipient.id,
            campaign_id: Uuid::now_v7(),
            amount_minor: 2_500,
            currency: "USD".to_owned(),
            reason: "asked for it back".to_owned(),
        },
        &EventContext::default(),
    )
}
