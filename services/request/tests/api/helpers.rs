use std::ops::Deref;
use std::time::Duration;

use hearth_core::config::ServiceConfig;
use hearth_events::donation::{
    CancelledBy, DonationCancelled, DonationCompleted, DonationCreated, DonationExpired,
    DonationKind,
};
use hearth_events::{Envelope, EventContext};
use hearth_testkit::{with_overrides, Built, Collection, Person, TestResponse, TestService};
use request_service::{App, Request, SERVICE};
use serde_json::{json, Value};
use uuid::Uuid;

/// A running request-service on a random port, with a database and a broker
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
            hearth_testkit::spawn("request", &[], |vars| async move {
                let app =
                    App::build::<Request>(&ServiceConfig::from_env(&vars, SERVICE, None)?, &vars)?;
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

/// A valid creation body; tests override what they care about.
fn defaults() -> Value {
    json!({
        "title": "Blankets for the night shelter",
        "description": "Winter is coming to the shelter on Elm Street.",
        "category": "bedding",
        "quantity_needed": 10,
        "location": "Elm Street 4",
    })
}

/// A valid creation body with `overrides` over it.
pub fn request_body(overrides: Value) -> Value {
    with_overrides(defaults(), &overrides)
}

impl TestApp {
    /// The service's requests, as a client calls them.
    pub fn requests(&self) -> Collection<'_> {
        Collection {
            client: &self.client,
            path: "/requests",
            defaults,
        }
    }

    pub async fn create(&self, who: &Person, overrides: Value) -> TestResponse {
        self.requests().create(who, overrides).await
    }

    /// Creates a request and returns it.
    pub async fn request(&self, who: &Person, overrides: Value) -> Value {
        self.requests().created(who, overrides).await
    }

    pub async fn get(&self, id: &Value, who: Option<&Person>) -> TestResponse {
        self.requests().get(id, who).await
    }

    pub async fn patch(&self, id: &Value, who: &Person, body: Value) -> TestResponse {
        self.requests().patch(id, who, body).await
    }

    pub async fn close(&self, id: &Value, who: &Person, status: &str) -> TestResponse {
        self.requests().move_to(id, who, "close", status).await
    }

    pub async fn set_status(&self, id: &Value, who: &Person, status: &str) -> TestResponse {
        self.requests().move_to(id, who, "status", status).await
    }

    pub async fn list(&self, query: &str, who: Option<&Person>) -> Value {
        self.requests().list(query, who).await
    }

    /// The ids of a list's items.
    pub async fn list_ids(&self, query: &str, who: Option<&Person>) -> Vec<String> {
        self.requests().list_ids(query, who).await
    }

    /// Every event in the outbox, oldest first.
    pub async fn outbox(&self) -> Vec<Value> {
        let mut conn = self.db.connect().await;
        sqlx::query_scalar("select envelope from request.outbox order by seq")
            .fetch_all(&mut conn)
            .await
            .expect("read the outbox")
    }

    /// The outbox's events of one type.
    pub async fn events(&self, event_type: &str) -> Vec<Value> {
        self.outbox()
            .await
            .into_iter()
            .filter(|e| e["type"] == event_type)
            .collect()
    }

    /// Waits until `count` events of `event_type` are in the outbox (or 5 s pass).
    pub async fn wait_for_events(&self, event_type: &str, count: usize) -> Vec<Value> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
        loop {
            let events = self.events(event_type).await;
            if events.len() >= count || tokio::time::Instant::now() >= deadline {
                return events;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    /// Waits until the consumer has handled `count` events (or 5 s pass).
    pub async fn wait_for_handled(&self, count: i64) {
        self.db
            .wait_for_count("select count(*) from request.inbox", count)
            .await;
    }

    /// Sets a request's counts directly, as the saga would have: for API
    /// tests that need pledges without driving the saga.
    pub async fn set_quantities(&self, id: &Value, pledged: i32, fulfilled: i32) {
        let mut conn = self.db.connect().await;
        sqlx::query(
            "update request.requests set quantity_pledged = $2, quantity_fulfilled = $3 \
             where id = $1::uuid",
        )
        .bind(id.as_str().expect("id"))
        .bind(pledged)
        .bind(fulfilled)
        .execute(&mut conn)
        .await
        .expect("set quantities");
    }
}

pub fn uuid(v: &Value) -> Uuid {
    v.as_str().expect("id").parse().expect("uuid")
}

fn envelope<T>(event: T) -> Envelope<T>
where
    T: hearth_events::Event,
{
    Envelope::new("donation", event, &EventContext::default())
}

/// `donation.created` for an item pledge of `quantity` by `donor` to `request`.
pub fn pledge(donor: &Person, request: &Value, quantity: i32) -> Envelope<DonationCreated> {
    envelope(DonationCreated {
        donation_id: Uuid::now_v7(),
        kind: DonationKind::Item,
        donor_id: donor.id,
        campaign_id: None,
        request_id: Some(uuid(request)),
        amount_minor: None,
        currency: None,
        quantity: Some(quantity),
        anonymous: false,
    })
}

pub fn completed(
    pledge: &Envelope<DonationCreated>,
    requester: &Person,
) -> Envelope<DonationCompleted> {
    let d = &pledge.data;
    envelope(DonationCompleted {
        donation_id: d.donation_id,
        donor_id: d.donor_id,
        recipient_id: requester.id,
        request_id: d.request_id.expect("an item pledge"),
        quantity: d.quantity.expect("an item pledge"),
        anonymous: Some(d.anonymous),
    })
}

pub fn cancelled(pledge: &Envelope<DonationCreated>) -> Envelope<DonationCancelled> {
    let d = &pledge.data;
    envelope(DonationCancelled {
        donation_id: d.donation_id,
        kind: d.kind,
        donor_id: d.donor_id,
        recipient_id: None,
        campaign_id: None,
        request_id: d.request_id,
        by: CancelledBy::Donor,
    })
}

pub fn expired(pledge: &Envelope<DonationCreated>) -> Envelope<DonationExpired> {
    let d = &pledge.data;
    envelope(DonationExpired {
        donation_id: d.donation_id,
        kind: d.kind,
        donor_id: d.donor_id,
        campaign_id: None,
        request_id: d.request_id,
    })
}
