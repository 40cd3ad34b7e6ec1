use serde_json::{json, Value};

use crate::helpers::{campaign_created, TestApp};
use hearth_testkit::Person;

/// Gives `person` `count` notifications, oldest first.
async fn notify(app: &TestApp, person: &Person, count: usize) -> Vec<String> {
    // One at a time, so that they are made in this order.
    for n in 0..count {
        app.broker
            .publish(&campaign_created(person, &format!("Campaign {n}")))
            .await;
        app.notifications_of(person, n + 1).await;
    }
    let page = app.notifications_of(person, count).await;
    let mut ids: Vec<String> = page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|n| n["id"].as_str().expect("id").to_owned())
        .collect();
    ids.reverse();
    ids
}

fn item_ids(page: &Value) -> Vec<&str> {
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|n| n["id"].as_str().expect("id"))
        .collect()
}

#[tokio::test]
async fn every_endpoint_wants_a_signed_in_caller() {
    let app = TestApp::spawn().await;
    let id = uuid::Uuid::new_v4();
    app.client
        .get("/notifications")
        .send()
        .await
        .assert_problem(401, "unauthenticated");
    app.client
        .post(&format!("/notifications/{id}/read"))
        .send()
        .await
        .assert_problem(401, "unauthenticated");
    app.client
        .post("/notifications/read-all")
        .send()
        .await
        .assert_problem(401, "unauthenticated");
}

#[tokio::test]
async fn nobody_reads_or_marks_anyone_elses_notifications() {
    let app = TestApp::spawn().await;
    let alice = Person::user();
    let mallory = Person::user();
    let ids = notify(&app, &alice, 1).await;

    let theirs = app
        .client
        .get("/notifications")
        .token(&mallory.token)
        .send()
        .await
        .expect(200);
    assert_eq!(theirs, json!({"items": [], "next_cursor": null}));
    app.client
        .post(&format!("/notifications/{}/read", ids[0]))
        .token(&mallory.token)
        .send()
        .await
        .assert_problem(404, "not_found");
    let marked = app
        .client
        .post("/notifications/read-all")
        .token(&mallory.token)
        .send()
        .await
        .expect(200);
    assert_eq!(marked, json!({"marked_read": 0}));

    let mine = app
        .client
        .get("/notifications?unread=true")
        .token(&alice.token)
        .send()
        .await
        .expect(200);
    assert_eq!(
        mine["items"].as_array().expect("items").len(),
        1,
        "still unread for alice"
    );
}

#[tokio::test]
async fn reading_one_and_reading_all() {
    let app = TestApp::spawn().await;
    let alice = Person::user();
    let ids = notify(&app, &alice, 3).await;

    let read = app
        .client
        .post(&format!("/notifications/{}/read", ids[0]))
        .token(&alice.token)
        .send()
        .await
        .expect(200);
    assert_eq!(read["id"], ids[0]);
    let read_at = read["read_at"].as_str().expect("read_at").to_owned();
    // Reading again keeps the first time.
    let again = app
        .client
        .post(&format!("/notifications/{}/read", ids[0]))
        .token(&alice.token)
        .send()
        .await
        .expect(200);
    assert_eq!(again["read_at"], read_at.as_str());

    let unread = app
        .client
        .get("/notifications?unread=true")
        .token(&alice.token)
        .send()
        .await
        .expect(200);
    assert_eq!(item_ids(&unread), [ids[2].as_str(), ids[1].as_str()]);

    let marked = app
        .client
        .post("/notifications/read-all")
        .token(&alice.token)
        .send()
        .await
        .expect(200);
    assert_eq!(marked, json!({"marked_read": 2}));
    let unread = app
        .client
        .get("/notifications?unread=true")
        .token(&alice.token)
        .send()
        .await
        .expect(200);
    assert!(item_ids(&unread).is_empty());
    let all = app
        .client
        .get("/notifications")
        .token(&alice.token)
        .send()
        .await
        .expect(200);
    assert_eq!(item_ids(&all).len(), 3);
}

#[tokio::test]
async fn notifications_page_newest_first() {
    let app = TestApp::spawn().await;
    let alice = Person::user();
    let created = notify(&app, &alice, 5).await;

    let first = app
        .client
        .get("/notifications?limit=2")
        .token(&alice.token)
        .send()
        .await
        .expect(200);
    assert_eq!(item_ids(&first), [created[4].as_str(), created[3].as_str()]);
    let cursor = first["next_cursor"].as_str().expect("more");
    let second = app
        .client
        .get(&format!("/notifications?limit=2&cursor={cursor}"))
        .token(&alice.token)
        .send()
        .await
        .expect(200);
    assert_eq!(
        item_ids(&second),
        [created[2].as_str(), created[1].as_str()]
    );

    for query in ["limit=0", "cursor=nope", "unread=maybe"] {
        app.client
            .get(&format!("/notifications?{query}"))
            .token(&alice.token)
            .send()
            .await
            .assert_problem(400, "bad_query");
    }
    app.client
        .post("/notifications/not-a-uuid/read")
        .token(&alice.token)
        .send()
        .await
        .assert_problem(404, "not_found");
}

/// The contract, as generated from the code.
#[tokio::test]
async fn openapi_document() {
    let app = TestApp::spawn().await;
    let document = app.client.get("/openapi.json").send().await.expect(200);
    insta::assert_json_snapshot!("openapi_document", document);
}
