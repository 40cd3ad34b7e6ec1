//! The one contract between Hearth's services (docs/events.md).
//!
//! A producer builds an [`Envelope`] around a payload that implements
//! [`Event`]; the type string, the schema version and the subject all come
//! from the payload type, so they cannot disagree with it. A consumer reads
//! an `Envelope<serde_json::Value>` and asks for the payload it knows with
//! [`Envelope::decode`]; a version it does not know is [`Undecodable`], and
//! goes to the dead-letter queue at once. [`catalogue`] says which service
//! produces each type.

pub mod campaign;
pub mod catalogue;
pub mod donation;
mod envelope;
pub mod messaging;
pub mod profile;
pub mod request;

pub use envelope::{Envelope, Event, EventContext, Undecodable};
