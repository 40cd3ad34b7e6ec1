use std::net::SocketAddr;
use std::time::Duration;

use anyhow::Context;
use hearth_core::auth::{mint, TokenRequest};
use hearth_core::config::{jwt_secret, Database, Env};
use uuid::Uuid;

use crate::platform::{Configured, Listening, Platform};
use crate::services::Service;
use crate::DEV_JWT_SECRET;

/// A day: long enough for an afternoon of curl.
const DEV_TOKEN_TTL: Duration = Duration::from_secs(24 * 3600);

/// `hearth up`: the whole platform on a laptop, in one process.
pub async fn run(env: &dyn Env) -> anyhow::Result<()> {
    let configured = Configured::read(Service::ALL, env, Some(DEV_JWT_SECRET))?;
    // The site's own settings are checked before anything starts, too.
    web_service::config::Config::from_env(env)?;
    for database in [Database::Main, Database::Campaign] {
        let url = database.url(env)?;
        let shown = hearth_core::db::redacted_url(&url);
        let created = hearth_core::db::ensure_database(&url)
            .await
            .with_context(|| format!("reaching PostgreSQL at {shown} ({})", database.url_var()))?;
        if created {
            tracing::info!(url = %shown, "created database");
        }
    }
    let mut platform = Platform::start_configured(configured, env).await?;
    let web = platform.start_web(env).await?;
    let secret = jwt_secret(env, Some(DEV_JWT_SECRET))?;
    print_welcome(
        web,
        &platform.listening,
        &secret,
        env.get("JWT_SECRET").is_none(),
    )?;
    platform.run_until_signalled().await
}

fn print_welcome(
    web: SocketAddr,
    listening: &[Listening],
    secret: &str,
    dev_secret: bool,
) -> anyhow::Result<()> {
    let user = Uuid::new_v4();
    let user_token = mint(
        secret,
        &TokenRequest {
            ttl: DEV_TOKEN_TTL,
            ..TokenRequest::user(user)
        },
    )?;
    let staff_token = mint(
        secret,
        &TokenRequest {
            ttl: DEV_TOKEN_TTL,
            ..TokenRequest::staff(Uuid::new_v4())
        },
    )?;
    println!();
    println!("Open http://{web}");
    println!();
    println!("Hearth is up. The APIs:");
    println!();
    println!("  {:<20} {:<28} docs", "service", "API");
    for l in listening {
        let name = format!("{}-service", l.service.spec().name);
        let base = format!("http://{}", l.addr);
        println!("  {name:<20} {base:<28} {base}/docs");
    }
    println!();
    if dev_secret {
        println!("JWT secret (development only): {DEV_JWT_SECRET}");
    }
    println!("A user ({user}), valid 24 h:");
    println!("  export TOKEN={user_token}");
    println!("A staff member (admin), valid 24 h:");
    println!("  export STAFF_TOKEN={staff_token}");
    println!("More: cargo hearth token --sub <uuid> [--admin] [--ttl 1h]");
    println!();
    println!("Ctrl-C stops everything gracefully.");
    Ok(())
}
