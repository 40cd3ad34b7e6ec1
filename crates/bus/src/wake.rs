//! How a commit wakes the outbox relay.
//!
//! The relay `LISTEN`s on `<schema>_outbox`. A `NOTIFY` inside the writing
//! transaction (a trigger on the outbox) would be simplest, but PostgreSQL
//! holds one cluster-wide lock from a notifying transaction's commit until its
//! commit record is on disk, so notifying transactions never share a flush:
//! every service's event-writing commits would queue behind one another's
//! fsync. So the writing transaction only inserts its outbox row, and once it
//! has committed, a separate `select pg_notify(..)` (no write, no flush) wakes
//! the relay of whichever instance leads.
//!
//! Who commits knows whether the outbox was written: [`crate::outbox::Row::of`]
//! marks the task's current unit of work, and the places work commits — the
//! HTTP layer ([`wake_after_request`]), the consumer runner and the sweepers
//! ([`Waker::after`]) — wake the relay after it, when it was marked. A missed
//! wake-up only costs time: the relay also polls.

use std::cell::Cell;
use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use sqlx::PgPool;

tokio::task_local! {
    /// Set when the current unit of work added a row to the outbox.
    static WROTE_OUTBOX: Cell<bool>;
}

/// Notes that the current unit of work wrote to the outbox (outside one, does nothing).
pub(crate) fn outbox_written() {
    let _ = WROTE_OUTBOX.try_with(|wrote| wrote.set(true));
}

/// Wakes the relay of one service's outbox (the schema on its pool's
/// `search_path`), sending at most one `NOTIFY` at a time: wake-ups asked for
/// while one is on its way are folded into the next.
#[derive(Debug, Clone)]
pub struct Waker {
    pool: PgPool,
    pending: Arc<AtomicBool>,
}

impl Waker {
    pub fn new(pool: PgPool) -> Self {
        Self {
            pool,
            pending: Arc::default(),
        }
    }

    /// Runs `work`, which commits what it writes; if it wrote to the outbox,
    /// wakes the relay once it is done.
    pub async fn after<F: Future>(&self, work: F) -> F::Output {
        let (output, wrote) = WROTE_OUTBOX
            .scope(Cell::new(false), async {
                let output = work.await;
                (output, WROTE_OUTBOX.with(Cell::get))
            })
            .await;
        if wrote {
            self.wake();
        }
        output
    }

    /// Sends a `NOTIFY` in the background, unless one is about to be sent.
    pub fn wake(&self) {
        if self.pending.swap(true, Ordering::AcqRel) {
            return;
        }
        let this = self.clone();
        tokio::spawn(async move {
            // Cleared before sending: whoever asks from now on is covered by
            // this NOTIFY or starts another.
            this.pending.store(false, Ordering::Release);
            if let Err(err) = notify(&this.pool).await {
                tracing::debug!(error = %err, "could not wake the relay; it will poll");
            }
        });
    }
}

/// Wakes the relay of the outbox on `pool`'s `search_path` now.
pub async fn notify(pool: &PgPool) -> sqlx::Result<()> {
    sqlx::query("select pg_notify(current_schema() || '_outbox', '')")
        .execute(pool)
        .await?;
    Ok(())
}

/// Middleware: wakes the relay after a request whose handler wrote to the
/// outbox (handlers commit before they answer).
pub async fn wake_after_request(
    State(waker): State<Waker>,
    request: Request,
    next: Next,
) -> Response {
    waker.after(next.run(request)).await
}
