//! `/health/live` and `/health/ready` (docs/architecture.md, "Every service also serves").
//!
//! Live means the process answers. Ready means every dependency the service
//! was given answers too; a load balancer stops sending traffic while it is not.
//!
//! Anyone may ask, so the answer names each dependency's state and nothing
//! more: an error's text (a host name, a user, a server version) goes to the
//! log, and is shown only to staff (a staff or service token), who would read
//! the log anyway.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use crate::auth::Caller;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::{Json, Router};
use futures::future::BoxFuture;
use serde::Serialize;
use sqlx::PgPool;

/// A dependency that does not answer within this is reported down.
const CHECK_TIMEOUT: Duration = Duration::from_secs(2);

/// One dependency check: `Err` carries the reason, logged and shown to staff.
pub type Check = Arc<dyn Fn() -> BoxFuture<'static, Result<(), String>> + Send + Sync>;

#[derive(Clone, Default)]
pub struct Readiness {
    checks: Vec<(&'static str, Check)>,
}

impl std::fmt::Debug for Readiness {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<_> = self.checks.iter().map(|(n, _)| *n).collect();
        f.debug_struct("Readiness").field("checks", &names).finish()
    }
}

#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct DependencyState {
    pub status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct ReadinessReport {
    pub status: &'static str,
    pub checks: BTreeMap<&'static str, DependencyState>,
}

impl Readiness {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn with(mut self, name: &'static str, check: Check) -> Self {
        self.checks.push((name, check));
        self
    }

    /// The database answers a trivial query.
    pub fn with_database(self, pool: PgPool) -> Self {
        self.with(
            "database",
            Arc::new(move || {
                let pool = pool.clone();
                Box::pin(async move {
                    sqlx::query_scalar!("select 1 as alive")
                        .fetch_one(&pool)
                        .await
                        .map(|_| ())
                        .map_err(|e| e.to_string())
                })
            }),
        )
    }

    /// Runs every check at once, each bounded by a timeout.
    pub async fn report(&self) -> ReadinessReport {
        let results =
            futures::future::join_all(self.checks.iter().map(|(name, check)| async move {
                let state = match tokio::time::timeout(CHECK_TIMEOUT, check()).await {
                    Ok(Ok(())) => DependencyState {
                        status: "up",
                        error: None,
                    },
                    Ok(Err(error)) => DependencyState {
                        status: "down",
                        error: Some(error),
                    },
                    Err(_) => DependencyState {
                        status: "down",
                        error: Some(format!("no answer within {CHECK_TIMEOUT:?}")),
                    },
                };
                (*name, state)
            }))
            .await;
        let ready = results.iter().all(|(_, s)| s.status == "up");
        ReadinessReport {
            status: if ready { "ready" } else { "not_ready" },
            checks: results.into_iter().collect(),
        }
    }
}

impl ReadinessReport {
    /// The report as anyone but staff sees it: each state, no error text.
    pub fn without_errors(mut self) -> Self {
        for state in self.checks.values_mut() {
            state.error = None;
        }
        self
    }
}

pub fn router(readiness: Readiness) -> Router {
    Router::new()
        .route("/health/live", axum::routing::get(live))
        .route(
            "/health/ready",
            axum::routing::get(move |caller: Option<Caller>| ready(readiness.clone(), caller)),
        )
}

async fn live() -> Json<serde_json::Value> {
    Json(serde_json::json!({"status": "live"}))
}

async fn ready(readiness: Readiness, caller: Option<Caller>) -> impl IntoResponse {
    let report = readiness.report().await;
    for (name, state) in &report.checks {
        if let Some(error) = &state.error {
            tracing::warn!(dependency = name, %error, "not ready");
        }
    }
    let report = if caller.is_some_and(|c| c.is_staff()) {
        report
    } else {
        report.without_errors()
    };
    let status = if report.status == "ready" {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (
        status,
        [(axum::http::header::RETRY_AFTER, "5")],
        Json(report),
    )
}
