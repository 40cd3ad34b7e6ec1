//! A campaign's status moves with the event each emits, applied inside the
//! caller's transaction so that the change and its event commit together.
//! The state machine (`domain::Status::change_to`) decides what is allowed.

use hearth_bus::outbox;
use hearth_events::campaign::{CampaignCreated, CampaignStatusChanged};
use hearth_events::EventContext;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::db;
use crate::domain::{Campaign, CopiedCampaign, StatusChange};
use crate::SERVICE;

/// Applies `change` and emits `campaign.status_changed`.
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

/// Copies campaigns in from another system (`hearth copy-campaigns`): each is
/// inserted unless its id is already there, and with `announce`, each one
/// inserted emits `campaign.created` as a campaign created here does. The
/// ids inserted.
pub async fn copy_in(
    conn: &mut PgConnection,
    rows: &[&CopiedCampaign],
    announce: Option<&EventContext>,
) -> sqlx::Result<Vec<Uuid>> {
    let inserted = db::insert_copied(conn, rows).await?;
    if let Some(context) = announce {
        for campaign in &inserted {
            outbox::emit(conn, SERVICE.name, created(campaign), context).await?;
        }
    }
    Ok(inserted.into_iter().map(|campaign| campaign.id).collect())
}

/// `campaign.created`, for a campaign just stored.
pub fn created(campaign: &Campaign) -> CampaignCreated {
    CampaignCreated {
        campaign_id: campaign.id,
        recipient_id: campaign.recipient_id,
        creator_id: campaign.creator_id,
        title: campaign.title.clone(),
        goal_minor: campaign.goal_minor,
        currency: campaign.currency.clone(),
        status: campaign.status.to_string(),
        ends_at: campaign.ends_at,
        image_url: campaign.image_url.as_ref().map(|u| u.to_string()),
    }
}
