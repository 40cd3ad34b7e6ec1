//! Accepting and serving connections, with the limits `axum::serve` lacks.
//!
//! - **Header timeout.** A connection that has not sent a request's complete
//!   headers within `HTTP_HEADER_TIMEOUT` is closed (hyper's
//!   `header_read_timeout`). The clock also runs while a keep-alive
//!   connection waits for its next request, so an idle connection is closed
//!   after the same time: neither a slow sender nor an idle client holds a
//!   connection for long.
//! - **Connection cap.** At most `HTTP_MAX_CONNECTIONS` are served at once.
//!   At the cap the server stops accepting: further connections wait in the
//!   kernel's backlog (and, once it is full, their SYNs go unanswered and are
//!   retried by the client's kernel) until one closes. Waiting rather than
//!   closing them means a burst is served late instead of refused, while a
//!   flood of connections costs the process nothing.
//! - **HTTP/1.1 only**, as before: TLS and HTTP/2 towards clients end at the
//!   load balancer in front of the service.
//!
//! Shutdown is graceful: the listener is closed, idle connections are closed,
//! and requests in flight finish (each is bounded by `HTTP_REQUEST_TIMEOUT`).

use std::future::Future;
use std::num::NonZeroUsize;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// How the edge holds connections; see the module's docs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnectionLimits {
    pub header_timeout: Duration,
    pub max_connections: NonZeroUsize,
}

impl From<&crate::config::HttpConfig> for ConnectionLimits {
    fn from(http: &crate::config::HttpConfig) -> Self {
        Self {
            header_timeout: http.header_timeout,
            max_connections: http.max_connections,
        }
    }
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        Self {
            header_timeout: Duration::from_secs(10),
            max_connections: crate::config::DEFAULT_MAX_CONNECTIONS,
        }
    }
}

/// Serves `router` on `listener` until `shutdown` completes, with the
/// default [`ConnectionLimits`]; in-flight requests finish first. Taking a
/// bound listener lets tests use port 0.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    serve_with(listener, router, shutdown, ConnectionLimits::default()).await
}

/// [`serve`] with the limits of the service's settings
/// ([`crate::config::HttpConfig::connection_limits`]).
pub async fn serve_with(
    listener: TcpListener,
    router: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
    limits: ConnectionLimits,
) -> std::io::Result<()> {
    let slots = Arc::new(Semaphore::new(limits.max_connections.get()));
    let graceful = GracefulShutdown::new();
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout);
    tokio::pin!(shutdown);
    loop {
        let accepted = tokio::select! {
            biased;
            () = &mut shutdown => break,
            accepted = accept_within_cap(&listener, &slots) => accepted,
        };
        let Some((stream, slot)) = accepted else {
            continue;
        };
        let connection = http.serve_connection(
            TokioIo::new(stream),
            TowerToHyperService::new(router.clone()),
        );
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(err) = connection.await {
                // A client that went away or was too slow: theirs, not ours.
                tracing::debug!(error = %err, "connection ended with an error");
            }
            drop(slot);
        });
    }
    drop(listener);
    graceful.shutdown().await;
    Ok(())
}

/// Waits for a free slot, then for a connection. `None` after an accept
/// error, which is logged (and, when it is the process running out of
/// something, waited out rather than retried in a busy loop).
async fn accept_within_cap(
    listener: &TcpListener,
    slots: &Arc<Semaphore>,
) -> Option<(TcpStream, OwnedSemaphorePermit)> {
    // The semaphore is never closed, so this cannot fail.
    let slot = Arc::clone(slots).acquire_owned().await.ok()?;
    match listener.accept().await {
        Ok((stream, _peer)) => Some((stream, slot)),
        Err(err) if is_connection_error(&err) => None,
        Err(err) => {
            tracing::error!(error = %err, "accepting a connection failed; pausing a second");
            tokio::time::sleep(Duration::from_secs(1)).await;
            None
        }
    }
}

/// An error of one connection (it was reset before we accepted it), not of
/// the listener.
fn is_connection_error(err: &std::io::Error) -> bool {
    matches!(
        err.kind(),
        std::io::ErrorKind::ConnectionRefused
            | std::io::ErrorKind::ConnectionAborted
            | std::io::ErrorKind::ConnectionReset
    )
}
