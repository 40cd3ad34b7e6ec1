use hearth_core::config::Env;

use crate::platform::Platform;
use crate::services::Service;

/// `hearth serve SERVICE`: one service, configured from the environment.
/// `JWT_SECRET` is required; migrations are applied first (safely, under
/// sqlx's lock, when several instances start at once).
pub async fn run(service: Service, env: &dyn Env) -> anyhow::Result<()> {
    Platform::start(&[service], env, None)
        .await?
        .run_until_signalled()
        .await
}
