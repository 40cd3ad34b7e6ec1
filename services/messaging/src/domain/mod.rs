//! messaging-service's domain.

mod notification;

pub use notification::{Link, NewNotification, Notification};
