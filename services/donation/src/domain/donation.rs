use chrono::{DateTime, Utc};
use hearth_core::auth::Caller;
use hearth_events::donation::CancelledBy;
use uuid::Uuid;

use super::gift::{Gift, Items, Money};
use super::{Action, DonationView, Kind, Move, Status};

/// A donation as donation-service holds it. Callers see a [`DonationView`],
/// through [`Donation::seen_by`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Donation {
    pub id: Uuid,
    pub donor_id: Uuid,
    pub gift: Gift,
    /// Set once the campaign or request accepted it.
    pub recipient_id: Option<Uuid>,
    pub message: Option<String>,
    pub anonymous: bool,
    pub status: Status,
    pub status_reason: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

/// A move of a confirmed gift to its end (a refund, a receipt): the move,
/// the gift and the person it went to, which the move's event names.
#[derive(Debug, Clone, Copy)]
pub struct Settlement<'a, G> {
    pub to: Move<'static>,
    pub gift: &'a G,
    pub recipient_id: Uuid,
}

impl Donation {
    pub fn kind(&self) -> Kind {
        self.gift.kind()
    }

    /// The move `action` makes from here, if the state machine allows it.
    pub fn after(&self, action: Action) -> Option<Move<'static>> {
        self.status.after(self.kind(), action)
    }

    /// The refund of a confirmed gift of money, if it may be refunded.
    pub fn refund(&self) -> Option<Settlement<'_, Money>> {
        let to = self.after(Action::Refund)?;
        let Gift::Money(money) = &self.gift else {
            return None;
        };
        Some(Settlement {
            to,
            gift: money,
            recipient_id: self.recipient_id?,
        })
    }

    /// The receipt of a confirmed gift of items, if it may be marked received.
    pub fn receipt(&self) -> Option<Settlement<'_, Items>> {
        let to = self.after(Action::Receive)?;
        let Gift::Items(items) = &self.gift else {
            return None;
        };
        Some(Settlement {
            to,
            gift: items,
            recipient_id: self.recipient_id?,
        })
    }

    pub fn is_donor(&self, caller: &Caller) -> bool {
        self.donor_id == caller.id
    }

    pub fn is_recipient(&self, caller: &Caller) -> bool {
        self.recipient_id == Some(caller.id)
    }

    /// Whom `caller` would cancel it as: its donor or its recipient (staff
    /// refund instead); `None` for anyone else. When the state machine allows
    /// a cancel, either party may make it: a pending donation has no
    /// recipient yet (only its donor can cancel it), and a confirmed item
    /// donation has not changed hands.
    pub fn canceller(&self, caller: &Caller) -> Option<CancelledBy> {
        if self.is_donor(caller) {
            Some(CancelledBy::Donor)
        } else if self.is_recipient(caller) {
            Some(CancelledBy::Recipient)
        } else {
            None
        }
    }

    /// Donor, recipient and staff may see it whatever its status, and move it.
    pub fn is_party(&self, caller: Option<&Caller>) -> bool {
        caller.is_some_and(|c| c.is_staff() || self.is_donor(c) || self.is_recipient(c))
    }

    /// What `caller` may see: everything, the view without an anonymous
    /// donor, or nothing. The one place a donation is redacted: every answer
    /// that shows one goes through here (docs/decisions.md, "Anonymous means
    /// anonymous to the recipient too").
    pub fn seen_by(self, caller: Option<&Caller>) -> Option<DonationView> {
        let named = !self.anonymous;
        match caller {
            Some(c) if c.is_staff() || self.is_donor(c) => Some(self.view(true)),
            // The recipient sees their donation in any status, but an
            // anonymous donor stays anonymous to them as to anyone.
            Some(c) if self.is_recipient(c) => Some(self.view(named)),
            _ if self.status.is_public() => Some(self.view(named)),
            _ => None,
        }
    }

    fn view(self, donor_shown: bool) -> DonationView {
        let flat = self.gift.flat();
        DonationView {
            id: self.id,
            donor_id: donor_shown.then_some(self.donor_id),
            kind: self.gift.kind(),
            campaign_id: flat.campaign_id,
            request_id: flat.request_id,
            recipient_id: self.recipient_id,
            amount_minor: flat.amount_minor,
            currency: flat.currency,
            quantity: flat.quantity,
            item_description: flat.item_description,
            message: self.message,
            anonymous: self.anonymous,
            status: self.status,
            status_reason: self.status_reason,
            created_at: self.created_at,
            updated_at: self.updated_at,
            version: self.version,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Status;
    use hearth_core::auth::CallerKind;
    use hearth_core::money::Currency;

    fn caller(id: Uuid, kind: CallerKind) -> Caller {
        Caller { id, kind }
    }

    fn donation(anonymous: bool, status: Status) -> Donation {
        let now = Utc::now();
        Donation {
            id: Uuid::now_v7(),
            donor_id: Uuid::new_v4(),
            gift: Gift::Money(Money {
                campaign_id: Uuid::now_v7(),
                amount_minor: 2_500,
                currency: Currency::parse("USD").expect("supported"),
            }),
            recipient_id: Some(Uuid::new_v4()),
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
        let (donor, recipient) = (d.donor_id, d.recipient_id.expect("to"));
        let named = Some(Some(d.donor_id));
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
        assert_eq!(donor_seen(&d, Some(recipient)), Some(Some(d.donor_id)));
        assert_eq!(donor_seen(&d, None), Some(Some(d.donor_id)));
    }

    #[test]
    fn only_a_confirmed_gift_with_its_recipient_settles() {
        let confirmed = donation(false, Status::Confirmed);
        let refund = confirmed
            .refund()
            .expect("a confirmed gift of money is refunded");
        assert_eq!(refund.to.status, Status::Refunded);
        assert_eq!(Some(refund.recipient_id), confirmed.recipient_id);
        assert!(confirmed.receipt().is_none(), "money is not received");
        assert!(donation(false, Status::Pending).refund().is_none());
        let unaccepted = Donation {
            recipient_id: None,
            ..confirmed.clone()
        };
        assert!(unaccepted.refund().is_none());
        let items = Donation {
            gift: Gift::Items(Items {
                request_id: Uuid::now_v7(),
                quantity: 2,
                description: "Boots".into(),
            }),
            ..confirmed
        };
        assert_eq!(
            items.receipt().map(|r| r.to.status),
            Some(Status::Completed)
        );
        assert!(items.refund().is_none(), "items are not refunded");
    }
}
