//! `hearth outbox status`: per service, the events waiting in its outbox,
//! the age of the oldest, and how many its relay sent in the last minute.

use std::collections::HashMap;
use std::time::Duration;

use hearth_core::config::{Database, DatabaseConfig, Env, ServiceSpec};
use sqlx::PgPool;

/// Every service with an outbox, and the database it lives in. Listed by
/// name, not by the services this binary runs, so that a service still to
/// come (or not migrated yet) shows as such.
const OUTBOXES: &[(&str, Database)] = &[
    ("campaign", Database::Campaign),
    ("donation", Database::Main),
    ("request", Database::Main),
    ("messaging", Database::Main),
    ("profile", Database::Main),
];

#[derive(Debug, clap::Subcommand)]
pub enum OutboxCommand {
    /// Per service: events waiting, age of the oldest, sent in the last minute.
    Status,
}

type Row = (i64, Option<f64>, i64, i64, Option<String>);

pub async fn run(command: OutboxCommand, env: &dyn Env) -> anyhow::Result<()> {
    let OutboxCommand::Status = command;
    println!(
        "{:<10} {:>8} {:>10} {:>10} {:>8}  last error",
        "service", "waiting", "oldest", "sent/1m", "failing"
    );
    let mut unreadable = Vec::new();
    // Services share a database: one that did not answer is not waited for again.
    let mut out_of_reach_urls: HashMap<String, String> = HashMap::new();
    for &(name, database) in OUTBOXES {
        let spec = ServiceSpec {
            name,
            default_port: 0,
            database,
        };
        let url = spec.database_url(env)?;
        let result = match out_of_reach_urls.get(&url) {
            Some(err) => Err(err.clone()),
            None => status(&url, name).await.map_err(|err| {
                if out_of_reach(&err) {
                    out_of_reach_urls.insert(url.clone(), format!("{err:#}"));
                }
                format!("{err:#}")
            }),
        };
        match result {
            Ok(Some((waiting, oldest, sent, failing, error))) => println!(
                "{name:<10} {waiting:>8} {:>10} {sent:>10} {failing:>8}  {}",
                oldest.map_or("-".to_owned(), age),
                error.unwrap_or_default().replace('\n', " ")
            ),
            Ok(None) => println!("{name:<10} (no outbox: not migrated here)"),
            Err(err) => {
                println!("{name:<10} (cannot read: {err})");
                unreadable.push(name);
            }
        }
    }
    // A monitor must not take "could not look" for "nothing waiting".
    if !unreadable.is_empty() {
        anyhow::bail!("could not read the outbox of {}", unreadable.join(", "));
    }
    Ok(())
}

/// The database did not answer at all (as opposed to one schema's query failing).
fn out_of_reach(err: &anyhow::Error) -> bool {
    matches!(
        err.downcast_ref::<sqlx::Error>(),
        Some(sqlx::Error::PoolTimedOut | sqlx::Error::Io(_) | sqlx::Error::Tls(_))
    )
}

/// The service's figures, or `None` when its schema has no outbox (yet).
async fn status(url: &str, schema: &'static str) -> anyhow::Result<Option<Row>> {
    let config = DatabaseConfig {
        url: url.to_owned(),
        max_connections: 1,
        acquire_timeout: Duration::from_secs(5),
    };
    let pool = hearth_core::db::pool(&config, schema)?;
    let exists = sqlx::query_scalar!(
        r#"select to_regclass($1) is not null as "exists!""#,
        format!("{schema}.outbox"),
    )
    .fetch_one(&pool)
    .await?;
    let row = if exists {
        Some(figures(&pool).await?)
    } else {
        None
    };
    pool.close().await;
    Ok(row)
}

/// Each figure reads one index: the partial index of unpublished rows, or
/// the index of published rows by time; never the whole table.
async fn figures(pool: &PgPool) -> sqlx::Result<Row> {
    let r = sqlx::query!(
        r#"select
             (select count(*) from outbox where published_at is null) as "waiting!",
             (select extract(epoch from now() - min(created_at))::float8
                from outbox where published_at is null) as oldest,
             (select count(*) from outbox
                where published_at > now() - interval '1 minute') as "sent!",
             (select count(*) from outbox
                where published_at is null and attempts > 0) as "failing!",
             (select last_error from outbox
                where published_at is null and last_error is not null
                order by seq limit 1) as last_error"#
    )
    .fetch_one(pool)
    .await?;
    Ok((r.waiting, r.oldest, r.sent, r.failing, r.last_error))
}

/// `3s`, `2m 5s`: whole seconds are enough for an operator.
fn age(seconds: f64) -> String {
    humantime::format_duration(Duration::from_secs(seconds.max(0.0) as u64)).to_string()
}
