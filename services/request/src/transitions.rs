//! Every change of a request that emits an event, one function each, applied
//! inside the caller's unit of work so that the change and its event commit
//! together: with `consumers/mod.rs`, the whole of what request-service says
//! to the others. The state machine (`domain::Status::change_to`) decides
//! what callers may do; the saga and the sweeper make their own moves from
//! `open`.

use hearth_bus::unit_of_work::UnitOfWork;
use hearth_events::donation::{DonationCreated, ItemsOffered};
use hearth_events::request::{
    RequestChanges, RequestCreated, RequestDonationAccepted, RequestDonationRejected,
    RequestFulfilled, RequestRejection, RequestStatusChanged, RequestUpdated,
};
use hearth_events::EventContext;
use uuid::Uuid;

use crate::db;
use crate::domain::{NewRequest, Request, Status, StatusChange};
use crate::SERVICE;

/// A new open request under `id`, and its `request.created`.
#[tracing::instrument(err, skip_all)]
pub async fn create(
    work: &mut UnitOfWork,
    id: Uuid,
    new: &NewRequest,
    context: &EventContext,
) -> sqlx::Result<Request> {
    let request = db::insert(work, id, new).await?;
    let event = RequestCreated {
        request_id: request.id,
        requester_id: request.requester_id,
        title: request.title.clone(),
        category: request.category.clone(),
        quantity_needed: request.quantity_needed,
        image_url: request.image_url.as_ref().map(|u| u.to_string()),
    };
    work.emit(SERVICE.name, event, context).await?;
    Ok(request)
}

/// Applies the owner's `changes` and emits `request.updated`.
#[tracing::instrument(err, skip_all)]
pub async fn update(
    work: &mut UnitOfWork,
    id: Uuid,
    changes: RequestChanges,
    context: &EventContext,
) -> sqlx::Result<Request> {
    let updated = db::apply_changes(work, id, &changes).await?;
    let event = RequestUpdated {
        request_id: id,
        changes,
    };
    work.emit(SERVICE.name, event, context).await?;
    Ok(updated)
}

/// The item saga's step 2, yes: reserves the `items` `donation` offers and
/// emits `request.donation_accepted`.
#[tracing::instrument(err, skip_all)]
pub async fn accept_pledge(
    work: &mut UnitOfWork,
    donation: &DonationCreated,
    items: ItemsOffered,
    context: &EventContext,
) -> sqlx::Result<Request> {
    let request = db::accept_pledge(
        work,
        items.request_id,
        donation.donation_id,
        donation.donor_id,
        items.quantity,
    )
    .await?;
    let event = RequestDonationAccepted {
        donation_id: donation.donation_id,
        request_id: items.request_id,
        recipient_id: request.requester_id,
        title: request.title.clone(),
        quantity: items.quantity,
        donor_id: Some(donation.donor_id),
        anonymous: Some(donation.anonymous),
    };
    work.emit(SERVICE.name, event, context).await?;
    Ok(request)
}

/// The item saga's step 2, no: emits `request.donation_rejected` with why.
#[tracing::instrument(err, skip_all)]
pub async fn refuse_pledge(
    work: &mut UnitOfWork,
    donation: &DonationCreated,
    items: ItemsOffered,
    reason: RequestRejection,
    context: &EventContext,
) -> sqlx::Result<()> {
    let event = RequestDonationRejected {
        donation_id: donation.donation_id,
        request_id: items.request_id,
        reason,
    };
    work.emit(SERVICE.name, event, context).await
}

/// Applies `change` and emits `request.status_changed`.
#[tracing::instrument(err, skip(work, request, context), fields(request_id = %request.id))]
pub async fn change_status(
    work: &mut UnitOfWork,
    request: &Request,
    change: StatusChange,
    reason: Option<String>,
    context: &EventContext,
) -> sqlx::Result<Request> {
    let updated = db::apply_status(work, request.id, &change).await?;
    let event = RequestStatusChanged {
        request_id: updated.id,
        requester_id: updated.requester_id,
        from: change.from.to_string(),
        to: change.to.to_string(),
        title: Some(updated.title.clone()),
        reason,
    };
    work.emit(SERVICE.name, event, context).await?;
    Ok(updated)
}

/// Fulfils an open request whose received items reached `quantity_needed`:
/// `request.fulfilled`, once, and its `request.status_changed`. `None` if it
/// is not open or not yet complete.
#[tracing::instrument(err, skip(work, request, context), fields(request_id = %request.id))]
pub async fn fulfil_if_complete(
    work: &mut UnitOfWork,
    request: &Request,
    context: &EventContext,
) -> sqlx::Result<Option<Request>> {
    if request.quantity_fulfilled < request.quantity_needed {
        return Ok(None);
    }
    let Some(change) = request.status.move_from_open(Status::Fulfilled) else {
        return Ok(None);
    };
    let fulfilled = change_status(work, request, change, None, context).await?;
    let event = RequestFulfilled {
        request_id: fulfilled.id,
        requester_id: fulfilled.requester_id,
        title: fulfilled.title.clone(),
    };
    work.emit(SERVICE.name, event, context).await?;
    Ok(Some(fulfilled))
}

/// `needed_by` passed while the request was open.
#[tracing::instrument(err, skip(work, request, context), fields(request_id = %request.id))]
pub async fn expire(
    work: &mut UnitOfWork,
    request: &Request,
    context: &EventContext,
) -> sqlx::Result<Option<Request>> {
    let Some(change) = request.status.move_from_open(Status::Expired) else {
        return Ok(None);
    };
    let reason = Some("needed_by has passed".to_owned());
    change_status(work, request, change, reason, context)
        .await
        .map(Some)
}
