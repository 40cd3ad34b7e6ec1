//! The item saga under contention: 40 donors pledge 400 times against 4
//! requests at once, far more than they need. No request is ever promised more
//! than it needs; some pledges are received and some cancelled; at rest each
//! request's `quantity_pledged` and `quantity_fulfilled` equal the sums over its
//! confirmed and completed donations, and no donation is left pending.

use std::sync::Arc;
use std::time::Duration;

use crate::support::start;
use futures::StreamExt;
use hearth_testkit::user_token;
use serde_json::json;
use uuid::Uuid;

const DONORS: usize = 40;
const PLEDGES: usize = 400;
const REQUESTS: usize = 4;
const NEEDED: i64 = 150;

#[tokio::test]
async fn many_donors_at_once_never_pledge_more_than_is_needed() {
    let mut running = start().await;
    let requester = Uuid::new_v4();
    let requester_token = user_token(requester);
    let mut requests = Vec::new();
    for n in 0..REQUESTS {
        let r = running
            .request
            .post("/requests")
            .token(&requester_token)
            .json(&json!({"title": format!("Request {n}"), "category": "bedding", "quantity_needed": NEEDED}))
            .send()
            .await
            .expect(201);
        requests.push(r["id"].as_str().expect("id").to_owned());
    }

    let donors: Vec<String> = (0..DONORS).map(|_| user_token(Uuid::new_v4())).collect();
    let client = Arc::new(running.donation.clone());
    let pledges: Vec<(String, String)> = futures::stream::iter(0..PLEDGES)
        .map(|n| {
            let client = client.clone();
            let token = donors[n % DONORS].clone();
            let request = requests[n % REQUESTS].clone();
            async move {
                let d = client
                    .post("/donations")
                    .token(&token)
                    .json(&json!({"kind": "item", "request_id": request, "quantity": 1 + (n % 5) as i64,
                                  "item_description": "blankets"}))
                    .send()
                    .await
                    .expect(201);
                (d["id"].as_str().expect("id").to_owned(), token)
            }
        })
        .buffer_unordered(32)
        .collect()
        .await;

    // The requester receives every third pledge and cancels every seventh,
    // as soon as each is confirmed; the rest stay pledged.
    let mut main_db = running.main_db.connect().await;
    let (mut received, mut cancelled) = (0, 0);
    for (n, (id, _)) in pledges.iter().enumerate() {
        let action = match (n % 3, n % 7) {
            (0, _) => "receive",
            (_, 0) => "cancel",
            _ => continue,
        };
        if !wait_until_settled(&mut main_db, id).await {
            continue; // Rejected: the request was fully promised.
        }
        running
            .donation
            .post(&format!("/donations/{id}/{action}"))
            .token(&requester_token)
            .send()
            .await
            .expect(200);
        if action == "receive" {
            received += 1;
        } else {
            cancelled += 1;
        }
    }
    assert!(
        received > 20 && cancelled > 5,
        "{received} received, {cancelled} cancelled"
    );

    // At rest: nothing pending, and every request's counts are its donations' sums.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        let pending: i64 =
            sqlx::query_scalar("select count(*) from donation.donations where status = 'pending'")
                .fetch_one(&mut main_db)
                .await
                .expect("pending");
        let mismatched: Vec<(String, i64, i64, i64, i64)> = sqlx::query_as(MISMATCHES)
            .fetch_all(&mut main_db)
            .await
            .expect("compare");
        if pending == 0 && mismatched.is_empty() {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "not at rest after 60 s: {pending} pending, mismatched {mismatched:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let over: i64 = sqlx::query_scalar(
        "select count(*) from request.requests where quantity_pledged + quantity_fulfilled > quantity_needed",
    )
    .fetch_one(&mut main_db)
    .await
    .expect("over");
    assert_eq!(over, 0);
    let (rejected, promised): (i64, i64) = sqlx::query_as(
        "select count(*) filter (where status = 'rejected'), \
                coalesce(sum(quantity) filter (where status in ('confirmed', 'completed')), 0) \
         from donation.donations",
    )
    .fetch_one(&mut main_db)
    .await
    .expect("totals");
    assert!(rejected > 0, "the requests were over-subscribed");
    assert!(promised <= NEEDED * REQUESTS as i64);
    running.shutdown().await;
}

/// Requests whose counts differ from the sums over their donations (both
/// schemas are on Main DB, so one query compares them).
const MISMATCHES: &str = "\
    select r.id::text, r.quantity_pledged::bigint, coalesce(s.confirmed, 0)::bigint, \
           r.quantity_fulfilled::bigint, coalesce(s.completed, 0)::bigint \
    from request.requests r \
    left join (select request_id, \
                      sum(quantity) filter (where status = 'confirmed') as confirmed, \
                      sum(quantity) filter (where status = 'completed') as completed \
               from donation.donations group by request_id) s on s.request_id = r.id \
    where r.quantity_pledged <> coalesce(s.confirmed, 0) \
       or r.quantity_fulfilled <> coalesce(s.completed, 0)";

/// Waits for a donation to leave `pending`; true if it was confirmed.
async fn wait_until_settled(conn: &mut sqlx::PgConnection, id: &str) -> bool {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let status: String =
            sqlx::query_scalar("select status from donation.donations where id = $1::uuid")
                .bind(id)
                .fetch_one(&mut *conn)
                .await
                .expect("status");
        if status != "pending" {
            return status == "confirmed";
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "donation {id} still pending after 30 s"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
