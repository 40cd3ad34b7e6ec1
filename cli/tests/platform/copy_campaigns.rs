//! `hearth copy-campaigns` against real databases: a legacy main database
//! (`cli/tests/fixtures/legacy_main.sql`) and a campaign database, each the test's own.

use std::process::{Command, Output, Stdio};
use std::time::Duration;

use hearth_testkit::TestDb;
use sqlx::PgConnection;
use uuid::Uuid;

const LEGACY_SQL: &str = include_str!("../fixtures/legacy_main.sql");

/// A main database with the legacy table, and an empty campaign database.
struct Legacy {
    main: TestDb,
    campaign: TestDb,
}

impl Legacy {
    async fn new() -> Self {
        let main = TestDb::create().await;
        sqlx::raw_sql(LEGACY_SQL)
            .execute(&mut main.connect().await)
            .await
            .expect("load the legacy schema");
        Self {
            main,
            campaign: TestDb::create().await,
        }
    }

    /// `n` generated rows (the fixture's generator).
    async fn seed(&self, n: i32) {
        sqlx::query("select legacy_seed_campaigns($1)")
            .bind(n)
            .execute(&mut self.main.connect().await)
            .await
            .expect("seed");
    }

    /// One hand-written legacy row; amounts as decimal text.
    async fn row(&self, row: Row<'_>) -> Uuid {
        let id = Uuid::new_v4();
        sqlx::query(
            "insert into public.campaigns (id, recipient_id, title, goal_amount, raised_amount, \
               currency, status, end_date, created_at) \
             values ($1, $2, $3, $4::numeric, $5::numeric, $6, $7, $8, '2025-03-04T05:06:07Z')",
        )
        .bind(id)
        .bind(Uuid::new_v4())
        .bind(row.title)
        .bind(row.goal)
        .bind(row.raised)
        .bind(row.currency)
        .bind(row.status)
        .bind(row.end_date)
        .execute(&mut self.main.connect().await)
        .await
        .expect("insert a legacy row");
        id
    }

    /// Gives a legacy row a picture link, as the legacy app stored it (unchecked).
    async fn set_image(&self, id: Uuid, link: &str) {
        sqlx::query("update public.campaigns set image_url = $2 where id = $1")
            .bind(id)
            .bind(link)
            .execute(&mut self.main.connect().await)
            .await
            .expect("set a legacy image_url");
    }

    fn hearth(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_hearth"));
        command
            .arg("copy-campaigns")
            .args(args)
            .env("MAIN_DATABASE_URL", self.main.url())
            .env("CAMPAIGN_DATABASE_URL", self.campaign.url())
            .env_remove("RUST_LOG");
        command
    }

    fn run(&self, args: &[&str]) -> Output {
        self.hearth(args).output().expect("run hearth")
    }

    async fn target(&self) -> PgConnection {
        self.campaign.connect().await
    }

    async fn count(&self) -> i64 {
        count(
            &mut self.target().await,
            "select count(*) from campaign.campaigns",
        )
        .await
    }
}

async fn count(conn: &mut PgConnection, sql: &str) -> i64 {
    sqlx::query_scalar(sql)
        .fetch_one(conn)
        .await
        .expect("count")
}

#[derive(Clone, Copy)]
struct Row<'a> {
    title: Option<&'a str>,
    goal: Option<&'a str>,
    raised: &'a str,
    currency: &'a str,
    status: &'a str,
    end_date: Option<chrono::DateTime<chrono::Utc>>,
}

const GOOD: Row<'static> = Row {
    title: Some("Blankets"),
    goal: Some("250.00"),
    raised: "12.34",
    currency: "USD",
    status: "active",
    end_date: None,
};

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn assert_ok(output: &Output) {
    assert!(
        output.status.success(),
        "hearth failed\nstdout:\n{}\nstderr:\n{}",
        stdout(output),
        stderr(output)
    );
}

/// The summary line `label  N` of the output.
fn figure(output: &Output, label: &str) -> u64 {
    stdout(output)
        .lines()
        .find_map(|l| l.trim().strip_prefix(label).map(|n| n.trim().to_owned()))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no {label:?} in\n{}", stdout(output)))
}

#[derive(Debug, sqlx::FromRow)]
struct Copied {
    recipient_id: Uuid,
    creator_id: Uuid,
    goal_minor: i64,
    opening_minor: i64,
    raised_minor: i64,
    donor_count: i32,
    currency: String,
    status: String,
    ends_at: Option<chrono::DateTime<chrono::Utc>>,
    created_at: chrono::DateTime<chrono::Utc>,
    updated_at: chrono::DateTime<chrono::Utc>,
}

async fn copied(legacy: &Legacy, id: Uuid) -> Copied {
    sqlx::query_as(
        "select recipient_id, creator_id, goal_minor, opening_minor, raised_minor, donor_count, \
           currency, status, ends_at, created_at, updated_at from campaign.campaigns where id = $1",
    )
    .bind(id)
    .fetch_one(&mut legacy.target().await)
    .await
    .expect("the campaign was copied")
}

#[tokio::test]
async fn each_currency_kind_and_status_word_maps_onto_campaign_service() {
    let legacy = Legacy::new().await;
    let end = "2027-02-03T00:00:00Z".parse().expect("a time");
    let usd = legacy
        .row(Row {
            end_date: Some(end),
            ..GOOD
        })
        .await;
    let jpy = legacy
        .row(Row {
            goal: Some("5000"),
            raised: "120",
            currency: "JPY",
            ..GOOD
        })
        .await;
    let mut words = Vec::new();
    for (word, status) in [
        ("active", "active"),
        ("Active", "active"),
        ("completed", "completed"),
        ("ended", "completed"),
        ("cancelled", "cancelled"),
        ("canceled", "cancelled"),
        ("draft", "draft"),
        ("paused", "paused"),
    ] {
        words.push((
            legacy
                .row(Row {
                    status: word,
                    ..GOOD
                })
                .await,
            status,
        ));
    }

    let output = legacy.run(&[]);
    assert_ok(&output);
    assert_eq!(figure(&output, "copied"), 10);

    let row = copied(&legacy, usd).await;
    assert_eq!(
        (row.goal_minor, row.opening_minor, row.raised_minor),
        (25_000, 1_234, 1_234)
    );
    assert_eq!(row.currency, "USD");
    assert_eq!(row.ends_at, Some(end));
    assert_eq!(row.creator_id, row.recipient_id);
    assert_eq!(row.donor_count, 0);
    assert_eq!(
        row.updated_at, row.created_at,
        "updated_at null → created_at"
    );
    let row = copied(&legacy, jpy).await;
    assert_eq!(
        (row.goal_minor, row.opening_minor, row.currency.as_str()),
        (5_000, 120, "JPY")
    );
    for (id, status) in words {
        assert_eq!(copied(&legacy, id).await.status, status);
    }
}

#[tokio::test]
async fn bad_rows_stop_the_copy_by_default_and_are_skipped_into_the_report_on_request() {
    let legacy = Legacy::new().await;
    legacy.seed(20).await;
    let bad = [
        (
            legacy
                .row(Row {
                    currency: "XYZ",
                    ..GOOD
                })
                .await,
            "unknown currency",
        ),
        (
            legacy
                .row(Row {
                    goal: Some("100.50"),
                    currency: "JPY",
                    ..GOOD
                })
                .await,
            "more decimals than JPY",
        ),
        (
            legacy
                .row(Row {
                    goal: Some("-5.00"),
                    ..GOOD
                })
                .await,
            "not positive",
        ),
        (
            legacy.row(Row { goal: None, ..GOOD }).await,
            "missing goal_amount",
        ),
        (
            legacy
                .row(Row {
                    title: Some(" "),
                    ..GOOD
                })
                .await,
            "empty title",
        ),
        (
            legacy
                .row(Row {
                    title: None,
                    ..GOOD
                })
                .await,
            "empty title",
        ),
        (
            legacy
                .row(Row {
                    status: "archived",
                    ..GOOD
                })
                .await,
            "unknown status",
        ),
    ];

    let output = legacy.run(&[]);
    assert!(!output.status.success(), "bad rows fail the run");
    let errors = stderr(&output);
    for (id, reason) in &bad {
        let line = errors
            .lines()
            .find(|l| l.contains(&id.to_string()))
            .unwrap_or_else(|| panic!("{id} not named in\n{errors}"));
        assert!(line.contains(reason), "{line}");
    }
    assert!(errors.contains("nothing was copied"), "{errors}");
    assert_eq!(legacy.count().await, 0, "nothing half-copied");

    let report = std::env::temp_dir().join(format!("copy-report-{}.csv", Uuid::new_v4()));
    let report_arg = report.to_string_lossy().into_owned();
    let output = legacy.run(&["--on-invalid", "skip", "--report", &report_arg]);
    assert_ok(&output);
    assert_eq!(figure(&output, "copied"), 20);
    assert_eq!(figure(&output, "skipped (bad)"), 7);
    assert_eq!(legacy.count().await, 20);
    let written = std::fs::read_to_string(&report).expect("the report");
    let _ = std::fs::remove_file(&report);
    for (id, reason) in &bad {
        let line = written
            .lines()
            .find(|l| l.contains(&id.to_string()))
            .unwrap_or_else(|| panic!("{id} not in the report\n{written}"));
        assert!(
            line.starts_with("invalid,") && line.contains(reason),
            "{line}"
        );
    }

    let refused = legacy.run(&["--on-invalid", "skip"]);
    assert!(
        !refused.status.success(),
        "skip needs a report to skip into"
    );
}

#[tokio::test]
async fn a_safe_legacy_image_is_carried_and_an_unsafe_one_is_left_out_with_a_warning() {
    let legacy = Legacy::new().await;
    legacy.seed(5).await;
    let safe = legacy.row(GOOD).await;
    legacy
        .set_image(safe, "https://Images.example.org/blankets.jpg")
        .await;
    let plain_http = legacy.row(GOOD).await;
    legacy
        .set_image(plain_http, "http://images.example.org/a.jpg")
        .await;
    let garbage = legacy.row(GOOD).await;
    legacy.set_image(garbage, "blankets.jpg").await;
    let blank = legacy.row(GOOD).await;
    legacy.set_image(blank, "  ").await;

    let report = std::env::temp_dir().join(format!("copy-report-{}.csv", Uuid::new_v4()));
    let report_arg = report.to_string_lossy().into_owned();
    // The default --on-invalid fail: an unsafe picture does not stop the copy.
    let output = legacy.run(&["--verify", "--publish-events", "--report", &report_arg]);
    assert_ok(&output);
    assert_eq!(figure(&output, "copied"), 9);
    assert_eq!(figure(&output, "images dropped"), 2);
    assert_eq!(
        figure(&output, "equal"),
        9,
        "--verify maps the images the same way"
    );
    let written = std::fs::read_to_string(&report).expect("the report");
    let _ = std::fs::remove_file(&report);

    let mut target = legacy.target().await;
    let images: Vec<(Uuid, Option<String>)> =
        sqlx::query_as("select id, image_url from campaign.campaigns where id = any($1)")
            .bind(vec![safe, plain_http, garbage, blank])
            .fetch_all(&mut target)
            .await
            .expect("the copied campaigns");
    assert_eq!(images.len(), 4, "every campaign is copied");
    for (id, image) in images {
        let expected = (id == safe).then_some("https://images.example.org/blankets.jpg");
        assert_eq!(image.as_deref(), expected, "{id}");
    }

    let errors = stderr(&output);
    for (id, why) in [
        (plain_http, "must be an https URL"),
        (garbage, "must be an absolute https URL"),
    ] {
        let line = errors
            .lines()
            .find(|l| l.contains(&id.to_string()))
            .unwrap_or_else(|| panic!("{id} not named in\n{errors}"));
        assert!(
            line.contains("image dropped") && line.contains(why),
            "{line}"
        );
        let line = written
            .lines()
            .find(|l| l.contains(&id.to_string()))
            .unwrap_or_else(|| panic!("{id} not in the report\n{written}"));
        assert!(
            line.starts_with("image_dropped,") && line.contains(why),
            "{line}"
        );
    }
    assert_eq!(
        written.lines().count(),
        3,
        "a header and the two dropped images"
    );

    let carried: Option<String> = sqlx::query_scalar(
        "select envelope->'data'->>'image_url' from campaign.outbox \
         where aggregate_id = $1",
    )
    .bind(safe.to_string())
    .fetch_one(&mut target)
    .await
    .expect("the campaign.created");
    assert_eq!(
        carried.as_deref(),
        Some("https://images.example.org/blankets.jpg")
    );

    // A second run finds them all there, as they should be.
    let again = legacy.run(&["--verify"]);
    assert_ok(&again);
    assert_eq!(figure(&again, "copied"), 0);
    assert_eq!(figure(&again, "differing"), 0);
}

#[tokio::test]
async fn a_second_run_copies_nothing() {
    let legacy = Legacy::new().await;
    legacy.seed(700).await;
    let first = legacy.run(&["--batch-size", "100"]);
    assert_ok(&first);
    assert_eq!(figure(&first, "copied"), 700);

    let second = legacy.run(&["--batch-size", "100", "--verify"]);
    assert_ok(&second);
    assert_eq!(figure(&second, "copied"), 0);
    assert_eq!(figure(&second, "already present"), 700);
    assert_eq!(figure(&second, "differing"), 0);
    assert_eq!(figure(&second, "equal"), 700);
    assert_eq!(legacy.count().await, 700);
}

#[tokio::test]
async fn a_run_killed_half_way_is_finished_by_the_next() {
    let legacy = Legacy::new().await;
    let total = 30_000;
    legacy.seed(total).await;
    let mut child = legacy
        .hearth(&["--batch-size", "250"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start hearth");
    // Kill it once some batches have committed, and well before the end.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        // Zero until the run has migrated the schema.
        let copied: i64 = sqlx::query_scalar("select count(*) from campaign.campaigns")
            .fetch_one(&mut legacy.target().await)
            .await
            .unwrap_or(0);
        if copied >= 1_000 {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "no progress");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    child.kill().expect("kill");
    child.wait().expect("reap");
    let part = legacy.count().await;
    assert!(
        part < i64::from(total),
        "killed half way, not at the end: {part}"
    );

    let output = legacy.run(&["--verify"]);
    assert_ok(&output);
    assert_eq!(figure(&output, "already present"), part as u64);
    assert_eq!(figure(&output, "copied") + part as u64, total as u64);
    assert_eq!(figure(&output, "equal"), total as u64);
    let distinct = count(
        &mut legacy.target().await,
        "select count(distinct id) from campaign.campaigns",
    )
    .await;
    assert_eq!(
        (legacy.count().await, distinct),
        (total.into(), total.into())
    );
}

#[tokio::test]
async fn a_target_row_changed_by_hand_is_reported_and_never_overwritten() {
    let legacy = Legacy::new().await;
    legacy.seed(300).await;
    assert_ok(&legacy.run(&[]));
    let changed: Uuid = sqlx::query_scalar(
        "update campaign.campaigns set title = 'Edited by hand', goal_minor = goal_minor + 1 \
         where id = (select id from campaign.campaigns order by id offset 150 limit 1) returning id",
    )
    .fetch_one(&mut legacy.target().await)
    .await
    .expect("edit a row");

    let output = legacy.run(&["--verify"]);
    assert!(!output.status.success(), "a difference fails --verify");
    assert_eq!(figure(&output, "differing"), 1);
    assert_eq!(figure(&output, "equal"), 299);
    let errors = stderr(&output);
    let line = errors
        .lines()
        .find(|l| l.starts_with("verify: differing") && l.contains(&changed.to_string()))
        .unwrap_or_else(|| panic!("{changed} not reported in\n{errors}"));
    assert!(
        line.contains("title") && line.contains("goal_minor"),
        "{line}"
    );
    let title: String = sqlx::query_scalar("select title from campaign.campaigns where id = $1")
        .bind(changed)
        .fetch_one(&mut legacy.target().await)
        .await
        .expect("the row");
    assert_eq!(title, "Edited by hand", "never overwritten");

    // A dry run with --verify checks without copying: a row deleted by hand is missing.
    sqlx::query("delete from campaign.campaigns where id <> $1 and id = (select id from campaign.campaigns order by id limit 1)")
        .bind(changed)
        .execute(&mut legacy.target().await)
        .await
        .expect("delete a row");
    let output = legacy.run(&["--dry-run", "--verify"]);
    assert!(!output.status.success());
    assert_eq!(figure(&output, "would copy"), 1);
    assert_eq!(figure(&output, "missing"), 1);
    assert_eq!(figure(&output, "source rows"), 300);
    assert_eq!(figure(&output, "target rows"), 299);
    assert_eq!(legacy.count().await, 299, "a dry run writes nothing");
}

#[tokio::test]
async fn a_dry_run_writes_nothing() {
    let legacy = Legacy::new().await;
    legacy.seed(250).await;
    let unmigrated = legacy.run(&["--dry-run"]);
    assert!(!unmigrated.status.success());
    assert!(
        stderr(&unmigrated).contains("run `hearth migrate campaign` first"),
        "{}",
        stderr(&unmigrated)
    );
    let has_schema = count(
        &mut legacy.target().await,
        "select count(*) from pg_namespace where nspname = 'campaign'",
    )
    .await;
    assert_eq!(has_schema, 0, "a dry run does not even migrate");

    // As campaign-service does it: on a pool whose search_path is its schema.
    let config = hearth_core::config::DatabaseConfig {
        url: legacy.campaign.url(),
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
    let output = legacy.run(&["--dry-run", "--publish-events"]);
    assert_ok(&output);
    assert!(stdout(&output).contains("dry run, nothing written"));
    assert_eq!(figure(&output, "would copy"), 250);
    assert_eq!(legacy.count().await, 0);
    let events = count(
        &mut legacy.target().await,
        "select count(*) from campaign.outbox",
    )
    .await;
    assert_eq!(events, 0);
}

#[tokio::test]
async fn publish_events_emits_one_campaign_created_per_newly_copied_campaign() {
    let legacy = Legacy::new().await;
    legacy.seed(30).await;
    assert_ok(&legacy.run(&["--publish-events"]));
    // More legacy rows turn up (or the first run was partial): only they get events.
    legacy.seed(50).await;
    // Small batches: some find their rows there and look before they insert.
    let output = legacy.run(&["--publish-events", "--batch-size", "10"]);
    assert_ok(&output);
    assert_eq!(figure(&output, "copied"), 20);

    let mut target = legacy.target().await;
    let per_campaign: Vec<(String, i64)> = sqlx::query_as(
        "select aggregate_id, count(*) from campaign.outbox \
         where event_type = 'campaign.created' group by 1",
    )
    .fetch_all(&mut target)
    .await
    .expect("events");
    assert_eq!(per_campaign.len(), 50);
    assert!(per_campaign.iter().all(|(_, n)| *n == 1));
    let mismatched = count(
        &mut target,
        "select count(*) from campaign.outbox o join campaign.campaigns c \
           on c.id = (o.envelope->'data'->>'campaign_id')::uuid \
         where o.envelope->>'type' <> 'campaign.created' \
            or o.envelope->>'subject' <> c.id::text \
            or (o.envelope->'data'->>'goal_minor')::bigint <> c.goal_minor \
            or o.envelope->'data'->>'currency' <> c.currency \
            or o.envelope->'data'->>'status' <> c.status \
            or (o.envelope->'data'->>'creator_id')::uuid <> c.recipient_id",
    )
    .await;
    assert_eq!(mismatched, 0, "each envelope describes its campaign");
    let all = count(&mut target, "select count(*) from campaign.outbox").await;
    assert_eq!(all, 50);
}

#[tokio::test]
async fn a_bad_setting_or_a_missing_legacy_table_stops_it_with_one_line() {
    let legacy = Legacy::new().await;
    let output = legacy
        .hearth(&[])
        .env("MAIN_DATABASE_URL", "mysql://somewhere/main")
        .output()
        .expect("run hearth");
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).starts_with("hearth: MAIN_DATABASE_URL: not a PostgreSQL URL"),
        "{}",
        stderr(&output)
    );

    // The same for a URL given on the command line.
    for flag in ["--from", "--to"] {
        let output = legacy.run(&[flag, "mysql://somewhere/main"]);
        assert_eq!(output.status.code(), Some(2), "{flag}");
        assert!(
            stderr(&output).starts_with(&format!("hearth: {flag}: not a PostgreSQL URL")),
            "{}",
            stderr(&output)
        );
    }

    // A database without the legacy table: the campaign database itself.
    let output = legacy.run(&["--from", &legacy.campaign.url()]);
    assert_eq!(output.status.code(), Some(1));
    let errors = stderr(&output);
    assert_eq!(errors.lines().count(), 1, "{errors}");
    assert!(errors.contains("no table public.campaigns"), "{errors}");
    let touched = count(
        &mut legacy.target().await,
        "select count(*) from pg_namespace where nspname = 'campaign'",
    )
    .await;
    assert_eq!(touched, 0, "the target is left alone");
}
