//! A rating on an anonymous donation never names its donor, nor the donation,
//! to anyone but that donor and staff: not in the lists of either party, not
//! on their profiles, not in the answer to the recipient who rates them.

use hearth_events::donation::DonationKind;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::helpers::{completed, TestApp};
use hearth_testkit::Person;

/// Everyone who may look: no token, a stranger, the two parties, staff.
struct Viewers {
    donor: Person,
    recipient: Person,
    stranger: Person,
    staff: Person,
}

impl Viewers {
    fn new() -> Self {
        Self {
            donor: Person::user(),
            recipient: Person::user(),
            stranger: Person::user(),
            staff: Person::staff(),
        }
    }
}

async fn ratings_of(app: &TestApp, id: Uuid, viewer: Option<&Person>) -> Value {
    app.client
        .get(&format!("/profiles/{id}/ratings"))
        .maybe_token(viewer.map(|p| p.token.as_str()))
        .send()
        .await
        .expect(200)
}

/// The one rating of a list.
fn only(page: &Value) -> &Value {
    let items = page["items"].as_array().expect("items");
    assert_eq!(items.len(), 1, "{page}");
    &items[0]
}

/// Neither the donor's id nor the donation's appears anywhere in `answer`.
fn names_neither(answer: &Value, donor: &Person, donation: Uuid) {
    let text = answer.to_string();
    assert!(
        !text.contains(&donor.id.to_string()),
        "names the donor: {text}"
    );
    assert!(
        !text.contains(&donation.to_string()),
        "names the donation: {text}"
    );
}

#[tokio::test]
async fn an_anonymous_donors_rating_of_the_recipient_hides_them_from_all_but_them_and_staff() {
    let app = TestApp::spawn().await;
    let v = Viewers::new();
    app.profile(&v.recipient, "Shelter").await;
    let donation = app
        .exchange_as(DonationKind::Money, &v.donor, &v.recipient, true)
        .await;

    let answer = app.rate(&v.donor, donation, 5).await.expect(201);
    assert_eq!(
        answer["rater_id"],
        v.donor.id.to_string(),
        "the donor sees themself"
    );
    assert_eq!(answer["donation_id"], donation.to_string());
    assert_eq!(answer["anonymous"], true);

    for viewer in [None, Some(&v.stranger), Some(&v.recipient)] {
        let page = ratings_of(&app, v.recipient.id, viewer).await;
        let rating = only(&page);
        assert_eq!(rating["rater_id"], Value::Null);
        assert_eq!(rating["donation_id"], Value::Null);
        assert_eq!(rating["ratee_id"], v.recipient.id.to_string());
        assert_eq!(rating["score"], 5);
        assert_eq!(rating["anonymous"], true);
        names_neither(&page, &v.donor, donation);
    }
    for viewer in [&v.donor, &v.staff] {
        let page = ratings_of(&app, v.recipient.id, Some(viewer)).await;
        assert_eq!(only(&page)["rater_id"], v.donor.id.to_string());
        assert_eq!(only(&page)["donation_id"], donation.to_string());
    }
    let profile = app.get_profile(v.recipient.id).await.expect(200);
    assert_eq!(
        (
            profile["rating_count"].clone(),
            profile["rating_avg"].clone()
        ),
        (json!(1), json!(5.0))
    );
    names_neither(&profile, &v.donor, donation);
}

#[tokio::test]
async fn the_recipient_rating_an_anonymous_donor_is_not_told_who_they_rated() {
    let app = TestApp::spawn().await;
    let v = Viewers::new();
    app.profile(&v.donor, "Dana").await;
    let donation = app
        .exchange_as(DonationKind::Money, &v.donor, &v.recipient, true)
        .await;

    let response = app.rate(&v.recipient, donation, 2).await;
    let answer = response.expect(201);
    assert_eq!(answer["rater_id"], v.recipient.id.to_string());
    assert_eq!(answer["ratee_id"], Value::Null);
    assert_eq!(answer["donation_id"], Value::Null);
    assert_eq!(response.header("location"), None, "it would name the donor");
    names_neither(&answer, &v.donor, donation);

    // The donor's own list does not tie them to the recipient or the donation.
    for viewer in [None, Some(&v.stranger)] {
        let page = ratings_of(&app, v.donor.id, viewer).await;
        let rating = only(&page);
        assert_eq!(
            (
                &rating["rater_id"],
                &rating["ratee_id"],
                &rating["donation_id"]
            ),
            (&Value::Null, &Value::Null, &Value::Null)
        );
        assert_eq!(rating["score"], 2);
        let text = page.to_string();
        assert!(!text.contains(&v.recipient.id.to_string()), "{text}");
        assert!(!text.contains(&donation.to_string()), "{text}");
    }
    let seen_by_recipient = ratings_of(&app, v.donor.id, Some(&v.recipient)).await;
    assert_eq!(
        only(&seen_by_recipient)["rater_id"],
        v.recipient.id.to_string()
    );
    names_neither(&seen_by_recipient, &v.donor, donation);
    for viewer in [&v.donor, &v.staff] {
        let page = ratings_of(&app, v.donor.id, Some(viewer)).await;
        assert_eq!(only(&page)["rater_id"], v.recipient.id.to_string());
        assert_eq!(only(&page)["ratee_id"], v.donor.id.to_string());
        assert_eq!(only(&page)["donation_id"], donation.to_string());
    }
    // The score still counts.
    let profile = app.get_profile(v.donor.id).await.expect(200);
    assert_eq!(profile["rating_count"], 1);
    assert_eq!(profile["rating_avg"], 2.0);

    // The event tells its consumers not to name the donor.
    let events = app.events("rating.created").await;
    assert_eq!(events[0]["data"]["anonymous"], true);
}

#[tokio::test]
async fn a_replayed_rating_answer_hides_the_anonymous_donor_too() {
    let app = TestApp::spawn().await;
    let v = Viewers::new();
    let donation = app
        .exchange_as(DonationKind::Money, &v.donor, &v.recipient, true)
        .await;
    let send = || {
        app.client
            .post("/ratings")
            .token(&v.recipient.token)
            .header("idempotency-key", "rate-anonymous")
            .json(&json!({"donation_id": donation, "score": 3}))
            .send()
    };
    send().await.expect(201);
    app.db
        .lose_idempotent_answer("profile", "rate-anonymous")
        .await;

    let again = send().await.expect(201);

    names_neither(&again, &v.donor, donation);
    assert_eq!(again["rater_id"], v.recipient.id.to_string());
}

#[tokio::test]
async fn an_anonymous_item_donation_hides_its_donor_and_so_does_an_older_event_that_does_not_say() {
    let app = TestApp::spawn().await;
    let v = Viewers::new();
    let pledge = app
        .exchange_as(DonationKind::Item, &v.donor, &v.recipient, true)
        .await;
    let mut older = completed(Uuid::now_v7(), &v.donor, &v.recipient);
    older.data.anonymous = None;
    app.handle(&older).await;

    app.rate(&v.donor, pledge, 4).await.expect(201);
    app.rate(&v.donor, older.data.donation_id, 3)
        .await
        .expect(201);

    let page = ratings_of(&app, v.recipient.id, Some(&v.stranger)).await;
    assert_eq!(page["items"].as_array().map(Vec::len), Some(2));
    names_neither(&page, &v.donor, pledge);
    names_neither(&page, &v.donor, older.data.donation_id);
}

#[tokio::test]
async fn a_named_donors_ratings_show_everyone_both_parties() {
    let app = TestApp::spawn().await;
    let v = Viewers::new();
    let donation = app
        .exchange_as(DonationKind::Money, &v.donor, &v.recipient, false)
        .await;
    let answer = app.rate(&v.recipient, donation, 4).await;
    assert_eq!(
        answer.header("location"),
        Some(format!("/profiles/{}/ratings", v.donor.id).as_str())
    );
    app.rate(&v.donor, donation, 5).await.expect(201);

    for (ratee, rater) in [(&v.donor, &v.recipient), (&v.recipient, &v.donor)] {
        let rating = only(&ratings_of(&app, ratee.id, None).await).clone();
        assert_eq!(rating["rater_id"], rater.id.to_string());
        assert_eq!(rating["ratee_id"], ratee.id.to_string());
        assert_eq!(rating["donation_id"], donation.to_string());
        assert_eq!(rating["anonymous"], false);
    }
}
