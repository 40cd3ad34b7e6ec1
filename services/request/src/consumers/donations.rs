//! Item donations: accept (reserving quantity) or refuse them, move received
//! ones from pledged to fulfilled, and free the ones undone.

use hearth_bus::consumer::{HandleError, Tx};
use hearth_bus::outbox;
use hearth_events::donation::{
    DonationCancelled, DonationCompleted, DonationCreated, DonationExpired, DonationKind,
    ItemsOffered,
};
use hearth_events::request::{RequestDonationAccepted, RequestDonationRejected};
use hearth_events::Envelope;
use uuid::Uuid;

use crate::db::{self, PledgeState};
use crate::domain::{decide, Offer};
use crate::transitions::fulfil_if_complete;
use crate::SERVICE;

/// Accept or refuse a pledge, in one transaction.
pub async fn created(mut tx: Tx, envelope: Envelope) -> Result<Tx, HandleError> {
    let event = envelope.decode::<DonationCreated>()?;
    let d = &event.data;
    let Some(ItemsOffered {
        request_id,
        quantity,
    }) = d.items()?
    else {
        return Ok(tx); // Money: campaign-service's business.
    };
    let context = event.caused_context();
    db::lock_donation(&mut tx, d.donation_id).await?;
    if db::is_voided(&mut tx, d.donation_id).await? {
        // Cancelled or expired before it reached us: nothing to reserve or answer.
        return Ok(tx);
    }
    let request = db::lock(&mut tx, request_id).await?;
    let offer = Offer {
        donor_id: d.donor_id,
        quantity,
        donor_suspended: hearth_core::moderation::is_suspended(&mut *tx, d.donor_id).await?,
    };
    if let Err(reason) = decide(request.as_ref(), offer) {
        let rejected = RequestDonationRejected {
            donation_id: d.donation_id,
            request_id,
            reason,
        };
        outbox::emit(&mut tx, SERVICE.name, rejected, &context).await?;
        return Ok(tx);
    }
    let request =
        db::accept_pledge(&mut tx, request_id, d.donation_id, d.donor_id, quantity).await?;
    let accepted = RequestDonationAccepted {
        donation_id: d.donation_id,
        request_id,
        recipient_id: request.requester_id,
        title: request.title.clone(),
        quantity,
        donor_id: Some(d.donor_id),
        anonymous: Some(d.anonymous),
    };
    outbox::emit(&mut tx, SERVICE.name, accepted, &context).await?;
    Ok(tx)
}

/// The requester received the items: pledged → fulfilled, and the request
/// fulfilled once they reach what it needs.
pub async fn completed(mut tx: Tx, envelope: Envelope) -> Result<Tx, HandleError> {
    let event = envelope.decode::<DonationCompleted>()?;
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

pub async fn cancelled(tx: Tx, envelope: Envelope) -> Result<Tx, HandleError> {
    let event = envelope.decode::<DonationCancelled>()?;
    if event.data.kind != DonationKind::Item {
        return Ok(tx);
    }
    free(tx, event.data.donation_id).await
}

pub async fn expired(tx: Tx, envelope: Envelope) -> Result<Tx, HandleError> {
    let event = envelope.decode::<DonationExpired>()?;
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
