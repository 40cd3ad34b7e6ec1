//! How a service's background workers (its relay and consumer) pace their
//! chores and stop: what they share, apart from [`crate::workers`], which
//! starts them.

use std::time::Duration;

use tokio::sync::watch;

/// How long a worker asked to stop may take to stop cleanly (settle what
/// it published, close its channels) before it is dropped where it is.
pub const STOP_GRACE: Duration = Duration::from_secs(5);

/// Returns once `stop` turned true (or its sender is gone).
pub async fn stopped(stop: &mut watch::Receiver<bool>) {
    // The guard `wait_for` answers is not `Send`: let it go at once.
    let _ = stop.wait_for(|stop| *stop).await;
}

/// Returns [`STOP_GRACE`] after `stop` turned true.
pub async fn grace_after(stop: &mut watch::Receiver<bool>) {
    stopped(stop).await;
    tokio::time::sleep(STOP_GRACE).await;
}

/// How often cleanup runs: rare enough to cost nothing, often enough that
/// each run deletes little.
pub const CLEANUP_INTERVAL: Duration = Duration::from_secs(60);
