//! messaging-service: the signed-in person's notifications.

use chrono::{DateTime, Utc};
use serde::Deserialize;
use uuid::Uuid;

use super::{Api, Failure, Page, Refused};
use crate::config::Backend;
use crate::session::Viewer;

/// API.md's `Notification`.
#[derive(Debug, Clone, Deserialize)]
pub struct Notification {
    pub id: Uuid,
    pub title: String,
    pub body: String,
    pub link: Link,
    pub created_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
}

/// What a notification is about.
#[derive(Debug, Clone, Deserialize)]
pub struct Link {
    #[serde(rename = "type")]
    pub kind: String,
    pub id: Uuid,
}

/// How many unread notifications the header counts before "99+".
pub const UNREAD_SHOWN: u32 = 99;

impl Api {
    pub async fn notifications(
        &self,
        cursor: Option<&str>,
        viewer: &Viewer,
    ) -> Result<Page<Notification>, Failure> {
        let mut query = vec![("limit", "20")];
        if let Some(cursor) = cursor {
            query.push(("cursor", cursor));
        }
        self.get(Backend::Messaging, &["notifications"], &query, viewer)
            .await
    }

    /// Unread notifications, counted up to one past [`UNREAD_SHOWN`].
    pub async fn unread_count(&self, viewer: &Viewer) -> Result<usize, Failure> {
        let limit = (UNREAD_SHOWN + 1).to_string();
        let page: Page<Notification> = self
            .get(
                Backend::Messaging,
                &["notifications"],
                &[("unread", "true"), ("limit", &limit)],
                viewer,
            )
            .await?;
        Ok(page.items.len())
    }

    pub async fn mark_read(&self, id: Uuid, viewer: &Viewer) -> Result<(), Refused> {
        let id = id.to_string();
        self.act(Backend::Messaging, &["notifications", &id, "read"], viewer)
            .await
    }

    pub async fn mark_all_read(&self, viewer: &Viewer) -> Result<(), Refused> {
        self.act(Backend::Messaging, &["notifications", "read-all"], viewer)
            .await
    }
}
