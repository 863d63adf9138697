//! The HTTP server loop. `axum::serve` has no header timeout, no idle timeout and no limit on
//! connections: half-sent requests stayed open for good and used up file descriptors the index
//! and the database needed. Here every connection is HTTP/1.1 through hyper with a timer, so a
//! connection that does not finish its headers in time (or sits idle between requests) is
//! closed, and connections beyond the cap are answered 503 at once and closed.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

use crate::config::Limits;

/// How long shutdown waits for requests in flight before it drops them.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(30);

/// Sent to a connection over the cap: a client learns why instead of seeing a reset.
fn over_capacity() -> Vec<u8> {
    let body = r#"{"errors":[{"message":"too many open connections; try again shortly","extensions":{"code":"SERVICE_UNAVAILABLE"}}]}"#;
    format!(
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\nconnection: close\r\n\
         retry-after: 1\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// The connection cap actually used: the configured one, but never more than the process may
/// open beside the files the index and the database keep open.
pub fn effective_max_connections(configured: usize) -> usize {
    let soft = raise_file_limit();
    // A quarter of the descriptors stay for tantivy's segment files, SQLite, blobs and logs.
    let room = (soft.saturating_mul(3) / 4).max(64) as usize;
    configured.clamp(1, room)
}

/// Raises the soft limit on open files to the hard one (the soft default is often 1,024) and
/// returns the limit in force.
fn raise_file_limit() -> u64 {
    use rustix::process::{getrlimit, setrlimit, Resource, Rlimit};
    let lim = getrlimit(Resource::Nofile);
    let hard = lim.maximum;
    if let (Some(cur), Some(max)) = (lim.current, hard) {
        if cur < max {
            let raised = Rlimit {
                current: Some(max),
                maximum: Some(max),
            };
            if setrlimit(Resource::Nofile, raised).is_ok() {
                return max;
            }
        }
    }
    lim.current.unwrap_or(1024)
}

/// Serves `router` on `listener` until `shutdown` completes, then lets requests in flight finish
/// (up to [`SHUTDOWN_GRACE`]).
pub async fn serve(
    listener: TcpListener,
    router: axum::Router,
    limits: &Limits,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let max = effective_max_connections(limits.max_connections);
    let slots = Arc::new(Semaphore::new(max));
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let header_timeout = limits.header_read_timeout;
    let refusal = over_capacity();
    tokio::pin!(shutdown);
    loop {
        let (stream, _peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(c) => c,
                Err(e) => {
                    // Out of descriptors (EMFILE) or a connection reset before accept: wait a
                    // moment instead of spinning, then go on serving.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let Ok(slot) = slots.clone().try_acquire_owned() else {
            tracing::warn!(max, "connection refused: too many open connections");
            // Best effort and never blocking: the socket's send buffer is empty.
            let _ = stream.try_write(&refusal);
            drop(stream);
            continue;
        };
        let _ = stream.set_nodelay(true);
        let service = TowerToHyperService::new(router.clone());
        let conn = http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(header_timeout)
            .serve_connection(TokioIo::new(stream), service);
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            // Timeouts and resets end connections all the time; nothing to report.
            let _ = conn.await;
            drop(slot);
        });
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(SHUTDOWN_GRACE) => {
            tracing::warn!("requests still running after the shutdown grace period were dropped");
        }
    }
    Ok(())
}
