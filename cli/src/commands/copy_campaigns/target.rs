//! Batched writes into campaign-service's table, one transaction per batch.
//!
//! `on conflict (id) do nothing` is what makes the copy idempotent and
//! resumable: a row already present is never touched, and a run killed half
//! way loses at most the batches in flight, which the next run copies.

use hearth_events::campaign::CampaignCreated;
use hearth_events::{Envelope, EventContext};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use super::mapping::MappedCampaign;

/// Arrays in, one statement per batch. A legacy campaign already at its goal
/// gets `goal_reached_at`, so its next donation does not announce a goal
/// reached long ago.
const INSERT: &str = "insert into campaigns (id, recipient_id, creator_id, title, description, \
       category, goal_minor, opening_minor, raised_minor, currency, status, ends_at, \
       goal_reached_at, created_at, updated_at, image_url) \
     select id, recipient_id, recipient_id, title, description, category, goal_minor, \
       opening_minor, opening_minor, currency, status, ends_at, \
       case when opening_minor >= goal_minor then updated_at end, created_at, updated_at, \
       image_url \
     from unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::int8[], \
       $7::int8[], $8::text[], $9::text[], $10::timestamptz[], $11::timestamptz[], \
       $12::timestamptz[], $13::text[]) \
       as t(id, recipient_id, title, description, category, goal_minor, opening_minor, \
       currency, status, ends_at, created_at, updated_at, image_url) \
     on conflict (id) do nothing \
     returning id";

/// The mapped fields of rows already in the target.
const PRESENT: &str = "select id, recipient_id, title, description, category, goal_minor, \
       opening_minor, currency, status, ends_at, image_url, created_at, updated_at \
     from campaigns where id = any($1)";

/// Target rows in id order, for `--verify`.
pub const FIRST_PAGE: &str = "select id, recipient_id, title, description, category, goal_minor, \
       opening_minor, currency, status, ends_at, image_url, created_at, updated_at \
     from campaigns where id >= $1 order by id limit $2";
pub const NEXT_PAGE: &str = "select id, recipient_id, title, description, category, goal_minor, \
       opening_minor, currency, status, ends_at, image_url, created_at, updated_at \
     from campaigns where id > $1 order by id limit $2";

const ENQUEUE: &str = "insert into outbox (event_id, aggregate_id, event_type, envelope) \
     select * from unnest($1::uuid[], $2::text[], $3::text[], $4::jsonb[])";

/// Fails with one clear line when campaign-service's schema is missing.
pub async fn check_migrated(pool: &PgPool) -> anyhow::Result<()> {
    let migrated: bool = sqlx::query_scalar("select to_regclass('campaign.campaigns') is not null")
        .fetch_one(pool)
        .await?;
    if !migrated {
        anyhow::bail!(
            "the target database has no campaign.campaigns: run `hearth migrate campaign` first"
        );
    }
    Ok(())
}

/// Inserts the rows not yet present; the ids it inserted.
pub async fn insert(conn: &mut PgConnection, rows: &[&MappedCampaign]) -> sqlx::Result<Vec<Uuid>> {
    sqlx::query_scalar(INSERT)
        .bind(rows.iter().map(|r| r.id).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.recipient_id).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.title.as_str()).collect::<Vec<_>>())
        .bind(
            rows.iter()
                .map(|r| r.description.as_deref())
                .collect::<Vec<_>>(),
        )
        .bind(
            rows.iter()
                .map(|r| r.category.as_deref())
                .collect::<Vec<_>>(),
        )
        .bind(rows.iter().map(|r| r.goal_minor).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.opening_minor).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.currency.as_str()).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.status.as_str()).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.ends_at).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.created_at).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.updated_at).collect::<Vec<_>>())
        .bind(
            rows.iter()
                .map(|r| r.image_url.as_deref())
                .collect::<Vec<_>>(),
        )
        .fetch_all(conn)
        .await
}

/// The target's version of those of `ids` that are present.
pub async fn present(pool: &PgPool, ids: &[Uuid]) -> sqlx::Result<Vec<MappedCampaign>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    sqlx::query_as(PRESENT).bind(ids).fetch_all(pool).await
}

/// Queues one `campaign.created` per row, in the transaction that inserted
/// them, through campaign-service's outbox: its relay publishes them.
pub async fn enqueue_created(
    conn: &mut PgConnection,
    rows: &[&MappedCampaign],
    context: &EventContext,
) -> anyhow::Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let events: Vec<Envelope<CampaignCreated>> = rows
        .iter()
        .map(|row| Envelope::new(campaign_service::SERVICE.name, created(row), context))
        .collect();
    let envelopes = events
        .iter()
        .map(serde_json::to_value)
        .collect::<Result<Vec<_>, _>>()?;
    sqlx::query(ENQUEUE)
        .bind(events.iter().map(|e| e.id).collect::<Vec<_>>())
        .bind(
            events
                .iter()
                .map(|e| e.subject.as_str())
                .collect::<Vec<_>>(),
        )
        .bind(
            events
                .iter()
                .map(|e| e.event_type.as_str())
                .collect::<Vec<_>>(),
        )
        .bind(envelopes)
        .execute(conn)
        .await?;
    Ok(())
}

fn created(row: &MappedCampaign) -> CampaignCreated {
    CampaignCreated {
        campaign_id: row.id,
        recipient_id: row.recipient_id,
        // Legacy campaigns were always created by their recipient.
        creator_id: row.recipient_id,
        title: row.title.clone(),
        goal_minor: row.goal_minor,
        currency: row.currency.clone(),
        status: row.status.clone(),
        ends_at: row.ends_at,
        image_url: row.image_url.clone(),
    }
}
