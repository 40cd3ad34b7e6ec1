//! Streaming reads of the legacy table: keyset batches in id order, so each
//! read is an index range scan however far in it starts, and memory holds
//! one batch at a time.

use futures::Stream;
use sqlx::postgres::PgRow;
use sqlx::PgPool;
use uuid::Uuid;

use super::mapping::LegacyCampaign;

/// `>=` the nil UUID: the first batch includes even a row whose id is nil.
const FIRST_BATCH: &str = "select id, recipient_id, title, description, \
       goal_amount::text as goal_amount, raised_amount::text as raised_amount, \
       currency, status, category, image_url, end_date, created_at, updated_at \
     from public.campaigns where id >= $1 order by id limit $2";

const NEXT_BATCH: &str = "select id, recipient_id, title, description, \
       goal_amount::text as goal_amount, raised_amount::text as raised_amount, \
       currency, status, category, image_url, end_date, created_at, updated_at \
     from public.campaigns where id > $1 order by id limit $2";

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
    keyset(
        pool,
        FIRST_BATCH,
        NEXT_BATCH,
        batch_size,
        |row: &LegacyCampaign| row.id,
    )
}

/// Rows of `first`/`next` (`… where id >= $1 …` / `… where id > $1 order by id
/// limit $2`), a batch at a time, each batch starting after the last one's id.
pub fn keyset<T>(
    pool: PgPool,
    first: &'static str,
    next: &'static str,
    batch_size: i64,
    id_of: fn(&T) -> Uuid,
) -> impl Stream<Item = sqlx::Result<Vec<T>>>
where
    T: for<'r> sqlx::FromRow<'r, PgRow> + Send + Unpin + 'static,
{
    futures::stream::try_unfold(Some(None::<Uuid>), move |cursor| {
        let pool = pool.clone();
        async move {
            let Some(after) = cursor else {
                return Ok(None);
            };
            let (sql, from) = match after {
                None => (first, Uuid::nil()),
                Some(id) => (next, id),
            };
            let rows: Vec<T> = sqlx::query_as(sql)
                .bind(from)
                .bind(batch_size)
                .fetch_all(&pool)
                .await?;
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
