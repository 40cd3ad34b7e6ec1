use serde_json::json;

use crate::helpers::TestApp;
use hearth_testkit::Person;

#[tokio::test]
async fn the_owner_edits_a_request() {
    let app = TestApp::spawn().await;
    let owner = Person::user();
    let request = app.request(&owner, json!({})).await;

    let response = app
        .patch(
            &request["id"],
            &owner,
            json!({"title": "Wool blankets", "quantity_needed": 12, "location": null,
                   "needed_by": "2099-06-01T00:00:00Z"}),
        )
        .await;

    let updated = response.expect(200);
    assert_eq!(response.header("etag"), Some("\"2\""));
    assert_eq!(updated["title"], "Wool blankets");
    assert_eq!(updated["quantity_needed"], 12);
    assert!(updated["location"].is_null(), "null clears");
    assert_eq!(updated["category"], "bedding", "absent stays");
    assert_eq!(updated["needed_by"], "2099-06-01T00:00:00Z");
    let events = app.events("request.updated").await;
    assert_eq!(events.len(), 1);
    assert_eq!(
        events[0]["data"]["changes"],
        json!({"title": "Wool blankets", "quantity_needed": 12, "location": null,
               "needed_by": "2099-06-01T00:00:00Z"})
    );

    let same = app
        .patch(&request["id"], &owner, json!({"title": "Wool blankets"}))
        .await
        .expect(200);
    assert_eq!(same["version"], 2, "an unchanged patch changes nothing");
    assert_eq!(app.events("request.updated").await.len(), 1);
}

#[tokio::test]
async fn who_may_edit() {
    let app = TestApp::spawn().await;
    let owner = Person::user();
    let request = app.request(&owner, json!({})).await;
    let path = format!("/requests/{}", request["id"].as_str().expect("id"));

    app.client
        .patch(&path)
        .json(&json!({"title": "Anonymous edit"}))
        .send()
        .await
        .assert_problem(401, "unauthenticated");
    app.patch(
        &request["id"],
        &Person::user(),
        json!({"title": "Stranger's edit"}),
    )
    .await
    .assert_problem(403, "forbidden");
    app.patch(&request["id"], &owner, json!({"title": "Owner's edit"}))
        .await
        .expect(200);
    let by_staff = app
        .patch(
            &request["id"],
            &Person::staff(),
            json!({"title": "Staff edit"}),
        )
        .await
        .expect(200);
    assert_eq!(by_staff["title"], "Staff edit");
    app.patch(&request["id"], &owner, json!({"requester_id": owner.id}))
        .await
        .assert_problem(422, "validation_failed");
}

#[tokio::test]
async fn a_stale_version_is_refused() {
    let app = TestApp::spawn().await;
    let owner = Person::user();
    let request = app.request(&owner, json!({})).await;
    let path = format!("/requests/{}", request["id"].as_str().expect("id"));
    let with_version = |version: &'static str, title: &'static str| {
        app.client
            .patch(&path)
            .token(&owner.token)
            .header("if-match", version)
            .json(&json!({"title": title}))
            .send()
    };
    with_version("\"1\"", "First edit").await.expect(200);
    with_version("\"1\"", "Lost update")
        .await
        .assert_problem(412, "version_mismatch");
}

#[tokio::test]
async fn quantity_needed_never_drops_below_what_is_pledged_and_received() {
    let app = TestApp::spawn().await;
    let owner = Person::user();
    let request = app.request(&owner, json!({"quantity_needed": 10})).await;
    app.set_quantities(&request["id"], 4, 3).await;

    let problem = app
        .patch(&request["id"], &owner, json!({"quantity_needed": 6}))
        .await
        .assert_problem(422, "validation_failed");
    assert_eq!(problem["errors"][0]["field"], "quantity_needed");
    assert_eq!(
        problem["errors"][0]["message"],
        "must be at least 7, what is already pledged or received"
    );
    let exactly = app
        .patch(&request["id"], &owner, json!({"quantity_needed": 7}))
        .await
        .expect(200);
    assert_eq!(exactly["quantity_needed"], 7);
    assert_eq!(exactly["status"], "open", "pledges are still on their way");
}

#[tokio::test]
async fn lowering_the_need_to_what_arrived_fulfils_the_request() {
    let app = TestApp::spawn().await;
    let owner = Person::user();
    let request = app.request(&owner, json!({"quantity_needed": 10})).await;
    app.set_quantities(&request["id"], 0, 6).await;

    let fulfilled = app
        .patch(&request["id"], &owner, json!({"quantity_needed": 6}))
        .await
        .expect(200);
    assert_eq!(fulfilled["status"], "fulfilled");
    assert_eq!(app.events("request.fulfilled").await.len(), 1);
}

#[tokio::test]
async fn only_an_open_request_is_edited() {
    let app = TestApp::spawn().await;
    let owner = Person::user();
    for status in ["fulfilled", "cancelled"] {
        let request = app.request(&owner, json!({})).await;
        app.close(&request["id"], &owner, status).await.expect(200);
        app.patch(&request["id"], &owner, json!({"title": "Too late"}))
            .await
            .assert_problem(409, "invalid_state");
    }
}
