//! The `hearth` command's library: each subcommand in `commands/`, the
//! services this binary can run in `services.rs`, and running them in `platform.rs`.

pub mod broker_users;
pub mod commands;
pub mod platform;
pub mod roles;
pub mod services;

/// The JWT secret `hearth up` uses when `JWT_SECRET` is unset. It is printed,
/// so it is public: anything signed with it proves nothing outside a laptop.
pub const DEV_JWT_SECRET: &str = "hearth-development-secret-not-for-production";
