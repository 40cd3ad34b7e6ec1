use std::time::Duration;

use clap::Args;
use hearth_core::auth::{mint, TokenRequest};
use hearth_core::config::{jwt_secret, Env};
use uuid::Uuid;

#[derive(Debug, Args)]
pub struct TokenArgs {
    /// The user's id (the token's `sub`).
    #[arg(long, required_unless_present = "service")]
    pub sub: Option<Uuid>,
    /// Make the user staff (`app_metadata.role = admin`).
    #[arg(long, conflicts_with = "moderator")]
    pub admin: bool,
    /// Make the user staff (`app_metadata.role = moderator`).
    #[arg(long)]
    pub moderator: bool,
    /// A `service_role` token: an operator, staff in every service.
    #[arg(long)]
    pub service: bool,
    /// How long the token lives, such as 30m, 1h or 7d.
    #[arg(long, default_value = "1h", value_parser = humantime::parse_duration)]
    pub ttl: Duration,
}

/// `hearth token`: prints a token signed with `JWT_SECRET`, or with the
/// development secret `hearth up` uses when none is set.
pub fn run(args: &TokenArgs, env: &dyn Env) -> anyhow::Result<()> {
    if env.get("JWT_SECRET").is_none() {
        eprintln!(
            "hearth: JWT_SECRET is unset; signing with the development secret of `hearth up`"
        );
    }
    let secret = jwt_secret(env, Some(crate::DEV_JWT_SECRET))?;
    let staff_role = if args.admin {
        Some("admin".to_owned())
    } else if args.moderator {
        Some("moderator".to_owned())
    } else {
        None
    };
    let token = mint(
        &secret,
        &TokenRequest {
            sub: args.sub,
            staff_role,
            service: args.service,
            ttl: args.ttl,
        },
    )?;
    println!("{token}");
    Ok(())
}
