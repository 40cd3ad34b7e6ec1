//! An anonymous donor stays anonymous across the five services: to the
//! recipient, to a stranger and to anyone without a token, on every page that
//! shows the donation or a rating about it, in the recipient's notifications
//! and wherever those link. Only the donor and staff see who gave. And a
//! refunded donation earns no new rating.

use crate::support;

use std::time::Duration;

use crate::support::{start, Running};
use hearth_testkit::{Person, TestClient};
use serde_json::{json, Value};
use uuid::Uuid;

/// No flow in this file takes longer than this to cross the broker.
const WAIT: Duration = Duration::from_secs(10);

fn id(v: &Value) -> &str {
    v["id"].as_str().expect("id")
}

async fn get(client: &TestClient, path: &str, who: Option<&Person>) -> Value {
    client
        .get(path)
        .maybe_token(who.map(|p| p.token.as_str()))
        .send()
        .await
        .expect(200)
}

/// None of `secrets` appears anywhere in `answer` (`place` names the page).
fn shows_none(answer: &Value, secrets: &[&str], place: &str) {
    let text = answer.to_string();
    for secret in secrets {
        assert!(!text.contains(secret), "{place} shows {secret}: {text}");
    }
}

/// An anonymous gift of money or items by `donor`, once it left `pending`.
async fn give_anonymously(running: &Running, donor: &Person, body: Value) -> Value {
    let mut body = body;
    body["anonymous"] = json!(true);
    let donation = running
        .donation
        .post("/donations")
        .token(&donor.token)
        .json(&body)
        .send()
        .await
        .expect(201);
    let path = format!("/donations/{}", id(&donation));
    let settled = support::poll(&running.donation, &path, &donor.token, WAIT, |d| {
        d["status"] != "pending"
    })
    .await;
    assert_eq!(settled["status"], "confirmed");
    settled
}

/// `rater` rates the other party of `donation` once profile-service has heard
/// it went through; the answer.
async fn rate(running: &Running, rater: &Person, donation: &Value, score: i16) -> Value {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let answer = running
            .profile
            .post("/ratings")
            .token(&rater.token)
            .json(&json!({"donation_id": donation["id"], "score": score}))
            .send()
            .await;
        if answer.status.as_u16() == 201 || tokio::time::Instant::now() >= deadline {
            return answer.expect(201);
        }
        answer.assert_problem(409, "not_eligible");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Waits until profile-service has recorded `sql` (bound to `donation`) as true.
async fn profile_knows(running: &Running, sql: &str, donation: &Value) {
    let donation: Uuid = id(donation).parse().expect("uuid");
    let mut conn = running.main_db.connect().await;
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let known: bool = sqlx::query_scalar(sql)
            .bind(donation)
            .fetch_one(&mut conn)
            .await
            .expect("ask profile's tables");
        if known {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{sql} within {WAIT:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn an_anonymous_donor_is_named_to_no_one_but_themself_and_staff() {
    let mut running = start().await;
    let (alice, bob, stranger) = (Person::user(), Person::user(), Person::user());
    let staff = Person::staff();
    for (who, name) in [(&alice, "Elm Street shelter"), (&bob, "Bob Hidden")] {
        running
            .profile
            .put("/profiles/me")
            .token(&who.token)
            .json(&json!({"display_name": name}))
            .send()
            .await
            .expect(201);
    }
    let campaign = running
        .campaign
        .post("/campaigns")
        .token(&alice.token)
        .json(&json!({"title": "Blankets", "goal_minor": 50_000, "currency": "USD"}))
        .send()
        .await
        .expect(201);
    let request = running
        .request
        .post("/requests")
        .token(&alice.token)
        .json(&json!({"title": "Coats", "category": "clothing", "quantity_needed": 5}))
        .send()
        .await
        .expect(201);

    let gift = give_anonymously(
        &running,
        &bob,
        json!({"kind": "money", "campaign_id": campaign["id"], "amount_minor": 2_500, "currency": "USD"}),
    )
    .await;
    let pledge = json!({"kind": "item", "request_id": request["id"], "quantity": 1,
                        "item_description": "a wool coat"});
    let received = give_anonymously(&running, &bob, pledge.clone()).await;
    running
        .donation
        .post(&format!("/donations/{}/receive", id(&received)))
        .token(&alice.token)
        .send()
        .await
        .expect(200);
    let withdrawn = give_anonymously(&running, &bob, pledge).await;
    running
        .donation
        .post(&format!("/donations/{}/cancel", id(&withdrawn)))
        .token(&bob.token)
        .send()
        .await
        .expect(200);

    // Both rate each other on the gift; bob rates alice for the coat too.
    rate(&running, &bob, &gift, 5).await;
    let alices = rate(&running, &alice, &gift, 4).await;
    assert_eq!(
        alices["ratee_id"],
        Value::Null,
        "alice is not told whom she rated"
    );
    rate(&running, &bob, &received, 5).await;

    let bob_id = bob.id.to_string();
    let secrets = [bob_id.as_str(), "Bob Hidden"];
    let gift_path = format!("/donations/{}", id(&gift));
    let pages = [
        (&running.donation, gift_path.clone()),
        (&running.donation, format!("/donations/{}", id(&received))),
        (
            &running.donation,
            format!("/donations?campaign_id={}", id(&campaign)),
        ),
        (
            &running.donation,
            format!("/donations?request_id={}", id(&request)),
        ),
        (&running.profile, format!("/profiles/{}", alice.id)),
        (&running.profile, format!("/profiles/{}/ratings", alice.id)),
        (&running.profile, format!("/profiles/{}/ratings", bob.id)),
        (&running.campaign, format!("/campaigns/{}", id(&campaign))),
        (&running.request, format!("/requests/{}", id(&request))),
    ];
    for viewer in [None, Some(&stranger), Some(&alice)] {
        for (client, path) in &pages {
            let answer = get(client, path, viewer).await;
            shows_none(&answer, &secrets, path);
        }
    }
    // Bob's own ratings list ties him neither to alice nor to the gift.
    let bobs_ratings = format!("/profiles/{}/ratings", bob.id);
    let alice_id = alice.id.to_string();
    for viewer in [None, Some(&stranger)] {
        let answer = get(&running.profile, &bobs_ratings, viewer).await;
        shows_none(&answer, &[alice_id.as_str(), id(&gift)], &bobs_ratings);
    }
    let received_list = get(&running.donation, "/donations?received=true", Some(&alice)).await;
    assert_eq!(received_list["items"].as_array().map(Vec::len), Some(3));
    shows_none(&received_list, &secrets, "received=true");

    // The donor and staff see who gave.
    for viewer in [&bob, &staff] {
        let donation = get(&running.donation, &gift_path, Some(viewer)).await;
        assert_eq!(donation["donor_id"], bob_id);
        let ratings = get(
            &running.profile,
            &format!("/profiles/{}/ratings", alice.id),
            Some(viewer),
        )
        .await;
        assert!(ratings.to_string().contains(&bob_id), "{ratings}");
    }

    // Alice's notifications, and everything they link to, name no one.
    let expected = [
        "campaign.created",
        "campaign.donation_accepted",
        "donation.cancelled",
        "rating.created",
        "rating.created",
        "request.donation_accepted",
        "request.donation_accepted",
    ];
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
    let notes = support::poll(
        &running.messaging,
        "/notifications?limit=100",
        &alice.token,
        WAIT,
        |page| types(page) == expected,
    )
    .await;
    assert_eq!(types(&notes), expected, "{notes:#}");
    shows_none(&notes, &secrets, "alice's notifications");
    for note in notes["items"].as_array().expect("items") {
        let link_id = note["link"]["id"].as_str().expect("link id");
        let linked = match note["link"]["type"].as_str().expect("link type") {
            "campaign" => vec![(&running.campaign, format!("/campaigns/{link_id}"))],
            "request" => vec![(&running.request, format!("/requests/{link_id}"))],
            "donation" => vec![(&running.donation, format!("/donations/{link_id}"))],
            "profile" => vec![
                (&running.profile, format!("/profiles/{link_id}")),
                (&running.profile, format!("/profiles/{link_id}/ratings")),
            ],
            other => panic!("a link to a {other}"),
        };
        for (client, path) in linked {
            shows_none(&get(client, &path, Some(&alice)).await, &secrets, &path);
        }
    }
    running.shutdown().await;
}

#[tokio::test]
async fn a_refunded_donation_earns_no_new_rating() {
    let mut running = start().await;
    let (alice, bob) = (Person::user(), Person::user());
    let campaign = running
        .campaign
        .post("/campaigns")
        .token(&alice.token)
        .json(&json!({"title": "Blankets", "goal_minor": 50_000, "currency": "USD"}))
        .send()
        .await
        .expect(201);
    let gift = give_anonymously(
        &running,
        &bob,
        json!({"kind": "money", "campaign_id": campaign["id"], "amount_minor": 2_500, "currency": "USD"}),
    )
    .await;
    // profile-service has heard it went through: rateable, until the refund.
    profile_knows(
        &running,
        "select exists (select from profile.exchanges where donation_id = $1)",
        &gift,
    )
    .await;

    running
        .donation
        .post(&format!("/donations/{}/refund", id(&gift)))
        .token(&alice.token)
        .json(&json!({"reason": "sent twice"}))
        .send()
        .await
        .expect(200);
    profile_knows(
        &running,
        "select exists (select from profile.undone_exchanges where donation_id = $1)",
        &gift,
    )
    .await;

    for party in [&bob, &alice] {
        running
            .profile
            .post("/ratings")
            .token(&party.token)
            .json(&json!({"donation_id": gift["id"], "score": 1}))
            .send()
            .await
            .assert_problem(409, "not_eligible");
    }
    running.shutdown().await;
}
