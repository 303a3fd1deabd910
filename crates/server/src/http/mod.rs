//! Serves HTTP/1.1 connections with hyper directly, so that slow and idle clients
//! are cut off: poem's `Server` builds its hyper connection privately and offers only
//! a coarse inactivity timeout, so no header timeout is reachable through it.
//!
//! Each connection gets a [`HeadWatch`] (when a head is awaited, until when) that
//! hyper feeds through its header-read timer and the service feeds as each request
//! starts, and a [`GuardedIo`] around the socket that enforces the deadline (408 for
//! a head begun but not finished; a silent close for a connection that never began
//! one or stayed idle) and gives hyper's bare 400/431 answers the error shape. The
//! body timeout is a middleware of the api crate, since only a handler reads bodies.
//! WebSocket upgrades keep working (`with_upgrades`); an upgraded connection never
//! waits for a head again, so none of this touches it.
//!
//! Why the reader enforces the deadline rather than the sleep handed to hyper
//! (which would be simpler): when hyper's header timer fires, hyper drops the
//! connection without writing anything, and a client that began a request is owed a
//! 408. Known limits: a partial head that arrived together with the previous request
//! (pipelining) counts as idle until more of it comes, so it gets the idle timeout;
//! a client that stops reading its answer is not timed here.
//!
//! HTTP/1.1 only: confab sits behind a TLS-terminating proxy, which speaks HTTP/1.1
//! to its upstream (and HTTP/2 to browsers). Plain-text HTTP/2 (h2c), which poem also
//! accepted, has no head to time and is not offered.

mod answers;
mod guarded_io;
mod head_watch;

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use poem::endpoint::BoxEndpoint;
use poem::http::uri::Scheme;
use poem::web::{LocalAddr, RemoteAddr};
use poem::{Addr, Endpoint, Response};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinSet;

use self::guarded_io::GuardedIo;
use self::head_watch::{HeadWaitTimer, HeadWatch};
use crate::config::HttpTimeouts;

/// The largest request head (request line and header fields) accepted: 431 above.
pub const MAX_HEAD_BYTES: usize = 64 * 1024;
/// The most header fields a request may have: 431 above.
pub const MAX_HEADER_FIELDS: usize = 100;
/// How long requests in flight may take to finish after a shutdown signal.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);
/// The pause after a failed `accept` (out of file descriptors), so the loop does
/// not spin while connections close.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);

/// The whole application, shared by every connection.
type App = Arc<BoxEndpoint<'static, Response>>;

/// Serves `app` on `listener` until `shutdown` resolves; then stops accepting, lets
/// the requests in flight finish for up to 10 s, and closes what is left.
pub async fn serve(
    listener: TcpListener,
    app: BoxEndpoint<'static, Response>,
    timeouts: HttpTimeouts,
    shutdown: impl Future<Output = ()>,
) {
    let app: App = Arc::new(app);
    let (stopping, stop) = watch::channel(false);
    let mut connections = JoinSet::new();
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            () = &mut shutdown => break,
            Some(done) = connections.join_next(), if !connections.is_empty() => {
                if let Err(error) = done && error.is_panic() {
                    tracing::error!(%error, "a connection task panicked");
                }
            }
            accepted = listener.accept() => match accepted {
                Ok((stream, remote)) => {
                    let connection = Connection { app: Arc::clone(&app), timeouts, remote };
                    connections.spawn(connection.serve(stream, stop.clone()));
                }
                Err(error) => {
                    tracing::warn!(%error, "cannot accept a connection");
                    tokio::time::sleep(ACCEPT_BACKOFF).await;
                }
            },
        }
    }
    drop(listener);
    let _ = stopping.send(true);
    let drained = tokio::time::timeout(SHUTDOWN_GRACE, async {
        while connections.join_next().await.is_some() {}
    })
    .await;
    if drained.is_err() {
        tracing::warn!(
            open = connections.len(),
            "requests still running after the grace period; closing their connections"
        );
        connections.shutdown().await;
    }
}

/// One accepted connection.
struct Connection {
    app: App,
    timeouts: HttpTimeouts,
    remote: SocketAddr,
}

impl Connection {
    /// Serves requests until the client leaves, a timeout closes the connection, or
    /// `stop` turns true (then the request in flight finishes first).
    async fn serve(self, stream: TcpStream, mut stop: watch::Receiver<bool>) {
        // Small answers go out at once rather than waiting for more to send.
        let _ = stream.set_nodelay(true);
        let local = stream.local_addr().ok();
        let watch = HeadWatch::new(self.timeouts.header, self.timeouts.idle);
        let io = TokioIo::new(GuardedIo::new(stream, Arc::clone(&watch)));
        let service = {
            let watch = Arc::clone(&watch);
            let local = LocalAddr(local.map_or_else(Addr::default, Addr::SocketAddr));
            let remote = RemoteAddr(Addr::SocketAddr(self.remote));
            let app = self.app;
            service_fn(move |request: hyper::Request<Incoming>| {
                watch.head_received();
                let request =
                    poem::Request::from((request, local.clone(), remote.clone(), Scheme::HTTP));
                let app = Arc::clone(&app);
                async move {
                    let response = app.get_response(request).await;
                    Ok::<_, Infallible>(hyper::Response::from(response))
                }
            })
        };
        let mut http = http1::Builder::new();
        http.timer(HeadWaitTimer::new(Arc::clone(&watch)))
            .header_read_timeout(watch.backstop())
            .max_headers(MAX_HEADER_FIELDS)
            .max_header_size(MAX_HEAD_BYTES);
        let connection = http.serve_connection(io, service).with_upgrades();
        tokio::pin!(connection);
        let stopping = async {
            // The guard `wait_for` returns is not `Send`: drop it here.
            let _ = stop.wait_for(|stopping| *stopping).await;
        };
        let result = tokio::select! {
            result = connection.as_mut() => result,
            () = stopping => {
                connection.as_mut().graceful_shutdown();
                connection.await
            }
        };
        if let Err(error) = result {
            tracing::debug!(%error, remote = %self.remote, "connection ended with an error");
        }
    }
}
