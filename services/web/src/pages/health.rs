//! `/health/live` and `/health/ready`, as every service serves them.
//!
//! web-service owns no database or broker. It is ready whenever it runs: a
//! backend that is down is a notice on some pages, not a reason to take the
//! whole site out of a load balancer.

use axum::Json;
use serde_json::{json, Value};

pub async fn live() -> Json<Value> {
    Json(json!({"status": "live"}))
}

pub async fn ready() -> Json<Value> {
    Json(json!({"status": "ready", "checks": {}}))
}
