//! The item saga between donation-service and request-service (docs/events.md,
//! "Items to a request"), end to end through the real broker.

use std::time::Duration;

use crate::support::{pledge, prepare, settled, start};
use hearth::services::Service;
use hearth_testkit::{staff_token, Person, TestClient};
use serde_json::{json, Value};
use uuid::Uuid;

fn id(v: &Value) -> &str {
    v["id"].as_str().expect("id")
}

async fn post_request(client: &TestClient, requester: &Person, needed: i32) -> Value {
    client
        .post("/requests")
        .token(&requester.token)
        .json(&json!({"title": "Blankets for the shelter", "category": "bedding", "quantity_needed": needed}))
        .send()
        .await
        .expect(201)
}

/// The request once `done` holds for it (or after 10 s).
async fn request_becomes(
    client: &TestClient,
    request: &Value,
    done: impl Fn(&Value) -> bool,
) -> Value {
    let path = format!("/requests/{}", id(request));
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let r = client.get(&path).send().await.expect(200);
        if done(&r) || tokio::time::Instant::now() >= deadline {
            return r;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn counts(r: &Value) -> (i64, i64) {
    (
        r["quantity_pledged"].as_i64().expect("pledged"),
        r["quantity_fulfilled"].as_i64().expect("fulfilled"),
    )
}

#[tokio::test]
async fn pledges_are_received_and_fulfil_the_request() {
    let mut running = start().await;
    let alice = Person::user();
    let (bob, carol) = (Person::user(), Person::user());
    let r = post_request(&running.request, &alice, 5).await;

    let first = pledge(&running.donation, &bob, &r, 2).await;
    assert_eq!(first["status"], "pending");
    let first = settled(&running.donation, &bob, &first).await;
    assert_eq!(first["status"], "confirmed", "{first}");
    assert_eq!(first["recipient_id"], alice.id.to_string());
    let second = pledge(&running.donation, &carol, &r, 3).await;
    assert_eq!(
        settled(&running.donation, &carol, &second).await["status"],
        "confirmed"
    );
    let reserved = request_becomes(&running.request, &r, |r| counts(r) == (5, 0)).await;
    assert_eq!(counts(&reserved), (5, 0));

    // Only the recipient marks items received.
    let receive = |d: &Value| format!("/donations/{}/receive", id(d));
    for stranger in [&bob, &Person::user()] {
        running
            .donation
            .post(&receive(&first))
            .token(&stranger.token)
            .send()
            .await
            .assert_problem(403, "forbidden");
    }
    running
        .donation
        .post(&receive(&first))
        .send()
        .await
        .assert_problem(401, "unauthenticated");
    let received = running
        .donation
        .post(&receive(&first))
        .token(&alice.token)
        .send()
        .await
        .expect(200);
    assert_eq!(received["status"], "completed");
    let partly = request_becomes(&running.request, &r, |r| counts(r) == (3, 2)).await;
    assert_eq!(
        (counts(&partly), partly["status"].clone()),
        ((3, 2), json!("open"))
    );

    running
        .donation
        .post(&receive(&second))
        .token(&alice.token)
        .send()
        .await
        .expect(200);
    let done = request_becomes(&running.request, &r, |r| r["status"] == "fulfilled").await;
    assert_eq!(done["status"], "fulfilled");
    assert_eq!(counts(&done), (0, 5));
    running
        .donation
        .post(&receive(&second))
        .token(&alice.token)
        .send()
        .await
        .assert_problem(409, "invalid_state");

    let late = pledge(&running.donation, &carol, &r, 1).await;
    let late = settled(&running.donation, &carol, &late).await;
    assert_eq!(
        (late["status"].as_str(), late["status_reason"].as_str()),
        (Some("rejected"), Some("not_open"))
    );
    running.shutdown().await;
}

#[tokio::test]
async fn a_request_that_got_every_item_while_suspended_is_fulfilled_when_reinstated() {
    let mut running = start().await;
    let (alice, bob) = (Person::user(), Person::user());
    let r = post_request(&running.request, &alice, 2).await;
    let gift = pledge(&running.donation, &bob, &r, 2).await;
    assert_eq!(
        settled(&running.donation, &bob, &gift).await["status"],
        "confirmed"
    );
    request_becomes(&running.request, &r, |r| counts(r) == (2, 0)).await;

    let staff = staff_token(Uuid::new_v4());
    let move_to = |status: &'static str| {
        running
            .request
            .post(&format!("/requests/{}/status", id(&r)))
            .token(&staff)
            .json(&json!({ "status": status }))
            .send()
    };
    assert_eq!(
        move_to("suspended").await.expect(200)["status"],
        "suspended"
    );
    // The items arrive while it is hidden.
    running
        .donation
        .post(&format!("/donations/{}/receive", id(&gift)))
        .token(&alice.token)
        .send()
        .await
        .expect(200);
    // Hidden from everyone but staff, who watch the items arrive.
    let path = format!("/requests/{}", id(&r));
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    let received = loop {
        let seen = running
            .request
            .get(&path)
            .token(&staff)
            .send()
            .await
            .expect(200);
        if counts(&seen) == (0, 2) || tokio::time::Instant::now() >= deadline {
            break seen;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(
        (counts(&received), received["status"].clone()),
        ((0, 2), json!("suspended"))
    );

    let back = move_to("open").await.expect(200);
    assert_eq!(back["status"], "fulfilled", "{back}");
    let fulfilled: i64 = sqlx::query_scalar(
        "select count(*) from request.outbox where event_type = 'request.fulfilled'",
    )
    .fetch_one(&mut running.main_db.connect().await)
    .await
    .expect("outbox");
    assert_eq!(fulfilled, 1);
    running.shutdown().await;
}

#[tokio::test]
async fn an_over_pledge_and_a_self_pledge_are_rejected() {
    let mut running = start().await;
    let alice = Person::user();
    let bob = Person::user();
    let r = post_request(&running.request, &alice, 3).await;

    let too_many = pledge(&running.donation, &bob, &r, 4).await;
    let too_many = settled(&running.donation, &bob, &too_many).await;
    assert_eq!(too_many["status"], "rejected");
    assert_eq!(too_many["status_reason"], "quantity_exceeded");
    let own = pledge(&running.donation, &alice, &r, 1).await;
    let own = settled(&running.donation, &alice, &own).await;
    assert_eq!(own["status_reason"], "self_donation");
    let nowhere = pledge(&running.donation, &bob, &json!({"id": Uuid::new_v4()}), 1).await;
    let nowhere = settled(&running.donation, &bob, &nowhere).await;
    assert_eq!(nowhere["status_reason"], "not_found");
    let r = request_becomes(&running.request, &r, |_| true).await;
    assert_eq!(counts(&r), (0, 0));
    running.shutdown().await;
}

#[tokio::test]
async fn a_cancelled_pledge_frees_its_quantity_for_the_next_donor() {
    let mut running = start().await;
    let alice = Person::user();
    let (bob, carol, dave) = (Person::user(), Person::user(), Person::user());
    let r = post_request(&running.request, &alice, 4).await;
    let by_donor = pledge(&running.donation, &bob, &r, 2).await;
    let by_recipient = pledge(&running.donation, &carol, &r, 2).await;
    settled(&running.donation, &bob, &by_donor).await;
    settled(&running.donation, &carol, &by_recipient).await;
    let full = pledge(&running.donation, &dave, &r, 1).await;
    assert_eq!(
        settled(&running.donation, &dave, &full).await["status_reason"],
        "quantity_exceeded"
    );

    let cancel = |d: &Value| format!("/donations/{}/cancel", id(d));
    running
        .donation
        .post(&cancel(&by_donor))
        .token(&dave.token)
        .send()
        .await
        .assert_problem(403, "forbidden");
    running
        .donation
        .post(&cancel(&by_donor))
        .token(&bob.token)
        .send()
        .await
        .expect(200);
    running
        .donation
        .post(&cancel(&by_recipient))
        .token(&alice.token)
        .send()
        .await
        .expect(200);
    let freed = request_becomes(&running.request, &r, |r| counts(r) == (0, 0)).await;
    assert_eq!(counts(&freed), (0, 0));

    let now_fits = pledge(&running.donation, &dave, &r, 4).await;
    assert_eq!(
        settled(&running.donation, &dave, &now_fits).await["status"],
        "confirmed"
    );
    running.shutdown().await;
}

#[tokio::test]
async fn an_expired_pledge_frees_its_quantity() {
    let mut prepared = prepare().await;
    prepared.set("DONATION_PENDING_TIMEOUT", "500ms");
    // One delivery at a time, so that request-service meets donation.created
    // before donation.expired: it reserves late, then frees.
    prepared.set("EVENT_CONCURRENCY", "1");
    let alice = Person::user();
    let bob = Person::user();
    // request-service takes a request, then goes away.
    let (platform, clients) = prepared.launch(&[Service::Request]).await;
    let r = post_request(&clients["request"], &alice, 5).await;
    platform.shutdown().await.expect("stop");

    // Without an answer, the pledge expires.
    let (donations, clients) = prepared.launch(&[Service::Donation]).await;
    let d = pledge(&clients["donation"], &bob, &r, 3).await;
    let d = settled(&clients["donation"], &bob, &d).await;
    assert_eq!(d["status"], "expired", "{d}");

    // request-service comes back: whatever it reserved late, it frees.
    let (requests, request_clients) = prepared.launch(&[Service::Request]).await;
    let mut conn = prepared.main_db.connect().await;
    let mut handled = 0_i64;
    for _ in 0..100 {
        handled = sqlx::query_scalar("select count(*) from request.inbox")
            .fetch_one(&mut conn)
            .await
            .expect("count");
        if handled == 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(handled, 2, "donation.created and donation.expired handled");
    let at_rest = request_becomes(&request_clients["request"], &r, |_| true).await;
    assert_eq!(counts(&at_rest), (0, 0));
    let still = settled(&clients["donation"], &bob, &d).await;
    assert_eq!(
        still["status"], "expired",
        "a late acceptance changes nothing"
    );
    requests.shutdown().await.expect("stop");
    donations.shutdown().await.expect("stop");
}

#[tokio::test]
async fn a_redelivered_pledge_reserves_once() {
    let mut running = start().await;
    let alice = Person::user();
    let bob = Person::user();
    let r = post_request(&running.request, &alice, 10).await;
    let d = pledge(&running.donation, &bob, &r, 4).await;
    assert_eq!(
        settled(&running.donation, &bob, &d).await["status"],
        "confirmed"
    );

    // The same donation.created, delivered twice more.
    let envelope = running.donation_created().await;
    running.publish_again(&envelope, 2).await;
    let inbox = || async {
        let mut conn = running.main_db.connect().await;
        sqlx::query_scalar::<_, i64>(
            "select count(*) from request.inbox where event_type = 'donation.created'",
        )
        .fetch_one(&mut conn)
        .await
        .expect("count")
    };
    running
        .request
        .wait_for_metric(r#"hearth_events_duplicate_total{service="request"}"#, 2.0)
        .await;
    assert_eq!(inbox().await, 1, "the redeliveries were recognised");
    let r = request_becomes(&running.request, &r, |_| true).await;
    assert_eq!(counts(&r), (4, 0));
    running.shutdown().await;
}
