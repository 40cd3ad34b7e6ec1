//! A flag that code deep inside a unit of work (a request, a delivery, a
//! sweep) raises for whoever runs that unit to act on once it is done:
//! "this wrote to the outbox" (`hearth_bus::wake`), "this recorded a
//! suspension decision" ([`crate::moderation`]). Declare one with
//! `tokio::task_local!` as a `Cell<bool>`.

use std::cell::Cell;
use std::future::Future;

pub type TaskFlag = tokio::task::LocalKey<Cell<bool>>;

/// Raises `flag` for the unit of work running now; outside one, does nothing.
pub fn raise(flag: &'static TaskFlag) {
    let _ = flag.try_with(|raised| raised.set(true));
}

/// Runs `work` as a unit of work with `flag` lowered: its output, and
/// whether it raised the flag.
pub async fn watching<F: Future>(flag: &'static TaskFlag, work: F) -> (F::Output, bool) {
    flag.scope(Cell::new(false), async {
        let output = work.await;
        (output, flag.with(Cell::get))
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    tokio::task_local! {
        static FLAG: Cell<bool>;
    }

    #[tokio::test]
    async fn a_flag_raised_inside_is_seen_and_each_unit_starts_lowered() {
        assert_eq!(watching(&FLAG, async { raise(&FLAG) }).await, ((), true));
        assert_eq!(watching(&FLAG, async {}).await, ((), false));
        // Outside a unit of work, raising does nothing (and does not panic).
        raise(&FLAG);
    }
}
