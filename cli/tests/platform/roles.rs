//! `hearth db roles`: a service's role reaches its own schema and nothing else.

use std::str::FromStr;

use hearth::roles::grant_own_schema;
use hearth_testkit::TestDb;
use sqlx::postgres::PgConnectOptions;
use sqlx::{Connection, PgConnection};
use uuid::Uuid;

/// Drops the test's roles when the test ends, however it ends.
struct RoleGuard {
    role: String,
}

impl Drop for RoleGuard {
    fn drop(&mut self) {
        let role = self.role.clone();
        let _ = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            runtime.block_on(async move {
                let url = std::env::var("TEST_DATABASE_URL")
                    .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned());
                let mut admin = PgConnection::connect(&url).await?;
                // The role's grants lived in the test database, dropped before this runs.
                sqlx::raw_sql(&format!("drop role if exists {role}"))
                    .execute(&mut admin)
                    .await?;
                anyhow::Ok(())
            })
        })
        .join();
    }
}

#[tokio::test]
async fn campaign_services_role_reads_its_schema_and_no_other() {
    let prefix = format!("t{}_", Uuid::new_v4().simple());
    // Declared before the database, so dropped after it: a role cannot be
    // dropped while a database still holds its grants.
    let _guard = RoleGuard {
        role: format!("{prefix}campaign"),
    };
    let db = TestDb::create().await;
    let mut admin = db.connect().await;
    // The campaign schema as migrations make it, and another service's schema beside it.
    let pool = hearth_core::db::pool(
        &hearth_core::config::DatabaseConfig {
            url: db.url(),
            max_connections: 2,
            acquire_timeout: std::time::Duration::from_secs(5),
        },
        "campaign",
    )
    .expect("pool");
    hearth_core::migrations::migrate(
        &pool,
        "campaign",
        &<campaign_service::Campaign as hearth_bus::app::Service>::MIGRATIONS,
    )
    .await
    .expect("migrate");
    sqlx::raw_sql(
        "create schema donation;
         create table donation.donations (id uuid primary key, amount_minor bigint);
         insert into donation.donations values (gen_random_uuid(), 500);
         create table public.campaigns (id uuid primary key);",
    )
    .execute(&mut admin)
    .await
    .expect("another service's schema");

    let role = grant_own_schema(&db.url(), &prefix, campaign_service::SERVICE)
        .await
        .expect("grant");
    assert_eq!(role, format!("{prefix}campaign"));
    // Running it again changes nothing and does not fail.
    grant_own_schema(&db.url(), &prefix, campaign_service::SERVICE)
        .await
        .expect("grant twice");

    let options = PgConnectOptions::from_str(&db.url())
        .expect("url")
        .username(&role);
    let mut as_service = PgConnection::connect_with(&options)
        .await
        .expect("the role logs in");

    // Its own tables: read and write.
    sqlx::query("insert into campaign.campaigns (id, recipient_id, creator_id, title, goal_minor, currency, status) values ($1, $1, $1, 'Blankets', 100, 'USD', 'active')")
        .bind(Uuid::now_v7())
        .execute(&mut as_service)
        .await
        .expect("write its own table");
    let count: i64 = sqlx::query_scalar("select count(*) from campaign.campaigns")
        .fetch_one(&mut as_service)
        .await
        .expect("read its own table");
    assert_eq!(count, 1);

    // Anything else: refused.
    for statement in [
        "select * from donation.donations",
        "select * from public.campaigns",
        "create table donation.stolen (id int)",
    ] {
        let err = sqlx::query(statement)
            .execute(&mut as_service)
            .await
            .expect_err(statement);
        let code = err
            .as_database_error()
            .and_then(|e| e.code())
            .map(|c| c.into_owned());
        assert_eq!(code.as_deref(), Some("42501"), "{statement}: {err}");
    }
    as_service.close().await.expect("close");
}
