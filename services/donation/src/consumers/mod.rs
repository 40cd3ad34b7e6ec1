//! The events donation-service reacts to: the campaigns' (and, next, the
//! requests') answers to its donations.

mod campaign;

use std::sync::Arc;

use hearth_bus::broker::BrokerLink;
use hearth_bus::consumer::Consumer;
use hearth_core::config::EventsConfig;
use hearth_core::metrics::Metrics;
use hearth_events::campaign::{CampaignDonationAccepted, CampaignDonationRejected};
use hearth_events::Event;
use sqlx::PgPool;

use crate::SERVICE;

pub fn consumer(
    pool: PgPool,
    link: BrokerLink,
    events: &EventsConfig,
    metrics: &Metrics,
) -> Consumer {
    Consumer::for_service(pool, link, SERVICE.name, events, metrics)
        .on(
            CampaignDonationAccepted::TYPE,
            Arc::new(|tx, e| Box::pin(campaign::accepted(tx, e))),
        )
        .on(
            CampaignDonationRejected::TYPE,
            Arc::new(|tx, e| Box::pin(campaign::rejected(tx, e))),
        )
}
