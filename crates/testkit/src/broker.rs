use std::sync::Mutex;
use std::time::Duration;

use futures::StreamExt;
use lapin::message::Delivery;
use lapin::options::{
    BasicAckOptions, BasicConsumeOptions, BasicGetOptions, ExchangeDeleteOptions, QueueBindOptions,
    QueueDeclareOptions, QueueDeleteOptions,
};
use lapin::types::FieldTable;
use lapin::{Channel, Connection, ConnectionProperties, Consumer};
use uuid::Uuid;

/// A namespace of the test's own on the real RabbitMQ: exchanges and queues
/// named `test.<uuid>.…`, deleted when the test ends.
pub struct TestBroker {
    pub namespace: String,
    pub url: String,
    /// Re-opened when a test closed or restarted the broker.
    connection: tokio::sync::Mutex<Connection>,
    /// Queues to delete at the end, beside the namespace's exchanges.
    queues: Mutex<Vec<String>>,
}

impl std::fmt::Debug for TestBroker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestBroker")
            .field("namespace", &self.namespace)
            .finish()
    }
}

async fn connect(url: &str) -> Connection {
    let properties = ConnectionProperties::default()
        .with_executor(tokio_executor_trait::Tokio::current())
        .with_reactor(tokio_reactor_trait::Tokio);
    tokio::time::timeout(
        Duration::from_secs(10),
        Connection::connect(url, properties),
    )
    .await
    .expect("RabbitMQ answers within 10 s")
    .expect("connect to RabbitMQ (is it running? see README)")
}

impl TestBroker {
    pub async fn new() -> Self {
        let url = crate::rabbitmq_url();
        Self {
            namespace: format!("test.{}", Uuid::new_v4().simple()),
            connection: tokio::sync::Mutex::new(connect(&url).await),
            url,
            queues: Mutex::new(Vec::new()),
        }
    }

    pub async fn channel(&self) -> Channel {
        let mut connection = self.connection.lock().await;
        if !connection.status().connected() {
            *connection = connect(&self.url).await;
        }
        connection.create_channel().await.expect("open a channel")
    }

    /// Deletes `queue` when the test ends.
    pub fn track(&self, queue: impl Into<String>) {
        if let Ok(mut queues) = self.queues.lock() {
            queues.push(queue.into());
        }
    }

    /// A private queue bound to `exchange` with `binding` (`#` for everything),
    /// to watch what is published. The exchange must exist.
    pub async fn tap(&self, exchange: &str, binding: &str) -> Tap {
        let channel = self.channel().await;
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
            .await
            .expect("declare a tap queue");
        channel
            .queue_bind(
                queue.name().as_str(),
                exchange,
                binding,
                QueueBindOptions::default(),
                FieldTable::default(),
            )
            .await
            .expect("bind the tap");
        let consumer = channel
            .basic_consume(
                queue.name().as_str(),
                "tap",
                BasicConsumeOptions {
                    no_ack: true,
                    ..Default::default()
                },
                FieldTable::default(),
            )
            .await
            .expect("consume the tap");
        Tap {
            consumer,
            _channel: channel,
        }
    }

    /// Publishes an event on this namespace's exchange, persistent and
    /// confirmed, as a producer's relay would.
    pub async fn publish<T: serde::Serialize>(&self, event: &hearth_events::Envelope<T>) {
        let body = serde_json::to_vec(event).expect("an envelope serialises");
        self.publish_raw(&event.event_type, &body).await;
    }

    /// Publishes any bytes with `routing_key`: a poison message, say.
    pub async fn publish_raw(&self, routing_key: &str, body: &[u8]) {
        self.channel()
            .await
            .basic_publish(
                &format!("{}.events", self.namespace),
                routing_key,
                lapin::options::BasicPublishOptions::default(),
                body,
                lapin::BasicProperties::default().with_delivery_mode(2),
            )
            .await
            .expect("publish")
            .await
            .expect("confirm");
    }

    /// Waits up to `timeout` for `exchange` to be declared (by a service starting).
    pub async fn wait_for_exchange(&self, exchange: &str, timeout: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + timeout;
        while tokio::time::Instant::now() < deadline {
            // A passive declare of a missing exchange closes the channel; each try takes a new one.
            let passive = lapin::options::ExchangeDeclareOptions {
                passive: true,
                ..Default::default()
            };
            if self
                .channel()
                .await
                .exchange_declare(
                    exchange,
                    lapin::ExchangeKind::Topic,
                    passive,
                    FieldTable::default(),
                )
                .await
                .is_ok()
            {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        false
    }

    /// Waits up to `timeout` for a consumer on `queue`. A consumer starts
    /// consuming only after its queue and every binding are declared, so an
    /// event published after this is routed to it; waiting for the queue
    /// alone races with the bindings.
    pub async fn wait_for_consumer(&self, queue: &str, timeout: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + timeout;
        while tokio::time::Instant::now() < deadline {
            let passive = lapin::options::QueueDeclareOptions {
                passive: true,
                ..Default::default()
            };
            if self
                .channel()
                .await
                .queue_declare(queue, passive, FieldTable::default())
                .await
                .is_ok_and(|q| q.consumer_count() > 0)
            {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        false
    }

    /// Takes one message from `queue`, if one is there.
    pub async fn get(&self, queue: &str) -> Option<Delivery> {
        let channel = self.channel().await;
        let message = channel
            .basic_get(queue, BasicGetOptions::default())
            .await
            .expect("basic.get")?;
        message
            .delivery
            .ack(BasicAckOptions::default())
            .await
            .expect("ack");
        Some(message.delivery)
    }

    /// Waits up to `timeout` for a message on `queue`.
    pub async fn wait_get(&self, queue: &str, timeout: Duration) -> Option<Delivery> {
        let deadline = tokio::time::Instant::now() + timeout;
        while tokio::time::Instant::now() < deadline {
            if let Some(delivery) = self.get(queue).await {
                return Some(delivery);
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        None
    }
}

impl Drop for TestBroker {
    fn drop(&mut self) {
        let url = self.url.clone();
        let namespace = self.namespace.clone();
        let queues = self.queues.lock().map(|q| q.clone()).unwrap_or_default();
        let _ = std::thread::spawn(move || {
            let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            runtime.block_on(async move {
                let connection = connect(&url).await;
                for queue in queues.iter().chain([&format!("{namespace}.unrouted")]) {
                    if let Ok(channel) = connection.create_channel().await {
                        let _ = channel
                            .queue_delete(queue, QueueDeleteOptions::default())
                            .await;
                    }
                }
                for exchange in [
                    format!("{namespace}.events"),
                    format!("{namespace}.unrouted"),
                ] {
                    if let Ok(channel) = connection.create_channel().await {
                        let _ = channel
                            .exchange_delete(&exchange, ExchangeDeleteOptions::default())
                            .await;
                    }
                }
                let _ = connection.close(200, "test over").await;
            });
        })
        .join();
    }
}

/// What a tap has seen.
pub struct Tap {
    consumer: Consumer,
    _channel: Channel,
}

impl std::fmt::Debug for Tap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Tap")
    }
}

impl Tap {
    /// The next message, or `None` after `timeout`.
    pub async fn next(&mut self, timeout: Duration) -> Option<Delivery> {
        tokio::time::timeout(timeout, self.consumer.next())
            .await
            .ok()
            .flatten()
            .and_then(Result::ok)
    }

    /// The next message's body as JSON; panics if none comes within `timeout`.
    pub async fn next_json(&mut self, timeout: Duration) -> serde_json::Value {
        let delivery = self
            .next(timeout)
            .await
            .expect("an event within the timeout");
        serde_json::from_slice(&delivery.data).expect("a JSON body")
    }
}
