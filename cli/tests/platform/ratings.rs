//! Ratings appear on a profile only after a real exchange: profile-service
//! learns from donation-service's events which donations went through.

use crate::support;

use std::time::Duration;

use crate::support::start;
use hearth_testkit::Person;
use serde_json::{json, Value};

#[tokio::test]
async fn a_rating_needs_the_items_received_and_then_shows_on_the_profile() {
    let mut running = start().await;
    let (alice, bob, stranger) = (Person::user(), Person::user(), Person::user());
    running
        .profile
        .put("/profiles/me")
        .token(&alice.token)
        .json(&json!({"display_name": "Elm Street shelter"}))
        .send()
        .await
        .expect(201);
    let request = running
        .request
        .post("/requests")
        .token(&alice.token)
        .json(&json!({"title": "Blankets", "category": "bedding", "quantity_needed": 3}))
        .send()
        .await
        .expect(201);
    let pledge = running
        .donation
        .post("/donations")
        .token(&bob.token)
        .json(
            &json!({"kind": "item", "request_id": request["id"], "quantity": 3,
                      "item_description": "wool blankets"}),
        )
        .send()
        .await
        .expect(201);
    let path = format!("/donations/{}", pledge["id"].as_str().expect("id"));
    let confirmed = support::poll(
        &running.donation,
        &path,
        &bob.token,
        Duration::from_secs(10),
        |d| d["status"] == "confirmed",
    )
    .await;
    assert_eq!(confirmed["status"], "confirmed");

    let rate = |who: &Person, score: i64| {
        running
            .profile
            .post("/ratings")
            .token(&who.token)
            .json(&json!({"donation_id": pledge["id"], "score": score}))
            .send()
    };
    // Promised is not delivered: too early.
    rate(&bob, 4).await.assert_problem(409, "not_eligible");

    running
        .donation
        .post(&format!("{path}/receive"))
        .token(&alice.token)
        .send()
        .await
        .expect(200);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    let rating: Value = loop {
        let answer = rate(&bob, 4).await;
        if answer.status == 201 || tokio::time::Instant::now() >= deadline {
            break answer.expect(201);
        }
        answer.assert_problem(409, "not_eligible");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(rating["ratee_id"], alice.id.to_string());
    rate(&bob, 5).await.assert_problem(409, "conflict");
    rate(&stranger, 1).await.assert_problem(409, "not_eligible");

    let profile = running
        .profile
        .get(&format!("/profiles/{}", alice.id))
        .send()
        .await
        .expect(200);
    assert_eq!(profile["rating_count"], 1);
    assert_eq!(profile["rating_avg"], 4.0);
    running.shutdown().await;
}
