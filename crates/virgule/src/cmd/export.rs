//! `virgule export`: the whole site as one portable file (JSON Lines, described in
//! `virgule_store::site`), to standard output or `--output FILE`. Sessions are not exported:
//! members log in again after a move.

use std::io::{BufWriter, IsTerminal, Write};
use std::path::PathBuf;

use anyhow::Context;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use virgule_store::site;

use crate::config::Config;

#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// Where to write the site file; `-` is standard output.
    #[arg(long, short, default_value = "-")]
    pub output: PathBuf,
}

pub async fn run(config: &Config, args: ExportArgs) -> anyhow::Result<()> {
    let store = super::open_store(config).await?;
    let result = export(&store, &args).await;
    store.close().await;
    result
}

async fn export(store: &virgule_store::Store, args: &ExportArgs) -> anyhow::Result<()> {
    let to_stdout = args.output.as_os_str() == "-";
    let out: Box<dyn Write> = if to_stdout {
        Box::new(std::io::stdout().lock())
    } else {
        let file = std::fs::File::create(&args.output)
            .with_context(|| format!("cannot create {}", args.output.display()))?;
        Box::new(file)
    };
    let mut out = BufWriter::new(out);
    let progress = progress_bar(store.site_counts().await?.total());
    let counts = store
        .export_site(virgule_store::now(), |record| {
            progress.inc(1);
            writeln!(out, "{}", site::to_line(record))
        })
        .await?;
    out.flush().context("cannot write the export")?;
    progress.finish_and_clear();
    let place =
        if to_stdout { "standard output".to_owned() } else { args.output.display().to_string() };
    let summary =
        format!("exported {counts} to {place} (sessions are not exported: members log in again)");
    // Standard output may be the file itself.
    if to_stdout {
        eprintln!("{summary}");
    } else {
        println!("{summary}");
    }
    Ok(())
}

/// A bar over the records on standard error, shown only on a terminal.
pub fn progress_bar(total: u64) -> ProgressBar {
    let bar = ProgressBar::new(total);
    if std::io::stderr().is_terminal() {
        bar.set_style(
            ProgressStyle::with_template("{bar:40} {pos}/{len} records ({per_sec}, {eta} left)")
                .expect("the progress template is valid"),
        );
    } else {
        bar.set_draw_target(ProgressDrawTarget::hidden());
    }
    bar
}
