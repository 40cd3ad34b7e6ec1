//! Every change profile-service makes that emits an event, one function
//! each, applied inside the caller's unit of work so that the change and its
//! event commit together: with `consumers/mod.rs`, the whole of what
//! profile-service says to the others.

use chrono::{DateTime, Utc};
use hearth_bus::moderation::{record, Decision};
use hearth_bus::unit_of_work::UnitOfWork;
use hearth_core::moderation::Decided;
use hearth_events::profile::{
    ProfileCreated, ProfileReinstated, ProfileSuspended, ProfileUpdated, RatingCreated,
    ReportCreated, ReportResolved,
};
use hearth_events::{Envelope, Event, EventContext};
use uuid::Uuid;

use crate::db;
use crate::domain::{
    NewRating, NewReport, ProfileStatus, Rating, Report, ValidProfile, ValidResolution,
};
use crate::standing::{decision_time, lock_standing, Standing};
use crate::SERVICE;

/// Creates `user_id`'s profile and emits `profile.created`; `false` if it
/// exists already (another request created it first).
#[tracing::instrument(err, skip_all)]
pub async fn create_profile(
    work: &mut UnitOfWork,
    user_id: Uuid,
    profile: &ValidProfile,
    context: &EventContext,
) -> sqlx::Result<bool> {
    let created = db::insert_profile(work, user_id, profile).await?;
    if created {
        let event = ProfileCreated {
            profile_id: user_id,
            display_name: profile.display_name.clone(),
        };
        work.emit(SERVICE.name, event, context).await?;
    }
    Ok(created)
}

/// Replaces `user_id`'s profile and emits `profile.updated`.
#[tracing::instrument(err, skip_all)]
pub async fn replace_profile(
    work: &mut UnitOfWork,
    user_id: Uuid,
    profile: &ValidProfile,
    context: &EventContext,
) -> sqlx::Result<()> {
    db::replace_profile(work, user_id, profile).await?;
    let event = ProfileUpdated {
        profile_id: user_id,
        display_name: profile.display_name.clone(),
    };
    work.emit(SERVICE.name, event, context).await
}

/// Stores a rating under `id` and emits `rating.created`; `None` if the
/// rater already rated this donation.
#[tracing::instrument(err, skip_all)]
pub async fn rate(
    work: &mut UnitOfWork,
    id: Uuid,
    new: &NewRating,
    rater_id: Uuid,
    ratee_id: Uuid,
    context: &EventContext,
) -> sqlx::Result<Option<Rating>> {
    let Some(rating) = db::insert_rating(work, id, new, rater_id, ratee_id).await? else {
        return Ok(None);
    };
    let event = RatingCreated {
        rating_id: rating.id,
        donation_id: rating.donation_id,
        rater_id: rating.rater_id,
        ratee_id: rating.ratee_id,
        score: rating.score,
        anonymous: Some(rating.anonymous),
    };
    work.emit(SERVICE.name, event, context).await?;
    Ok(Some(rating))
}

/// Files a report under `id` and emits `report.created`; `None` if the
/// reporter already has an open report on the target.
#[tracing::instrument(err, skip_all)]
pub async fn file_report(
    work: &mut UnitOfWork,
    id: Uuid,
    reporter_id: Uuid,
    new: &NewReport,
    context: &EventContext,
) -> sqlx::Result<Option<Report>> {
    let Some(report) = db::insert_report(work, id, reporter_id, new).await? else {
        return Ok(None);
    };
    let event = ReportCreated {
        report_id: report.id,
        reporter_id: report.reporter_id,
        target_type: report.target_type.to_string(),
        target_id: report.target_id,
        reason: report.reason.to_string(),
    };
    work.emit(SERVICE.name, event, context).await?;
    Ok(Some(report))
}

/// Resolves report `id` as staff `staff_id` decided and emits
/// `report.resolved`, which hides a campaign or request in its service.
#[tracing::instrument(err, skip_all)]
pub async fn resolve_report(
    work: &mut UnitOfWork,
    id: Uuid,
    resolution: &ValidResolution,
    staff_id: Uuid,
    context: &EventContext,
) -> sqlx::Result<Report> {
    let resolved = db::resolve_report(work, id, resolution, staff_id).await?;
    let event = ReportResolved {
        report_id: resolved.id,
        reporter_id: resolved.reporter_id,
        target_type: resolved.target_type.to_string(),
        target_id: resolved.target_id,
        resolution: resolution.resolution.to_string(),
        action: resolution.action.map(|a| a.to_string()),
    };
    work.emit(SERVICE.name, event, context).await?;
    Ok(resolved)
}

/// Suspends `user_id` and emits `profile.suspended`; `None` if they
/// already are. The request answers with the [`Decided`] (hearth_core::moderation).
#[tracing::instrument(err, skip_all)]
pub async fn suspend(
    work: &mut UnitOfWork,
    user_id: Uuid,
    reason: Option<String>,
    context: &EventContext,
) -> sqlx::Result<Option<(Standing, Decided)>> {
    let last = lock_standing(work, user_id).await?;
    if last.suspended {
        return Ok(None);
    }
    let event = ProfileSuspended {
        profile_id: user_id,
        reason: reason.clone(),
    };
    let envelope = Envelope::new(SERVICE.name, event, context);
    decide(work, envelope, user_id, true, reason, last.decided_at)
        .await
        .map(Some)
}

/// Lifts a suspension and emits `profile.reinstated`; `None` if there is none.
#[tracing::instrument(err, skip_all)]
pub async fn reinstate(
    work: &mut UnitOfWork,
    user_id: Uuid,
    reason: Option<String>,
    context: &EventContext,
) -> sqlx::Result<Option<(Standing, Decided)>> {
    let last = lock_standing(work, user_id).await?;
    if !last.suspended {
        return Ok(None);
    }
    let event = ProfileReinstated {
        profile_id: user_id,
        reason: reason.clone(),
    };
    let envelope = Envelope::new(SERVICE.name, event, context);
    decide(work, envelope, user_id, false, reason, last.decided_at)
        .await
        .map(Some)
}

/// Records the decision under the id and time of the event that announces
/// it, so every service orders it exactly as this one does, and sends it.
async fn decide<T: Event>(
    work: &mut UnitOfWork,
    mut envelope: Envelope<T>,
    user_id: Uuid,
    suspended: bool,
    reason: Option<String>,
    last_decided_at: Option<DateTime<Utc>>,
) -> sqlx::Result<(Standing, Decided)> {
    envelope.time = decision_time(last_decided_at, envelope.time);
    let decision = Decision {
        event_id: envelope.id,
        at: envelope.time,
    };
    let decided = record(work, user_id, suspended, reason.as_deref(), decision).await?;
    db::touch_profile(work, user_id).await?;
    work.enqueue(&envelope).await?;
    let standing = Standing {
        user_id,
        status: if suspended {
            ProfileStatus::Suspended
        } else {
            ProfileStatus::Active
        },
        reason,
        decided_at: envelope.time,
    };
    Ok((standing, decided))
}
