use std::fmt::Write;
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
    web_service::config::Config::from_env(env, Some(DEV_JWT_SECRET))?;
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
    let web = platform.start_web(env, Some(DEV_JWT_SECRET)).await?;
    let secret = jwt_secret(env, Some(DEV_JWT_SECRET))?;
    print!(
        "{}",
        welcome(
            web,
            &platform.listening,
            &secret,
            env.get("JWT_SECRET").is_none(),
        )?
    );
    platform.run_until_signalled().await
}

/// What `hearth up` prints once everything listens: the site first, since
/// that is where a newcomer goes; then the APIs and tokens for curl.
fn welcome(
    web: SocketAddr,
    listening: &[Listening],
    secret: &str,
    dev_secret: bool,
) -> anyhow::Result<String> {
    let mut out = String::new();
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
    writeln!(out)?;
    writeln!(out, "Open http://{web}")?;
    writeln!(out)?;
    writeln!(out, "Hearth is up. The APIs:")?;
    writeln!(out)?;
    writeln!(out, "  {:<20} {:<28} docs", "service", "API")?;
    for l in listening {
        let name = format!("{}-service", l.service.spec().name);
        let base = format!("http://{}", l.addr);
        writeln!(out, "  {name:<20} {base:<28} {base}/docs")?;
    }
    writeln!(out)?;
    if dev_secret {
        writeln!(out, "JWT secret (development only): {DEV_JWT_SECRET}")?;
    }
    writeln!(out, "A user ({user}), valid 24 h:")?;
    writeln!(out, "  export TOKEN={user_token}")?;
    writeln!(out, "A staff member (admin), valid 24 h:")?;
    writeln!(out, "  export STAFF_TOKEN={staff_token}")?;
    writeln!(
        out,
        "More: cargo hearth token --sub <uuid> [--admin] [--ttl 1h]"
    )?;
    writeln!(out)?;
    writeln!(out, "Ctrl-C stops everything gracefully.")?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_welcome_sends_people_to_the_site_first() {
        let listening = [Listening {
            service: Service::Campaign,
            addr: "127.0.0.1:8081".parse().expect("addr"),
        }];
        let web = "127.0.0.1:8080".parse().expect("addr");
        let text = welcome(web, &listening, DEV_JWT_SECRET, true).expect("welcome");
        let first = text.lines().find(|l| !l.is_empty());
        assert_eq!(first, Some("Open http://127.0.0.1:8080"));
        assert!(text.contains("http://127.0.0.1:8081/docs"), "{text}");
    }
}
