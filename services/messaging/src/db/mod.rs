//! messaging-service's SQL, one module per table family. Every statement is
//! static text with bound parameters, checked against the schema when
//! compiled (`.sqlx/`, docs/extending.md#changing-a-query); the pool's
//! `search_path` points them at schema `messaging`.

mod messages;
mod names;
mod notifications;

pub use messages::*;
pub use names::*;
pub use notifications::*;
