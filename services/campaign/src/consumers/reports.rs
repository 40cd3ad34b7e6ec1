//! Moderation: a report resolved with `hide_target` on a campaign suspends it
//! here, as staff would by hand (docs/api.md, "profile-service").

use hearth_bus::consumer::{HandleError, Tx};
use hearth_bus::moderation::hiding;
use hearth_events::profile::ReportResolved;
use hearth_events::Envelope;

use crate::domain::{Moderated, Status};
use crate::{db, transitions};

pub async fn resolved(mut tx: Tx, event: Envelope<ReportResolved>) -> Result<Tx, HandleError> {
    let report = &event.data;
    if !report.hides(Status::NOUN) {
        return Ok(tx);
    }
    let Some(campaign) = db::lock(&mut tx, report.target_id).await? else {
        return Ok(tx); // Reported by a wrong id: nothing here to hide.
    };
    if let Some((change, reason)) = hiding(report, campaign.status, campaign.suspended_from) {
        let context = event.caused_context();
        transitions::change_status(&mut tx, &campaign, change, Some(reason), &context).await?;
    }
    Ok(tx)
}
