//! `virgule serve`: opens the store, binds the listen address and serves the site, with the
//! feed fetcher, the trust recomputer and the interest scores' computation running beside it, until ctrl-c or SIGTERM; then
//! lets in-flight requests finish, stops the background tasks (the fetcher giving back its
//! claims) and closes the database cleanly.

use anyhow::Context;
use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::config::Config;

pub async fn run(config: &Config) -> anyhow::Result<()> {
    // Installed before anything else so that a SIGTERM during start-up is not lost.
    let stop = super::stop_signal()?;
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
    let syndicator = virgule_syndication::Syndicator::new(store.clone(), config.syndication())
        .context("cannot start the feed fetcher")?;
    let site =
        virgule_site::Site::new(store.clone(), config.site()).with_syndicator(syndicator.clone());
    let trust = site.trust().clone();
    let related_site = site.clone();
    let interest = site.interest().clone();
    let state =
        virgule_web::AppState::new(site, config.web()).with_allocator(crate::allocator_figures);
    tracing::info!(site = %config.site_name, "listening on http://{addr}");

    // The server, the fetcher and the trust recomputer stop on the same signal (and the
    // background tasks also when the server fails).
    let (stopping, stopped) = watch::channel(false);
    let stopping = std::sync::Arc::new(stopping);
    let when_stopped = move || {
        let mut stopped = stopped.clone();
        async move {
            _ = stopped.wait_for(|s| *s).await;
        }
    };
    tokio::spawn({
        let stopping = std::sync::Arc::clone(&stopping);
        async move {
            stop.await;
            _ = stopping.send(true);
        }
    });
    let fetcher = tokio::spawn({
        let done = when_stopped();
        async move { syndicator.run(done).await }
    });
    let recomputer = tokio::spawn(trust.run(when_stopped()));
    let interest = tokio::spawn(interest.run(when_stopped()));
    let related = tokio::spawn(virgule_site::related::run_related(related_site, when_stopped()));
    let served = virgule_web::serve(listener, state, when_stopped()).await;
    _ = stopping.send(true);
    if let Err(e) = fetcher.await {
        tracing::error!(error = %e, "the feed fetcher stopped with an error");
    }
    if let Err(e) = recomputer.await {
        tracing::error!(error = %e, "the trust recomputer stopped with an error");
    }
    if let Err(e) = interest.await {
        tracing::error!(error = %e, "the interest recomputer stopped with an error");
    }
    if let Err(e) = related.await {
        tracing::error!(error = %e, "the related posts' refresher stopped with an error");
    }
    store.close().await;
    served.context("the server stopped with an error")?;
    tracing::info!("stopped");
    Ok(())
}
