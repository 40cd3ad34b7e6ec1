//! profile-service's SQL. Every statement is static text with bound
//! parameters, checked against the schema when compiled (`.sqlx/`,
//! docs/extending.md#changing-a-query); the pool's `search_path` points them
//! at schema `profile`. Every [`Rating`] and [`Report`] is read with the same
//! column list, its enums typed by `as "column: Type"`.

use hearth_core::db::Unprepared;
use hearth_core::pagination::PageRequest;
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

use crate::domain::{
    Exchange, NewRating, NewReport, Profile, ProfileStatus, Rating, Report, ReportAction,
    ReportReason, ReportStatus, TargetType, ValidProfile, ValidResolution,
};

/// A profile with its standing and its ratings' totals.
#[tracing::instrument(err, skip(db))]
pub async fn find_profile<'c>(db: impl PgExecutor<'c>, id: Uuid) -> sqlx::Result<Option<Profile>> {
    sqlx::query_as!(
        Profile,
        r#"select p.id, p.display_name, p.bio, p.avatar_url, p.location,
             case when coalesce(s.suspended, false) then 'suspended' else 'active' end
               as "status!: ProfileStatus",
             case when t.rating_count > 0
                  then round(t.rating_sum::numeric / t.rating_count, 2)::float8 end as rating_avg,
             coalesce(t.rating_count, 0) as "rating_count!",
             p.created_at, p.updated_at, p.version
           from profiles p
           left join account_suspensions s on s.user_id = p.id
           left join rating_totals t on t.user_id = p.id
           where p.id = $1"#,
        id,
    )
    .fetch_optional(db)
    .await
}

/// Locks a profile's row for the transaction (none yet: nothing to lock).
#[tracing::instrument(err, skip(conn))]
pub async fn lock_profile(conn: &mut PgConnection, id: Uuid) -> sqlx::Result<Option<Profile>> {
    sqlx::query!(
        "select 1 as locked from profiles where id = $1 for update",
        id
    )
    .fetch_optional(&mut *conn)
    .await?;
    find_profile(conn, id).await
}

/// Creates the profile; `false` if another request created it first.
#[tracing::instrument(err, skip(conn, p))]
pub async fn insert_profile(
    conn: &mut PgConnection,
    id: Uuid,
    p: &ValidProfile,
) -> sqlx::Result<bool> {
    let inserted = sqlx::query!(
        "insert into profiles (id, display_name, bio, avatar_url, location)
         values ($1, $2, $3, $4, $5) on conflict (id) do nothing",
        id,
        p.display_name,
        p.bio,
        p.avatar_url,
        p.location,
    )
    .execute(conn)
    .await?;
    Ok(inserted.rows_affected() == 1)
}

#[tracing::instrument(err, skip(conn, p))]
pub async fn replace_profile(
    conn: &mut PgConnection,
    id: Uuid,
    p: &ValidProfile,
) -> sqlx::Result<()> {
    sqlx::query!(
        "update profiles set display_name = $2, bio = $3, avatar_url = $4, location = $5,
           version = version + 1, updated_at = now()
         where id = $1",
        id,
        p.display_name,
        p.bio,
        p.avatar_url,
        p.location,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Records a donation that went through; a second notice changes nothing.
#[tracing::instrument(err, skip(conn))]
pub async fn remember_exchange(
    conn: &mut PgConnection,
    donation_id: Uuid,
    exchange: Exchange,
) -> sqlx::Result<()> {
    sqlx::query!(
        "insert into exchanges (donation_id, donor_id, recipient_id, anonymous)
         values ($1, $2, $3, $4) on conflict (donation_id) do nothing",
        donation_id,
        exchange.donor_id,
        exchange.recipient_id,
        exchange.anonymous,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Records that `event_type` undid a donation, whether or not its exchange
/// is known yet; a second notice changes nothing.
#[tracing::instrument(err, skip(conn))]
pub async fn remember_undone(
    conn: &mut PgConnection,
    donation_id: Uuid,
    event_type: &str,
) -> sqlx::Result<()> {
    sqlx::query!(
        "insert into undone_exchanges (donation_id, undone_by) values ($1, $2)
         on conflict (donation_id) do nothing",
        donation_id,
        event_type,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// The exchange a new rating may be about: known, and not undone since.
#[tracing::instrument(err, skip(conn))]
pub async fn find_rateable_exchange(
    conn: &mut PgConnection,
    donation_id: Uuid,
) -> sqlx::Result<Option<Exchange>> {
    sqlx::query_as!(
        Exchange,
        "select donor_id, recipient_id, anonymous from exchanges where donation_id = $1
           and not exists (select from undone_exchanges where donation_id = $1)",
        donation_id,
    )
    .fetch_optional(conn)
    .await
}

/// Stores a rating under `id` (from `hearth_core::idempotency::Claim::resource_id`)
/// and adds it to the ratee's totals; `None` if this rater already rated
/// this donation.
#[tracing::instrument(err, skip(conn, new), fields(donation_id = %new.donation_id))]
pub async fn insert_rating(
    conn: &mut PgConnection,
    id: Uuid,
    new: &NewRating,
    rater_id: Uuid,
    ratee_id: Uuid,
) -> sqlx::Result<Option<Rating>> {
    let rating = sqlx::query_as!(
        Rating,
        r#"with r as (
             insert into ratings (id, donation_id, rater_id, ratee_id, score, comment)
             values ($1, $2, $3, $4, $5, $6) on conflict (donation_id, rater_id) do nothing
             returning *)
           select r.id as "id!", r.donation_id as "donation_id!", r.rater_id as "rater_id!",
             r.ratee_id as "ratee_id!", r.score as "score!", r.comment,
             r.created_at as "created_at!", e.donor_id, e.anonymous
           from r join exchanges e on e.donation_id = r.donation_id"#,
        id,
        new.donation_id,
        rater_id,
        ratee_id,
        new.score,
        new.comment,
    )
    .fetch_optional(&mut *conn)
    .await?;
    if rating.is_some() {
        add_to_totals(conn, ratee_id, i64::from(new.score)).await?;
    }
    Ok(rating)
}

/// A profile's `status` and rating totals live in other tables, but are its
/// fields: a change to them is a new version, with a new `ETag` (docs/api.md).
#[tracing::instrument(err, skip(conn))]
pub async fn touch_profile(conn: &mut PgConnection, id: Uuid) -> sqlx::Result<()> {
    sqlx::query!(
        "update profiles set version = version + 1, updated_at = now() where id = $1",
        id,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Adds one rating of `score` to a person's totals.
async fn add_to_totals(conn: &mut PgConnection, user_id: Uuid, score: i64) -> sqlx::Result<()> {
    sqlx::query!(
        "insert into rating_totals (user_id, rating_count, rating_sum) values ($1, 1, $2)
         on conflict (user_id) do update set
           rating_count = rating_totals.rating_count + 1,
           rating_sum = rating_totals.rating_sum + excluded.rating_sum",
        user_id,
        score,
    )
    .execute(&mut *conn)
    .await?;
    touch_profile(conn, user_id).await
}

/// A rating staff hid after a report: gone from lists and totals. `None` if
/// there is no such visible rating.
#[tracing::instrument(err, skip(conn))]
pub async fn hide_rating(conn: &mut PgConnection, id: Uuid) -> sqlx::Result<Option<Rating>> {
    let hidden = sqlx::query_as!(
        Rating,
        r#"with r as (
             update ratings set hidden_at = now() where id = $1 and hidden_at is null
             returning *)
           select r.id as "id!", r.donation_id as "donation_id!", r.rater_id as "rater_id!",
             r.ratee_id as "ratee_id!", r.score as "score!", r.comment,
             r.created_at as "created_at!", e.donor_id, e.anonymous
           from r join exchanges e on e.donation_id = r.donation_id"#,
        id,
    )
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(rating) = &hidden {
        // The ratee's totals exist: the rating was added to them.
        sqlx::query!(
            "update rating_totals set rating_count = rating_count - 1,
               rating_sum = rating_sum - $2 where user_id = $1",
            rating.ratee_id,
            i64::from(rating.score),
        )
        .execute(&mut *conn)
        .await?;
        touch_profile(conn, rating.ratee_id).await?;
    }
    Ok(hidden)
}

#[tracing::instrument(err, skip(db))]
pub async fn find_rating<'c>(db: impl PgExecutor<'c>, id: Uuid) -> sqlx::Result<Option<Rating>> {
    sqlx::query_as!(
        Rating,
        r#"select r.id as "id!", r.donation_id as "donation_id!", r.rater_id as "rater_id!",
             r.ratee_id as "ratee_id!", r.score as "score!", r.comment,
             r.created_at as "created_at!", e.donor_id, e.anonymous
           from ratings r join exchanges e on e.donation_id = r.donation_id where r.id = $1"#,
        id,
    )
    .fetch_optional(db)
    .await
}

#[tracing::instrument(err, skip(conn))]
pub async fn rating_author(conn: &mut PgConnection, id: Uuid) -> sqlx::Result<Option<Uuid>> {
    sqlx::query_scalar!("select rater_id from ratings where id = $1", id)
        .fetch_optional(conn)
        .await
}

/// One page of the visible ratings a person received, newest first.
#[tracing::instrument(err, skip(db, page))]
pub async fn list_ratings<'c>(
    db: impl PgExecutor<'c>,
    ratee_id: Uuid,
    page: &PageRequest,
) -> sqlx::Result<Vec<Rating>> {
    sqlx::query_as!(
        Rating,
        r#"select r.id as "id!", r.donation_id as "donation_id!", r.rater_id as "rater_id!",
             r.ratee_id as "ratee_id!", r.score as "score!", r.comment,
             r.created_at as "created_at!", e.donor_id, e.anonymous
           from ratings r join exchanges e on e.donation_id = r.donation_id
           where r.ratee_id = $1 and r.hidden_at is null
             and ($2::timestamptz is null or (r.created_at, r.id) < ($2, $3))
           order by r.created_at desc, r.id desc limit $4"#,
        ratee_id,
        page.after_created_at(),
        page.after_id(),
        page.fetch_limit(),
    )
    .fetch_all(db)
    .await
}

/// Files a report under `id` (from `hearth_core::idempotency::Claim::resource_id`);
/// `None` if the reporter already has an open one on this target.
#[tracing::instrument(err, skip(conn, new), fields(target_id = %new.target_id))]
pub async fn insert_report(
    conn: &mut PgConnection,
    id: Uuid,
    reporter_id: Uuid,
    new: &NewReport,
) -> sqlx::Result<Option<Report>> {
    sqlx::query_as!(
        Report,
        r#"insert into reports (id, reporter_id, target_type, target_id, reason, details)
           values ($1, $2, $3, $4, $5, $6)
           on conflict (reporter_id, target_type, target_id) where status = 'open' do nothing
           returning id, reporter_id, target_type as "target_type: TargetType", target_id,
             reason as "reason: ReportReason", details, status as "status: ReportStatus",
             action as "action: ReportAction", resolution_note, resolved_by, created_at,
             updated_at, version"#,
        id,
        reporter_id,
        new.target_type.as_str(),
        new.target_id,
        new.reason.as_str(),
        new.details,
    )
    .fetch_optional(conn)
    .await
}

#[tracing::instrument(err, skip(db))]
pub async fn find_report<'c>(db: impl PgExecutor<'c>, id: Uuid) -> sqlx::Result<Option<Report>> {
    sqlx::query_as!(
        Report,
        r#"select id, reporter_id, target_type as "target_type: TargetType", target_id,
             reason as "reason: ReportReason", details, status as "status: ReportStatus",
             action as "action: ReportAction", resolution_note, resolved_by, created_at,
             updated_at, version
           from reports where id = $1"#,
        id,
    )
    .fetch_optional(db)
    .await
}

#[tracing::instrument(err, skip(conn))]
pub async fn lock_report(conn: &mut PgConnection, id: Uuid) -> sqlx::Result<Option<Report>> {
    sqlx::query_as!(
        Report,
        r#"select id, reporter_id, target_type as "target_type: TargetType", target_id,
             reason as "reason: ReportReason", details, status as "status: ReportStatus",
             action as "action: ReportAction", resolution_note, resolved_by, created_at,
             updated_at, version
           from reports where id = $1 for update"#,
        id,
    )
    .fetch_optional(conn)
    .await
}

#[tracing::instrument(err, skip(conn, resolution))]
pub async fn resolve_report(
    conn: &mut PgConnection,
    id: Uuid,
    resolution: &ValidResolution,
    staff_id: Uuid,
) -> sqlx::Result<Report> {
    sqlx::query_as!(
        Report,
        r#"update reports set status = $2, action = $3, resolution_note = $4, resolved_by = $5,
             version = version + 1, updated_at = now()
           where id = $1
           returning id, reporter_id, target_type as "target_type: TargetType", target_id,
             reason as "reason: ReportReason", details, status as "status: ReportStatus",
             action as "action: ReportAction", resolution_note, resolved_by, created_at,
             updated_at, version"#,
        id,
        resolution.resolution.as_str(),
        resolution.action.map(ReportAction::as_str),
        resolution.note,
        staff_id,
    )
    .fetch_one(conn)
    .await
}

/// One page of reports, newest first, optionally of one status.
#[tracing::instrument(err, skip(db, page))]
pub async fn list_reports<'c>(
    db: impl PgExecutor<'c>,
    status: Option<ReportStatus>,
    page: &PageRequest,
) -> sqlx::Result<Vec<Report>> {
    // Unprepared, so PostgreSQL plans it with the actual parameters.
    sqlx::query_as!(
        Report,
        r#"select id, reporter_id, target_type as "target_type: TargetType", target_id,
             reason as "reason: ReportReason", details, status as "status: ReportStatus",
             action as "action: ReportAction", resolution_note, resolved_by, created_at,
             updated_at, version
           from reports where ($1::text is null or status = $1)
             and ($2::timestamptz is null or (created_at, id) < ($2, $3))
           order by created_at desc, id desc limit $4"#,
        status.map(ReportStatus::as_str),
        page.after_created_at(),
        page.after_id(),
        page.fetch_limit(),
    )
    .fetch_all(Unprepared(db))
    .await
}
