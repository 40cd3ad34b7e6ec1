//! Staff suspend and reinstate people; a suspended person's writes are refused.

use serde_json::json;

use crate::helpers::TestApp;
use hearth_testkit::Person;

#[tokio::test]
async fn staff_suspend_and_reinstate_and_nobody_else_may() {
    let app = TestApp::spawn().await;
    let mallory = Person::user();
    app.profile(&mallory, "Mallory").await;

    app.standing("suspend", mallory.id, None)
        .await
        .assert_problem(401, "unauthenticated");
    for who in [&mallory, &Person::user()] {
        app.standing("suspend", mallory.id, Some(who))
            .await
            .assert_problem(403, "forbidden");
    }
    let staff = Person::staff();
    let standing = app
        .client
        .post(&format!("/profiles/{}/suspend", mallory.id))
        .token(&staff.token)
        .json(&json!({"reason": "fraud"}))
        .send()
        .await
        .expect(200);
    assert_eq!(standing["status"], "suspended");
    assert_eq!(standing["reason"], "fraud");
    app.standing("suspend", mallory.id, Some(&staff))
        .await
        .assert_problem(409, "invalid_state");
    let suspended = app.get_profile(mallory.id).await;
    assert_eq!(suspended.expect(200)["status"], "suspended");
    // The status is a field of the profile: a new version, a new ETag.
    assert_eq!(suspended.expect(200)["version"], 2);
    assert_eq!(suspended.header("etag"), Some("\"2\""));

    // Every write of theirs is refused here at once; reads are not.
    app.put_profile(&mallory, json!({"display_name": "Mallory"}))
        .await
        .assert_problem(403, "account_suspended");
    app.report(&mallory, "profile", staff.id)
        .await
        .assert_problem(403, "account_suspended");
    app.client
        .get("/profiles/me")
        .token(&mallory.token)
        .send()
        .await
        .expect(200);

    app.standing("reinstate", mallory.id, Some(&mallory))
        .await
        .assert_problem(403, "account_suspended");
    app.standing("reinstate", mallory.id, Some(&Person::user()))
        .await
        .assert_problem(403, "forbidden");
    let back = app
        .standing("reinstate", mallory.id, Some(&staff))
        .await
        .expect(200);
    assert_eq!(back["status"], "active");
    app.standing("reinstate", mallory.id, Some(&staff))
        .await
        .assert_problem(409, "invalid_state");
    app.put_profile(&mallory, json!({"display_name": "Mallory, reformed"}))
        .await
        .expect(200);

    let suspended = app.events("profile.suspended").await;
    let reinstated = app.events("profile.reinstated").await;
    assert_eq!((suspended.len(), reinstated.len()), (1, 1));
    assert_eq!(
        suspended[0]["data"],
        json!({"profile_id": mallory.id, "reason": "fraud"})
    );
}

#[tokio::test]
async fn a_person_without_a_profile_can_be_suspended() {
    let app = TestApp::spawn().await;
    let stranger = Person::user();
    let staff = Person::staff();
    app.standing("suspend", stranger.id, Some(&staff))
        .await
        .expect(200);
    app.put_profile(&stranger, json!({"display_name": "New here"}))
        .await
        .assert_problem(403, "account_suspended");
}

#[tokio::test]
async fn a_hidden_rating_leaves_the_profile_and_suspend_user_reaches_its_author() {
    use hearth_events::donation::DonationKind;
    let app = TestApp::spawn().await;
    let (donor, recipient) = (Person::user(), Person::user());
    app.profile(&recipient, "Shelter").await;
    let donation = app.exchange(DonationKind::Money, &donor, &recipient).await;
    let rating = app.rate(&donor, donation, 1).await.expect(201);
    assert_eq!(
        app.get_profile(recipient.id).await.expect(200)["rating_count"],
        1
    );

    let rating_id = rating["id"].as_str().expect("id").parse().expect("uuid");
    let report = app
        .report(&recipient, "rating", rating_id)
        .await
        .expect(201);
    app.resolve(
        &report,
        &Person::staff(),
        json!({"resolution": "actioned", "action": "hide_target"}),
    )
    .await
    .expect(200);
    let profile = app.get_profile(recipient.id).await.expect(200);
    assert_eq!(
        (
            profile["rating_count"].clone(),
            profile["rating_avg"].clone()
        ),
        (json!(0), json!(null))
    );
    assert_eq!(profile["version"], 3, "rated, then the rating hidden");
    let listed = app
        .client
        .get(&format!("/profiles/{}/ratings", recipient.id))
        .send()
        .await
        .expect(200);
    assert_eq!(listed["items"], json!([]));

    let again = app
        .report(&Person::user(), "rating", rating_id)
        .await
        .expect(201);
    app.resolve(
        &again,
        &Person::staff(),
        json!({"resolution": "actioned", "action": "suspend_user"}),
    )
    .await
    .expect(200);
    app.report(&donor, "profile", recipient.id)
        .await
        .assert_problem(403, "account_suspended");
}

#[tokio::test]
async fn two_staff_suspending_one_person_at_once_suspend_once() {
    let app = TestApp::spawn().await;
    let mallory = Person::user();
    for _ in 0..5 {
        let (first, second) = (Person::staff(), Person::staff());
        let (a, b) = tokio::join!(
            app.standing("suspend", mallory.id, Some(&first)),
            app.standing("suspend", mallory.id, Some(&second)),
        );
        let mut statuses = [a.status.as_u16(), b.status.as_u16()];
        statuses.sort_unstable();
        assert_eq!(statuses, [200, 409]);
        let (a, b) = tokio::join!(
            app.standing("reinstate", mallory.id, Some(&first)),
            app.standing("reinstate", mallory.id, Some(&second)),
        );
        let mut statuses = [a.status.as_u16(), b.status.as_u16()];
        statuses.sort_unstable();
        assert_eq!(statuses, [200, 409]);
    }
    assert_eq!(app.events("profile.suspended").await.len(), 5);
    assert_eq!(app.events("profile.reinstated").await.len(), 5);
}

#[tokio::test]
async fn a_decision_after_one_stamped_by_a_clock_ahead_still_takes_effect() {
    let app = TestApp::spawn().await;
    let mallory = Person::user();
    app.profile(&mallory, "Mallory").await;
    let staff = Person::staff();
    app.standing("suspend", mallory.id, Some(&staff))
        .await
        .expect(200);
    // The suspension came from an instance whose clock runs a minute ahead.
    let mut conn = app.db.connect().await;
    sqlx::query(
        "update profile.account_suspensions set decided_at = now() + interval '1 minute' where user_id = $1",
    )
    .bind(mallory.id)
    .execute(&mut conn)
    .await
    .expect("skew");

    let back = app
        .standing("reinstate", mallory.id, Some(&staff))
        .await
        .expect(200);
    assert_eq!(back["status"], "active");
    assert_eq!(
        app.get_profile(mallory.id).await.expect(200)["status"],
        "active"
    );
    let events = app.events("profile.reinstated").await;
    let suspended_until: chrono::DateTime<chrono::Utc> =
        sqlx::query_scalar("select decided_at from profile.account_suspensions where user_id = $1")
            .bind(mallory.id)
            .fetch_one(&mut conn)
            .await
            .expect("decision");
    assert_eq!(
        events[0]["time"]
            .as_str()
            .and_then(|t| t.parse::<chrono::DateTime<chrono::Utc>>().ok()),
        Some(suspended_until),
        "the event carries the time every service records"
    );
}
