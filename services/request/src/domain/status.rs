//! The request state machine (docs/api.md, "request-service"), in one place.
//!
//! ```text
//! open → fulfilled | cancelled       (owner or staff, `close`)
//! open → fulfilled                   (the saga, when received items reach quantity_needed)
//! open → expired                     (the sweeper, once needed_by has passed)
//! staff: any → suspended, suspended → the status it was suspended from
//! ```

pub use hearth_core::status::{Moderated, Refusal};

hearth_core::words! {
    pub enum Status: "request status" {
        Open => "open",
        Fulfilled => "fulfilled",
        Cancelled => "cancelled",
        Expired => "expired",
        Suspended => "suspended",
    }
}

/// The moves an owner may make; staff may make them too.
const OWNER_TRANSITIONS: &[(Status, Status)] = &[
    (Status::Open, Status::Fulfilled),
    (Status::Open, Status::Cancelled),
];

impl Status {
    /// Only an open request is edited, and takes pledges.
    pub fn is_open(self) -> bool {
        self == Status::Open
    }

    /// A move the platform makes by itself (fulfilled once complete,
    /// expired once due): from `open` only.
    pub fn move_from_open(self, to: Status) -> Option<StatusChange> {
        self.is_open().then_some(StatusChange {
            from: Status::Open,
            to,
            suspended_from: None,
        })
    }
}

/// Staff's suspension, on top of the owner's moves (`hearth_core::status`).
impl Moderated for Status {
    const SUSPENDED: Self = Status::Suspended;
    const OWNER_MOVES: &'static [(Self, Self)] = OWNER_TRANSITIONS;
    const NOUN: &'static str = "request";
}

/// A move of a request's status.
pub type StatusChange = hearth_core::status::StatusChange<Status>;

#[cfg(test)]
mod tests {
    use super::*;
    use Status::*;

    #[test]
    fn an_owner_only_closes_an_open_request() {
        for &from in Status::ALL {
            for &to in Status::ALL {
                let result = from.change_to(to, (from == Suspended).then_some(Open), false);
                let allowed = from == Open && matches!(to, Fulfilled | Cancelled);
                match result {
                    Ok(change) => {
                        assert!(allowed, "{from} → {to} must be refused");
                        assert_eq!(change.to, to);
                    }
                    Err(Refusal::StaffOnly(_)) => assert!(to == Suspended || from == Suspended),
                    Err(Refusal::InvalidState(_)) => assert!(!allowed, "{from} → {to}"),
                }
            }
        }
    }

    #[test]
    fn closed_requests_stay_closed() {
        for from in [Fulfilled, Cancelled, Expired] {
            for to in [Open, Fulfilled, Cancelled, Expired] {
                assert!(from.change_to(to, None, true).is_err(), "{from} → {to}");
            }
        }
    }

    #[test]
    fn staff_suspend_from_anywhere_and_reinstate_to_where_it_was() {
        for from in [Open, Fulfilled, Cancelled, Expired] {
            let suspended = from.change_to(Suspended, None, true).expect("staff may");
            assert_eq!(suspended.suspended_from, Some(from));
            let back = Suspended
                .change_to(from, Some(from), true)
                .expect("staff may");
            assert_eq!((back.to, back.suspended_from), (from, None));
        }
        assert!(matches!(
            Suspended.change_to(Open, Some(Cancelled), true),
            Err(Refusal::InvalidState(_))
        ));
    }

    #[test]
    fn statuses_round_trip_as_text() {
        for &status in Status::ALL {
            assert_eq!(status.as_str().parse::<Status>(), Ok(status));
        }
        assert!("Open".parse::<Status>().is_err());
    }
}
