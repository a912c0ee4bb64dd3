//! `virgule user ...`: the site admin's account tasks from the shell: grant or revoke admin
//! rights, suspend or reinstate an account, list the members.

use virgule_site::members::AdminOutcome;
use virgule_site::{ErrorKind, Site, SiteError};
use virgule_store::{MemberName, Page, Store};

use crate::config::Config;

#[derive(Debug, clap::Subcommand)]
pub enum UserCommand {
    /// Make a member a site admin (may post site news); --revoke takes it back.
    Admin {
        #[arg(value_parser = parse_name)]
        name: MemberName,
        /// Remove the admin right instead of granting it.
        #[arg(long)]
        revoke: bool,
    },
    /// Suspend an account: it can no longer log in, and its sessions and API tokens end.
    Suspend {
        #[arg(value_parser = parse_name)]
        name: MemberName,
    },
    /// Reinstate a suspended account.
    Unsuspend {
        #[arg(value_parser = parse_name)]
        name: MemberName,
    },
    /// Remove all of an account's writing (entries, articles, replies) and suspend it: the
    /// admin page's "Remove all their writing" for a spam account.
    Purge {
        #[arg(value_parser = parse_name)]
        name: MemberName,
    },
    /// List every member with their admin and suspension flags.
    List,
    /// Issue a link that lets the owner of an account made by `import opml` claim it (choose
    /// its password); good once, for 14 days. Prints the link.
    Claim {
        #[arg(value_parser = parse_name)]
        name: MemberName,
    },
}

/// Lets clap refuse a malformed name the way it refuses any bad argument (status 2).
fn parse_name(raw: &str) -> Result<MemberName, String> {
    MemberName::parse(raw).map_err(|e| e.to_string())
}

pub async fn run(config: &Config, command: UserCommand) -> anyhow::Result<()> {
    let store = super::open_store(config).await?;
    let site = Site::new(store.clone(), config.site());
    // Where claim links point: the configured address, else the one `serve` listens on.
    let base = config.base_url.clone().unwrap_or_else(|| format!("http://{}", config.listen));
    let result = execute(&site, command, &base).await;
    store.close().await;
    result
}

/// Each change recomputes trust levels at once (admins are the seeds when none are
/// configured, and a suspended member leaves the trust graph); every node reads them from
/// the database.
async fn execute(site: &Site, command: UserCommand, base: &str) -> anyhow::Result<()> {
    let outcome = match command {
        UserCommand::Admin { name, revoke } => {
            let outcome = known(site.set_admin(&name, !revoke).await)?;
            if outcome.member.is_admin {
                println!("{name} is now a site admin");
            } else {
                println!("{name} is no longer a site admin");
            }
            outcome
        }
        UserCommand::Suspend { name } => {
            let outcome = known(site.set_suspended(&name, true).await)?;
            println!("{name} is suspended; their sessions and API tokens have ended");
            outcome
        }
        UserCommand::Unsuspend { name } => {
            let outcome = known(site.set_suspended(&name, false).await)?;
            println!("{name} is no longer suspended");
            outcome
        }
        UserCommand::Purge { name } => {
            let purged = match site.purge_account(&name).await {
                Ok(purged) => purged,
                Err(e) if e.kind == ErrorKind::NotFound => return Err(anyhow::anyhow!(e.message)),
                Err(e) => return Err(anyhow::anyhow!("{} ({})", e.message, e.code)),
            };
            println!(
                "{name} is suspended; removed {} entries, {} articles and {} replies",
                purged.entries, purged.articles, purged.replies
            );
            return Ok(());
        }
        UserCommand::List => return list(site.store()).await,
        UserCommand::Claim { name } => {
            let token =
                site.claim_link(name.as_str()).await.map_err(|e| anyhow::anyhow!(e.message))?;
            println!("{}/acct/claim/{token}", base.trim_end_matches('/'));
            println!(
                "(good once, for {} days: give it to {name}'s owner)",
                virgule_site::claims::CLAIM_LINK_DAYS
            );
            return Ok(());
        }
    };
    println!("trust levels recomputed: {} changed", outcome.trust.changed);
    Ok(())
}

/// An unknown name is the admin's error, said as the site says it; anything else is ours.
fn known(result: Result<AdminOutcome, SiteError>) -> anyhow::Result<AdminOutcome> {
    match result {
        Ok(outcome) => Ok(outcome),
        Err(e) if e.kind == ErrorKind::NotFound => Err(anyhow::anyhow!(e.message)),
        Err(e) => Err(anyhow::anyhow!("{} ({})", e.message, e.code)),
    }
}

async fn list(store: &Store) -> anyhow::Result<()> {
    const BATCH: i64 = 500;
    let total = store.member_count().await?;
    if total == 0 {
        println!("no members yet: the first account registered on the site becomes its admin");
        return Ok(());
    }
    println!("{}", row("NAME", "ADMIN", "SUSPENDED", "JOINED", "DISPLAY NAME"));
    let mut start = 0;
    loop {
        let members = store.members(Page { start, limit: BATCH }).await?;
        for m in &members {
            let joined = m.created_at.format("%Y-%m-%d").to_string();
            println!(
                "{}",
                row(
                    m.name.as_str(),
                    yes_no(m.is_admin),
                    yes_no(m.suspended),
                    &joined,
                    &m.display_name
                )
            );
        }
        if (members.len() as i64) < BATCH {
            break;
        }
        start += BATCH;
    }
    println!("{total} member{}", if total == 1 { "" } else { "s" });
    Ok(())
}

fn row(name: &str, admin: &str, suspended: &str, joined: &str, display: &str) -> String {
    format!("{name:<32}  {admin:<5}  {suspended:<9}  {joined:<10}  {display}").trim_end().to_owned()
}

fn yes_no(flag: bool) -> &'static str {
    if flag { "yes" } else { "no" }
}
