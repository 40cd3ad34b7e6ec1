//! The events profile-service reacts to: donations that went through, which
//! make their two parties eligible to rate each other, and refunds, which
//! end that.

mod donations;

use hearth_bus::consumer::Consumer;
use hearth_bus::service::ServiceRuntime;
use hearth_events::donation::{DonationCompleted, DonationConfirmed, DonationRefunded};

pub fn consumer(runtime: &ServiceRuntime) -> Consumer {
    runtime
        .consumer()
        .on::<DonationConfirmed>(donations::confirmed)
        .on::<DonationCompleted>(donations::completed)
        .on::<DonationRefunded>(donations::refunded)
}
