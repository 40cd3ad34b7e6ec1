//! The platform tables this crate reads, defined here once; every service's
//! schema gets them first (`hearth_bus::app::PLATFORM_TABLES`).

use crate::migrations::PlatformTable;

/// `Idempotency-Key` answers ([`crate::idempotency`]); a service whose router
/// honours `Idempotency-Key` (every `hearth_bus::app::App`'s does) uses it.
pub static IDEMPOTENCY_KEYS: PlatformTable = PlatformTable {
    name: "idempotency_keys",
    migrator: sqlx::migrate!("migrations/idempotency_keys"),
};

/// Who is suspended ([`crate::moderation`] refuses their writes); every
/// service on `ServiceRuntime::router` uses it.
pub static ACCOUNT_SUSPENSIONS: PlatformTable = PlatformTable {
    name: "account_suspensions",
    migrator: sqlx::migrate!("migrations/account_suspensions"),
};
