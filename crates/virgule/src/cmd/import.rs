//! `virgule import`: loads content from a file. `import site FILE` loads a whole site written
//! by `virgule export` into an empty database (of either backend): every line is checked and
//! everything is written in one transaction, so a bad or truncated file changes nothing.

use std::io::{BufRead, BufReader, IsTerminal};
use std::path::PathBuf;

use anyhow::Context;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use virgule_store::site;

use crate::config::Config;

#[derive(Debug, clap::Subcommand)]
pub enum ImportCommand {
    /// Load a site file written by `virgule export` (`-` reads standard input) into an empty
    /// database: the way to move a site from SQLite to PostgreSQL.
    Site {
        /// The site file.
        file: PathBuf,
    },
}

pub async fn run(config: &Config, command: ImportCommand) -> anyhow::Result<()> {
    match command {
        ImportCommand::Site { file } => {
            let store = super::open_store(config).await?;
            let result = import_site(&store, &file).await;
            store.close().await;
            result
        }
    }
}

async fn import_site(store: &virgule_store::Store, file: &PathBuf) -> anyhow::Result<()> {
    let from_stdin = file.as_os_str() == "-";
    let (reader, length): (Box<dyn BufRead>, Option<u64>) = if from_stdin {
        (Box::new(std::io::stdin().lock()), None)
    } else {
        let opened =
            std::fs::File::open(file).with_context(|| format!("cannot open {}", file.display()))?;
        let length = opened.metadata().ok().map(|m| m.len());
        (Box::new(BufReader::new(opened)), length)
    };
    let progress = progress_bar(length);
    let reader = BufReader::new(progress.wrap_read(reader));
    let counts = store
        .import_site(site::read_records(reader), |lines| {
            progress.set_message(format!("{lines} lines"));
        })
        .await;
    progress.finish_and_clear();
    // A refused line reads `error: line N: why`, without further context.
    let counts = counts?;
    let place = if from_stdin { "standard input".to_owned() } else { file.display().to_string() };
    println!(
        "imported {counts} from {place} (sessions are not carried over: members log in again)"
    );
    Ok(())
}

/// A bar over the file's bytes on standard error (a spinner for standard input), shown only
/// on a terminal.
fn progress_bar(length: Option<u64>) -> ProgressBar {
    let bar = match length {
        Some(length) => ProgressBar::new(length),
        None => ProgressBar::new_spinner(),
    };
    if std::io::stderr().is_terminal() {
        let template = match length {
            Some(_) => "{bar:40} {bytes}/{total_bytes} ({eta} left) {msg}",
            None => "{spinner} {bytes} read {msg}",
        };
        bar.set_style(ProgressStyle::with_template(template).expect("the template is valid"));
    } else {
        bar.set_draw_target(ProgressDrawTarget::hidden());
    }
    bar
}
