//! Schemas migrated before the platform owned its tables.
//!
//! Until then each service's own migrations created its copies of `outbox`,
//! `inbox`, `idempotency_keys` and `account_suspensions`, and sqlx kept one
//! history of it all in the schema's `_sqlx_migrations`. The migrations that
//! made only those tables are gone from the services, and the others keep only
//! the service's own tables, so such a history names migrations that no longer
//! exist and others whose text has changed.
//!
//! Rather than edit that history, the schema is adopted once, in one
//! transaction: in `_hearth_migrations`, the service's own history records,
//! as adopted, each of its migrations that `_sqlx_migrations` says ran, and
//! the history of each platform table the schema already has records its
//! first migration, which creates the table exactly as the old migrations
//! left it (`cli/tests/platform/upgrade.rs` holds them to that). `_sqlx_migrations` stays as it was, the record of how
//! the schema was made; Hearth never reads it again, and a release from
//! before this one still finds it whole.

use std::collections::HashSet;

use sqlx::{Connection, PgConnection};

use super::{create_history_table, exists, History, HISTORY_TABLE};

/// The history the old layout kept, and what an adopted row says it came from.
const SQLX_HISTORY: &str = "_sqlx_migrations";

/// The last migration of the old layout that changed a platform table
/// (`*_idempotency_resource_id.sql`, in every service). A schema without it
/// has older platform tables than the first migrations here create.
const LAST_OLD_PLATFORM_CHANGE: i64 = 20261202000001;

/// Adopts `schema` if the old layout made it and it has not been adopted yet.
pub(super) async fn adopt(
    conn: &mut PgConnection,
    schema: &str,
    platform: &[History<'_>],
    own: &History<'_>,
) -> anyhow::Result<()> {
    // Hearth's history table appears with the first migration of this
    // layout: without it, only the old layout has been here.
    if !exists(conn, schema, SQLX_HISTORY).await? || exists(conn, schema, HISTORY_TABLE).await? {
        return Ok(());
    }
    let ran = ran_before(conn).await?;
    anyhow::ensure!(
        ran.contains(&LAST_OLD_PLATFORM_CHANGE),
        "schema {schema} was migrated by a Hearth without migration \
         {LAST_OLD_PLATFORM_CHANGE}: migrate it first with a Hearth that has it \
         (and keeps the platform's tables in the services' migrations), then with this one"
    );
    let mut tx = conn.begin().await?;
    create_history_table(&mut tx).await?;
    for migration in own.ups() {
        if ran.contains(&migration.version) {
            own.record(&mut tx, migration, Some(SQLX_HISTORY)).await?;
        }
    }
    // A platform table's history is named after the table.
    for history in platform {
        let first = history.ups().first().copied();
        if let (true, Some(first)) = (exists(&mut tx, schema, history.name).await?, first) {
            history.record(&mut tx, first, Some(SQLX_HISTORY)).await?;
        }
    }
    tx.commit().await?;
    tracing::info!(
        schema,
        "adopted a schema migrated before the platform owned its tables"
    );
    Ok(())
}

/// The versions `_sqlx_migrations` says ran to the end.
async fn ran_before(conn: &mut PgConnection) -> sqlx::Result<HashSet<i64>> {
    // The connection's `search_path` is the schema, whose history this is.
    let versions: Vec<i64> =
        sqlx::query_scalar!("select version from _sqlx_migrations where success")
            .fetch_all(conn)
            .await?;
    Ok(versions.into_iter().collect())
}
