//! The in-memory set of suspended users every service's write check reads.

use std::time::Duration;

use chrono::Utc;
use hearth_bus::moderation::{record, Decision};
use hearth_core::moderation::Suspensions;
use uuid::Uuid;

use crate::support::{eventually, Fixture};

async fn decide(f: &Fixture, user: Uuid, suspended: bool) {
    let mut tx = f.pool.begin().await.expect("begin");
    let decision = Decision {
        event_id: Uuid::now_v7(),
        at: Utc::now(),
    };
    // No request waits on it: the set follows the NOTIFY.
    let _decided = record(&mut tx, user, suspended, Some("test"), decision)
        .await
        .expect("record");
    tx.commit().await.expect("commit");
}

async fn answers(suspensions: &Suspensions, user: Uuid, expected: bool) -> bool {
    eventually(Duration::from_secs(5), || async {
        suspensions.contains(user).await.expect("contains") == expected
    })
    .await
}

#[tokio::test]
async fn a_committed_decision_reaches_the_set_in_memory_both_ways() {
    let f = Fixture::new().await;
    let already = Uuid::now_v7();
    decide(&f, already, true).await;
    let suspensions = Suspensions::follow(f.pool.clone(), "svc");
    assert!(
        eventually(Duration::from_secs(5), || async { suspensions.is_loaded() }).await,
        "loaded at start"
    );
    assert!(suspensions.contains(already).await.expect("contains"));

    let user = Uuid::now_v7();
    assert!(!suspensions.contains(user).await.expect("contains"));
    decide(&f, user, true).await;
    assert!(answers(&suspensions, user, true).await, "suspended");
    assert!(suspensions.is_loaded(), "answered from memory");

    decide(&f, user, false).await;
    assert!(answers(&suspensions, user, false).await, "reinstated");
    assert!(suspensions.contains(already).await.expect("contains"));
}

#[tokio::test]
async fn a_lost_listen_connection_loads_everything_again_when_back() {
    let f = Fixture::new().await;
    let suspensions = Suspensions::follow(f.pool.clone(), "svc");
    assert!(eventually(Duration::from_secs(5), || async { suspensions.is_loaded() }).await);

    // The LISTEN connection dies, and a decision is written meanwhile with no
    // notification anyone could hear.
    let killed: i64 = sqlx::query_scalar(
        "select count(pg_terminate_backend(pid)) from pg_stat_activity \
         where datname = current_database() and query like 'LISTEN%'",
    )
    .fetch_one(&f.pool)
    .await
    .expect("terminate the listener");
    assert_eq!(killed, 1);
    let user = Uuid::now_v7();
    sqlx::query(
        "insert into account_suspensions (user_id, suspended, decided_at, event_id) \
         values ($1, true, now(), $2)",
    )
    .bind(user)
    .bind(Uuid::now_v7())
    .execute(&f.pool)
    .await
    .expect("insert");

    assert!(
        answers(&suspensions, user, true).await,
        "the table answers, or a fresh load does"
    );
    assert!(
        eventually(Duration::from_secs(5), || async { suspensions.is_loaded() }).await,
        "listening again"
    );
    assert!(suspensions.contains(user).await.expect("contains"));
}
