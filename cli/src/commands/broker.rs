//! The operator's connection to RabbitMQ, shared by `hearth dlq` and `hearth events`.
//!
//! A direct connection rather than a service's self-healing link: an
//! operator's command should fail at once, in one line, when the broker is away.

use std::time::Duration;

use anyhow::Context;
use hearth_bus::topology::Names;
use hearth_core::config::{rabbitmq_url, Env, EventsConfig};
use lapin::options::QueueDeclareOptions;
use lapin::types::FieldTable;
use lapin::{Channel, Connection, ConnectionProperties};

const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// A connection to `RABBITMQ_URL` and the names of `BUS_NAMESPACE`.
pub async fn connect(env: &dyn Env) -> anyhow::Result<(Connection, Names)> {
    let url = rabbitmq_url(env)?;
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
