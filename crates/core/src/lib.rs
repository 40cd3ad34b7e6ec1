//! The building blocks every Hearth service is made of.
//!
//! A service brings its routes, its OpenAPI document and its readiness checks;
//! this crate wraps them in the platform's conventions so that every service
//! answers errors, authenticates callers, pages lists and reports health the
//! same way (docs/api.md, "Conventions").

pub mod auth;
pub mod concurrency;
pub mod config;
pub mod db;
pub mod error;
pub mod extract;
pub mod filters;
pub mod health;
pub mod http;
pub mod idempotency;
pub mod image_url;
pub mod metrics;
pub mod migrations;
pub mod moderation;
pub mod money;
pub mod openapi;
pub mod owned;
pub mod pagination;
pub mod patch;
pub mod rate_limit;
pub mod request_context;
pub mod service_client;
pub mod status;
pub mod tables;
pub mod telemetry;
pub mod validation;
pub mod words;

pub use error::{ApiError, ApiResult};
