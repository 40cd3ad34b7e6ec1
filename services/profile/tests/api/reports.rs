use serde_json::{json, Value};
use uuid::Uuid;

use crate::helpers::TestApp;
use hearth_testkit::Person;

#[tokio::test]
async fn a_user_reports_once_per_target_while_it_is_open() {
    let app = TestApp::spawn().await;
    let (alice, bob) = (Person::user(), Person::user());
    let target = Uuid::new_v4();

    let response = app.report(&alice, "campaign", target).await;
    let report = response.expect(201);
    assert_eq!(report["status"], "open");
    assert_eq!(report["reporter_id"], alice.id.to_string());
    assert_eq!(report["target_type"], "campaign");
    assert_eq!(report["reason"], "fraud");
    app.report(&alice, "campaign", target)
        .await
        .assert_problem(409, "conflict");
    app.report(&bob, "campaign", target).await.expect(201);
    app.report(&alice, "request", target).await.expect(201);

    app.resolve(
        &report,
        &Person::staff(),
        json!({"resolution": "dismissed"}),
    )
    .await
    .expect(200);
    app.report(&alice, "campaign", target).await.expect(201);
    let created = app.events("report.created").await;
    assert_eq!(created.len(), 4);
    assert_eq!(
        created[0]["data"],
        json!({"report_id": report["id"], "reporter_id": alice.id, "target_type": "campaign",
               "target_id": target, "reason": "fraud"})
    );
    app.client
        .post("/reports")
        .token(&alice.token)
        .json(&json!({"target_type": "planet", "target_id": target, "reason": "fraud"}))
        .send()
        .await
        .assert_problem(422, "validation_failed");
}

#[tokio::test]
async fn a_report_whose_answer_was_lost_is_not_filed_again_after_it_was_resolved() {
    let app = TestApp::spawn().await;
    let alice = Person::user();
    let target = Uuid::new_v4();
    let send = || {
        app.client
            .post("/reports")
            .token(&alice.token)
            .header("idempotency-key", "report-1")
            .json(&json!({"target_type": "campaign", "target_id": target, "reason": "fraud"}))
            .send()
    };
    let report = send().await.expect(201);
    app.db.lose_idempotent_answer("profile", "report-1").await;
    // Resolved meanwhile, so no open report stands in the way of a second one.
    app.resolve(
        &report,
        &Person::staff(),
        json!({"resolution": "dismissed"}),
    )
    .await
    .expect(200);

    let again = send().await.expect(201);

    assert_eq!(again["id"], report["id"], "the report the first run filed");
    assert_eq!(again["status"], "dismissed", "as it reads now");
    assert_eq!(app.events("report.created").await.len(), 1);
}

#[tokio::test]
async fn the_reporter_and_staff_read_a_report_nobody_else_does() {
    let app = TestApp::spawn().await;
    let alice = Person::user();
    let report = app
        .report(&alice, "profile", Uuid::new_v4())
        .await
        .expect(201);
    let path = format!("/reports/{}", report["id"].as_str().expect("id"));

    let get = |token: Option<String>| app.client.get(&path).maybe_token(token.as_deref()).send();
    assert_eq!(get(Some(alice.token.clone())).await.expect(200), report);
    assert_eq!(get(Some(Person::staff().token)).await.expect(200), report);
    get(Some(Person::user().token))
        .await
        .assert_problem(404, "not_found");
    get(None).await.assert_problem(401, "unauthenticated");
}

#[tokio::test]
async fn listing_and_resolving_are_for_staff_only() {
    let app = TestApp::spawn().await;
    let alice = Person::user();
    let report = app
        .report(&alice, "campaign", Uuid::new_v4())
        .await
        .expect(201);
    let resolution = json!({"resolution": "actioned", "action": "hide_target"});

    for who in [&alice, &Person::user()] {
        app.client
            .get("/reports")
            .token(&who.token)
            .send()
            .await
            .assert_problem(403, "forbidden");
        app.resolve(&report, who, resolution.clone())
            .await
            .assert_problem(403, "forbidden");
    }
    app.client
        .get("/reports")
        .send()
        .await
        .assert_problem(401, "unauthenticated");
    app.client
        .post(&format!(
            "/reports/{}/resolve",
            report["id"].as_str().expect("id")
        ))
        .json(&resolution)
        .send()
        .await
        .assert_problem(401, "unauthenticated");

    let staff = Person::staff();
    let open = app
        .client
        .get("/reports?status=open")
        .token(&staff.token)
        .send()
        .await
        .expect(200);
    assert_eq!(open["items"].as_array().map(Vec::len), Some(1));
    let resolved = app
        .resolve(&report, &staff, resolution.clone())
        .await
        .expect(200);
    assert_eq!(resolved["status"], "actioned");
    assert_eq!(resolved["action"], "hide_target");
    assert_eq!(resolved["resolved_by"], staff.id.to_string());
    app.resolve(&report, &staff, resolution)
        .await
        .assert_problem(409, "invalid_state");
    let open = app
        .client
        .get("/reports?status=open")
        .token(&staff.token)
        .send()
        .await
        .expect(200);
    assert_eq!(open["items"], json!([]));
    let events = app.events("report.resolved").await;
    assert_eq!(events.len(), 1);
    assert_eq!(
        events[0]["data"],
        json!({"report_id": report["id"], "reporter_id": alice.id, "target_type": "campaign",
               "target_id": report["target_id"], "resolution": "actioned", "action": "hide_target"})
    );
}

#[tokio::test]
async fn an_action_that_does_not_fit_the_target_is_refused() {
    let app = TestApp::spawn().await;
    let staff = Person::staff();
    let reporter = Person::user();
    let on = |target_type: &'static str| app.report(&reporter, target_type, Uuid::new_v4());
    let donation = on("donation").await.expect(201);
    app.resolve(
        &donation,
        &staff,
        json!({"resolution": "actioned", "action": "hide_target"}),
    )
    .await
    .assert_problem(422, "validation_failed");
    let campaign = on("campaign").await.expect(201);
    app.resolve(
        &campaign,
        &staff,
        json!({"resolution": "actioned", "action": "suspend_user"}),
    )
    .await
    .assert_problem(422, "validation_failed");
    app.resolve(
        &campaign,
        &staff,
        json!({"resolution": "dismissed", "action": "hide_target"}),
    )
    .await
    .assert_problem(422, "validation_failed");
    assert!(app.events("report.resolved").await.is_empty());
}

#[tokio::test]
async fn suspend_user_on_a_profile_report_suspends_the_person() {
    let app = TestApp::spawn().await;
    let mallory = Person::user();
    app.profile(&mallory, "Mallory").await;
    let report: Value = app
        .report(&Person::user(), "profile", mallory.id)
        .await
        .expect(201);

    app.resolve(
        &report,
        &Person::staff(),
        json!({"resolution": "actioned", "action": "suspend_user", "note": "scam"}),
    )
    .await
    .expect(200);
    let profile = app.get_profile(mallory.id).await.expect(200);
    assert_eq!(profile["status"], "suspended");
    let suspended = app.events("profile.suspended").await;
    assert_eq!(suspended.len(), 1);
    assert_eq!(suspended[0]["data"]["profile_id"], mallory.id.to_string());
    app.put_profile(&mallory, json!({"display_name": "Mallory again"}))
        .await
        .assert_problem(403, "account_suspended");
}

#[tokio::test]
async fn anonymous_callers_and_service_tokens_without_a_user_cannot_report() {
    let app = TestApp::spawn().await;
    let body = json!({"target_type": "campaign", "target_id": Uuid::new_v4(), "reason": "fraud"});
    app.client
        .post("/reports")
        .json(&body)
        .send()
        .await
        .assert_problem(401, "unauthenticated");
    app.client
        .post("/reports")
        .token(&hearth_testkit::service_token())
        .json(&body)
        .send()
        .await
        .assert_problem(403, "forbidden");
}
