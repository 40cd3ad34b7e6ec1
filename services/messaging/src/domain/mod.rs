//! messaging-service's domain: messages between two people, and
//! notifications made from events.

mod message;
mod notification;
pub mod wording;

pub use message::{
    Context, ContextType, Conversation, Message, MessageRow, NewMessage, SendMessage,
};
pub use notification::{Link, NewNotification, Notification};
