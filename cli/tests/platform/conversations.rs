//! The synchronous check between messaging-service and donation-service
//! (docs/api.md, `POST /messages` with a donation context), with both running —
//! and with donation-service gone.

use crate::support;

use crate::support::{prepare, settled, start};
use hearth::services::Service;
use hearth_testkit::{Person, TestClient};
use serde_json::{json, Value};
use uuid::Uuid;

async fn message(
    client: &TestClient,
    from: &Person,
    to: &Person,
    donation: &Value,
) -> hearth_testkit::TestResponse {
    client
        .post("/messages")
        .token(&from.token)
        .json(&json!({"recipient_id": to.id, "body": "Thank you!",
                      "context": {"type": "donation", "id": donation["id"]}}))
        .send()
        .await
}

#[tokio::test]
async fn only_a_donations_donor_and_recipient_message_about_it() {
    let mut running = start().await;
    let (alice, bob, mallory) = (Person::user(), Person::user(), Person::user());
    let campaign = running
        .campaign
        .post("/campaigns")
        .token(&alice.token)
        .json(&json!({"title": "Blankets", "goal_minor": 10_000, "currency": "USD"}))
        .send()
        .await
        .expect(201);
    let donation = running
        .donation
        .post("/donations")
        .token(&bob.token)
        .json(&json!({"kind": "money", "campaign_id": campaign["id"], "amount_minor": 500, "currency": "USD"}))
        .send()
        .await
        .expect(201);
    assert_eq!(
        settled(&running.donation, &bob, &donation).await["status"],
        "confirmed"
    );

    let sent = message(&running.messaging, &bob, &alice, &donation)
        .await
        .expect(201);
    assert_eq!(
        sent["context"],
        json!({"type": "donation", "id": donation["id"]})
    );
    message(&running.messaging, &alice, &bob, &donation)
        .await
        .expect(201);
    message(&running.messaging, &mallory, &alice, &donation)
        .await
        .assert_problem(409, "not_eligible");
    message(&running.messaging, &bob, &mallory, &donation)
        .await
        .assert_problem(409, "not_eligible");
    let unknown = json!({"id": Uuid::now_v7()});
    message(&running.messaging, &bob, &alice, &unknown)
        .await
        .assert_problem(409, "not_eligible");
    running.shutdown().await;
}

/// A confirmed donation from `donor` to a new campaign of `recipient`.
async fn confirmed_gift(
    running: &support::Running,
    donor: &Person,
    recipient: &Person,
    anonymous: bool,
) -> Value {
    let campaign = running
        .campaign
        .post("/campaigns")
        .token(&recipient.token)
        .json(&json!({"title": "Soup", "goal_minor": 10_000, "currency": "USD"}))
        .send()
        .await
        .expect(201);
    let donation = running
        .donation
        .post("/donations")
        .token(&donor.token)
        .json(
            &json!({"kind": "money", "campaign_id": campaign["id"], "amount_minor": 500,
                      "currency": "USD", "anonymous": anonymous}),
        )
        .send()
        .await
        .expect(201);
    assert_eq!(
        settled(&running.donation, donor, &donation).await["status"],
        "confirmed"
    );
    donation
}

#[tokio::test]
async fn an_anonymous_donor_and_their_recipient_message_about_their_donation() {
    let mut running = start().await;
    let (alice, bob, mallory) = (Person::user(), Person::user(), Person::user());
    let donation = confirmed_gift(&running, &bob, &alice, true).await;
    // The check reads the real donor, whom the public views hide; once the
    // donor has written, the recipient answers.
    message(&running.messaging, &bob, &alice, &donation)
        .await
        .expect(201);
    message(&running.messaging, &alice, &bob, &donation)
        .await
        .expect(201);
    message(&running.messaging, &mallory, &alice, &donation)
        .await
        .assert_problem(409, "not_eligible");
    message(&running.messaging, &alice, &mallory, &donation)
        .await
        .assert_problem(409, "not_eligible");
    running.shutdown().await;
}

#[tokio::test]
async fn the_recipient_of_an_anonymous_donation_cannot_test_a_guess_at_its_donor() {
    let mut running = start().await;
    let (alice, bob, carol) = (Person::user(), Person::user(), Person::user());
    let donation = confirmed_gift(&running, &bob, &alice, true).await;

    // Alice guesses right (Bob) and wrong (Carol): the same answer.
    let right = message(&running.messaging, &alice, &bob, &donation).await;
    let wrong = message(&running.messaging, &alice, &carol, &donation).await;
    assert_eq!(
        right.assert_problem(409, "not_eligible"),
        wrong.assert_problem(409, "not_eligible"),
        "the whole problem, detail included"
    );
    // Another anonymous gift's donor having written to Alice does not open
    // this one.
    let other = confirmed_gift(&running, &carol, &alice, true).await;
    message(&running.messaging, &carol, &alice, &other)
        .await
        .expect(201);
    message(&running.messaging, &alice, &bob, &donation)
        .await
        .assert_problem(409, "not_eligible");
    // Bob writes, naming himself: now Alice answers him, and only him.
    message(&running.messaging, &bob, &alice, &donation)
        .await
        .expect(201);
    message(&running.messaging, &alice, &bob, &donation)
        .await
        .expect(201);
    message(&running.messaging, &alice, &carol, &donation)
        .await
        .assert_problem(409, "not_eligible");
    running.shutdown().await;
}

#[tokio::test]
async fn the_recipient_of_a_named_donation_may_write_first() {
    let mut running = start().await;
    let (alice, bob, carol) = (Person::user(), Person::user(), Person::user());
    let donation = confirmed_gift(&running, &bob, &alice, false).await;
    message(&running.messaging, &alice, &bob, &donation)
        .await
        .expect(201);
    message(&running.messaging, &bob, &alice, &donation)
        .await
        .expect(201);
    message(&running.messaging, &alice, &carol, &donation)
        .await
        .assert_problem(409, "not_eligible");
    message(&running.messaging, &carol, &alice, &donation)
        .await
        .assert_problem(409, "not_eligible");
    running.shutdown().await;
}

#[tokio::test]
async fn with_donation_service_stopped_the_check_is_a_clear_503() {
    let prepared = prepare().await;
    // donation-service starts, and goes away: its address is left dead.
    let (donations, _) = prepared.launch(&[Service::Donation]).await;
    let dead = donations
        .listening
        .iter()
        .find(|l| l.service == Service::Donation)
        .expect("listening")
        .addr;
    donations.shutdown().await.expect("stop");
    let mut prepared = prepared;
    prepared.set("DONATION_SERVICE_URL", &format!("http://{dead}"));
    prepared.set("DONATION_SERVICE_TIMEOUT", "500ms");
    let (platform, clients) = prepared.launch(&[Service::Messaging]).await;
    let (alice, bob) = (Person::user(), Person::user());

    let answer = message(
        &clients["messaging"],
        &bob,
        &alice,
        &json!({"id": Uuid::now_v7()}),
    )
    .await;
    answer.assert_problem(503, "dependency_unavailable");
    assert_eq!(answer.header("retry-after"), Some("5"));
    // Everything else keeps working.
    clients["messaging"]
        .post("/messages")
        .token(&bob.token)
        .json(&json!({"recipient_id": alice.id, "body": "Still here"}))
        .send()
        .await
        .expect(201);
    platform.shutdown().await.expect("stop");
}
