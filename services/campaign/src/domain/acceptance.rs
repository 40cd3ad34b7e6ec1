//! Whether a campaign takes a money donation (docs/api.md: "A campaign accepts only
//! while `active`, before `ends_at`, in its own currency, and not from its own
//! recipient").

use chrono::{DateTime, Utc};
use hearth_events::campaign::CampaignRejection;
use uuid::Uuid;

use super::{Campaign, Status};

/// What the saga needs to know of a donation to decide.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Offer<'a> {
    pub donor_id: Uuid,
    pub currency: &'a str,
    /// Whether this service has heard that the donor is suspended.
    pub donor_suspended: bool,
}

/// `Ok` to accept, or the reason to refuse, checked in this order.
pub fn decide(
    campaign: Option<&Campaign>,
    offer: &Offer<'_>,
    now: DateTime<Utc>,
) -> Result<(), CampaignRejection> {
    let campaign = campaign.ok_or(CampaignRejection::NotFound)?;
    if offer.donor_suspended {
        return Err(CampaignRejection::DonorSuspended);
    }
    if offer.donor_id == campaign.recipient_id {
        return Err(CampaignRejection::SelfDonation);
    }
    if campaign.status != Status::Active {
        return Err(CampaignRejection::NotActive);
    }
    if campaign.ends_at.is_some_and(|ends| ends <= now) {
        return Err(CampaignRejection::Ended);
    }
    if campaign.currency != offer.currency {
        return Err(CampaignRejection::CurrencyMismatch);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    fn campaign() -> Campaign {
        let now = Utc::now();
        Campaign {
            id: Uuid::now_v7(),
            recipient_id: Uuid::new_v4(),
            creator_id: Uuid::new_v4(),
            title: "Blankets".into(),
            description: None,
            category: None,
            goal_minor: 10_000,
            raised_minor: 0,
            donor_count: 0,
            currency: "USD".into(),
            status: Status::Active,
            image_url: None,
            ends_at: Some(now + Duration::days(1)),
            goal_reached_at: None,
            created_at: now,
            updated_at: now,
            version: 1,
            suspended_from: None,
        }
    }

    fn offer(donor: Uuid) -> Offer<'static> {
        Offer {
            donor_id: donor,
            currency: "USD",
            donor_suspended: false,
        }
    }

    #[test]
    fn every_reason() {
        let now = Utc::now();
        let c = campaign();
        assert_eq!(decide(Some(&c), &offer(Uuid::new_v4()), now), Ok(()));
        assert_eq!(
            decide(None, &offer(Uuid::new_v4()), now),
            Err(CampaignRejection::NotFound)
        );
        assert_eq!(
            decide(Some(&c), &offer(c.recipient_id), now),
            Err(CampaignRejection::SelfDonation)
        );
        for status in [
            Status::Draft,
            Status::Paused,
            Status::Completed,
            Status::Cancelled,
            Status::Suspended,
        ] {
            let c = Campaign {
                status,
                ..campaign()
            };
            assert_eq!(
                decide(Some(&c), &offer(Uuid::new_v4()), now),
                Err(CampaignRejection::NotActive),
                "{status}"
            );
        }
        let ended = Campaign {
            ends_at: Some(now - Duration::seconds(1)),
            ..campaign()
        };
        assert_eq!(
            decide(Some(&ended), &offer(Uuid::new_v4()), now),
            Err(CampaignRejection::Ended)
        );
        let euros = Offer {
            currency: "EUR",
            ..offer(Uuid::new_v4())
        };
        assert_eq!(
            decide(Some(&c), &euros, now),
            Err(CampaignRejection::CurrencyMismatch)
        );
        let suspended = Offer {
            donor_suspended: true,
            ..offer(Uuid::new_v4())
        };
        assert_eq!(
            decide(Some(&c), &suspended, now),
            Err(CampaignRejection::DonorSuspended)
        );
    }
}
