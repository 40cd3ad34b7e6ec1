//! Whether a request takes an item donation (docs/api.md: "an `open` request accepts
//! an item donation whose `quantity ≤ quantity_needed − quantity_pledged −
//! quantity_fulfilled` and whose donor is not the requester").

use hearth_events::request::RequestRejection;
use uuid::Uuid;

use super::Request;

/// What the saga needs to know of a donation to decide.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Offer {
    pub donor_id: Uuid,
    pub quantity: i32,
    /// Whether this service has heard that the donor is suspended.
    pub donor_suspended: bool,
}

/// `Ok` to accept, or the reason to refuse, checked in this order.
pub fn decide(request: Option<&Request>, offer: Offer) -> Result<(), RequestRejection> {
    let request = request.ok_or(RequestRejection::NotFound)?;
    if offer.donor_suspended {
        return Err(RequestRejection::DonorSuspended);
    }
    if offer.donor_id == request.requester_id {
        return Err(RequestRejection::SelfDonation);
    }
    if !request.status.is_open() {
        return Err(RequestRejection::NotOpen);
    }
    if offer.quantity > request.quantity_open() {
        return Err(RequestRejection::QuantityExceeded);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use chrono::Utc;

    use super::*;
    use crate::domain::Status;

    fn request() -> Request {
        let now = Utc::now();
        Request {
            id: Uuid::now_v7(),
            requester_id: Uuid::new_v4(),
            title: "Blankets".into(),
            description: None,
            category: "bedding".into(),
            quantity_needed: 10,
            quantity_pledged: 4,
            quantity_fulfilled: 3,
            status: Status::Open,
            needed_by: None,
            location: None,
            image_url: None,
            created_at: now,
            updated_at: now,
            version: 1,
            suspended_from: None,
        }
    }

    fn offer(quantity: i32) -> Offer {
        Offer {
            donor_id: Uuid::new_v4(),
            quantity,
            donor_suspended: false,
        }
    }

    #[test]
    fn every_reason() {
        let r = request();
        assert_eq!(decide(Some(&r), offer(3)), Ok(()), "exactly what is left");
        assert_eq!(
            decide(Some(&r), offer(4)),
            Err(RequestRejection::QuantityExceeded)
        );
        assert_eq!(decide(None, offer(1)), Err(RequestRejection::NotFound));
        let suspended = Offer {
            donor_suspended: true,
            ..offer(1)
        };
        assert_eq!(
            decide(Some(&r), suspended),
            Err(RequestRejection::DonorSuspended)
        );
        let own = Offer {
            donor_id: r.requester_id,
            ..offer(1)
        };
        assert_eq!(decide(Some(&r), own), Err(RequestRejection::SelfDonation));
        for status in [
            Status::Fulfilled,
            Status::Cancelled,
            Status::Expired,
            Status::Suspended,
        ] {
            let closed = Request {
                status,
                ..request()
            };
            assert_eq!(
                decide(Some(&closed), offer(1)),
                Err(RequestRejection::NotOpen),
                "{status}"
            );
        }
    }
}
