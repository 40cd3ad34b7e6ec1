use std::collections::HashSet;

use campaign_service::db::LIST_SQL;
use serde_json::json;

use crate::helpers::TestApp;
use hearth_testkit::{ids, Person};

#[tokio::test]
async fn lists_are_newest_first_and_filter_by_status_recipient_and_category() {
    let app = TestApp::spawn().await;
    let alice = Person::user();
    let bob = Person::user();
    let first = app.campaign(&alice, json!({"category": "medical"})).await;
    let second = app.campaign(&bob, json!({"category": "education"})).await;
    let third = app.campaign(&alice, json!({"category": "education"})).await;
    app.set_status(&third["id"], &alice, "paused")
        .await
        .expect(200);
    let id = |c: &serde_json::Value| c["id"].as_str().expect("id").to_owned();

    assert_eq!(
        app.list_ids("", None).await,
        [id(&third), id(&second), id(&first)]
    );
    assert_eq!(app.list_ids("status=paused", None).await, [id(&third)]);
    assert_eq!(
        app.list_ids(&format!("recipient_id={}", alice.id), None)
            .await,
        [id(&third), id(&first)]
    );
    assert_eq!(
        app.list_ids("category=education", None).await,
        [id(&third), id(&second)]
    );
    assert_eq!(
        app.list_ids(&format!("category=education&recipient_id={}", bob.id), None)
            .await,
        [id(&second)]
    );
}

#[tokio::test]
async fn text_search_finds_words_in_title_and_description() {
    let app = TestApp::spawn().await;
    let alice = Person::user();
    let blankets = app
        .campaign(
            &alice,
            json!({"title": "Blankets for winter", "description": null}),
        )
        .await;
    let books = app
        .campaign(
            &alice,
            json!({"title": "School books", "description": "Reading for the kids of Elm Street"}),
        )
        .await;

    // Stemmed: "blanket" finds "Blankets".
    assert_eq!(
        app.list_ids("q=blanket", None).await,
        [blankets["id"].as_str().expect("id")]
    );
    assert_eq!(
        app.list_ids("q=reading%20kids", None).await,
        [books["id"].as_str().expect("id")]
    );
    assert!(app.list_ids("q=bicycle", None).await.is_empty());
    // An empty q is no filter.
    assert_eq!(app.list_ids("q=", None).await.len(), 2);
}

#[tokio::test]
async fn text_search_uses_its_index() {
    let app = TestApp::spawn().await;
    let mut conn = app.db.connect().await;
    // A tiny table is cheapest to scan; forbid that to see which index the query can use.
    sqlx::raw_sql("set search_path = campaign; set enable_seqscan = off; set plan_cache_mode = force_custom_plan")
        .execute(&mut conn)
        .await
        .expect("session settings");
    let plan: Vec<String> = sqlx::query_scalar(&format!("explain {LIST_SQL}"))
        .bind(None::<String>)
        .bind(None::<uuid::Uuid>)
        .bind(None::<String>)
        .bind(Some("blankets"))
        .bind(false)
        .bind(None::<uuid::Uuid>)
        .bind(None::<chrono::DateTime<chrono::Utc>>)
        .bind(None::<uuid::Uuid>)
        .bind(21_i64)
        .fetch_all(&mut conn)
        .await
        .expect("explain");
    let plan = plan.join("\n");
    assert!(plan.contains("campaigns_search"), "{plan}");
}

#[tokio::test]
async fn drafts_list_only_for_their_owner_and_suspended_only_for_staff() {
    let app = TestApp::spawn().await;
    let owner = Person::user();
    let staff = Person::staff();
    let draft = app.campaign(&owner, json!({"status": "draft"})).await;
    let suspended = app.campaign(&owner, json!({})).await;
    app.set_status(&suspended["id"], &staff, "suspended")
        .await
        .expect(200);
    let public = app.campaign(&owner, json!({})).await;
    let id = |c: &serde_json::Value| c["id"].as_str().expect("id").to_owned();

    assert_eq!(app.list_ids("", None).await, [id(&public)]);
    assert_eq!(app.list_ids("", Some(&Person::user())).await, [id(&public)]);
    assert_eq!(
        app.list_ids("", Some(&owner)).await,
        [id(&public), id(&draft)]
    );
    assert_eq!(
        app.list_ids("", Some(&staff)).await,
        [id(&public), id(&suspended), id(&draft)]
    );
    assert!(app
        .list_ids("status=draft", Some(&Person::user()))
        .await
        .is_empty());
    assert!(app
        .list_ids("status=suspended", Some(&owner))
        .await
        .is_empty());
    assert_eq!(
        app.list_ids("status=suspended", Some(&staff)).await,
        [id(&suspended)]
    );
}

#[tokio::test]
async fn pages_stay_complete_while_rows_are_inserted() {
    let app = TestApp::spawn().await;
    let alice = Person::user();
    let mut original = HashSet::new();
    for n in 0..25 {
        let c = app
            .campaign(&alice, json!({"title": format!("Campaign {n}")}))
            .await;
        original.insert(c["id"].as_str().expect("id").to_owned());
    }

    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let query = match &cursor {
            Some(c) => format!("limit=10&cursor={c}"),
            None => "limit=10".to_owned(),
        };
        let page = app.list(&query, None).await;
        seen.extend(ids(&page));
        pages += 1;
        // Newer rows arrive between pages; they sort before the cursor.
        for _ in 0..3 {
            app.campaign(&alice, json!({})).await;
        }
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
        assert!(pages < 10, "pagination does not end");
    }

    assert_eq!(pages, 3);
    assert_eq!(seen.len(), 25, "no row twice");
    assert_eq!(seen.into_iter().collect::<HashSet<_>>(), original);
}

#[tokio::test]
async fn bad_query_parameters_are_400() {
    let app = TestApp::spawn().await;
    for query in [
        "cursor=garbage",
        "limit=0",
        "limit=101",
        "limit=ten",
        "status=running",
        "recipient_id=bob",
        "colour=blue",
        // PostgreSQL cannot compare text holding U+0000: refused, not a 500.
        "q=blan%00kets",
        "category=%00",
        // A cursor of 5000 BC, which PostgreSQL cannot hold.
        "cursor=eyJ0IjoiLTUwMDAtMDEtMDFUMDA6MDA6MDBaIiwiaSI6IjAwMDAwMDAwLTAwMDAtMDAwMC0wMDAwLTAwMDAwMDAwMDAwMCJ9",
        // A search long enough to exhaust PostgreSQL's stack.
        &format!("q={}", "b+".repeat(20_000)),
    ] {
        app.client
            .get(&format!("/campaigns?{query}"))
            .send()
            .await
            .assert_problem(400, "bad_query");
    }
    app.list("limit=100", None).await;
    app.list("limit=1", None).await;
}

#[tokio::test]
async fn the_default_page_is_twenty() {
    let app = TestApp::spawn().await;
    let alice = Person::user();
    for _ in 0..21 {
        app.campaign(&alice, json!({})).await;
    }
    let page = app.list("", None).await;
    assert_eq!(ids(&page).len(), 20);
    assert!(page["next_cursor"].is_string());
}
