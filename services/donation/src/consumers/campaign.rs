//! campaign-service's answers to money donations (docs/events.md, "The money saga", step 3).

use hearth_bus::consumer::{HandleError, Tx};
use hearth_events::campaign::{CampaignDonationAccepted, CampaignDonationRejected};
use hearth_events::Envelope;

pub async fn accepted(tx: Tx, envelope: Envelope) -> Result<Tx, HandleError> {
    let event = envelope.decode::<CampaignDonationAccepted>()?;
    let context = event.caused_context();
    super::confirm(
        tx,
        event.data.donation_id,
        event.data.recipient_id,
        &context,
    )
    .await
}

pub async fn rejected(tx: Tx, envelope: Envelope) -> Result<Tx, HandleError> {
    let event = envelope.decode::<CampaignDonationRejected>()?;
    let context = event.caused_context();
    super::reject(
        tx,
        event.data.donation_id,
        event.data.reason.code(),
        &context,
    )
    .await
}
