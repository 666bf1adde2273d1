//! The HTTP server: a plain accept loop over hyper so that faults can close a
//! connection without answering, with an axum router inside.

pub(crate) mod handlers;
pub(crate) mod operator;
pub(crate) mod state;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::any;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::Notify;
use tokio::sync::oneshot;
use tokio_util::sync::CancellationToken;
use tower::ServiceExt;

use handlers::ConnCtx;
use state::{Endpoint, Shared};

/// A bound, serving emulator.
pub(crate) struct Running {
    pub shared: Arc<Shared>,
    pub cancel: CancellationToken,
    /// Resolves when the server thread has stopped.
    pub done: oneshot::Receiver<()>,
}

/// Builds the router over `shared`.
pub(crate) fn router(shared: Arc<Shared>) -> Router {
    let mut r: Router<Arc<Shared>> = Router::new();
    for ep in Endpoint::ALL {
        r = r.route(ep.path(), any(handlers::cgi));
    }
    r.merge(operator::routes())
        .fallback(|| async { (StatusCode::NOT_FOUND, "404 page not found").into_response() })
        .with_state(shared)
}

/// Serves `shared` on an already bound listener, on a dedicated thread with its
/// own tokio runtime (so the server keeps answering whatever the caller's thread
/// or runtime does, blocking calls included), until `cancel` fires.
pub(crate) fn spawn(listener: std::net::TcpListener, shared: Arc<Shared>) -> std::io::Result<Running> {
    listener.set_nonblocking(true)?;
    let cancel = CancellationToken::new();
    let (done_tx, done) = oneshot::channel();
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let app = router(Arc::clone(&shared));
    let stop = cancel.clone();
    let background = Arc::clone(&shared);
    std::thread::Builder::new().name("wecom-emulator".into()).spawn(move || {
        rt.block_on(async move {
            // Pushes and activity live on the server's runtime and stop with it.
            tokio::spawn(crate::push::dispatcher(Arc::clone(&background.pusher)));
            tokio::spawn(crate::activity::run(background));
            match TcpListener::from_std(listener) {
                Ok(l) => accept_loop(l, app, stop).await,
                Err(e) => tracing::error!("cannot serve: {e}"),
            }
        });
        // Dropping the runtime closes every remaining connection.
        drop(rt);
        let _ = done_tx.send(());
    })?;
    Ok(Running { shared, cancel, done })
}

async fn accept_loop(listener: TcpListener, app: Router, cancel: CancellationToken) {
    loop {
        let (stream, peer) = tokio::select! {
            _ = cancel.cancelled() => break,
            r = listener.accept() => match r {
                Ok(x) => x,
                Err(e) => {
                    tracing::warn!("accept failed: {e}");
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                }
            },
        };
        let _ = stream.set_nodelay(true);
        let app = app.clone();
        let cancel = cancel.clone();
        tokio::spawn(async move {
            let kill = Arc::new(Notify::new());
            let ctx = ConnCtx { peer: peer.ip(), kill: Arc::clone(&kill) };
            let svc = hyper::service::service_fn(move |mut req: hyper::Request<hyper::body::Incoming>| {
                req.extensions_mut().insert(ctx.clone());
                app.clone().oneshot(req.map(Body::new))
            });
            let conn =
                hyper::server::conn::http1::Builder::new().keep_alive(true).serve_connection(TokioIo::new(stream), svc);
            tokio::select! {
                r = conn => {
                    if let Err(e) = r {
                        tracing::debug!("connection from {peer} ended: {e}");
                    }
                }
                _ = kill.notified() => tracing::debug!("dropped connection from {peer} (injected fault)"),
                _ = cancel.cancelled() => {}
            }
        });
    }
}

/// Whether `addr` is a loopback address.
pub(crate) fn is_loopback(addr: &SocketAddr) -> bool {
    addr.ip().is_loopback()
}
