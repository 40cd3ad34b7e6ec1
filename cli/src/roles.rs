//! One PostgreSQL role per service, with rights on its own schema alone
//! (docs/architecture.md: "A service touches only its own schema").

use std::str::FromStr;

use hearth_core::config::ServiceSpec;
use hearth_core::db::quote_ident;
use sqlx::postgres::PgConnectOptions;
use sqlx::{Connection, PgConnection};

/// Creates role `<prefix><service>` unless it exists, and grants it the use
/// of the service's schema in the database at `url`: its tables, its
/// sequences, and those that later migrations create. Returns the role's name.
pub async fn grant_own_schema(
    url: &str,
    prefix: &str,
    spec: ServiceSpec,
) -> anyhow::Result<String> {
    let role = format!("{prefix}{}", spec.name);
    // Identifiers cannot be bound parameters; quote_ident admits only plain names.
    let role_ident = quote_ident(&role)?;
    let schema = quote_ident(spec.schema())?;
    let mut conn = PgConnection::connect_with(&PgConnectOptions::from_str(url)?).await?;
    let exists = sqlx::query_scalar!(
        r#"select exists (select 1 from pg_roles where rolname = $1) as "exists!""#,
        role,
    )
    .fetch_one(&mut conn)
    .await?;
    if !exists {
        sqlx::raw_sql(&format!("create role {role_ident} login"))
            .execute(&mut conn)
            .await?;
    }
    let grants = format!(
        "create schema if not exists {schema};
         grant usage, create on schema {schema} to {role_ident};
         grant select, insert, update, delete on all tables in schema {schema} to {role_ident};
         grant usage, select on all sequences in schema {schema} to {role_ident};
         alter default privileges in schema {schema}
             grant select, insert, update, delete on tables to {role_ident};
         alter default privileges in schema {schema}
             grant usage, select on sequences to {role_ident};"
    );
    sqlx::raw_sql(&grants).execute(&mut conn).await?;
    conn.close().await?;
    Ok(role)
}
