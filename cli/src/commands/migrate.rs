use std::time::Duration;

use anyhow::Context;
use hearth_core::config::{Env, ServiceConfig};

use crate::services::Service;

/// How long `hearth migrate` waits for RabbitMQ to declare the queues.
const TOPOLOGY_TIMEOUT: Duration = Duration::from_secs(5);

/// `hearth migrate [SERVICE…]`: applies each service's migrations in its own
/// schema, with its own history, and declares its queue and bindings, so that
/// a deployment that migrates before it starts anything loses no early event.
pub async fn run(services: Vec<Service>, env: &dyn Env) -> anyhow::Result<()> {
    for service in services {
        // Migrating needs no secret; a placeholder keeps the config reader happy.
        let config = ServiceConfig::from_env(env, service.spec(), Some(crate::DEV_JWT_SECRET))?;
        let built = service.build(&config, env)?;
        built
            .migrate()
            .await
            .with_context(|| format!("migrating {}-service", config.spec.name))?;
        println!("{}-service: migrated", config.spec.name);
        if let Some(consumer) = &built.workers.consumer {
            match consumer.declare(TOPOLOGY_TIMEOUT).await {
                Ok(()) => println!("{}-service: queue and bindings declared", config.spec.name),
                Err(err) => eprintln!(
                    "{}-service: queue not declared ({err:#}); it will be when the service starts",
                    config.spec.name
                ),
            }
        }
    }
    Ok(())
}
