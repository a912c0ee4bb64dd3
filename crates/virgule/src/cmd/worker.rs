//! `virgule worker`: only the feed fetcher, for scale-out (docs/design.md §6): any number of workers
//! and `serve` instances share one database, which hands each due feed to one of them.

use anyhow::Context;

use crate::config::Config;

pub async fn run(config: &Config) -> anyhow::Result<()> {
    let stop = super::stop_signal()?;
    let store = super::open_store(config).await?;
    let syndicator = virgule_syndication::Syndicator::new(store.clone(), config.syndication())
        .context("cannot start the feed fetcher")?;
    syndicator.run(stop).await;
    store.close().await;
    tracing::info!("stopped");
    Ok(())
}
