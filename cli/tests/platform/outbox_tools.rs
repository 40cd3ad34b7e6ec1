//! `hearth outbox status` and `hearth events tail`, as an operator runs them.

use std::process::Stdio;
use std::time::Duration;

use hearth_core::config::DatabaseConfig;
use hearth_events::campaign::CampaignCreated;
use hearth_events::{Envelope, EventContext};
use hearth_testkit::{TestBroker, TestDb};
use lapin::options::BasicPublishOptions;
use lapin::BasicProperties;
use tokio::io::{AsyncBufReadExt, BufReader};
use uuid::Uuid;

async fn migrate_campaign(db: &TestDb) {
    let config = DatabaseConfig {
        url: db.url(),
        max_connections: 1,
        acquire_timeout: Duration::from_secs(5),
    };
    let pool = hearth_core::db::pool(&config, "campaign").expect("a pool");
    hearth_core::migrations::migrate(
        &pool,
        "campaign",
        &<campaign_service::Campaign as hearth_bus::app::Service>::MIGRATIONS,
    )
    .await
    .expect("migrate");
    pool.close().await;
}

#[tokio::test]
async fn outbox_status_shows_waiting_oldest_and_sent_per_service() {
    let main = TestDb::create().await;
    let campaign = TestDb::create().await;
    migrate_campaign(&campaign).await;
    sqlx::raw_sql(
        "insert into campaign.outbox (event_id, aggregate_id, event_type, envelope, created_at) \
           values (gen_random_uuid(), 'a', 'campaign.created', '{}', now() - interval '5 minutes'), \
                  (gen_random_uuid(), 'b', 'campaign.created', '{}', now() - interval '1 minute'); \
         insert into campaign.outbox (event_id, aggregate_id, event_type, envelope, published_at) \
           values (gen_random_uuid(), 'c', 'campaign.created', '{}', now()), \
                  (gen_random_uuid(), 'd', 'campaign.created', '{}', now() - interval '1 hour');",
    )
    .execute(&mut campaign.connect().await)
    .await
    .expect("outbox rows");

    let output = std::process::Command::new(env!("CARGO_BIN_EXE_hearth"))
        .args(["outbox", "status"])
        .env("MAIN_DATABASE_URL", main.url())
        .env("CAMPAIGN_DATABASE_URL", campaign.url())
        .env_remove("RUST_LOG")
        .output()
        .expect("run hearth");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}");
    let line = |service: &str| {
        stdout
            .lines()
            .find(|l| l.starts_with(service))
            .unwrap_or_else(|| panic!("no {service} in\n{stdout}"))
            .split_whitespace()
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };
    let campaign_line = line("campaign");
    assert_eq!(campaign_line[1], "2", "waiting: {campaign_line:?}");
    assert!(
        campaign_line[2].starts_with("5m"),
        "oldest: {campaign_line:?}"
    );
    assert_eq!(
        campaign_line[3], "1",
        "sent in the last minute: {campaign_line:?}"
    );
    assert!(
        line("donation").join(" ").contains("not migrated"),
        "a schema not there yet is said so"
    );

    // A database out of reach: shown, and the exit code says so.
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_hearth"))
        .args(["outbox", "status"])
        .env(
            "MAIN_DATABASE_URL",
            "postgres://postgres@127.0.0.1:1/nowhere",
        )
        .env("CAMPAIGN_DATABASE_URL", campaign.url())
        .env_remove("RUST_LOG")
        .output()
        .expect("run hearth");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("donation   (cannot read"), "{stdout}");
    assert!(
        String::from_utf8_lossy(&output.stderr)
            .contains("could not read the outbox of donation, request, messaging, profile"),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// `hearth events tail ARGS` on `broker`, once it says it is following (its
/// queue is bound by then), and the lines it prints.
async fn start_tail(
    broker: &TestBroker,
    args: &[&str],
) -> (
    tokio::process::Child,
    tokio::io::Lines<BufReader<tokio::process::ChildStdout>>,
) {
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_hearth"))
        .args(["events", "tail"])
        .args(args)
        .env("RABBITMQ_URL", &broker.url)
        .env("BUS_NAMESPACE", &broker.namespace)
        .env_remove("RUST_LOG")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("start hearth events tail");
    let mut stderr = BufReader::new(child.stderr.take().expect("stderr")).lines();
    let stdout = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let following = tokio::time::timeout(Duration::from_secs(10), stderr.next_line())
        .await
        .expect("tail starts within 10 s")
        .expect("read stderr")
        .expect("a line");
    assert!(following.starts_with("following"), "{following}");
    (child, stdout)
}

#[tokio::test]
async fn events_tail_prints_one_line_per_event() {
    let broker = TestBroker::new().await;
    let (mut child, mut stdout) = start_tail(&broker, &["--type", "campaign.*"]).await;

    let channel = broker.channel().await;
    let exchange = format!("{}.events", broker.namespace);
    let campaign_id = Uuid::now_v7();
    let event = Envelope::new(
        "campaign",
        CampaignCreated {
            campaign_id,
            recipient_id: Uuid::new_v4(),
            creator_id: Uuid::new_v4(),
            title: "Blankets".into(),
            goal_minor: 25_000,
            currency: "USD".into(),
            status: "active".into(),
            ends_at: None,
            image_url: None,
        },
        &EventContext::default(),
    );
    // Not matched by campaign.*: never shown.
    for (routing_key, body) in [
        ("donation.created", b"{}".to_vec()),
        (
            "campaign.created",
            serde_json::to_vec(&event).expect("json"),
        ),
    ] {
        channel
            .basic_publish(
                &exchange,
                routing_key,
                BasicPublishOptions::default(),
                &body,
                BasicProperties::default(),
            )
            .await
            .expect("publish")
            .await
            .expect("published");
    }
    let line = tokio::time::timeout(Duration::from_secs(10), stdout.next_line())
        .await
        .expect("a line within 10 s")
        .expect("read stdout")
        .expect("a line");
    assert!(line.contains("campaign.created"), "{line}");
    assert!(line.contains(&event.id.to_string()), "{line}");
    assert!(line.contains(&campaign_id.to_string()), "{line}");
    assert!(line.contains("goal_minor=25000"), "{line}");
    child.kill().await.expect("stop tail");
}

#[tokio::test]
async fn events_tail_stops_on_ctrl_c_while_events_keep_coming() {
    let broker = TestBroker::new().await;
    let (mut child, mut stdout) = start_tail(&broker, &[]).await;

    // A steady stream: there is always a line to write.
    let channel = broker.channel().await;
    let exchange = format!("{}.events", broker.namespace);
    let flow = tokio::spawn(async move {
        loop {
            let _ = channel
                .basic_publish(
                    &exchange,
                    "campaign.updated",
                    BasicPublishOptions::default(),
                    b"{}",
                    BasicProperties::default(),
                )
                .await;
            tokio::time::sleep(Duration::from_micros(200)).await;
        }
    });
    // Nobody reads its output yet: the pipe fills and the tail blocks in the
    // middle of writing a line, where the Ctrl-C then lands.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let pid = child.id().expect("running").to_string();
    let sent = std::process::Command::new("kill")
        .args(["-INT", &pid])
        .status()
        .expect("kill -INT");
    assert!(sent.success());
    let reader = tokio::spawn(async move { while let Ok(Some(_)) = stdout.next_line().await {} });
    let status = tokio::time::timeout(Duration::from_secs(5), child.wait())
        .await
        .expect("Ctrl-C stops the tail within 5 s")
        .expect("wait");
    assert!(status.success(), "{status}");
    flow.abort();
    reader.abort();
}
