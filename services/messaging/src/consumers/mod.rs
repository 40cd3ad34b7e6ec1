//! The events messaging-service reacts to. Each producer's events have a
//! module; each handler turns an event into notifications (EVENTS.md,
//! "Notifications").

mod campaign;
mod donation;
mod profile;
mod request;

use std::sync::Arc;

use hearth_bus::consumer::{Consumer, HandleError, Handler, Tx};
use hearth_bus::moderation::{self, follow_suspensions};
use hearth_bus::service::ServiceRuntime;
use hearth_events::campaign::{CampaignCreated, CampaignDonationAccepted, CampaignGoalReached};
use hearth_events::donation::{
    DonationCancelled, DonationCompleted, DonationConfirmed, DonationExpired, DonationRejected,
};
use hearth_events::profile::{ProfileSuspended, RatingCreated, ReportResolved};
use hearth_events::request::{RequestDonationAccepted, RequestFulfilled};
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
            notify(campaign::donation_accepted),
        )
        .on(CampaignGoalReached::TYPE, notify(campaign::goal_reached))
        .on(DonationConfirmed::TYPE, notify(donation::confirmed))
        .on(DonationRejected::TYPE, notify(donation::rejected))
        .on(DonationCompleted::TYPE, notify(donation::completed))
        .on(DonationCancelled::TYPE, notify(donation::cancelled))
        .on(DonationExpired::TYPE, notify(donation::expired))
        .on(
            RequestDonationAccepted::TYPE,
            notify(request::donation_accepted),
        )
        .on(RequestFulfilled::TYPE, notify(request::fulfilled))
        .on(RatingCreated::TYPE, notify(profile::rated))
        .on(ReportResolved::TYPE, notify(profile::report_resolved))
        .on(ProfileSuspended::TYPE, suspended())
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
