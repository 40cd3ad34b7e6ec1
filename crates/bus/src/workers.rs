//! A service's background work: its relay, its consumer, and their cleanups.

use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::consumer::Consumer;
use crate::relay::Relay;

/// What a service runs beside its HTTP server.
#[derive(Debug, Default)]
pub struct Workers {
    pub relay: Option<Relay>,
    pub consumer: Option<Consumer>,
}

impl Workers {
    /// Starts every worker; each stops when `stop` turns true.
    pub fn spawn(self, stop: &watch::Receiver<bool>) -> Vec<JoinHandle<()>> {
        let mut tasks = Vec::new();
        if let Some(relay) = self.relay {
            tasks.push(tokio::spawn(relay.run(stop.clone())));
        }
        if let Some(consumer) = self.consumer {
            tasks.push(tokio::spawn(consumer.run(stop.clone())));
        }
        tasks
    }
}

/// How often cleanup runs: rare enough to cost nothing, often enough that
/// each run deletes little.
pub const CLEANUP_INTERVAL: Duration = Duration::from_secs(60);
