//! messaging-service: the signed-in person's notifications.

use chrono::{DateTime, Utc};
use serde::Deserialize;
use uuid::Uuid;

use super::{Api, Failure, Page, Refused};
use crate::config::Backend;
use crate::session::Viewer;

/// messaging-service's `Notification`.
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

/// messaging-service's `Message`.
#[derive(Debug, Clone, Deserialize)]
pub struct Message {
    pub id: Uuid,
    pub sender_id: Uuid,
    pub recipient_id: Uuid,
    pub body: String,
    pub context: Option<Link>,
    pub created_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
}

/// One person the viewer exchanged messages with.
#[derive(Debug, Clone, Deserialize)]
pub struct Conversation {
    pub counterpart_id: Uuid,
    pub last_message: Message,
    pub unread_count: i64,
}

/// What a message is about, as `POST /messages` takes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct MessageContext {
    #[serde(rename = "type")]
    pub kind: ContextKind,
    pub id: Uuid,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ContextKind {
    Donation,
}

/// `POST /messages`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct NewMessage {
    pub recipient_id: Uuid,
    pub body: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub context: Option<MessageContext>,
}

/// The API's limit for a message's body.
pub const MESSAGE_MAX_CHARS: usize = 4000;

/// How many conversations the header's unread count looks at.
const CONVERSATIONS_COUNTED: &str = "100";

impl Api {
    pub async fn conversations(
        &self,
        cursor: Option<&str>,
        viewer: &Viewer,
    ) -> Result<Page<Conversation>, Failure> {
        let mut query = vec![("limit", "20")];
        if let Some(cursor) = cursor {
            query.push(("cursor", cursor));
        }
        self.get(Backend::Messaging, &["conversations"], &query, viewer)
            .await
    }

    /// Unread messages to the viewer, over their latest conversations.
    pub async fn unread_messages(&self, viewer: &Viewer) -> Result<i64, Failure> {
        let page: Page<Conversation> = self
            .get(
                Backend::Messaging,
                &["conversations"],
                &[("limit", CONVERSATIONS_COUNTED)],
                viewer,
            )
            .await?;
        Ok(page.items.iter().map(|c| c.unread_count).sum())
    }

    /// The messages between the viewer and `counterpart`, newest first.
    pub async fn thread(
        &self,
        counterpart: Uuid,
        cursor: Option<&str>,
        viewer: &Viewer,
    ) -> Result<Page<Message>, Failure> {
        let counterpart = counterpart.to_string();
        let mut query = vec![("limit", "20")];
        if let Some(cursor) = cursor {
            query.push(("cursor", cursor));
        }
        self.get(
            Backend::Messaging,
            &["conversations", &counterpart, "messages"],
            &query,
            viewer,
        )
        .await
    }

    /// Sends a message: one per `key`, however often the form is sent.
    pub async fn send_message(
        &self,
        message: &NewMessage,
        key: Uuid,
        viewer: &Viewer,
    ) -> Result<Message, Refused> {
        self.create(Backend::Messaging, &["messages"], message, key, viewer)
            .await
    }

    /// Marks a message to the viewer read.
    pub async fn mark_message_read(&self, id: Uuid, viewer: &Viewer) -> Result<(), Refused> {
        let id = id.to_string();
        self.act(Backend::Messaging, &["messages", &id, "read"], viewer)
            .await
    }
}
