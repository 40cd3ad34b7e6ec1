//! campaign-service's answers to money donations (EVENTS.md, "Money to a campaign", step 3).

use hearth_bus::consumer::{HandleError, Tx};
use hearth_events::campaign::{
    CampaignDonationAccepted, CampaignDonationRejected, CampaignRejection,
};
use hearth_events::Envelope;

use crate::domain::Action;
use crate::{db, transitions};

/// `confirmed`, unless the donation already expired or was cancelled: then
/// nothing changes here — the compensation is already on its way to the campaign.
pub async fn accepted(mut tx: Tx, envelope: Envelope) -> Result<Tx, HandleError> {
    let event = envelope.decode::<CampaignDonationAccepted>()?;
    let Some(donation) = db::lock(&mut tx, event.data.donation_id).await? else {
        return Err(HandleError::Poison(format!(
            "no donation {}",
            event.data.donation_id
        )));
    };
    if transitions::allowed(&donation, Action::Confirm).is_some() {
        transitions::confirm(
            &mut tx,
            &donation,
            event.data.recipient_id,
            &event.caused_context(),
        )
        .await?;
    } else {
        tracing::info!(status = %donation.status, "an acceptance came for a donation no longer pending; ignored");
    }
    Ok(tx)
}

/// `rejected` with the campaign's reason, unless it is no longer pending.
pub async fn rejected(mut tx: Tx, envelope: Envelope) -> Result<Tx, HandleError> {
    let event = envelope.decode::<CampaignDonationRejected>()?;
    let Some(donation) = db::lock(&mut tx, event.data.donation_id).await? else {
        return Err(HandleError::Poison(format!(
            "no donation {}",
            event.data.donation_id
        )));
    };
    if transitions::allowed(&donation, Action::Reject).is_some() {
        let reason = rejection_code(event.data.reason);
        transitions::reject(&mut tx, &donation, reason, &event.caused_context()).await?;
    }
    Ok(tx)
}

fn rejection_code(reason: CampaignRejection) -> &'static str {
    match reason {
        CampaignRejection::NotFound => "not_found",
        CampaignRejection::NotActive => "not_active",
        CampaignRejection::Ended => "ended",
        CampaignRejection::CurrencyMismatch => "currency_mismatch",
        CampaignRejection::SelfDonation => "self_donation",
        CampaignRejection::DonorSuspended => "donor_suspended",
    }
}
