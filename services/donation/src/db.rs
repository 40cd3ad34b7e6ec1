//! donation-service's SQL: static text, bound parameters, schema `donation`.

use hearth_bus::outbox;
use hearth_core::pagination::PageRequest;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use crate::domain::{Donation, Flat, Gift, Kind, Move, NewDonation, Status};

macro_rules! donation_columns {
    () => {
        "id, donor_id, kind, campaign_id, request_id, recipient_id, amount_minor, currency, quantity, \
         item_description, message, anonymous, status, status_reason, created_at, updated_at, version"
    };
}

/// A `donations` row as stored: the gift's columns flat, one kind's null.
#[derive(sqlx::FromRow)]
struct Row {
    id: Uuid,
    donor_id: Uuid,
    kind: Kind,
    campaign_id: Option<Uuid>,
    request_id: Option<Uuid>,
    recipient_id: Option<Uuid>,
    amount_minor: Option<i64>,
    currency: Option<String>,
    quantity: Option<i32>,
    item_description: Option<String>,
    message: Option<String>,
    anonymous: bool,
    status: Status,
    status_reason: Option<String>,
    created_at: chrono::DateTime<chrono::Utc>,
    updated_at: chrono::DateTime<chrono::Utc>,
    version: i32,
}

impl TryFrom<Row> for Donation {
    type Error = sqlx::Error;

    fn try_from(row: Row) -> sqlx::Result<Donation> {
        let flat = Flat {
            campaign_id: row.campaign_id,
            request_id: row.request_id,
            amount_minor: row.amount_minor,
            currency: row.currency,
            quantity: row.quantity,
            item_description: row.item_description,
        };
        let gift = Gift::from_flat(row.kind, flat)
            .map_err(|why| sqlx::Error::Decode(format!("donation {}: {why}", row.id).into()))?;
        Ok(Donation {
            id: row.id,
            donor_id: row.donor_id,
            gift,
            recipient_id: row.recipient_id,
            message: row.message,
            anonymous: row.anonymous,
            status: row.status,
            status_reason: row.status_reason,
            created_at: row.created_at,
            updated_at: row.updated_at,
            version: row.version,
        })
    }
}

/// Inserts a pending donation and its `donation.created` in one statement:
/// atomic on its own, so one round trip instead of four (begin, two inserts,
/// commit) — the hottest write of the platform.
pub async fn insert_with_event(
    pool: &PgPool,
    id: Uuid,
    new: &NewDonation,
    event: outbox::Row,
) -> sqlx::Result<Donation> {
    let gift = new.gift.flat();
    sqlx::query_as::<_, Row>(concat!(
        "with donation as (\
           insert into donations (id, donor_id, kind, campaign_id, request_id, amount_minor, \
             currency, quantity, item_description, message, anonymous, status) \
           values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'pending') returning *), \
         event as (\
           insert into outbox (event_id, aggregate_id, event_type, envelope) \
           select $12, $13, $14, $15 from donation) \
         select ",
        donation_columns!(),
        " from donation"
    ))
    .bind(id)
    .bind(new.donor_id)
    .bind(new.gift.kind())
    .bind(gift.campaign_id)
    .bind(gift.request_id)
    .bind(gift.amount_minor)
    .bind(gift.currency)
    .bind(gift.quantity)
    .bind(gift.item_description)
    .bind(&new.message)
    .bind(new.anonymous)
    .bind(event.event_id)
    .bind(event.aggregate_id)
    .bind(event.event_type)
    .bind(event.envelope)
    .fetch_one(pool)
    .await?
    .try_into()
}

pub async fn find(pool: &PgPool, id: Uuid) -> sqlx::Result<Option<Donation>> {
    sqlx::query_as::<_, Row>(concat!(
        "select ",
        donation_columns!(),
        " from donations where id = $1"
    ))
    .bind(id)
    .fetch_optional(pool)
    .await?
    .map(Donation::try_from)
    .transpose()
}

/// Reads a donation and locks it for the rest of the transaction.
pub async fn lock(conn: &mut PgConnection, id: Uuid) -> sqlx::Result<Option<Donation>> {
    sqlx::query_as::<_, Row>(concat!(
        "select ",
        donation_columns!(),
        " from donations where id = $1 for update"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await?
    .map(Donation::try_from)
    .transpose()
}

/// Moves a donation as `to` says and writes the move's event, in one
/// statement (as [`insert_with_event`] does).
pub async fn move_with_event(
    conn: &mut PgConnection,
    id: Uuid,
    to: Move<'_>,
    event: outbox::Row,
) -> sqlx::Result<Donation> {
    sqlx::query_as::<_, Row>(concat!(
        "with moved as (\
           update donations set status = $2, recipient_id = coalesce($3, recipient_id), \
             status_reason = coalesce($4, status_reason), version = version + 1, updated_at = now() \
           where id = $1 returning *), \
         event as (\
           insert into outbox (event_id, aggregate_id, event_type, envelope) \
           select $5, $6, $7, $8 where exists (select from moved)) \
         select ",
        donation_columns!(),
        " from moved"
    ))
    .bind(id)
    .bind(to.status)
    .bind(to.recipient_id)
    .bind(to.reason)
    .bind(event.event_id)
    .bind(event.aggregate_id)
    .bind(event.event_type)
    .bind(event.envelope)
    .fetch_one(conn)
    .await?
    .try_into()
}

/// Which donations a list shows.
#[derive(Debug, Clone, Copy)]
pub enum Selection {
    /// The confirmed and completed donations to a campaign.
    Campaign(Uuid),
    /// The confirmed and completed donations to a request.
    Request(Uuid),
    /// Everything the user gave.
    Donor(Uuid),
    /// Everything the user received.
    Recipient(Uuid),
}

pub async fn list(
    pool: &PgPool,
    selection: Selection,
    page: &PageRequest,
) -> sqlx::Result<Vec<Donation>> {
    let (campaign, request, donor, recipient) = match selection {
        Selection::Campaign(id) => (Some(id), None, None, None),
        Selection::Request(id) => (None, Some(id), None, None),
        Selection::Donor(id) => (None, None, Some(id), None),
        Selection::Recipient(id) => (None, None, None, Some(id)),
    };
    sqlx::query_as::<_, Row>(concat!(
        "select ",
        donation_columns!(),
        " from donations \
         where ($1::uuid is null or (campaign_id = $1 and status in ('confirmed', 'completed'))) \
           and ($2::uuid is null or (request_id = $2 and status in ('confirmed', 'completed'))) \
           and ($3::uuid is null or donor_id = $3) \
           and ($4::uuid is null or recipient_id = $4) \
           and ($5::timestamptz is null or (created_at, id) < ($5, $6)) \
         order by created_at desc, id desc limit $7"
    ))
    // Unnamed, so it is planned with the actual parameters (see campaign-service's list).
    .persistent(false)
    .bind(campaign)
    .bind(request)
    .bind(donor)
    .bind(recipient)
    .bind(page.after_created_at())
    .bind(page.after_id())
    .bind(page.fetch_limit())
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(Donation::try_from)
    .collect()
}

/// Takes up to `batch` donations pending longer than `timeout` and locks them,
/// skipping any another instance's sweeper holds.
pub async fn lock_overdue(
    conn: &mut PgConnection,
    timeout: std::time::Duration,
    batch: i64,
) -> sqlx::Result<Vec<Donation>> {
    sqlx::query_as::<_, Row>(concat!(
        "select ",
        donation_columns!(),
        " from donations where status = 'pending' and created_at < now() - $1::interval \
         order by created_at limit $2 for update skip locked"
    ))
    .bind(format!("{} milliseconds", timeout.as_millis()))
    .bind(batch)
    .fetch_all(conn)
    .await?
    .into_iter()
    .map(Donation::try_from)
    .collect()
}
