//! Moderation: a report resolved with `hide_target` on a campaign suspends it
//! here, as staff would by hand (docs/api.md, "profile-service").

use hearth_bus::consumer::{HandleError, Tx};
use hearth_events::profile::ReportResolved;
use hearth_events::Envelope;

use crate::domain::{Moderated, Status};
use crate::{db, transitions};

pub async fn resolved(mut tx: Tx, event: Envelope<ReportResolved>) -> Result<Tx, HandleError> {
    let report = &event.data;
    if !report.hides("campaign") {
        return Ok(tx);
    }
    let Some(campaign) = db::lock(&mut tx, report.target_id).await? else {
        return Ok(tx); // Reported by a wrong id: nothing here to hide.
    };
    // Already suspended: the hiding is done; a redelivery changes nothing.
    let Ok(change) = campaign
        .status
        .change_to(Status::Suspended, campaign.suspended_from, true)
    else {
        return Ok(tx);
    };
    let reason = Some(format!(
        "hidden by moderation (report {})",
        report.report_id
    ));
    transitions::change_status(&mut tx, &campaign, change, reason, &event.caused_context()).await?;
    Ok(tx)
}
