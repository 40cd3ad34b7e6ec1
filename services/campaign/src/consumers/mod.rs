//! The events campaign-service reacts to: donations to its campaigns
//! (EVENTS.md, "Money to a campaign", steps 2 and 4).

mod donations;

use std::sync::Arc;

use hearth_bus::broker::BrokerLink;
use hearth_bus::consumer::Consumer;
use hearth_core::config::EventsConfig;
use hearth_core::metrics::Metrics;
use hearth_events::donation::{
    DonationCancelled, DonationCreated, DonationExpired, DonationRefunded,
};
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
