//! Expires donations that no saga answer reached within
//! `DONATION_PENDING_TIMEOUT`. Several instances may sweep at once: each
//! locks the rows it takes and skips the ones another holds.

use std::time::Duration;

use hearth_bus::unit_of_work::UnitOfWork;
use hearth_bus::wake::Waker;
use hearth_events::EventContext;
use sqlx::PgPool;

use crate::domain::Action;
use crate::{db, transitions};

/// Donations expired per transaction.
const BATCH: i64 = 200;

/// Sweeps for as long as it runs, looking every `timeout / 4` (at most every second).
pub async fn sweep_forever(pool: PgPool, waker: Waker, timeout: Duration) {
    let interval = (timeout / 4).clamp(Duration::from_millis(100), Duration::from_secs(1));
    loop {
        match sweep(&pool, &waker, timeout).await {
            Ok(0) => {}
            Ok(expired) => tracing::info!(expired, "expired donations no answer reached"),
            Err(err) => tracing::warn!(error = %err, "expiry sweep failed"),
        }
        tokio::time::sleep(interval).await;
    }
}

/// Expires every overdue donation now; returns how many.
pub async fn sweep(pool: &PgPool, waker: &Waker, timeout: Duration) -> sqlx::Result<usize> {
    let mut total = 0;
    loop {
        let mut tx = UnitOfWork::begin(pool, waker).await?;
        let overdue = db::lock_overdue(&mut tx, timeout, BATCH).await?;
        // Every row taken is pending, which always expires.
        for (donation, to) in overdue
            .iter()
            .filter_map(|d| Some((d, d.after(Action::Expire)?)))
        {
            transitions::expire(&mut tx, donation, to, &EventContext::default()).await?;
        }
        tx.commit().await?;
        total += overdue.len();
        if (overdue.len() as i64) < BATCH {
            return Ok(total);
        }
    }
}
