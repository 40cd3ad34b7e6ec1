//! campaign-service's SQL. Every statement is static text with bound
//! parameters, checked against the schema when compiled (`.sqlx/`,
//! docs/extending.md#changing-a-query); the pool's `search_path` points them
//! at schema `campaign`. Every [`Campaign`] is read with the same column
//! list, its enums and image link typed by `as "column: Type"`.

use hearth_core::auth::Caller;
use hearth_core::db::Unprepared;
use hearth_core::image_url::ImageUrl;
use hearth_core::pagination::PageRequest;
use hearth_events::campaign::CampaignChanges;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use crate::domain::{Campaign, CopiedCampaign, NewCampaign, Status, StatusChange};

/// `id` comes from `hearth_core::idempotency::Claim::resource_id`.
#[tracing::instrument(err, skip(conn, new))]
pub async fn insert(
    conn: &mut PgConnection,
    id: Uuid,
    new: &NewCampaign,
) -> sqlx::Result<Campaign> {
    sqlx::query_as!(
        Campaign,
        r#"insert into campaigns (id, recipient_id, creator_id, title, description, category,
             goal_minor, currency, status, ends_at, image_url)
           values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
           returning id, recipient_id, creator_id, title, description, category, goal_minor,
             raised_minor, donor_count, currency, status as "status: Status",
             suspended_from as "suspended_from: Status", ends_at, goal_reached_at, created_at,
             updated_at, version, image_url as "image_url: ImageUrl""#,
        id,
        new.recipient_id,
        new.creator_id,
        new.title,
        new.description,
        new.category,
        new.goal_minor,
        new.currency.code(),
        new.status.as_str(),
        new.ends_at,
        new.image_url.as_ref().map(ImageUrl::as_str),
    )
    .fetch_one(conn)
    .await
}

/// Inserts campaigns copied in from another system, one statement for them
/// all, skipping those whose id is already there: a copy killed half way is
/// resumed by running it again. Each is created by its recipient, with its
/// opening balance as what it has raised, and one already at its goal
/// reached it when last updated there, so that its next donation does not
/// announce a goal reached long ago. Returns those inserted, as stored.
#[tracing::instrument(err, skip_all, fields(rows = rows.len()))]
pub async fn insert_copied(
    conn: &mut PgConnection,
    rows: &[&CopiedCampaign],
) -> sqlx::Result<Vec<Campaign>> {
    let descriptions: Vec<Option<String>> = rows.iter().map(|r| r.description.clone()).collect();
    let categories: Vec<Option<String>> = rows.iter().map(|r| r.category.clone()).collect();
    let images: Vec<Option<String>> = rows
        .iter()
        .map(|r| r.image_url.as_ref().map(|u| u.as_str().to_owned()))
        .collect();
    let ends_at: Vec<Option<chrono::DateTime<chrono::Utc>>> =
        rows.iter().map(|r| r.ends_at).collect();
    sqlx::query_as!(
        Campaign,
        r#"insert into campaigns (id, recipient_id, creator_id, title, description,
             category, goal_minor, opening_minor, raised_minor, currency, status, ends_at,
             goal_reached_at, created_at, updated_at, image_url)
           select id, recipient_id, recipient_id, title, description, category, goal_minor,
             opening_minor, opening_minor, currency, status, ends_at,
             case when opening_minor >= goal_minor then updated_at end, created_at, updated_at,
             image_url
           from unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::int8[],
             $7::int8[], $8::text[], $9::text[], $10::timestamptz[], $11::timestamptz[],
             $12::timestamptz[], $13::text[])
             as t(id, recipient_id, title, description, category, goal_minor, opening_minor,
             currency, status, ends_at, created_at, updated_at, image_url)
           on conflict (id) do nothing
           returning id, recipient_id, creator_id, title, description, category, goal_minor,
             raised_minor, donor_count, currency, status as "status: Status",
             suspended_from as "suspended_from: Status", ends_at, goal_reached_at, created_at,
             updated_at, version, image_url as "image_url: ImageUrl""#,
        &rows.iter().map(|r| r.id).collect::<Vec<_>>(),
        &rows.iter().map(|r| r.recipient_id).collect::<Vec<_>>(),
        &rows.iter().map(|r| r.title.clone()).collect::<Vec<_>>(),
        &descriptions as &[Option<String>],
        &categories as &[Option<String>],
        &rows.iter().map(|r| r.goal_minor).collect::<Vec<_>>(),
        &rows.iter().map(|r| r.opening_minor).collect::<Vec<_>>(),
        &rows.iter().map(|r| r.currency.clone()).collect::<Vec<_>>(),
        &rows
            .iter()
            .map(|r| r.status.as_str().to_owned())
            .collect::<Vec<_>>(),
        &ends_at as &[Option<chrono::DateTime<chrono::Utc>>],
        &rows.iter().map(|r| r.created_at).collect::<Vec<_>>(),
        &rows.iter().map(|r| r.updated_at).collect::<Vec<_>>(),
        &images as &[Option<String>],
    )
    .fetch_all(conn)
    .await
}

#[tracing::instrument(err, skip(pool))]
pub async fn find(pool: &PgPool, id: Uuid) -> sqlx::Result<Option<Campaign>> {
    sqlx::query_as!(
        Campaign,
        r#"select id, recipient_id, creator_id, title, description, category, goal_minor,
             raised_minor, donor_count, currency, status as "status: Status",
             suspended_from as "suspended_from: Status", ends_at, goal_reached_at, created_at,
             updated_at, version, image_url as "image_url: ImageUrl"
           from campaigns where id = $1"#,
        id,
    )
    .fetch_optional(pool)
    .await
}

/// Reads a campaign and locks it until the transaction ends, so that a
/// version check and the write after it see the same row.
#[tracing::instrument(err, skip(conn))]
pub async fn lock(conn: &mut PgConnection, id: Uuid) -> sqlx::Result<Option<Campaign>> {
    sqlx::query_as!(
        Campaign,
        r#"select id, recipient_id, creator_id, title, description, category, goal_minor,
             raised_minor, donor_count, currency, status as "status: Status",
             suspended_from as "suspended_from: Status", ends_at, goal_reached_at, created_at,
             updated_at, version, image_url as "image_url: ImageUrl"
           from campaigns where id = $1 for update"#,
        id,
    )
    .fetch_optional(conn)
    .await
}

/// Applies an owner's edit. A goal lowered to what was already raised is
/// reached now; one raised after it was reached stays reached (the goal is
/// announced once, docs/api.md).
#[tracing::instrument(err, skip(conn, changes))]
pub async fn apply_changes(
    conn: &mut PgConnection,
    id: Uuid,
    changes: &CampaignChanges,
) -> sqlx::Result<Campaign> {
    // For each clearable field: $n says whether it changes, $n+1 is the new value.
    sqlx::query_as!(
        Campaign,
        r#"update campaigns set
             title = coalesce($2, title),
             description = case when $3 then $4 else description end,
             category = case when $5 then $6 else category end,
             goal_minor = coalesce($7, goal_minor),
             goal_reached_at = case when goal_reached_at is null
                                     and raised_minor >= coalesce($7, goal_minor)
                               then now() else goal_reached_at end,
             ends_at = case when $8 then $9 else ends_at end,
             image_url = case when $10 then $11 else image_url end,
             version = version + 1, updated_at = now()
           where id = $1
           returning id, recipient_id, creator_id, title, description, category, goal_minor,
             raised_minor, donor_count, currency, status as "status: Status",
             suspended_from as "suspended_from: Status", ends_at, goal_reached_at, created_at,
             updated_at, version, image_url as "image_url: ImageUrl""#,
        id,
        changes.title.as_deref(),
        changes.description.is_some(),
        changes.description.clone().flatten(),
        changes.category.is_some(),
        changes.category.clone().flatten(),
        changes.goal_minor,
        changes.ends_at.is_some(),
        changes.ends_at.flatten(),
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
) -> sqlx::Result<Campaign> {
    sqlx::query_as!(
        Campaign,
        r#"update campaigns set status = $2, suspended_from = $3,
             version = version + 1, updated_at = now()
           where id = $1
           returning id, recipient_id, creator_id, title, description, category, goal_minor,
             raised_minor, donor_count, currency, status as "status: Status",
             suspended_from as "suspended_from: Status", ends_at, goal_reached_at, created_at,
             updated_at, version, image_url as "image_url: ImageUrl""#,
        id,
        change.to.as_str(),
        change.suspended_from.map(Status::as_str),
    )
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
/// prove the text search uses its index. A filter left null drops out.
pub const LIST_SQL: &str = include_str!("list.sql");

/// One page of the campaigns `viewer` may see, newest first.
#[tracing::instrument(err, skip(pool, page, viewer))]
pub async fn list(
    pool: &PgPool,
    filter: &ListFilter,
    page: &PageRequest,
    viewer: Option<&Caller>,
) -> sqlx::Result<Vec<Campaign>> {
    let staff = viewer.is_some_and(Caller::is_staff);
    // Unprepared, so PostgreSQL plans it with the actual parameters: the
    // filters left null drop out and the indexes are used.
    sqlx::query_file_as!(
        Campaign,
        "src/db/list.sql",
        filter.status.map(Status::as_str),
        filter.recipient_id,
        filter.category.as_deref(),
        filter.q.as_deref(),
        staff,
        viewer.map(|c| c.id),
        page.after_created_at(),
        page.after_id(),
        page.fetch_limit(),
    )
    .fetch_all(Unprepared(pool))
    .await
}

/// A donation this campaign accepted, if it did.
#[derive(Debug, Clone)]
pub struct Accepted {
    pub campaign_id: Uuid,
    pub donor_id: Uuid,
    pub amount_minor: i64,
    pub reversed: bool,
}

#[tracing::instrument(err, skip(conn))]
pub async fn find_accepted(
    conn: &mut PgConnection,
    donation_id: Uuid,
) -> sqlx::Result<Option<Accepted>> {
    sqlx::query_as!(
        Accepted,
        r#"select campaign_id, donor_id, amount_minor, reversed_at is not null as "reversed!"
           from accepted_donations where donation_id = $1"#,
        donation_id,
    )
    .fetch_optional(conn)
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

/// A campaign locked to decide on a money donation, with the rest of what the
/// decision needs, read by the same statement.
#[derive(Debug, Clone)]
pub struct DonationTarget {
    pub campaign: Campaign,
    /// Cancelled or expired before its `donation.created` arrived.
    pub donation_voided: bool,
    pub donor_suspended: bool,
}

/// Locks the campaign a donation is for, and reads whether the donation was
/// voided and its donor suspended: one round trip on the saga's busiest step.
/// Call it after [`lock_donation`], so that a compensation committed while
/// this waited is seen. `None` if there is no such campaign.
#[tracing::instrument(err, skip(conn))]
pub async fn lock_for_donation(
    conn: &mut PgConnection,
    campaign_id: Uuid,
    donation_id: Uuid,
    donor_id: Uuid,
) -> sqlx::Result<Option<DonationTarget>> {
    let row = sqlx::query!(
        r#"select id, recipient_id, creator_id, title, description, category, goal_minor,
             raised_minor, donor_count, currency, status as "status: Status",
             suspended_from as "suspended_from: Status", ends_at, goal_reached_at, created_at,
             updated_at, version, image_url as "image_url: ImageUrl",
             exists (select 1 from voided_donations where donation_id = $2)
               as "donation_voided!",
             exists (select 1 from account_suspensions where user_id = $3 and suspended)
               as "donor_suspended!"
           from campaigns where id = $1 for update"#,
        campaign_id,
        donation_id,
        donor_id,
    )
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|r| DonationTarget {
        campaign: Campaign {
            id: r.id,
            recipient_id: r.recipient_id,
            creator_id: r.creator_id,
            title: r.title,
            description: r.description,
            category: r.category,
            goal_minor: r.goal_minor,
            raised_minor: r.raised_minor,
            donor_count: r.donor_count,
            currency: r.currency,
            status: r.status,
            image_url: r.image_url,
            ends_at: r.ends_at,
            goal_reached_at: r.goal_reached_at,
            created_at: r.created_at,
            updated_at: r.updated_at,
            version: r.version,
            suspended_from: r.suspended_from,
        },
        donation_voided: r.donation_voided,
        donor_suspended: r.donor_suspended,
    }))
}

/// Records an accepted donation and adds it to the locked campaign's totals,
/// in one statement: counts the donor once however many donations they make,
/// and marks the goal reached when this donation reaches it.
#[tracing::instrument(err, skip(conn))]
pub async fn accept_donation(
    conn: &mut PgConnection,
    campaign_id: Uuid,
    donation_id: Uuid,
    donor_id: Uuid,
    amount_minor: i64,
) -> sqlx::Result<Campaign> {
    // Every part of a statement sees the same snapshot: `earlier` cannot see
    // the row `recorded` inserts, so it asks exactly "had they given before?".
    sqlx::query_as!(
        Campaign,
        r#"with earlier as (
             select exists (select 1 from accepted_donations
               where campaign_id = $1 and donor_id = $3 and reversed_at is null) as gave),
           recorded as (
             insert into accepted_donations (donation_id, campaign_id, donor_id, amount_minor)
             values ($2, $1, $3, $4))
           update campaigns set
             raised_minor = raised_minor + $4,
             donor_count = donor_count + (select case when gave then 0 else 1 end from earlier),
             goal_reached_at = case when goal_reached_at is null and raised_minor + $4 >= goal_minor
                               then now() else goal_reached_at end,
             version = version + 1, updated_at = now()
           where id = $1
           returning id, recipient_id, creator_id, title, description, category, goal_minor,
             raised_minor, donor_count, currency, status as "status: Status",
             suspended_from as "suspended_from: Status", ends_at, goal_reached_at, created_at,
             updated_at, version, image_url as "image_url: ImageUrl""#,
        campaign_id,
        donation_id,
        donor_id,
        amount_minor,
    )
    .fetch_one(conn)
    .await
}

/// Takes an accepted donation back out of the campaign's totals.
#[tracing::instrument(err, skip(conn))]
pub async fn reverse_donation(
    conn: &mut PgConnection,
    donation_id: Uuid,
    accepted: &Accepted,
) -> sqlx::Result<Campaign> {
    sqlx::query!(
        "update accepted_donations set reversed_at = now() where donation_id = $1",
        donation_id,
    )
    .execute(&mut *conn)
    .await?;
    let last_of_donor = sqlx::query_scalar!(
        r#"select not exists (select 1 from accepted_donations
             where campaign_id = $1 and donor_id = $2 and reversed_at is null) as "last!""#,
        accepted.campaign_id,
        accepted.donor_id,
    )
    .fetch_one(&mut *conn)
    .await?;
    change_totals(
        conn,
        accepted.campaign_id,
        -accepted.amount_minor,
        -i32::from(last_of_donor),
    )
    .await
}

async fn change_totals(
    conn: &mut PgConnection,
    campaign_id: Uuid,
    amount: i64,
    donors: i32,
) -> sqlx::Result<Campaign> {
    sqlx::query_as!(
        Campaign,
        r#"update campaigns set raised_minor = raised_minor + $2, donor_count = donor_count + $3,
             version = version + 1, updated_at = now()
           where id = $1
           returning id, recipient_id, creator_id, title, description, category, goal_minor,
             raised_minor, donor_count, currency, status as "status: Status",
             suspended_from as "suspended_from: Status", ends_at, goal_reached_at, created_at,
             updated_at, version, image_url as "image_url: ImageUrl""#,
        campaign_id,
        amount,
        donors,
    )
    .fetch_one(conn)
    .await
}

/// Serialises everything this service does about one donation until the
/// transaction ends. Its `donation.created` and its compensation can be handled
/// at once by two deliveries; without this each could miss the other's
/// uncommitted row (an acceptance never reversed).
#[tracing::instrument(err, skip(conn))]
pub async fn lock_donation(conn: &mut PgConnection, donation_id: Uuid) -> sqlx::Result<()> {
    hearth_core::db::lock_for_transaction(conn, &format!("campaign-donation:{donation_id}")).await
}
