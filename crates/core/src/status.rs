//! What every moderated resource's state machine shares (campaigns,
//! requests): the owner's own moves, and on top of them staff's suspension,
//! which remembers the status to return to.

use std::fmt::Display;

use crate::ApiError;

/// An allowed move: the new status, and what to remember for a later reinstatement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatusChange<S> {
    pub from: S,
    pub to: S,
    pub suspended_from: Option<S>,
}

/// Why a move is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Only staff may make this move (403 `forbidden`).
    StaffOnly(String),
    /// The state machine does not allow it (409 `invalid_state`).
    InvalidState(String),
}

impl From<Refusal> for ApiError {
    fn from(refusal: Refusal) -> Self {
        match refusal {
            Refusal::StaffOnly(why) => ApiError::forbidden(why),
            Refusal::InvalidState(why) => ApiError::invalid_state(why),
        }
    }
}

/// A resource's statuses: which is `suspended`, and the moves its owner may
/// make (staff may make them too).
pub trait Moderated: Copy + Eq + Display + 'static {
    const SUSPENDED: Self;
    const OWNER_MOVES: &'static [(Self, Self)];
    /// "campaign", "request": for the refusals' words.
    const NOUN: &'static str;

    /// Decides a move from `self` to `to`. `suspended_from` is what a
    /// suspended resource returns to.
    fn change_to(
        self,
        to: Self,
        suspended_from: Option<Self>,
        by_staff: bool,
    ) -> Result<StatusChange<Self>, Refusal> {
        let noun = Self::NOUN;
        let change = |suspended_from| StatusChange {
            from: self,
            to,
            suspended_from,
        };
        let suspended = Self::SUSPENDED;
        if to == suspended {
            return match (by_staff, self == suspended) {
                (false, _) => Err(Refusal::StaffOnly(format!(
                    "only staff may suspend a {noun}"
                ))),
                (true, true) => Err(Refusal::InvalidState(format!(
                    "the {noun} is already suspended"
                ))),
                (true, false) => Ok(change(Some(self))),
            };
        }
        if self == suspended {
            return match (by_staff, suspended_from) {
                (false, _) => Err(Refusal::StaffOnly(
                    "only staff may lift a suspension".to_owned(),
                )),
                (true, Some(back)) if back == to => Ok(change(None)),
                (true, back) => Err(Refusal::InvalidState(format!(
                    "a suspended {noun} can only return to {}",
                    back.map_or_else(|| "its previous status".to_owned(), |b| b.to_string())
                ))),
            };
        }
        if Self::OWNER_MOVES.contains(&(self, to)) {
            Ok(change(None))
        } else {
            Err(Refusal::InvalidState(format!(
                "a {noun} cannot go from {self} to {to}"
            )))
        }
    }
}
