use serde_json::json;

use crate::helpers::TestApp;
use hearth_testkit::Person;

#[tokio::test]
async fn the_owner_closes_a_request_once() {
    let app = TestApp::spawn().await;
    let owner = Person::user();
    for status in ["fulfilled", "cancelled"] {
        let request = app.request(&owner, json!({})).await;
        let closed = app.close(&request["id"], &owner, status).await.expect(200);
        assert_eq!(closed["status"], status);
        assert_eq!(closed["version"], 2);
        app.close(&request["id"], &owner, "cancelled")
            .await
            .assert_problem(409, "invalid_state");
    }
    let changes = app.events("request.status_changed").await;
    assert_eq!(changes.len(), 2);
    assert_eq!(changes[0]["data"]["from"], "open");
    assert_eq!(changes[0]["data"]["to"], "fulfilled");
    assert_eq!(changes[0]["data"]["requester_id"], owner.id.to_string());
    assert!(
        app.events("request.fulfilled").await.is_empty(),
        "request.fulfilled is the saga's: enough items received"
    );
}

#[tokio::test]
async fn who_may_close() {
    let app = TestApp::spawn().await;
    let owner = Person::user();
    let request = app.request(&owner, json!({})).await;
    let path = format!("/requests/{}/close", request["id"].as_str().expect("id"));

    app.client
        .post(&path)
        .json(&json!({"status": "cancelled"}))
        .send()
        .await
        .assert_problem(401, "unauthenticated");
    app.close(&request["id"], &Person::user(), "cancelled")
        .await
        .assert_problem(403, "forbidden");
    app.close(&request["id"], &owner, "expired")
        .await
        .assert_problem(422, "validation_failed");
    app.close(&request["id"], &owner, "suspended")
        .await
        .assert_problem(422, "validation_failed");
    let by_staff = app
        .close(&request["id"], &Person::staff(), "cancelled")
        .await
        .expect(200);
    assert_eq!(by_staff["status"], "cancelled");
}

#[tokio::test]
async fn staff_suspend_and_reinstate() {
    let app = TestApp::spawn().await;
    let owner = Person::user();
    let staff = Person::staff();
    let request = app.request(&owner, json!({})).await;

    app.set_status(&request["id"], &owner, "suspended")
        .await
        .assert_problem(403, "forbidden");
    app.set_status(&request["id"], &Person::user(), "suspended")
        .await
        .assert_problem(403, "forbidden");
    let suspended = app
        .set_status(&request["id"], &staff, "suspended")
        .await
        .expect(200);
    assert_eq!(suspended["status"], "suspended");
    // The owner can no longer find it, let alone change it.
    app.close(&request["id"], &owner, "cancelled")
        .await
        .assert_problem(404, "not_found");
    app.client
        .patch(&format!(
            "/requests/{}",
            request["id"].as_str().expect("id")
        ))
        .token(&owner.token)
        .json(&json!({"title": "Blankets, please"}))
        .send()
        .await
        .assert_problem(404, "not_found");
    app.set_status(&request["id"], &staff, "cancelled")
        .await
        .assert_problem(409, "invalid_state");
    let back = app
        .set_status(&request["id"], &staff, "open")
        .await
        .expect(200);
    assert_eq!(back["status"], "open");
    let moves: Vec<(String, String)> = app
        .events("request.status_changed")
        .await
        .iter()
        .map(|e| {
            (
                e["data"]["from"].as_str().expect("from").to_owned(),
                e["data"]["to"].as_str().expect("to").to_owned(),
            )
        })
        .collect();
    assert_eq!(
        moves,
        [
            ("open".to_owned(), "suspended".to_owned()),
            ("suspended".to_owned(), "open".to_owned())
        ]
    );
}

#[tokio::test]
async fn an_open_request_past_needed_by_expires() {
    let app = TestApp::spawn().await;
    let owner = Person::user();
    let request = app
        .request(&owner, json!({"needed_by": "2099-01-01T00:00:00Z"}))
        .await;
    let later = app
        .request(&owner, json!({"needed_by": "2099-01-01T00:00:00Z"}))
        .await;
    let mut conn = app.db.connect().await;
    sqlx::query(
        "update request.requests set needed_by = now() - interval '1 minute' where id = $1::uuid",
    )
    .bind(request["id"].as_str().expect("id"))
    .execute(&mut conn)
    .await
    .expect("move needed_by into the past");

    // The service's own sweeper may get there first; either way, once.
    let waker = hearth_bus::wake::Waker::new(app.pool.clone());
    let sweep = || request_service::expiry::sweep(&app.pool, &waker);
    sweep().await.expect("sweep");
    assert_eq!(sweep().await.expect("sweep"), 0, "nothing left to expire");
    let expired = app.get(&request["id"], None).await.expect(200);
    assert_eq!(expired["status"], "expired");
    assert_eq!(
        app.get(&later["id"], None).await.expect(200)["status"],
        "open"
    );
    let changes = app.events("request.status_changed").await;
    assert_eq!(changes.len(), 1);
    assert_eq!(changes[0]["data"]["to"], "expired");
}
