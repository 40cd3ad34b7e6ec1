use chrono::{DateTime, Utc};
use hearth_core::image_url::ImageUrl;
use uuid::Uuid;

use super::Status;

/// A campaign copied in from another system (`hearth copy-campaigns`), as it
/// stood there: its own id, dates and status, and what it had raised before
/// it came. Created by its recipient; campaign-service moves its counters
/// from there on. Also what is read back to compare a copy with its source.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct CopiedCampaign {
    pub id: Uuid,
    pub recipient_id: Uuid,
    pub title: String,
    pub description: Option<String>,
    pub category: Option<String>,
    pub goal_minor: i64,
    /// What it had raised before it came: the opening balance, and the first
    /// `raised_minor` (`raised_minor` = opening + the accepted donations).
    pub opening_minor: i64,
    pub currency: String,
    pub status: Status,
    pub ends_at: Option<DateTime<Utc>>,
    pub image_url: Option<ImageUrl>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}
