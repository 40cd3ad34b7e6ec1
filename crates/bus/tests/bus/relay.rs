use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use hearth_bus::consumer::delete_inbox_before;
use hearth_bus::relay::delete_published_before;
use hearth_bus::topology::declare_exchange;
use hearth_events::{Envelope, EventContext};
use lapin::types::AMQPValue;
use uuid::Uuid;

use crate::support::{self, eventually, Fixture};

#[tokio::test]
async fn a_commit_wakes_the_relay_and_the_event_leaves_once_with_its_properties() {
    let f = Fixture::new().await;
    let mut tap = f.tap().await;
    // A poll so slow that only the NOTIFY on commit can explain a quick publish.
    tokio::spawn(f.relay(Duration::from_secs(30)).run(f.stop.subscribe()));
    tokio::time::sleep(Duration::from_millis(300)).await;

    let started = Instant::now();
    let event = f.commit_events(Uuid::now_v7(), 1).await.remove(0);
    let delivery = tap.next(Duration::from_secs(5)).await.expect("published");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "woken by the commit, not the poll"
    );

    let body: serde_json::Value = serde_json::from_slice(&delivery.data).expect("json");
    assert_eq!(body, serde_json::to_value(&event).expect("json"));
    assert_eq!(delivery.routing_key.as_str(), "campaign.created");
    let props = &delivery.properties;
    assert_eq!(
        props.message_id().as_ref().map(|m| m.to_string()),
        Some(event.id.to_string())
    );
    assert_eq!(
        props.kind().as_ref().map(|k| k.to_string()),
        Some("campaign.created".to_owned())
    );
    assert_eq!(*props.delivery_mode(), Some(2));
    assert_eq!(
        props.content_type().as_ref().map(|c| c.to_string()),
        Some("application/cloudevents+json".to_owned())
    );
    assert!(props.timestamp().is_some());
    let traceparent = props
        .headers()
        .as_ref()
        .and_then(|h| h.inner().get("traceparent").cloned());
    assert!(
        matches!(traceparent, Some(AMQPValue::LongString(t)) if t.to_string() == event.traceparent.clone().unwrap_or_default())
    );

    assert!(
        tap.next(Duration::from_millis(500)).await.is_none(),
        "exactly once"
    );
    assert!(
        eventually(Duration::from_secs(5), || async {
            f.scalar("select count(*) from outbox where published_at is null")
                .await
                == 0
        })
        .await
    );
}

#[tokio::test]
async fn rows_committed_while_no_relay_ran_are_sent_by_the_next_one() {
    let f = Fixture::new().await;
    let mut tap = f.tap().await;
    // The service committed and died before its relay published.
    let events = f.commit_events(Uuid::now_v7(), 3).await;

    tokio::spawn(f.relay(Duration::from_millis(200)).run(f.stop.subscribe()));

    for event in &events {
        let body = tap.next_json(Duration::from_secs(5)).await;
        assert_eq!(body["id"], event.id.to_string());
    }
    assert!(tap.next(Duration::from_millis(300)).await.is_none());
}

#[tokio::test]
async fn two_relays_send_each_event_once_and_keep_each_aggregates_order() {
    let f = Fixture::new().await;
    let mut tap = f.tap().await;
    tokio::spawn(f.relay(Duration::from_millis(100)).run(f.stop.subscribe()));
    tokio::spawn(f.relay(Duration::from_millis(100)).run(f.stop.subscribe()));

    let aggregates: Vec<Uuid> = (0..5).map(|_| Uuid::now_v7()).collect();
    let mut expected = 0;
    for round in 0..20 {
        for aggregate in &aggregates {
            // Each commit holds several events of one aggregate, numbered in order.
            let mut tx = f.pool.begin().await.expect("begin");
            for n in 0..3 {
                let event = hearth_events::Envelope::new(
                    "svc",
                    crate::support::created(*aggregate, round * 3 + n),
                    &Default::default(),
                );
                hearth_bus::outbox::enqueue(&mut tx, &event)
                    .await
                    .expect("enqueue");
                expected += 1;
            }
            tx.commit().await.expect("commit");
        }
    }

    let mut seen = HashSet::new();
    let mut last: HashMap<String, i64> = HashMap::new();
    for _ in 0..expected {
        let body = tap.next_json(Duration::from_secs(10)).await;
        assert!(
            seen.insert(body["id"].as_str().expect("id").to_owned()),
            "sent twice: {body}"
        );
        let subject = body["subject"].as_str().expect("subject").to_owned();
        let n = body["data"]["goal_minor"].as_i64().expect("n");
        let previous = last.insert(subject, n).unwrap_or(0);
        assert_eq!(n, previous + 1, "order kept per aggregate");
    }
    assert!(
        tap.next(Duration::from_millis(500)).await.is_none(),
        "nothing more"
    );
}

#[tokio::test]
async fn an_event_nobody_consumes_is_published_not_returned_forever() {
    let f = Fixture::new().await;
    // No tap, no queue bound: only the alternate exchange takes it.
    declare_exchange(&f.broker.channel().await, &f.names)
        .await
        .expect("exchange");
    tokio::spawn(f.relay(Duration::from_millis(100)).run(f.stop.subscribe()));
    f.commit_events(Uuid::now_v7(), 2).await;
    assert!(
        eventually(Duration::from_secs(5), || async {
            f.scalar("select count(*) from outbox where published_at is not null")
                .await
                == 2
        })
        .await
    );
    assert_eq!(
        f.scalar("select count(*) from outbox where attempts > 0")
            .await,
        0
    );
}

#[tokio::test]
async fn cleanup_removes_only_old_published_rows() {
    let f = Fixture::new().await;
    f.commit_events(Uuid::now_v7(), 30).await;
    // 10 published long ago, 10 published just now, 10 never published (and old).
    sqlx::raw_sql(
        "update outbox set published_at = now() - interval '2 days' where seq <= 10;
         update outbox set published_at = now() where seq > 10 and seq <= 20;
         update outbox set created_at = now() - interval '3 days' where seq > 20;",
    )
    .execute(&f.pool)
    .await
    .expect("age the rows");

    let mut conn = f.pool.acquire().await.expect("conn");
    let deleted = delete_published_before(&mut conn, Duration::from_secs(24 * 3600), 3)
        .await
        .expect("cleanup");

    assert_eq!(deleted, 10, "in batches of 3, until none is left");
    assert_eq!(
        f.scalar("select count(*) from outbox where seq <= 10")
            .await,
        0
    );
    assert_eq!(
        f.scalar("select count(*) from outbox where seq > 10").await,
        20
    );
}

#[tokio::test]
async fn inbox_cleanup_forgets_only_old_event_ids() {
    let f = Fixture::new().await;
    sqlx::raw_sql(
        "insert into inbox (event_id, event_type, received_at)
         select gen_random_uuid(), 'campaign.created', now() - interval '8 days' from generate_series(1, 7);
         insert into inbox (event_id, event_type) select gen_random_uuid(), 'campaign.created' from generate_series(1, 4);",
    )
    .execute(&f.pool)
    .await
    .expect("fill the inbox");
    let mut conn = f.pool.acquire().await.expect("conn");
    let deleted = delete_inbox_before(&mut conn, Duration::from_secs(7 * 24 * 3600), 2)
        .await
        .expect("cleanup");
    assert_eq!(deleted, 7);
    assert_eq!(f.scalar("select count(*) from inbox").await, 4);
}

#[tokio::test]
async fn a_returned_message_stays_in_the_outbox_and_is_counted() {
    let f = Fixture::new().await;
    tokio::spawn(f.relay(Duration::from_millis(100)).run(f.stop.subscribe()));
    f.commit_events(Uuid::now_v7(), 1).await;
    assert!(
        eventually(Duration::from_secs(5), || async {
            f.scalar("select count(*) from outbox where published_at is not null")
                .await
                == 1
        })
        .await
    );
    // With nothing behind the alternate exchange (and the relay connected, so it
    // will not re-declare it), an event nobody consumes comes back.
    f.broker
        .channel()
        .await
        .queue_delete(&f.names.unrouted_queue(), Default::default())
        .await
        .expect("delete the unrouted queue");

    f.commit_events(Uuid::now_v7(), 1).await;

    assert!(
        eventually(Duration::from_secs(5), || async {
            f.scalar("select coalesce(max(attempts), 0)::bigint from outbox")
                .await
                >= 2
        })
        .await
    );
    assert_eq!(
        f.scalar("select count(*) from outbox where published_at is null")
            .await,
        1
    );
    let error: String =
        sqlx::query_scalar("select last_error from outbox where published_at is null")
            .fetch_one(&f.pool)
            .await
            .expect("last_error");
    assert!(error.contains("returned"), "{error}");
}

#[tokio::test]
async fn a_row_committed_late_with_a_lower_seq_is_still_sent() {
    let f = Fixture::new().await;
    let mut tap = f.tap().await;
    tokio::spawn(f.relay(Duration::from_millis(200)).run(f.stop.subscribe()));
    tokio::time::sleep(Duration::from_millis(300)).await;

    // This transaction takes the lower `seq`, but commits after the relay has
    // read past it.
    let late_event = Envelope::new(
        "svc",
        support::created(Uuid::now_v7(), 0),
        &EventContext::default(),
    );
    let mut late = f.pool.begin().await.expect("begin");
    hearth_bus::outbox::enqueue(&mut late, &late_event)
        .await
        .expect("enqueue");
    let early = f.commit_events(Uuid::now_v7(), 1).await.remove(0);
    assert_eq!(
        tap.next_json(Duration::from_secs(5)).await["id"],
        early.id.to_string()
    );

    late.commit().await.expect("commit");
    assert_eq!(
        tap.next_json(Duration::from_secs(5)).await["id"],
        late_event.id.to_string(),
        "the late row is found when it commits"
    );
    assert!(tap.next(Duration::from_millis(300)).await.is_none());
}

#[tokio::test]
async fn an_aggregates_events_keep_commit_order_when_the_first_commits_late() {
    let f = Fixture::new().await;
    let mut tap = f.tap().await;
    // No pass from the start for 30 s: only the drains can send the late row.
    tokio::spawn(f.relay(Duration::from_secs(30)).run(f.stop.subscribe()));
    tokio::time::sleep(Duration::from_millis(300)).await;
    let aggregate = Uuid::now_v7();
    let event = |n| {
        Envelope::new(
            "svc",
            support::created(aggregate, n),
            &EventContext::default(),
        )
    };
    let (first, second) = (event(0), event(1));

    // `other` has its transaction id before `late` does, but takes its seq after.
    let mut other_tx = f.pool.begin().await.expect("begin");
    sqlx::query("select pg_current_xact_id()")
        .execute(&mut *other_tx)
        .await
        .expect("an id");
    // `late` writes more rows than a batch (the fixture's is 100), then the
    // aggregate's first event, and runs on.
    let mut late = f.pool.begin().await.expect("begin");
    for n in 0..150 {
        let filler = Envelope::new(
            "svc",
            support::created(Uuid::now_v7(), n),
            &EventContext::default(),
        );
        hearth_bus::outbox::enqueue(&mut late, &filler)
            .await
            .expect("enqueue");
    }
    hearth_bus::outbox::enqueue(&mut late, &first)
        .await
        .expect("enqueue");
    let other = Envelope::new(
        "svc",
        support::created(Uuid::now_v7(), 0),
        &EventContext::default(),
    );
    hearth_bus::outbox::enqueue(&mut other_tx, &other)
        .await
        .expect("enqueue");
    other_tx.commit().await.expect("commit");
    // `other` is sent, and its row kept locked so that its mark waits and its
    // batch stays in flight: the next drains read past it, as under load.
    let mut holder = f.pool.begin().await.expect("begin");
    sqlx::query("select 1 from outbox where event_id = $1 for update")
        .bind(other.id)
        .execute(&mut *holder)
        .await
        .expect("lock");
    hearth_bus::wake::notify(&f.pool).await.expect("notify");
    assert_eq!(
        tap.next_json(Duration::from_secs(5)).await["id"],
        other.id.to_string()
    );
    // Another read while `late` still runs: the gap must outlive it.
    let between = f.commit_events(Uuid::now_v7(), 1).await.remove(0);
    assert_eq!(
        tap.next_json(Duration::from_secs(5)).await["id"],
        between.id.to_string()
    );

    // The first commits, then the aggregate's second (a later change, which
    // would have waited for the first's lock on the aggregate).
    late.commit().await.expect("commit");
    let mut tx = f.pool.begin().await.expect("begin");
    hearth_bus::outbox::enqueue(&mut tx, &second)
        .await
        .expect("enqueue");
    tx.commit().await.expect("commit");
    hearth_bus::wake::notify(&f.pool).await.expect("notify");

    let mut seen = Vec::new();
    while seen.len() < 2 {
        let body = tap.next_json(Duration::from_secs(5)).await;
        if body["subject"] == aggregate.to_string() {
            seen.push(body["id"].as_str().expect("id").to_owned());
        }
    }
    assert_eq!(
        seen,
        [first.id.to_string(), second.id.to_string()],
        "in commit order"
    );
    holder.rollback().await.expect("rollback");
    assert!(
        eventually(Duration::from_secs(5), || async {
            f.scalar("select count(*) from outbox where published_at is null")
                .await
                == 0
        })
        .await
    );
}

#[tokio::test]
async fn a_commit_that_woke_nobody_waits_for_the_poll_and_a_wake_sends_it() {
    let f = Fixture::new().await;
    let mut tap = f.tap().await;
    tokio::spawn(f.relay(Duration::from_secs(30)).run(f.stop.subscribe()));
    tokio::time::sleep(Duration::from_millis(300)).await;

    // The outbox has no trigger: committing alone tells the relay nothing.
    let event = f.commit_events_quietly(Uuid::now_v7(), 1).await.remove(0);
    assert!(tap.next(Duration::from_millis(700)).await.is_none());

    hearth_bus::wake::notify(&f.pool).await.expect("notify");
    assert_eq!(
        tap.next_json(Duration::from_secs(5)).await["id"],
        event.id.to_string()
    );
}

#[tokio::test]
async fn enqueue_as_a_first_write_has_its_transaction_id_before_its_seq() {
    let f = Fixture::new().await;
    // A column computed as the row is built, next to its seq: did the
    // transaction have an id then? (The relay's cursor needs it to.)
    sqlx::query(
        "alter table outbox add column had_id boolean \
         default (pg_current_xact_id_if_assigned() is not null)",
    )
    .execute(&f.pool)
    .await
    .expect("alter");
    // Several, since PostgreSQL's sequence gives the transaction an id itself
    // once every 32 values, when it logs them.
    for n in 0..5 {
        let mut tx = f.pool.begin().await.expect("begin");
        let event = Envelope::new(
            "svc",
            support::created(Uuid::now_v7(), n),
            &EventContext::default(),
        );
        hearth_bus::outbox::enqueue(&mut tx, &event)
            .await
            .expect("enqueue");
        tx.commit().await.expect("commit");
    }
    assert_eq!(
        f.scalar("select count(*) from outbox where not had_id")
            .await,
        0
    );
}
