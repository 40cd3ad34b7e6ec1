//! campaign-service's SQL. Every statement is static text with bound
//! parameters; the pool's `search_path` points them at schema `campaign`.

use hearth_core::auth::Caller;
use hearth_core::pagination::PageRequest;
use hearth_events::campaign::CampaignChanges;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use crate::domain::{Campaign, NewCampaign, Status, StatusChange};

/// The columns of [`Campaign`], in one place.
macro_rules! campaign_columns {
    () => {
        "id, recipient_id, creator_id, title, description, category, goal_minor, raised_minor, \
         donor_count, currency, status, suspended_from, ends_at, goal_reached_at, created_at, \
         updated_at, version"
    };
}

pub async fn insert(conn: &mut PgConnection, new: &NewCampaign) -> sqlx::Result<Campaign> {
    sqlx::query_as(concat!(
        "insert into campaigns (id, recipient_id, creator_id, title, description, category, \
         goal_minor, currency, status, ends_at) \
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) returning ",
        campaign_columns!()
    ))
    .bind(Uuid::now_v7())
    .bind(new.recipient_id)
    .bind(new.creator_id)
    .bind(&new.title)
    .bind(&new.description)
    .bind(&new.category)
    .bind(new.goal_minor)
    .bind(new.currency.code())
    .bind(new.status)
    .bind(new.ends_at)
    .fetch_one(conn)
    .await
}

pub async fn find(pool: &PgPool, id: Uuid) -> sqlx::Result<Option<Campaign>> {
    sqlx::query_as(concat!(
        "select ",
        campaign_columns!(),
        " from campaigns where id = $1"
    ))
    .bind(id)
    .fetch_optional(pool)
    .await
}

/// Reads a campaign and locks it until the transaction ends, so that a
/// version check and the write after it see the same row.
pub async fn lock(conn: &mut PgConnection, id: Uuid) -> sqlx::Result<Option<Campaign>> {
    sqlx::query_as(concat!(
        "select ",
        campaign_columns!(),
        " from campaigns where id = $1 for update"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await
}

pub async fn apply_changes(
    conn: &mut PgConnection,
    id: Uuid,
    changes: &CampaignChanges,
) -> sqlx::Result<Campaign> {
    // For each clearable field: $n says whether it changes, $n+1 is the new value.
    sqlx::query_as(concat!(
        "update campaigns set \
           title = coalesce($2, title), \
           description = case when $3 then $4 else description end, \
           category = case when $5 then $6 else category end, \
           goal_minor = coalesce($7, goal_minor), \
           ends_at = case when $8 then $9 else ends_at end, \
           version = version + 1, updated_at = now() \
         where id = $1 returning ",
        campaign_columns!()
    ))
    .bind(id)
    .bind(&changes.title)
    .bind(changes.description.is_some())
    .bind(changes.description.clone().flatten())
    .bind(changes.category.is_some())
    .bind(changes.category.clone().flatten())
    .bind(changes.goal_minor)
    .bind(changes.ends_at.is_some())
    .bind(changes.ends_at.flatten())
    .fetch_one(conn)
    .await
}

pub async fn apply_status(
    conn: &mut PgConnection,
    id: Uuid,
    change: &StatusChange,
) -> sqlx::Result<Campaign> {
    sqlx::query_as(concat!(
        "update campaigns set status = $2, suspended_from = $3, \
           version = version + 1, updated_at = now() \
         where id = $1 returning ",
        campaign_columns!()
    ))
    .bind(id)
    .bind(change.to)
    .bind(change.suspended_from)
    .fetch_one(conn)
    .await
}

/// What `GET /campaigns` filters on.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    pub status: Option<Status>,
    pub recipient_id: Option<Uuid>,
    pub category: Option<String>,
    /// Words to find in the title or description (web-search syntax).
    pub q: Option<String>,
}

/// The text of the list query, public so that a test can `EXPLAIN` it and
/// prove the text search uses its index.
pub const LIST_SQL: &str = concat!(
    "select ",
    campaign_columns!(),
    " from campaigns \
     where ($1::text is null or status = $1) \
       and ($2::uuid is null or recipient_id = $2) \
       and ($3::text is null or category = $3) \
       and ($4::text is null or search @@ websearch_to_tsquery('english', $4)) \
       and (status not in ('draft', 'suspended') \
            or $5 \
            or (status = 'draft' and recipient_id = $6)) \
       and ($7::timestamptz is null or (created_at, id) < ($7, $8)) \
     order by created_at desc, id desc \
     limit $9"
);

/// One page of the campaigns `viewer` may see, newest first.
pub async fn list(
    pool: &PgPool,
    filter: &ListFilter,
    page: &PageRequest,
    viewer: Option<&Caller>,
) -> sqlx::Result<Vec<Campaign>> {
    let staff = viewer.is_some_and(Caller::is_staff);
    sqlx::query_as(LIST_SQL)
        .bind(filter.status)
        .bind(filter.recipient_id)
        .bind(&filter.category)
        .bind(&filter.q)
        .bind(staff)
        .bind(viewer.map(|c| c.id))
        .bind(page.after_created_at())
        .bind(page.after_id())
        .bind(page.fetch_limit())
        .fetch_all(pool)
        .await
}
