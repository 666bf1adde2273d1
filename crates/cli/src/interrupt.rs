//! Ctrl-C: the first one asks the run to stop cleanly (commit, flush, say how to resume); a
//! second one exits at once.

use tokio::sync::watch;

use crate::error::EXIT_INTERRUPTED;

/// Whether Ctrl-C was pressed; cheap to clone.
#[derive(Clone)]
pub struct Interrupt {
    rx: watch::Receiver<bool>,
}

impl Interrupt {
    /// Installs the handler. Must run inside the tokio runtime; on Unix the signal handler is
    /// registered before this returns, so a SIGINT arriving right after is not lost.
    pub fn install() -> Interrupt {
        let (tx, rx) = watch::channel(false);
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            match signal(SignalKind::interrupt()) {
                Ok(mut sig) => {
                    tokio::spawn(async move {
                        sig.recv().await;
                        let _ = tx.send(true);
                        sig.recv().await;
                        std::process::exit(i32::from(EXIT_INTERRUPTED));
                    });
                }
                Err(e) => tracing::warn!("cannot watch for Ctrl-C: {e}"),
            }
        }
        #[cfg(not(unix))]
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                let _ = tx.send(true);
                if tokio::signal::ctrl_c().await.is_ok() {
                    std::process::exit(i32::from(EXIT_INTERRUPTED));
                }
            }
        });
        Interrupt { rx }
    }

    /// One that never fires (for library callers and tests).
    pub fn never() -> Interrupt {
        let (tx, rx) = watch::channel(false);
        std::mem::forget(tx);
        Interrupt { rx }
    }

    /// True once Ctrl-C was pressed.
    pub fn is_set(&self) -> bool {
        *self.rx.borrow()
    }

    /// Resolves when Ctrl-C is pressed.
    pub async fn wait(&self) {
        let mut rx = self.rx.clone();
        if rx.wait_for(|pressed| *pressed).await.is_err() {
            std::future::pending::<()>().await;
        }
    }
}
