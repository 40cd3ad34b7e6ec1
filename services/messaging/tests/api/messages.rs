//! Messages between two people: only they ever see them.

use std::collections::HashSet;

use hearth_testkit::TestResponse;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::helpers::TestApp;
use hearth_testkit::Person;

async fn send(app: &TestApp, from: &Person, to: &Person, body: &str) -> TestResponse {
    app.client
        .post("/messages")
        .token(&from.token)
        .json(&json!({"recipient_id": to.id, "body": body}))
        .send()
        .await
}

async fn get(app: &TestApp, who: &Person, path: &str) -> Value {
    app.client
        .get(path)
        .token(&who.token)
        .send()
        .await
        .expect(200)
}

#[tokio::test]
async fn a_message_reaches_its_recipient_and_message_sent_goes_out() {
    let app = TestApp::spawn().await;
    let (alice, bob) = (Person::user(), Person::user());

    let response = send(&app, &alice, &bob, "  Hello Bob, the blankets are ready.  ").await;
    let message = response.expect(201);
    assert_eq!(message["sender_id"], alice.id.to_string());
    assert_eq!(message["recipient_id"], bob.id.to_string());
    assert_eq!(message["body"], "Hello Bob, the blankets are ready.");
    assert!(message["context"].is_null() && message["read_at"].is_null());
    let fields: Vec<&String> = message.as_object().expect("object").keys().collect();
    assert_eq!(fields.len(), 7, "exactly the API's fields: {fields:?}");

    let thread = get(&app, &bob, &format!("/conversations/{}/messages", alice.id)).await;
    assert_eq!(thread["items"], json!([message]));
    let mut conn = app.db.connect().await;
    let sent: Vec<Value> = sqlx::query_scalar(
        "select envelope from messaging.outbox where event_type = 'message.sent'",
    )
    .fetch_all(&mut conn)
    .await
    .expect("outbox");
    assert_eq!(sent.len(), 1);
    assert_eq!(
        sent[0]["data"],
        json!({"message_id": message["id"], "sender_id": alice.id, "recipient_id": bob.id, "context": null})
    );
}

#[tokio::test]
async fn conversations_show_the_last_message_and_what_is_unread_most_recent_first() {
    let app = TestApp::spawn().await;
    let (alice, bob, carol) = (Person::user(), Person::user(), Person::user());
    send(&app, &bob, &alice, "One").await.expect(201);
    let from_bob = send(&app, &bob, &alice, "Two").await.expect(201);
    send(&app, &alice, &carol, "Hi Carol").await.expect(201);
    let last = send(&app, &carol, &alice, "Hi Alice").await.expect(201);

    let list = get(&app, &alice, "/conversations").await;
    let items = list["items"].as_array().expect("items");
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["counterpart_id"], carol.id.to_string());
    assert_eq!(items[0]["last_message"], last);
    assert_eq!(items[0]["unread_count"], 1);
    assert_eq!(items[1]["counterpart_id"], bob.id.to_string());
    assert_eq!(items[1]["unread_count"], 2);

    let path = format!("/messages/{}/read", from_bob["id"].as_str().expect("id"));
    let read = app
        .client
        .post(&path)
        .token(&alice.token)
        .send()
        .await
        .expect(200);
    let read_at = read["read_at"].as_str().expect("read").to_owned();
    let again = app
        .client
        .post(&path)
        .token(&alice.token)
        .send()
        .await
        .expect(200);
    assert_eq!(again["read_at"], read_at.as_str(), "the first time counts");
    let list = get(&app, &alice, "/conversations").await;
    assert_eq!(
        list["items"][1]["unread_count"], 1,
        "read once, counted once"
    );

    let bobs = get(&app, &bob, "/conversations").await;
    assert_eq!(bobs["items"].as_array().map(Vec::len), Some(1));
    assert_eq!(
        bobs["items"][0]["unread_count"], 0,
        "his own messages are not unread to him"
    );
}

#[tokio::test]
async fn nobody_but_the_two_parties_sees_a_message() {
    let app = TestApp::spawn().await;
    let (alice, bob, mallory) = (Person::user(), Person::user(), Person::user());
    let message = send(&app, &alice, &bob, "Private").await.expect(201);
    let read = format!("/messages/{}/read", message["id"].as_str().expect("id"));

    // Not even staff: messages are between two people.
    for outsider in [&mallory, &Person::staff()] {
        app.client
            .post(&read)
            .token(&outsider.token)
            .send()
            .await
            .assert_problem(404, "not_found");
    }
    app.client
        .post(&read)
        .token(&alice.token)
        .send()
        .await
        .assert_problem(403, "forbidden");
    app.client
        .post(&read)
        .send()
        .await
        .assert_problem(401, "unauthenticated");
    let staff = Person::staff();
    for (viewer, counterpart) in [(&mallory, &alice), (&mallory, &bob), (&staff, &alice)] {
        let thread = get(
            &app,
            viewer,
            &format!("/conversations/{}/messages", counterpart.id),
        )
        .await;
        assert_eq!(thread["items"], json!([]));
    }
    assert_eq!(
        get(&app, &mallory, "/conversations").await["items"],
        json!([])
    );
    for path in [
        "/conversations".to_owned(),
        format!("/conversations/{}/messages", alice.id),
    ] {
        app.client
            .get(&path)
            .send()
            .await
            .assert_problem(401, "unauthenticated");
    }
    app.client
        .post("/messages")
        .json(&json!({"recipient_id": bob.id, "body": "Anonymous"}))
        .send()
        .await
        .assert_problem(401, "unauthenticated");
}

#[tokio::test]
async fn a_long_thread_pages_newest_first() {
    let app = TestApp::spawn().await;
    let (alice, bob) = (Person::user(), Person::user());
    for n in 0..45 {
        let (from, to) = if n % 2 == 0 {
            (&alice, &bob)
        } else {
            (&bob, &alice)
        };
        send(&app, from, to, &format!("Message {n}"))
            .await
            .expect(201);
    }
    let mut bodies = Vec::new();
    let mut path = format!("/conversations/{}/messages?limit=20", bob.id);
    for _ in 0..5 {
        let page = get(&app, &alice, &path).await;
        bodies.extend(
            page["items"]
                .as_array()
                .expect("items")
                .iter()
                .map(|m| m["body"].as_str().expect("body").to_owned()),
        );
        match page["next_cursor"].as_str() {
            Some(cursor) => {
                path = format!(
                    "/conversations/{}/messages?limit=20&cursor={cursor}",
                    bob.id
                )
            }
            None => break,
        }
    }
    let expected: Vec<String> = (0..45).rev().map(|n| format!("Message {n}")).collect();
    assert_eq!(bodies, expected);
    assert_eq!(bodies.iter().collect::<HashSet<_>>().len(), 45);
}

#[tokio::test]
async fn bad_messages_are_refused_and_a_key_sends_once() {
    let app = TestApp::spawn().await;
    let (alice, bob) = (Person::user(), Person::user());
    send(&app, &alice, &alice, "To myself")
        .await
        .assert_problem(422, "validation_failed");
    send(&app, &alice, &bob, "   ")
        .await
        .assert_problem(422, "validation_failed");
    send(&app, &alice, &bob, &"x".repeat(4_001))
        .await
        .assert_problem(422, "validation_failed");
    // PostgreSQL cannot store U+0000: refused by name, not a 500.
    let nul = send(&app, &alice, &bob, "a\u{0}b").await;
    assert_eq!(
        nul.assert_problem(422, "validation_failed")["errors"][0]["field"],
        "body"
    );
    app.client
        .post("/messages")
        .token(&alice.token)
        .json(&json!({"recipient_id": bob.id, "body": "Hi", "context": {"type": "planet", "id": Uuid::new_v4()}}))
        .send()
        .await
        .assert_problem(422, "validation_failed");

    let keyed = || {
        app.client
            .post("/messages")
            .token(&alice.token)
            .header("idempotency-key", "hello-1")
            .json(&json!({"recipient_id": bob.id, "body": "Only once"}))
            .send()
    };
    let first = keyed().await.expect(201);
    assert_eq!(keyed().await.expect(201), first);
    let thread = get(&app, &bob, &format!("/conversations/{}/messages", alice.id)).await;
    assert_eq!(thread["items"].as_array().map(Vec::len), Some(1));

    // Sent again after a crash between its commit and its stored answer: still once.
    app.db.lose_idempotent_answer("messaging", "hello-1").await;
    assert_eq!(keyed().await.expect(201)["id"], first["id"]);
    let thread = get(&app, &bob, &format!("/conversations/{}/messages", alice.id)).await;
    assert_eq!(thread["items"].as_array().map(Vec::len), Some(1));
    let conversations = get(&app, &bob, "/conversations").await;
    assert_eq!(conversations["items"][0]["unread_count"], 1, "counted once");
    assert_eq!(
        app.db
            .scalar("select count(*) from messaging.outbox where event_type = 'message.sent'")
            .await,
        1,
        "one message.sent"
    );
}

#[tokio::test]
async fn two_people_writing_to_each_other_at_once_all_get_through() {
    let app = TestApp::spawn().await;
    let pairs: Vec<(Person, Person)> = (0..6).map(|_| (Person::user(), Person::user())).collect();
    // Each pair's first messages cross: both conversation rows are created
    // and updated from both sides at once.
    let sends = pairs.iter().flat_map(|(a, b)| {
        (0..5).flat_map(|_| [send(&app, a, b, "Crossing"), send(&app, b, a, "Crossing")])
    });
    for response in futures::future::join_all(sends).await {
        response.expect(201);
    }
    for (a, b) in &pairs {
        for who in [a, b] {
            let conversations = get(&app, who, "/conversations").await;
            assert_eq!(
                conversations["items"][0]["unread_count"], 5,
                "every message counted"
            );
        }
    }
}

#[tokio::test]
async fn a_donation_context_with_donation_service_down_is_a_503_and_then_the_circuit_opens() {
    // A port nothing listens on.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", closed.local_addr().expect("addr"));
    drop(closed);
    let app = TestApp::spawn_with(&[
        ("DONATION_SERVICE_URL", &url),
        ("DONATION_SERVICE_TIMEOUT", "300ms"),
    ])
    .await;
    let (alice, bob) = (Person::user(), Person::user());
    let about_a_donation = json!({"recipient_id": bob.id, "body": "About my gift",
                                  "context": {"type": "donation", "id": Uuid::now_v7()}});

    let mut details = Vec::new();
    for _ in 0..messaging_service::donation_service::OPEN_AFTER + 1 {
        let response = app
            .client
            .post("/messages")
            .token(&alice.token)
            .json(&about_a_donation)
            .send()
            .await;
        let problem = response.assert_problem(503, "dependency_unavailable");
        assert_eq!(response.header("retry-after"), Some("5"));
        details.push(problem["detail"].as_str().expect("detail").to_owned());
    }
    assert_eq!(details[0], "donation-service did not answer in time");
    assert_eq!(
        details.last().map(String::as_str),
        Some("donation-service is failing; try again in a few seconds"),
        "the circuit opened after repeated failures"
    );
    // Messages without a donation context never depend on donation-service.
    send(&app, &alice, &bob, "Plain message").await.expect(201);
}

#[tokio::test]
async fn a_thread_is_read_from_its_index_among_many_messages() {
    let app = TestApp::spawn().await;
    let mut conn = app.db.connect().await;
    // 50 000 messages among 500 pairs of people.
    sqlx::raw_sql(
        "insert into messaging.messages (id, sender_id, recipient_id, body, created_at) \
         select gen_random_uuid(), md5('a' || (g % 500))::uuid, md5('b' || (g % 500))::uuid, \
                'message ' || g, now() - g * interval '1 second' \
         from generate_series(1, 50000) g; \
         analyze messaging.messages",
    )
    .execute(&mut conn)
    .await
    .expect("many messages");
    sqlx::raw_sql("set search_path = messaging; set plan_cache_mode = force_custom_plan")
        .execute(&mut conn)
        .await
        .expect("session settings");
    let (one, other): (Uuid, Uuid) = sqlx::query_as("select md5('a7')::uuid, md5('b7')::uuid")
        .fetch_one(&mut conn)
        .await
        .expect("a pair");
    let plan: Vec<String> =
        sqlx::query_scalar(&format!("explain {}", messaging_service::db::THREAD_SQL))
            .bind(one)
            .bind(other)
            .bind(None::<chrono::DateTime<chrono::Utc>>)
            .bind(None::<Uuid>)
            .bind(21_i64)
            .fetch_all(&mut conn)
            .await
            .expect("explain");
    let plan = plan.join("\n");
    assert!(plan.contains("messages_thread"), "{plan}");
    assert!(!plan.contains("Seq Scan"), "{plan}");
}

/// A donation-service from before `anonymous` was in the parties answer: it
/// names `donor` and `recipient` as the parties of every donation.
async fn donation_service_without_the_flag(donor: &Person, recipient: &Person) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let parties = json!({"donor_id": donor.id, "recipient_id": recipient.id});
    let app = axum::Router::new().route(
        "/donations/{id}/parties",
        axum::routing::get(move || async move { axum::Json(parties) }),
    );
    tokio::spawn(async move { axum::serve(listener, app).await });
    url
}

#[tokio::test]
async fn an_answer_without_anonymous_keeps_the_recipient_waiting_for_the_donor() {
    let (donor, recipient, stranger) = (Person::user(), Person::user(), Person::user());
    let url = donation_service_without_the_flag(&donor, &recipient).await;
    let app = TestApp::spawn_with(&[("DONATION_SERVICE_URL", &url)]).await;
    let donation = Uuid::now_v7();
    let about = |from: &Person, to: &Person| {
        app.client
            .post("/messages")
            .token(&from.token)
            .json(&json!({"recipient_id": to.id, "body": "About the gift",
                          "context": {"type": "donation", "id": donation}}))
            .send()
    };

    let to_the_donor = about(&recipient, &donor).await;
    let to_a_stranger = about(&recipient, &stranger).await;
    assert_eq!(
        to_the_donor.assert_problem(409, "not_eligible"),
        to_a_stranger.assert_problem(409, "not_eligible")
    );
    // The donor's message about another donation does not count.
    app.client
        .post("/messages")
        .token(&donor.token)
        .json(&json!({"recipient_id": recipient.id, "body": "Hello",
                      "context": {"type": "donation", "id": Uuid::now_v7()}}))
        .send()
        .await
        .expect(201);
    about(&recipient, &donor)
        .await
        .assert_problem(409, "not_eligible");
    about(&donor, &recipient).await.expect(201);
    about(&recipient, &donor).await.expect(201);
    about(&recipient, &stranger)
        .await
        .assert_problem(409, "not_eligible");
}
