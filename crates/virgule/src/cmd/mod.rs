//! One module per command; what they share is opening the store the configuration names.

pub mod demo;
pub mod export;
pub mod feed;
pub mod import;
pub mod serve;
pub mod trust;
pub mod user;
pub mod worker;

use anyhow::Context;
use virgule_store::Store;

use crate::config::Config;

/// Completes at ctrl-c or SIGTERM. The SIGTERM handler is installed now, so that a signal
/// during start-up is not lost.
pub fn stop_signal() -> anyhow::Result<impl Future<Output = ()>> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut terminate =
        signal(SignalKind::terminate()).context("cannot install the SIGTERM handler")?;
    Ok(async move {
        tokio::select! {
            _ = tokio::signal::ctrl_c() => tracing::info!("interrupted; shutting down"),
            _ = terminate.recv() => tracing::info!("SIGTERM received; shutting down"),
        }
    })
}

/// Opens (and migrates) PostgreSQL when `database_url` is set, else the SQLite file in
/// `data_dir`.
pub async fn open_store(config: &Config) -> anyhow::Result<Store> {
    let store = match &config.database_url {
        Some(url) => {
            tracing::info!(host = %postgres_host(url), "opening PostgreSQL");
            Store::open_postgres(url).await.context("cannot open the PostgreSQL database")
        }
        None => {
            let file = config.data_dir.join(virgule_store::SQLITE_FILE);
            tracing::info!(file = %file.display(), "opening SQLite");
            Store::open_sqlite(&config.data_dir)
                .await
                .with_context(|| format!("cannot open the SQLite database {}", file.display()))
        }
    }?;
    Ok(store.with_search_budget(config.search_budget))
}

/// The host part of a database URL, for logs: never the user name or password.
fn postgres_host(url: &str) -> String {
    let Ok(url) = url::Url::parse(url) else { return "(unparsable URL)".to_owned() };
    match (url.host_str().filter(|host| !host.is_empty()), url.port()) {
        (Some(host), Some(port)) => format!("{host}:{port}"),
        (Some(host), None) => host.to_owned(),
        (None, _) => "(local socket)".to_owned(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn database_hosts_are_logged_without_credentials() {
        assert_eq!(postgres_host("postgres://u:secret@db.example:5433/v"), "db.example:5433");
        assert_eq!(postgres_host("postgres://127.0.0.1/v"), "127.0.0.1");
        assert_eq!(postgres_host("postgres:///v?host=/run/postgresql"), "(local socket)");
    }
}
