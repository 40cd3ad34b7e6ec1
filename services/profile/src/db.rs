//! profile-service's SQL. Every statement is static text with bound
//! parameters; the pool's `search_path` points them at schema `profile`.

use hearth_core::pagination::PageRequest;
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

use crate::domain::{
    Exchange, NewRating, NewReport, Profile, Rating, Report, ReportStatus, ValidProfile,
    ValidResolution,
};

/// A profile with its standing and its ratings' totals.
macro_rules! profile_select {
    () => {
        "select p.id, p.display_name, p.bio, p.avatar_url, p.location, \
           case when coalesce(s.suspended, false) then 'suspended' else 'active' end as status, \
           case when t.rating_count > 0 \
                then round(t.rating_sum::numeric / t.rating_count, 2)::float8 end as rating_avg, \
           coalesce(t.rating_count, 0) as rating_count, \
           p.created_at, p.updated_at, p.version \
         from profiles p \
         left join account_suspensions s on s.user_id = p.id \
         left join rating_totals t on t.user_id = p.id "
    };
}

/// A rating's columns, with its exchange's donor and anonymity (aliases `r`, `e`).
macro_rules! rating_columns {
    () => {
        "r.id, r.donation_id, r.rater_id, r.ratee_id, r.score, r.comment, r.created_at, \
         e.donor_id, e.anonymous"
    };
}

pub async fn find_profile<'c>(db: impl PgExecutor<'c>, id: Uuid) -> sqlx::Result<Option<Profile>> {
    sqlx::query_as(concat!(profile_select!(), "where p.id = $1"))
        .bind(id)
        .fetch_optional(db)
        .await
}

/// Locks a profile's row for the transaction (none yet: nothing to lock).
pub async fn lock_profile(conn: &mut PgConnection, id: Uuid) -> sqlx::Result<Option<Profile>> {
    sqlx::query("select 1 from profiles where id = $1 for update")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    find_profile(conn, id).await
}

/// Creates the profile; `false` if another request created it first.
pub async fn insert_profile(
    conn: &mut PgConnection,
    id: Uuid,
    p: &ValidProfile,
) -> sqlx::Result<bool> {
    let inserted = sqlx::query(
        "insert into profiles (id, display_name, bio, avatar_url, location) \
         values ($1, $2, $3, $4, $5) on conflict (id) do nothing",
    )
    .bind(id)
    .bind(&p.display_name)
    .bind(&p.bio)
    .bind(&p.avatar_url)
    .bind(&p.location)
    .execute(conn)
    .await?;
    Ok(inserted.rows_affected() == 1)
}

pub async fn replace_profile(
    conn: &mut PgConnection,
    id: Uuid,
    p: &ValidProfile,
) -> sqlx::Result<()> {
    sqlx::query(
        "update profiles set display_name = $2, bio = $3, avatar_url = $4, location = $5, \
           version = version + 1, updated_at = now() \
         where id = $1",
    )
    .bind(id)
    .bind(&p.display_name)
    .bind(&p.bio)
    .bind(&p.avatar_url)
    .bind(&p.location)
    .execute(conn)
    .await?;
    Ok(())
}

/// Records a donation that went through; a second notice changes nothing.
pub async fn remember_exchange(
    conn: &mut PgConnection,
    donation_id: Uuid,
    exchange: Exchange,
) -> sqlx::Result<()> {
    sqlx::query(
        "insert into exchanges (donation_id, donor_id, recipient_id, anonymous) \
         values ($1, $2, $3, $4) on conflict (donation_id) do nothing",
    )
    .bind(donation_id)
    .bind(exchange.donor_id)
    .bind(exchange.recipient_id)
    .bind(exchange.anonymous)
    .execute(conn)
    .await?;
    Ok(())
}

/// Records that `event_type` undid a donation, whether or not its exchange
/// is known yet; a second notice changes nothing.
pub async fn remember_undone(
    conn: &mut PgConnection,
    donation_id: Uuid,
    event_type: &str,
) -> sqlx::Result<()> {
    sqlx::query(
        "insert into undone_exchanges (donation_id, undone_by) values ($1, $2) \
         on conflict (donation_id) do nothing",
    )
    .bind(donation_id)
    .bind(event_type)
    .execute(conn)
    .await?;
    Ok(())
}

/// The exchange a new rating may be about: known, and not undone since.
pub async fn find_rateable_exchange(
    conn: &mut PgConnection,
    donation_id: Uuid,
) -> sqlx::Result<Option<Exchange>> {
    sqlx::query_as(
        "select donor_id, recipient_id, anonymous from exchanges where donation_id = $1 \
           and not exists (select from undone_exchanges where donation_id = $1)",
    )
    .bind(donation_id)
    .fetch_optional(conn)
    .await
}

/// Stores a rating under `id` (from `hearth_core::idempotency::Claim::resource_id`)
/// and adds it to the ratee's totals; `None` if this rater already rated
/// this donation.
pub async fn insert_rating(
    conn: &mut PgConnection,
    id: Uuid,
    new: &NewRating,
    rater_id: Uuid,
    ratee_id: Uuid,
) -> sqlx::Result<Option<Rating>> {
    let rating: Option<Rating> = sqlx::query_as(concat!(
        "with r as (\
           insert into ratings (id, donation_id, rater_id, ratee_id, score, comment) \
           values ($1, $2, $3, $4, $5, $6) on conflict (donation_id, rater_id) do nothing \
           returning *) \
         select ",
        rating_columns!(),
        " from r join exchanges e on e.donation_id = r.donation_id"
    ))
    .bind(id)
    .bind(new.donation_id)
    .bind(rater_id)
    .bind(ratee_id)
    .bind(new.score)
    .bind(&new.comment)
    .fetch_optional(&mut *conn)
    .await?;
    if rating.is_some() {
        add_to_totals(conn, ratee_id, i64::from(new.score)).await?;
    }
    Ok(rating)
}

/// A profile's `status` and rating totals live in other tables, but are its
/// fields: a change to them is a new version, with a new `ETag` (docs/api.md).
pub async fn touch_profile(conn: &mut PgConnection, id: Uuid) -> sqlx::Result<()> {
    sqlx::query("update profiles set version = version + 1, updated_at = now() where id = $1")
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Adds one rating of `score` to a person's totals.
async fn add_to_totals(conn: &mut PgConnection, user_id: Uuid, score: i64) -> sqlx::Result<()> {
    sqlx::query(
        "insert into rating_totals (user_id, rating_count, rating_sum) values ($1, 1, $2) \
         on conflict (user_id) do update set \
           rating_count = rating_totals.rating_count + 1, \
           rating_sum = rating_totals.rating_sum + excluded.rating_sum",
    )
    .bind(user_id)
    .bind(score)
    .execute(&mut *conn)
    .await?;
    touch_profile(conn, user_id).await
}

/// A rating staff hid after a report: gone from lists and totals. `None` if
/// there is no such visible rating.
pub async fn hide_rating(conn: &mut PgConnection, id: Uuid) -> sqlx::Result<Option<Rating>> {
    let hidden: Option<Rating> = sqlx::query_as(concat!(
        "with r as (\
           update ratings set hidden_at = now() where id = $1 and hidden_at is null \
           returning *) \
         select ",
        rating_columns!(),
        " from r join exchanges e on e.donation_id = r.donation_id"
    ))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(rating) = &hidden {
        // The ratee's totals exist: the rating was added to them.
        sqlx::query(
            "update rating_totals set rating_count = rating_count - 1, \
               rating_sum = rating_sum - $2 where user_id = $1",
        )
        .bind(rating.ratee_id)
        .bind(i64::from(rating.score))
        .execute(&mut *conn)
        .await?;
        touch_profile(conn, rating.ratee_id).await?;
    }
    Ok(hidden)
}

pub async fn find_rating<'c>(db: impl PgExecutor<'c>, id: Uuid) -> sqlx::Result<Option<Rating>> {
    sqlx::query_as(concat!(
        "select ",
        rating_columns!(),
        " from ratings r join exchanges e on e.donation_id = r.donation_id where r.id = $1"
    ))
    .bind(id)
    .fetch_optional(db)
    .await
}

pub async fn rating_author(conn: &mut PgConnection, id: Uuid) -> sqlx::Result<Option<Uuid>> {
    sqlx::query_scalar("select rater_id from ratings where id = $1")
        .bind(id)
        .fetch_optional(conn)
        .await
}

/// One page of the visible ratings a person received, newest first.
pub async fn list_ratings<'c>(
    db: impl PgExecutor<'c>,
    ratee_id: Uuid,
    page: &PageRequest,
) -> sqlx::Result<Vec<Rating>> {
    sqlx::query_as(concat!(
        "select ",
        rating_columns!(),
        " from ratings r join exchanges e on e.donation_id = r.donation_id \
         where r.ratee_id = $1 and r.hidden_at is null \
           and ($2::timestamptz is null or (r.created_at, r.id) < ($2, $3)) \
         order by r.created_at desc, r.id desc limit $4"
    ))
    .bind(ratee_id)
    .bind(page.after_created_at())
    .bind(page.after_id())
    .bind(page.fetch_limit())
    .fetch_all(db)
    .await
}

macro_rules! report_columns {
    () => {
        "id, reporter_id, target_type, target_id, reason, details, status, action, \
         resolution_note, resolved_by, created_at, updated_at, version"
    };
}

/// Files a report under `id` (from `hearth_core::idempotency::Claim::resource_id`);
/// `None` if the reporter already has an open one on this target.
pub async fn insert_report(
    conn: &mut PgConnection,
    id: Uuid,
    reporter_id: Uuid,
    new: &NewReport,
) -> sqlx::Result<Option<Report>> {
    sqlx::query_as(concat!(
        "insert into reports (id, reporter_id, target_type, target_id, reason, details) \
         values ($1, $2, $3, $4, $5, $6) \
         on conflict (reporter_id, target_type, target_id) where status = 'open' do nothing \
         returning ",
        report_columns!()
    ))
    .bind(id)
    .bind(reporter_id)
    .bind(new.target_type)
    .bind(new.target_id)
    .bind(new.reason)
    .bind(&new.details)
    .fetch_optional(conn)
    .await
}

pub async fn find_report<'c>(db: impl PgExecutor<'c>, id: Uuid) -> sqlx::Result<Option<Report>> {
    sqlx::query_as(concat!(
        "select ",
        report_columns!(),
        " from reports where id = $1"
    ))
    .bind(id)
    .fetch_optional(db)
    .await
}

pub async fn lock_report(conn: &mut PgConnection, id: Uuid) -> sqlx::Result<Option<Report>> {
    sqlx::query_as(concat!(
        "select ",
        report_columns!(),
        " from reports where id = $1 for update"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await
}

pub async fn resolve_report(
    conn: &mut PgConnection,
    id: Uuid,
    resolution: &ValidResolution,
    staff_id: Uuid,
) -> sqlx::Result<Report> {
    sqlx::query_as(concat!(
        "update reports set status = $2, action = $3, resolution_note = $4, resolved_by = $5, \
           version = version + 1, updated_at = now() \
         where id = $1 returning ",
        report_columns!()
    ))
    .bind(id)
    .bind(resolution.resolution.as_str())
    .bind(resolution.action)
    .bind(&resolution.note)
    .bind(staff_id)
    .fetch_one(conn)
    .await
}

/// One page of reports, newest first, optionally of one status.
pub async fn list_reports<'c>(
    db: impl PgExecutor<'c>,
    status: Option<ReportStatus>,
    page: &PageRequest,
) -> sqlx::Result<Vec<Report>> {
    sqlx::query_as(concat!(
        "select ",
        report_columns!(),
        " from reports where ($1::text is null or status = $1) \
           and ($2::timestamptz is null or (created_at, id) < ($2, $3)) \
         order by created_at desc, id desc limit $4"
    ))
    .persistent(false)
    .bind(status)
    .bind(page.after_created_at())
    .bind(page.after_id())
    .bind(page.fetch_limit())
    .fetch_all(db)
    .await
}
