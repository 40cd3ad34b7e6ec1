//! donation-service's domain: the donation, its two state machines, and who
//! may move it.

mod donation;
mod moves;
pub mod new_donation;
mod status;

pub use donation::Donation;
pub use moves::Move;
pub use new_donation::{CreateDonation, NewDonation};
pub use status::{Action, Kind, Status};
