//! `hearth broker users`, and the operator's connection to RabbitMQ shared by
//! `hearth dlq` and `hearth events`.
//!
//! A direct connection rather than a service's self-healing link: an
//! operator's command should fail at once, in one line, when the broker is away.

use std::time::Duration;

use anyhow::Context;
use clap::Subcommand;
use hearth_bus::topology::{declare_exchange, Names};
use hearth_core::config::{rabbitmq_url, Env, EventsConfig, ServiceConfig};
use lapin::options::QueueDeclareOptions;
use lapin::types::FieldTable;
use lapin::{Channel, Connection, ConnectionProperties};

const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

use crate::broker_users::{ensure_user, url_as, vhost_of, Grant, Management, Password};
use crate::services::Service;

#[derive(Debug, Subcommand)]
pub enum BrokerCommand {
    /// Create one RabbitMQ user per service, allowed its own queues and its
    /// own events alone (needs the management plugin).
    Users {
        /// The users are named <prefix><service>: hearth_campaign, …
        #[arg(long, default_value = "hearth_")]
        prefix: String,
        /// The services (default: all).
        services: Vec<Service>,
    },
}

pub async fn run(command: BrokerCommand, env: &dyn Env) -> anyhow::Result<()> {
    let BrokerCommand::Users { prefix, services } = command;
    let api = Management::from_env(env)?;
    let names = Names::new(EventsConfig::from_env(env)?.namespace);
    api.check().await?;
    declare_shared_topology(env).await?;
    for service in super::services_or_all(services) {
        let spec = service.spec();
        let config = ServiceConfig::from_env(env, spec, Some(crate::DEV_JWT_SECRET))?;
        let grant = Grant::new(
            &names,
            &prefix,
            spec.name,
            consumed_types(service, &config, env)?,
        );
        let vhost = vhost_of(&config.rabbitmq_url);
        let password_var = spec.var("RABBITMQ_PASSWORD");
        let outcome = ensure_user(&api, &vhost, &grant, env.get(&password_var)).await?;
        let user = &grant.user;
        match outcome {
            Password::Generated(password) => {
                println!("{user}: created; its password is shown this once:");
                println!(
                    "  {}={}",
                    spec.var("RABBITMQ_URL"),
                    url_as(&rabbitmq_url(env)?, user, &password)?
                );
            }
            Password::Given => println!("{user}: password set from {password_var}"),
            Password::Kept => println!("{user}: exists; password kept"),
        }
        println!(
            "  in vhost {vhost:?}: may use queues {}.*, publish [{}] and consume [{}] on {}",
            names.queue(spec.name),
            grant.publishes.join(", "),
            grant.consumes.join(", "),
            grant.exchange
        );
    }
    Ok(())
}

/// Declares the events exchange and the unrouted exchange and queue as
/// `RABBITMQ_URL`'s user: a service's own user may not declare the unrouted ones.
async fn declare_shared_topology(env: &dyn Env) -> anyhow::Result<()> {
    let (connection, names) = connect(env).await?;
    let declared = async {
        let channel = connection.create_channel().await?;
        declare_exchange(&channel, &names).await?;
        channel.close(200, "declared").await
    }
    .await
    .with_context(|| {
        format!(
            "declaring {} and {} as RABBITMQ_URL's user",
            names.exchange(),
            names.unrouted_queue()
        )
    });
    let _ = connection.close(200, "done").await;
    declared
}

/// The types the service's consumer handles, from the consumer itself.
fn consumed_types(
    service: Service,
    config: &ServiceConfig,
    env: &dyn Env,
) -> anyhow::Result<Vec<&'static str>> {
    // Building a service spawns its background work (the broker link's and
    // the suspension follower's connects). Built in a runtime of its own
    // that is never driven, none of it ever runs: this command touches
    // nothing but the management API.
    let idle = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let types = {
        let _inside = idle.enter();
        let built = service.build(config, env)?;
        built
            .workers
            .consumer
            .as_ref()
            .map(hearth_bus::consumer::Consumer::event_types)
            .unwrap_or_default()
    };
    idle.shutdown_background();
    Ok(types)
}

/// A connection to `RABBITMQ_URL` and the names of `BUS_NAMESPACE`.
pub async fn connect(env: &dyn Env) -> anyhow::Result<(Connection, Names)> {
    connect_to(env, rabbitmq_url(env)?).await
}

/// The URL of `service`'s own broker user (`<SERVICE>_RABBITMQ_URL`, or
/// `RABBITMQ_URL`), for what the service's consumer must trust as its own.
pub fn service_url(env: &dyn Env, service: &str) -> anyhow::Result<String> {
    Ok(
        match Service::ALL.iter().find(|s| s.spec().name == service) {
            Some(known) => known.spec().rabbitmq_url(env)?,
            None => rabbitmq_url(env)?,
        },
    )
}

/// A connection to `url` and the names of `BUS_NAMESPACE`.
pub async fn connect_to(env: &dyn Env, url: String) -> anyhow::Result<(Connection, Names)> {
    let names = Names::new(EventsConfig::from_env(env)?.namespace);
    let properties = ConnectionProperties::default()
        .with_executor(tokio_executor_trait::Tokio::current())
        .with_reactor(tokio_reactor_trait::Tokio);
    let connection = tokio::time::timeout(CONNECT_TIMEOUT, Connection::connect(&url, properties))
        .await
        .map_err(|_| anyhow::anyhow!("RabbitMQ did not answer within {CONNECT_TIMEOUT:?}"))?
        .context("connecting to RabbitMQ (RABBITMQ_URL)")?;
    Ok((connection, names))
}

/// How many messages `queue` holds, or `None` if it does not exist. A passive
/// declare of a missing queue closes its channel, so it gets one of its own.
pub async fn message_count(connection: &Connection, queue: &str) -> anyhow::Result<Option<u32>> {
    let channel: Channel = connection.create_channel().await?;
    let passive = QueueDeclareOptions {
        passive: true,
        ..Default::default()
    };
    match channel
        .queue_declare(queue, passive, FieldTable::default())
        .await
    {
        Ok(declared) => {
            let _ = channel.close(200, "looked").await;
            Ok(Some(declared.message_count()))
        }
        Err(lapin::Error::ProtocolError(_)) => Ok(None),
        Err(err) => Err(err.into()),
    }
}
