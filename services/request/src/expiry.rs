//! Expires open requests whose `needed_by` has passed. Several instances may
//! sweep at once: each locks the rows it takes and skips the ones another holds.
//! Pledges already accepted stay as they are: the donors may still deliver.

use std::time::Duration;

use hearth_bus::unit_of_work::UnitOfWork;
use hearth_bus::wake::Waker;
use hearth_events::EventContext;
use sqlx::PgPool;

use crate::{db, transitions};

/// Requests expired per transaction.
const BATCH: i64 = 200;
/// `needed_by` is a date a person picked; a few seconds late is on time.
const INTERVAL: Duration = Duration::from_secs(5);

pub async fn sweep_forever(pool: PgPool, waker: Waker) {
    loop {
        match sweep(&pool, &waker).await {
            Ok(0) => {}
            Ok(expired) => tracing::info!(expired, "expired requests past their needed_by"),
            Err(err) => tracing::warn!(error = %err, "request expiry sweep failed"),
        }
        tokio::time::sleep(INTERVAL).await;
    }
}

/// Expires every overdue open request now; returns how many.
pub async fn sweep(pool: &PgPool, waker: &Waker) -> sqlx::Result<usize> {
    let mut total = 0;
    loop {
        let mut tx = UnitOfWork::begin(pool, waker).await?;
        let overdue = db::lock_overdue(&mut tx, BATCH).await?;
        for request in &overdue {
            transitions::expire(&mut tx, request, &EventContext::default()).await?;
        }
        tx.commit().await?;
        total += overdue.len();
        if (overdue.len() as i64) < BATCH {
            return Ok(total);
        }
    }
}
