//! campaign-service's table as the copy sees it: whether it is there, and the
//! rows already in it. The copy writes through campaign-service's own
//! `transitions::copy_in`, one transaction per batch, which never touches a
//! row already present: a run killed half way loses at most the batches in
//! flight, which the next run copies.

use sqlx::PgPool;
use uuid::Uuid;

use super::mapping::MappedCampaign;

/// The mapped fields of rows already in the target.
const PRESENT: &str = "select id, recipient_id, title, description, category, goal_minor, \
       opening_minor, currency, status, ends_at, image_url, created_at, updated_at \
     from campaigns where id = any($1)";

/// Target rows in id order, for `--verify`.
pub const FIRST_PAGE: &str = "select id, recipient_id, title, description, category, goal_minor, \
       opening_minor, currency, status, ends_at, image_url, created_at, updated_at \
     from campaigns where id >= $1 order by id limit $2";
pub const NEXT_PAGE: &str = "select id, recipient_id, title, description, category, goal_minor, \
       opening_minor, currency, status, ends_at, image_url, created_at, updated_at \
     from campaigns where id > $1 order by id limit $2";

/// Fails with one clear line when campaign-service's schema is missing.
pub async fn check_migrated(pool: &PgPool) -> anyhow::Result<()> {
    let migrated: bool = sqlx::query_scalar("select to_regclass('campaign.campaigns') is not null")
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
    sqlx::query_as(PRESENT).bind(ids).fetch_all(pool).await
}
