use serde_json::json;

use crate::helpers::TestApp;
use hearth_testkit::Person;

#[tokio::test]
async fn the_owner_edits_a_campaign() {
    let app = TestApp::spawn().await;
    let owner = Person::user();
    let campaign = app.campaign(&owner, json!({})).await;

    let response = app
        .patch(
            &campaign["id"],
            &owner,
            json!({"title": "Warm blankets", "goal_minor": 75_000, "description": null,
                   "ends_at": "2099-06-01T00:00:00Z"}),
        )
        .await;

    let updated = response.expect(200);
    assert_eq!(response.header("etag"), Some("\"2\""));
    assert_eq!(updated["title"], "Warm blankets");
    assert_eq!(updated["goal_minor"], 75_000);
    assert!(updated["description"].is_null(), "null clears");
    assert_eq!(updated["category"], "community", "absent stays");
    assert_eq!(updated["ends_at"], "2099-06-01T00:00:00Z");
    assert_eq!(updated["version"], 2);
    assert_eq!(app.get(&campaign["id"], None).await.expect(200), updated);
}

#[tokio::test]
async fn who_may_edit() {
    let app = TestApp::spawn().await;
    let owner = Person::user();
    let campaign = app.campaign(&owner, json!({})).await;
    let path = format!("/campaigns/{}", campaign["id"].as_str().expect("id"));

    app.client
        .patch(&path)
        .json(&json!({"title": "Anonymous edit"}))
        .send()
        .await
        .assert_problem(401, "unauthenticated");
    app.patch(
        &campaign["id"],
        &Person::user(),
        json!({"title": "Stranger's edit"}),
    )
    .await
    .assert_problem(403, "forbidden");
    app.patch(&campaign["id"], &owner, json!({"title": "Owner's edit"}))
        .await
        .expect(200);
    let by_staff = app
        .patch(
            &campaign["id"],
            &Person::staff(),
            json!({"title": "Staff edit"}),
        )
        .await
        .expect(200);
    assert_eq!(by_staff["title"], "Staff edit");
}

#[tokio::test]
async fn a_stranger_cannot_learn_that_a_draft_exists() {
    let app = TestApp::spawn().await;
    let draft = app
        .campaign(&Person::user(), json!({"status": "draft"}))
        .await;
    app.patch(&draft["id"], &Person::user(), json!({"title": "Mine now"}))
        .await
        .assert_problem(404, "not_found");
}

#[tokio::test]
async fn final_and_suspended_campaigns_cannot_be_edited() {
    let app = TestApp::spawn().await;
    let owner = Person::user();
    let staff = Person::staff();
    for (status, by) in [
        ("completed", &owner),
        ("cancelled", &owner),
        ("suspended", &staff),
    ] {
        let campaign = app.campaign(&owner, json!({})).await;
        app.set_status(&campaign["id"], by, status)
            .await
            .expect(200);
        app.patch(&campaign["id"], &staff, json!({"title": "Too late"}))
            .await
            .assert_problem(409, "invalid_state");
    }
}

#[tokio::test]
async fn if_match_guards_against_lost_updates() {
    let app = TestApp::spawn().await;
    let owner = Person::user();
    let campaign = app.campaign(&owner, json!({})).await;
    let path = format!("/campaigns/{}", campaign["id"].as_str().expect("id"));
    let edit = |etag: &str, title: &str| {
        app.client
            .patch(&path)
            .token(&owner.token)
            .header("if-match", etag)
            .json(&json!({"title": title}))
    };

    edit("\"1\"", "First writer").send().await.expect(200);
    let problem = edit("\"1\"", "Second writer, stale")
        .send()
        .await
        .assert_problem(412, "version_mismatch");
    assert!(problem["detail"]
        .as_str()
        .expect("detail")
        .contains("\"2\""));
    edit("W/\"2\"", "Second writer, fresh")
        .send()
        .await
        .expect(200);
    edit("*", "Anyone").send().await.expect(200);
    edit("2", "Unquoted")
        .send()
        .await
        .assert_problem(400, "bad_query");

    let current = app.get(&campaign["id"], None).await.expect(200);
    assert_eq!(current["title"], "Anyone");
    assert_eq!(current["version"], 4);
}

#[tokio::test]
async fn if_match_also_guards_status_changes() {
    let app = TestApp::spawn().await;
    let owner = Person::user();
    let campaign = app.campaign(&owner, json!({})).await;
    app.patch(&campaign["id"], &owner, json!({"title": "Changed"}))
        .await
        .expect(200);
    app.client
        .post(&format!(
            "/campaigns/{}/status",
            campaign["id"].as_str().expect("id")
        ))
        .token(&owner.token)
        .header("if-match", "\"1\"")
        .json(&json!({"status": "paused"}))
        .send()
        .await
        .assert_problem(412, "version_mismatch");
}

#[tokio::test]
async fn an_edit_that_changes_nothing_keeps_the_version() {
    let app = TestApp::spawn().await;
    let owner = Person::user();
    let campaign = app.campaign(&owner, json!({})).await;
    let same = app
        .patch(
            &campaign["id"],
            &owner,
            json!({"title": campaign["title"], "category": "community"}),
        )
        .await
        .expect(200);
    assert_eq!(same["version"], 1);
    let empty = app
        .patch(&campaign["id"], &owner, json!({}))
        .await
        .expect(200);
    assert_eq!(empty, campaign);
}

#[tokio::test]
async fn invalid_edits_are_listed_and_change_nothing() {
    let app = TestApp::spawn().await;
    let owner = Person::user();
    let campaign = app.campaign(&owner, json!({})).await;
    let problem = app
        .patch(
            &campaign["id"],
            &owner,
            json!({"title": "no", "goal_minor": 0, "ends_at": "2000-01-01T00:00:00Z", "category": ""}),
        )
        .await
        .assert_problem(422, "validation_failed");
    assert_eq!(problem["errors"].as_array().expect("errors").len(), 4);
    app.patch(&campaign["id"], &owner, json!({"status": "completed"}))
        .await
        .assert_problem(422, "validation_failed");
    app.patch(&campaign["id"], &owner, json!({"currency": "EUR"}))
        .await
        .assert_problem(422, "validation_failed");
    assert_eq!(app.get(&campaign["id"], None).await.expect(200), campaign);
}
