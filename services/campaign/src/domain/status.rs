//! The campaign state machine (docs/api.md, "campaign-service"), in one place.
//!
//! ```text
//! draft → active            active ↔ paused
//! active | paused → completed
//! draft | active | paused → cancelled        completed, cancelled: final
//! staff: any → suspended, suspended → the status it was suspended from
//! ```

pub use hearth_core::status::{Moderated, Refusal};

hearth_core::words! {
    pub enum Status: "campaign status" {
        Draft => "draft",
        Active => "active",
        Paused => "paused",
        Completed => "completed",
        Cancelled => "cancelled",
        Suspended => "suspended",
    }
}

/// The transitions an owner may make; staff may make them too.
const OWNER_TRANSITIONS: &[(Status, Status)] = &[
    (Status::Draft, Status::Active),
    (Status::Draft, Status::Cancelled),
    (Status::Active, Status::Paused),
    (Status::Paused, Status::Active),
    (Status::Active, Status::Completed),
    (Status::Paused, Status::Completed),
    (Status::Active, Status::Cancelled),
    (Status::Paused, Status::Cancelled),
];

impl Status {
    /// `completed` and `cancelled` are final.
    pub fn is_final(self) -> bool {
        matches!(self, Status::Completed | Status::Cancelled)
    }

    /// Whether the owner may still edit a campaign in this status.
    pub fn is_editable(self) -> bool {
        !self.is_final() && self != Status::Suspended
    }
}

/// Staff's suspension, on top of the owner's moves (`hearth_core::status`).
impl Moderated for Status {
    const SUSPENDED: Self = Status::Suspended;
    const OWNER_MOVES: &'static [(Self, Self)] = OWNER_TRANSITIONS;
    const NOUN: &'static str = "campaign";
}

/// A move of a campaign's status.
pub type StatusChange = hearth_core::status::StatusChange<Status>;

#[cfg(test)]
mod tests {
    use super::*;
    use Status::*;

    #[test]
    fn every_move_by_an_owner() {
        for &from in Status::ALL {
            for &to in Status::ALL {
                let allowed = OWNER_TRANSITIONS.contains(&(from, to));
                let result = from.change_to(to, (from == Suspended).then_some(Active), false);
                match result {
                    Ok(change) => {
                        assert!(allowed, "{from} → {to} must be refused");
                        assert_eq!(change.to, to);
                    }
                    Err(Refusal::StaffOnly(_)) => assert!(to == Suspended || from == Suspended),
                    Err(Refusal::InvalidState(_)) => {
                        assert!(!allowed, "{from} → {to} must be allowed")
                    }
                }
            }
        }
    }

    #[test]
    fn final_states_stay_final() {
        for from in [Completed, Cancelled] {
            for to in [Draft, Active, Paused, Completed, Cancelled] {
                assert!(from.change_to(to, None, true).is_err(), "{from} → {to}");
            }
        }
    }

    #[test]
    fn staff_suspend_from_anywhere_and_reinstate_to_where_it_was() {
        for from in [Draft, Active, Paused, Completed, Cancelled] {
            let suspended = from
                .change_to(Suspended, None, true)
                .expect("staff may suspend");
            assert_eq!(suspended.suspended_from, Some(from));
            let back = Suspended
                .change_to(from, Some(from), true)
                .expect("staff may reinstate");
            assert_eq!((back.to, back.suspended_from), (from, None));
        }
    }

    #[test]
    fn a_suspension_lifts_only_to_the_previous_status() {
        assert!(matches!(
            Suspended.change_to(Active, Some(Paused), true),
            Err(Refusal::InvalidState(_))
        ));
        assert!(matches!(
            Suspended.change_to(Suspended, Some(Paused), true),
            Err(Refusal::InvalidState(_))
        ));
        assert!(matches!(
            Suspended.change_to(Paused, Some(Paused), false),
            Err(Refusal::StaffOnly(_))
        ));
    }

    #[test]
    fn statuses_round_trip_as_text() {
        for &status in Status::ALL {
            assert_eq!(status.as_str().parse::<Status>(), Ok(status));
        }
        assert!("Active".parse::<Status>().is_err());
    }
}
