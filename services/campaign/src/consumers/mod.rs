//! The events campaign-service reacts to: donations to its campaigns
//! (docs/events.md, "The money saga", steps 2 and 4).

mod donations;
mod reports;

use hearth_bus::consumer::Consumer;
use hearth_bus::moderation::follow_suspensions;
use hearth_bus::service::ServiceRuntime;
use hearth_events::donation::{
    DonationCancelled, DonationCreated, DonationExpired, DonationRefunded,
};
use hearth_events::profile::ReportResolved;

pub fn consumer(runtime: &ServiceRuntime) -> Consumer {
    follow_suspensions(runtime.consumer())
        .on::<DonationCreated>(donations::created)
        .on::<DonationRefunded>(donations::refunded)
        .on::<DonationCancelled>(donations::cancelled)
        .on::<DonationExpired>(donations::expired)
        .on::<ReportResolved>(reports::resolved)
}
