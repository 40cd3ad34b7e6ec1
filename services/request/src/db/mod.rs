//! request-service's SQL. Every statement is static text with bound
//! parameters, checked against the schema when compiled (`.sqlx/`,
//! docs/extending.md#changing-a-query); the pool's `search_path` points them
//! at schema `request`. Every [`Request`] is read with the same column list,
//! its enums and image link typed by `as "column: Type"`.

use hearth_core::auth::Caller;
use hearth_core::db::Unprepared;
use hearth_core::image_url::ImageUrl;
use hearth_core::pagination::PageRequest;
use hearth_events::request::RequestChanges;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use crate::domain::{NewRequest, Request, Status, StatusChange};

/// `id` comes from `hearth_core::idempotency::Claim::resource_id`.
#[tracing::instrument(err, skip(conn, new))]
pub async fn insert(conn: &mut PgConnection, id: Uuid, new: &NewRequest) -> sqlx::Result<Request> {
    sqlx::query_as!(
        Request,
        r#"insert into requests (id, requester_id, title, description, category,
             quantity_needed, needed_by, location, image_url, status)
           values ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'open')
           returning id, requester_id, title, description, category, quantity_needed,
             quantity_pledged, quantity_fulfilled, status as "status: Status",
             suspended_from as "suspended_from: Status", needed_by, location, created_at,
             updated_at, version, image_url as "image_url: ImageUrl""#,
        id,
        new.requester_id,
        new.title,
        new.description,
        new.category,
        new.quantity_needed,
        new.needed_by,
        new.location,
        new.image_url.as_ref().map(ImageUrl::as_str),
    )
    .fetch_one(conn)
    .await
}

#[tracing::instrument(err, skip(pool))]
pub async fn find(pool: &PgPool, id: Uuid) -> sqlx::Result<Option<Request>> {
    sqlx::query_as!(
        Request,
        r#"select id, requester_id, title, description, category, quantity_needed,
             quantity_pledged, quantity_fulfilled, status as "status: Status",
             suspended_from as "suspended_from: Status", needed_by, location, created_at,
             updated_at, version, image_url as "image_url: ImageUrl"
           from requests where id = $1"#,
        id,
    )
    .fetch_optional(pool)
    .await
}

/// Reads a request and locks it until the transaction ends: every change to
/// a request, from the API or the saga, goes through this lock.
#[tracing::instrument(err, skip(conn))]
pub async fn lock(conn: &mut PgConnection, id: Uuid) -> sqlx::Result<Option<Request>> {
    sqlx::query_as!(
        Request,
        r#"select id, requester_id, title, description, category, quantity_needed,
             quantity_pledged, quantity_fulfilled, status as "status: Status",
             suspended_from as "suspended_from: Status", needed_by, location, created_at,
             updated_at, version, image_url as "image_url: ImageUrl"
           from requests where id = $1 for update"#,
        id,
    )
    .fetch_optional(conn)
    .await
}

#[tracing::instrument(err, skip(conn, changes))]
pub async fn apply_changes(
    conn: &mut PgConnection,
    id: Uuid,
    changes: &RequestChanges,
) -> sqlx::Result<Request> {
    // For each clearable field: $n says whether it changes, $n+1 is the new value.
    sqlx::query_as!(
        Request,
        r#"update requests set
             title = coalesce($2, title),
             description = case when $3 then $4 else description end,
             category = coalesce($5, category),
             quantity_needed = coalesce($6, quantity_needed),
             needed_by = case when $7 then $8 else needed_by end,
             location = case when $9 then $10 else location end,
             image_url = case when $11 then $12 else image_url end,
             version = version + 1, updated_at = now()
           where id = $1
           returning id, requester_id, title, description, category, quantity_needed,
             quantity_pledged, quantity_fulfilled, status as "status: Status",
             suspended_from as "suspended_from: Status", needed_by, location, created_at,
             updated_at, version, image_url as "image_url: ImageUrl""#,
        id,
        changes.title.as_deref(),
        changes.description.is_some(),
        changes.description.clone().flatten(),
        changes.category.as_deref(),
        changes.quantity_needed,
        changes.needed_by.is_some(),
        changes.needed_by.flatten(),
        changes.location.is_some(),
        changes.location.clone().flatten(),
        changes.image_url.is_some(),
        changes.image_url.clone().flatten(),
    )
    .fetch_one(conn)
    .await
}

#[tracing::instrument(err, skip(conn))]
pub async fn apply_status(
    conn: &mut PgConnection,
    id: Uuid,
    change: &StatusChange,
) -> sqlx::Result<Request> {
    sqlx::query_as!(
        Request,
        r#"update requests set status = $2, suspended_from = $3,
             version = version + 1, updated_at = now()
           where id = $1
           returning id, requester_id, title, description, category, quantity_needed,
             quantity_pledged, quantity_fulfilled, status as "status: Status",
             suspended_from as "suspended_from: Status", needed_by, location, created_at,
             updated_at, version, image_url as "image_url: ImageUrl""#,
        id,
        change.to.as_str(),
        change.suspended_from.map(Status::as_str),
    )
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
/// A filter left null drops out.
pub const LIST_SQL: &str = include_str!("list.sql");

/// One page of the requests `viewer` may see, newest first.
#[tracing::instrument(err, skip(pool, page, viewer))]
pub async fn list(
    pool: &PgPool,
    filter: &ListFilter,
    page: &PageRequest,
    viewer: Option<&Caller>,
) -> sqlx::Result<Vec<Request>> {
    // Unprepared, so PostgreSQL plans it with the actual parameters.
    sqlx::query_file_as!(
        Request,
        "src/db/list.sql",
        filter.status.map(Status::as_str),
        filter.requester_id,
        filter.category.as_deref(),
        filter.q.as_deref(),
        viewer.is_some_and(Caller::is_staff),
        page.after_created_at(),
        page.after_id(),
        page.fetch_limit(),
    )
    .fetch_all(Unprepared(pool))
    .await
}

hearth_core::words! {
    /// Where an accepted pledge stands.
    pub enum PledgeState: "pledge state" {
        /// Accepted, counted in `quantity_pledged`.
        Pledged => "pledged",
        /// Received, counted in `quantity_fulfilled`.
        Fulfilled => "fulfilled",
        /// Cancelled or expired after it was accepted: counted nowhere.
        Freed => "freed",
    }
}

/// An item donation this service accepted.
#[derive(Debug, Clone)]
pub struct Pledge {
    pub request_id: Uuid,
    pub quantity: i32,
    pub state: PledgeState,
}

#[tracing::instrument(err, skip(conn))]
pub async fn find_pledge(
    conn: &mut PgConnection,
    donation_id: Uuid,
) -> sqlx::Result<Option<Pledge>> {
    sqlx::query_as!(
        Pledge,
        r#"select request_id, quantity, state as "state: PledgeState"
           from pledges where donation_id = $1"#,
        donation_id,
    )
    .fetch_optional(conn)
    .await
}

/// Records an accepted pledge and reserves its quantity.
#[tracing::instrument(err, skip(conn))]
pub async fn accept_pledge(
    conn: &mut PgConnection,
    request_id: Uuid,
    donation_id: Uuid,
    donor_id: Uuid,
    quantity: i32,
) -> sqlx::Result<Request> {
    sqlx::query!(
        "insert into pledges (donation_id, request_id, donor_id, quantity, state)
         values ($1, $2, $3, $4, 'pledged')",
        donation_id,
        request_id,
        donor_id,
        quantity,
    )
    .execute(&mut *conn)
    .await?;
    change_quantities(conn, request_id, quantity, 0).await
}

/// Moves a pledge to `to` (received or freed) and its quantity with it.
#[tracing::instrument(err, skip(conn))]
pub async fn settle_pledge(
    conn: &mut PgConnection,
    donation_id: Uuid,
    pledge: &Pledge,
    to: PledgeState,
) -> sqlx::Result<Request> {
    sqlx::query!(
        "update pledges set state = $2, settled_at = now() where donation_id = $1",
        donation_id,
        to.as_str(),
    )
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
    sqlx::query_as!(
        Request,
        r#"update requests set quantity_pledged = quantity_pledged + $2,
             quantity_fulfilled = quantity_fulfilled + $3,
             version = version + 1, updated_at = now()
           where id = $1
           returning id, requester_id, title, description, category, quantity_needed,
             quantity_pledged, quantity_fulfilled, status as "status: Status",
             suspended_from as "suspended_from: Status", needed_by, location, created_at,
             updated_at, version, image_url as "image_url: ImageUrl""#,
        request_id,
        pledged,
        fulfilled,
    )
    .fetch_one(conn)
    .await
}

/// Whether a donation was voided before its `donation.created` arrived.
#[tracing::instrument(err, skip(conn))]
pub async fn is_voided(conn: &mut PgConnection, donation_id: Uuid) -> sqlx::Result<bool> {
    sqlx::query_scalar!(
        r#"select exists (select 1 from voided_donations where donation_id = $1) as "voided!""#,
        donation_id,
    )
    .fetch_one(conn)
    .await
}

#[tracing::instrument(err, skip(conn))]
pub async fn remember_voided(conn: &mut PgConnection, donation_id: Uuid) -> sqlx::Result<()> {
    sqlx::query!(
        "insert into voided_donations (donation_id) values ($1) on conflict do nothing",
        donation_id,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Serialises everything this service does about one donation until the
/// transaction ends, so that its `donation.created` and its cancellation,
/// handled at once by two deliveries, cannot miss each other's rows.
#[tracing::instrument(err, skip(conn))]
pub async fn lock_donation(conn: &mut PgConnection, donation_id: Uuid) -> sqlx::Result<()> {
    hearth_core::db::lock_for_transaction(conn, &format!("request-pledge:{donation_id}")).await
}

/// Open requests whose `needed_by` has passed, locked for this transaction;
/// rows another sweeper holds are skipped, so several instances share the work.
#[tracing::instrument(err, skip(conn))]
pub async fn lock_overdue(conn: &mut PgConnection, limit: i64) -> sqlx::Result<Vec<Request>> {
    sqlx::query_as!(
        Request,
        r#"select id, requester_id, title, description, category, quantity_needed,
             quantity_pledged, quantity_fulfilled, status as "status: Status",
             suspended_from as "suspended_from: Status", needed_by, location, created_at,
             updated_at, version, image_url as "image_url: ImageUrl"
           from requests where status = 'open' and needed_by <= now()
           order by needed_by limit $1 for update skip locked"#,
        limit,
    )
    .fetch_all(conn)
    .await
}
