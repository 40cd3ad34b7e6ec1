//! PostgreSQL restarting under a running platform: the services reconnect by
//! themselves, and nothing committed is lost.
//!
//! This restarts the one PostgreSQL every test shares, so it is `#[ignore]`d
//! in the parallel run and `scripts/test` runs it alone afterwards.

use std::process::Command;
use std::time::Duration;

use crate::support::{poll, start, Running};
use hearth_testkit::user_token;
use serde_json::json;
use uuid::Uuid;

fn cluster() -> String {
    std::fs::read_dir("/etc/postgresql")
        .ok()
        .and_then(|mut versions| versions.next())
        .and_then(Result::ok)
        .map(|v| v.file_name().to_string_lossy().into_owned())
        .expect("a PostgreSQL cluster under /etc/postgresql")
}

fn pg_ctlcluster(action: &str) -> std::process::Output {
    Command::new("pg_ctlcluster")
        .args(["--skip-systemctl-redirect", &cluster(), "main", action])
        .output()
        .expect("run pg_ctlcluster")
}

/// Starts PostgreSQL again however the test ends.
struct StartGuard;

impl Drop for StartGuard {
    fn drop(&mut self) {
        let _ = pg_ctlcluster("start");
    }
}

async fn create(running: &Running, token: &str, title: &str) -> Option<String> {
    let response = running
        .campaign
        .post("/campaigns")
        .token(token)
        .json(&json!({"title": title, "goal_minor": 1000, "currency": "USD"}))
        .send()
        .await;
    (response.status.as_u16() == 201)
        .then(|| response.json()["id"].as_str().expect("id").to_owned())
}

#[tokio::test]
#[ignore = "restarts the shared PostgreSQL; run alone by scripts/test"]
async fn restarting_the_database_loses_nothing() {
    let _guard = StartGuard;
    let mut running = start().await;
    let token = user_token(Uuid::new_v4());
    let before = create(&running, &token, "Before the restart")
        .await
        .expect("created");

    let restarted = pg_ctlcluster("restart");
    assert!(
        restarted.status.success(),
        "{}",
        String::from_utf8_lossy(&restarted.stderr)
    );

    // The pool finds its old connections dead and opens new ones.
    let mut after = None;
    for _ in 0..100 {
        after = create(&running, &token, "After the restart").await;
        if after.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let after = after.expect("writes work again after the restart");

    // The relay re-took its lock and its LISTEN; the consumer retried what failed.
    let page = poll(
        &running.messaging,
        "/notifications",
        &token,
        Duration::from_secs(30),
        |p| p["items"].as_array().is_some_and(|items| items.len() >= 2),
    )
    .await;
    let mut linked: Vec<&str> = page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|n| n["link"]["id"].as_str().expect("id"))
        .collect();
    linked.sort_unstable();
    let mut expected = vec![before.as_str(), after.as_str()];
    expected.sort_unstable();
    assert_eq!(linked, expected, "one notification for each campaign");
    running.shutdown().await;
}
