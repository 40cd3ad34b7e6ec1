use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::PgConnectOptions;
use sqlx::{Connection, PgConnection};
use uuid::Uuid;

/// The server tests create their databases on: `TEST_DATABASE_URL`, or the local default.
fn server_url() -> String {
    std::env::var("TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

/// A database of the test's own, dropped (connections and all) when it goes out of scope.
#[derive(Debug)]
pub struct TestDb {
    name: String,
    server: PgConnectOptions,
}

impl TestDb {
    pub async fn create() -> Self {
        let server = PgConnectOptions::from_str(&server_url()).expect("TEST_DATABASE_URL parses");
        let name = format!("hearth_test_{}", Uuid::new_v4().simple());
        let mut admin =
            tokio::time::timeout(Duration::from_secs(10), PgConnection::connect_with(&server))
                .await
                .expect("PostgreSQL answers within 10 s")
                .expect("connect to PostgreSQL (is it running? see README)");
        // The name is generated above from a UUID: safe to splice into DDL.
        sqlx::raw_sql(&format!("create database {name}"))
            .execute(&mut admin)
            .await
            .expect("create the test database");
        Self { name, server }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// The test database's URL, as a service would be configured with it
    /// (the server's URL with its TLS settings, naming this database).
    pub fn url(&self) -> String {
        hearth_core::db::url_with_database(&server_url(), &self.name)
            .expect("TEST_DATABASE_URL parses")
    }

    pub async fn connect(&self) -> PgConnection {
        PgConnection::connect_with(&self.server.clone().database(&self.name))
            .await
            .expect("connect to the test database")
    }

    /// The one number `sql` selects (a count, say).
    pub async fn scalar(&self, sql: &str) -> i64 {
        let mut conn = self.connect().await;
        sqlx::query_scalar(sql)
            .fetch_one(&mut conn)
            .await
            .expect(sql)
    }

    /// Leaves the `Idempotency-Key` `key` of `schema` as a service that died
    /// between its handler's commit and storing the answer leaves it: the
    /// claim without its answer, older than a claim is trusted to be alive.
    pub async fn lose_idempotent_answer(&self, schema: &str, key: &str) {
        let mut conn = self.connect().await;
        let mut tx = conn.begin().await.expect("begin");
        sqlx::query("select set_config('search_path', $1, true)")
            .bind(schema)
            .execute(&mut *tx)
            .await
            .expect("search_path");
        let lost = sqlx::query(
            "update idempotency_keys set status = null, headers = null, body = null, \
             created_at = now() - make_interval(secs => $2) - interval '1 second' where key = $1",
        )
        .bind(key)
        .bind(hearth_core::idempotency::STALE_CLAIM.as_secs_f64())
        .execute(&mut *tx)
        .await
        .expect("lose the answer")
        .rows_affected();
        tx.commit().await.expect("commit");
        assert_eq!(lost, 1, "one stored answer under {key} in {schema}");
    }

    /// Waits until `sql` counts at least `count`, for at most 5 s.
    pub async fn wait_for_count(&self, sql: &str, count: i64) {
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(5);
        while self.scalar(sql).await < count {
            assert!(
                tokio::time::Instant::now() < deadline,
                "{sql} reached {count} within 5 s"
            );
            tokio::time::sleep(std::time::Duration::from_millis(25)).await;
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let server = self.server.clone();
        let name = self.name.clone();
        // Drop runs inside the test's runtime, which cannot be blocked on;
        // a thread with its own small runtime does the cleanup.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            runtime.block_on(async move {
                let mut admin = PgConnection::connect_with(&server).await?;
                sqlx::raw_sql(&format!("drop database if exists {name} with (force)"))
                    .execute(&mut admin)
                    .await?;
                anyhow::Ok(())
            })
        })
        .join();
        if let Ok(Err(err)) = dropped {
            eprintln!("could not drop test database {}: {err}", self.name);
        }
    }
}
