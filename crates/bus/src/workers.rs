//! A service's background work: its relay, its consumer, and their cleanups.

use std::time::Duration;

use futures::future::BoxFuture;

use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::consumer::Consumer;
use crate::relay::Relay;

/// What a service runs beside its HTTP server.
#[derive(Default)]
pub struct Workers {
    pub relay: Option<Relay>,
    pub consumer: Option<Consumer>,
    /// Other loops of the service's own: sweepers, cleanups.
    pub tasks: Vec<BoxFuture<'static, ()>>,
}

impl std::fmt::Debug for Workers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Workers")
            .field("relay", &self.relay)
            .field("consumer", &self.consumer)
            .field("tasks", &self.tasks.len())
            .finish()
    }
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
        for task in self.tasks {
            let mut stop = stop.clone();
            tasks.push(tokio::spawn(async move {
                tokio::select! {
                    () = task => {}
                    _ = stop.wait_for(|stop| *stop) => {}
                }
            }));
        }
        tasks
    }
}

/// How often cleanup runs: rare enough to cost nothing, often enough that
/// each run deletes little.
pub const CLEANUP_INTERVAL: Duration = Duration::from_secs(60);
