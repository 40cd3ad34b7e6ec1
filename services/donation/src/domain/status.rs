//! The donation state machines (docs/api.md, "donation-service"), in one place.
//!
//! ```text
//! money: pending → confirmed | rejected | expired | cancelled;  confirmed → refunded
//! item:  pending → confirmed | rejected | expired | cancelled;  confirmed → completed | cancelled
//! ```

use super::Move;

hearth_core::words! {
    pub enum Kind: "donation kind" {
        Money => "money",
        Item => "item",
    }
}

hearth_core::words! {
    pub enum Status: "donation status" {
        Pending => "pending",
        Confirmed => "confirmed",
        Rejected => "rejected",
        Expired => "expired",
        Cancelled => "cancelled",
        Refunded => "refunded",
        Completed => "completed",
    }
}

/// What moves a donation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// The campaign or request accepted it.
    Confirm,
    /// The campaign or request refused it.
    Reject,
    /// No answer came in time.
    Expire,
    Cancel,
    Refund,
    Receive,
}

/// Every allowed move: (kind or any, from, action, to).
const TRANSITIONS: &[(Option<Kind>, Status, Action, Status)] = &[
    (None, Status::Pending, Action::Confirm, Status::Confirmed),
    (None, Status::Pending, Action::Reject, Status::Rejected),
    (None, Status::Pending, Action::Expire, Status::Expired),
    (None, Status::Pending, Action::Cancel, Status::Cancelled),
    (
        Some(Kind::Money),
        Status::Confirmed,
        Action::Refund,
        Status::Refunded,
    ),
    (
        Some(Kind::Item),
        Status::Confirmed,
        Action::Receive,
        Status::Completed,
    ),
    (
        Some(Kind::Item),
        Status::Confirmed,
        Action::Cancel,
        Status::Cancelled,
    ),
];

impl Status {
    /// The move `action` makes from here, if the machine allows it: the
    /// one statement of where it leads, which the move then applies.
    pub fn after(self, kind: Kind, action: Action) -> Option<Move<'static>> {
        TRANSITIONS
            .iter()
            .find(|(k, from, a, _)| k.is_none_or(|k| k == kind) && *from == self && *a == action)
            .map(|(_, _, _, to)| Move::to(*to))
    }

    /// Visible to anyone: the donation went through.
    pub fn is_public(self) -> bool {
        matches!(self, Status::Confirmed | Status::Completed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Action::*;
    use Status::*;

    /// Where the move `action` leads, if there is one.
    fn to(from: Status, kind: Kind, action: Action) -> Option<Status> {
        from.after(kind, action).map(|to| to.status)
    }

    #[test]
    fn money_moves() {
        assert_eq!(to(Pending, Kind::Money, Confirm), Some(Confirmed));
        assert_eq!(to(Pending, Kind::Money, Reject), Some(Rejected));
        assert_eq!(to(Pending, Kind::Money, Expire), Some(Expired));
        assert_eq!(to(Pending, Kind::Money, Cancel), Some(Cancelled));
        assert_eq!(to(Confirmed, Kind::Money, Refund), Some(Refunded));
        assert_eq!(
            to(Confirmed, Kind::Money, Cancel),
            None,
            "a confirmed gift of money is refunded, not cancelled"
        );
        assert_eq!(to(Confirmed, Kind::Money, Receive), None);
        assert_eq!(to(Pending, Kind::Money, Refund), None);
    }

    #[test]
    fn item_moves() {
        assert_eq!(to(Confirmed, Kind::Item, Receive), Some(Completed));
        assert_eq!(to(Confirmed, Kind::Item, Cancel), Some(Cancelled));
        assert_eq!(to(Confirmed, Kind::Item, Refund), None);
    }

    #[test]
    fn final_states_stay_final() {
        for from in [Rejected, Expired, Cancelled, Refunded, Completed] {
            for action in [Confirm, Reject, Expire, Cancel, Refund, Receive] {
                for kind in [Kind::Money, Kind::Item] {
                    assert_eq!(to(from, kind, action), None, "{from} {action:?}");
                }
            }
        }
    }

    #[test]
    fn a_late_answer_changes_nothing() {
        // The saga's rule: an acceptance after expiry or cancellation is ignored here.
        assert_eq!(to(Expired, Kind::Money, Confirm), None);
        assert_eq!(to(Cancelled, Kind::Money, Confirm), None);
        assert_eq!(to(Expired, Kind::Money, Reject), None);
    }
}
