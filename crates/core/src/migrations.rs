//! A service's schema as migrations make it: first the platform's tables it
//! stands on, then its own, each with a history of its own.
//!
//! The platform's tables are defined once, by the crate that reads them:
//! `outbox` and `inbox` by hearth-bus (`hearth_bus::tables`),
//! `idempotency_keys` and `account_suspensions` by this crate
//! ([`crate::tables`]). A service's [`Migrations`] list them
//! (`hearth_bus::app::Service::MIGRATIONS`: all four, for every service);
//! hearth-bus's own tests list fewer. Each table's migrations, and the service's own, are a
//! history of their own, recorded in the schema's `_hearth_migrations` under
//! the table's name (`outbox`) or the service's (`campaign`), so a platform
//! table can change without touching any service's migrations.
//!
//! sqlx's own runner keeps its history in `_sqlx_migrations`, one per schema
//! (a name it does not let one change), so every set of migrations in a
//! schema would share one history; this module applies the migrations sqlx
//! embedded (`Migrator::iter`) and keeps the histories itself, under an
//! advisory lock.

use std::collections::HashMap;
use std::time::Instant;

use anyhow::Context;
use sqlx::migrate::{Migration, Migrator};
use sqlx::{Connection, Executor, PgConnection, PgPool};

use crate::db::quote_ident;

mod old_layout;

/// A platform table, with the migrations of the crate that reads it.
#[derive(Debug)]
pub struct PlatformTable {
    /// The table's name, and its history's.
    pub name: &'static str,
    /// Its migrations, from the owning crate's `migrations/<name>/`. The
    /// first creates the table as services' own migrations used to leave it
    /// (see `old_layout`).
    pub migrator: Migrator,
}

/// Everything a service's schema is migrated with.
#[derive(Debug)]
pub struct Migrations {
    /// The platform's tables the service uses, migrated first, in this order.
    pub platform: &'static [&'static PlatformTable],
    /// The service's own tables (`sqlx::migrate!()` of its `migrations/`),
    /// their history named after the schema.
    pub own: &'static Migrator,
}

/// The table that records, in each schema, which migrations of each history
/// ran. Hearth's own, since sqlx's `_sqlx_migrations` holds a single history.
const HISTORY_TABLE: &str = "_hearth_migrations";

/// Creates [`HISTORY_TABLE`] unless it exists.
async fn create_history_table(conn: &mut PgConnection) -> sqlx::Result<()> {
    sqlx::query_file!("src/migrations/history.sql")
        .execute(conn)
        .await?;
    Ok(())
}

/// One history: a set of migrations, and its name in [`HISTORY_TABLE`].
struct History<'a> {
    name: &'a str,
    migrator: &'a Migrator,
}

impl<'a> History<'a> {
    fn of_table(table: &'a PlatformTable) -> Self {
        Self {
            name: table.name,
            migrator: &table.migrator,
        }
    }

    /// The migrations to run: sqlx also embeds down migrations, which
    /// Hearth has none of and never runs. A `Vec`, not an iterator: one with
    /// a closure held across an `await` would make the future not `Send`.
    fn ups(&self) -> Vec<&'a Migration> {
        self.migrator
            .iter()
            .filter(|m| !m.migration_type.is_down_migration())
            .collect()
    }

    async fn applied(&self, conn: &mut PgConnection) -> sqlx::Result<HashMap<i64, Vec<u8>>> {
        let rows = sqlx::query!(
            "select version, checksum from _hearth_migrations where history = $1",
            self.name,
        )
        .fetch_all(conn)
        .await?;
        Ok(rows.into_iter().map(|r| (r.version, r.checksum)).collect())
    }

    async fn record(
        &self,
        conn: &mut PgConnection,
        migration: &Migration,
        adopted_from: Option<&str>,
    ) -> sqlx::Result<()> {
        sqlx::query!(
            "insert into _hearth_migrations
               (history, version, description, checksum, adopted_from)
             values ($1, $2, $3, $4, $5)",
            self.name,
            migration.version,
            migration.description.as_ref(),
            migration.checksum.as_ref(),
            adopted_from,
        )
        .execute(conn)
        .await?;
        Ok(())
    }

    /// Runs what has not run yet, each migration in one transaction with
    /// its history row. Refuses a history that does not match the code: a
    /// migration recorded that the code no longer has, or one changed since
    /// it ran.
    async fn apply(&self, conn: &mut PgConnection) -> anyhow::Result<()> {
        let applied = self.applied(conn).await?;
        for version in applied.keys() {
            anyhow::ensure!(
                self.ups().iter().any(|m| m.version == *version),
                "the {} history records migration {version}, which this build does not have",
                self.name
            );
        }
        for migration in self.ups() {
            match applied.get(&migration.version) {
                Some(checksum) => anyhow::ensure!(
                    checksum.as_slice() == migration.checksum.as_ref(),
                    "migration {} ({}) was changed after it ran here (the {} history)",
                    migration.version,
                    migration.description,
                    self.name
                ),
                None => self.run(conn, migration).await?,
            }
        }
        Ok(())
    }

    async fn run(&self, conn: &mut PgConnection, migration: &Migration) -> anyhow::Result<()> {
        anyhow::ensure!(
            !migration.no_tx,
            "migration {} asks to run outside a transaction, which Hearth does not do",
            migration.version
        );
        let started = Instant::now();
        let mut tx = conn.begin().await?;
        // A statement without arguments goes as a simple query, so a
        // migration may hold several statements. (Not `sqlx::raw_sql`, whose
        // future is not `Send` for every lifetime, so not spawnable.)
        tx.execute(migration.sql.as_ref()).await.with_context(|| {
            format!(
                "migration {} ({}) of {}",
                migration.version, migration.description, self.name
            )
        })?;
        self.record(&mut tx, migration, None).await?;
        tx.commit().await?;
        tracing::info!(
            history = self.name,
            version = migration.version,
            description = %migration.description,
            elapsed_ms = started.elapsed().as_millis() as u64,
            "applied a migration"
        );
        Ok(())
    }
}

/// Creates `schema` if it is missing and applies `migrations` to it: each
/// platform table's, then the service's own. A schema migrated before the
/// platform owned its tables is adopted first (`old_layout`). One advisory
/// lock per schema is held throughout, so instances starting together are safe.
pub async fn migrate(pool: &PgPool, schema: &str, migrations: &Migrations) -> anyhow::Result<()> {
    let histories: Vec<History> = migrations
        .platform
        .iter()
        .map(|table| History::of_table(table))
        .collect();
    let own = History {
        name: schema,
        migrator: migrations.own,
    };
    // A connection of its own, not the pool's: closing it releases the
    // session's advisory lock, also when this future is dropped half way,
    // whereas a pooled one would go back to the pool still holding it.
    let timeout = pool.options().get_acquire_timeout();
    let mut conn =
        tokio::time::timeout(timeout, PgConnection::connect_with(&pool.connect_options()))
            .await
            .map_err(|_| sqlx::Error::PoolTimedOut)??;
    sqlx::query!(
        "select pg_advisory_lock(hashtextextended($1, 0)) as locked",
        format!("hearth-migrate:{schema}"),
    )
    .fetch_one(&mut conn)
    .await?;
    let result = apply_all(&mut conn, schema, &histories, &own).await;
    let closed = conn.close().await;
    result?;
    closed?;
    Ok(())
}

async fn apply_all(
    conn: &mut PgConnection,
    schema: &str,
    platform: &[History<'_>],
    own: &History<'_>,
) -> anyhow::Result<()> {
    // Under the lock: instances creating a new schema at once would
    // otherwise collide, `if not exists` notwithstanding.
    let create = format!("create schema if not exists {}", quote_ident(schema)?);
    sqlx::query(&create).execute(&mut *conn).await?;
    old_layout::adopt(conn, schema, platform, own).await?;
    create_history_table(conn).await?;
    for history in platform {
        history.apply(conn).await?;
    }
    own.apply(conn).await
}

/// Whether `schema` has a table (or any relation) called `name`.
async fn exists(conn: &mut PgConnection, schema: &str, name: &str) -> sqlx::Result<bool> {
    sqlx::query_scalar!(
        r#"select to_regclass(format('%I.%I', $1::text, $2::text)) is not null as "exists!""#,
        schema,
        name,
    )
    .fetch_one(conn)
    .await
}

#[cfg(test)]
mod tests;
