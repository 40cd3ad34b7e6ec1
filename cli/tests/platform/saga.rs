//! The money saga between donation-service and campaign-service (docs/events.md,
//! "Money to a campaign"), end to end through the real broker.

use std::time::Duration;

use crate::support::{prepare, settled, start, Running};
use hearth::services::Service;
use hearth_events::donation::{DonationCreated, DonationKind};
use hearth_events::{Envelope, EventContext};
use hearth_testkit::{staff_token, Person, TestClient};
use serde_json::{json, Value};
use uuid::Uuid;

async fn campaign(client: &TestClient, owner: &Person, body: Value) -> Value {
    let mut full =
        json!({"title": "Blankets for the shelter", "goal_minor": 10_000, "currency": "USD"});
    for (k, v) in body.as_object().expect("object") {
        full[k] = v.clone();
    }
    client
        .post("/campaigns")
        .token(&owner.token)
        .json(&full)
        .send()
        .await
        .expect(201)
}

async fn give(
    client: &TestClient,
    donor: &Person,
    campaign_id: &Value,
    amount: i64,
    currency: &str,
) -> Value {
    client
        .post("/donations")
        .token(&donor.token)
        .json(&json!({"kind": "money", "campaign_id": campaign_id, "amount_minor": amount, "currency": currency}))
        .send()
        .await
        .expect(201)
}

async fn get_campaign(client: &TestClient, id: &Value) -> Value {
    client
        .get(&format!("/campaigns/{}", id.as_str().expect("id")))
        .send()
        .await
        .expect(200)
}

/// Waits until the campaign's `raised_minor` is `expected` (or 10 s pass).
async fn raised_becomes(client: &TestClient, id: &Value, expected: i64) -> Value {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let c = get_campaign(client, id).await;
        if c["raised_minor"] == expected || tokio::time::Instant::now() >= deadline {
            return c;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn count(running: &Running, sql: &str) -> i64 {
    let mut conn = running.campaign_db.connect().await;
    sqlx::query_scalar(sql)
        .fetch_one(&mut conn)
        .await
        .expect(sql)
}

#[tokio::test]
async fn a_goal_lowered_to_what_was_raised_is_reached_then_and_once() {
    let running = start().await;
    let (alice, bob) = (Person::user(), Person::user());
    let c = campaign(&running.campaign, &alice, json!({})).await;
    let gift = give(&running.donation, &bob, &c["id"], 4_000, "USD").await;
    assert_eq!(
        settled(&running.donation, &bob, &gift).await["status"],
        "confirmed"
    );
    raised_becomes(&running.campaign, &c["id"], 4_000).await;

    let path = format!("/campaigns/{}", c["id"].as_str().expect("id"));
    let edit = |goal: i64| {
        running
            .campaign
            .patch(&path)
            .token(&alice.token)
            .json(&json!({ "goal_minor": goal }))
            .send()
    };
    assert!(edit(5_000).await.expect(200)["goal_reached_at"].is_null());
    let reached = edit(4_000).await.expect(200);
    assert!(reached["goal_reached_at"].is_string(), "{reached}");
    // Raised again and lowered again: reached once, announced once.
    let raised = edit(9_000).await.expect(200);
    assert_eq!(raised["goal_reached_at"], reached["goal_reached_at"]);
    edit(3_000).await.expect(200);
    let goals: Vec<Value> = sqlx::query_scalar(
        "select envelope->'data' from campaign.outbox where event_type = 'campaign.goal_reached'",
    )
    .fetch_all(&mut running.campaign_db.connect().await)
    .await
    .expect("outbox");
    assert_eq!(goals.len(), 1, "{goals:?}");
    assert_eq!(goals[0]["goal_minor"], 4_000);
    assert_eq!(goals[0]["raised_minor"], 4_000);
}

#[tokio::test]
async fn a_donation_is_confirmed_and_the_goal_reached_once() {
    let mut running = start().await;
    let alice = Person::user();
    let bob = Person::user();
    let c = campaign(&running.campaign, &alice, json!({})).await;

    let first = give(&running.donation, &bob, &c["id"], 2_500, "USD").await;
    assert_eq!(first["status"], "pending");
    assert!(first["recipient_id"].is_null());
    let first = settled(&running.donation, &bob, &first).await;
    assert_eq!(first["status"], "confirmed", "{first}");
    assert_eq!(first["recipient_id"], alice.id.to_string());
    let after_one = raised_becomes(&running.campaign, &c["id"], 2_500).await;
    assert_eq!(after_one["donor_count"], 1);
    assert!(after_one["goal_reached_at"].is_null());

    let second = give(&running.donation, &bob, &c["id"], 8_000, "USD").await;
    assert_eq!(
        settled(&running.donation, &bob, &second).await["status"],
        "confirmed"
    );
    let after_two = raised_becomes(&running.campaign, &c["id"], 10_500).await;
    assert_eq!(after_two["donor_count"], 1, "one donor, twice");
    assert!(after_two["goal_reached_at"].is_string());
    // Donations are still accepted after the goal, and the goal is reached once.
    let carol = Person::user();
    let third = give(&running.donation, &carol, &c["id"], 100, "USD").await;
    assert_eq!(
        settled(&running.donation, &carol, &third).await["status"],
        "confirmed"
    );
    let after_three = raised_becomes(&running.campaign, &c["id"], 10_600).await;
    assert_eq!(after_three["donor_count"], 2);
    // Someone else's pending donation is nobody else's business.
    let mine = give(&running.donation, &carol, &c["id"], 5, "EUR").await;
    running
        .donation
        .get(&format!("/donations/{}", mine["id"].as_str().expect("id")))
        .token(&bob.token)
        .send()
        .await
        .assert_problem(404, "not_found");
    assert_eq!(
        count(
            &running,
            "select count(*) from campaign.outbox where event_type = 'campaign.goal_reached'"
        )
        .await,
        1
    );

    // The public sees confirmed donations only.
    let public = running
        .donation
        .get(&format!(
            "/donations?campaign_id={}",
            c["id"].as_str().expect("id")
        ))
        .send()
        .await
        .expect(200);
    assert_eq!(
        public["items"].as_array().expect("items").len(),
        3,
        "{public}"
    );
    running.shutdown().await;
}

#[tokio::test]
async fn every_rejection_reason_reaches_the_donation() {
    let mut running = start().await;
    let alice = Person::user();
    let bob = Person::user();
    let active = campaign(&running.campaign, &alice, json!({})).await;
    let paused = campaign(&running.campaign, &alice, json!({})).await;
    running
        .campaign
        .post(&format!(
            "/campaigns/{}/status",
            paused["id"].as_str().expect("id")
        ))
        .token(&alice.token)
        .json(&json!({"status": "paused"}))
        .send()
        .await
        .expect(200);
    let ending = campaign(
        &running.campaign,
        &alice,
        json!({"ends_at": (chrono::Utc::now() + chrono::Duration::seconds(1)).to_rfc3339()}),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(1_200)).await;

    let cases = [
        (json!(Uuid::new_v4().to_string()), &bob, "USD", "not_found"),
        (paused["id"].clone(), &bob, "USD", "not_active"),
        (ending["id"].clone(), &bob, "USD", "ended"),
        (active["id"].clone(), &bob, "EUR", "currency_mismatch"),
        (active["id"].clone(), &alice, "USD", "self_donation"),
    ];
    for (campaign_id, donor, currency, reason) in cases {
        let d = give(&running.donation, donor, &campaign_id, 500, currency).await;
        let d = settled(&running.donation, donor, &d).await;
        assert_eq!(d["status"], "rejected", "{reason}: {d}");
        assert_eq!(d["status_reason"], reason);
    }
    for c in [&active, &paused, &ending] {
        assert_eq!(
            get_campaign(&running.campaign, &c["id"]).await["raised_minor"],
            0
        );
    }
    running.shutdown().await;
}

#[tokio::test]
async fn a_refund_and_a_cancellation_take_the_money_back_out() {
    let mut running = start().await;
    let alice = Person::user();
    let bob = Person::user();
    let c = campaign(&running.campaign, &alice, json!({})).await;
    let d = give(&running.donation, &bob, &c["id"], 3_000, "USD").await;
    assert_eq!(
        settled(&running.donation, &bob, &d).await["status"],
        "confirmed"
    );
    raised_becomes(&running.campaign, &c["id"], 3_000).await;
    let path = format!("/donations/{}/refund", d["id"].as_str().expect("id"));

    // Only the recipient or staff refund; a reason is required.
    running
        .donation
        .post(&path)
        .token(&bob.token)
        .json(&json!({"reason": "mine"}))
        .send()
        .await
        .assert_problem(403, "forbidden");
    running
        .donation
        .post(&path)
        .token(&alice.token)
        .json(&json!({"reason": " "}))
        .send()
        .await
        .assert_problem(422, "validation_failed");
    let refunded = running
        .donation
        .post(&path)
        .token(&alice.token)
        .json(&json!({"reason": "duplicate payment"}))
        .send()
        .await
        .expect(200);
    assert_eq!(refunded["status"], "refunded");
    running
        .donation
        .post(&path)
        .token(&staff_token(Uuid::new_v4()))
        .json(&json!({"reason": "again"}))
        .send()
        .await
        .assert_problem(409, "invalid_state");
    let back = raised_becomes(&running.campaign, &c["id"], 0).await;
    assert_eq!(back["raised_minor"], 0);
    assert_eq!(back["donor_count"], 0);

    // A donor cancels at once: whichever arrives first at the campaign, the money ends up out.
    let quick = give(&running.donation, &bob, &c["id"], 700, "USD").await;
    let cancel = format!("/donations/{}/cancel", quick["id"].as_str().expect("id"));
    let answer = running
        .donation
        .post(&cancel)
        .token(&bob.token)
        .send()
        .await;
    if answer.status == 200 {
        assert_eq!(answer.json()["status"], "cancelled");
    } else {
        // The campaign's acceptance won the race: confirmed money is refunded, not cancelled.
        answer.assert_problem(409, "invalid_state");
    }
    let expected = if answer.status == 200 { 0 } else { 700 };
    let at_rest = raised_becomes(&running.campaign, &c["id"], expected).await;
    assert_eq!(at_rest["raised_minor"], expected);
    running.shutdown().await;
}

#[tokio::test]
async fn an_acceptance_after_expiry_is_taken_back() {
    let mut prepared = prepare().await;
    prepared.set("DONATION_PENDING_TIMEOUT", "500ms");
    // One delivery at a time, so that campaign-service meets donation.created
    // before donation.expired: the late acceptance this test is about. (Handled
    // the other way round, the donation is refused as voided; both end at 0.)
    prepared.set("EVENT_CONCURRENCY", "1");
    let alice = Person::user();
    let bob = Person::user();
    // campaign-service makes a campaign, then goes away.
    let (platform, clients) = prepared.launch(&[Service::Campaign]).await;
    let c = campaign(&clients["campaign"], &alice, json!({})).await;
    platform.shutdown().await.expect("stop");

    // Without an answer, the donation expires.
    let (donations, clients) = prepared.launch(&[Service::Donation]).await;
    let d = give(&clients["donation"], &bob, &c["id"], 4_000, "USD").await;
    let d = settled(&clients["donation"], &bob, &d).await;
    assert_eq!(d["status"], "expired", "{d}");

    // campaign-service comes back: it accepts the donation late, then takes it back.
    let (campaigns, campaign_clients) = prepared.launch(&[Service::Campaign]).await;
    let mut conn = prepared.campaign_db.connect().await;
    let mut reversed = 0_i64;
    for _ in 0..100 {
        reversed = sqlx::query_scalar(
            "select count(*) from campaign.accepted_donations where reversed_at is not null",
        )
        .fetch_one(&mut conn)
        .await
        .expect("count");
        if reversed == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(reversed, 1, "accepted late, then reversed");
    let at_rest = get_campaign(&campaign_clients["campaign"], &c["id"]).await;
    assert_eq!(at_rest["raised_minor"], 0);
    tokio::time::sleep(Duration::from_millis(500)).await;
    let still = clients["donation"]
        .get(&format!("/donations/{}", d["id"].as_str().expect("id")))
        .token(&bob.token)
        .send()
        .await
        .expect(200);
    assert_eq!(
        still["status"], "expired",
        "a late acceptance changes nothing in donation-service"
    );
    campaigns.shutdown().await.expect("stop");
    donations.shutdown().await.expect("stop");
}

#[tokio::test]
async fn a_redelivered_donation_created_counts_once() {
    let mut running = start().await;
    let alice = Person::user();
    let bob = Person::user();
    let c = campaign(&running.campaign, &alice, json!({})).await;
    let d = give(&running.donation, &bob, &c["id"], 1_000, "USD").await;
    assert_eq!(
        settled(&running.donation, &bob, &d).await["status"],
        "confirmed"
    );

    // The same donation.created, delivered again.
    let envelope = running.donation_created().await;
    running.publish_again(&envelope, 2).await;
    running
        .campaign
        .wait_for_metric(r#"hearth_events_duplicate_total{service="campaign"}"#, 2.0)
        .await;
    let c = get_campaign(&running.campaign, &c["id"]).await;
    assert_eq!(c["raised_minor"], 1_000);
    assert_eq!(c["donor_count"], 1);
    running.shutdown().await;
}

/// Publishes `data` as donation-service would, on `channel`: one channel
/// keeps the order of what it publishes.
async fn publish_as_donation_service<T: hearth_events::Event>(
    running: &Running,
    channel: &lapin::Channel,
    data: T,
) {
    let envelope =
        hearth_events::Envelope::new("donation", data, &hearth_events::EventContext::default());
    channel
        .basic_publish(
            &running.exchange(),
            T::TYPE,
            Default::default(),
            &serde_json::to_vec(&envelope).expect("json"),
            Default::default(),
        )
        .await
        .expect("publish");
}

#[tokio::test]
async fn a_donation_cancelled_before_it_arrives_is_never_accepted() {
    use hearth_events::donation::{CancelledBy, DonationCancelled, DonationCreated, DonationKind};
    let mut prepared = prepare().await;
    // One delivery at a time, in the order published.
    prepared.set("EVENT_CONCURRENCY", "1");
    let mut running = prepared.start().await;
    let alice = Person::user();
    let bob = Person::user();
    let c = campaign(&running.campaign, &alice, json!({})).await;
    let campaign_id: Uuid = c["id"].as_str().expect("id").parse().expect("uuid");
    let donation_id = Uuid::now_v7();
    // The compensation overtakes the donation it compensates.
    let channel = running.broker.channel().await;
    publish_as_donation_service(
        &running,
        &channel,
        DonationCancelled {
            donation_id,
            kind: DonationKind::Money,
            donor_id: bob.id,
            recipient_id: None,
            campaign_id: Some(campaign_id),
            request_id: None,
            by: CancelledBy::Donor,
        },
    )
    .await;
    publish_as_donation_service(
        &running,
        &channel,
        DonationCreated {
            donation_id,
            kind: DonationKind::Money,
            donor_id: bob.id,
            campaign_id: Some(campaign_id),
            request_id: None,
            amount_minor: Some(2_500),
            currency: Some("USD".into()),
            quantity: None,
            anonymous: false,
        },
    )
    .await;
    running
        .campaign
        .wait_for_metric(r#"hearth_events_consumed_total{service="campaign"}"#, 2.0)
        .await;

    let mut conn = running.campaign_db.connect().await;
    let answers: Vec<String> = sqlx::query_scalar(
        "select event_type from campaign.outbox where envelope->'data'->>'donation_id' = $1",
    )
    .bind(donation_id.to_string())
    .fetch_all(&mut conn)
    .await
    .expect("answers");
    assert!(
        answers.is_empty(),
        "no answer to a voided donation: {answers:?}"
    );
    let accepted: i64 = sqlx::query_scalar(
        "select count(*) from campaign.accepted_donations where donation_id = $1",
    )
    .bind(donation_id)
    .fetch_one(&mut conn)
    .await
    .expect("count");
    assert_eq!(accepted, 0);
    let c = get_campaign(&running.campaign, &c["id"]).await;
    assert_eq!(c["raised_minor"], 0);
    assert_eq!(c["donor_count"], 0);
    running.shutdown().await;
}

/// A `donation.created` of money without its currency can never be handled:
/// campaign-service dead-letters it (it used to skip it as if it were items)
/// and goes on with the next donation.
#[tokio::test]
async fn a_money_donation_missing_its_currency_is_dead_lettered_and_the_next_one_flows() {
    let running = start().await;
    let owner = Person::user();
    let c = campaign(&running.campaign, &owner, json!({"status": "active"})).await;
    let poison = serde_json::to_value(Envelope::new(
        "donation",
        DonationCreated {
            donation_id: Uuid::now_v7(),
            kind: DonationKind::Money,
            donor_id: Uuid::new_v4(),
            campaign_id: Some(uuid(&c)),
            request_id: None,
            amount_minor: Some(500),
            currency: None,
            quantity: None,
            anonymous: false,
        },
        &EventContext::default(),
    ))
    .expect("json");
    running.publish_again(&poison, 1).await;
    let dead = running
        .broker
        .wait_get(
            &format!("{}.campaign.dead", running.broker.namespace),
            Duration::from_secs(10),
        )
        .await
        .expect("the donation without its currency is dead-lettered");
    let body: Value = serde_json::from_slice(&dead.data).expect("json");
    assert_eq!(body["id"], poison["id"]);
    assert_eq!(body["data"]["campaign_id"], c["id"]);

    let donor = Person::user();
    let d = running
        .donation
        .post("/donations")
        .token(&donor.token)
        .json(&json!({"kind": "money", "campaign_id": c["id"], "amount_minor": 700, "currency": "USD"}))
        .send()
        .await
        .expect(201);
    assert_eq!(
        settled(&running.donation, &donor, &d).await["status"],
        "confirmed"
    );
}

fn uuid(resource: &Value) -> Uuid {
    resource["id"]
        .as_str()
        .expect("an id")
        .parse()
        .expect("a uuid")
}
