//! The subcommands of `hearth`.

mod broker;
mod copy_campaigns;
mod db;
mod dlq;
mod events;
mod migrate;
mod outbox;
mod serve;
mod token;
mod up;

use clap::{Parser, Subcommand};
use hearth_core::config::Env;

use crate::services::Service;

#[derive(Debug, Parser)]
#[command(
    name = "hearth",
    version,
    about = "Run, migrate and operate the Hearth platform"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Everything a newcomer needs in one process: create the databases,
    /// migrate, start every service, print where they listen and a token.
    Up,
    /// Run one service alone: the production shape.
    Serve { service: Service },
    /// Run the web front-end alone, in front of the services its
    /// `<SERVICE>_SERVICE_URL`s name: the production shape of the site.
    Web,
    /// Apply migrations (every service's, or the ones named) and exit.
    Migrate { services: Vec<Service> },
    /// Mint a development JWT signed with JWT_SECRET (or the development secret).
    Token(token::TokenArgs),
    /// Database administration.
    Db {
        #[command(subcommand)]
        command: db::DbCommand,
    },
    /// Copy the legacy public.campaigns of Main DB into campaign-service:
    /// idempotent, resumable, never overwriting (docs/operations.md).
    CopyCampaigns(copy_campaigns::CopyArgs),
    /// The services' outboxes: what waits to be published.
    Outbox {
        #[command(subcommand)]
        command: outbox::OutboxCommand,
    },
    /// Dead-lettered messages: list, replay, purge.
    Dlq {
        #[command(subcommand)]
        command: dlq::DlqCommand,
    },
    /// Watch the event stream.
    Events {
        #[command(subcommand)]
        command: events::EventsCommand,
    },
    /// RabbitMQ administration.
    Broker {
        #[command(subcommand)]
        command: broker::BrokerCommand,
    },
}

impl Command {
    /// The operator's tools, whose output is their result rather than logs.
    pub fn prints_its_own_output(&self) -> bool {
        matches!(
            self,
            Command::CopyCampaigns(_)
                | Command::Outbox { .. }
                | Command::Dlq { .. }
                | Command::Events { .. }
                | Command::Broker { .. }
        )
    }
}

pub async fn run(cli: Cli, env: &dyn Env) -> anyhow::Result<()> {
    match cli.command {
        Command::Up => up::run(env).await,
        Command::Serve { service } => serve::run(service, env).await,
        Command::Web => serve::run_web(env).await,
        Command::Migrate { services } => migrate::run(services_or_all(services), env).await,
        Command::Token(args) => token::run(&args, env),
        Command::Db { command } => db::run(command, env).await,
        Command::CopyCampaigns(args) => copy_campaigns::run(args, env).await,
        Command::Outbox { command } => outbox::run(command, env).await,
        Command::Dlq { command } => dlq::run(command, env).await,
        Command::Events { command } => events::run(command, env).await,
        Command::Broker { command } => broker::run(command, env).await,
    }
}

/// The services named, or all of them.
fn services_or_all(named: Vec<Service>) -> Vec<Service> {
    if named.is_empty() {
        Service::ALL.to_vec()
    } else {
        named
    }
}
