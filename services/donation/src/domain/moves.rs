//! A move of a donation, as the state machine (`Status::after`) gives it and
//! the database applies it.

use uuid::Uuid;

use super::Status;

/// Where a move takes a donation: its new status, and the recipient and
/// reason it sets, if any.
#[derive(Debug, Clone, Copy)]
pub struct Move<'a> {
    pub status: Status,
    pub recipient_id: Option<Uuid>,
    pub reason: Option<&'a str>,
}

impl<'a> Move<'a> {
    pub fn to(status: Status) -> Self {
        Self {
            status,
            recipient_id: None,
            reason: None,
        }
    }

    pub fn recipient(self, recipient_id: Uuid) -> Self {
        Self {
            recipient_id: Some(recipient_id),
            ..self
        }
    }

    /// The move with `reason` recorded; it lives as long as the reason.
    pub fn reason<'b>(self, reason: &'b str) -> Move<'b>
    where
        'a: 'b,
    {
        Move {
            status: self.status,
            recipient_id: self.recipient_id,
            reason: Some(reason),
        }
    }
}
