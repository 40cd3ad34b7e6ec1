//! campaign-service's domain: what a campaign is, who may see and change it,
//! and how its status may move.

mod acceptance;
mod campaign;
mod changes;
mod copied;
mod new_campaign;
mod status;

pub use acceptance::{decide, Offer};
pub use campaign::{goal_reached, Campaign};
pub use changes::UpdateCampaign;
pub use copied::CopiedCampaign;
pub use new_campaign::{CreateCampaign, NewCampaign};
pub use status::{Moderated, Refusal, Status, StatusChange};
