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

/// `hearth web`: the site alone; it owns no database, so nothing migrates.
pub async fn run_web(env: &dyn Env) -> anyhow::Result<()> {
    let mut platform = Platform::start(&[], env, None).await?;
    platform.start_web(env, None).await?;
    platform.run_until_signalled().await
}
