//! `virgule serve`: opens the store, binds the listen address and serves the site until
//! ctrl-c or SIGTERM, then lets in-flight requests finish and closes the database cleanly.

use anyhow::Context;
use tokio::net::TcpListener;
use tokio::signal::unix::{SignalKind, signal};

use crate::config::Config;

pub async fn run(config: &Config) -> anyhow::Result<()> {
    // Installed before anything else so that a SIGTERM during start-up is not lost.
    let mut terminate =
        signal(SignalKind::terminate()).context("cannot install the SIGTERM handler")?;
    let store = super::open_store(config).await?;
    let listener = match TcpListener::bind(config.listen).await {
        Ok(listener) => listener,
        Err(e) => {
            store.close().await;
            let hint = if e.kind() == std::io::ErrorKind::AddrInUse {
                "; is another server running there? choose another address with --listen"
            } else {
                ""
            };
            anyhow::bail!("cannot listen on {}: {e}{hint}", config.listen);
        }
    };
    let addr = listener.local_addr().context("cannot read the bound address")?;
    let state = virgule_web::AppState::new(store.clone(), config.web());
    tracing::info!(site = %config.site_name, "listening on http://{addr}");

    let shutdown = async move {
        tokio::select! {
            _ = tokio::signal::ctrl_c() => tracing::info!("interrupted; shutting down"),
            _ = terminate.recv() => tracing::info!("SIGTERM received; shutting down"),
        }
    };
    let served = virgule_web::serve(listener, state, shutdown).await;
    store.close().await;
    served.context("the server stopped with an error")?;
    tracing::info!("stopped");
    Ok(())
}
