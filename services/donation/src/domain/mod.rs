//! donation-service's domain: the donation and what it gives, its two state
//! machines, who may move it, and what each caller sees of it.

mod donation;
mod gift;
mod moves;
pub mod new_donation;
mod status;
mod view;

pub use donation::{Donation, Settlement};
pub use gift::{Flat, Gift, Items, Money};
pub use moves::Move;
pub use new_donation::{CreateDonation, NewDonation};
pub use status::{Action, Kind, Status};
pub use view::DonationView;
