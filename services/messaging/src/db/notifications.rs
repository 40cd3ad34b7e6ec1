//! Notifications: stored from events, read by their user.

use hearth_core::pagination::PageRequest;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use crate::domain::{NewNotification, Notification};

macro_rules! notification_columns {
    () => {
        "id, user_id, type, title, body, link_type, link_id, created_at, read_at"
    };
}

/// Stores a notification unless this event already made one for this person.
pub async fn insert_notification(
    conn: &mut PgConnection,
    new: &NewNotification,
) -> sqlx::Result<()> {
    sqlx::query(
        "insert into notifications (id, user_id, type, title, body, link_type, link_id, source_event_id) \
         values ($1, $2, $3, $4, $5, $6, $7, $8) \
         on conflict (source_event_id, user_id) do nothing",
    )
    .bind(Uuid::now_v7())
    .bind(new.user_id)
    .bind(new.kind)
    .bind(&new.title)
    .bind(&new.body)
    .bind(&new.link.kind)
    .bind(new.link.id)
    .bind(new.source_event_id)
    .execute(conn)
    .await?;
    Ok(())
}

/// One page of `user`'s notifications, newest first.
pub async fn list(
    pool: &PgPool,
    user: Uuid,
    unread_only: bool,
    page: &PageRequest,
) -> sqlx::Result<Vec<Notification>> {
    sqlx::query_as(concat!(
        "select ",
        notification_columns!(),
        " from notifications \
         where user_id = $1 \
           and (not $2 or read_at is null) \
           and ($3::timestamptz is null or (created_at, id) < ($3, $4)) \
         order by created_at desc, id desc \
         limit $5"
    ))
    .bind(user)
    .bind(unread_only)
    .bind(page.after_created_at())
    .bind(page.after_id())
    .bind(page.fetch_limit())
    .fetch_all(pool)
    .await
}

/// Marks one of `user`'s notifications read (keeping the first time it was read).
/// `None`: no such notification of theirs.
pub async fn mark_read(pool: &PgPool, id: Uuid, user: Uuid) -> sqlx::Result<Option<Notification>> {
    sqlx::query_as(concat!(
        "update notifications set read_at = coalesce(read_at, now()) \
         where id = $1 and user_id = $2 returning ",
        notification_columns!()
    ))
    .bind(id)
    .bind(user)
    .fetch_optional(pool)
    .await
}

/// Marks every unread notification of `user` read; returns how many.
pub async fn mark_all_read(pool: &PgPool, user: Uuid) -> sqlx::Result<u64> {
    Ok(sqlx::query(
        "update notifications set read_at = now() where user_id = $1 and read_at is null",
    )
    .bind(user)
    .execute(pool)
    .await?
    .rows_affected())
}
