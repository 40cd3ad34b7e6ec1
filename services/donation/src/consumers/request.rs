//! request-service's answers to item donations (docs/events.md, "The item saga", step 3).

use hearth_bus::consumer::{HandleError, Tx};
use hearth_events::request::{RequestDonationAccepted, RequestDonationRejected};
use hearth_events::Envelope;

pub async fn accepted(tx: Tx, event: Envelope<RequestDonationAccepted>) -> Result<Tx, HandleError> {
    let context = event.caused_context();
    super::confirm(
        tx,
        event.data.donation_id,
        event.data.recipient_id,
        &context,
    )
    .await
}

pub async fn rejected(tx: Tx, event: Envelope<RequestDonationRejected>) -> Result<Tx, HandleError> {
    let context = event.caused_context();
    super::reject(
        tx,
        event.data.donation_id,
        event.data.reason.code(),
        &context,
    )
    .await
}
