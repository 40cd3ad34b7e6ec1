//! profile-service's own read model of exchanges (API.md, `POST /ratings`):
//! a `confirmed` money donation or a `completed` item donation. A confirmed
//! item donation is only a promise; its parties may rate once the items arrived.

use hearth_bus::consumer::{HandleError, Tx};
use hearth_events::donation::{DonationCompleted, DonationConfirmed, DonationKind};
use hearth_events::Envelope;

use crate::db;
use crate::domain::Exchange;

pub async fn confirmed(mut tx: Tx, envelope: Envelope) -> Result<Tx, HandleError> {
    let event = envelope.decode::<DonationConfirmed>()?;
    let d = &event.data;
    if d.kind == DonationKind::Money {
        let exchange = Exchange {
            donor_id: d.donor_id,
            recipient_id: d.recipient_id,
        };
        db::remember_exchange(&mut tx, d.donation_id, exchange).await?;
    }
    Ok(tx)
}

pub async fn completed(mut tx: Tx, envelope: Envelope) -> Result<Tx, HandleError> {
    let event = envelope.decode::<DonationCompleted>()?;
    let d = &event.data;
    let exchange = Exchange {
        donor_id: d.donor_id,
        recipient_id: d.recipient_id,
    };
    db::remember_exchange(&mut tx, d.donation_id, exchange).await?;
    Ok(tx)
}
