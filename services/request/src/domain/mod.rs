//! request-service's domain: what a request is, who may see and change it,
//! how its status may move, and whether it takes a pledge.

mod changes;
mod new_request;
mod pledge;
mod request;
mod status;

pub use changes::UpdateRequest;
pub use new_request::{CreateRequest, NewRequest};
pub use pledge::{decide, Offer};
pub use request::Request;
pub use status::{Moderated, Refusal, Status, StatusChange};
