//! The events messaging-service reacts to. Each producer's events have a
//! module; each handler turns an event into notifications.

mod campaign;

use std::sync::Arc;

use hearth_bus::consumer::{Consumer, HandleError, Handler, Tx};
use hearth_bus::moderation::follow_suspensions;
use hearth_bus::service::ServiceRuntime;
use hearth_events::{Envelope, Event};

use crate::db;
use crate::domain::NewNotification;

/// messaging-service's consumer, bound to every event it notifies about.
pub fn consumer(runtime: &ServiceRuntime) -> Consumer {
    follow_suspensions(runtime.consumer()).on(
        hearth_events::campaign::CampaignCreated::TYPE,
        notify(campaign::created),
    )
}

/// A handler that stores the notifications `make` derives from an event of type `T`.
fn notify<T: Event + Send + 'static>(make: fn(&Envelope<T>) -> Vec<NewNotification>) -> Handler {
    Arc::new(move |mut tx: Tx, envelope: Envelope| {
        Box::pin(async move {
            let event = envelope.decode::<T>()?;
            for notification in make(&event) {
                db::insert_notification(&mut tx, &notification).await?;
            }
            Ok::<_, HandleError>(tx)
        })
    })
}
