//! The `hearth` binary as a user runs it.

use std::process::Command;
use std::time::Duration;

use hearth::platform::Platform;
use hearth::services::Service;
use hearth_core::auth::{Authenticator, CallerKind};
use hearth_testkit::{TestClient, TestDb, JWT_SECRET};

fn hearth() -> Command {
    Command::new(env!("CARGO_BIN_EXE_hearth"))
}

#[test]
fn a_bad_setting_stops_start_up_with_one_line_naming_it() {
    for (service, var, value) in [
        ("campaign", "CAMPAIGN_PORT", "eighty"),
        ("campaign", "RABBITMQ_URL", "http://localhost"),
        ("campaign", "JWT_SECRET", "short"),
        ("campaign", "LOG_FORMAT", "xml"),
        ("donation", "DONATION_PENDING_TIMEOUT", "forever"),
        ("messaging", "DONATION_SERVICE_URL", "ftp://donations"),
        ("messaging", "DONATION_SERVICE_TIMEOUT", "soon"),
        ("campaign", "DATABASE_MAX_CONNECTIONS", "0"),
        ("campaign", "DATABASE_ACQUIRE_TIMEOUT", "0s"),
        ("donation", "DONATION_PENDING_TIMEOUT", "0s"),
        ("campaign", "HTTP_HEADER_TIMEOUT", "soon"),
        ("campaign", "HTTP_MAX_CONNECTIONS", "0"),
        ("campaign", "RATE_LIMIT_WRITES", "60"),
        ("campaign", "RATE_LIMIT_BURST", "none"),
        (
            "campaign",
            "CAMPAIGN_DATABASE_URL",
            "postgres://u:hunter2@db/x?sslmode=sometimes",
        ),
    ] {
        let output = hearth()
            .args(["serve", service])
            .env("JWT_SECRET", JWT_SECRET)
            .env(var, value)
            .output()
            .expect("run hearth");
        assert_one_line_naming(&output, var);
    }
}

/// Exit code 2 and one line on stderr, naming `var`.
fn assert_one_line_naming(output: &std::process::Output, var: &str) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{var}: {stderr}");
    assert_eq!(stderr.lines().count(), 1, "{var}: {stderr}");
    assert!(stderr.starts_with(&format!("hearth: {var}: ")), "{stderr}");
}

#[test]
fn the_site_refuses_a_bad_setting_with_one_line_naming_it() {
    for (var, value) in [
        ("WEB_PORT", "eighty"),
        ("WEB_BIND", "everywhere"),
        ("CAMPAIGN_SERVICE_URL", "ftp://campaigns"),
        ("DONATION_SERVICE_URL", "donations"),
        ("WEB_BACKEND_TIMEOUT", "0s"),
    ] {
        let output = hearth()
            .arg("web")
            .env("JWT_SECRET", JWT_SECRET)
            .env(var, value)
            .output()
            .expect("run hearth");
        assert_one_line_naming(&output, var);
    }
    // The site checks sessions as the APIs check tokens: it needs the keys.
    let output = hearth().arg("web").output().expect("run hearth");
    assert_one_line_naming(&output, "JWT_SECRET");
}

#[test]
fn up_refuses_a_bad_setting_before_it_touches_a_database() {
    // PostgreSQL is out of reach: the bad setting must be what is reported,
    // because up reads every setting before creating or migrating anything.
    let nowhere = "postgres://postgres@127.0.0.1:1/nowhere";
    for (var, value) in [
        ("MESSAGING_PORT", "eighty"),
        ("DONATION_PENDING_TIMEOUT", "forever"),
        ("DONATION_SERVICE_URL", "ftp://donations"),
        ("CORS_ALLOWED_ORIGINS", "https://app.example/"),
        ("WEB_PORT", "eighty"),
        ("PROFILE_SERVICE_URL", "profiles"),
    ] {
        let output = hearth()
            .arg("up")
            .env("MAIN_DATABASE_URL", nowhere)
            .env("CAMPAIGN_DATABASE_URL", nowhere)
            .env(var, value)
            .output()
            .expect("run hearth");
        assert_one_line_naming(&output, var);
    }
}

#[test]
fn a_database_password_is_never_shown() {
    let unreachable = "postgres://hearth:hunter2@127.0.0.1:1/nowhere?sslmode=disable";
    for args in [
        &["up"][..],
        &["serve", "campaign"],
        &["db", "roles", "campaign"],
    ] {
        let output = hearth()
            .args(args)
            // Any free port: the default ones may be taken by a test running beside this one.
            .envs(Service::ALL.iter().map(|s| (s.spec().var("PORT"), "0")))
            .env("JWT_SECRET", JWT_SECRET)
            .env("MAIN_DATABASE_URL", unreachable)
            .env("CAMPAIGN_DATABASE_URL", unreachable)
            .env("LOG_FORMAT", "json")
            .output()
            .expect("run hearth");
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "{args:?}: {stderr}");
        assert!(
            !stdout.contains("hunter2") && !stderr.contains("hunter2"),
            "{args:?}: {stdout}{stderr}"
        );
    }
    // The URL is still named, so the operator knows which one failed.
    let output = hearth()
        .arg("up")
        .env("MAIN_DATABASE_URL", unreachable)
        .output()
        .expect("run hearth");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("postgres://hearth:***@127.0.0.1:1/nowhere"),
        "{stderr}"
    );
}

#[test]
fn serve_requires_a_jwt_secret() {
    let output = hearth()
        .args(["serve", "campaign"])
        .env_remove("JWT_SECRET")
        .output()
        .expect("run hearth");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr.starts_with("hearth: JWT_SECRET: missing"),
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
}

#[test]
fn a_jwks_alone_is_enough_but_the_two_ends_of_the_service_call_need_a_secret() {
    // Nothing answers on port 1: were the JWKS or the database waited for,
    // the setting would not be what is reported.
    let nowhere = "postgres://postgres@127.0.0.1:1/nowhere";
    for service in ["donation", "messaging"] {
        let output = hearth()
            .args(["serve", service])
            .env_remove("JWT_SECRET")
            .env_remove("SERVICE_TOKEN_SECRET")
            .env("SUPABASE_URL", "http://127.0.0.1:1")
            .env("MAIN_DATABASE_URL", nowhere)
            .output()
            .expect("run hearth");
        assert_one_line_naming(&output, "SERVICE_TOKEN_SECRET");
    }
    for (var, value) in [
        ("JWT_JWKS_URL", "ftp://keys"),
        ("SUPABASE_URL", "abcd.supabase.co"),
        ("SERVICE_TOKEN_SECRET", "short"),
    ] {
        let output = hearth()
            .args(["serve", "campaign"])
            .env("JWT_SECRET", JWT_SECRET)
            .env(var, value)
            .output()
            .expect("run hearth");
        assert_one_line_naming(&output, var);
    }
}

#[tokio::test]
async fn token_mints_what_the_services_accept() {
    let sub = uuid::Uuid::new_v4();
    let output = hearth()
        .args([
            "token",
            "--sub",
            &sub.to_string(),
            "--admin",
            "--ttl",
            "10m",
        ])
        .env("JWT_SECRET", JWT_SECRET)
        .output()
        .expect("run hearth");
    assert!(output.status.success());
    let token = String::from_utf8_lossy(&output.stdout).trim().to_owned();
    let caller = Authenticator::new(JWT_SECRET)
        .authenticate(&token)
        .await
        .expect("valid")
        .expect("a caller");
    assert_eq!(caller.id, sub);
    assert_eq!(caller.kind, CallerKind::Staff);

    let refused = hearth().args(["token"]).output().expect("run hearth");
    assert!(
        !refused.status.success(),
        "--sub is required for a user token"
    );
}

#[tokio::test]
async fn the_platform_migrates_serves_and_stops_gracefully() {
    let db = TestDb::create().await;
    let broker = hearth_testkit::TestBroker::new().await;
    let env = std::collections::HashMap::from([
        ("CAMPAIGN_DATABASE_URL".to_owned(), db.url()),
        ("MAIN_DATABASE_URL".to_owned(), db.url()),
        ("CAMPAIGN_PORT".to_owned(), "0".to_owned()),
        ("MESSAGING_PORT".to_owned(), "0".to_owned()),
        ("DONATION_PORT".to_owned(), "0".to_owned()),
        ("REQUEST_PORT".to_owned(), "0".to_owned()),
        ("PROFILE_PORT".to_owned(), "0".to_owned()),
        ("RABBITMQ_URL".to_owned(), broker.url.clone()),
        ("BUS_NAMESPACE".to_owned(), broker.namespace.clone()),
        ("EVENT_RETRY_DELAYS".to_owned(), "1s".to_owned()),
    ]);
    for service in Service::ALL {
        for queue in ["", ".dead", ".delay.1s"] {
            broker.track(format!(
                "{}.{}{queue}",
                broker.namespace,
                service.spec().name
            ));
        }
    }
    let platform = Platform::start(Service::ALL, &env, Some(JWT_SECRET))
        .await
        .expect("start");
    let addr = platform.listening[0].addr;
    let client = TestClient::new(addr);
    client.get("/campaigns").send().await.expect(200);
    TestClient::new(platform.listening[1].addr)
        .get("/health/live")
        .send()
        .await
        .expect(200);

    tokio::time::timeout(Duration::from_secs(10), platform.shutdown())
        .await
        .expect("stops within 10 s")
        .expect("stops cleanly");
    assert!(
        tokio::net::TcpStream::connect(addr).await.is_err(),
        "no longer listening"
    );
}

#[tokio::test]
async fn the_platform_reaches_its_database_over_tls_and_closes_silent_connections() {
    use tokio::io::AsyncReadExt;

    let db = TestDb::create().await;
    let broker = hearth_testkit::TestBroker::new().await;
    let url = format!("{}?sslmode=require", db.url());
    let mut env = std::collections::HashMap::from([
        ("CAMPAIGN_DATABASE_URL".to_owned(), url.clone()),
        ("MAIN_DATABASE_URL".to_owned(), url),
        ("RABBITMQ_URL".to_owned(), broker.url.clone()),
        ("BUS_NAMESPACE".to_owned(), broker.namespace.clone()),
        ("EVENT_RETRY_DELAYS".to_owned(), "1s".to_owned()),
        ("HTTP_HEADER_TIMEOUT".to_owned(), "1s".to_owned()),
    ]);
    for service in Service::ALL {
        env.insert(service.spec().var("PORT"), "0".to_owned());
        for queue in ["", ".dead", ".delay.1s"] {
            broker.track(format!(
                "{}.{}{queue}",
                broker.namespace,
                service.spec().name
            ));
        }
    }
    let platform = Platform::start(Service::ALL, &env, Some(JWT_SECRET))
        .await
        .expect("start");
    let addr = platform.listening[0].addr;
    TestClient::new(addr)
        .get("/campaigns")
        .send()
        .await
        .expect(200);

    let mut conn = db.connect().await;
    let (connections, encrypted): (i64, i64) = sqlx::query_as(
        "select count(*), count(*) filter (where s.ssl) from pg_stat_activity a \
         join pg_stat_ssl s using (pid) where a.datname = $1 and a.application_name like 'hearth-%'",
    )
    .bind(db.name())
    .fetch_one(&mut conn)
    .await
    .expect("connections");
    assert!(connections > 0, "the services are connected");
    assert_eq!(encrypted, connections, "every connection is encrypted");

    // HTTP_HEADER_TIMEOUT reaches the services' servers.
    let mut silent = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let mut buf = [0u8; 64];
    let closed = tokio::time::timeout(Duration::from_secs(5), silent.read(&mut buf)).await;
    assert!(
        matches!(closed, Ok(Ok(0)) | Ok(Err(_))),
        "a silent connection is closed: {closed:?}"
    );

    tokio::time::timeout(Duration::from_secs(10), platform.shutdown())
        .await
        .expect("stops within 10 s")
        .expect("stops cleanly");
}

#[tokio::test]
async fn the_public_development_secret_is_refused_beyond_loopback() {
    let env = std::collections::HashMap::from([("CAMPAIGN_BIND".to_owned(), "0.0.0.0".to_owned())]);
    let err = Platform::start(Service::ALL, &env, Some(JWT_SECRET))
        .await
        .expect_err("refused");
    let config = err
        .downcast_ref::<hearth_core::config::ConfigError>()
        .expect("a setting");
    assert_eq!(config.var, "CAMPAIGN_BIND");
    assert!(config.problem.contains("set JWT_SECRET"), "{config}");

    // With a real secret, binding wide is the operator's call.
    let mut with_secret = env.clone();
    with_secret.insert("JWT_SECRET".to_owned(), "x".repeat(40));
    // Any free port: the default one may be taken by a test running beside this one.
    with_secret.insert("CAMPAIGN_PORT".to_owned(), "0".to_owned());
    with_secret.insert(
        "CAMPAIGN_DATABASE_URL".to_owned(),
        "postgres://postgres@127.0.0.1:1/nowhere".to_owned(),
    );
    let err = Platform::start(Service::ALL, &with_secret, Some(JWT_SECRET))
        .await
        .expect_err("no database");
    assert!(
        err.downcast_ref::<hearth_core::config::ConfigError>()
            .is_none(),
        "{err:#}"
    );
}

#[tokio::test]
async fn up_stops_on_ctrl_c_without_an_error_line() {
    use tokio::io::{AsyncBufReadExt, BufReader};
    let db = TestDb::create().await;
    let broker = hearth_testkit::TestBroker::new().await;
    for service in Service::ALL {
        for queue in ["", ".dead", ".delay.1s"] {
            broker.track(format!(
                "{}.{}{queue}",
                broker.namespace,
                service.spec().name
            ));
        }
    }
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_hearth"))
        .arg("up")
        .env_remove("JWT_SECRET")
        .envs([
            ("CAMPAIGN_DATABASE_URL", db.url()),
            ("MAIN_DATABASE_URL", db.url()),
            ("RABBITMQ_URL", broker.url.clone()),
            ("BUS_NAMESPACE", broker.namespace.clone()),
            ("EVENT_RETRY_DELAYS", "1s".to_owned()),
            ("RUST_LOG", "info".to_owned()),
        ])
        .envs(
            [
                "CAMPAIGN",
                "DONATION",
                "REQUEST",
                "MESSAGING",
                "PROFILE",
                "WEB",
            ]
            .map(|service| (format!("{service}_PORT"), "0".to_owned())),
        )
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("hearth up");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let mut errors = BufReader::new(child.stderr.take().expect("stderr")).lines();
    let logged = tokio::spawn(async move {
        let mut all = Vec::new();
        while let Ok(Some(line)) = errors.next_line().await {
            all.push(line);
        }
        all
    });
    let mut printed = Vec::new();
    tokio::time::timeout(Duration::from_secs(60), async {
        while let Ok(Some(line)) = lines.next_line().await {
            let done = line.contains("Ctrl-C stops everything");
            printed.push(line);
            if done {
                return;
            }
        }
        panic!("hearth up ended before its welcome: {printed:?}");
    })
    .await
    .expect("the welcome within 60 s");
    // Let the relays lead and the consumers consume, as they do at rest.
    tokio::time::sleep(Duration::from_secs(2)).await;

    let pid = child.id().expect("running").to_string();
    let sent = std::process::Command::new("kill")
        .args(["-INT", &pid])
        .status()
        .expect("kill -INT");
    assert!(sent.success());
    while let Ok(Some(line)) = lines.next_line().await {
        printed.push(line);
    }
    let status = tokio::time::timeout(Duration::from_secs(15), child.wait())
        .await
        .expect("Ctrl-C stops everything within 15 s")
        .expect("wait");
    assert!(status.success(), "{status}");
    printed.extend(logged.await.expect("stderr"));
    let output = printed.join("\n");
    assert!(output.contains("shutting down"), "{output}");
    assert!(
        !output.contains("ERROR"),
        "no error on a graceful stop: {output}"
    );
}
