//! profile-service's own read model of exchanges (docs/api.md, `POST /ratings`):
//! a `confirmed` money donation or a `completed` item donation, until a
//! refund undoes it. A confirmed item donation is only a promise; its parties
//! may rate once the items arrived.

use hearth_bus::consumer::{HandleError, Tx};
use hearth_events::donation::{
    DonationCompleted, DonationConfirmed, DonationKind, DonationRefunded,
};
use hearth_events::{Envelope, Event};

use crate::db;
use crate::domain::Exchange;

pub async fn confirmed(mut tx: Tx, event: Envelope<DonationConfirmed>) -> Result<Tx, HandleError> {
    let d = &event.data;
    if d.kind == DonationKind::Money {
        let exchange = Exchange {
            donor_id: d.donor_id,
            recipient_id: d.recipient_id,
            anonymous: d.anonymous,
        };
        db::remember_exchange(&mut tx, d.donation_id, exchange).await?;
    }
    Ok(tx)
}

pub async fn completed(mut tx: Tx, event: Envelope<DonationCompleted>) -> Result<Tx, HandleError> {
    let d = &event.data;
    let exchange = Exchange {
        donor_id: d.donor_id,
        recipient_id: d.recipient_id,
        // An older payload does not say: when in doubt, no one is named.
        anonymous: d.anonymous.unwrap_or(true),
    };
    db::remember_exchange(&mut tx, d.donation_id, exchange).await?;
    Ok(tx)
}

/// `donation.refunded`: the exchange is undone, and earns no new rating. It
/// is recorded on its own, so that a refund handled before the confirmation
/// it undoes still counts. The only way back from an exchange: a completed
/// item donation is final, and a confirmed one is not rateable yet.
pub async fn refunded(mut tx: Tx, event: Envelope<DonationRefunded>) -> Result<Tx, HandleError> {
    db::remember_undone(&mut tx, event.data.donation_id, DonationRefunded::TYPE).await?;
    Ok(tx)
}
