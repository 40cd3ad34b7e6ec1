//! The expiry sweeper, with several instances sweeping at once.

use std::time::Duration;

use donation_service::expiry::sweep;
use hearth_core::config::DatabaseConfig;

use crate::helpers::{money, TestApp};
use hearth_testkit::Person;

#[tokio::test]
async fn two_sweepers_expire_each_overdue_donation_exactly_once() {
    let app = TestApp::spawn().await;
    let bob = Person::user();
    for _ in 0..250 {
        app.give(&bob, &money(uuid::Uuid::new_v4()))
            .await
            .expect(201);
    }
    let fresh = app
        .give(&bob, &money(uuid::Uuid::new_v4()))
        .await
        .expect(201);
    let mut conn = app.db.connect().await;
    sqlx::query(
        "update donation.donations set created_at = now() - interval '1 hour' where id <> $1::uuid",
    )
    .bind(fresh["id"].as_str().expect("id"))
    .execute(&mut conn)
    .await
    .expect("age them");
    let pool = hearth_core::db::pool(
        &DatabaseConfig {
            url: app.db.url(),
            max_connections: 4,
            acquire_timeout: Duration::from_secs(5),
        },
        "donation",
    )
    .expect("pool");

    let waker = hearth_bus::wake::Waker::new(pool.clone());
    let (a, b) = tokio::join!(
        sweep(&pool, &waker, Duration::from_secs(600)),
        sweep(&pool, &waker, Duration::from_secs(600))
    );

    assert_eq!(
        a.expect("sweep") + b.expect("sweep"),
        250,
        "each overdue donation by one sweeper"
    );
    let count = |sql: &'static str| {
        let pool = pool.clone();
        async move {
            sqlx::query_scalar::<_, i64>(sql)
                .fetch_one(&pool)
                .await
                .expect(sql)
        }
    };
    assert_eq!(
        count("select count(*) from donations where status = 'expired'").await,
        250
    );
    assert_eq!(
        count("select count(*) from outbox where event_type = 'donation.expired'").await,
        250
    );
    assert_eq!(
        count("select count(*) from donations where status = 'pending'").await,
        1,
        "the fresh one waits"
    );
    let expired = app
        .events()
        .await
        .into_iter()
        .find(|e| e["type"] == "donation.expired")
        .expect("an event");
    assert_eq!(expired["data"]["kind"], "money");
}
