//! A service's background work: its relay, its consumer, and their cleanups.

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
    /// Starts every worker; each stops when `stop` turns true. Once the
    /// relay and the consumer have stopped (their channels closed), the last
    /// handle closes their broker connection.
    pub fn spawn(self, stop: &watch::Receiver<bool>) -> Vec<JoinHandle<()>> {
        let link = self
            .relay
            .as_ref()
            .map(|r| r.link().clone())
            .or_else(|| self.consumer.as_ref().map(|c| c.link().clone()));
        let mut brokered = Vec::new();
        let mut tasks = Vec::new();
        if let Some(relay) = self.relay {
            brokered.push(tokio::spawn(relay.run(stop.clone())));
        }
        if let Some(consumer) = self.consumer {
            brokered.push(tokio::spawn(consumer.run(stop.clone())));
        }
        if let Some(link) = link {
            tasks.push(tokio::spawn(async move {
                let mut panicked = None;
                for worker in brokered {
                    if let Err(err) = worker.await {
                        panicked = panicked.or(err.try_into_panic().ok());
                    }
                }
                link.close().await;
                // A worker's panic still reaches whoever waits for the workers.
                if let Some(panic) = panicked {
                    std::panic::resume_unwind(panic);
                }
            }));
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
