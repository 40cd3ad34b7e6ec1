//! Messages, and each person's conversations kept beside them.

use hearth_core::pagination::PageRequest;
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

use crate::domain::{Context, ContextType, Conversation, Message, MessageRow, NewMessage};

/// Stores a message under `id` (from `hearth_core::idempotency::Claim::resource_id`)
/// and brings both parties' conversations up to date.
#[tracing::instrument(err, skip(conn, new))]
pub async fn insert_message(
    conn: &mut PgConnection,
    id: Uuid,
    new: &NewMessage,
) -> sqlx::Result<Message> {
    let row = sqlx::query_as!(
        MessageRow,
        r#"insert into messages (id, sender_id, recipient_id, body, context_type, context_id)
           values ($1, $2, $3, $4, $5, $6)
           returning id, sender_id, recipient_id, body, context_type as "context_type: ContextType",
             context_id, created_at, read_at"#,
        id,
        new.sender_id,
        new.recipient_id,
        new.body,
        new.context.map(|c| c.kind.as_str()),
        new.context.map(|c| c.id),
    )
    .fetch_one(&mut *conn)
    .await?;
    let message = Message::from(row);
    // Always the lower owner's row first: two people writing to each other at
    // once would otherwise lock the pair's two rows in opposite orders and deadlock.
    let mut sides = [
        (new.sender_id, new.recipient_id, 0),
        (new.recipient_id, new.sender_id, 1),
    ];
    sides.sort_by_key(|&(owner_id, _, _)| owner_id);
    for (owner_id, counterpart_id, unread) in sides {
        touch_conversation(conn, owner_id, counterpart_id, &message, unread).await?;
    }
    Ok(message)
}

/// Makes `message` the owner's latest in this conversation unless a later
/// one already is (two sent at once commit in either order), and adds `unread`.
async fn touch_conversation(
    conn: &mut PgConnection,
    owner_id: Uuid,
    counterpart_id: Uuid,
    message: &Message,
    unread: i32,
) -> sqlx::Result<()> {
    sqlx::query!(
        "insert into conversations (owner_id, counterpart_id, last_message_id, last_at, unread_count)
         values ($1, $2, $3, $4, $5)
         on conflict (owner_id, counterpart_id) do update set
           unread_count = conversations.unread_count + excluded.unread_count,
           last_message_id = case when (excluded.last_at, excluded.last_message_id)
                                     > (conversations.last_at, conversations.last_message_id)
                                  then excluded.last_message_id else conversations.last_message_id end,
           last_at = greatest(conversations.last_at, excluded.last_at)",
        owner_id,
        counterpart_id,
        message.id,
        message.created_at,
        unread,
    )
    .execute(conn)
    .await?;
    Ok(())
}

#[tracing::instrument(err, skip(db))]
pub async fn find_message<'c>(db: impl PgExecutor<'c>, id: Uuid) -> sqlx::Result<Option<Message>> {
    let row = sqlx::query_as!(
        MessageRow,
        r#"select id, sender_id, recipient_id, body, context_type as "context_type: ContextType",
             context_id, created_at, read_at
           from messages where id = $1"#,
        id,
    )
    .fetch_optional(db)
    .await?;
    Ok(row.map(Message::from))
}

/// Marks a message read by its recipient, once: reading it again keeps the
/// first time and counts nothing twice.
#[tracing::instrument(err, skip(conn, message), fields(message_id = %message.id))]
pub async fn mark_message_read(
    conn: &mut PgConnection,
    message: &Message,
) -> sqlx::Result<Message> {
    let newly_read = sqlx::query_as!(
        MessageRow,
        r#"update messages set read_at = now() where id = $1 and read_at is null
           returning id, sender_id, recipient_id, body, context_type as "context_type: ContextType",
             context_id, created_at, read_at"#,
        message.id,
    )
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = newly_read else {
        return Ok(find_message(conn, message.id)
            .await?
            .unwrap_or_else(|| message.clone()));
    };
    sqlx::query!(
        "update conversations set unread_count = unread_count - 1
         where owner_id = $1 and counterpart_id = $2 and unread_count > 0",
        message.recipient_id,
        message.sender_id,
    )
    .execute(conn)
    .await?;
    Ok(Message::from(row))
}

/// Whether `sender` has written to `recipient` about `context`. Walks the
/// pair's thread index, as the thread query does.
#[tracing::instrument(err, skip(db))]
pub async fn has_written_about<'c>(
    db: impl PgExecutor<'c>,
    sender: Uuid,
    recipient: Uuid,
    context: Context,
) -> sqlx::Result<bool> {
    sqlx::query_scalar!(
        r#"select exists (select 1 from messages
             where least(sender_id, recipient_id) = least($1::uuid, $2::uuid)
               and greatest(sender_id, recipient_id) = greatest($1::uuid, $2::uuid)
               and sender_id = $1 and recipient_id = $2
               and context_type = $3 and context_id = $4) as "written!""#,
        sender,
        recipient,
        context.kind.as_str(),
        context.id,
    )
    .fetch_one(db)
    .await
}

/// The text of the thread query, public so that a test can `EXPLAIN` it and
/// prove it walks the conversation's index however many messages there are.
pub const THREAD_SQL: &str = include_str!("thread.sql");

/// One page of the messages between two people, newest first.
#[tracing::instrument(err, skip(db, page))]
pub async fn list_thread<'c>(
    db: impl PgExecutor<'c>,
    one: Uuid,
    other: Uuid,
    page: &PageRequest,
) -> sqlx::Result<Vec<Message>> {
    let rows = sqlx::query_file_as!(
        MessageRow,
        "src/db/thread.sql",
        one,
        other,
        page.after_created_at(),
        page.after_id(),
        page.fetch_limit(),
    )
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(Message::from).collect())
}

/// One page of a person's conversations, most recent first, each with its
/// last message: one query, no per-row lookups. A conversation's `last_at`
/// is its last message's `created_at`, so that message keys the cursor.
#[tracing::instrument(err, skip(db, page))]
pub async fn list_conversations<'c>(
    db: impl PgExecutor<'c>,
    owner_id: Uuid,
    page: &PageRequest,
) -> sqlx::Result<Vec<Conversation>> {
    let rows = sqlx::query!(
        r#"select c.counterpart_id, c.unread_count,
             m.id, m.sender_id, m.recipient_id, m.body,
             m.context_type as "context_type: ContextType", m.context_id, m.created_at, m.read_at
           from conversations c join messages m on m.id = c.last_message_id
           where c.owner_id = $1
             and ($2::timestamptz is null or (c.last_at, c.last_message_id) < ($2, $3))
           order by c.last_at desc, c.last_message_id desc limit $4"#,
        owner_id,
        page.after_created_at(),
        page.after_id(),
        page.fetch_limit(),
    )
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| Conversation {
            counterpart_id: r.counterpart_id,
            last_message: Message::from(MessageRow {
                id: r.id,
                sender_id: r.sender_id,
                recipient_id: r.recipient_id,
                body: r.body,
                context_type: r.context_type,
                context_id: r.context_id,
                created_at: r.created_at,
                read_at: r.read_at,
            }),
            unread_count: r.unread_count,
        })
        .collect())
}
