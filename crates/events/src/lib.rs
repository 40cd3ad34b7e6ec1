//! The one contract between Hearth's services (EVENTS.md).
//!
//! A producer builds an [`Envelope`] around a payload that implements
//! [`Event`]; the type string, the schema version and the subject all come
//! from the payload type, so they cannot disagree with it.

mod envelope;
pub mod campaign;

pub use envelope::{Envelope, Event, EventContext};
