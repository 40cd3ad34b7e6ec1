//! `Idempotency-Key` on `POST /campaigns` (docs/api.md, "Conventions").

use serde_json::json;

use crate::helpers::{campaign_body, TestApp};
use hearth_testkit::Person;

async fn post(
    app: &TestApp,
    who: &Person,
    key: &str,
    body: serde_json::Value,
) -> hearth_testkit::TestResponse {
    app.client
        .post("/campaigns")
        .token(&who.token)
        .header("idempotency-key", key)
        .json(&campaign_body(body))
        .send()
        .await
}

async fn campaigns(app: &TestApp) -> i64 {
    let mut conn = app.db.connect().await;
    sqlx::query_scalar("select count(*) from campaign.campaigns")
        .fetch_one(&mut conn)
        .await
        .expect("count")
}

#[tokio::test]
async fn the_same_request_again_gets_the_first_answer_and_no_second_campaign() {
    let app = TestApp::spawn().await;
    let alice = Person::user();

    let first = post(&app, &alice, "create-1", json!({})).await;
    let again = post(&app, &alice, "create-1", json!({})).await;

    assert_eq!(first.status, 201);
    assert_eq!(again.status, 201);
    assert_eq!(again.json(), first.json());
    assert_eq!(again.header("location"), first.header("location"));
    assert_eq!(again.header("etag"), first.header("etag"));
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    assert_eq!(campaigns(&app).await, 1);
    assert_eq!(app.outbox().await.len(), 1, "one event too");
}

#[tokio::test]
async fn the_same_key_with_another_body_is_refused() {
    let app = TestApp::spawn().await;
    let alice = Person::user();
    post(&app, &alice, "create-1", json!({})).await.expect(201);
    post(&app, &alice, "create-1", json!({"title": "Something else"}))
        .await
        .assert_problem(422, "idempotency_key_reused");
    assert_eq!(campaigns(&app).await, 1);
}

#[tokio::test]
async fn keys_belong_to_their_user() {
    let app = TestApp::spawn().await;
    let alice = Person::user();
    let bob = Person::user();
    let a = post(&app, &alice, "shared-key", json!({}))
        .await
        .expect(201);
    let b = post(&app, &bob, "shared-key", json!({})).await.expect(201);
    assert_ne!(a["id"], b["id"]);
    assert_eq!(campaigns(&app).await, 2);
}

#[tokio::test]
async fn without_a_key_each_request_creates() {
    let app = TestApp::spawn().await;
    let alice = Person::user();
    app.create(&alice, json!({})).await.expect(201);
    app.create(&alice, json!({})).await.expect(201);
    assert_eq!(campaigns(&app).await, 2);
}

#[tokio::test]
async fn a_refusal_is_replayed_too() {
    let app = TestApp::spawn().await;
    let alice = Person::user();
    let first = post(&app, &alice, "bad", json!({"goal_minor": 0})).await;
    first.assert_problem(422, "validation_failed");
    let again = post(&app, &alice, "bad", json!({"goal_minor": 0})).await;
    assert_eq!(again.json(), first.json());
    assert_eq!(
        again.header("content-type"),
        Some("application/problem+json")
    );
}

#[tokio::test]
async fn identical_requests_racing_create_one_campaign() {
    let app = TestApp::spawn().await;
    let alice = Person::user();
    let answers =
        futures::future::join_all((0..8).map(|_| post(&app, &alice, "race", json!({})))).await;
    let ids: std::collections::HashSet<String> = answers
        .iter()
        .map(|a| a.expect(201)["id"].as_str().expect("id").to_owned())
        .collect();
    assert_eq!(ids.len(), 1, "every answer names the one campaign");
    assert_eq!(campaigns(&app).await, 1);
}

#[tokio::test]
async fn a_malformed_key_is_400() {
    let app = TestApp::spawn().await;
    let alice = Person::user();
    post(&app, &alice, &"k".repeat(256), json!({}))
        .await
        .assert_problem(400, "bad_query");
}

async fn lose_the_answer(app: &TestApp, key: &str) {
    app.db.lose_idempotent_answer("campaign", key).await;
}

#[tokio::test]
async fn a_request_whose_answer_was_lost_after_its_commit_is_not_made_twice() {
    let app = TestApp::spawn().await;
    let alice = Person::user();
    let first = post(&app, &alice, "crash-1", json!({})).await.expect(201);
    lose_the_answer(&app, "crash-1").await;

    let again = post(&app, &alice, "crash-1", json!({})).await.expect(201);

    assert_eq!(again["id"], first["id"], "the campaign the first run made");
    assert_eq!(campaigns(&app).await, 1);
    assert_eq!(app.outbox().await.len(), 1, "and its one event");
    // That answer is stored in turn, and replayed.
    let third = post(&app, &alice, "crash-1", json!({})).await;
    assert_eq!(third.header("idempotent-replayed"), Some("true"));
    assert_eq!(third.json()["id"], first["id"]);
}

#[tokio::test]
async fn copies_racing_for_a_stale_claim_make_nothing_twice() {
    let app = TestApp::spawn().await;
    let alice = Person::user();
    let first = post(&app, &alice, "crash-2", json!({})).await.expect(201);
    lose_the_answer(&app, "crash-2").await;

    let answers =
        futures::future::join_all((0..6).map(|_| post(&app, &alice, "crash-2", json!({})))).await;

    for answer in &answers {
        assert_eq!(answer.expect(201)["id"], first["id"]);
    }
    assert_eq!(campaigns(&app).await, 1);
    assert_eq!(app.outbox().await.len(), 1);
}

#[tokio::test]
async fn a_run_that_died_before_its_commit_runs_again_under_the_claimed_id() {
    let app = TestApp::spawn().await;
    let alice = Person::user();
    let first = post(&app, &alice, "crash-3", json!({})).await.expect(201);
    lose_the_answer(&app, "crash-3").await;
    // As if its transaction had never committed.
    let mut conn = app.db.connect().await;
    sqlx::query("delete from campaign.outbox")
        .execute(&mut conn)
        .await
        .expect("no event");
    sqlx::query("delete from campaign.campaigns")
        .execute(&mut conn)
        .await
        .expect("no campaign");

    let again = post(&app, &alice, "crash-3", json!({})).await.expect(201);

    assert_eq!(
        again["id"], first["id"],
        "made under the id the claim holds"
    );
    assert_eq!(campaigns(&app).await, 1);
    assert_eq!(app.outbox().await.len(), 1);
}

#[tokio::test]
async fn a_copy_after_the_campaign_ended_still_gets_the_campaign_the_first_run_made() {
    let app = TestApp::spawn().await;
    let alice = Person::user();
    let ends_at = chrono::Utc::now() + chrono::Duration::milliseconds(1500);
    let body = json!({"ends_at": ends_at});
    let first = post(&app, &alice, "crash-4", body.clone())
        .await
        .expect(201);
    lose_the_answer(&app, "crash-4").await;
    // Now the same body would be refused: its ends_at has passed.
    tokio::time::sleep(std::time::Duration::from_millis(1600)).await;

    let again = post(&app, &alice, "crash-4", body).await.expect(201);

    assert_eq!(again["id"], first["id"]);
    assert_eq!(campaigns(&app).await, 1);
}

#[tokio::test]
async fn a_server_error_releases_the_key_at_once_and_the_next_copy_creates_once() {
    let app = TestApp::spawn().await;
    let alice = Person::user();
    let mut conn = app.db.connect().await;
    for statement in [
        "create function campaign.refuse() returns trigger language plpgsql \
         as $$ begin raise exception 'the disk is full'; end $$",
        "create trigger refuse before insert on campaign.campaigns \
         for each row execute function campaign.refuse()",
    ] {
        sqlx::query(statement)
            .execute(&mut conn)
            .await
            .expect("break inserts");
    }
    let failed = post(&app, &alice, "flaky", json!({})).await;
    assert!(failed.status.is_server_error(), "got {}", failed.status);
    sqlx::query("drop trigger refuse on campaign.campaigns")
        .execute(&mut conn)
        .await
        .expect("mend inserts");

    // At once, not after the minute an unanswered claim is otherwise trusted.
    let created = post(&app, &alice, "flaky", json!({})).await.expect(201);
    let again = post(&app, &alice, "flaky", json!({})).await;

    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    assert_eq!(again.json()["id"], created["id"]);
    assert_eq!(campaigns(&app).await, 1);
    assert_eq!(app.outbox().await.len(), 1);
}
