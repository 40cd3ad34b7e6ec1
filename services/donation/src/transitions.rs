//! Every move of a donation, one function each, with the event it emits:
//! with `consumers/mod.rs`, the whole of what donation-service says to the
//! others. The state machine (`domain::Status::after`) decides what is
//! allowed; these apply a move inside the caller's unit of work and write its
//! event to the outbox in the same statement, so the two commit together.

use hearth_bus::outbox;
use hearth_bus::unit_of_work::UnitOfWork;
use hearth_bus::wake::Waker;
use hearth_events::donation::{
    CancelledBy, DonationCancelled, DonationCompleted, DonationConfirmed, DonationCreated,
    DonationExpired, DonationKind, DonationRefunded, DonationRejected,
};
use hearth_events::{Envelope, Event, EventContext};
use sqlx::PgPool;
use uuid::Uuid;

use crate::db;
use crate::domain::{Action, Donation, Kind, Move, NewDonation, Status};
use crate::SERVICE;

fn kind(kind: Kind) -> DonationKind {
    match kind {
        Kind::Money => DonationKind::Money,
        Kind::Item => DonationKind::Item,
    }
}

fn donor(d: &Donation) -> Uuid {
    d.donor_id.unwrap_or_default()
}

/// A new pending donation and its `donation.created`, committed together by
/// one statement (no transaction to wrap it), under `id` (the request's
/// `hearth_core::idempotency::Claim`); then wakes the relay through `waker`.
pub async fn create(
    pool: &PgPool,
    waker: &Waker,
    id: Uuid,
    new: &NewDonation,
    context: &EventContext,
) -> sqlx::Result<Donation> {
    let event = DonationCreated {
        donation_id: id,
        kind: kind(new.kind),
        donor_id: new.donor_id,
        campaign_id: new.campaign_id,
        request_id: new.request_id,
        amount_minor: new.amount_minor,
        currency: new.currency.map(str::to_owned),
        quantity: new.quantity,
        anonymous: new.anonymous,
    };
    let envelope = Envelope::new(SERVICE.name, event, context);
    let donation = db::insert_with_event(pool, id, new, outbox::Row::of(&envelope)?).await?;
    waker.wake();
    Ok(donation)
}

/// `Some(new status)` if `action` may move `d`; the caller refuses otherwise.
pub fn allowed(d: &Donation, action: Action) -> Option<Status> {
    d.status.after(d.kind, action)
}

/// The campaign or request accepted: `confirmed`, with its recipient.
pub async fn confirm(
    work: &mut UnitOfWork,
    d: &Donation,
    recipient_id: Uuid,
    context: &EventContext,
) -> sqlx::Result<Donation> {
    let event = DonationConfirmed {
        donation_id: d.id,
        kind: kind(d.kind),
        donor_id: donor(d),
        recipient_id,
        campaign_id: d.campaign_id,
        request_id: d.request_id,
        amount_minor: d.amount_minor,
        currency: d.currency.clone(),
        quantity: d.quantity,
        anonymous: d.anonymous,
    };
    let to = Move::to(Status::Confirmed).recipient(recipient_id);
    apply(work, d, to, event, context).await
}

/// The campaign or request refused: `rejected`, with its reason.
pub async fn reject(
    work: &mut UnitOfWork,
    d: &Donation,
    reason: &str,
    context: &EventContext,
) -> sqlx::Result<Donation> {
    let event = DonationRejected {
        donation_id: d.id,
        donor_id: donor(d),
        reason: reason.to_owned(),
    };
    apply(
        work,
        d,
        Move::to(Status::Rejected).reason(reason),
        event,
        context,
    )
    .await
}

/// No answer in time: `expired`.
pub async fn expire(
    work: &mut UnitOfWork,
    d: &Donation,
    context: &EventContext,
) -> sqlx::Result<Donation> {
    let event = DonationExpired {
        donation_id: d.id,
        kind: kind(d.kind),
        donor_id: donor(d),
        campaign_id: d.campaign_id,
        request_id: d.request_id,
    };
    let to = Move::to(Status::Expired).reason("no answer in time");
    apply(work, d, to, event, context).await
}

pub async fn cancel(
    work: &mut UnitOfWork,
    d: &Donation,
    by: CancelledBy,
    context: &EventContext,
) -> sqlx::Result<Donation> {
    let event = DonationCancelled {
        donation_id: d.id,
        kind: kind(d.kind),
        donor_id: donor(d),
        recipient_id: d.recipient_id,
        campaign_id: d.campaign_id,
        request_id: d.request_id,
        by,
    };
    apply(work, d, Move::to(Status::Cancelled), event, context).await
}

pub async fn refund(
    work: &mut UnitOfWork,
    d: &Donation,
    reason: &str,
    context: &EventContext,
) -> sqlx::Result<Donation> {
    let event = DonationRefunded {
        donation_id: d.id,
        donor_id: donor(d),
        recipient_id: d.recipient_id.unwrap_or_default(),
        campaign_id: d.campaign_id.unwrap_or_default(),
        amount_minor: d.amount_minor.unwrap_or_default(),
        currency: d.currency.clone().unwrap_or_default(),
        reason: reason.to_owned(),
    };
    apply(
        work,
        d,
        Move::to(Status::Refunded).reason(reason),
        event,
        context,
    )
    .await
}

pub async fn receive(
    work: &mut UnitOfWork,
    d: &Donation,
    context: &EventContext,
) -> sqlx::Result<Donation> {
    let event = DonationCompleted {
        donation_id: d.id,
        donor_id: donor(d),
        recipient_id: d.recipient_id.unwrap_or_default(),
        request_id: d.request_id.unwrap_or_default(),
        quantity: d.quantity.unwrap_or_default(),
        anonymous: Some(d.anonymous),
    };
    apply(work, d, Move::to(Status::Completed), event, context).await
}

/// Makes the move and writes its event in one statement (one round trip).
/// Every event field comes from the donation as it was: a move changes only
/// its status, recipient and reason, which the event takes from the move.
async fn apply<E: Event>(
    work: &mut UnitOfWork,
    d: &Donation,
    to: Move<'_>,
    event: E,
    context: &EventContext,
) -> sqlx::Result<Donation> {
    let envelope = Envelope::new(SERVICE.name, event, context);
    let row = work.outbox_row(&envelope)?;
    db::move_with_event(work, d.id, to, row).await
}
