use clap::Subcommand;
use hearth_core::config::{Env, ServiceConfig};

use crate::roles;
use crate::services::Service;

#[derive(Debug, Subcommand)]
pub enum DbCommand {
    /// Create one PostgreSQL role per service, with rights on its own schema alone.
    Roles {
        /// The roles are named <prefix><service>: hearth_campaign, …
        #[arg(long, default_value = "hearth_")]
        prefix: String,
        /// The services (default: all).
        services: Vec<Service>,
    },
}

pub async fn run(command: DbCommand, env: &dyn Env) -> anyhow::Result<()> {
    match command {
        DbCommand::Roles { prefix, services } => {
            for service in super::services_or_all(services) {
                let config =
                    ServiceConfig::from_env(env, service.spec(), Some(crate::DEV_JWT_SECRET))?;
                let role =
                    roles::grant_own_schema(&config.database.url, &prefix, service.spec()).await?;
                println!(
                    "{role}: may use schema {} of {} and nothing else",
                    service.spec().schema(),
                    hearth_core::db::redacted_url(&config.database.url)
                );
            }
            println!("Give each role a password with ALTER ROLE … PASSWORD before using it over a network.");
            Ok(())
        }
    }
}
