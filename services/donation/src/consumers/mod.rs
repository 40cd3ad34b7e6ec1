//! The events donation-service reacts to: the campaigns' (and, next, the
//! requests') answers to its donations.

mod campaign;

use std::sync::Arc;

use hearth_bus::consumer::Consumer;
use hearth_bus::service::ServiceRuntime;
use hearth_events::campaign::{CampaignDonationAccepted, CampaignDonationRejected};
use hearth_events::Event;

pub fn consumer(runtime: &ServiceRuntime) -> Consumer {
    runtime
        .consumer()
        .on(
            CampaignDonationAccepted::TYPE,
            Arc::new(|tx, e| Box::pin(campaign::accepted(tx, e))),
        )
        .on(
            CampaignDonationRejected::TYPE,
            Arc::new(|tx, e| Box::pin(campaign::rejected(tx, e))),
        )
}
