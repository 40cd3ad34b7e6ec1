//! `hearth dlq list | replay | purge`: the messages a service could not handle.
//!
//! The dead queue is read with `basic.get` and no ack: every message taken is
//! held unacked by this command's channel, so the queue hands out each one
//! once; those not replayed or purged go back to the queue when the channel
//! closes. A replayed message is acked only after the broker confirmed its
//! copy on the service's queue, so a crash in between duplicates (which the
//! service's inbox absorbs) and never loses.
//!
//! A replay connects as the service's own broker user
//! (`<SERVICE>_RABBITMQ_URL`), like the service's own retries: the copy's
//! `user_id` is then the service's, and the original publisher goes with it
//! in `x-hearth-publisher` — taken from the dead copy's header only if the
//! service's user wrote that copy, otherwise from the dead copy's own
//! `user_id`. A consumer that checks publishers then judges a replayed event
//! by who really published it, exactly as it did the first time.

use clap::Subcommand;
use hearth_bus::consumer::{self, header_string, headers};
use hearth_bus::topology::Names;
use hearth_core::config::{rabbitmq_url, rabbitmq_user, Env};
use lapin::message::Delivery;
use lapin::options::{BasicAckOptions, BasicGetOptions, ConfirmSelectOptions, QueuePurgeOptions};
use lapin::publisher_confirm::Confirmation;
use lapin::types::{AMQPValue, FieldTable};
use lapin::{Channel, Connection};
use uuid::Uuid;

use super::broker;

/// The services whose dead queues `hearth dlq list` looks at when none is named.
/// Any other name is accepted too, if its queue exists.
const KNOWN_SERVICES: &[&str] = &["campaign", "donation", "request", "messaging", "profile"];

/// `hearth dlq list` shows at most this many messages per queue.
const LIST_LIMIT: usize = 10_000;

#[derive(Debug, Subcommand)]
pub enum DlqCommand {
    /// Dead-lettered messages: type, id, attempts, last error.
    List {
        /// A service's name (default: every service with a dead queue).
        service: Option<String>,
    },
    /// Put dead-lettered messages back on their service's queue, to be handled again.
    Replay {
        service: String,
        #[command(flatten)]
        which: Which,
    },
    /// Delete dead-lettered messages for good.
    Purge {
        service: String,
        #[command(flatten)]
        which: Which,
    },
}

#[derive(Debug, clap::Args)]
#[group(required = true, multiple = false)]
pub struct Which {
    /// The message with this event id.
    #[arg(long)]
    id: Option<Uuid>,
    /// Every message in the service's dead queue.
    #[arg(long)]
    all: bool,
}

impl Which {
    fn matches(&self, message: &DeadMessage) -> bool {
        self.all
            || self
                .id
                .is_some_and(|id| message.id.as_deref() == Some(&id.to_string()))
    }
}

pub async fn run(command: DlqCommand, env: &dyn Env) -> anyhow::Result<()> {
    let url = match &command {
        DlqCommand::Replay { service, .. } => broker::service_url(env, service)?,
        DlqCommand::List { .. } | DlqCommand::Purge { .. } => rabbitmq_url(env)?,
    };
    let user = rabbitmq_user(&url);
    let (connection, names) = broker::connect_to(env, url).await?;
    let result = match command {
        DlqCommand::List { service } => list(&connection, &names, service.as_deref()).await,
        DlqCommand::Replay { service, which } => {
            replay(&connection, &names, &service, &which, &user).await
        }
        DlqCommand::Purge { service, which } => purge(&connection, &names, &service, &which).await,
    };
    let _ = connection.close(200, "done").await;
    result
}

/// What an operator needs to know about one dead message.
struct DeadMessage {
    delivery: Delivery,
    id: Option<String>,
    event_type: String,
    attempts: String,
    last_failure: String,
    error: String,
}

impl DeadMessage {
    fn read(delivery: Delivery) -> Self {
        let properties = &delivery.properties;
        let table = properties.headers().clone().unwrap_or_default();
        let envelope = hearth_events::Envelope::from_slice(&delivery.data).ok();
        let id = properties
            .message_id()
            .as_ref()
            .map(ToString::to_string)
            .or_else(|| envelope.as_ref().map(|e| e.id.to_string()));
        let event_type = properties
            .kind()
            .as_ref()
            .map(ToString::to_string)
            .or_else(|| envelope.as_ref().map(|e| e.event_type.clone()))
            .or_else(|| header_string(&table, headers::ROUTING_KEY))
            .unwrap_or_else(|| "?".to_owned());
        Self {
            id,
            event_type,
            attempts: attempts(&table),
            last_failure: header_string(&table, headers::LAST_FAILURE).unwrap_or_default(),
            error: header_string(&table, headers::ERROR).unwrap_or_default(),
            delivery,
        }
    }

    fn line(&self) -> String {
        format!(
            "{}  {}  attempts={}  last={}  error={}",
            self.id.as_deref().unwrap_or("?"),
            self.event_type,
            self.attempts,
            self.last_failure,
            self.error.replace('\n', " ")
        )
    }
}

fn attempts(table: &FieldTable) -> String {
    match table.inner().get(headers::ATTEMPTS) {
        Some(AMQPValue::LongUInt(n)) => n.to_string(),
        Some(AMQPValue::LongInt(n)) => n.to_string(),
        Some(AMQPValue::LongLongInt(n)) => n.to_string(),
        _ => "?".to_owned(),
    }
}

/// The dead queue of `service`, or a clear error if there is none.
async fn dead_queue(
    connection: &Connection,
    names: &Names,
    service: &str,
) -> anyhow::Result<String> {
    let plain = !service.is_empty()
        && service
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
    let queue = names.dead_queue(service);
    if !plain || broker::message_count(connection, &queue).await?.is_none() {
        anyhow::bail!(
            "no dead queue {queue}: {service:?} is not a service that consumes events \
             (or `hearth migrate` has not declared its queues yet)"
        );
    }
    Ok(queue)
}

/// The next message of `queue` not yet taken by `channel`. It stays held,
/// unacked, by the channel until acked or the channel closes.
async fn next(channel: &Channel, queue: &str) -> anyhow::Result<Option<DeadMessage>> {
    let message = channel
        .basic_get(queue, BasicGetOptions { no_ack: false })
        .await?;
    Ok(message.map(|m| DeadMessage::read(m.delivery)))
}

/// Takes up to `limit` messages from `queue`, unacked.
async fn take(channel: &Channel, queue: &str, limit: usize) -> anyhow::Result<Vec<DeadMessage>> {
    let mut taken = Vec::new();
    while taken.len() < limit {
        match next(channel, queue).await? {
            Some(message) => taken.push(message),
            None => break,
        }
    }
    Ok(taken)
}

async fn list(connection: &Connection, names: &Names, service: Option<&str>) -> anyhow::Result<()> {
    let queues = match service {
        Some(service) => vec![dead_queue(connection, names, service).await?],
        None => {
            let mut queues = Vec::new();
            for service in KNOWN_SERVICES {
                let queue = names.dead_queue(service);
                if broker::message_count(connection, &queue).await?.is_some() {
                    queues.push(queue);
                }
            }
            if queues.is_empty() {
                println!("no dead queues under {}.*", names.namespace);
            }
            queues
        }
    };
    for queue in queues {
        let channel = connection.create_channel().await?;
        let messages = take(&channel, &queue, LIST_LIMIT).await?;
        if messages.len() < LIST_LIMIT {
            println!("{queue}: {} message(s)", messages.len());
        } else {
            // Say it is a cut, not the count: the rest are still there.
            let ready = broker::message_count(connection, &queue)
                .await?
                .unwrap_or(0);
            println!(
                "{queue}: {} message(s), the first {LIST_LIMIT} shown",
                ready as usize + messages.len()
            );
        }
        for message in &messages {
            println!("  {}", message.line());
        }
        // Closing the channel returns every message taken to the queue.
        channel.close(200, "listed").await?;
    }
    Ok(())
}

async fn replay(
    connection: &Connection,
    names: &Names,
    service: &str,
    which: &Which,
    user: &str,
) -> anyhow::Result<()> {
    let dead = dead_queue(connection, names, service).await?;
    let queue = names.queue(service);
    let channel = connection.create_channel().await?;
    channel
        .confirm_select(ConfirmSelectOptions::default())
        .await?;
    // Only what is there now: a replayed message that fails again at once
    // comes back to the dead queue, and must not be replayed in a loop.
    let there = broker::message_count(connection, &dead).await?.unwrap_or(0);
    let mut replayed = 0;
    let mut result = Ok(());
    for _ in 0..there {
        let Some(message) = next(&channel, &dead).await? else {
            break;
        };
        if !which.matches(&message) {
            continue;
        }
        if let Err(err) = put_back(&channel, &queue, &message.delivery, user).await {
            result = Err(err);
            break;
        }
        message.delivery.ack(BasicAckOptions::default()).await?;
        println!("replayed {}", message.line());
        replayed += 1;
        if which.id.is_some() {
            break;
        }
    }
    channel.close(200, "replayed").await?;
    result?;
    if replayed == 0 {
        if let Some(id) = which.id {
            anyhow::bail!("no message {id} in {dead}");
        }
    }
    println!("{replayed} message(s) put back on {queue}");
    Ok(())
}

/// Publishes a copy of a dead message to the service's queue, through the
/// default exchange, with its properties, as broker user `user`. The attempts
/// count is dropped so that the replay gets the whole retry schedule again;
/// the first failure's time stays; the original publisher goes with it.
async fn put_back(
    channel: &Channel,
    queue: &str,
    delivery: &Delivery,
    user: &str,
) -> anyhow::Result<()> {
    let publisher = consumer::publisher(delivery, user);
    let headers_of = delivery.properties.headers().as_ref();
    let mut table = consumer::without(
        Some(&consumer::without(headers_of, headers::ATTEMPTS)),
        headers::PUBLISHER,
    );
    table.insert(
        headers::PUBLISHER.into(),
        AMQPValue::LongString(publisher.unwrap_or_default().into()),
    );
    let properties = delivery
        .properties
        .clone()
        .with_headers(table)
        .with_user_id(user.into());
    match consumer::copy_to_queue(channel, queue, &delivery.data, properties).await? {
        Confirmation::Ack(None) => Ok(()),
        other => anyhow::bail!(
            "RabbitMQ did not accept the copy on {queue} ({other:?}); the message stays in the dead queue"
        ),
    }
}

async fn purge(
    connection: &Connection,
    names: &Names,
    service: &str,
    which: &Which,
) -> anyhow::Result<()> {
    let dead = dead_queue(connection, names, service).await?;
    let channel = connection.create_channel().await?;
    let purged = if which.all {
        channel
            .queue_purge(&dead, QueuePurgeOptions::default())
            .await?
    } else {
        let mut purged = 0;
        while let Some(message) = next(&channel, &dead).await? {
            if which.matches(&message) {
                message.delivery.ack(BasicAckOptions::default()).await?;
                println!("purged {}", message.line());
                purged += 1;
                break;
            }
        }
        purged
    };
    channel.close(200, "purged").await?;
    if purged == 0 {
        if let Some(id) = which.id {
            anyhow::bail!("no message {id} in {dead}");
        }
    }
    println!("{purged} message(s) deleted from {dead}");
    Ok(())
}
