//! Streaming reads of the legacy table: keyset batches in id order, so each
//! read is an index range scan however far in it starts, and memory holds
//! one batch at a time.

use futures::future::BoxFuture;
use futures::Stream;
use sqlx::PgPool;
use uuid::Uuid;

use super::mapping::LegacyCampaign;

/// Fails with one clear line when the legacy table is not there.
pub async fn check(pool: &PgPool) -> anyhow::Result<i64> {
    let exists =
        sqlx::query_scalar!(r#"select to_regclass('public.campaigns') is not null as "exists!""#)
            .fetch_one(pool)
            .await?;
    if !exists {
        anyhow::bail!("the source database has no table public.campaigns: nothing to copy from");
    }
    Ok(
        sqlx::query_scalar!(r#"select count(*) as "count!" from public.campaigns"#)
            .fetch_one(pool)
            .await?,
    )
}

/// The legacy rows, `batch_size` at a time, in id order.
pub fn batches(
    pool: PgPool,
    batch_size: i64,
) -> impl Stream<Item = sqlx::Result<Vec<LegacyCampaign>>> {
    keyset(pool, batch_size, legacy_after, |row: &LegacyCampaign| {
        row.id
    })
}

/// Up to `limit` legacy rows after id `after` (from the first with `None`),
/// in id order. Amounts are read as PostgreSQL's decimal text.
fn legacy_after(
    pool: PgPool,
    after: Option<Uuid>,
    limit: i64,
) -> BoxFuture<'static, sqlx::Result<Vec<LegacyCampaign>>> {
    Box::pin(async move {
        sqlx::query_as!(
            LegacyCampaign,
            r#"select id as "id!", recipient_id as "recipient_id!", title, description,
                 goal_amount::text as goal_amount, raised_amount::text as "raised_amount!",
                 currency as "currency!", status as "status!", category, image_url, end_date,
                 created_at as "created_at!", updated_at
               from public.campaigns where ($1::uuid is null or id > $1) order by id limit $2"#,
            after,
            limit,
        )
        .fetch_all(&pool)
        .await
    })
}

/// Reads up to a limit of rows after an id (from the first with `None`), in
/// id order.
pub type Fetch<T> = fn(PgPool, Option<Uuid>, i64) -> BoxFuture<'static, sqlx::Result<Vec<T>>>;

/// Rows `fetch` reads (up to a limit, after an id or from the first), a
/// batch at a time, each batch starting after the last one's id.
pub fn keyset<T>(
    pool: PgPool,
    batch_size: i64,
    fetch: Fetch<T>,
    id_of: fn(&T) -> Uuid,
) -> impl Stream<Item = sqlx::Result<Vec<T>>>
where
    T: Send + 'static,
{
    futures::stream::try_unfold(Some(None::<Uuid>), move |cursor| {
        let pool = pool.clone();
        async move {
            let Some(after) = cursor else {
                return Ok(None);
            };
            let rows = fetch(pool, after, batch_size).await?;
            if rows.is_empty() {
                return Ok(None);
            }
            // A short batch is the last one: no need to ask again.
            let cursor = match rows.last() {
                Some(last) if rows.len() as i64 == batch_size => Some(Some(id_of(last))),
                _ => None,
            };
            Ok(Some((rows, cursor)))
        }
    })
}
