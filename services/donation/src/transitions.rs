//! Every move of a donation, one function each, with the event it emits.
//! The state machine (`Donation::after`, `refund`, `receipt`) decides what is
//! allowed and gives the move; these apply it inside the caller's
//! transaction and write its event to the outbox in the same statement, so
//! the two commit together.

use hearth_bus::outbox;
use hearth_core::idempotency;
use hearth_events::donation::{
    CancelledBy, DonationCancelled, DonationCompleted, DonationConfirmed, DonationCreated,
    DonationExpired, DonationKind, DonationRefunded, DonationRejected,
};
use hearth_events::{Envelope, Event, EventContext};
use sqlx::{PgConnection, PgPool};
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
/// one statement, under the id `hearth_core::idempotency` gives.
#[tracing::instrument(err, skip(pool, new, context))]
pub async fn create(
    pool: &PgPool,
    new: &NewDonation,
    context: &EventContext,
) -> sqlx::Result<Donation> {
    let id = idempotency::new_resource_id();
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
    db::insert_with_event(pool, id, new, outbox::Row::of(&envelope)?).await
}

/// The campaign or request accepted: `confirmed`, with its recipient.
#[tracing::instrument(err, skip(conn, d, to, context), fields(donation_id = %d.id))]
pub async fn confirm(
    conn: &mut PgConnection,
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
    apply(conn, d, to.recipient(recipient_id), event, context).await
}

/// The campaign or request refused: `rejected`, with its reason.
#[tracing::instrument(err, skip(conn, d, to, context), fields(donation_id = %d.id))]
pub async fn reject(
    conn: &mut PgConnection,
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
    apply(conn, d, to.reason(reason), event, context).await
}

/// No answer in time: `expired`.
#[tracing::instrument(err, skip(conn, d, to, context), fields(donation_id = %d.id))]
pub async fn expire(
    conn: &mut PgConnection,
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
    apply(conn, d, to.reason("no answer in time"), event, context).await
}

#[tracing::instrument(err, skip(conn, d, to, context), fields(donation_id = %d.id))]
pub async fn cancel(
    conn: &mut PgConnection,
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
    apply(conn, d, to, event, context).await
}

/// A confirmed gift of money given back: `refunded`, with its reason.
#[tracing::instrument(err, skip(conn, d, refund, context), fields(donation_id = %d.id))]
pub async fn refund(
    conn: &mut PgConnection,
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
    apply(conn, d, refund.to.reason(reason), event, context).await
}

/// Confirmed items handed over: `completed`.
#[tracing::instrument(err, skip(conn, d, receipt, context), fields(donation_id = %d.id))]
pub async fn receive(
    conn: &mut PgConnection,
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
    apply(conn, d, receipt.to, event, context).await
}

/// Makes the move and writes its event in one statement (one round trip).
/// Every event field comes from the donation as it was: a move changes only
/// its status, recipient and reason, which the event takes from the move.
async fn apply<E: Event>(
    conn: &mut PgConnection,
    d: &Donation,
    to: Move<'_>,
    event: E,
    context: &EventContext,
) -> sqlx::Result<Donation> {
    let envelope = Envelope::new(SERVICE.name, event, context);
    db::move_with_event(conn, d.id, to, outbox::Row::of(&envelope)?).await
}
