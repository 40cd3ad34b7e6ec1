//! A unit of work that emitted wakes the relay once it has committed: in the
//! consumer runner and in a request handler alike. The relays here poll every 30 s, so
//! only a wake-up explains an event published within seconds.

use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::routing::post;
use axum::Router;
use hearth_bus::consumer::{Consumer, ConsumerMetrics, HandleError, Tx};
use hearth_bus::topology::{declare_consumer, ConsumerTopology};
use hearth_bus::unit_of_work::UnitOfWork;
use hearth_bus::wake::Waker;
use hearth_events::campaign::{CampaignCreated, CampaignGoalReached};
use hearth_events::{Envelope, EventContext};
use tower::ServiceExt;
use uuid::Uuid;

use crate::support::{created, Fixture};

const SLOW_POLL: Duration = Duration::from_secs(30);
const WOKEN_WITHIN: Duration = Duration::from_secs(3);

fn goal_reached() -> Envelope<CampaignGoalReached> {
    Envelope::new(
        "svc",
        CampaignGoalReached {
            campaign_id: Uuid::now_v7(),
            recipient_id: Uuid::now_v7(),
            title: "Blankets".into(),
            goal_minor: 100,
            raised_minor: 100,
            currency: "USD".into(),
        },
        &EventContext::default(),
    )
}

/// Answers each `campaign.created` with a `campaign.goal_reached` in its outbox.
async fn emitting_handler(mut tx: Tx, _: Envelope<CampaignCreated>) -> Result<Tx, HandleError> {
    tx.enqueue(&goal_reached()).await?;
    Ok(tx)
}

#[tokio::test]
async fn a_consumed_event_that_emits_wakes_the_relay() {
    let f = Fixture::new().await;
    let mut tap = f.tap().await;
    tokio::spawn(f.relay(SLOW_POLL).run(f.stop.subscribe()));
    f.broker.track(f.names.queue("svc"));
    f.broker.track(f.names.dead_queue("svc"));
    declare_consumer(
        &f.broker.channel().await,
        &f.names,
        &ConsumerTopology {
            service: "svc",
            event_types: vec!["campaign.created"],
            retry_delays: vec![],
        },
    )
    .await
    .expect("declare");
    let consumer = Consumer::new(
        f.pool.clone(),
        f.link.clone(),
        f.names.clone(),
        "svc",
        vec![],
        ConsumerMetrics::default(),
    )
    .on::<CampaignCreated>(emitting_handler);
    tokio::spawn(consumer.run(f.stop.subscribe()));
    tokio::time::sleep(Duration::from_millis(300)).await;

    f.broker
        .publish(&Envelope::new(
            "campaign",
            created(Uuid::now_v7(), 0),
            &EventContext::default(),
        ))
        .await;

    // The tap sees the consumed event itself first, then the answer.
    assert_eq!(
        tap.next_json(WOKEN_WITHIN).await["type"],
        "campaign.created"
    );
    assert_eq!(
        tap.next_json(WOKEN_WITHIN).await["type"],
        "campaign.goal_reached",
        "published long before the relay's poll"
    );
}

#[tokio::test]
async fn a_request_that_wrote_the_outbox_wakes_the_relay_and_one_that_did_not_sends_nothing() {
    let f = Fixture::new().await;
    let mut tap = f.tap().await;
    tokio::spawn(f.relay(SLOW_POLL).run(f.stop.subscribe()));
    tokio::time::sleep(Duration::from_millis(300)).await;
    let pool = f.pool.clone();
    let waker = Waker::new(f.pool.clone());
    let api = Router::new()
        .route(
            "/emit",
            post(move || {
                let (pool, waker) = (pool.clone(), waker.clone());
                async move {
                    let mut work = UnitOfWork::begin(&pool, &waker).await.expect("begin");
                    work.enqueue(&goal_reached()).await.expect("enqueue");
                    work.commit().await.expect("commit");
                    StatusCode::CREATED
                }
            }),
        )
        .route("/quiet", post(|| async { StatusCode::NO_CONTENT }));
    let call = |path: &str| {
        api.clone()
            .oneshot(Request::post(path).body(Body::empty()).expect("request"))
    };

    assert_eq!(
        call("/quiet").await.expect("answer").status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        call("/emit").await.expect("answer").status(),
        StatusCode::CREATED
    );

    assert_eq!(
        tap.next_json(WOKEN_WITHIN).await["type"],
        "campaign.goal_reached"
    );
    assert!(tap.next(Duration::from_millis(300)).await.is_none());
}

/// Listens on the fixture's wake-up channel, as a relay does.
async fn listen(f: &Fixture) -> sqlx::postgres::PgListener {
    let mut listener = sqlx::postgres::PgListener::connect_with(&f.pool)
        .await
        .expect("listen");
    listener.listen("svc_outbox").await.expect("listen");
    listener
}

#[tokio::test]
async fn the_relay_of_this_process_is_woken_without_a_notify_while_it_leads() {
    let f = Fixture::new().await;
    let mut tap = f.tap().await;
    let relay = f.relay(SLOW_POLL);
    let waker = relay.waker();
    tokio::spawn(relay.run(f.stop.subscribe()));
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mut notifications = listen(&f).await;

    f.commit_events_through(&waker, Uuid::now_v7(), 1).await;

    assert_eq!(
        tap.next_json(WOKEN_WITHIN).await["type"],
        "campaign.created",
        "published long before the relay's poll"
    );
    let notify = tokio::time::timeout(Duration::from_millis(300), notifications.recv()).await;
    assert!(notify.is_err(), "no NOTIFY was sent: {notify:?}");
}

#[tokio::test]
async fn a_waker_whose_relay_does_not_lead_wakes_the_leader_by_notify() {
    let f = Fixture::new().await;
    let mut tap = f.tap().await;
    // Another instance leads; this process's relay stands by (never started here).
    tokio::spawn(f.relay(SLOW_POLL).run(f.stop.subscribe()));
    let standing_by = f.relay(SLOW_POLL);
    tokio::time::sleep(Duration::from_millis(300)).await;
    commit_and_see_the_leader_woken_by_notify(&f, &standing_by.waker(), &mut tap).await;
}

#[tokio::test]
async fn once_the_local_relay_stops_leading_its_waker_wakes_the_new_leader_by_notify() {
    let f = Fixture::new().await;
    let mut tap = f.tap().await;
    let first = f.relay(SLOW_POLL);
    let waker = first.waker();
    let (stop_first, first_stops) = tokio::sync::watch::channel(false);
    let first = tokio::spawn(first.run(first_stops));
    tokio::time::sleep(Duration::from_millis(300)).await;
    // The local relay goes away; another instance's takes over.
    stop_first.send_replace(true);
    tokio::time::timeout(WOKEN_WITHIN, first)
        .await
        .expect("the first relay stops")
        .expect("stopped cleanly");
    tokio::spawn(f.relay(SLOW_POLL).run(f.stop.subscribe()));
    tokio::time::sleep(Duration::from_millis(300)).await;
    commit_and_see_the_leader_woken_by_notify(&f, &waker, &mut tap).await;
}

/// Commits an event through `waker`, and checks that a `NOTIFY` went out and
/// the leading relay (another instance's) published it long before its poll.
async fn commit_and_see_the_leader_woken_by_notify(
    f: &Fixture,
    waker: &Waker,
    tap: &mut hearth_testkit::Tap,
) {
    let mut notifications = listen(f).await;
    f.commit_events_through(waker, Uuid::now_v7(), 1).await;
    assert!(
        tokio::time::timeout(WOKEN_WITHIN, notifications.recv())
            .await
            .is_ok(),
        "a NOTIFY was sent"
    );
    assert_eq!(
        tap.next_json(WOKEN_WITHIN).await["type"],
        "campaign.created",
        "the leader published long before its poll"
    );
}

#[tokio::test]
async fn only_a_committed_unit_of_work_that_emitted_wakes_the_relay() {
    let f = Fixture::new().await;
    let waker = Waker::new(f.pool.clone());
    let mut notifications = listen(&f).await;

    // Committed without emitting: nothing to wake the relay for.
    let quiet = UnitOfWork::begin(&f.pool, &waker).await.expect("begin");
    quiet.commit().await.expect("commit");
    // Emitted, then dropped without a commit: its row never became visible.
    let mut dropped = UnitOfWork::begin(&f.pool, &waker).await.expect("begin");
    dropped.enqueue(&goal_reached()).await.expect("enqueue");
    drop(dropped);
    let notify = tokio::time::timeout(Duration::from_millis(300), notifications.recv()).await;
    assert!(notify.is_err(), "no NOTIFY was sent: {notify:?}");

    // A row asked for a statement of the caller's counts as emitted.
    let mut work = UnitOfWork::begin(&f.pool, &waker).await.expect("begin");
    work.outbox_row(&goal_reached()).expect("a row");
    work.commit().await.expect("commit");
    assert!(
        tokio::time::timeout(WOKEN_WITHIN, notifications.recv())
            .await
            .is_ok(),
        "a NOTIFY was sent"
    );
}
