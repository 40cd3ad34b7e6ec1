use std::time::Duration;

use hearth_bus::broker::BrokerLink;
use hearth_bus::relay::{Relay, RelayConfig, RelayMetrics};
use hearth_bus::tables::{INBOX, OUTBOX};
use hearth_bus::topology::{declare_exchange, Names};
use hearth_bus::unit_of_work::UnitOfWork;
use hearth_bus::wake::Waker;
use hearth_core::config::DatabaseConfig;
use hearth_core::migrations::Migrations;
use hearth_core::tables::ACCOUNT_SUSPENSIONS;
use hearth_events::campaign::CampaignCreated;
use hearth_events::{Envelope, EventContext};
use hearth_testkit::{TestBroker, TestDb};
use sqlx::migrate::Migrator;
use sqlx::PgPool;
use tokio::sync::watch;
use uuid::Uuid;

/// Schema `svc`: the tables the bus reads, from the same migrations as every
/// service's (shared with the benchmarks), and the test handlers' `effects`.
static SVC: Migrations = Migrations {
    platform: &[&OUTBOX, &INBOX, &ACCOUNT_SUSPENSIONS],
    own: &EFFECTS,
};
static EFFECTS: Migrator = sqlx::migrate!("tests/svc_migrations");

pub struct Fixture {
    /// Dropped with the fixture, and the database with it.
    _db: TestDb,
    pub pool: PgPool,
    pub broker: TestBroker,
    pub names: Names,
    pub link: BrokerLink,
    pub stop: watch::Sender<bool>,
}

impl Fixture {
    pub async fn new() -> Self {
        let db = TestDb::create().await;
        let pool = hearth_core::db::pool(
            &DatabaseConfig {
                url: db.url(),
                max_connections: 10,
                acquire_timeout: Duration::from_secs(5),
            },
            "svc",
        )
        .expect("pool");
        hearth_core::migrations::migrate(&pool, "svc", &SVC)
            .await
            .expect("the event tables");
        let broker = TestBroker::new().await;
        let names = Names::new(broker.namespace.clone());
        let link = BrokerLink::spawn(broker.url.clone());
        assert!(
            link.wait_until_up(Duration::from_secs(10)).await,
            "the link comes up"
        );
        let (stop, _) = watch::channel(false);
        Self {
            _db: db,
            pool,
            broker,
            names,
            link,
            stop,
        }
    }

    /// Commits `count` campaign.created events for `campaign`, and wakes the
    /// relay, as a service would.
    pub async fn commit_events(
        &self,
        campaign: Uuid,
        count: usize,
    ) -> Vec<Envelope<CampaignCreated>> {
        self.commit_events_through(&Waker::new(self.pool.clone()), campaign, count)
            .await
    }

    /// Commits the events in a unit of work whose commit wakes the relay through `waker`.
    pub async fn commit_events_through(
        &self,
        waker: &Waker,
        campaign: Uuid,
        count: usize,
    ) -> Vec<Envelope<CampaignCreated>> {
        let mut work = UnitOfWork::begin(&self.pool, waker).await.expect("begin");
        let mut events = Vec::new();
        for n in 0..count {
            let event = traced(created(campaign, n));
            work.enqueue(&event).await.expect("enqueue");
            events.push(event);
        }
        work.commit().await.expect("commit");
        events
    }

    /// Commits the events without waking the relay.
    pub async fn commit_events_quietly(
        &self,
        campaign: Uuid,
        count: usize,
    ) -> Vec<Envelope<CampaignCreated>> {
        let mut tx = self.pool.begin().await.expect("begin");
        let mut events = Vec::new();
        for n in 0..count {
            let event = traced(created(campaign, n));
            hearth_bus::outbox::enqueue(&mut tx, &event)
                .await
                .expect("enqueue");
            events.push(event);
        }
        tx.commit().await.expect("commit");
        events
    }

    /// A relay of the fixture's outbox that polls every `poll`.
    pub fn relay(&self, poll: Duration) -> Relay {
        let mut config = RelayConfig::new("svc", self.names.clone());
        config.poll_interval = poll;
        config.batch_size = 100;
        Relay::new(
            self.pool.clone(),
            self.link.clone(),
            config,
            RelayMetrics::default(),
        )
    }

    /// Everything published on the fixture's exchange.
    pub async fn tap(&self) -> hearth_testkit::Tap {
        declare_exchange(&self.broker.channel().await, &self.names)
            .await
            .expect("exchange");
        self.broker.tap(&self.names.exchange(), "#").await
    }

    pub async fn scalar(&self, sql: &str) -> i64 {
        sqlx::query_scalar(sql)
            .fetch_one(&self.pool)
            .await
            .expect(sql)
    }
}

/// A payload whose goal numbers the events of one campaign in commit order.
pub fn created(campaign: Uuid, n: usize) -> CampaignCreated {
    CampaignCreated {
        campaign_id: campaign,
        recipient_id: Uuid::new_v4(),
        creator_id: Uuid::new_v4(),
        title: format!("event {n}"),
        goal_minor: i64::try_from(n).unwrap_or_default() + 1,
        currency: "USD".into(),
        status: "active".into(),
        ends_at: None,
        image_url: None,
    }
}

/// Polls `check` every 50 ms until it holds, for at most `timeout`.
pub async fn eventually<F, Fut>(timeout: Duration, mut check: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        if check().await {
            return true;
        }
        if tokio::time::Instant::now() >= deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// `data` as an event of the fixture's service, in a traced flow.
fn traced(data: CampaignCreated) -> Envelope<CampaignCreated> {
    Envelope::new(
        "svc",
        data,
        &EventContext {
            correlation_id: "test".into(),
            causation_id: None,
            traceparent: Some("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01".into()),
        },
    )
}
