//! The events request-service reacts to: item donations to its requests
//! (docs/events.md, "The item saga").

mod donations;
mod reports;

use std::sync::Arc;

use hearth_bus::consumer::Consumer;
use hearth_bus::moderation::follow_suspensions;
use hearth_bus::service::ServiceRuntime;
use hearth_events::donation::{
    DonationCancelled, DonationCompleted, DonationCreated, DonationExpired,
};
use hearth_events::profile::ReportResolved;
use hearth_events::Event;

pub fn consumer(runtime: &ServiceRuntime) -> Consumer {
    follow_suspensions(runtime.consumer())
        .on(
            DonationCreated::TYPE,
            Arc::new(|tx, e| Box::pin(donations::created(tx, e))),
        )
        .on(
            DonationCompleted::TYPE,
            Arc::new(|tx, e| Box::pin(donations::completed(tx, e))),
        )
        .on(
            DonationCancelled::TYPE,
            Arc::new(|tx, e| Box::pin(donations::cancelled(tx, e))),
        )
        .on(
            DonationExpired::TYPE,
            Arc::new(|tx, e| Box::pin(donations::expired(tx, e))),
        )
        .on(
            ReportResolved::TYPE,
            Arc::new(|tx, e| Box::pin(reports::resolved(tx, e))),
        )
}
