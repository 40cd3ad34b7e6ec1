//! The service's link to RabbitMQ.
//!
//! The link connects in the background and reconnects with growing backoff
//! when the connection drops, so a broker that is down at start or restarts
//! later never stops the service: writes go on into the outbox, and
//! `/health/ready` says what is wrong until the broker is back. The relay and
//! the consumers open their channels on the link's current connection and
//! come back through [`BrokerLink::channel`] after a loss.

use std::sync::Arc;
use std::time::Duration;

use hearth_core::health::Check;
use lapin::{Channel, Connection, ConnectionProperties};
use tokio::sync::watch;
use tokio::task::JoinHandle;

const FIRST_RETRY: Duration = Duration::from_millis(250);
const LONGEST_RETRY: Duration = Duration::from_secs(10);
/// How often a live connection is looked at; lapin notices a closed socket at once,
/// and a silent one by its heartbeat.
const WATCH_INTERVAL: Duration = Duration::from_millis(200);

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkState {
    Connecting,
    Up,
    Down(String),
}

/// A background connection to RabbitMQ. Cheap to clone; the last clone
/// dropped stops it.
#[derive(Debug, Clone)]
pub struct BrokerLink {
    state: watch::Receiver<LinkState>,
    connection: watch::Receiver<Option<Arc<Connection>>>,
    /// The broker user the link logs in as: what RabbitMQ checks every
    /// publish's `user_id` against.
    user: Arc<str>,
    _task: Arc<AbortOnDrop>,
}

#[derive(Debug)]
struct AbortOnDrop(JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

impl BrokerLink {
    /// Starts connecting to `url` in the background.
    pub fn spawn(url: String) -> Self {
        let (state_tx, state) = watch::channel(LinkState::Connecting);
        let (connection_tx, connection) = watch::channel(None);
        let user = hearth_core::config::rabbitmq_user(&url).into();
        let task = tokio::spawn(stay_connected(url, state_tx, connection_tx));
        Self {
            state,
            connection,
            user,
            _task: Arc::new(AbortOnDrop(task)),
        }
    }

    /// The broker user this link connects as; every publish on it carries
    /// it as `user_id`.
    pub fn user(&self) -> &str {
        &self.user
    }

    pub fn state(&self) -> LinkState {
        self.state.borrow().clone()
    }

    /// Waits until the link is up, or `timeout` passes.
    pub async fn wait_until_up(&self, timeout: Duration) -> bool {
        let mut state = self.state.clone();
        tokio::time::timeout(timeout, state.wait_for(|s| *s == LinkState::Up))
            .await
            .is_ok_and(|r| r.is_ok())
    }

    /// A new channel on the current connection, waiting for one if the broker
    /// is away. `None` once the link has stopped.
    pub async fn channel(&self) -> Option<lapin::Result<Channel>> {
        let mut connection = self.connection.clone();
        let current = connection
            .wait_for(|c| c.as_ref().is_some_and(|c| c.status().connected()))
            .await
            .ok()?
            .clone()?;
        Some(current.create_channel().await)
    }

    /// Stops reconnecting and closes the connection, as a stopping service
    /// does once its relay and consumers have stopped: a connection left
    /// open would be torn down with the runtime, and lapin would log that as
    /// an error.
    pub async fn close(&self) {
        self._task.0.abort();
        let current = self.connection.borrow().clone();
        if let Some(connection) = current {
            if connection.status().connected() {
                if let Err(err) = connection.close(200, "the service is stopping").await {
                    tracing::debug!(error = %err, "closing the broker connection");
                }
            }
        }
    }

    /// The readiness check: up, or down with the reason.
    pub fn check(&self) -> Check {
        let link = self.clone();
        Arc::new(move || {
            let state = link.state();
            Box::pin(async move {
                match state {
                    LinkState::Up => Ok(()),
                    LinkState::Connecting => Err("connecting to RabbitMQ".to_owned()),
                    LinkState::Down(reason) => Err(reason),
                }
            })
        })
    }
}

async fn stay_connected(
    url: String,
    state: watch::Sender<LinkState>,
    current: watch::Sender<Option<Arc<Connection>>>,
) {
    let mut delay = FIRST_RETRY;
    loop {
        match connect(&url).await {
            Ok(connection) => {
                tracing::info!("connected to RabbitMQ");
                delay = FIRST_RETRY;
                let connection = Arc::new(connection);
                current.send_replace(Some(connection.clone()));
                state.send_replace(LinkState::Up);
                while connection.status().connected() {
                    tokio::time::sleep(WATCH_INTERVAL).await;
                }
                current.send_replace(None);
                tracing::warn!("lost the connection to RabbitMQ; reconnecting");
                state.send_replace(LinkState::Down(
                    "the connection to RabbitMQ was lost".into(),
                ));
            }
            Err(err) => {
                tracing::warn!(error = %err, retry_in = ?delay, "cannot reach RabbitMQ");
                state.send_replace(LinkState::Down(format!("cannot reach RabbitMQ: {err}")));
            }
        }
        tokio::time::sleep(delay).await;
        delay = (delay * 2).min(LONGEST_RETRY);
    }
}

async fn connect(url: &str) -> lapin::Result<Connection> {
    let properties = ConnectionProperties::default()
        .with_executor(tokio_executor_trait::Tokio::current())
        .with_reactor(tokio_reactor_trait::Tokio);
    Connection::connect(url, properties).await
}
