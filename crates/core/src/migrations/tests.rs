//! The runner against the real PostgreSQL, with migrations written for each test.

use std::time::Duration;

use hearth_testkit::TestDb;
use sqlx::migrate::Migrator;
use sqlx::PgPool;

use super::{Migrations, PlatformTable};
use crate::config::DatabaseConfig;

/// Migrations from `files` (name, SQL), in a directory of their own.
async fn migrator(files: &[(&str, &str)]) -> Migrator {
    let dir = std::env::temp_dir().join(format!("hearth-migrations-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).expect("a directory");
    for (name, sql) in files {
        std::fs::write(dir.join(name), sql).expect("a migration");
    }
    let migrator = Migrator::new(dir.as_path()).await.expect("the migrations");
    std::fs::remove_dir_all(&dir).expect("cleaned up");
    migrator
}

/// Schema `svc`: platform table `widgets` made by `widgets`, then the
/// service's own `gadgets` migrations. Leaked: the runner takes statics.
async fn migrations(widgets: &str, gadgets: &[(&str, &str)]) -> &'static Migrations {
    let widgets: &'static PlatformTable = Box::leak(Box::new(PlatformTable {
        name: "widgets",
        migrator: migrator(&[("20260101000001_widgets.sql", widgets)]).await,
    }));
    Box::leak(Box::new(Migrations {
        platform: Box::leak(Box::new([widgets])),
        own: Box::leak(Box::new(migrator(gadgets).await)),
    }))
}

const WIDGETS: &str = "create table widgets (id int primary key)";
const GADGETS: (&str, &str) = (
    "20260101000002_gadgets.sql",
    "create table gadgets (id int primary key)",
);

fn pool(db: &TestDb) -> PgPool {
    crate::db::pool(
        &DatabaseConfig {
            url: db.url(),
            max_connections: 5,
            acquire_timeout: Duration::from_secs(5),
        },
        "svc",
    )
    .expect("a pool")
}

async fn count(pool: &PgPool, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(pool).await.expect(sql)
}

#[tokio::test]
async fn each_table_keeps_a_history_of_its_own_and_a_second_run_changes_nothing() {
    let db = TestDb::create().await;
    let pool = pool(&db);
    let migrations = migrations(WIDGETS, &[GADGETS]).await;
    for _ in 0..2 {
        crate::migrations::migrate(&pool, "svc", migrations)
            .await
            .expect("migrate");
    }
    assert_eq!(
        count(
            &pool,
            "select count(*) from svc._hearth_migrations where history = 'widgets' and adopted_from is null"
        )
        .await,
        1
    );
    assert_eq!(
        count(
            &pool,
            "select count(*) from svc._hearth_migrations where history = 'svc' and version = 20260101000002"
        )
        .await,
        1
    );
    assert_eq!(count(&pool, "select count(*) from svc.widgets").await, 0);
    assert_eq!(count(&pool, "select count(*) from svc.gadgets").await, 0);
}

#[tokio::test]
async fn a_migration_changed_after_it_ran_or_gone_from_the_build_is_refused() {
    let db = TestDb::create().await;
    let pool = pool(&db);
    crate::migrations::migrate(&pool, "svc", migrations(WIDGETS, &[GADGETS]).await)
        .await
        .expect("migrate");

    let changed = migrations("create table widgets (id bigint primary key)", &[GADGETS]).await;
    let err = crate::migrations::migrate(&pool, "svc", changed)
        .await
        .expect_err("a changed migration");
    assert!(
        err.to_string().contains("was changed after it ran"),
        "{err:#}"
    );

    let gone = migrations(WIDGETS, &[]).await;
    let err = crate::migrations::migrate(&pool, "svc", gone)
        .await
        .expect_err("a migration gone");
    assert!(
        err.to_string()
            .contains("the svc history records migration 20260101000002"),
        "{err:#}"
    );
    // The lock was let go each time: the right migrations still run.
    crate::migrations::migrate(&pool, "svc", migrations(WIDGETS, &[GADGETS]).await)
        .await
        .expect("migrate");
}

#[tokio::test]
async fn instances_migrating_at_once_apply_each_migration_once() {
    let db = TestDb::create().await;
    let pool = pool(&db);
    let migrations = migrations(WIDGETS, &[GADGETS]).await;
    let runs = (0..4).map(|_| {
        let pool = pool.clone();
        tokio::spawn(async move { crate::migrations::migrate(&pool, "svc", migrations).await })
    });
    for run in futures::future::join_all(runs).await {
        run.expect("the run ends").expect("migrate");
    }
    assert_eq!(
        count(
            &pool,
            "select count(*) from svc._hearth_migrations where history = 'svc'"
        )
        .await,
        1
    );
}

#[tokio::test]
async fn a_schema_of_the_old_layout_without_its_last_platform_change_is_refused() {
    let db = TestDb::create().await;
    let pool = pool(&db);
    sqlx::raw_sql("create schema svc")
        .execute(&pool)
        .await
        .expect("the schema");
    let old = migrator(&[(
        "20261122000001_widgets.sql",
        "create table widgets (id int primary key); create table gadgets (id int primary key)",
    )])
    .await;
    old.run(&pool).await.expect("the old layout");

    let err = crate::migrations::migrate(&pool, "svc", migrations(WIDGETS, &[GADGETS]).await)
        .await
        .expect_err("too old to adopt");
    assert!(err.to_string().contains("20261202000001"), "{err:#}");
    assert_eq!(
        count(
            &pool,
            "select count(*) from pg_tables where schemaname = 'svc'"
        )
        .await,
        3,
        "nothing was made: widgets, gadgets and _sqlx_migrations"
    );
}
