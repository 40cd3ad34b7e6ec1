//! The events messaging-service reacts to. Each producer's events have a
//! module; each handler turns an event into notifications (docs/events.md,
//! "Notifications").

mod campaign;
mod donation;
mod profile;
mod request;

use std::sync::Arc;

use hearth_bus::consumer::{Consumer, HandleError, Handler, Tx};
use hearth_bus::moderation::{self, follow_suspensions};
use hearth_bus::service::ServiceRuntime;
use hearth_events::campaign::{
    CampaignCreated, CampaignDonationAccepted, CampaignGoalReached, CampaignStatusChanged,
};
use hearth_events::donation::{
    DonationCancelled, DonationCompleted, DonationConfirmed, DonationExpired, DonationRefunded,
    DonationRejected,
};
use hearth_events::profile::{
    ProfileCreated, ProfileSuspended, ProfileUpdated, RatingCreated, ReportResolved,
};
use hearth_events::request::{RequestDonationAccepted, RequestFulfilled, RequestStatusChanged};
use hearth_events::{Envelope, Event};
use sqlx::PgConnection;

use crate::db;
use crate::domain::NewNotification;

/// messaging-service's consumer, bound to every event it notifies about.
pub fn consumer(runtime: &ServiceRuntime) -> Consumer {
    // The later `.on` for profile.suspended replaces follow_suspensions' own:
    // ours records the suspension too, and tells the person.
    follow_suspensions(runtime.consumer())
        .on(CampaignCreated::TYPE, notify(campaign::created))
        .on(
            CampaignDonationAccepted::TYPE,
            notify_naming(campaign::donor_of, campaign::donation_accepted),
        )
        .on(CampaignGoalReached::TYPE, notify(campaign::goal_reached))
        .on(
            CampaignStatusChanged::TYPE,
            notify(campaign::status_changed),
        )
        .on(DonationConfirmed::TYPE, notify(donation::confirmed))
        .on(DonationRejected::TYPE, notify(donation::rejected))
        .on(DonationCompleted::TYPE, notify(donation::completed))
        .on(DonationCancelled::TYPE, notify(donation::cancelled))
        .on(DonationExpired::TYPE, notify(donation::expired))
        .on(DonationRefunded::TYPE, notify(donation::refunded))
        .on(
            RequestDonationAccepted::TYPE,
            notify_naming(request::donor_of, request::donation_accepted),
        )
        .on(RequestFulfilled::TYPE, notify(request::fulfilled))
        .on(RequestStatusChanged::TYPE, notify(request::status_changed))
        .on(RatingCreated::TYPE, notify(profile::rated))
        .on(ReportResolved::TYPE, notify(profile::report_resolved))
        .on(ProfileSuspended::TYPE, suspended())
        .on(ProfileCreated::TYPE, learn_name::<ProfileCreated>())
        .on(ProfileUpdated::TYPE, learn_name::<ProfileUpdated>())
}

/// Like [`notify`], for a notification that names the donor: `donor` says
/// whom, when they may be named, and their display name is looked up here.
fn notify_naming<T: Event + Send + 'static>(
    donor: fn(&T) -> Option<uuid::Uuid>,
    make: fn(&Envelope<T>, Option<&str>) -> Vec<NewNotification>,
) -> Handler {
    Arc::new(move |mut tx: Tx, envelope: Envelope| {
        Box::pin(async move {
            let event = envelope.decode::<T>()?;
            let name = match donor(&event.data) {
                Some(id) => db::display_name(&mut tx, id).await?,
                None => None,
            };
            store(&mut tx, make(&event, name.as_deref())).await?;
            Ok::<_, HandleError>(tx)
        })
    })
}

/// `profile.created` / `profile.updated`: the name to call someone by.
fn learn_name<T: Event + Send + Named + 'static>() -> Handler {
    Arc::new(move |mut tx: Tx, envelope: Envelope| {
        Box::pin(async move {
            let event = envelope.decode::<T>()?;
            let (user_id, name) = event.data.named();
            db::remember_name(&mut tx, user_id, name, event.time).await?;
            Ok::<_, HandleError>(tx)
        })
    })
}

/// The two profile events that carry a display name.
trait Named {
    fn named(&self) -> (uuid::Uuid, &str);
}

impl Named for ProfileCreated {
    fn named(&self) -> (uuid::Uuid, &str) {
        (self.profile_id, &self.display_name)
    }
}

impl Named for ProfileUpdated {
    fn named(&self) -> (uuid::Uuid, &str) {
        (self.profile_id, &self.display_name)
    }
}

/// A handler that stores the notifications `make` derives from an event of type `T`.
fn notify<T: Event + Send + 'static>(make: fn(&Envelope<T>) -> Vec<NewNotification>) -> Handler {
    Arc::new(move |mut tx: Tx, envelope: Envelope| {
        Box::pin(async move {
            let event = envelope.decode::<T>()?;
            store(&mut tx, make(&event)).await?;
            Ok::<_, HandleError>(tx)
        })
    })
}

/// `profile.suspended`: the suspension is recorded (the person's writes are
/// refused from now on) and they are told, in one transaction.
fn suspended() -> Handler {
    Arc::new(|tx: Tx, envelope: Envelope| {
        Box::pin(async move {
            let event = envelope.decode::<ProfileSuspended>()?;
            let mut tx = moderation::suspended(tx, envelope).await?;
            store(&mut tx, profile::suspended(&event)).await?;
            Ok::<_, HandleError>(tx)
        })
    })
}

async fn store(conn: &mut PgConnection, notifications: Vec<NewNotification>) -> sqlx::Result<()> {
    for notification in notifications {
        db::insert_notification(conn, &notification).await?;
    }
    Ok(())
}
