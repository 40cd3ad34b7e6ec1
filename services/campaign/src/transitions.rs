//! Every change of a campaign that emits an event, one function each,
//! applied inside the caller's unit of work so that the change and its event
//! commit together: with `consumers/mod.rs`, the whole of what
//! campaign-service says to the others. The state machine
//! (`domain::Status::change_to`) decides what is allowed.

use hearth_bus::outbox;
use hearth_bus::unit_of_work::UnitOfWork;
use hearth_events::campaign::{
    CampaignChanges, CampaignCreated, CampaignDonationAccepted, CampaignDonationRejected,
    CampaignDonationReversed, CampaignRejection, CampaignStatusChanged, CampaignUpdated,
};
use hearth_events::donation::{DonationCreated, MoneyOffered};
use hearth_events::{Envelope, EventContext};
use sqlx::PgConnection;
use uuid::Uuid;

use crate::db::{self, Accepted};
use crate::domain::{goal_reached, Campaign, CopiedCampaign, NewCampaign, StatusChange};
use crate::SERVICE;

/// A new campaign under `id`, and its `campaign.created`.
#[tracing::instrument(err, skip_all)]
pub async fn create(
    work: &mut UnitOfWork,
    id: Uuid,
    new: &NewCampaign,
    context: &EventContext,
) -> sqlx::Result<Campaign> {
    let campaign = db::insert(work, id, new).await?;
    work.emit(SERVICE.name, created(&campaign), context).await?;
    Ok(campaign)
}

/// Applies the owner's `changes` to `campaign` (locked) and emits
/// `campaign.updated`, and `campaign.goal_reached` when a lowered goal is
/// what was raised.
#[tracing::instrument(err, skip_all)]
pub async fn update(
    work: &mut UnitOfWork,
    campaign: &Campaign,
    changes: CampaignChanges,
    context: &EventContext,
) -> sqlx::Result<Campaign> {
    let updated = db::apply_changes(work, campaign.id, &changes).await?;
    let event = CampaignUpdated {
        campaign_id: campaign.id,
        changes,
    };
    work.emit(SERVICE.name, event, context).await?;
    if let Some(goal) = goal_reached(campaign, &updated) {
        work.emit(SERVICE.name, goal, context).await?;
    }
    Ok(updated)
}

/// The money saga's step 2, yes: adds `money` to the totals of the campaign
/// (locked, as it was `before`) and emits `campaign.donation_accepted`, and
/// `campaign.goal_reached` when this is the donation that reached the goal.
#[tracing::instrument(err, skip_all)]
pub async fn accept_donation(
    work: &mut UnitOfWork,
    before: Option<&Campaign>,
    donation: &DonationCreated,
    money: &MoneyOffered<'_>,
    context: &EventContext,
) -> sqlx::Result<Campaign> {
    let campaign = db::accept_donation(
        work,
        money.campaign_id,
        donation.donation_id,
        donation.donor_id,
        money.amount_minor,
    )
    .await?;
    let accepted = CampaignDonationAccepted {
        donation_id: donation.donation_id,
        campaign_id: money.campaign_id,
        recipient_id: campaign.recipient_id,
        title: campaign.title.clone(),
        amount_minor: money.amount_minor,
        currency: campaign.currency.clone(),
        raised_minor: campaign.raised_minor,
        donor_id: Some(donation.donor_id),
        anonymous: Some(donation.anonymous),
    };
    work.emit(SERVICE.name, accepted, context).await?;
    // The campaign stayed locked since `before` was read: this donation is
    // the one that reached the goal exactly when the mark appeared now.
    if let Some(goal) = before.and_then(|before| goal_reached(before, &campaign)) {
        work.emit(SERVICE.name, goal, context).await?;
    }
    Ok(campaign)
}

/// The money saga's step 2, no: emits `campaign.donation_rejected` with why.
#[tracing::instrument(err, skip_all)]
pub async fn refuse_donation(
    work: &mut UnitOfWork,
    donation: &DonationCreated,
    money: &MoneyOffered<'_>,
    reason: CampaignRejection,
    context: &EventContext,
) -> sqlx::Result<()> {
    let rejected = CampaignDonationRejected {
        donation_id: donation.donation_id,
        campaign_id: money.campaign_id,
        reason,
    };
    work.emit(SERVICE.name, rejected, context).await
}

/// The money saga's step 4, compensation: takes `accepted` back out of the
/// totals and emits `campaign.donation_reversed`.
#[tracing::instrument(err, skip_all)]
pub async fn reverse_donation(
    work: &mut UnitOfWork,
    donation_id: Uuid,
    accepted: &Accepted,
    context: &EventContext,
) -> sqlx::Result<Campaign> {
    let campaign = db::reverse_donation(work, donation_id, accepted).await?;
    let reversed = CampaignDonationReversed {
        donation_id,
        campaign_id: accepted.campaign_id,
        amount_minor: accepted.amount_minor,
        currency: campaign.currency.clone(),
        raised_minor: campaign.raised_minor,
    };
    work.emit(SERVICE.name, reversed, context).await?;
    Ok(campaign)
}

/// Applies `change` and emits `campaign.status_changed`.
#[tracing::instrument(err, skip(work, campaign, context), fields(campaign_id = %campaign.id))]
pub async fn change_status(
    work: &mut UnitOfWork,
    campaign: &Campaign,
    change: StatusChange,
    reason: Option<String>,
    context: &EventContext,
) -> sqlx::Result<Campaign> {
    let updated = db::apply_status(work, campaign.id, &change).await?;
    let event = CampaignStatusChanged {
        campaign_id: updated.id,
        recipient_id: updated.recipient_id,
        title: updated.title.clone(),
        from: change.from.to_string(),
        to: change.to.to_string(),
        reason,
    };
    work.emit(SERVICE.name, event, context).await?;
    Ok(updated)
}

/// Copies campaigns in from another system (`hearth copy-campaigns`): each is
/// inserted unless its id is already there, and with `announce`, each one
/// inserted emits `campaign.created` as a campaign created here does. The
/// ids inserted.
#[tracing::instrument(err, skip_all)]
pub async fn copy_in(
    conn: &mut PgConnection,
    rows: &[&CopiedCampaign],
    announce: Option<&EventContext>,
) -> sqlx::Result<Vec<Uuid>> {
    let inserted = db::insert_copied(conn, rows).await?;
    if let Some(context) = announce {
        let events: Vec<_> = inserted
            .iter()
            .map(|campaign| Envelope::new(SERVICE.name, created(campaign), context))
            .collect();
        outbox::enqueue_all(conn, &events).await?;
    }
    Ok(inserted.into_iter().map(|campaign| campaign.id).collect())
}

/// `campaign.created`, for a campaign just stored.
pub fn created(campaign: &Campaign) -> CampaignCreated {
    CampaignCreated {
        campaign_id: campaign.id,
        recipient_id: campaign.recipient_id,
        creator_id: campaign.creator_id,
        title: campaign.title.clone(),
        goal_minor: campaign.goal_minor,
        currency: campaign.currency.clone(),
        status: campaign.status.to_string(),
        ends_at: campaign.ends_at,
        image_url: campaign.image_url.as_ref().map(|u| u.to_string()),
    }
}
