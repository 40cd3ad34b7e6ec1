//! Each service's connection pool, confined to its own schema (its
//! migrations: [`crate::migrations`]).
//!
//! The pool sets `search_path` to the service's schema on every connection,
//! so a service's SQL names only its own tables, and the migration histories
//! land in that schema too ([`crate::migrations`]).

use std::str::FromStr;
use std::time::Duration;

use futures::future::BoxFuture;
use futures::stream::BoxStream;
use sqlx::error::BoxDynError;
use sqlx::postgres::{
    PgArguments, PgConnectOptions, PgPoolOptions, PgQueryResult, PgRow, PgStatement, PgTypeInfo,
};
use sqlx::{Connection, Describe, Either, Execute, Executor, PgConnection, PgPool, Postgres};

pub use crate::config::redacted_url;
use crate::config::DatabaseConfig;

/// Opens a lazy pool: the service starts, and `/health/ready` reports the
/// database down, even when PostgreSQL is not there yet.
pub fn pool(config: &DatabaseConfig, schema: &str) -> anyhow::Result<PgPool> {
    let options = PgConnectOptions::from_str(&config.url)?
        .options([("search_path", schema)])
        .application_name(&format!("hearth-{schema}"));
    Ok(PgPoolOptions::new()
        .max_connections(config.max_connections)
        .acquire_timeout(config.acquire_timeout)
        // sqlx pings every connection it hands out by default: a round trip
        // before each query. Only a connection left idle a while can have
        // died unseen (a restart, a proxy's timeout), so only those are pinged;
        // one in steady use that broke fails its query once and is replaced.
        .test_before_acquire(false)
        .before_acquire(|conn, meta| {
            Box::pin(async move {
                if meta.idle_for >= PING_IDLE_AFTER {
                    conn.ping().await?;
                }
                Ok(true)
            })
        })
        .connect_lazy_with(options))
}

/// A pooled connection idle this long is pinged before it is handed out.
const PING_IDLE_AFTER: Duration = Duration::from_secs(1);

/// Creates database `name` on the server of `url` unless it exists.
/// Returns whether it was created.
pub async fn ensure_database(url: &str) -> anyhow::Result<bool> {
    let options = PgConnectOptions::from_str(url)?;
    let name = options
        .get_database()
        .ok_or_else(|| anyhow::anyhow!("the URL names no database"))?
        .to_owned();
    let mut admin = PgConnection::connect_with(&options.clone().database("postgres")).await?;
    let exists = sqlx::query_scalar!(
        r#"select exists (select 1 from pg_database where datname = $1) as "exists!""#,
        name,
    )
    .fetch_one(&mut admin)
    .await?;
    if !exists {
        // Identifiers cannot be bound parameters; `quote_ident` makes this one safe.
        let statement = format!("create database {}", quote_ident(&name)?);
        if let Err(err) = sqlx::raw_sql(&statement).execute(&mut admin).await {
            // Another process may have created it meanwhile.
            if !is_duplicate_database(&err) {
                return Err(err.into());
            }
        }
    }
    admin.close().await?;
    Ok(!exists)
}

fn is_duplicate_database(err: &sqlx::Error) -> bool {
    err.as_database_error()
        .and_then(|e| e.code())
        .is_some_and(|code| code == "42P04")
}

/// Quotes a PostgreSQL identifier. Only plain lower-case names are accepted:
/// every identifier Hearth builds is one of its own, never user input.
pub fn quote_ident(name: &str) -> anyhow::Result<String> {
    let plain = !name.is_empty()
        && name.len() <= 63
        && name.starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if plain {
        Ok(format!("\"{name}\""))
    } else {
        anyhow::bail!("{name:?} is not a plain identifier (a-z, 0-9, _)")
    }
}

/// `url` naming database `name` instead, with everything else (host, user,
/// `sslmode`, `sslrootcert`, …) kept.
pub fn url_with_database(url: &str, name: &str) -> anyhow::Result<String> {
    let mut parsed = url::Url::parse(url)
        .map_err(|e| anyhow::anyhow!("not a database URL ({e}): {}", redacted_url(url)))?;
    parsed.set_path(&format!("/{name}"));
    Ok(parsed.to_string())
}

/// Serialises, until the transaction ends, everything that takes the same
/// `key` (a transaction-level advisory lock). Advisory locks are database-wide
/// and services share Main DB, so a key names its service and its subject,
/// as in `request-pledge:<donation id>`.
pub async fn lock_for_transaction(conn: &mut sqlx::PgConnection, key: &str) -> sqlx::Result<()> {
    sqlx::query!(
        "select pg_advisory_xact_lock(hashtextextended($1, 0)) as locked",
        key
    )
    .fetch_one(conn)
    .await?;
    Ok(())
}

/// Runs each statement given to it unnamed: parsed and planned with the
/// values bound, never prepared once and cached. A list query whose filters
/// are nullable parameters (`$1::text is null or status = $1`) needs this:
/// PostgreSQL may switch a cached statement to one generic plan, which
/// cannot drop the filters left null and so cannot pick their indexes.
/// The checked macros' queries have no `.persistent(false)`; this does
/// the same: `query_as!(…).fetch_all(Unprepared(pool))`.
#[derive(Debug)]
pub struct Unprepared<X>(pub X);

impl<'c, X> Executor<'c> for Unprepared<X>
where
    X: Executor<'c, Database = Postgres>,
{
    type Database = Postgres;

    fn fetch_many<'e, 'q: 'e, E>(
        self,
        query: E,
    ) -> BoxStream<'e, sqlx::Result<Either<PgQueryResult, PgRow>>>
    where
        'c: 'e,
        E: 'q + Execute<'q, Postgres>,
    {
        self.0.fetch_many(Unnamed(query))
    }

    fn fetch_optional<'e, 'q: 'e, E>(self, query: E) -> BoxFuture<'e, sqlx::Result<Option<PgRow>>>
    where
        'c: 'e,
        E: 'q + Execute<'q, Postgres>,
    {
        self.0.fetch_optional(Unnamed(query))
    }

    fn prepare_with<'e, 'q: 'e>(
        self,
        sql: &'q str,
        parameters: &'e [PgTypeInfo],
    ) -> BoxFuture<'e, sqlx::Result<PgStatement<'q>>>
    where
        'c: 'e,
    {
        self.0.prepare_with(sql, parameters)
    }

    fn describe<'e, 'q: 'e>(self, sql: &'q str) -> BoxFuture<'e, sqlx::Result<Describe<Postgres>>>
    where
        'c: 'e,
    {
        self.0.describe(sql)
    }
}

/// A statement to be sent unnamed; everything else as it was.
struct Unnamed<Q>(Q);

impl<'q, Q: Execute<'q, Postgres>> Execute<'q, Postgres> for Unnamed<Q> {
    fn sql(&self) -> &'q str {
        self.0.sql()
    }

    fn statement(&self) -> Option<&PgStatement<'q>> {
        self.0.statement()
    }

    fn take_arguments(&mut self) -> Result<Option<PgArguments>, BoxDynError> {
        self.0.take_arguments()
    }

    fn persistent(&self) -> bool {
        false
    }
}

/// Stores a domain enum as `text` (readable to operators and `psql`), through
/// its `as_str` and `FromStr`. The crate using it must depend on `sqlx`.
#[macro_export]
macro_rules! text_column {
    ($t:ty) => {
        impl sqlx::Type<sqlx::Postgres> for $t {
            fn type_info() -> sqlx::postgres::PgTypeInfo {
                <String as sqlx::Type<sqlx::Postgres>>::type_info()
            }
            fn compatible(ty: &sqlx::postgres::PgTypeInfo) -> bool {
                <String as sqlx::Type<sqlx::Postgres>>::compatible(ty)
            }
        }
        impl<'r> sqlx::Decode<'r, sqlx::Postgres> for $t {
            fn decode(
                value: sqlx::postgres::PgValueRef<'r>,
            ) -> Result<Self, sqlx::error::BoxDynError> {
                Ok(<&str as sqlx::Decode<sqlx::Postgres>>::decode(value)?.parse()?)
            }
        }
        impl sqlx::Encode<'_, sqlx::Postgres> for $t {
            fn encode_by_ref(
                &self,
                buf: &mut sqlx::postgres::PgArgumentBuffer,
            ) -> Result<sqlx::encode::IsNull, sqlx::error::BoxDynError> {
                <&str as sqlx::Encode<sqlx::Postgres>>::encode(self.as_str(), buf)
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_redacted() {
        let cases = [
            (
                "postgres://hearth:s3cret@db.example:5432/main?sslmode=require",
                "postgres://hearth:***@db.example:5432/main?sslmode=require",
            ),
            (
                "postgres://postgres@127.0.0.1:5432/hearth_main",
                "postgres://postgres@127.0.0.1:5432/hearth_main",
            ),
            (
                "postgres://h@db/main?password=s3cret&sslmode=verify-full",
                "postgres://h@db/main?password=***&sslmode=verify-full",
            ),
            (
                "postgres://h:s3cret@[::1",
                "(a database URL that does not parse)",
            ),
        ];
        for (url, shown) in cases {
            let redacted = redacted_url(url);
            assert!(!redacted.contains("s3cret"), "{redacted}");
            assert_eq!(redacted.replace("%2A", "*"), shown);
        }
    }

    #[test]
    fn another_database_keeps_the_tls_settings() {
        let url =
            "postgres://u:p@db:5432/postgres?sslmode=verify-full&sslrootcert=/etc/ca/root.crt";
        assert_eq!(
            url_with_database(url, "hearth_test_1").expect("parses"),
            "postgres://u:p@db:5432/hearth_test_1?sslmode=verify-full&sslrootcert=/etc/ca/root.crt"
        );
        assert_eq!(
            url_with_database("postgres://u@db", "x").expect("parses"),
            "postgres://u@db/x"
        );
    }

    #[tokio::test]
    async fn an_unprepared_statement_is_not_kept_on_the_connection() {
        let db = hearth_testkit::TestDb::create().await;
        let mut conn = db.connect().await;
        let kept = "select count(*) from pg_prepared_statements where statement = $1";
        for (sql, unprepared) in [("select 1", false), ("select 2", true)] {
            let query = sqlx::query_scalar::<_, i32>(sql);
            if unprepared {
                query.fetch_one(Unprepared(&mut conn)).await.expect("runs");
            } else {
                query.fetch_one(&mut conn).await.expect("runs");
            }
            let count: i64 = sqlx::query_scalar(kept)
                .bind(sql)
                .fetch_one(&mut conn)
                .await
                .expect("counts");
            assert_eq!(count, i64::from(!unprepared), "{sql}");
        }
    }

    #[test]
    fn only_plain_identifiers_are_quoted() {
        assert_eq!(quote_ident("campaign").expect("plain"), "\"campaign\"");
        for bad in ["", "Campaign", "a\"; drop table x; --", "1abc", "a b"] {
            assert!(quote_ident(bad).is_err(), "{bad}");
        }
    }
}
