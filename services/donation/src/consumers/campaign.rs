//! campaign-service's answers to money donations (docs/events.md, "The money saga", step 3).

use hearth_bus::consumer::{HandleError, Tx};
use hearth_events::campaign::{CampaignDonationAccepted, CampaignDonationRejected};
use hearth_events::Envelope;

pub async fn accepted(
    tx: Tx,
    event: Envelope<CampaignDonationAccepted>,
) -> Result<Tx, HandleError> {
    let context = event.caused_context();
    super::confirm(
        tx,
        event.data.donation_id,
        event.data.recipient_id,
        &context,
    )
    .await
}

pub async fn rejected(
    tx: Tx,
    event: Envelope<CampaignDonationRejected>,
) -> Result<Tx, HandleError> {
    let context = event.caused_context();
    super::reject(
        tx,
        event.data.donation_id,
        event.data.reason.code(),
        &context,
    )
    .await
}
