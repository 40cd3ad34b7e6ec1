//! messaging-service's domain.

mod notification;
pub mod wording;

pub use notification::{Link, NewNotification, Notification};
