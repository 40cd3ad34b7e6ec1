use chrono::{DateTime, Utc};
use hearth_core::auth::Caller;
use hearth_core::money::Currency;
use hearth_events::donation::CancelledBy;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::{Kind, Status};

/// A donation, as stored and as answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema, sqlx::FromRow)]
#[schema(example = json!({
    "id": "0193a5e2-3c4d-7e5f-8a6b-7c8d9e0f1a2b",
    "donor_id": "7d1e2f3a-4b5c-4d6e-8f7a-9b0c1d2e3f4a",
    "kind": "money",
    "campaign_id": "0193a5e0-7b2c-7c3d-8e4f-5a6b7c8d9e0f",
    "request_id": null,
    "recipient_id": "5f0c6a1e-2b7d-4c8e-9f3a-1d2e3f4a5b6c",
    "amount_minor": 2500,
    "currency": "USD",
    "quantity": null,
    "item_description": null,
    "message": "Stay warm!",
    "anonymous": false,
    "status": "confirmed",
    "status_reason": null,
    "created_at": "2026-12-02T09:00:00Z",
    "updated_at": "2026-12-02T09:00:01Z",
    "version": 2
}))]
pub struct Donation {
    pub id: Uuid,
    /// Null when `anonymous`, to anyone but the donor and staff.
    pub donor_id: Option<Uuid>,
    pub kind: Kind,
    pub campaign_id: Option<Uuid>,
    pub request_id: Option<Uuid>,
    /// Null until the campaign or request accepted it.
    pub recipient_id: Option<Uuid>,
    pub amount_minor: Option<i64>,
    #[schema(value_type = Option<Currency>)]
    pub currency: Option<String>,
    pub quantity: Option<i32>,
    pub item_description: Option<String>,
    pub message: Option<String>,
    pub anonymous: bool,
    pub status: Status,
    pub status_reason: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

impl Donation {
    pub fn is_donor(&self, caller: &Caller) -> bool {
        self.donor_id == Some(caller.id)
    }

    pub fn is_recipient(&self, caller: &Caller) -> bool {
        self.recipient_id == Some(caller.id)
    }

    /// Whom `caller` would cancel it as: its donor or its recipient (staff
    /// refund instead); `None` for anyone else.
    pub fn canceller(&self, caller: &Caller) -> Option<CancelledBy> {
        if self.is_donor(caller) {
            Some(CancelledBy::Donor)
        } else if self.is_recipient(caller) {
            Some(CancelledBy::Recipient)
        } else {
            None
        }
    }

    /// Whether `by` may cancel it as it stands: the donor while it is
    /// pending, and either party an item donation once confirmed (the goods
    /// have not changed hands yet).
    pub fn may_be_cancelled_by(&self, by: CancelledBy) -> bool {
        matches!(
            (by, self.kind, self.status),
            (CancelledBy::Donor, _, Status::Pending)
                | (
                    CancelledBy::Donor | CancelledBy::Recipient,
                    Kind::Item,
                    Status::Confirmed
                )
        )
    }

    /// Donor, recipient and staff may see it whatever its status, and move it.
    pub fn is_party(&self, caller: Option<&Caller>) -> bool {
        caller.is_some_and(|c| c.is_staff() || self.is_donor(c) || self.is_recipient(c))
    }

    /// What `caller` may see: everything, the view without an anonymous
    /// donor, or nothing. The one place a donation is redacted: every answer
    /// that shows one goes through here (docs/decisions.md, "Anonymous means
    /// anonymous to the recipient too").
    pub fn seen_by(self, caller: Option<&Caller>) -> Option<Self> {
        match caller {
            Some(c) if c.is_staff() || self.is_donor(c) => Some(self),
            // The recipient sees their donation in any status, but an
            // anonymous donor stays anonymous to them as to anyone.
            Some(c) if self.is_recipient(c) => Some(self.without_anonymous_donor()),
            _ if self.status.is_public() => Some(self.without_anonymous_donor()),
            _ => None,
        }
    }

    fn without_anonymous_donor(mut self) -> Self {
        if self.anonymous {
            self.donor_id = None;
        }
        self
    }
}

impl hearth_core::concurrency::Versioned for Donation {
    fn version(&self) -> i32 {
        self.version
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Kind, Status};
    use hearth_core::auth::CallerKind;

    fn caller(id: Uuid, kind: CallerKind) -> Caller {
        Caller { id, kind }
    }

    fn donation(anonymous: bool, status: Status) -> Donation {
        let now = Utc::now();
        Donation {
            id: Uuid::now_v7(),
            donor_id: Some(Uuid::new_v4()),
            kind: Kind::Money,
            campaign_id: Some(Uuid::now_v7()),
            request_id: None,
            recipient_id: Some(Uuid::new_v4()),
            amount_minor: Some(2_500),
            currency: Some("USD".into()),
            quantity: None,
            item_description: None,
            message: None,
            anonymous,
            status,
            status_reason: None,
            created_at: now,
            updated_at: now,
            version: 2,
        }
    }

    /// The donor id each caller sees, `None` for no donation at all.
    fn donor_seen(d: &Donation, caller: Option<Caller>) -> Option<Option<Uuid>> {
        d.clone().seen_by(caller.as_ref()).map(|d| d.donor_id)
    }

    #[test]
    fn an_anonymous_donor_is_seen_only_by_themself_and_staff() {
        let d = donation(true, Status::Confirmed);
        let (donor, recipient) = (d.donor_id.expect("donor"), d.recipient_id.expect("to"));
        let named = Some(d.donor_id);
        assert_eq!(donor_seen(&d, Some(caller(donor, CallerKind::User))), named);
        let staff = caller(Uuid::new_v4(), CallerKind::Staff);
        assert_eq!(donor_seen(&d, Some(staff)), named);
        assert_eq!(
            donor_seen(&d, Some(caller(Uuid::nil(), CallerKind::Service))),
            named
        );
        let hidden = Some(None);
        assert_eq!(
            donor_seen(&d, Some(caller(recipient, CallerKind::User))),
            hidden
        );
        assert_eq!(
            donor_seen(&d, Some(caller(Uuid::new_v4(), CallerKind::User))),
            hidden
        );
        assert_eq!(donor_seen(&d, None), hidden);
    }

    #[test]
    fn the_recipient_sees_any_status_and_others_only_what_went_through() {
        let refunded = donation(true, Status::Refunded);
        let recipient = caller(refunded.recipient_id.expect("to"), CallerKind::User);
        assert_eq!(donor_seen(&refunded, Some(recipient)), Some(None));
        assert_eq!(donor_seen(&refunded, None), None);
        assert_eq!(
            donor_seen(&refunded, Some(caller(Uuid::new_v4(), CallerKind::User))),
            None
        );
    }

    #[test]
    fn a_named_donor_is_seen_by_all() {
        let d = donation(false, Status::Confirmed);
        let recipient = caller(d.recipient_id.expect("to"), CallerKind::User);
        assert_eq!(donor_seen(&d, Some(recipient)), Some(d.donor_id));
        assert_eq!(donor_seen(&d, None), Some(d.donor_id));
    }
}
