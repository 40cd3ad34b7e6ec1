//! The events donation-service reacts to: the campaigns' and the requests'
//! answers to its donations (docs/events.md, both sagas' step 3). The two answer
//! the same way, so the moves are here and each file only reads its events.

mod campaign;
mod request;

use hearth_bus::consumer::{Consumer, HandleError, Tx};
use hearth_bus::moderation::follow_suspensions;
use hearth_bus::service::ServiceRuntime;
use hearth_events::campaign::{CampaignDonationAccepted, CampaignDonationRejected};
use hearth_events::request::{RequestDonationAccepted, RequestDonationRejected};
use hearth_events::EventContext;
use uuid::Uuid;

use crate::domain::Action;
use crate::{db, transitions};

pub fn consumer(runtime: &ServiceRuntime) -> Consumer {
    follow_suspensions(runtime.consumer())
        .on::<CampaignDonationAccepted>(campaign::accepted)
        .on::<CampaignDonationRejected>(campaign::rejected)
        .on::<RequestDonationAccepted>(request::accepted)
        .on::<RequestDonationRejected>(request::rejected)
}

/// `confirmed` with its recipient, unless the donation already expired or was
/// cancelled: then nothing changes here — the compensation is already on its
/// way to the campaign or request.
async fn confirm(
    mut tx: Tx,
    donation_id: Uuid,
    recipient_id: Uuid,
    context: &EventContext,
) -> Result<Tx, HandleError> {
    let Some(donation) = db::lock(&mut tx, donation_id).await? else {
        return Err(HandleError::Poison(format!("no donation {donation_id}")));
    };
    if let Some(to) = donation.after(Action::Confirm) {
        transitions::confirm(&mut tx, &donation, to, recipient_id, context).await?;
    } else {
        tracing::info!(status = %donation.status, "an acceptance came for a donation no longer pending; ignored");
    }
    Ok(tx)
}

/// `rejected` with the campaign's or request's reason, unless it is no longer pending.
async fn reject(
    mut tx: Tx,
    donation_id: Uuid,
    reason: &str,
    context: &EventContext,
) -> Result<Tx, HandleError> {
    let Some(donation) = db::lock(&mut tx, donation_id).await? else {
        return Err(HandleError::Poison(format!("no donation {donation_id}")));
    };
    if let Some(to) = donation.after(Action::Reject) {
        transitions::reject(&mut tx, &donation, to, reason, context).await?;
    }
    Ok(tx)
}
