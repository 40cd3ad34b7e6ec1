use anyhow::Context;
use hearth_core::config::{Env, ServiceConfig};

use crate::services::Service;

/// `hearth migrate [SERVICE…]`: applies each service's migrations in its own
/// schema, with its own history, and exits.
pub async fn run(services: Vec<Service>, env: &dyn Env) -> anyhow::Result<()> {
    for service in services {
        // Migrating needs no secret; a placeholder keeps the config reader happy.
        let config = ServiceConfig::from_env(env, service.spec(), Some(crate::DEV_JWT_SECRET))?;
        service
            .build(&config, env)?
            .migrate()
            .await
            .with_context(|| format!("migrating {}-service", config.spec.name))?;
        println!("{}-service: migrated", config.spec.name);
    }
    Ok(())
}
