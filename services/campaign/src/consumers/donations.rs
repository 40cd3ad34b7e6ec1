//! Money donations: accept or refuse them, and take back the ones undone.

use chrono::Utc;
use hearth_bus::consumer::{HandleError, Tx};
use hearth_events::donation::{
    DonationCancelled, DonationCreated, DonationExpired, DonationKind, DonationRefunded,
};
use hearth_events::{Envelope, EventContext};
use uuid::Uuid;

use crate::db;
use crate::domain::{decide, Offer};
use crate::transitions;

/// Step 2: accept (adding to the totals) or refuse, in one transaction.
pub async fn created(mut tx: Tx, event: Envelope<DonationCreated>) -> Result<Tx, HandleError> {
    let d = &event.data;
    let Some(money) = d.money()? else {
        return Ok(tx); // An item donation: request-service's business.
    };
    let campaign_id = money.campaign_id;
    let context = event.caused_context();
    db::lock_donation(&mut tx, d.donation_id).await?;
    let target = db::lock_for_donation(&mut tx, campaign_id, d.donation_id, d.donor_id).await?;
    let voided = match &target {
        Some(target) => target.donation_voided,
        None => db::is_voided(&mut tx, d.donation_id).await?,
    };
    if voided {
        // Cancelled or expired before it reached us: nothing to accept or answer.
        return Ok(tx);
    }
    let before = target.as_ref().map(|t| &t.campaign);
    let offer = Offer {
        donor_id: d.donor_id,
        currency: money.currency,
        donor_suspended: target.as_ref().is_some_and(|t| t.donor_suspended),
    };
    match decide(before, &offer, Utc::now()) {
        Ok(()) => transitions::accept_donation(&mut tx, before, d, &money, &context)
            .await
            .map(drop)?,
        Err(reason) => transitions::refuse_donation(&mut tx, d, &money, reason, &context).await?,
    }
    Ok(tx)
}

pub async fn refunded(tx: Tx, event: Envelope<DonationRefunded>) -> Result<Tx, HandleError> {
    take_back(tx, event.data.donation_id, &event.caused_context()).await
}

pub async fn cancelled(tx: Tx, event: Envelope<DonationCancelled>) -> Result<Tx, HandleError> {
    if event.data.kind != DonationKind::Money {
        return Ok(tx);
    }
    take_back(tx, event.data.donation_id, &event.caused_context()).await
}

pub async fn expired(tx: Tx, event: Envelope<DonationExpired>) -> Result<Tx, HandleError> {
    if event.data.kind != DonationKind::Money {
        return Ok(tx);
    }
    take_back(tx, event.data.donation_id, &event.caused_context()).await
}

/// Step 4, compensation: a donation we accepted comes back out of the totals;
/// one we have not seen yet is remembered, and refused when it arrives.
async fn take_back(
    mut tx: Tx,
    donation_id: Uuid,
    context: &EventContext,
) -> Result<Tx, HandleError> {
    db::lock_donation(&mut tx, donation_id).await?;
    let Some(accepted) = db::find_accepted(&mut tx, donation_id).await? else {
        db::remember_voided(&mut tx, donation_id).await?;
        return Ok(tx);
    };
    if accepted.reversed {
        return Ok(tx);
    }
    // Lock the campaign first, as every change to it does, then the donation's row.
    db::lock(&mut tx, accepted.campaign_id).await?;
    transitions::reverse_donation(&mut tx, donation_id, &accepted, context).await?;
    Ok(tx)
}
