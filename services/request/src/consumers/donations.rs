//! Item donations: accept (reserving quantity) or refuse them, move received
//! ones from pledged to fulfilled, and free the ones undone.

use hearth_bus::consumer::{HandleError, Tx};
use hearth_events::donation::{
    DonationCancelled, DonationCompleted, DonationCreated, DonationExpired, DonationKind,
};
use hearth_events::Envelope;
use uuid::Uuid;

use crate::db::{self, PledgeState};
use crate::domain::{decide, Offer};
use crate::transitions::{self, fulfil_if_complete};

/// Accept or refuse a pledge, in one transaction.
pub async fn created(mut tx: Tx, event: Envelope<DonationCreated>) -> Result<Tx, HandleError> {
    let d = &event.data;
    let Some(items) = d.items()? else {
        return Ok(tx); // Money: campaign-service's business.
    };
    let context = event.caused_context();
    db::lock_donation(&mut tx, d.donation_id).await?;
    if db::is_voided(&mut tx, d.donation_id).await? {
        // Cancelled or expired before it reached us: nothing to reserve or answer.
        return Ok(tx);
    }
    let request = db::lock(&mut tx, items.request_id).await?;
    let offer = Offer {
        donor_id: d.donor_id,
        quantity: items.quantity,
        donor_suspended: hearth_core::moderation::is_suspended(&mut *tx, d.donor_id).await?,
    };
    match decide(request.as_ref(), offer) {
        Ok(()) => transitions::accept_pledge(&mut tx, d, items, &context)
            .await
            .map(drop)?,
        Err(reason) => transitions::refuse_pledge(&mut tx, d, items, reason, &context).await?,
    }
    Ok(tx)
}

/// The requester received the items: pledged → fulfilled, and the request
/// fulfilled once they reach what it needs.
pub async fn completed(mut tx: Tx, event: Envelope<DonationCompleted>) -> Result<Tx, HandleError> {
    let donation_id = event.data.donation_id;
    db::lock_donation(&mut tx, donation_id).await?;
    // A completion follows our acceptance, which committed before it was sent.
    let Some(pledge) = db::find_pledge(&mut tx, donation_id).await? else {
        return Err(HandleError::Poison(format!(
            "donation {donation_id} completed but this service never accepted it"
        )));
    };
    if pledge.state != PledgeState::Pledged {
        return Ok(tx);
    }
    db::lock(&mut tx, pledge.request_id).await?;
    let request = db::settle_pledge(&mut tx, donation_id, &pledge, PledgeState::Fulfilled).await?;
    fulfil_if_complete(&mut tx, &request, &event.caused_context()).await?;
    Ok(tx)
}

pub async fn cancelled(tx: Tx, event: Envelope<DonationCancelled>) -> Result<Tx, HandleError> {
    if event.data.kind != DonationKind::Item {
        return Ok(tx);
    }
    free(tx, event.data.donation_id).await
}

pub async fn expired(tx: Tx, event: Envelope<DonationExpired>) -> Result<Tx, HandleError> {
    if event.data.kind != DonationKind::Item {
        return Ok(tx);
    }
    free(tx, event.data.donation_id).await
}

/// Compensation: a pledge we reserved gives its quantity back; one we have
/// not seen yet is remembered, and refused when it arrives.
async fn free(mut tx: Tx, donation_id: Uuid) -> Result<Tx, HandleError> {
    db::lock_donation(&mut tx, donation_id).await?;
    let Some(pledge) = db::find_pledge(&mut tx, donation_id).await? else {
        db::remember_voided(&mut tx, donation_id).await?;
        return Ok(tx);
    };
    if pledge.state != PledgeState::Pledged {
        return Ok(tx);
    }
    // Lock the request first, as every change to it does.
    db::lock(&mut tx, pledge.request_id).await?;
    db::settle_pledge(&mut tx, donation_id, &pledge, PledgeState::Freed).await?;
    Ok(tx)
}
