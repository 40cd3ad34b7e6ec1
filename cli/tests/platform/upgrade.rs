//! A database migrated before the platform owned its tables (each service's
//! migrations carrying its own `outbox`, `inbox`, `idempotency_keys` and
//! `account_suspensions`; `cli/tests/fixtures/old_layout`) upgrades in place:
//! nothing is lost, the relay sends what was waiting, and the schema ends up
//! the same as a fresh one.

use std::path::Path;
use std::time::Duration;

use hearth::services::Service;
use hearth_bus::topology::{declare_exchange, Names};
use hearth_core::config::DatabaseConfig;
use hearth_events::campaign::CampaignCreated;
use hearth_events::{Envelope, EventContext};
use hearth_testkit::TestDb;
use sqlx::migrate::Migrator;
use sqlx::PgPool;
use uuid::Uuid;

use crate::support;

fn pool(db: &TestDb, schema: &str) -> PgPool {
    let config = DatabaseConfig {
        url: db.url(),
        max_connections: 2,
        acquire_timeout: Duration::from_secs(5),
    };
    hearth_core::db::pool(&config, schema).expect("a pool")
}

/// The database a service's schema lives in.
fn db_of<'a>(service: Service, main: &'a TestDb, campaign: &'a TestDb) -> &'a TestDb {
    if service == Service::Campaign {
        campaign
    } else {
        main
    }
}

/// Migrates `service`'s schema as the old layout did: its old migration
/// files, run by sqlx's own migrator into `_sqlx_migrations`.
async fn migrate_old(db: &TestDb, service: Service) {
    let schema = service.spec().schema();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/old_layout")
        .join(service.spec().name);
    let old = Migrator::new(dir.as_path())
        .await
        .expect("the old migrations");
    let pool = pool(db, schema);
    sqlx::raw_sql(&format!("create schema {schema}"))
        .execute(&pool)
        .await
        .expect("the schema");
    old.run(&pool).await.expect("migrate the old way");
    pool.close().await;
}

async fn migrate_new(db: &TestDb, service: Service) {
    let pool = pool(db, service.spec().schema());
    hearth_core::migrations::migrate(&pool, service.spec().schema(), &service.migrations())
        .await
        .expect("migrate");
    pool.close().await;
}

/// What an upgrade must keep, written into one schema of the old layout.
struct OldRows {
    outbox_event: Uuid,
    inbox_event: Uuid,
    idempotent_user: Uuid,
    resource_id: Uuid,
    suspended_user: Uuid,
}

impl OldRows {
    async fn write(db: &TestDb, schema: &str, outbox_envelope: serde_json::Value) -> Self {
        let rows = Self {
            outbox_event: outbox_envelope["id"]
                .as_str()
                .and_then(|id| id.parse().ok())
                .expect("an envelope id"),
            inbox_event: Uuid::new_v4(),
            idempotent_user: Uuid::new_v4(),
            resource_id: Uuid::new_v4(),
            suspended_user: Uuid::new_v4(),
        };
        let pool = pool(db, schema);
        let mut tx = pool.begin().await.expect("begin");
        sqlx::query(
            "insert into outbox (event_id, aggregate_id, event_type, envelope) \
             values ($1, $2->>'subject', $2->>'type', $2)",
        )
        .bind(rows.outbox_event)
        .bind(&outbox_envelope)
        .execute(&mut *tx)
        .await
        .expect("an outbox row");
        sqlx::query("insert into inbox (event_id, event_type) values ($1, 'profile.suspended')")
            .bind(rows.inbox_event)
            .execute(&mut *tx)
            .await
            .expect("an inbox row");
        sqlx::query(
            "insert into idempotency_keys (user_id, key, request_hash, status, headers, body, resource_id) \
             values ($1, 'k-1', '\\x01', 201, '{}', 'the answer', $2)",
        )
        .bind(rows.idempotent_user)
        .bind(rows.resource_id)
        .execute(&mut *tx)
        .await
        .expect("an idempotency key");
        sqlx::query(
            "insert into account_suspensions (user_id, suspended, reason, decided_at, event_id) \
             values ($1, true, 'spam', now(), gen_random_uuid())",
        )
        .bind(rows.suspended_user)
        .execute(&mut *tx)
        .await
        .expect("a suspension");
        tx.commit().await.expect("commit");
        pool.close().await;
        rows
    }

    async fn check(&self, db: &TestDb, schema: &str) {
        let pool = pool(db, schema);
        let inbox: i64 = sqlx::query_scalar("select count(*) from inbox where event_id = $1")
            .bind(self.inbox_event)
            .fetch_one(&pool)
            .await
            .expect("inbox");
        assert_eq!(inbox, 1, "{schema}: the inbox row");
        let (status, body, resource_id): (i16, Vec<u8>, Uuid) = sqlx::query_as(
            "select status, body, resource_id from idempotency_keys where user_id = $1 and key = 'k-1'",
        )
        .bind(self.idempotent_user)
        .fetch_one(&pool)
        .await
        .expect("the idempotency key");
        assert_eq!(
            (status, body.as_slice(), resource_id),
            (201, b"the answer".as_slice(), self.resource_id),
            "{schema}: the stored answer"
        );
        let suspended: bool =
            sqlx::query_scalar("select suspended from account_suspensions where user_id = $1")
                .bind(self.suspended_user)
                .fetch_one(&pool)
                .await
                .expect("the suspension");
        assert!(suspended, "{schema}: the suspension");
        let envelope: serde_json::Value =
            sqlx::query_scalar("select envelope from outbox where event_id = $1")
                .bind(self.outbox_event)
                .fetch_one(&pool)
                .await
                .expect("the outbox row");
        assert_eq!(
            envelope["id"].as_str(),
            Some(self.outbox_event.to_string().as_str())
        );
        pool.close().await;
    }
}

/// A row in each Main DB service's own tables, written before the upgrade.
const OTHER_OWN_ROWS: &str = "
insert into donation.donations (id, donor_id, kind, campaign_id, amount_minor, currency, status)
    values (gen_random_uuid(), gen_random_uuid(), 'money', gen_random_uuid(), 500, 'USD', 'confirmed');
insert into request.requests (id, requester_id, title, category, quantity_needed, status)
    values (gen_random_uuid(), gen_random_uuid(), 'Blankets', 'bedding', 5, 'open');
insert into messaging.display_names (user_id, display_name, named_at)
    values (gen_random_uuid(), 'Ada', now());
insert into profile.profiles (id, display_name) values (gen_random_uuid(), 'Ada');
";

fn campaign_created(campaign_id: Uuid, recipient_id: Uuid) -> Envelope<CampaignCreated> {
    Envelope::new(
        "campaign",
        CampaignCreated {
            campaign_id,
            recipient_id,
            creator_id: recipient_id,
            title: "Blankets".into(),
            goal_minor: 50_000,
            currency: "USD".into(),
            status: "active".into(),
            ends_at: None,
            image_url: None,
        },
        &EventContext {
            correlation_id: "upgrade".into(),
            causation_id: None,
            traceparent: None,
        },
    )
}

async fn scalar(db: &TestDb, sql: &str) -> i64 {
    db.scalar(sql).await
}

#[tokio::test]
async fn a_database_of_the_old_layout_upgrades_in_place_and_its_relay_sends_what_waited() {
    let prepared = support::prepare().await;
    let (main, campaign_db) = (&prepared.main_db, &prepared.campaign_db);
    let mut old_rows = Vec::new();
    let campaign_id = Uuid::new_v4();
    let recipient = Uuid::new_v4();
    for &service in Service::ALL {
        let db = db_of(service, main, campaign_db);
        migrate_old(db, service).await;
        // Each outbox holds one event waiting for the relay: campaign's
        // `campaign.created` is the one the test watches for; the others' go
        // where no one listens.
        let mut envelope =
            serde_json::to_value(campaign_created(campaign_id, recipient)).expect("an envelope");
        if service != Service::Campaign {
            envelope["id"] = Uuid::now_v7().to_string().into();
            envelope["type"] = "upgrade.waiting".into();
        }
        old_rows.push((
            service,
            OldRows::write(db, service.spec().schema(), envelope).await,
        ));
    }
    sqlx::query(
        "insert into campaign.campaigns (id, recipient_id, creator_id, title, goal_minor, currency, status) \
         values ($1, $2, $2, 'Blankets', 50000, 'USD', 'active')",
    )
    .bind(campaign_id)
    .bind(recipient)
    .execute(&mut campaign_db.connect().await)
    .await
    .expect("a campaign");
    sqlx::raw_sql(OTHER_OWN_ROWS)
        .execute(&mut main.connect().await)
        .await
        .expect("a row in each service's own tables");
    let old_history = scalar(
        campaign_db,
        "select count(*) from campaign._sqlx_migrations",
    )
    .await;

    // Watch the exchange before anything starts: the relay sends at once.
    let names = Names::new(prepared.broker.namespace.clone());
    declare_exchange(&prepared.broker.channel().await, &names)
        .await
        .expect("the exchange");
    let mut tap = prepared
        .broker
        .tap(&names.exchange(), "campaign.created")
        .await;

    // `hearth up`'s start: migrate every service (the upgrade), then run them.
    let (platform, clients) = prepared.launch(Service::ALL).await;
    let sent = tap.next_json(Duration::from_secs(10)).await;
    assert_eq!(
        sent["data"]["campaign_id"].as_str(),
        Some(campaign_id.to_string().as_str()),
        "the relay sends the row that waited in the old outbox"
    );
    let campaign = clients["campaign"]
        .get(&format!("/campaigns/{campaign_id}"))
        .send()
        .await
        .expect(200);
    assert_eq!(campaign["title"], "Blankets");
    tokio::time::timeout(Duration::from_secs(15), platform.shutdown())
        .await
        .expect("stops within 15 s")
        .expect("stops cleanly");

    for (service, rows) in &old_rows {
        rows.check(db_of(*service, main, campaign_db), service.spec().schema())
            .await;
    }
    assert_eq!(
        scalar(
            campaign_db,
            "select count(*) from campaign.outbox where published_at is not null"
        )
        .await,
        1,
        "the waiting row is marked sent"
    );
    for table in [
        "donation.donations",
        "request.requests",
        "messaging.display_names",
        "profile.profiles",
    ] {
        let rows = scalar(main, &format!("select count(*) from {table}")).await;
        assert_eq!(rows, 1, "{table} keeps its row");
    }
    // The old history is left as it was; the new ones say what they adopted.
    assert_eq!(
        scalar(
            campaign_db,
            "select count(*) from campaign._sqlx_migrations"
        )
        .await,
        old_history
    );
    assert_eq!(
        scalar(
            campaign_db,
            "select count(*) from campaign._hearth_migrations \
             where history = 'campaign' and adopted_from = '_sqlx_migrations'"
        )
        .await,
        3,
        "campaign's own three migrations, adopted"
    );
    let mut conn = campaign_db.connect().await;
    for table in ["outbox", "inbox", "idempotency_keys", "account_suspensions"] {
        let adopted: i64 = sqlx::query_scalar(
            "select count(*) from campaign._hearth_migrations \
             where history = $1 and adopted_from is not null",
        )
        .bind(table)
        .fetch_one(&mut conn)
        .await
        .expect("the history");
        assert_eq!(adopted, 1, "{table}'s first migration, adopted");
    }

    // Migrating again changes nothing: no history gains a row.
    let histories = "select count(*) from campaign._hearth_migrations";
    let (before, main_before) = (
        scalar(campaign_db, histories).await,
        scalar(main, "select count(*) from donation._hearth_migrations").await,
    );
    for &service in Service::ALL {
        migrate_new(db_of(service, main, campaign_db), service).await;
    }
    assert_eq!(scalar(campaign_db, histories).await, before);
    assert_eq!(
        scalar(main, "select count(*) from donation._hearth_migrations").await,
        main_before
    );
}

/// Every column, constraint, index, trigger and function of `schemas`, one
/// line each, in order; the migration histories left out.
async fn shape(db: &TestDb, schemas: &[&str]) -> Vec<String> {
    let schemas: Vec<String> = schemas.iter().map(|s| (*s).to_owned()).collect();
    sqlx::query_scalar(
        r"select line from (
            select format('column %s.%s %s %s %s %s %s %s %s', table_schema, table_name,
                          ordinal_position, column_name, data_type, is_nullable,
                          column_default, is_identity, generation_expression) as line
              from information_schema.columns
             where table_schema = any($1) and table_name not like '%\_migrations'
            union all
            select format('index %s', indexdef)
              from pg_indexes
             where schemaname = any($1) and tablename not like '%\_migrations'
            union all
            select format('constraint %s %s %s', c.conrelid::regclass, c.conname,
                          pg_get_constraintdef(c.oid))
              from pg_constraint c join pg_namespace n on n.oid = c.connamespace
             where n.nspname = any($1) and c.conrelid::regclass::text not like '%\_migrations'
            union all
            select format('trigger %s.%s on %s', trigger_schema, trigger_name, event_object_table)
              from information_schema.triggers
             where trigger_schema = any($1)
            union all
            select format('function %s.%s', routine_schema, routine_name)
              from information_schema.routines
             where routine_schema = any($1)
          ) shape order by line",
    )
    .bind(schemas)
    .fetch_all(&mut db.connect().await)
    .await
    .expect("the shape")
}

#[tokio::test]
async fn a_fresh_database_and_an_upgraded_one_have_the_same_tables() {
    let fresh = TestDb::create().await;
    let upgraded = TestDb::create().await;
    for &service in Service::ALL {
        migrate_new(&fresh, service).await;
        migrate_old(&upgraded, service).await;
        migrate_new(&upgraded, service).await;
    }
    let schemas: Vec<&str> = Service::ALL.iter().map(|s| s.spec().schema()).collect();
    let (fresh, upgraded) = (
        shape(&fresh, &schemas).await,
        shape(&upgraded, &schemas).await,
    );
    for expected in [
        "column donation.outbox 1 seq bigint NO  YES ",
        "column campaign.idempotency_keys 8 resource_id uuid YES  NO ",
        "index CREATE INDEX outbox_unpublished ON profile.outbox USING btree (seq) WHERE (published_at IS NULL)",
    ] {
        assert!(fresh.iter().any(|l| l == expected), "{expected} in {fresh:#?}");
    }
    assert!(
        !fresh
            .iter()
            .any(|l| l.starts_with("trigger") || l.starts_with("function")),
        "no trigger wakes the relay: {fresh:#?}"
    );
    assert_eq!(fresh, upgraded);
}
