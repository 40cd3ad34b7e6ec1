//! `image_url`: an optional https link to the request's picture, checked
//! like every other field, in every answer and in the events.

use serde_json::{json, Value};

use crate::helpers::TestApp;
use hearth_testkit::Person;

const IMAGE: &str = "https://images.example.org/blankets.jpg";

/// Links a page must never be given, each with why.
fn unsafe_links() -> Vec<(String, &'static str)> {
    vec![
        ("http://images.example.org/a.jpg".into(), "plain http"),
        ("javascript:alert(1)".into(), "a script"),
        ("data:image/png;base64,AAAA".into(), "inline data"),
        ("https://".into(), "no host"),
        ("/images/a.jpg".into(), "not absolute"),
        ("https://example.org/a b.jpg".into(), "a space"),
        (
            "https://user:secret@example.org/a.jpg".into(),
            "credentials",
        ),
        (
            format!("https://example.org/{}.jpg", "a".repeat(2048)),
            "too long",
        ),
    ]
}

/// The one field error of a 422 that must name `image_url`.
fn assert_names_image_url(problem: &Value, what: &str) {
    let errors = problem["errors"].as_array().expect("errors");
    assert_eq!(errors.len(), 1, "{what}: {problem}");
    assert_eq!(errors[0]["field"], "image_url", "{what}");
    assert!(errors[0]["message"].is_string(), "{what}");
}

async fn stored_count(app: &TestApp) -> i64 {
    sqlx::query_scalar("select count(*) from request.requests")
        .fetch_one(&mut app.db.connect().await)
        .await
        .expect("count")
}

#[tokio::test]
async fn a_request_is_created_with_a_picture_and_shows_it_everywhere() {
    let app = TestApp::spawn().await;
    let owner = Person::user();
    let request = app.request(&owner, json!({"image_url": IMAGE})).await;
    assert_eq!(request["image_url"], IMAGE);

    let read = app.get(&request["id"], None).await.expect(200);
    assert_eq!(read["image_url"], IMAGE);
    let page = app.list("", None).await;
    assert_eq!(page["items"][0]["image_url"], IMAGE);

    let without = app.request(&owner, json!({})).await;
    assert!(without["image_url"].is_null(), "no picture reads as null");
}

#[tokio::test]
async fn a_picture_is_changed_kept_and_removed_by_patch() {
    let app = TestApp::spawn().await;
    let owner = Person::user();
    let request = app.request(&owner, json!({})).await;

    let set = app
        .patch(&request["id"], &owner, json!({"image_url": IMAGE}))
        .await
        .expect(200);
    assert_eq!(set["image_url"], IMAGE);
    assert_eq!(set["version"], 2);

    let kept = app
        .patch(&request["id"], &owner, json!({"title": "Warm blankets"}))
        .await
        .expect(200);
    assert_eq!(kept["image_url"], IMAGE, "absent leaves it");

    let same = app
        .patch(&request["id"], &owner, json!({"image_url": IMAGE}))
        .await
        .expect(200);
    assert_eq!(same["version"], 3, "the same link changes nothing");

    let cleared = app
        .patch(&request["id"], &owner, json!({"image_url": null}))
        .await
        .expect(200);
    assert!(cleared["image_url"].is_null(), "null removes it");
    let read = app.get(&request["id"], None).await.expect(200);
    assert!(read["image_url"].is_null());
}

#[tokio::test]
async fn an_unsafe_link_is_a_422_naming_image_url_and_stores_nothing() {
    let app = TestApp::spawn().await;
    let owner = Person::user();
    for (link, what) in unsafe_links() {
        let problem = app
            .create(&owner, json!({"image_url": link}))
            .await
            .assert_problem(422, "validation_failed");
        assert_names_image_url(&problem, what);
    }
    assert_eq!(stored_count(&app).await, 0);

    let request = app.request(&owner, json!({"image_url": IMAGE})).await;
    for (link, what) in unsafe_links() {
        let problem = app
            .patch(&request["id"], &owner, json!({"image_url": link}))
            .await
            .assert_problem(422, "validation_failed");
        assert_names_image_url(&problem, what);
    }
    let read = app.get(&request["id"], None).await.expect(200);
    assert_eq!(read["image_url"], IMAGE);
    assert_eq!(read["version"], 1);
}

#[tokio::test]
async fn the_events_carry_the_picture() {
    let app = TestApp::spawn().await;
    let owner = Person::user();
    let with = app.request(&owner, json!({"image_url": IMAGE})).await;
    let without = app.request(&owner, json!({})).await;
    let other = "https://images.example.org/quilts.png";
    app.patch(&with["id"], &owner, json!({"image_url": other}))
        .await
        .expect(200);
    app.patch(&with["id"], &owner, json!({"image_url": null}))
        .await
        .expect(200);

    let events = app.outbox().await;
    assert_eq!(events.len(), 4);
    assert_eq!(events[0]["type"], "request.created");
    assert_eq!(events[0]["data"]["image_url"], IMAGE);
    assert_eq!(events[1]["subject"], without["id"]);
    assert!(
        events[1]["data"].get("image_url").is_none(),
        "no picture, no field: {}",
        events[1]["data"]
    );
    assert_eq!(events[2]["type"], "request.updated");
    assert_eq!(
        events[2]["data"],
        json!({"request_id": with["id"], "changes": {"image_url": other}})
    );
    assert_eq!(
        events[3]["data"],
        json!({"request_id": with["id"], "changes": {"image_url": null}})
    );
}

#[tokio::test]
async fn the_table_refuses_an_unsafe_link_written_around_the_api() {
    let app = TestApp::spawn().await;
    let request = app.request(&Person::user(), json!({})).await;
    let id = uuid::Uuid::parse_str(request["id"].as_str().expect("id")).expect("uuid");
    for (link, what) in [
        ("http://example.org/a.jpg".to_owned(), "plain http"),
        ("javascript:alert(1)".to_owned(), "a script"),
        (
            "https://user:secret@example.org/a.jpg".to_owned(),
            "credentials",
        ),
        ("https://example.org/a b.jpg".to_owned(), "a space"),
        ("https:///a.jpg".to_owned(), "no host"),
        (
            format!("https://example.org/{}", "a".repeat(2048)),
            "too long",
        ),
    ] {
        let refused = store(&app, id, &link).await.expect_err(what);
        assert!(refused.to_string().contains("check"), "{what}: {refused}");
    }
    store(&app, id, IMAGE).await.expect("a safe link is stored");
    store(&app, id, "https://[::1]:8443/a.jpg?size=2#top")
        .await
        .expect("a host with a port, a query and a fragment is stored");
}

/// Writes `link` straight into the table, as an operator's SQL would.
async fn store(app: &TestApp, id: uuid::Uuid, link: &str) -> sqlx::Result<()> {
    sqlx::query("update request.requests set image_url = $2 where id = $1")
        .bind(id)
        .bind(link)
        .execute(&mut app.db.connect().await)
        .await
        .map(|_| ())
}
