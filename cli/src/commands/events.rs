//! `hearth events tail [--type PATTERN]`: the live event stream, one line
//! per event, from a private queue that vanishes when the command ends.

use std::io::Write;

use futures::StreamExt;
use hearth_bus::topology::declare_exchange;
use hearth_core::config::Env;
use lapin::options::{BasicConsumeOptions, QueueBindOptions, QueueDeclareOptions};
use lapin::types::FieldTable;

use super::broker;

/// How much of an event's data a line shows.
const SUMMARY_CHARS: usize = 160;

#[derive(Debug, clap::Subcommand)]
pub enum EventsCommand {
    /// Follow the events as they are published, until Ctrl-C.
    Tail {
        /// A topic pattern over event types: `campaign.*`, `donation.#`, `#` (all).
        #[arg(long = "type", value_name = "PATTERN", default_value = "#")]
        pattern: String,
    },
}

pub async fn run(command: EventsCommand, env: &dyn Env) -> anyhow::Result<()> {
    let EventsCommand::Tail { pattern } = command;
    let (connection, names) = broker::connect(env).await?;
    let channel = connection.create_channel().await?;
    // Declaring is idempotent: tail works before any service has started.
    declare_exchange(&channel, &names).await?;
    // Exclusive and server-named: private to this command, gone when it ends,
    // and it takes nothing from the services' own queues.
    let queue = channel
        .queue_declare(
            "",
            QueueDeclareOptions {
                exclusive: true,
                auto_delete: true,
                ..Default::default()
            },
            FieldTable::default(),
        )
        .await?;
    channel
        .queue_bind(
            queue.name().as_str(),
            &names.exchange(),
            &pattern,
            QueueBindOptions::default(),
            FieldTable::default(),
        )
        .await?;
    let mut deliveries = channel
        .basic_consume(
            queue.name().as_str(),
            "hearth-events-tail",
            BasicConsumeOptions {
                no_ack: true,
                ..Default::default()
            },
            FieldTable::default(),
        )
        .await?;
    eprintln!("following {} ({pattern}); Ctrl-C to stop", names.exchange());
    let mut stdout = std::io::stdout().lock();
    // One listener for the whole tail: a Ctrl-C that came while a line was
    // being written would be lost by a listener made afresh on each turn.
    let ctrl_c = tokio::signal::ctrl_c();
    tokio::pin!(ctrl_c);
    loop {
        tokio::select! {
            _ = &mut ctrl_c => break,
            delivery = deliveries.next() => match delivery {
                // A reader that went away (`| head`) ends the tail quietly.
                Some(delivery) => if writeln!(stdout, "{}", line(&delivery?)).is_err() {
                    break;
                },
                None => anyhow::bail!("RabbitMQ closed the stream"),
            },
        }
    }
    let _ = connection.close(200, "tail over").await;
    Ok(())
}

/// `time type subject id summary`.
fn line(delivery: &lapin::message::Delivery) -> String {
    match hearth_events::Envelope::from_slice(&delivery.data) {
        Ok(event) => format!(
            "{}  {}  {}  {}  {}",
            event.time.format("%Y-%m-%dT%H:%M:%S%.3fZ"),
            event.event_type,
            event.subject,
            event.id,
            summary(&event.data, &event.subject)
        ),
        Err(_) => format!(
            "?  {}  (not a CloudEvent, {} bytes)",
            delivery.routing_key,
            delivery.data.len()
        ),
    }
}

/// The data's fields as `key=value`, cut short; nulls and the subject
/// (already on the line) are left out.
fn summary(data: &serde_json::Value, subject: &str) -> String {
    let text = match data {
        serde_json::Value::Object(fields) => fields
            .iter()
            .filter(|(_, value)| !value.is_null() && value.as_str() != Some(subject))
            .map(|(key, value)| match value {
                serde_json::Value::String(s) => format!("{key}={s}"),
                other => format!("{key}={other}"),
            })
            .collect::<Vec<_>>()
            .join(" "),
        other => other.to_string(),
    };
    if text.chars().count() > SUMMARY_CHARS {
        let cut: String = text.chars().take(SUMMARY_CHARS).collect();
        format!("{cut}…")
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_summary_leaves_out_the_subject_and_nulls_and_stays_short() {
        let data = serde_json::json!({
            "campaign_id": "c-1", "title": "Blankets", "goal_minor": 25000, "ends_at": null
        });
        assert_eq!(summary(&data, "c-1"), "goal_minor=25000 title=Blankets");
        let long = serde_json::json!({ "text": "x".repeat(500) });
        assert_eq!(summary(&long, "").chars().count(), SUMMARY_CHARS + 1);
    }
}
