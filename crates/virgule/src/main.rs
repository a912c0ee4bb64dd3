//! `virgule`, the one binary: serves the site and runs the admin tasks. The command line is
//! parsed here, the configuration is loaded once, and each command lives in `cmd/`.

mod cmd;
mod config;

use std::collections::HashMap;
use std::io::IsTerminal;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use tracing_subscriber::EnvFilter;

use crate::config::{Config, ConfigError, ConfigFile, ConfigFlags};

/// Rust's allocations go to jemalloc rather than glibc's `malloc`. Under the load test the
/// server freed what it had allocated, yet with glibc its resident memory kept climbing:
/// once a large block had been freed (an Argon2id proof's 19 MiB), glibc served every
/// allocation up to that size from its per-thread arenas, where freed memory stays with the
/// process. jemalloc returns what it frees within seconds. It is the process's `malloc` as
/// well (the crate's unprefixed feature, Cargo.toml), so SQLite allocates from it too: on
/// glibc, SQLite's few MiB a connection were kept the same way (docs/proof.md "Load").
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// jemalloc's own account of its memory, for `/metrics`: live allocations against what it
/// keeps resident, which tells data that grows from memory the allocator has not given back.
fn allocator_figures() -> Option<virgule_web::metrics::AllocatorFigures> {
    use tikv_jemalloc_ctl::{epoch, stats};
    // jemalloc's statistics are a snapshot, refreshed when the epoch advances.
    epoch::advance().ok()?;
    let read = |bytes: usize| u64::try_from(bytes).ok();
    Some(virgule_web::metrics::AllocatorFigures {
        allocated: read(stats::allocated::read().ok()?)?,
        active: read(stats::active::read().ok()?)?,
        resident: read(stats::resident::read().ok()?)?,
    })
}

/// Virgule: a community weblog and syndication server in the Advogato tradition.
///
/// Settings come from a TOML file (--config), then VIRGULE_* environment variables, then
/// flags. Logs go to standard error; RUST_LOG sets their level (default: info).
#[derive(Debug, Parser)]
#[command(name = "virgule", version, max_term_width = 100)]
struct Cli {
    #[command(flatten)]
    config: ConfigFlags,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the web site until ctrl-c or SIGTERM (SQLite in the data directory unless
    /// --database-url names PostgreSQL).
    Serve,
    /// Run only the feed fetcher (scale-out: any number of workers share the database).
    Worker,
    /// Administer member accounts: grant or revoke admin rights, suspend, list.
    #[command(subcommand)]
    User(cmd::user::UserCommand),
    /// Fill an empty site with demo members and diary entries (for a first look and for
    /// benchmarks).
    Demo(cmd::demo::DemoArgs),
    /// Look at a feed as Virgule reads it (`feed inspect FILE`).
    #[command(subcommand)]
    Feed(cmd::feed::FeedCommand),
    /// Rank members with the trust metric (`trust compute --graph FILE --seeds a,b`).
    #[command(subcommand)]
    Trust(cmd::trust::TrustCommand),
    /// Write the whole site (members, entries, certifications, feeds, news) to one portable
    /// file, for `import site` into another database.
    Export(cmd::export::ExportArgs),
    /// Load content from a file (`import site FILE`: a whole site from `virgule export`).
    #[command(subcommand)]
    Import(cmd::import::ImportCommand),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // The environment is read here, once; everything below gets it as a value.
    let env = environment();
    init_logging(&env);
    let config = match load_config(&cli.config, &env) {
        Ok(config) => config,
        Err(e) => {
            eprintln!("error: {e}");
            // The status clap uses for a bad command line.
            return ExitCode::from(2);
        }
    };
    tracing::debug!(?config, "configuration");
    for var in config::unknown_env_vars(&env) {
        tracing::warn!("ignoring {var}: no setting has that name");
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        match cli.command {
            Command::Serve => cmd::serve::run(&config).await,
            Command::Worker => cmd::worker::run(&config).await,
            Command::User(command) => cmd::user::run(&config, command).await,
            Command::Demo(args) => cmd::demo::run(&config, args).await,
            Command::Feed(command) => {
                cmd::feed::run(&config, command, cli.config.base_url.as_deref()).await
            }
            Command::Trust(command) => cmd::trust::run(&config, command).await,
            Command::Export(args) => cmd::export::run(&config, args).await,
            Command::Import(command) => cmd::import::run(&config, command).await,
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// The process environment as text. A variable that is not UTF-8 keeps its lossy text, so
/// that a bad `VIRGULE_*` value is reported rather than ignored.
fn environment() -> HashMap<String, String> {
    std::env::vars_os()
        .filter_map(|(key, value)| {
            let key = key.into_string().ok()?;
            let value = value.into_string().unwrap_or_else(|v| v.to_string_lossy().into_owned());
            Some((key, value))
        })
        .collect()
}

fn init_logging(env: &HashMap<String, String>) {
    let filter = env
        .get("RUST_LOG")
        .and_then(|directives| EnvFilter::try_new(directives).ok())
        .unwrap_or_else(|| EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
}

fn load_config(flags: &ConfigFlags, env: &HashMap<String, String>) -> Result<Config, ConfigError> {
    let path = config::config_path(flags, env);
    let text = match &path {
        Some(path) => Some(std::fs::read_to_string(path).map_err(|e| {
            ConfigError(format!("cannot read the config file {}: {e}", path.display()))
        })?),
        None => None,
    };
    let file = path.as_deref().zip(text.as_deref()).map(|(path, text)| ConfigFile { path, text });
    Config::from_layers(file, env, flags)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn config_flags_go_before_or_after_the_command() {
        let cli = Cli::try_parse_from(["virgule", "--listen", "127.0.0.1:1", "serve"]).unwrap();
        assert_eq!(cli.config.listen.as_deref(), Some("127.0.0.1:1"));
        let cli = Cli::try_parse_from(["virgule", "serve", "--site-name", "LUG"]).unwrap();
        assert_eq!(cli.config.site_name.as_deref(), Some("LUG"));
    }

    #[test]
    fn a_bare_bool_flag_means_true_and_does_not_swallow_the_command() {
        let cli = Cli::try_parse_from(["virgule", "--secure-cookies", "serve"]).unwrap();
        assert_eq!(cli.config.secure_cookies.as_deref(), Some("true"));
        assert!(matches!(cli.command, Command::Serve));
        let cli = Cli::try_parse_from(["virgule", "serve", "--secure-cookies=false"]).unwrap();
        assert_eq!(cli.config.secure_cookies.as_deref(), Some("false"));
    }

    #[test]
    fn jemalloc_reports_its_live_bytes_and_what_it_keeps_resident() {
        let before = super::allocator_figures().expect("jemalloc was built with statistics");
        let block = vec![1_u8; 32 << 20];
        let during = super::allocator_figures().unwrap();
        assert!(during.allocated >= before.allocated + (30 << 20), "{before:?} {during:?}");
        assert!(during.allocated <= during.active && during.active <= during.resident);
        drop(block);
        let after = super::allocator_figures().unwrap();
        assert!(after.allocated + (30 << 20) <= during.allocated, "{during:?} {after:?}");
    }
}
