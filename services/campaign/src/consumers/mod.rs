//! The events campaign-service reacts to: donations to its campaigns
//! (EVENTS.md, "Money to a campaign", steps 2 and 4).

mod donations;

use std::sync::Arc;

use hearth_bus::consumer::Consumer;
use hearth_bus::service::ServiceRuntime;
use hearth_events::donation::{
    DonationCancelled, DonationCreated, DonationExpired, DonationRefunded,
};
use hearth_events::Event;

pub fn consumer(runtime: &ServiceRuntime) -> Consumer {
    runtime
        .consumer()
        .on(
            DonationCreated::TYPE,
            Arc::new(|tx, e| Box::pin(donations::created(tx, e))),
        )
        .on(
            DonationRefunded::TYPE,
            Arc::new(|tx, e| Box::pin(donations::refunded(tx, e))),
        )
        .on(
            DonationCancelled::TYPE,
            Arc::new(|tx, e| Box::pin(donations::cancelled(tx, e))),
        )
        .on(
            DonationExpired::TYPE,
            Arc::new(|tx, e| Box::pin(donations::expired(tx, e))),
        )
}
