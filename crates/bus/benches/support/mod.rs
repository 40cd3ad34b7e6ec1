//! What the relay benchmarks share: a fresh database with a service's outbox
//! in schema `svc`, its pool, and a broker namespace of the run's own.

use std::time::Duration;

use hearth_bus::tables::{INBOX, OUTBOX};
use hearth_bus::topology::{declare_consumer, ConsumerTopology, Names};
use hearth_core::config::DatabaseConfig;
use hearth_core::migrations::Migrations;
use hearth_testkit::{TestBroker, TestDb};
use sqlx::migrate::Migrator;
use sqlx::PgPool;

/// Schema `svc`: the outbox and inbox from the same migrations as every
/// service's, and the tests' `effects` as its own.
static SVC: Migrations = Migrations {
    platform: &[&OUTBOX, &INBOX],
    own: &EFFECTS,
};
static EFFECTS: Migrator = sqlx::migrate!("tests/svc_migrations");

pub struct Bench {
    /// Dropped at the end of the run, and the database with it.
    _db: TestDb,
    pub pool: PgPool,
    pub broker: TestBroker,
    pub names: Names,
}

impl Bench {
    pub async fn new(max_connections: u32) -> anyhow::Result<Self> {
        let db = TestDb::create().await;
        let pool = hearth_core::db::pool(
            &DatabaseConfig {
                url: db.url(),
                max_connections,
                acquire_timeout: Duration::from_secs(5),
            },
            "svc",
        )?;
        hearth_core::migrations::migrate(&pool, "svc", &SVC).await?;
        let broker = TestBroker::new().await;
        let names = Names::new(broker.namespace.clone());
        broker.track(names.queue("bench"));
        broker.track(names.dead_queue("bench"));
        Ok(Self {
            _db: db,
            pool,
            broker,
            names,
        })
    }

    /// The quorum queue `bench`, bound to `campaign.created` as a consuming
    /// service's would be; its name.
    pub async fn declare_quorum_queue(&self) -> anyhow::Result<String> {
        declare_consumer(
            &self.broker.channel().await,
            &self.names,
            &ConsumerTopology {
                service: "bench",
                event_types: vec!["campaign.created"],
                retry_delays: vec![],
            },
        )
        .await?;
        Ok(self.names.queue("bench"))
    }
}
