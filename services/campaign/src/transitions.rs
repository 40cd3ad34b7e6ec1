//! A campaign's status moves with the event each emits, applied inside the
//! caller's transaction so that the change and its event commit together.
//! The state machine (`domain::Status::change_to`) decides what is allowed.

use hearth_bus::outbox;
use hearth_events::campaign::CampaignStatusChanged;
use hearth_events::EventContext;
use sqlx::PgConnection;

use crate::db;
use crate::domain::{Campaign, StatusChange};
use crate::SERVICE;

/// Applies `change` and emits `campaign.status_changed`.
#[tracing::instrument(err, skip(conn, campaign, context), fields(campaign_id = %campaign.id))]
pub async fn change_status(
    conn: &mut PgConnection,
    campaign: &Campaign,
    change: StatusChange,
    reason: Option<String>,
    context: &EventContext,
) -> sqlx::Result<Campaign> {
    let updated = db::apply_status(conn, campaign.id, &change).await?;
    let event = CampaignStatusChanged {
        campaign_id: updated.id,
        recipient_id: updated.recipient_id,
        title: updated.title.clone(),
        from: change.from.to_string(),
        to: change.to.to_string(),
        reason,
    };
    outbox::emit(conn, SERVICE.name, event, context).await?;
    Ok(updated)
}
