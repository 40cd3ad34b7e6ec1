//! Who may rate whom: only the two parties of a donation that went through,
//! each once, the other party — learnt from donation-service's events.

use hearth_events::donation::DonationKind;
use serde_json::json;
use uuid::Uuid;

use crate::helpers::{completed, confirmed, refunded, TestApp};
use hearth_testkit::Person;

#[tokio::test]
async fn the_parties_of_a_confirmed_money_donation_rate_each_other_once() {
    let app = TestApp::spawn().await;
    let (donor, recipient) = (Person::user(), Person::user());
    app.profile(&recipient, "Shelter").await;
    let donation = app.exchange(DonationKind::Money, &donor, &recipient).await;

    let response = app.rate(&donor, donation, 5).await;
    let rating = response.expect(201);
    assert_eq!(rating["rater_id"], donor.id.to_string());
    assert_eq!(
        rating["ratee_id"],
        recipient.id.to_string(),
        "the other party"
    );
    assert_eq!(rating["score"], 5);
    app.rate(&donor, donation, 4)
        .await
        .assert_problem(409, "conflict");
    let back = app.rate(&recipient, donation, 4).await.expect(201);
    assert_eq!(back["ratee_id"], donor.id.to_string());

    let events = app.events("rating.created").await;
    assert_eq!(events.len(), 2);
    assert_eq!(
        events[0]["data"],
        json!({"rating_id": rating["id"], "donation_id": donation, "rater_id": donor.id,
               "ratee_id": recipient.id, "score": 5, "anonymous": false})
    );
}

#[tokio::test]
async fn a_rating_whose_answer_was_lost_gets_it_again_not_a_conflict() {
    let app = TestApp::spawn().await;
    let (donor, recipient) = (Person::user(), Person::user());
    let donation = app.exchange(DonationKind::Money, &donor, &recipient).await;
    let send = || {
        app.client
            .post("/ratings")
            .token(&donor.token)
            .header("idempotency-key", "rate-1")
            .json(&json!({"donation_id": donation, "score": 5}))
            .send()
    };
    let first = send().await.expect(201);
    app.db.lose_idempotent_answer("profile", "rate-1").await;

    let again = send().await.expect(201);

    assert_eq!(again, first);
    assert_eq!(app.events("rating.created").await.len(), 1);
}

#[tokio::test]
async fn too_early_a_stranger_and_oneself_are_not_eligible() {
    let app = TestApp::spawn().await;
    let (donor, recipient, stranger) = (Person::user(), Person::user(), Person::user());

    // Too early: profile-service has not heard that the donation went through.
    app.rate(&donor, Uuid::now_v7(), 5)
        .await
        .assert_problem(409, "not_eligible");
    // An item donation is rateable once received, not when merely confirmed.
    let pledged = Uuid::now_v7();
    app.broker
        .publish(&confirmed(pledged, DonationKind::Item, &donor, &recipient))
        .await;
    app.wait_for_handled(1).await;
    app.rate(&donor, pledged, 5)
        .await
        .assert_problem(409, "not_eligible");
    app.broker
        .publish(&completed(pledged, &donor, &recipient))
        .await;
    app.wait_for_handled(2).await;
    app.rate(&donor, pledged, 5).await.expect(201);

    // A stranger to the donation.
    let donation = app.exchange(DonationKind::Money, &donor, &recipient).await;
    app.rate(&stranger, donation, 1)
        .await
        .assert_problem(409, "not_eligible");
    // A donation to oneself never rates oneself.
    let alone = app.exchange(DonationKind::Money, &donor, &donor).await;
    app.rate(&donor, alone, 5)
        .await
        .assert_problem(409, "not_eligible");
    app.client
        .post("/ratings")
        .json(&json!({"donation_id": donation, "score": 5}))
        .send()
        .await
        .assert_problem(401, "unauthenticated");
    for score in [0, 6] {
        app.rate(&donor, donation, score)
            .await
            .assert_problem(422, "validation_failed");
    }
    assert_eq!(
        app.db.scalar("select count(*) from profile.ratings").await,
        1
    );
}

#[tokio::test]
async fn ratings_add_up_on_the_profile_and_list_newest_first() {
    let app = TestApp::spawn().await;
    let recipient = Person::user();
    app.profile(&recipient, "Shelter").await;
    for score in [5, 4, 4] {
        let donor = Person::user();
        let donation = app.exchange(DonationKind::Money, &donor, &recipient).await;
        app.rate(&donor, donation, score).await.expect(201);
    }
    let profile = app.get_profile(recipient.id).await.expect(200);
    assert_eq!(profile["rating_count"], 3);
    assert_eq!(profile["rating_avg"], 4.33);
    assert_eq!(profile["version"], 4, "each rating changed the profile");

    let page = app
        .client
        .get(&format!("/profiles/{}/ratings?limit=2", recipient.id))
        .send()
        .await
        .expect(200);
    let scores: Vec<i64> = page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|r| r["score"].as_i64().expect("score"))
        .collect();
    assert_eq!(scores, [4, 4]);
    assert!(page["next_cursor"].is_string());
}

#[tokio::test]
async fn a_redelivered_exchange_is_remembered_once() {
    let app = TestApp::spawn().await;
    let (donor, recipient) = (Person::user(), Person::user());
    let event = confirmed(Uuid::now_v7(), DonationKind::Money, &donor, &recipient);
    for _ in 0..3 {
        app.broker.publish(&event).await;
    }
    app.wait_for_handled(1).await;
    app.client
        .wait_for_metric(r#"hearth_events_duplicate_total{service="profile"}"#, 2.0)
        .await;
    assert_eq!(
        app.db
            .scalar("select count(*) from profile.exchanges")
            .await,
        1
    );
    assert_eq!(app.db.scalar("select count(*) from profile.inbox").await, 1);
}

#[tokio::test]
async fn a_refund_ends_the_exchange_but_keeps_the_rating_made_before_it() {
    let app = TestApp::spawn().await;
    let (donor, recipient) = (Person::user(), Person::user());
    app.profile(&recipient, "Shelter").await;
    let donation = app.exchange(DonationKind::Money, &donor, &recipient).await;
    app.rate(&donor, donation, 1).await.expect(201);

    // Delivered twice: the second is a harmless duplicate.
    let refund = refunded(donation, &donor, &recipient);
    app.handle(&refund).await;
    app.broker.publish(&refund).await;
    app.client
        .wait_for_metric(r#"hearth_events_duplicate_total{service="profile"}"#, 1.0)
        .await;

    app.rate(&recipient, donation, 5)
        .await
        .assert_problem(409, "not_eligible");
    assert_eq!(
        app.db
            .scalar("select count(*) from profile.undone_exchanges")
            .await,
        1
    );
    // The rating made before stands: the recipient cannot erase it by refunding.
    let profile = app.get_profile(recipient.id).await.expect(200);
    assert_eq!(profile["rating_count"], 1);
    assert_eq!(profile["rating_avg"], 1.0);
    assert_eq!(app.events("rating.created").await.len(), 1);
}

#[tokio::test]
async fn a_refund_handled_before_its_confirmation_still_ends_the_exchange() {
    let app = TestApp::spawn().await;
    let (donor, recipient) = (Person::user(), Person::user());
    let donation = Uuid::now_v7();
    app.handle(&refunded(donation, &donor, &recipient)).await;
    app.handle(&confirmed(
        donation,
        DonationKind::Money,
        &donor,
        &recipient,
    ))
    .await;

    for party in [&donor, &recipient] {
        app.rate(party, donation, 5)
            .await
            .assert_problem(409, "not_eligible");
    }
    assert_eq!(
        app.db.scalar("select count(*) from profile.ratings").await,
        0
    );
}
