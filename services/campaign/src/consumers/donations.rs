//! Money donations: accept or refuse them, and take back the ones undone.

use chrono::Utc;
use hearth_bus::consumer::{HandleError, Tx};
use hearth_bus::outbox;
use hearth_events::campaign::{
    CampaignDonationAccepted, CampaignDonationRejected, CampaignDonationReversed,
};
use hearth_events::donation::{
    DonationCancelled, DonationCreated, DonationExpired, DonationKind, DonationRefunded,
    MoneyOffered,
};
use hearth_events::{Envelope, EventContext};
use uuid::Uuid;

use crate::db;
use crate::domain::{decide, goal_reached, Offer};
use crate::SERVICE;

/// Step 2: accept (adding to the totals) or refuse, in one transaction.
pub async fn created(mut tx: Tx, envelope: Envelope) -> Result<Tx, HandleError> {
    let event = envelope.decode::<DonationCreated>()?;
    let d = &event.data;
    let Some(MoneyOffered {
        campaign_id,
        amount_minor: amount,
        currency,
    }) = d.money()?
    else {
        return Ok(tx); // An item donation: request-service's business.
    };
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
        currency,
        donor_suspended: target.as_ref().is_some_and(|t| t.donor_suspended),
    };
    if let Err(reason) = decide(before, &offer, Utc::now()) {
        let rejected = CampaignDonationRejected {
            donation_id: d.donation_id,
            campaign_id,
            reason,
        };
        outbox::emit(&mut tx, SERVICE.name, rejected, &context).await?;
        return Ok(tx);
    }
    let campaign =
        db::accept_donation(&mut tx, campaign_id, d.donation_id, d.donor_id, amount).await?;
    let accepted = CampaignDonationAccepted {
        donation_id: d.donation_id,
        campaign_id,
        recipient_id: campaign.recipient_id,
        title: campaign.title.clone(),
        amount_minor: amount,
        currency: campaign.currency.clone(),
        raised_minor: campaign.raised_minor,
        donor_id: Some(d.donor_id),
        anonymous: Some(d.anonymous),
    };
    outbox::emit(&mut tx, SERVICE.name, accepted, &context).await?;
    // The campaign stayed locked since `before` was read: this donation is
    // the one that reached the goal exactly when the mark appeared now.
    if let Some(goal) = before.and_then(|before| goal_reached(before, &campaign)) {
        outbox::emit(&mut tx, SERVICE.name, goal, &context).await?;
    }
    Ok(tx)
}

pub async fn refunded(tx: Tx, envelope: Envelope) -> Result<Tx, HandleError> {
    let event = envelope.decode::<DonationRefunded>()?;
    take_back(tx, event.data.donation_id, &event.caused_context()).await
}

pub async fn cancelled(tx: Tx, envelope: Envelope) -> Result<Tx, HandleError> {
    let event = envelope.decode::<DonationCancelled>()?;
    if event.data.kind != DonationKind::Money {
        return Ok(tx);
    }
    take_back(tx, event.data.donation_id, &event.caused_context()).await
}

pub async fn expired(tx: Tx, envelope: Envelope) -> Result<Tx, HandleError> {
    let event = envelope.decode::<DonationExpired>()?;
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
    let campaign = db::reverse_donation(&mut tx, donation_id, &accepted).await?;
    let reversed = CampaignDonationReversed {
        donation_id,
        campaign_id: accepted.campaign_id,
        amount_minor: accepted.amount_minor,
        currency: campaign.currency.clone(),
        raised_minor: campaign.raised_minor,
    };
    outbox::emit(&mut tx, SERVICE.name, reversed, context).await?;
    Ok(tx)
}
