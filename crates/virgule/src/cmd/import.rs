//! `virgule import`: loads content from a file. `import site FILE` loads a whole site written
//! by `virgule export` into an empty database (of either backend): every line is checked and
//! everything is written in one transaction, so a bad or truncated file changes nothing.

use std::io::{BufRead, BufReader, IsTerminal};
use std::path::{Path, PathBuf};

use anyhow::Context;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use virgule_site::imports::check_wxr;
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
    /// Bring a WordPress blog into a member's diary from its export (WXR 1.0–1.2, from
    /// WordPress's Tools → Export). Published posts become entries, approved comments
    /// replies; drafts and private posts are kept, not shown. Importing the same export again
    /// updates what the first import made. The whole file is checked before anything is
    /// written.
    Wxr {
        /// The export file.
        file: PathBuf,
        /// The member whose diary receives the posts.
        #[arg(long)]
        user: String,
    },
    /// Make a member syndicating each feed of an OPML subscription list (a planet's), named
    /// after the feed, locked until its owner claims it (`virgule user claim NAME`). Feeds a
    /// member already syndicates are left alone.
    Opml {
        /// The OPML file.
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
        ImportCommand::Wxr { file, user } => {
            let store = super::open_store(config).await?;
            let site = virgule_site::Site::new(store.clone(), config.site());
            let result = import_wxr(&site, &file, &user).await;
            store.close().await;
            result
        }
        ImportCommand::Opml { file } => {
            let store = super::open_store(config).await?;
            let site = virgule_site::Site::new(store.clone(), config.site());
            let result = import_opml(&site, &file).await;
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

/// Checks the whole export (a bar over its bytes), then imports it (a bar over its posts).
async fn import_wxr(site: &virgule_site::Site, file: &Path, user: &str) -> anyhow::Result<()> {
    let open =
        || std::fs::File::open(file).with_context(|| format!("cannot open {}", file.display()));
    // The member first: a typo in --user is said before the file is read.
    site.member_named(user).await.map_err(|e| anyhow::anyhow!(e.message))?;
    let opened = open()?;
    let progress = progress_bar(opened.metadata().ok().map(|m| m.len()));
    progress.set_message("checking");
    let checked = check_wxr(BufReader::new(progress.wrap_read(opened)));
    progress.finish_and_clear();
    let checked = checked.map_err(|e| anyhow::anyhow!("{}: {}", file.display(), e.message))?;
    let bar = progress_bar(Some(checked.posts));
    if std::io::stderr().is_terminal() {
        bar.set_style(
            ProgressStyle::with_template("{bar:40} {pos}/{len} posts ({per_sec}, {eta} left)")
                .expect("the template is valid"),
        );
    }
    let summary =
        site.import_wxr(user, BufReader::new(open()?), |written| bar.set_position(written)).await;
    bar.finish_and_clear();
    let summary = summary.map_err(|e| anyhow::anyhow!("{}: {}", file.display(), e.message))?;
    let c = summary.counts;
    println!(
        "imported {} into {user}'s diary: {} entries created, {} updated, {} unchanged; {} \
         replies created, {} updated, {} unchanged; {} posts kept aside (drafts, pending, \
         private){}",
        file.display(),
        c.entries_created,
        c.entries_updated,
        c.entries_unchanged,
        c.replies_created,
        c.replies_updated,
        c.replies_unchanged,
        c.kept_aside,
        if c.unpublished > 0 {
            format!(", {} entries removed as no longer published", c.unpublished)
        } else {
            String::new()
        },
    );
    let skipped: Vec<String> =
        summary.skipped.iter().map(|(kind, n)| format!("{n} {kind}")).collect();
    if !skipped.is_empty() || summary.comments_skipped > 0 {
        println!(
            "skipped: {}{} comments not approved or pings",
            if skipped.is_empty() { String::new() } else { format!("{}; ", skipped.join(", ")) },
            summary.comments_skipped
        );
    }
    Ok(())
}

async fn import_opml(site: &virgule_site::Site, file: &Path) -> anyhow::Result<()> {
    let opened =
        std::fs::File::open(file).with_context(|| format!("cannot open {}", file.display()))?;
    let subscriptions = virgule_import::opml::read_opml(BufReader::new(opened))
        .map_err(|e| anyhow::anyhow!("{}: line {}: {}", file.display(), e.line, e.reason))?;
    let summary = site.import_opml(&subscriptions).await.map_err(|e| anyhow::anyhow!(e.message))?;
    for (name, url) in &summary.created {
        println!("{name}: {url}");
    }
    for (title, why) in &summary.refused {
        println!("refused “{title}”: {why}");
    }
    println!(
        "{} members made (locked until claimed: virgule user claim NAME), {} feeds already \
         syndicated, {} refused",
        summary.created.len(),
        summary.already,
        summary.refused.len()
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
