//! `hearth broker users` and per-service broker identities, on the real
//! RabbitMQ: what the broker refuses a service's user, what a consumer
//! refuses from the wrong publisher, and the saga running as per-service users.
//!
//! Every test makes users named with a random prefix, in a namespace of its
//! own, and deletes them when it ends (however it ends).

use crate::support;

use std::collections::HashMap;
use std::process::{Command, Output};
use std::time::Duration;

use hearth::broker_users::{url_as, Management};
use hearth::services::Service;
use hearth_bus::consumer::{header_string, headers};
use hearth_bus::topology::{declare_exchange, Names};
use hearth_events::campaign::CampaignDonationAccepted;
use hearth_events::profile::ProfileSuspended;
use hearth_events::request::RequestCreated;
use hearth_events::{Envelope, Event, EventContext};
use hearth_testkit::{user_token, TestBroker};
use lapin::message::Delivery;
use lapin::options::{BasicPublishOptions, ConfirmSelectOptions, QueueBindOptions};
use lapin::publisher_confirm::Confirmation;
use lapin::types::FieldTable;
use lapin::{BasicProperties, Channel, Connection, ConnectionProperties};
use serde_json::json;
use uuid::Uuid;

const WAIT: Duration = Duration::from_secs(15);

/// Broker users of the test's own, deleted when the test ends.
struct Users {
    api: Management,
    prefix: String,
    url: String,
    namespace: String,
    names: Vec<String>,
}

impl Users {
    fn new(broker: &TestBroker) -> Self {
        let env = HashMap::from([("RABBITMQ_URL".to_owned(), broker.url.clone())]);
        let prefix = format!("t{}_", &Uuid::new_v4().simple().to_string()[..12]);
        let mut names: Vec<String> = Service::ALL
            .iter()
            .map(|s| format!("{prefix}{}", s.spec().name))
            .collect();
        names.push(format!("{prefix}intruder"));
        Self {
            api: Management::from_env(&env).expect("management settings"),
            prefix,
            url: broker.url.clone(),
            namespace: broker.namespace.clone(),
            names,
        }
    }

    fn user(&self, service: &str) -> String {
        format!("{}{service}", self.prefix)
    }

    /// The password the tests give `service`'s user.
    fn password(&self, service: &str) -> String {
        format!("pw-{}-{service}", self.prefix)
    }

    fn url_of(&self, service: &str) -> String {
        url_as(&self.url, &self.user(service), &self.password(service)).expect("url")
    }

    /// Runs `hearth broker users` on this namespace with `args` and `vars`.
    fn run(&self, args: &[&str], vars: &[(String, String)]) -> Output {
        let output = Command::new(env!("CARGO_BIN_EXE_hearth"))
            .args(["broker", "users"])
            .args(args)
            .env("RABBITMQ_URL", &self.url)
            .env("BUS_NAMESPACE", &self.namespace)
            .envs(vars.iter().cloned())
            .env_remove("RUST_LOG")
            .env_remove("RABBITMQ_MANAGEMENT_URL")
            .output()
            .expect("run hearth");
        assert!(
            output.status.success(),
            "stdout:\n{}\nstderr:\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        output
    }

    /// Every service's user, with the test's passwords, through the command.
    fn create_all(&self) {
        let vars: Vec<(String, String)> = Service::ALL
            .iter()
            .map(|s| {
                let name = s.spec().name;
                (s.spec().var("RABBITMQ_PASSWORD"), self.password(name))
            })
            .collect();
        self.run(&["--prefix", &self.prefix], &vars);
    }

    /// A user who may do anything in the vhost, as a leaked shared
    /// credential or a careless grant would allow: not a service's user.
    async fn create_intruder(&self) -> String {
        let user = self.user("intruder");
        self.api
            .put_user(&user, &self.password("intruder"))
            .await
            .expect("create the intruder");
        // Anything in the vhost, and every routing key on the exchange.
        self.api
            .set_permissions("/", &user, [".*", ".*", ".*"])
            .await
            .expect("grant the intruder");
        self.api
            .set_topic_permissions(
                "/",
                &user,
                &format!("{}.events", self.namespace),
                ".*",
                ".*",
            )
            .await
            .expect("grant the intruder");
        self.url_of("intruder")
    }
}

impl Drop for Users {
    fn drop(&mut self) {
        let url = self.url.clone();
        let names = self.names.clone();
        let _ = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            runtime.block_on(async move {
                // A client of this runtime's own: the test's pooled
                // connections died with the test's runtime.
                let env = HashMap::from([("RABBITMQ_URL".to_owned(), url)]);
                let api = Management::from_env(&env)?;
                for name in names {
                    api.delete_user(&name).await?;
                }
                anyhow::Ok(())
            })
        })
        .join();
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
    .expect("RabbitMQ answers")
    .expect("log in")
}

async fn confirm_channel(connection: &Connection) -> Channel {
    let channel = connection.create_channel().await.expect("channel");
    channel
        .confirm_select(ConfirmSelectOptions::default())
        .await
        .expect("confirms");
    channel
}

/// Publishes `event` to `exchange` with `routing_key` and `user_id`: the
/// broker's confirm, or its refusal.
async fn publish_as<T: Event>(
    channel: &Channel,
    exchange: &str,
    routing_key: &str,
    event: &Envelope<T>,
    user_id: &str,
) -> Result<Confirmation, lapin::Error> {
    let properties = BasicProperties::default()
        .with_message_id(event.id.to_string().into())
        .with_type(event.event_type.clone().into())
        .with_delivery_mode(2)
        .with_user_id(user_id.into());
    let body = serde_json::to_vec(event).expect("serialise");
    channel
        .basic_publish(
            exchange,
            routing_key,
            BasicPublishOptions::default(),
            &body,
            properties,
        )
        .await?
        .await
}

fn request_created() -> Envelope<RequestCreated> {
    Envelope::new(
        "request",
        RequestCreated {
            request_id: Uuid::now_v7(),
            requester_id: Uuid::new_v4(),
            title: "Coats".into(),
            category: "clothing".into(),
            quantity_needed: 3,
            image_url: None,
        },
        &EventContext::default(),
    )
}

fn accepted(donation_id: Uuid, recipient_id: Uuid) -> Envelope<CampaignDonationAccepted> {
    Envelope::new(
        "campaign",
        CampaignDonationAccepted {
            donation_id,
            campaign_id: Uuid::now_v7(),
            recipient_id,
            title: "Blankets".into(),
            amount_minor: 2_500,
            currency: "USD".into(),
            raised_minor: 2_500,
            donor_id: None,
            anonymous: None,
        },
        &EventContext::default(),
    )
}

#[tokio::test]
async fn broker_users_are_made_once_keep_their_passwords_and_take_the_prefix() {
    let broker = TestBroker::new().await;
    let users = Users::new(&broker);
    let first = users.run(&["--prefix", &users.prefix, "campaign", "request"], &[]);
    let printed = String::from_utf8_lossy(&first.stdout).into_owned();
    let campaign = users.user("campaign");
    assert!(
        printed.contains(&format!("{campaign}: created")),
        "{printed}"
    );
    let url = printed
        .lines()
        .find_map(|line| line.trim().strip_prefix("CAMPAIGN_RABBITMQ_URL="))
        .expect("the new user's URL, with its password")
        .to_owned();
    assert!(url.starts_with(&format!("amqp://{campaign}:")), "{url}");
    assert!(!users
        .api
        .user_exists(&users.user("donation"))
        .await
        .expect("api"));
    connect(&url).await.close(200, "ok").await.expect("close");

    // Again: nothing harmful changes, the password stays.
    let second = users.run(&["--prefix", &users.prefix, "campaign"], &[]);
    let printed = String::from_utf8_lossy(&second.stdout).into_owned();
    assert!(
        printed.contains(&format!("{campaign}: exists; password kept")),
        "{printed}"
    );
    assert!(
        !printed.contains("RABBITMQ_URL="),
        "no password shown again"
    );
    connect(&url).await.close(200, "ok").await.expect("close");

    // A given password replaces it.
    let vars = [(
        "CAMPAIGN_RABBITMQ_PASSWORD".to_owned(),
        users.password("campaign"),
    )];
    let third = users.run(&["--prefix", &users.prefix, "campaign"], &vars);
    assert!(String::from_utf8_lossy(&third.stdout)
        .contains("password set from CAMPAIGN_RABBITMQ_PASSWORD"));
    connect(&users.url_of("campaign"))
        .await
        .close(200, "ok")
        .await
        .expect("close");
}

#[test]
fn without_the_management_api_broker_users_stops_with_one_line() {
    let run = |url: &str| {
        Command::new(env!("CARGO_BIN_EXE_hearth"))
            .args(["broker", "users", "campaign"])
            .env("RABBITMQ_MANAGEMENT_URL", url)
            .env("BUS_NAMESPACE", format!("test.{}", Uuid::new_v4().simple()))
            .env_remove("RUST_LOG")
            .output()
            .expect("run hearth")
    };
    let unreachable = run("http://127.0.0.1:1");
    assert_eq!(unreachable.status.code(), Some(1));
    let line = String::from_utf8_lossy(&unreachable.stderr).into_owned();
    assert_eq!(line.lines().count(), 1, "{line}");
    assert!(
        line.contains("cannot reach the RabbitMQ management API at http://127.0.0.1:1/")
            && line.contains("rabbitmq-plugins enable rabbitmq_management"),
        "{line}"
    );
    let malformed = run("127.0.0.1:15672");
    assert_eq!(malformed.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&malformed.stderr)
        .starts_with("hearth: RABBITMQ_MANAGEMENT_URL: expected an http:// or https:// URL"));
}

#[tokio::test]
async fn the_broker_refuses_a_service_user_a_foreign_type_a_forged_user_id_and_foreign_queues() {
    let broker = TestBroker::new().await;
    let names = Names::new(broker.namespace.clone());
    declare_exchange(&broker.channel().await, &names)
        .await
        .expect("the exchange");
    let users = Users::new(&broker);
    users.create_all();
    let request = users.user("request");
    let as_request = connect(&users.url_of("request")).await;

    // Its own type, as itself: accepted.
    let channel = confirm_channel(&as_request).await;
    let own = request_created();
    let confirm = publish_as(
        &channel,
        &names.exchange(),
        RequestCreated::TYPE,
        &own,
        &request,
    )
    .await
    .expect("its own type is accepted");
    assert!(confirm.is_ack(), "{confirm:?}");

    // Another service's type: the broker closes the channel.
    let forged = accepted(Uuid::now_v7(), Uuid::new_v4());
    let err = publish_as(
        &channel,
        &names.exchange(),
        CampaignDonationAccepted::TYPE,
        &forged,
        &request,
    )
    .await
    .expect_err("a foreign type is refused");
    assert!(err.to_string().contains("ACCESS_REFUSED"), "{err}");

    // Its own type under another service's name: refused too.
    let channel = confirm_channel(&as_request).await;
    let err = publish_as(
        &channel,
        &names.exchange(),
        RequestCreated::TYPE,
        &request_created(),
        &users.user("campaign"),
    )
    .await
    .expect_err("a forged user_id is refused");
    assert!(err.to_string().contains("PRECONDITION_FAILED"), "{err}");
    assert!(err.to_string().contains("user_id"), "{err}");

    // It may bind its queue to the types it consumes, and no other.
    let channel = as_request.create_channel().await.expect("channel");
    let consumer = hearth_bus::topology::ConsumerTopology {
        service: "request",
        event_types: vec!["donation.created"],
        retry_delays: vec![Duration::from_secs(1)],
    };
    for queue in ["", ".dead", ".delay.1s"] {
        broker.track(format!("{}.request{queue}", broker.namespace));
    }
    hearth_bus::topology::declare_own_queues(&channel, &names, &consumer)
        .await
        .expect("its own queues and bindings");
    let err = channel
        .queue_bind(
            &names.queue("request"),
            &names.exchange(),
            "campaign.donation_accepted",
            QueueBindOptions::default(),
            FieldTable::default(),
        )
        .await
        .expect_err("binding a type it does not consume is refused");
    assert!(err.to_string().contains("ACCESS_REFUSED"), "{err}");

    // Another service's queue: refused.
    broker.track(names.queue("campaign"));
    broker
        .channel()
        .await
        .queue_declare(
            &names.queue("campaign"),
            lapin::options::QueueDeclareOptions {
                durable: true,
                ..Default::default()
            },
            FieldTable::default(),
        )
        .await
        .expect("campaign's queue");
    for queue in [names.queue("campaign"), names.unrouted_queue()] {
        let channel = as_request.create_channel().await.expect("channel");
        let err = channel
            .basic_get(&queue, Default::default())
            .await
            .expect_err("reading a queue not its own is refused");
        assert!(err.to_string().contains("ACCESS_REFUSED"), "{queue}: {err}");
    }
    let _ = as_request.close(200, "done").await;
}

/// The services' settings for per-service users, with the check on.
fn as_service_users(prepared: &mut support::Prepared, users: &Users) {
    for service in Service::ALL {
        let name = service.spec().name;
        prepared.set(&service.spec().var("RABBITMQ_URL"), &users.url_of(name));
    }
    // `on` stops a service that is not on its own user: the check is really on.
    prepared.set("RABBITMQ_CHECK_PUBLISHERS", "on");
}

#[tokio::test]
async fn with_per_service_users_the_money_saga_runs_and_each_event_names_its_producer() {
    let mut prepared = support::prepare().await;
    let users = Users::new(&prepared.broker);
    users.create_all();
    as_service_users(&mut prepared, &users);
    let running = prepared.start().await;
    let mut tap = running
        .broker
        .tap(&running.exchange(), "donation.created")
        .await;

    let owner = Uuid::new_v4();
    let campaign = running
        .campaign
        .post("/campaigns")
        .token(&user_token(owner))
        .json(&json!({"title": "Blankets", "goal_minor": 10_000, "currency": "USD"}))
        .send()
        .await
        .expect(201);
    let donor = Uuid::new_v4();
    let donation = running
        .donation
        .post("/donations")
        .token(&user_token(donor))
        .json(&json!({"kind": "money", "campaign_id": campaign["id"], "amount_minor": 2_500, "currency": "USD"}))
        .send()
        .await
        .expect(201);
    // Read from the database: under load a poll through the API can meet a 503.
    let donation_id: Uuid = donation["id"].as_str().expect("id").parse().expect("uuid");
    let mut db = running.main_db.connect().await;
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let status: String =
            sqlx::query_scalar("select status from donation.donations where id = $1")
                .bind(donation_id)
                .fetch_one(&mut db)
                .await
                .expect("the donation");
        if status != "pending" || tokio::time::Instant::now() >= deadline {
            assert_eq!(status, "confirmed");
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    let created = tap.next(WAIT).await.expect("donation.created on the wire");
    assert_eq!(
        created
            .properties
            .user_id()
            .as_ref()
            .map(ToString::to_string),
        Some(users.user("donation")),
        "the broker-checked publisher"
    );
}

/// A dead letter's event id, error and original publisher.
fn read_letter(delivery: &Delivery) -> (String, String, String) {
    let table = delivery.properties.headers().clone().unwrap_or_default();
    (
        delivery
            .properties
            .message_id()
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default(),
        header_string(&table, headers::ERROR).unwrap_or_default(),
        header_string(&table, headers::PUBLISHER).unwrap_or_default(),
    )
}

/// Takes messages from `queue` until there are `count`, or the wait is over.
async fn take(broker: &TestBroker, queue: &str, count: usize) -> Vec<Delivery> {
    let mut taken = Vec::new();
    let deadline = tokio::time::Instant::now() + WAIT;
    while taken.len() < count && tokio::time::Instant::now() < deadline {
        match broker.get(queue).await {
            Some(delivery) => taken.push(delivery),
            None => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
    taken
}

#[tokio::test]
async fn forged_events_change_nothing_go_to_the_dead_queue_with_why_and_stay_refused_on_replay() {
    let mut prepared = support::prepare().await;
    let users = Users::new(&prepared.broker);
    users.create_all();
    let intruder_url = users.create_intruder().await;
    as_service_users(&mut prepared, &users);
    let (_platform, clients) = prepared.launch(&[Service::Donation]).await;
    let client = &clients["donation"];
    let broker = &prepared.broker;
    let names = Names::new(broker.namespace.clone());

    // A pending donation: no campaign-service runs to answer it.
    let donor = Uuid::new_v4();
    let donation = client
        .post("/donations")
        .token(&user_token(donor))
        .json(&json!({"kind": "money", "campaign_id": Uuid::now_v7(), "amount_minor": 2_500, "currency": "USD"}))
        .send()
        .await
        .expect(201);
    let donation_id: Uuid = donation["id"].as_str().expect("id").parse().expect("uuid");
    let stranger = Uuid::new_v4();

    // 1. An intruder the broker lets publish anything, on the exchange.
    let intruder = connect(&intruder_url).await;
    let channel = confirm_channel(&intruder).await;
    let by_intruder = accepted(donation_id, stranger);
    publish_as(
        &channel,
        &names.exchange(),
        CampaignDonationAccepted::TYPE,
        &by_intruder,
        &users.user("intruder"),
    )
    .await
    .expect("the broker takes it");
    // 2. The same dated a century ahead, to outlive every later decision.
    let mut suspension = Envelope::new(
        "profile",
        ProfileSuspended {
            profile_id: donor,
            reason: Some("forged".into()),
        },
        &EventContext::default(),
    );
    suspension.time = chrono::Utc::now() + chrono::Duration::days(36_500);
    publish_as(
        &channel,
        &names.exchange(),
        ProfileSuspended::TYPE,
        &suspension,
        &users.user("intruder"),
    )
    .await
    .expect("the broker takes it");
    // 3. request-service's own user, straight into donation-service's queue
    //    through the default exchange (which every service may write to).
    let as_request = connect(&users.url_of("request")).await;
    let by_request = accepted(donation_id, stranger);
    publish_as(
        &confirm_channel(&as_request).await,
        "",
        &names.queue("donation"),
        &by_request,
        &users.user("request"),
    )
    .await
    .expect("the broker takes it");

    // 4. The intruder again, with no user_id at all and a header claiming
    //    campaign-service published it, as a retry copy would carry.
    let unsigned = accepted(donation_id, stranger);
    let mut claim = FieldTable::default();
    claim.insert(
        headers::PUBLISHER.into(),
        lapin::types::AMQPValue::LongString(users.user("campaign").into()),
    );
    channel
        .basic_publish(
            &names.exchange(),
            CampaignDonationAccepted::TYPE,
            BasicPublishOptions::default(),
            &serde_json::to_vec(&unsigned).expect("json"),
            BasicProperties::default()
                .with_message_id(unsigned.id.to_string().into())
                .with_headers(claim),
        )
        .await
        .expect("publish")
        .await
        .expect("the broker takes it");

    let dead = names.dead_queue("donation");
    let forgeries = take(broker, &dead, 4).await;
    let letters: HashMap<String, (String, String)> = forgeries
        .iter()
        .map(|d| {
            let (id, error, publisher) = read_letter(d);
            (id, (error, publisher))
        })
        .collect();
    let campaign_user = users.user("campaign");
    let refused = |id: Uuid, publisher: &str, producer: &str| {
        let (error, header) = letters
            .get(&id.to_string())
            .unwrap_or_else(|| panic!("{id} dead-lettered; have {letters:?}"));
        assert!(
            error.contains(&format!(
                "published by broker user {publisher}, but only {producer} may publish it"
            )),
            "{error}"
        );
        assert_eq!(header, publisher);
    };
    refused(by_intruder.id, &users.user("intruder"), &campaign_user);
    refused(
        suspension.id,
        &users.user("intruder"),
        &users.user("profile"),
    );
    refused(by_request.id, &users.user("request"), &campaign_user);
    let (error, header) = &letters[&unsigned.id.to_string()];
    assert!(
        error.contains("without a broker-checked publisher (user_id)"),
        "{error}"
    );
    assert_eq!(header, "", "the unproven claim is not carried on");

    // Nothing changed: the donation is pending without a recipient, the
    // donor is not suspended and may still give.
    let mut db = prepared.main_db.connect().await;
    let (status, recipient): (String, Option<Uuid>) =
        sqlx::query_as("select status, recipient_id from donation.donations where id = $1")
            .bind(donation_id)
            .fetch_one(&mut db)
            .await
            .expect("the donation");
    assert_eq!((status.as_str(), recipient), ("pending", None));
    let suspended: i64 = sqlx::query_scalar("select count(*) from donation.account_suspensions")
        .fetch_one(&mut db)
        .await
        .expect("suspensions");
    assert_eq!(suspended, 0);
    client
        .post("/donations")
        .token(&user_token(donor))
        .json(&json!({"kind": "money", "campaign_id": Uuid::now_v7(), "amount_minor": 100, "currency": "USD"}))
        .send()
        .await
        .expect(201);

    // The rightful producer's answer, while handling is broken: retried as
    // donation-service's own user, then dead-lettered, still campaign's.
    sqlx::raw_sql("alter table donation.inbox rename to inbox_away")
        .execute(&mut db)
        .await
        .expect("break handling");
    let as_campaign = connect(&users.url_of("campaign")).await;
    let rightful = accepted(donation_id, Uuid::new_v4());
    publish_as(
        &confirm_channel(&as_campaign).await,
        &names.exchange(),
        CampaignDonationAccepted::TYPE,
        &rightful,
        &campaign_user,
    )
    .await
    .expect("published");
    let letter = take(broker, &dead, 1)
        .await
        .pop()
        .expect("dead-lettered after its retry");
    let table = letter.properties.headers().clone().unwrap_or_default();
    assert_eq!(
        header_string(&table, headers::PUBLISHER).as_deref(),
        Some(campaign_user.as_str())
    );
    assert_eq!(
        letter
            .properties
            .user_id()
            .as_ref()
            .map(ToString::to_string),
        Some(users.user("donation")),
        "the copy is donation-service's own"
    );
    assert!(header_string(&table, headers::ERROR)
        .unwrap_or_default()
        .contains("inbox"));

    // Put every letter back in the dead queue as donation-service left them,
    // mend handling, and replay as donation-service's user: the rightful
    // answer is handled, the forgeries are refused again.
    requeue_dead(&users, &dead, forgeries.iter().chain([&letter])).await;
    // And a letter request-service's user slipped into the dead queue itself,
    // naming campaign-service as its publisher, hoping a replay launders it.
    let laundered = accepted(donation_id, stranger);
    let mut claim = FieldTable::default();
    claim.insert(
        headers::PUBLISHER.into(),
        lapin::types::AMQPValue::LongString(campaign_user.clone().into()),
    );
    let confirm = confirm_channel(&as_request)
        .await
        .basic_publish(
            "",
            &dead,
            BasicPublishOptions::default(),
            &serde_json::to_vec(&laundered).expect("json"),
            BasicProperties::default()
                .with_message_id(laundered.id.to_string().into())
                .with_user_id(users.user("request").into())
                .with_headers(claim),
        )
        .await
        .expect("publish")
        .await
        .expect("confirmed");
    assert!(confirm.is_ack());
    sqlx::raw_sql("alter table donation.inbox_away rename to inbox")
        .execute(&mut db)
        .await
        .expect("mend handling");
    let output = Command::new(env!("CARGO_BIN_EXE_hearth"))
        .args(["dlq", "replay", "donation", "--all"])
        .env("RABBITMQ_URL", &broker.url)
        .env("DONATION_RABBITMQ_URL", users.url_of("donation"))
        .env("BUS_NAMESPACE", &broker.namespace)
        .env_remove("RUST_LOG")
        .output()
        .expect("run hearth");
    assert!(output.status.success(), "{output:?}");
    let deadline = tokio::time::Instant::now() + WAIT;
    let recipient = loop {
        let (status, recipient): (String, Option<Uuid>) =
            sqlx::query_as("select status, recipient_id from donation.donations where id = $1")
                .bind(donation_id)
                .fetch_one(&mut db)
                .await
                .expect("the donation");
        if status != "pending" || tokio::time::Instant::now() >= deadline {
            assert_eq!(status, "confirmed");
            break recipient;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(recipient, Some(rightful.data.recipient_id));
    let again: Vec<(String, String, String)> = take(broker, &dead, 5)
        .await
        .iter()
        .map(read_letter)
        .collect();
    assert_eq!(again.len(), 5, "the forgeries are back: {again:?}");
    for (id, error, publisher) in &again {
        match letters.get(id) {
            Some((first, _)) => assert_eq!(error, first, "refused again for the same reason"),
            None => {
                assert_eq!(id, &laundered.id.to_string());
                assert_eq!(publisher, &users.user("request"), "{error}");
                assert!(error.contains("but only"), "{error}");
            }
        }
    }
    let _ = (
        intruder.close(200, "done").await,
        as_request.close(200, "done").await,
    );
}

/// Publishes `letters`, taken from the dead queue to be read, back onto it
/// as donation-service's user, exactly as its consumer had left them.
async fn requeue_dead(users: &Users, dead: &str, letters: impl Iterator<Item = &Delivery>) {
    let as_donation = connect(&users.url_of("donation")).await;
    let channel = confirm_channel(&as_donation).await;
    for letter in letters {
        let confirm = channel
            .basic_publish(
                "",
                dead,
                BasicPublishOptions::default(),
                &letter.data,
                letter.properties.clone(),
            )
            .await
            .expect("publish")
            .await
            .expect("confirmed");
        assert!(confirm.is_ack());
    }
    let _ = as_donation.close(200, "done").await;
}
