//! Notifications: stored from events, read by their user.

use chrono::{DateTime, Utc};
use hearth_core::pagination::PageRequest;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use crate::domain::{Link, NewNotification, Notification};

/// A notification as stored: its link in two columns.
struct NotificationRow {
    id: Uuid,
    user_id: Uuid,
    kind: String,
    title: String,
    body: String,
    link_type: String,
    link_id: Uuid,
    created_at: DateTime<Utc>,
    read_at: Option<DateTime<Utc>>,
}

impl From<NotificationRow> for Notification {
    fn from(row: NotificationRow) -> Self {
        Self {
            id: row.id,
            user_id: row.user_id,
            kind: row.kind,
            title: row.title,
            body: row.body,
            link: Link {
                kind: row.link_type,
                id: row.link_id,
            },
            created_at: row.created_at,
            read_at: row.read_at,
        }
    }
}

/// Stores a notification unless this event already made one for this person.
#[tracing::instrument(err, skip(conn, new), fields(user_id = %new.user_id))]
pub async fn insert_notification(
    conn: &mut PgConnection,
    new: &NewNotification,
) -> sqlx::Result<()> {
    sqlx::query!(
        "insert into notifications (id, user_id, type, title, body, link_type, link_id, source_event_id)
         values ($1, $2, $3, $4, $5, $6, $7, $8)
         on conflict (source_event_id, user_id) do nothing",
        Uuid::now_v7(),
        new.user_id,
        new.kind,
        new.title,
        new.body,
        new.link.kind,
        new.link.id,
        new.source_event_id,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// One page of `user`'s notifications, newest first.
#[tracing::instrument(err, skip(pool, page))]
pub async fn list(
    pool: &PgPool,
    user: Uuid,
    unread_only: bool,
    page: &PageRequest,
) -> sqlx::Result<Vec<Notification>> {
    let rows = sqlx::query_as!(
        NotificationRow,
        "select id, user_id, type as kind, title, body, link_type, link_id, created_at, read_at
         from notifications
         where user_id = $1
           and (not $2 or read_at is null)
           and ($3::timestamptz is null or (created_at, id) < ($3, $4))
         order by created_at desc, id desc
         limit $5",
        user,
        unread_only,
        page.after_created_at(),
        page.after_id(),
        page.fetch_limit(),
    )
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(Notification::from).collect())
}

/// Marks one of `user`'s notifications read (keeping the first time it was read).
/// `None`: no such notification of theirs.
#[tracing::instrument(err, skip(pool))]
pub async fn mark_read(pool: &PgPool, id: Uuid, user: Uuid) -> sqlx::Result<Option<Notification>> {
    let row = sqlx::query_as!(
        NotificationRow,
        "update notifications set read_at = coalesce(read_at, now())
         where id = $1 and user_id = $2
         returning id, user_id, type as kind, title, body, link_type, link_id, created_at, read_at",
        id,
        user,
    )
    .fetch_optional(pool)
    .await?;
    Ok(row.map(Notification::from))
}

/// Marks every unread notification of `user` read; returns how many.
#[tracing::instrument(err, skip(pool))]
pub async fn mark_all_read(pool: &PgPool, user: Uuid) -> sqlx::Result<u64> {
    Ok(sqlx::query!(
        "update notifications set read_at = now() where user_id = $1 and read_at is null",
        user,
    )
    .execute(pool)
    .await?
    .rows_affected())
}
