//! campaign-service's table as the copy sees it: whether it is there, and the
//! rows already in it. The copy writes through campaign-service's own
//! `transitions::copy_in`, one transaction per batch, which never touches a
//! row already present: a run killed half way loses at most the batches in
//! flight, which the next run copies.

use campaign_service::domain::Status;
use futures::future::BoxFuture;
use hearth_core::image_url::ImageUrl;
use sqlx::PgPool;
use uuid::Uuid;

use super::mapping::MappedCampaign;

/// Fails with one clear line when campaign-service's schema is missing.
pub async fn check_migrated(pool: &PgPool) -> anyhow::Result<()> {
    let migrated = sqlx::query_scalar!(
        r#"select to_regclass('campaign.campaigns') is not null as "migrated!""#
    )
    .fetch_one(pool)
    .await?;
    if !migrated {
        anyhow::bail!(
            "the target database has no campaign.campaigns: run `hearth migrate campaign` first"
        );
    }
    Ok(())
}

/// The target's version of those of `ids` that are present.
pub async fn present(pool: &PgPool, ids: &[Uuid]) -> sqlx::Result<Vec<MappedCampaign>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    sqlx::query_as!(
        MappedCampaign,
        r#"select id, recipient_id, title, description, category, goal_minor, opening_minor,
             currency, status as "status: Status", ends_at, image_url as "image_url: ImageUrl",
             created_at, updated_at
           from campaigns where id = any($1)"#,
        ids,
    )
    .fetch_all(pool)
    .await
}

/// Up to `limit` target rows after id `after` (from the first with `None`),
/// in id order, for `--verify`.
pub fn after(
    pool: PgPool,
    after: Option<Uuid>,
    limit: i64,
) -> BoxFuture<'static, sqlx::Result<Vec<MappedCampaign>>> {
    Box::pin(async move {
        sqlx::query_as!(
            MappedCampaign,
            r#"select id, recipient_id, title, description, category, goal_minor, opening_minor,
                 currency, status as "status: Status", ends_at,
                 image_url as "image_url: ImageUrl", created_at, updated_at
               from campaigns where ($1::uuid is null or id > $1)
               order by id limit $2"#,
            after,
            limit,
        )
        .fetch_all(&pool)
        .await
    })
}
