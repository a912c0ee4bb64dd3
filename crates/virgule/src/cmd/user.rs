//! `virgule user ...`: the site admin's account tasks from the shell: grant or revoke admin
//! rights, suspend or reinstate an account, list the members.

use anyhow::bail;
use virgule_store::{Member, MemberName, Page, Store, StoreError};

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
    /// List every member with their admin and suspension flags.
    List,
}

/// Lets clap refuse a malformed name the way it refuses any bad argument (status 2).
fn parse_name(raw: &str) -> Result<MemberName, String> {
    MemberName::parse(raw).map_err(|e| e.to_string())
}

pub async fn run(config: &Config, command: UserCommand) -> anyhow::Result<()> {
    let store = super::open_store(config).await?;
    let result = execute(config, &store, command).await;
    store.close().await;
    result
}

async fn execute(config: &Config, store: &Store, command: UserCommand) -> anyhow::Result<()> {
    match command {
        UserCommand::Admin { name, revoke } => {
            let member = known(store.set_admin(&name, !revoke).await, &name)?;
            if member.is_admin {
                println!("{name} is now a site admin");
            } else {
                println!("{name} is no longer a site admin");
            }
        }
        UserCommand::Suspend { name } => {
            known(store.set_suspended(&name, true).await, &name)?;
            println!("{name} is suspended; their sessions and API tokens have ended");
        }
        UserCommand::Unsuspend { name } => {
            known(store.set_suspended(&name, false).await, &name)?;
            println!("{name} is no longer suspended");
        }
        UserCommand::List => return list(store).await,
    }
    // Admins are the seeds when none are configured, and a suspended member leaves the
    // trust graph: levels follow at once (every node reads them from the database).
    let summary = virgule_web::trust::recompute(store, &super::trust::settings(config)).await?;
    println!("trust levels recomputed: {} changed", summary.changed);
    Ok(())
}

/// Turns the store's "not found" into the message an admin expects.
fn known(result: Result<Member, StoreError>, name: &MemberName) -> anyhow::Result<Member> {
    match result {
        Ok(member) => Ok(member),
        Err(StoreError::NotFound) => bail!("no member named {name}"),
        Err(e) => Err(e.into()),
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
