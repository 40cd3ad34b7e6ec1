//! The events profile-service reacts to: donations that went through, which
//! make their two parties eligible to rate each other, and refunds, which
//! end that.

mod donations;

use std::sync::Arc;

use hearth_bus::consumer::Consumer;
use hearth_bus::service::ServiceRuntime;
use hearth_events::donation::{DonationCompleted, DonationConfirmed, DonationRefunded};
use hearth_events::Event;

pub fn consumer(runtime: &ServiceRuntime) -> Consumer {
    runtime
        .consumer()
        .on(
            DonationConfirmed::TYPE,
            Arc::new(|tx, e| Box::pin(donations::confirmed(tx, e))),
        )
        .on(
            DonationCompleted::TYPE,
            Arc::new(|tx, e| Box::pin(donations::completed(tx, e))),
        )
        .on(
            DonationRefunded::TYPE,
            Arc::new(|tx, e| Box::pin(donations::refunded(tx, e))),
        )
}
