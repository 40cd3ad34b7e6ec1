//! The events request-service reacts to: item donations to its requests
//! (docs/events.md, "The item saga").

mod donations;
mod reports;

use hearth_bus::consumer::Consumer;
use hearth_bus::moderation::follow_suspensions;
use hearth_bus::service::ServiceRuntime;
use hearth_events::donation::{
    DonationCancelled, DonationCompleted, DonationCreated, DonationExpired,
};
use hearth_events::profile::ReportResolved;

pub fn consumer(runtime: &ServiceRuntime) -> Consumer {
    follow_suspensions(runtime.consumer())
        .on::<DonationCreated>(donations::created)
        .on::<DonationCompleted>(donations::completed)
        .on::<DonationCancelled>(donations::cancelled)
        .on::<DonationExpired>(donations::expired)
        .on::<ReportResolved>(reports::resolved)
}
