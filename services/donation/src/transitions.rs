//! Every move of a donation, one function each, with the event it emits:
//! with `consumers/mod.rs`, the whole of what donation-service says to the
//! others. The state machine (`Donation::after`, `refund`, `receipt`) decides
//! what is allowed and gives the move; these apply it inside the caller's
//! unit of work and write its event to the outbox in the same statement, so
//! the two commit together.

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
use crate::domain::{Donation, Items, Kind, Money, Move, NewDonation, Settlement};
use crate::SERVICE;

fn kind(kind: Kind) -> DonationKind {
    match kind {
        Kind::Money => DonationKind::Money,
        Kind::Item => DonationKind::Item,
    }
}

/// A new pending donation and its `donation.created`, committed together by
/// one statement (no transaction to wrap it), under `id` (the request's
/// `hearth_core::idempotency::Claim`); then wakes the relay through `waker`.
#[tracing::instrument(err, skip(pool, waker, new, context))]
pub async fn create(
    pool: &PgPool,
    waker: &Waker,
    id: Uuid,
    new: &NewDonation,
    context: &EventContext,
) -> sqlx::Result<Donation> {
    let gift = new.gift.flat();
    let event = DonationCreated {
        donation_id: id,
        kind: kind(new.gift.kind()),
        donor_id: new.donor_id,
        campaign_id: gift.campaign_id,
        request_id: gift.request_id,
        amount_minor: gift.amount_minor,
        currency: gift.currency,
        quantity: gift.quantity,
        anonymous: new.anonymous,
    };
    let envelope = Envelope::new(SERVICE.name, event, context);
    let donation = db::insert_with_event(pool, id, new, outbox::Row::of(&envelope)?).await?;
    waker.wake();
    Ok(donation)
}

/// The campaign or request accepted: `confirmed`, with its recipient.
#[tracing::instrument(err, skip(work, d, to, context), fields(donation_id = %d.id))]
pub async fn confirm(
    work: &mut UnitOfWork,
    d: &Donation,
    to: Move<'_>,
    recipient_id: Uuid,
    context: &EventContext,
) -> sqlx::Result<Donation> {
    let gift = d.gift.flat();
    let event = DonationConfirmed {
        donation_id: d.id,
        kind: kind(d.kind()),
        donor_id: d.donor_id,
        recipient_id,
        campaign_id: gift.campaign_id,
        request_id: gift.request_id,
        amount_minor: gift.amount_minor,
        currency: gift.currency,
        quantity: gift.quantity,
        anonymous: d.anonymous,
    };
    apply(work, d, to.recipient(recipient_id), event, context).await
}

/// The campaign or request refused: `rejected`, with its reason.
#[tracing::instrument(err, skip(work, d, to, context), fields(donation_id = %d.id))]
pub async fn reject(
    work: &mut UnitOfWork,
    d: &Donation,
    to: Move<'_>,
    reason: &str,
    context: &EventContext,
) -> sqlx::Result<Donation> {
    let event = DonationRejected {
        donation_id: d.id,
        donor_id: d.donor_id,
        reason: reason.to_owned(),
    };
    apply(work, d, to.reason(reason), event, context).await
}

/// No answer in time: `expired`.
#[tracing::instrument(err, skip(work, d, to, context), fields(donation_id = %d.id))]
pub async fn expire(
    work: &mut UnitOfWork,
    d: &Donation,
    to: Move<'_>,
    context: &EventContext,
) -> sqlx::Result<Donation> {
    let gift = d.gift.flat();
    let event = DonationExpired {
        donation_id: d.id,
        kind: kind(d.kind()),
        donor_id: d.donor_id,
        campaign_id: gift.campaign_id,
        request_id: gift.request_id,
    };
    apply(work, d, to.reason("no answer in time"), event, context).await
}

#[tracing::instrument(err, skip(work, d, to, context), fields(donation_id = %d.id))]
pub async fn cancel(
    work: &mut UnitOfWork,
    d: &Donation,
    to: Move<'_>,
    by: CancelledBy,
    context: &EventContext,
) -> sqlx::Result<Donation> {
    let gift = d.gift.flat();
    let event = DonationCancelled {
        donation_id: d.id,
        kind: kind(d.kind()),
        donor_id: d.donor_id,
        recipient_id: d.recipient_id,
        campaign_id: gift.campaign_id,
        request_id: gift.request_id,
        by,
    };
    apply(work, d, to, event, context).await
}

/// A confirmed gift of money given back: `refunded`, with its reason.
#[tracing::instrument(err, skip(work, d, refund, context), fields(donation_id = %d.id))]
pub async fn refund(
    work: &mut UnitOfWork,
    d: &Donation,
    refund: Settlement<'_, Money>,
    reason: &str,
    context: &EventContext,
) -> sqlx::Result<Donation> {
    let money = refund.gift;
    let event = DonationRefunded {
        donation_id: d.id,
        donor_id: d.donor_id,
        recipient_id: refund.recipient_id,
        campaign_id: money.campaign_id,
        amount_minor: money.amount_minor,
        currency: money.currency.code().to_owned(),
        reason: reason.to_owned(),
    };
    apply(work, d, refund.to.reason(reason), event, context).await
}

/// Confirmed items handed over: `completed`.
#[tracing::instrument(err, skip(work, d, receipt, context), fields(donation_id = %d.id))]
pub async fn receive(
    work: &mut UnitOfWork,
    d: &Donation,
    receipt: Settlement<'_, Items>,
    context: &EventContext,
) -> sqlx::Result<Donation> {
    let event = DonationCompleted {
        donation_id: d.id,
        donor_id: d.donor_id,
        recipient_id: receipt.recipient_id,
        request_id: receipt.gift.request_id,
        quantity: receipt.gift.quantity,
        anonymous: Some(d.anonymous),
    };
    apply(work, d, receipt.to, event, context).await
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
