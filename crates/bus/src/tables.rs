//! The platform tables this crate reads, defined here once; every service's
//! schema gets them first (`hearth_bus::app::PLATFORM_TABLES`).

use hearth_core::migrations::PlatformTable;

/// Events waiting for the relay ([`crate::outbox`], [`crate::relay`]); a
/// service that emits events, or runs `ServiceRuntime::relay`, uses it.
pub static OUTBOX: PlatformTable = PlatformTable {
    name: "outbox",
    migrator: sqlx::migrate!("migrations/outbox"),
};

/// Events handled ([`crate::consumer`]); a service that runs
/// `ServiceRuntime::consumer` uses it.
pub static INBOX: PlatformTable = PlatformTable {
    name: "inbox",
    migrator: sqlx::migrate!("migrations/inbox"),
};
