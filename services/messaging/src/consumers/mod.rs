//! The events messaging-service reacts to. Each producer's events have a
//! module; each handler turns an event into notifications (docs/events.md,
//! "Notifications").

mod campaign;
mod donation;
mod profile;
mod request;

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
    follow_suspensions(runtime.consumer())
        .on::<CampaignCreated>(notify(campaign::created))
        .on::<CampaignDonationAccepted>(notify_naming(
            campaign::donor_of,
            campaign::donation_accepted,
        ))
        .on::<CampaignGoalReached>(notify(campaign::goal_reached))
        .on::<CampaignStatusChanged>(notify(campaign::status_changed))
        .on::<DonationConfirmed>(notify(donation::confirmed))
        .on::<DonationRejected>(notify(donation::rejected))
        .on::<DonationCompleted>(notify(donation::completed))
        .on::<DonationCancelled>(notify(donation::cancelled))
        .on::<DonationExpired>(notify(donation::expired))
        .on::<DonationRefunded>(notify(donation::refunded))
        .on::<RequestDonationAccepted>(notify_naming(request::donor_of, request::donation_accepted))
        .on::<RequestFulfilled>(notify(request::fulfilled))
        .on::<RequestStatusChanged>(notify(request::status_changed))
        .on::<RatingCreated>(notify(profile::rated))
        .on::<ReportResolved>(notify(profile::report_resolved))
        // follow_suspensions records a suspension; ours records it too, and
        // tells the person, in the same transaction.
        .replace::<ProfileSuspended>(suspended)
        .on::<ProfileCreated>(learn_name::<ProfileCreated>)
        .on::<ProfileUpdated>(learn_name::<ProfileUpdated>)
}

/// Like [`notify`], for a notification that names the donor: `donor` says
/// whom, when they may be named, and their display name is looked up here.
fn notify_naming<T: Event + Send + 'static>(
    donor: fn(&T) -> Option<uuid::Uuid>,
    make: fn(&Envelope<T>, Option<&str>) -> Vec<NewNotification>,
) -> impl Handler<T> {
    move |mut tx: Tx, event: Envelope<T>| async move {
        let name = match donor(&event.data) {
            Some(id) => db::display_name(&mut tx, id).await?,
            None => None,
        };
        store(&mut tx, make(&event, name.as_deref())).await?;
        Ok::<_, HandleError>(tx)
    }
}

/// `profile.created` / `profile.updated`: the name to call someone by.
async fn learn_name<T: Named>(mut tx: Tx, event: Envelope<T>) -> Result<Tx, HandleError> {
    let (user_id, name) = event.data.named();
    db::remember_name(&mut tx, user_id, name, event.time).await?;
    Ok(tx)
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
fn notify<T: Event + Send + 'static>(
    make: fn(&Envelope<T>) -> Vec<NewNotification>,
) -> impl Handler<T> {
    move |mut tx: Tx, event: Envelope<T>| async move {
        store(&mut tx, make(&event)).await?;
        Ok::<_, HandleError>(tx)
    }
}

/// `profile.suspended`: the suspension is recorded (the person's writes are
/// refused from now on) and they are told, in one transaction.
async fn suspended(tx: Tx, event: Envelope<ProfileSuspended>) -> Result<Tx, HandleError> {
    let notifications = profile::suspended(&event);
    let mut tx = moderation::suspended(tx, event).await?;
    store(&mut tx, notifications).await?;
    Ok(tx)
}

async fn store(conn: &mut PgConnection, notifications: Vec<NewNotification>) -> sqlx::Result<()> {
    for notification in notifications {
        db::insert_notification(conn, &notification).await?;
    }
    Ok(())
}
