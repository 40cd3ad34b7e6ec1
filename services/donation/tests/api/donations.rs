use serde_json::{json, Value};
use uuid::Uuid;

use crate::helpers::{items, money, TestApp};
use hearth_testkit::{error_fields, Person};

#[tokio::test]
async fn a_gift_of_money_starts_pending_and_emits_donation_created() {
    let app = TestApp::spawn().await;
    let bob = Person::user();
    let campaign = Uuid::new_v4();
    let response = app.give(&bob, &money(campaign)).await;
    let d = response.expect(201);
    assert_eq!(response.header("etag"), Some("\"1\""));
    assert_eq!(
        response.header("location"),
        Some(format!("/donations/{}", d["id"].as_str().expect("id")).as_str())
    );
    assert_eq!(d["status"], "pending");
    assert_eq!(d["donor_id"], bob.id.to_string());
    assert_eq!(d["kind"], "money");
    assert_eq!(d["campaign_id"], campaign.to_string());
    assert!(d["recipient_id"].is_null() && d["request_id"].is_null() && d["quantity"].is_null());
    assert_eq!(d["anonymous"], false);
    assert_eq!(
        d.as_object().expect("object").len(),
        17,
        "the API's fields: {d}"
    );
    let events = app.events().await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["type"], "donation.created");
    assert_eq!(events[0]["data"]["amount_minor"], 2500);
    assert_eq!(events[0]["data"]["donor_id"], bob.id.to_string());
}

#[tokio::test]
async fn a_gift_of_items() {
    let app = TestApp::spawn().await;
    let d = app
        .give(&Person::user(), &items(Uuid::new_v4()))
        .await
        .expect(201);
    assert_eq!(d["kind"], "item");
    assert_eq!(d["quantity"], 5);
    assert_eq!(d["item_description"], "Wool blankets");
}

#[tokio::test]
async fn invalid_gifts_name_every_field() {
    let app = TestApp::spawn().await;
    let bob = Person::user();
    let cases = [
        (
            json!({"kind": "money"}),
            vec!["amount_minor", "campaign_id", "currency"],
        ),
        (
            json!({"kind": "money", "campaign_id": Uuid::new_v4(), "amount_minor": 0, "currency": "usd", "message": "m".repeat(281)}),
            vec!["amount_minor", "currency", "message"],
        ),
        (
            json!({"kind": "money", "campaign_id": Uuid::new_v4(), "amount_minor": 5, "currency": "USD", "quantity": 2}),
            vec!["quantity"],
        ),
        (
            json!({"kind": "item"}),
            vec!["item_description", "quantity", "request_id"],
        ),
        (
            json!({"kind": "item", "request_id": Uuid::new_v4(), "quantity": 10_001, "item_description": "", "currency": "USD"}),
            vec!["currency", "item_description", "quantity"],
        ),
    ];
    for (body, expected) in cases {
        let problem = app
            .give(&bob, &body)
            .await
            .assert_problem(422, "validation_failed");
        let fields = error_fields(&problem);
        assert_eq!(fields, expected, "{body}");
    }
    app.give(&bob, &json!({"kind": "cash"}))
        .await
        .assert_problem(422, "validation_failed");
    app.client
        .post("/donations")
        .json(&money(Uuid::new_v4()))
        .send()
        .await
        .assert_problem(401, "unauthenticated");
    assert!(app.events().await.is_empty(), "nothing refused is emitted");
}

#[tokio::test]
async fn who_sees_a_donation() {
    let app = TestApp::spawn().await;
    let bob = Person::user();
    let alice = Person::user();
    let stranger = Person::user();
    let staff = Person::staff();
    let mut body = money(Uuid::new_v4());
    body["anonymous"] = json!(true);
    let d = app.give(&bob, &body).await.expect(201);
    let path = format!("/donations/{}", d["id"].as_str().expect("id"));

    // Pending: the donor and staff only.
    app.client
        .get(&path)
        .send()
        .await
        .assert_problem(404, "not_found");
    app.client
        .get(&path)
        .token(&stranger.token)
        .send()
        .await
        .assert_problem(404, "not_found");
    app.client
        .get(&path)
        .token(&bob.token)
        .send()
        .await
        .expect(200);
    app.client
        .get(&path)
        .token(&staff.token)
        .send()
        .await
        .expect(200);

    // Confirmed: everyone, without the anonymous donor's id.
    app.confirm(&d["id"], &alice).await;
    let public = app.client.get(&path).send().await.expect(200);
    assert!(public["donor_id"].is_null());
    assert_eq!(public["status"], "confirmed");
    let to_stranger = app
        .client
        .get(&path)
        .token(&stranger.token)
        .send()
        .await
        .expect(200);
    assert_eq!(
        to_stranger, public,
        "a signed-in stranger sees the public view"
    );
    let to_staff = app
        .client
        .get(&path)
        .token(&staff.token)
        .send()
        .await
        .expect(200);
    assert_eq!(to_staff["donor_id"], bob.id.to_string(), "staff see all");
    let to_alice = app
        .client
        .get(&path)
        .token(&alice.token)
        .send()
        .await
        .expect(200);
    assert!(
        to_alice["donor_id"].is_null(),
        "anonymous to the recipient too: {to_alice}"
    );
    assert_eq!(to_alice["anonymous"], true);
    let to_bob = app
        .client
        .get(&path)
        .token(&bob.token)
        .send()
        .await
        .expect(200);
    assert_eq!(
        to_bob["donor_id"],
        bob.id.to_string(),
        "the donor sees themself"
    );
}

#[tokio::test]
async fn lists_by_campaign_mine_and_received() {
    let app = TestApp::spawn().await;
    let bob = Person::user();
    let alice = Person::user();
    let campaign = Uuid::new_v4();
    let confirmed = app.give(&bob, &money(campaign)).await.expect(201);
    app.confirm(&confirmed["id"], &alice).await;
    let pending = app.give(&bob, &money(campaign)).await.expect(201);

    let by_campaign = app
        .client
        .get(&format!("/donations?campaign_id={campaign}"))
        .send()
        .await
        .expect(200);
    assert_eq!(
        by_campaign["items"].as_array().expect("items").len(),
        1,
        "public: confirmed only"
    );
    let mine = app
        .client
        .get("/donations?mine=true")
        .token(&bob.token)
        .send()
        .await
        .expect(200);
    let ids: Vec<&str> = mine["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|d| d["id"].as_str().expect("id"))
        .collect();
    assert_eq!(
        ids,
        [
            pending["id"].as_str().expect("id"),
            confirmed["id"].as_str().expect("id")
        ]
    );
    let received = app
        .client
        .get("/donations?received=true")
        .token(&alice.token)
        .send()
        .await
        .expect(200);
    assert_eq!(received["items"].as_array().expect("items").len(), 1);

    app.client
        .get("/donations?mine=true")
        .send()
        .await
        .assert_problem(401, "unauthenticated");
    for query in [
        "",
        "mine=true&received=true",
        &format!("campaign_id={campaign}&mine=true"),
        "campaign_id=nope",
    ] {
        app.client
            .get(&format!("/donations?{query}"))
            .token(&bob.token)
            .send()
            .await
            .assert_problem(400, "bad_query");
    }
}

#[tokio::test]
async fn cancelling_follows_the_rules() {
    let app = TestApp::spawn().await;
    let bob = Person::user();
    let alice = Person::user();
    let stranger = Person::user();

    // A pending money gift: the donor may cancel; nobody else may see it.
    let d = app.give(&bob, &money(Uuid::new_v4())).await.expect(201);
    app.act(&d["id"], "cancel", &stranger, None)
        .await
        .assert_problem(404, "not_found");
    let cancelled = app.act(&d["id"], "cancel", &bob, None).await.expect(200);
    assert_eq!(cancelled["status"], "cancelled");
    app.act(&d["id"], "cancel", &bob, None)
        .await
        .assert_problem(409, "invalid_state");

    // A confirmed money gift is refunded, not cancelled.
    let d = app.give(&bob, &money(Uuid::new_v4())).await.expect(201);
    app.confirm(&d["id"], &alice).await;
    app.act(&d["id"], "cancel", &bob, None)
        .await
        .assert_problem(409, "invalid_state");
    app.act(&d["id"], "cancel", &stranger, None)
        .await
        .assert_problem(403, "forbidden");

    // A confirmed item gift: donor or recipient may cancel.
    let i = app.give(&bob, &items(Uuid::new_v4())).await.expect(201);
    app.confirm(&i["id"], &alice).await;
    let by_recipient = app.act(&i["id"], "cancel", &alice, None).await.expect(200);
    assert_eq!(by_recipient["status"], "cancelled");
    let events = app.events().await;
    let last = events.last().expect("an event");
    assert_eq!(last["type"], "donation.cancelled");
    assert_eq!(last["data"]["by"], "recipient");
}

#[tokio::test]
async fn refunds_are_for_the_recipient_or_staff_and_only_of_confirmed_money() {
    let app = TestApp::spawn().await;
    let (bob, alice, stranger, staff) = (
        Person::user(),
        Person::user(),
        Person::user(),
        Person::staff(),
    );
    let reason = || Some(json!({"reason": "the shelter closed"}));
    let pending = app.give(&bob, &money(Uuid::new_v4())).await.expect(201);
    app.act(&pending["id"], "refund", &staff, reason())
        .await
        .assert_problem(409, "invalid_state");

    let d = app.give(&bob, &money(Uuid::new_v4())).await.expect(201);
    app.confirm(&d["id"], &alice).await;
    app.client
        .post(&format!(
            "/donations/{}/refund",
            d["id"].as_str().expect("id")
        ))
        .json(&json!({"reason": "no"}))
        .send()
        .await
        .assert_problem(401, "unauthenticated");
    for who in [&bob, &stranger] {
        app.act(&d["id"], "refund", who, reason())
            .await
            .assert_problem(403, "forbidden");
    }
    // Staff may refund, but neither cancel nor receive for someone.
    app.act(&d["id"], "cancel", &staff, None)
        .await
        .assert_problem(403, "forbidden");
    let refunded = app
        .act(&d["id"], "refund", &staff, reason())
        .await
        .expect(200);
    assert_eq!(refunded["status"], "refunded");
    app.act(&d["id"], "refund", &alice, reason())
        .await
        .assert_problem(409, "invalid_state");

    let by_recipient = app.give(&bob, &money(Uuid::new_v4())).await.expect(201);
    app.confirm(&by_recipient["id"], &alice).await;
    app.act(&by_recipient["id"], "refund", &alice, reason())
        .await
        .expect(200);
    let i = app.give(&bob, &items(Uuid::new_v4())).await.expect(201);
    app.confirm(&i["id"], &alice).await;
    app.act(&i["id"], "receive", &staff, None)
        .await
        .assert_problem(403, "forbidden");
    app.act(&i["id"], "refund", &alice, reason())
        .await
        .assert_problem(409, "invalid_state");

    let refunds: Vec<_> = app
        .events()
        .await
        .into_iter()
        .filter(|e| e["type"] == "donation.refunded")
        .collect();
    assert_eq!(refunds.len(), 2);
    assert_eq!(refunds[0]["data"]["reason"], "the shelter closed");
    assert_eq!(refunds[0]["data"]["donor_id"], bob.id.to_string());
}

#[tokio::test]
async fn only_the_recipient_receives_a_confirmed_item_gift() {
    let app = TestApp::spawn().await;
    let bob = Person::user();
    let alice = Person::user();
    let i = app.give(&bob, &items(Uuid::new_v4())).await.expect(201);
    app.act(&i["id"], "receive", &bob, None)
        .await
        .assert_problem(403, "forbidden");
    app.confirm(&i["id"], &alice).await;
    app.act(&i["id"], "receive", &bob, None)
        .await
        .assert_problem(403, "forbidden");
    let done = app.act(&i["id"], "receive", &alice, None).await.expect(200);
    assert_eq!(done["status"], "completed");
    app.act(&i["id"], "receive", &alice, None)
        .await
        .assert_problem(409, "invalid_state");
    let m = app.give(&bob, &money(Uuid::new_v4())).await.expect(201);
    app.confirm(&m["id"], &alice).await;
    app.act(&m["id"], "receive", &alice, None)
        .await
        .assert_problem(409, "invalid_state");
    let completed: Vec<_> = app
        .events()
        .await
        .into_iter()
        .filter(|e| e["type"] == "donation.completed")
        .collect();
    assert_eq!(completed.len(), 1);
    assert_eq!(completed[0]["data"]["recipient_id"], alice.id.to_string());
}

#[tokio::test]
async fn idempotency_key_on_post_donations() {
    let app = TestApp::spawn().await;
    let bob = Person::user();
    let body = money(Uuid::new_v4());
    let send = |body: serde_json::Value| {
        let app = &app;
        let token = bob.token.clone();
        async move {
            app.client
                .post("/donations")
                .token(&token)
                .header("idempotency-key", "gift-1")
                .json(&body)
                .send()
                .await
        }
    };
    let first = send(body.clone()).await.expect(201);
    let again = send(body.clone()).await.expect(201);
    assert_eq!(first, again);
    let mut other = body;
    other["amount_minor"] = json!(9);
    send(other)
        .await
        .assert_problem(422, "idempotency_key_reused");
    assert_eq!(app.events().await.len(), 1);
}

#[tokio::test]
async fn a_donation_whose_answer_was_lost_after_its_commit_is_not_made_twice() {
    let app = TestApp::spawn().await;
    let bob = Person::user();
    let body = money(Uuid::new_v4());
    let send = || {
        app.client
            .post("/donations")
            .token(&bob.token)
            .header("idempotency-key", "gift-2")
            .json(&body)
            .send()
    };
    let first = send().await.expect(201);
    app.db.lose_idempotent_answer("donation", "gift-2").await;

    let again = send().await.expect(201);

    assert_eq!(again["id"], first["id"], "the donation the first run made");
    assert_eq!(
        app.db
            .scalar("select count(*) from donation.donations")
            .await,
        1
    );
    assert_eq!(app.events().await.len(), 1, "one donation.created");
}

#[tokio::test]
async fn openapi_document() {
    let app = TestApp::spawn().await;
    let document = app.client.get("/openapi.json").send().await.expect(200);
    insta::assert_json_snapshot!("openapi_document", document);
}

#[tokio::test]
async fn a_service_token_without_a_user_cannot_give() {
    let app = TestApp::spawn().await;
    app.client
        .post("/donations")
        .token(&hearth_testkit::service_token())
        .json(&json!({"kind": "money", "campaign_id": Uuid::new_v4(), "amount_minor": 500, "currency": "USD"}))
        .send()
        .await
        .assert_problem(403, "forbidden");
    assert_eq!(
        app.db
            .scalar("select count(*) from donation.donations")
            .await,
        0,
        "no donation by the nil user"
    );
}

/// The donor's id appears nowhere in `answer`.
fn hides(answer: &Value, donor: &Person) {
    let text = answer.to_string();
    assert!(
        !text.contains(&donor.id.to_string()),
        "names the donor: {text}"
    );
}

#[tokio::test]
async fn an_anonymous_donor_is_hidden_from_the_recipient_in_every_list_and_answer() {
    let app = TestApp::spawn().await;
    let (bob, alice, stranger, staff) = (
        Person::user(),
        Person::user(),
        Person::user(),
        Person::staff(),
    );
    let (campaign, request) = (Uuid::new_v4(), Uuid::new_v4());
    let anonymous = |mut body: Value| {
        body["anonymous"] = json!(true);
        body
    };
    let gift = app
        .give(&bob, &anonymous(money(campaign)))
        .await
        .expect(201);
    app.confirm(&gift["id"], &alice).await;
    let pledge = app.give(&bob, &anonymous(items(request))).await.expect(201);
    app.confirm(&pledge["id"], &alice).await;

    let list = |query: String, who: Option<&Person>| {
        app.client
            .get(&format!("/donations?{query}"))
            .maybe_token(who.map(|p| p.token.as_str()))
            .send()
    };
    // (query, who may list it, how many it shows)
    let public = [None, Some(&stranger), Some(&alice)];
    let lists = [
        ("received=true".to_owned(), &[Some(&alice)][..], 2),
        (format!("campaign_id={campaign}"), &public[..], 1),
        (format!("request_id={request}"), &public[..], 1),
    ];
    for (query, viewers, count) in &lists {
        for who in *viewers {
            let page = list(query.clone(), *who).await.expect(200);
            assert_eq!(
                page["items"].as_array().map(Vec::len),
                Some(*count),
                "{query}"
            );
            hides(&page, &bob);
        }
    }
    for query in [
        format!("campaign_id={campaign}"),
        format!("request_id={request}"),
    ] {
        let page = list(query, Some(&staff)).await.expect(200);
        assert_eq!(
            page["items"][0]["donor_id"],
            bob.id.to_string(),
            "staff see all"
        );
    }
    let mine = list("mine=true".to_owned(), Some(&bob)).await.expect(200);
    assert_eq!(mine["items"][0]["donor_id"], bob.id.to_string());

    // The recipient's moves answer without the donor as well.
    let received = app
        .act(&pledge["id"], "receive", &alice, None)
        .await
        .expect(200);
    assert_eq!(received["status"], "completed");
    hides(&received, &bob);
    let refunded = app
        .act(
            &gift["id"],
            "refund",
            &alice,
            Some(json!({"reason": "duplicate"})),
        )
        .await
        .expect(200);
    assert_eq!(refunded["status"], "refunded");
    hides(&refunded, &bob);
    let path = format!("/donations/{}", gift["id"].as_str().expect("id"));
    let after = app
        .client
        .get(&path)
        .token(&alice.token)
        .send()
        .await
        .expect(200);
    hides(&after, &bob);

    // A recipient cancelling a confirmed pledge is not told who pledged it.
    let second = app.give(&bob, &anonymous(items(request))).await.expect(201);
    app.confirm(&second["id"], &alice).await;
    let cancelled = app
        .act(&second["id"], "cancel", &alice, None)
        .await
        .expect(200);
    assert_eq!(cancelled["status"], "cancelled");
    hides(&cancelled, &bob);

    // Staff refunding see whom they refund.
    let third = app
        .give(&bob, &anonymous(money(campaign)))
        .await
        .expect(201);
    app.confirm(&third["id"], &alice).await;
    let by_staff = app
        .act(
            &third["id"],
            "refund",
            &staff,
            Some(json!({"reason": "fraud"})),
        )
        .await
        .expect(200);
    assert_eq!(by_staff["donor_id"], bob.id.to_string());
}
