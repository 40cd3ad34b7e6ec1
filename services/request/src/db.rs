//! request-service's SQL. Every statement is static text with bound
//! parameters; the pool's `search_path` points them at schema `request`.

use hearth_core::auth::Caller;
use hearth_core::pagination::PageRequest;
use hearth_events::request::RequestChanges;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use crate::domain::{NewRequest, Request, Status, StatusChange};

/// The columns of [`Request`], in one place.
macro_rules! request_columns {
    () => {
        "id, requester_id, title, description, category, quantity_needed, quantity_pledged, \
         quantity_fulfilled, status, suspended_from, needed_by, location, created_at, \
         updated_at, version, image_url"
    };
}

/// `id` comes from `hearth_core::idempotency::Claim::resource_id`.
pub async fn insert(conn: &mut PgConnection, id: Uuid, new: &NewRequest) -> sqlx::Result<Request> {
    sqlx::query_as(concat!(
        "insert into requests (id, requester_id, title, description, category, \
         quantity_needed, needed_by, location, image_url, status) \
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'open') returning ",
        request_columns!()
    ))
    .bind(id)
    .bind(new.requester_id)
    .bind(&new.title)
    .bind(&new.description)
    .bind(&new.category)
    .bind(new.quantity_needed)
    .bind(new.needed_by)
    .bind(&new.location)
    .bind(&new.image_url)
    .fetch_one(conn)
    .await
}

pub async fn find(pool: &PgPool, id: Uuid) -> sqlx::Result<Option<Request>> {
    sqlx::query_as(concat!(
        "select ",
        request_columns!(),
        " from requests where id = $1"
    ))
    .bind(id)
    .fetch_optional(pool)
    .await
}

/// Reads a request and locks it until the transaction ends: every change to
/// a request, from the API or the saga, goes through this lock.
pub async fn lock(conn: &mut PgConnection, id: Uuid) -> sqlx::Result<Option<Request>> {
    sqlx::query_as(concat!(
        "select ",
        request_columns!(),
        " from requests where id = $1 for update"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await
}

pub async fn apply_changes(
    conn: &mut PgConnection,
    id: Uuid,
    changes: &RequestChanges,
) -> sqlx::Result<Request> {
    // For each clearable field: $n says whether it changes, $n+1 is the new value.
    sqlx::query_as(concat!(
        "update requests set \
           title = coalesce($2, title), \
           description = case when $3 then $4 else description end, \
           category = coalesce($5, category), \
           quantity_needed = coalesce($6, quantity_needed), \
           needed_by = case when $7 then $8 else needed_by end, \
           location = case when $9 then $10 else location end, \
           image_url = case when $11 then $12 else image_url end, \
           version = version + 1, updated_at = now() \
         where id = $1 returning ",
        request_columns!()
    ))
    .bind(id)
    .bind(&changes.title)
    .bind(changes.description.is_some())
    .bind(changes.description.clone().flatten())
    .bind(&changes.category)
    .bind(changes.quantity_needed)
    .bind(changes.needed_by.is_some())
    .bind(changes.needed_by.flatten())
    .bind(changes.location.is_some())
    .bind(changes.location.clone().flatten())
    .bind(changes.image_url.is_some())
    .bind(changes.image_url.clone().flatten())
    .fetch_one(conn)
    .await
}

pub async fn apply_status(
    conn: &mut PgConnection,
    id: Uuid,
    change: &StatusChange,
) -> sqlx::Result<Request> {
    sqlx::query_as(concat!(
        "update requests set status = $2, suspended_from = $3, \
           version = version + 1, updated_at = now() \
         where id = $1 returning ",
        request_columns!()
    ))
    .bind(id)
    .bind(change.to)
    .bind(change.suspended_from)
    .fetch_one(conn)
    .await
}

/// What `GET /requests` filters on.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    pub status: Option<Status>,
    pub requester_id: Option<Uuid>,
    pub category: Option<String>,
    /// Words to find in the title or description (web-search syntax).
    pub q: Option<String>,
}

/// The text of the list query, public so that a test can `EXPLAIN` it.
pub const LIST_SQL: &str = concat!(
    "select ",
    request_columns!(),
    " from requests \
     where ($1::text is null or status = $1) \
       and ($2::uuid is null or requester_id = $2) \
       and ($3::text is null or category = $3) \
       and ($4::text is null or search @@ websearch_to_tsquery('english', $4)) \
       and (status <> 'suspended' or $5) \
       and ($6::timestamptz is null or (created_at, id) < ($6, $7)) \
     order by created_at desc, id desc \
     limit $8"
);

/// One page of the requests `viewer` may see, newest first.
pub async fn list(
    pool: &PgPool,
    filter: &ListFilter,
    page: &PageRequest,
    viewer: Option<&Caller>,
) -> sqlx::Result<Vec<Request>> {
    // Unnamed, so PostgreSQL plans it with the actual parameters.
    sqlx::query_as(LIST_SQL)
        .persistent(false)
        .bind(filter.status)
        .bind(filter.requester_id)
        .bind(&filter.category)
        .bind(&filter.q)
        .bind(viewer.is_some_and(Caller::is_staff))
        .bind(page.after_created_at())
        .bind(page.after_id())
        .bind(page.fetch_limit())
        .fetch_all(pool)
        .await
}

/// Where an accepted pledge stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PledgeState {
    /// Accepted, counted in `quantity_pledged`.
    Pledged,
    /// Received, counted in `quantity_fulfilled`.
    Fulfilled,
    /// Cancelled or expired after it was accepted: counted nowhere.
    Freed,
}

impl PledgeState {
    pub fn as_str(self) -> &'static str {
        match self {
            PledgeState::Pledged => "pledged",
            PledgeState::Fulfilled => "fulfilled",
            PledgeState::Freed => "freed",
        }
    }
}

impl std::str::FromStr for PledgeState {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "pledged" => Ok(PledgeState::Pledged),
            "fulfilled" => Ok(PledgeState::Fulfilled),
            "freed" => Ok(PledgeState::Freed),
            other => Err(format!("unknown pledge state {other:?}")),
        }
    }
}

hearth_core::text_column!(PledgeState);

/// An item donation this service accepted.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Pledge {
    pub request_id: Uuid,
    pub quantity: i32,
    pub state: PledgeState,
}

pub async fn find_pledge(
    conn: &mut PgConnection,
    donation_id: Uuid,
) -> sqlx::Result<Option<Pledge>> {
    sqlx::query_as("select request_id, quantity, state from pledges where donation_id = $1")
        .bind(donation_id)
        .fetch_optional(conn)
        .await
}

/// Records an accepted pledge and reserves its quantity.
pub async fn accept_pledge(
    conn: &mut PgConnection,
    request_id: Uuid,
    donation_id: Uuid,
    donor_id: Uuid,
    quantity: i32,
) -> sqlx::Result<Request> {
    sqlx::query(
        "insert into pledges (donation_id, request_id, donor_id, quantity, state) \
         values ($1, $2, $3, $4, 'pledged')",
    )
    .bind(donation_id)
    .bind(request_id)
    .bind(donor_id)
    .bind(quantity)
    .execute(&mut *conn)
    .await?;
    change_quantities(conn, request_id, quantity, 0).await
}

/// Moves a pledge to `to` (received or freed) and its quantity with it.
pub async fn settle_pledge(
    conn: &mut PgConnection,
    donation_id: Uuid,
    pledge: &Pledge,
    to: PledgeState,
) -> sqlx::Result<Request> {
    sqlx::query("update pledges set state = $2, settled_at = now() where donation_id = $1")
        .bind(donation_id)
        .bind(to)
        .execute(&mut *conn)
        .await?;
    let received = if to == PledgeState::Fulfilled {
        pledge.quantity
    } else {
        0
    };
    change_quantities(conn, pledge.request_id, -pledge.quantity, received).await
}

async fn change_quantities(
    conn: &mut PgConnection,
    request_id: Uuid,
    pledged: i32,
    fulfilled: i32,
) -> sqlx::Result<Request> {
    sqlx::query_as(concat!(
        "update requests set quantity_pledged = quantity_pledged + $2, \
           quantity_fulfilled = quantity_fulfilled + $3, \
           version = version + 1, updated_at = now() \
         where id = $1 returning ",
        request_columns!()
    ))
    .bind(request_id)
    .bind(pledged)
    .bind(fulfilled)
    .fetch_one(conn)
    .await
}

/// Whether a donation was voided before its `donation.created` arrived.
pub async fn is_voided(conn: &mut PgConnection, donation_id: Uuid) -> sqlx::Result<bool> {
    sqlx::query_scalar("select exists (select 1 from voided_donations where donation_id = $1)")
        .bind(donation_id)
        .fetch_one(conn)
        .await
}

pub async fn remember_voided(conn: &mut PgConnection, donation_id: Uuid) -> sqlx::Result<()> {
    sqlx::query("insert into voided_donations (donation_id) values ($1) on conflict do nothing")
        .bind(donation_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Serialises everything this service does about one donation until the
/// transaction ends, so that its `donation.created` and its cancellation,
/// handled at once by two deliveries, cannot miss each other's rows.
pub async fn lock_donation(conn: &mut PgConnection, donation_id: Uuid) -> sqlx::Result<()> {
    hearth_core::db::lock_for_transaction(conn, &format!("request-pledge:{donation_id}")).await
}

/// Open requests whose `needed_by` has passed, locked for this transaction;
/// rows another sweeper holds are skipped, so several instances share the work.
pub async fn lock_overdue(conn: &mut PgConnection, limit: i64) -> sqlx::Result<Vec<Request>> {
    sqlx::query_as(concat!(
        "select ",
        request_columns!(),
        " from requests where status = 'open' and needed_by <= now() \
         order by needed_by limit $1 for update skip locked"
    ))
    .bind(limit)
    .fetch_all(conn)
    .await
}
