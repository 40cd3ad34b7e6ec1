use serde_json::json;

use crate::helpers::TestApp;
use hearth_testkit::{ids, Person};

#[tokio::test]
async fn filters_and_text_search() {
    let app = TestApp::spawn().await;
    let alice = Person::user();
    let bob = Person::user();
    let blankets = app.request(&alice, json!({"title": "Warm blankets"})).await;
    let food = app
        .request(
            &bob,
            json!({"title": "Tinned food", "category": "food", "description": "Beans and soup"}),
        )
        .await;
    let closed = app.request(&alice, json!({"title": "Old coats"})).await;
    app.close(&closed["id"], &alice, "cancelled")
        .await
        .expect(200);
    let id = |v: &serde_json::Value| v["id"].as_str().expect("id").to_owned();

    assert_eq!(
        app.list_ids("", None).await,
        [id(&closed), id(&food), id(&blankets)],
        "newest first"
    );
    assert_eq!(
        app.list_ids("status=open", None).await,
        [id(&food), id(&blankets)]
    );
    assert_eq!(app.list_ids("status=cancelled", None).await, [id(&closed)]);
    assert_eq!(app.list_ids("category=food", None).await, [id(&food)]);
    assert_eq!(
        app.list_ids(&format!("requester_id={}", alice.id), None)
            .await,
        [id(&closed), id(&blankets)]
    );
    assert_eq!(
        app.list_ids("q=blanket", None).await,
        [id(&blankets)],
        "stemmed"
    );
    assert_eq!(
        app.list_ids("q=soup", None).await,
        [id(&food)],
        "description"
    );
    app.client
        .get("/requests?status=unknown")
        .send()
        .await
        .assert_problem(400, "bad_query");
    app.client
        .get("/requests?limit=0")
        .send()
        .await
        .assert_problem(400, "bad_query");
}

#[tokio::test]
async fn pages_follow_the_cursor() {
    let app = TestApp::spawn().await;
    let alice = Person::user();
    for n in 0..5 {
        app.request(&alice, json!({"title": format!("Request {n}")}))
            .await;
    }
    let first = app.list("limit=2", None).await;
    let cursor = first["next_cursor"].as_str().expect("more");
    let second = app.list(&format!("limit=2&cursor={cursor}"), None).await;
    let cursor = second["next_cursor"].as_str().expect("more");
    let third = app.list(&format!("limit=2&cursor={cursor}"), None).await;
    assert!(third["next_cursor"].is_null());
    let mut all = ids(&first);
    all.extend(ids(&second));
    all.extend(ids(&third));
    all.dedup();
    assert_eq!(all.len(), 5);
}

#[tokio::test]
async fn a_suspended_request_shows_only_to_staff() {
    let app = TestApp::spawn().await;
    let alice = Person::user();
    let staff = Person::staff();
    let request = app.request(&alice, json!({})).await;
    app.set_status(&request["id"], &staff, "suspended")
        .await
        .expect(200);

    assert!(app.list_ids("", None).await.is_empty());
    assert!(app.list_ids("", Some(&alice)).await.is_empty());
    assert_eq!(app.list_ids("", Some(&staff)).await.len(), 1);
    app.get(&request["id"], None)
        .await
        .assert_problem(404, "not_found");
    app.get(&request["id"], Some(&alice))
        .await
        .assert_problem(404, "not_found");
    let seen = app.get(&request["id"], Some(&staff)).await;
    assert_eq!(seen.expect(200)["status"], "suspended");
    assert_eq!(seen.header("etag"), Some("\"2\""));
    app.get(&json!(uuid::Uuid::new_v4()), None)
        .await
        .assert_problem(404, "not_found");
}
