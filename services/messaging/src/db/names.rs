//! Display names, a read model of profile-service's events.

use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

/// Records a name unless a newer event already set one.
#[tracing::instrument(err, skip(conn))]
pub async fn remember_name(
    conn: &mut PgConnection,
    user_id: Uuid,
    display_name: &str,
    named_at: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query!(
        "insert into display_names (user_id, display_name, named_at) values ($1, $2, $3)
         on conflict (user_id) do update
           set display_name = excluded.display_name, named_at = excluded.named_at
         where display_names.named_at < excluded.named_at",
        user_id,
        display_name,
        named_at,
    )
    .execute(conn)
    .await?;
    Ok(())
}

#[tracing::instrument(err, skip(conn))]
pub async fn display_name(conn: &mut PgConnection, user_id: Uuid) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar!(
        "select display_name from display_names where user_id = $1",
        user_id,
    )
    .fetch_optional(conn)
    .await
}
