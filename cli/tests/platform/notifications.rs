//! Every notification rule (docs/events.md, "Notifications") fired by a real flow
//! across the five services: each person reads the notifications they should.

use crate::support;

use std::time::Duration;

use crate::support::{pledge, start, Running};
use hearth_testkit::{staff_token, Person, TestClient};
use serde_json::{json, Value};
use uuid::Uuid;

/// No flow in this file takes longer than this to reach messaging-service.
const WAIT: Duration = Duration::from_secs(10);

fn id(v: &Value) -> &str {
    v["id"].as_str().expect("id")
}

/// `who`'s notifications once their types are exactly `expected` (in any
/// order), or whatever they are after [`WAIT`]; asserted either way.
async fn notified(running: &Running, who: &Person, expected: &[&str]) -> Vec<Value> {
    let mut want: Vec<&str> = expected.to_vec();
    want.sort_unstable();
    let types = |page: &Value| {
        let mut types: Vec<String> = page["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|n| n["type"].as_str().expect("type").to_owned())
            .collect();
        types.sort_unstable();
        types
    };
    let page = support::poll(
        &running.messaging,
        "/notifications?limit=100",
        &who.token,
        WAIT,
        |page| types(page) == want,
    )
    .await;
    assert_eq!(types(&page), want, "{page:#}");
    page["items"].as_array().expect("items").clone()
}

/// The one notification of type `kind` among `notes`.
fn of_type<'a>(notes: &'a [Value], kind: &str) -> &'a Value {
    notes
        .iter()
        .find(|n| n["type"] == kind)
        .unwrap_or_else(|| panic!("no {kind}"))
}

async fn campaign(running: &Running, owner: &Person, goal_minor: i64) -> Value {
    running
        .campaign
        .post("/campaigns")
        .token(&owner.token)
        .json(&json!({"title": "Blankets for the shelter", "goal_minor": goal_minor, "currency": "USD"}))
        .send()
        .await
        .expect(201)
}

async fn give(client: &TestClient, donor: &Person, campaign: &Value, amount: i64) -> Value {
    client
        .post("/donations")
        .token(&donor.token)
        .json(&json!({"kind": "money", "campaign_id": campaign["id"], "amount_minor": amount, "currency": "USD"}))
        .send()
        .await
        .expect(201)
}

/// The donation once it has left `pending` (or after [`WAIT`]).
async fn settled(running: &Running, who: &Person, donation: &Value) -> Value {
    let path = format!("/donations/{}", id(donation));
    support::poll(&running.donation, &path, &who.token, WAIT, |d| {
        d["status"] != "pending"
    })
    .await
}

/// `rater` rates the other party of `donation`, once profile-service has
/// heard that it went through.
async fn rate(running: &Running, rater: &Person, donation: &Value, score: i16) {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let answer = running
            .profile
            .post("/ratings")
            .token(&rater.token)
            .json(&json!({"donation_id": donation["id"], "score": score}))
            .send()
            .await;
        if answer.status.as_u16() == 201 {
            return;
        }
        assert!(
            answer.status.as_u16() == 409 && tokio::time::Instant::now() < deadline,
            "{}",
            answer.text
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn money_flows_notify_the_recipient_the_donor_and_the_rejected() {
    let mut running = start().await;
    let (alice, bob, carol) = (Person::user(), Person::user(), Person::user());
    let goal = campaign(&running, &alice, 5_000).await;
    let paused = campaign(&running, &alice, 5_000).await;
    running
        .campaign
        .post(&format!("/campaigns/{}/status", id(&paused)))
        .token(&alice.token)
        .json(&json!({"status": "paused"}))
        .send()
        .await
        .expect(200);

    let given = give(&running.donation, &bob, &goal, 5_000).await;
    assert_eq!(settled(&running, &bob, &given).await["status"], "confirmed");
    let hidden = running
        .donation
        .post("/donations")
        .token(&carol.token)
        .json(
            &json!({"kind": "money", "campaign_id": goal["id"], "amount_minor": 150_000,
                      "currency": "USD", "anonymous": true}),
        )
        .send()
        .await
        .expect(201);
    assert_eq!(
        settled(&running, &carol, &hidden).await["status"],
        "confirmed"
    );
    let refused = give(&running.donation, &carol, &paused, 1_000).await;
    assert_eq!(
        settled(&running, &carol, &refused).await["status"],
        "rejected"
    );
    rate(&running, &bob, &given, 5).await;

    let to_alice = notified(
        &running,
        &alice,
        &[
            "campaign.created",
            "campaign.created",
            "campaign.donation_accepted",
            "campaign.donation_accepted",
            "campaign.goal_reached",
            "rating.created",
        ],
    )
    .await;
    let mut arrived: Vec<&Value> = to_alice
        .iter()
        .filter(|n| n["type"] == "campaign.donation_accepted")
        .collect();
    arrived.sort_by_key(|n| n["body"].as_str().map(str::to_owned));
    assert_eq!(
        arrived[0]["body"],
        "A donor gave 50.00 USD to \u{201c}Blankets for the shelter\u{201d}."
    );
    assert_eq!(
        arrived[1]["body"],
        "Someone gave 1,500.00 USD to \u{201c}Blankets for the shelter\u{201d}."
    );
    assert_eq!(
        arrived[0]["link"],
        json!({"type": "campaign", "id": goal["id"]})
    );
    let reached = of_type(&to_alice, "campaign.goal_reached");
    assert_eq!(reached["link"]["id"], goal["id"]);
    assert_eq!(
        of_type(&to_alice, "rating.created")["link"],
        json!({"type": "profile", "id": alice.id})
    );

    let to_bob = notified(&running, &bob, &["donation.confirmed"]).await;
    assert_eq!(
        to_bob[0]["body"],
        "Your donation of 50.00 USD was accepted. Thank you."
    );
    assert_eq!(
        to_bob[0]["link"],
        json!({"type": "donation", "id": given["id"]})
    );
    let to_carol = notified(
        &running,
        &carol,
        &["donation.confirmed", "donation.rejected"],
    )
    .await;
    assert_eq!(
        of_type(&to_carol, "donation.rejected")["body"],
        "Your donation was not accepted: the campaign is not taking donations right now."
    );
    running.shutdown().await;
}

#[tokio::test]
async fn item_flows_notify_pledges_receipts_cancellations_and_fulfilment() {
    let mut running = start().await;
    let (alice, bob, carol) = (Person::user(), Person::user(), Person::user());
    let request = running
        .request
        .post("/requests")
        .token(&alice.token)
        .json(&json!({"title": "Winter coats", "category": "clothing", "quantity_needed": 2}))
        .send()
        .await
        .expect(201);

    let kept = pledge(&running.donation, &bob, &request, 2).await;
    assert_eq!(settled(&running, &bob, &kept).await["status"], "confirmed");
    // Bob pledged all the request needs: carol's pledge is refused.
    let too_many = pledge(&running.donation, &carol, &request, 1).await;
    assert_eq!(
        settled(&running, &carol, &too_many).await["status_reason"],
        "quantity_exceeded"
    );
    running
        .donation
        .post(&format!("/donations/{}/receive", id(&kept)))
        .token(&alice.token)
        .send()
        .await
        .expect(200);

    // A second request, where the donor cancels a confirmed pledge.
    let other = running
        .request
        .post("/requests")
        .token(&alice.token)
        .json(&json!({"title": "Boots", "category": "clothing", "quantity_needed": 5}))
        .send()
        .await
        .expect(201);
    let cancelled = pledge(&running.donation, &carol, &other, 1).await;
    assert_eq!(
        settled(&running, &carol, &cancelled).await["status"],
        "confirmed"
    );
    running
        .donation
        .post(&format!("/donations/{}/cancel", id(&cancelled)))
        .token(&carol.token)
        .send()
        .await
        .expect(200);

    let to_alice = notified(
        &running,
        &alice,
        &[
            "request.donation_accepted",
            "request.donation_accepted",
            "request.fulfilled",
            "donation.cancelled",
        ],
    )
    .await;
    assert_eq!(
        of_type(&to_alice, "request.fulfilled")["body"],
        "\u{201c}Winter coats\u{201d} has received every item it needed."
    );
    assert_eq!(
        of_type(&to_alice, "donation.cancelled")["link"],
        json!({"type": "donation", "id": cancelled["id"]})
    );
    let to_bob = notified(
        &running,
        &bob,
        &["donation.confirmed", "donation.completed"],
    )
    .await;
    assert_eq!(
        of_type(&to_bob, "donation.completed")["body"],
        "The requester confirmed receiving your 2 items. Thank you."
    );
    notified(
        &running,
        &carol,
        &["donation.rejected", "donation.confirmed"],
    )
    .await;
    running.shutdown().await;
}

#[tokio::test]
async fn moderation_notifies_the_reporter_and_the_suspended() {
    let mut running = start().await;
    let (bob, mallory) = (Person::user(), Person::user());
    let staff = staff_token(Uuid::new_v4());
    let report = running
        .profile
        .post("/reports")
        .token(&bob.token)
        .json(&json!({"target_type": "profile", "target_id": mallory.id, "reason": "spam"}))
        .send()
        .await
        .expect(201);
    running
        .profile
        .post(&format!("/reports/{}/resolve", id(&report)))
        .token(&staff)
        .json(&json!({"resolution": "actioned", "action": "suspend_user"}))
        .send()
        .await
        .expect(200);

    let to_bob = notified(&running, &bob, &["report.resolved"]).await;
    assert_eq!(
        to_bob[0]["link"],
        json!({"type": "report", "id": report["id"]})
    );
    let to_mallory = notified(&running, &mallory, &["profile.suspended"]).await;
    assert_eq!(to_mallory[0]["title"], "Your account is suspended");
    running
        .messaging
        .post_until("/notifications/read-all", &mallory.token, 403)
        .await
        .assert_problem(403, "account_suspended");
    running.shutdown().await;
}

#[tokio::test]
async fn an_expired_donation_notifies_its_donor() {
    let mut prepared = support::prepare().await;
    prepared.set("DONATION_PENDING_TIMEOUT", "500ms");
    // No campaign-service: nobody answers, and the donation expires.
    let (platform, clients) = prepared
        .launch(&[
            hearth::services::Service::Donation,
            hearth::services::Service::Messaging,
        ])
        .await;
    let bob = Person::user();
    let donation = clients["donation"]
        .post("/donations")
        .token(&bob.token)
        .json(&json!({"kind": "money", "campaign_id": Uuid::new_v4(), "amount_minor": 2_500, "currency": "USD"}))
        .send()
        .await
        .expect(201);
    let page = support::poll(
        &clients["messaging"],
        "/notifications",
        &bob.token,
        WAIT,
        |page| {
            page["items"]
                .as_array()
                .is_some_and(|items| !items.is_empty())
        },
    )
    .await;
    let note = &page["items"][0];
    assert_eq!(note["type"], "donation.expired", "{page:#}");
    assert_eq!(
        note["link"],
        json!({"type": "donation", "id": donation["id"]})
    );
    assert!(
        note["body"]
            .as_str()
            .is_some_and(|b| b.contains("25.00 USD") || b.contains("expired")),
        "{note}"
    );
    platform.shutdown().await.expect("stop");
}
