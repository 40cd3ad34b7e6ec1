//! donation-service over HTTP against the real PostgreSQL; each test has its
//! own database. The saga with campaign-service is tested end to end in
//! `cli/tests/platform/saga.rs`.

mod donations;
mod expiry;
mod helpers;
mod parties;
