//! The HTTP server loop. `axum::serve` has no header timeout, no idle timeout and no limit on
//! connections: half-sent requests stayed open for good and used up file descriptors the index
//! and the database needed. Here every connection is HTTP/1.1 through hyper with a timer, so a
//! connection that does not finish its headers in time (or sits idle between requests) is
//! closed, and connections beyond the cap are answered 503 at once and closed.

use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
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

/// Longest a closed connection goes on reading what the client still sends.
const LINGER_FOR: Duration = Duration::from_secs(5);
/// A lingering close stops once the client has sent nothing for this long.
const LINGER_IDLE: Duration = Duration::from_secs(1);
/// Most bytes a lingering close reads and throws away.
const LINGER_BYTES: usize = 64 * 1024 * 1024;

/// A connection's socket that closes the way nginx's `lingering_close` does. A refusal (413,
/// a multipart without its preflight header) is answered before the client has sent its whole
/// body; closing a socket with unread bytes makes the kernel send a reset, and a reset that
/// arrives before the client has read the answer makes it discard the answer: browsers and
/// Node's `fetch` then report a network failure instead of the coded error. So when hyper is
/// done with the socket (it has shut the sending side, so the client sees the end of the
/// answer), the rest of what the client sends is read and thrown away, within bounds of time
/// and bytes, before the socket is closed.
struct Lingering {
    stream: Option<tokio::net::TcpStream>,
    slot: Option<tokio::sync::OwnedSemaphorePermit>,
    /// Set by [`track_bodies`] when the last request was answered with its body unread.
    unread: Arc<AtomicBool>,
}

impl Lingering {
    fn new(
        stream: tokio::net::TcpStream,
        slot: tokio::sync::OwnedSemaphorePermit,
        unread: Arc<AtomicBool>,
    ) -> Self {
        Self {
            stream: Some(stream),
            slot: Some(slot),
            unread,
        }
    }

    /// Runs one poll of the socket; a socket already handed to its lingering close is not
    /// connected any more.
    fn poll_with<T>(
        self: std::pin::Pin<&mut Self>,
        poll: impl FnOnce(
            std::pin::Pin<&mut tokio::net::TcpStream>,
        ) -> std::task::Poll<std::io::Result<T>>,
    ) -> std::task::Poll<std::io::Result<T>> {
        match self.get_mut().stream.as_mut() {
            Some(s) => poll(std::pin::Pin::new(s)),
            None => std::task::Poll::Ready(Err(std::io::ErrorKind::NotConnected.into())),
        }
    }
}

impl tokio::io::AsyncRead for Lingering {
    fn poll_read(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        self.poll_with(|s| s.poll_read(cx, buf))
    }
}

impl tokio::io::AsyncWrite for Lingering {
    fn poll_write(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &[u8],
    ) -> std::task::Poll<std::io::Result<usize>> {
        self.poll_with(|s| s.poll_write(cx, buf))
    }

    fn poll_flush(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        self.poll_with(|s| s.poll_flush(cx))
    }

    fn poll_shutdown(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        self.poll_with(|s| s.poll_shutdown(cx))
    }
}

impl Drop for Lingering {
    fn drop(&mut self) {
        let (Some(stream), slot) = (self.stream.take(), self.slot.take()) else {
            return;
        };
        // Only a connection whose last request was answered before its body was read needs
        // the lingering close: with nothing left to come, closing sends no reset, and an idle
        // connection gives its place back at once.
        if !self.unread.load(Ordering::Relaxed) {
            return;
        }
        // Without a runtime (the process is ending) the socket simply closes.
        if let Ok(rt) = tokio::runtime::Handle::try_current() {
            rt.spawn(async move {
                linger(stream).await;
                drop(slot);
            });
        }
    }
}

/// A request body that records whether it was read to its end.
struct TrackedBody {
    inner: hyper::body::Incoming,
    ended: Arc<AtomicBool>,
}

impl hyper::body::Body for TrackedBody {
    type Data = hyper::body::Bytes;
    type Error = hyper::Error;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<hyper::body::Frame<Self::Data>, Self::Error>>> {
        let polled = std::pin::Pin::new(&mut self.inner).poll_frame(cx);
        if matches!(polled, std::task::Poll::Ready(None)) || self.inner.is_end_stream() {
            self.ended.store(true, Ordering::Relaxed);
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> hyper::body::SizeHint {
        self.inner.size_hint()
    }
}

/// The router as one connection's service: each request's body is tracked, and `unread` says
/// after each answer whether that request's body was left unread (a refusal sent early).
fn track_bodies(
    router: axum::Router,
    unread: Arc<AtomicBool>,
) -> impl hyper::service::Service<
    hyper::Request<hyper::body::Incoming>,
    Response = axum::response::Response,
    Error = std::convert::Infallible,
    Future = impl Future<Output = Result<axum::response::Response, std::convert::Infallible>> + Send,
> + Clone {
    hyper::service::service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
        let router = router.clone();
        let unread = unread.clone();
        async move {
            let (parts, body) = req.into_parts();
            let ended = Arc::new(AtomicBool::new(hyper::body::Body::is_end_stream(&body)));
            let body = TrackedBody {
                inner: body,
                ended: ended.clone(),
            };
            let req = hyper::Request::from_parts(parts, axum::body::Body::new(body));
            let resp = tower::ServiceExt::oneshot(router, req).await;
            unread.store(!ended.load(Ordering::Relaxed), Ordering::Relaxed);
            resp
        }
    })
}

async fn linger(mut stream: tokio::net::TcpStream) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    // Usually done by hyper already; a second shutdown is harmless.
    let _ = stream.shutdown().await;
    let deadline = tokio::time::Instant::now() + LINGER_FOR;
    let mut buf = vec![0u8; 64 * 1024];
    let mut seen = 0usize;
    while seen < LINGER_BYTES {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        match tokio::time::timeout(left.min(LINGER_IDLE), stream.read(&mut buf)).await {
            Ok(Ok(n)) if n > 0 => seen += n,
            // The client closed its side, failed, went quiet, or the time is up.
            _ => break,
        }
    }
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
    // Graceful shutdown by hand: hyper-util's `GracefulShutdown` does not take connections that
    // may be upgraded (WebSockets).
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
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
        let unread = Arc::new(AtomicBool::new(false));
        let service = track_bodies(router.clone(), unread.clone());
        // The connection's place under the cap is given back when its lingering close ends (or,
        // for a WebSocket, when the socket is dropped).
        let io = Lingering::new(stream, slot, unread);
        let mut stop = stop_rx.clone();
        tokio::spawn(async move {
            let conn = http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(header_timeout)
                .serve_connection(TokioIo::new(io), service)
                .with_upgrades();
            tokio::pin!(conn);
            // Timeouts and resets end connections all the time; nothing to report.
            tokio::select! {
                _ = conn.as_mut() => return,
                _ = stop.wait_for(|stopping| *stopping) => {}
            }
            conn.as_mut().graceful_shutdown();
            let _ = conn.await;
        });
    }
    drop(listener);
    let _ = stop_tx.send(true);
    // Every place under the cap back means every connection has ended.
    tokio::select! {
        _ = slots.acquire_many(max as u32) => {}
        () = tokio::time::sleep(SHUTDOWN_GRACE) => {
            tracing::warn!("requests still running after the shutdown grace period were dropped");
        }
    }
    Ok(())
}
