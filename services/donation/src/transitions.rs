//! Every move of a donation, one function each, with the event it emits.
//! The state machine (`domain::Status::after`) decides what is allowed; these
//! apply a move inside the caller's transaction and write its event to the
//! outbox, so the two commit together.

use hearth_bus::outbox;
use hearth_core::idempotency;
use hearth_events::donation::{
    CancelledBy, DonationCancelled, DonationCompleted, DonationConfirmed, DonationCreated,
    DonationExpired, DonationKind, DonationRefunded, DonationRejected,
};
use hearth_events::{Envelope, EventContext};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use crate::db;
use crate::domain::{Action, Donation, Kind, NewDonation, Status};
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
/// one statement; or, for a `POST` run again under its `Idempotency-Key`, the
/// one its earlier run made.
pub async fn create(
    pool: &PgPool,
    new: &NewDonation,
    context: &EventContext,
) -> sqlx::Result<Donation> {
    let id = idempotency::new_resource_id();
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
    match db::insert_with_event(pool, id, new, outbox::Row::of(&envelope)?).await? {
        Some(created) => Ok(created),
        None => db::find(pool, id).await?.ok_or(sqlx::Error::RowNotFound),
    }
}

/// `Some(new status)` if `action` may move `d`; the caller refuses otherwise.
pub fn allowed(d: &Donation, action: Action) -> Option<Status> {
    d.status.after(d.kind, action)
}

/// The campaign or request accepted: `confirmed`, with its recipient.
pub async fn confirm(
    conn: &mut PgConnection,
    d: &Donation,
    recipient_id: Uuid,
    context: &EventContext,
) -> sqlx::Result<Donation> {
    let d = db::set_status(conn, d.id, Status::Confirmed, Some(recipient_id), None).await?;
    let event = DonationConfirmed {
        donation_id: d.id,
        kind: kind(d.kind),
        donor_id: donor(&d),
        recipient_id,
        campaign_id: d.campaign_id,
        request_id: d.request_id,
        amount_minor: d.amount_minor,
        currency: d.currency.clone(),
        quantity: d.quantity,
        anonymous: d.anonymous,
    };
    outbox::emit(conn, SERVICE.name, event, context).await?;
    Ok(d)
}

/// The campaign or request refused: `rejected`, with its reason.
pub async fn reject(
    conn: &mut PgConnection,
    d: &Donation,
    reason: &str,
    context: &EventContext,
) -> sqlx::Result<Donation> {
    let d = db::set_status(conn, d.id, Status::Rejected, None, Some(reason)).await?;
    outbox::emit(
        conn,
        SERVICE.name,
        DonationRejected {
            donation_id: d.id,
            donor_id: donor(&d),
            reason: reason.to_owned(),
        },
        context,
    )
    .await?;
    Ok(d)
}

/// No answer in time: `expired`.
pub async fn expire(
    conn: &mut PgConnection,
    d: &Donation,
    context: &EventContext,
) -> sqlx::Result<Donation> {
    let d = db::set_status(conn, d.id, Status::Expired, None, Some("no answer in time")).await?;
    let event = DonationExpired {
        donation_id: d.id,
        kind: kind(d.kind),
        donor_id: donor(&d),
        campaign_id: d.campaign_id,
        request_id: d.request_id,
    };
    outbox::emit(conn, SERVICE.name, event, context).await?;
    Ok(d)
}

pub async fn cancel(
    conn: &mut PgConnection,
    d: &Donation,
    by: CancelledBy,
    context: &EventContext,
) -> sqlx::Result<Donation> {
    let d = db::set_status(conn, d.id, Status::Cancelled, None, None).await?;
    let event = DonationCancelled {
        donation_id: d.id,
        kind: kind(d.kind),
        donor_id: donor(&d),
        recipient_id: d.recipient_id,
        campaign_id: d.campaign_id,
        request_id: d.request_id,
        by,
    };
    outbox::emit(conn, SERVICE.name, event, context).await?;
    Ok(d)
}

pub async fn refund(
    conn: &mut PgConnection,
    d: &Donation,
    reason: &str,
    context: &EventContext,
) -> sqlx::Result<Donation> {
    let d = db::set_status(conn, d.id, Status::Refunded, None, Some(reason)).await?;
    let event = DonationRefunded {
        donation_id: d.id,
        donor_id: donor(&d),
        recipient_id: d.recipient_id.unwrap_or_default(),
        campaign_id: d.campaign_id.unwrap_or_default(),
        amount_minor: d.amount_minor.unwrap_or_default(),
        currency: d.currency.clone().unwrap_or_default(),
        reason: reason.to_owned(),
    };
    outbox::emit(conn, SERVICE.name, event, context).await?;
    Ok(d)
}

pub async fn receive(
    conn: &mut PgConnection,
    d: &Donation,
    context: &EventContext,
) -> sqlx::Result<Donation> {
    let d = db::set_status(conn, d.id, Status::Completed, None, None).await?;
    let event = DonationCompleted {
        donation_id: d.id,
        donor_id: donor(&d),
        recipient_id: d.recipient_id.unwrap_or_default(),
        request_id: d.request_id.unwrap_or_default(),
        quantity: d.quantity.unwrap_or_default(),
    };
    outbox::emit(conn, SERVICE.name, event, context).await?;
    Ok(d)
}
