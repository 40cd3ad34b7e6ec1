//! Who produces each event type (docs/events.md, "Catalogue").
//!
//! The one list the broker permissions (`hearth broker users`) and the
//! consumers' publisher check are derived from: a service may publish
//! exactly the types it produces here, and a consumer running with
//! per-service broker users refuses a type published by anyone else.

use crate::campaign::{
    CampaignCreated, CampaignDonationAccepted, CampaignDonationRejected, CampaignDonationReversed,
    CampaignGoalReached, CampaignStatusChanged, CampaignUpdated,
};
use crate::donation::{
    DonationCancelled, DonationCompleted, DonationConfirmed, DonationCreated, DonationExpired,
    DonationRefunded, DonationRejected,
};
use crate::messaging::MessageSent;
use crate::profile::{
    ProfileCreated, ProfileReinstated, ProfileSuspended, ProfileUpdated, RatingCreated,
    ReportCreated, ReportResolved,
};
use crate::request::{
    RequestCreated, RequestDonationAccepted, RequestDonationRejected, RequestFulfilled,
    RequestStatusChanged, RequestUpdated,
};
use crate::Event;

/// The event types one service produces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Produced {
    /// The producing service: `campaign`, `donation`, …
    pub producer: &'static str,
    pub types: &'static [&'static str],
}

/// Every event type, grouped by the service that produces it.
pub const CATALOGUE: &[Produced] = &[
    Produced {
        producer: "campaign",
        types: &[
            CampaignCreated::TYPE,
            CampaignUpdated::TYPE,
            CampaignStatusChanged::TYPE,
            CampaignGoalReached::TYPE,
            CampaignDonationAccepted::TYPE,
            CampaignDonationRejected::TYPE,
            CampaignDonationReversed::TYPE,
        ],
    },
    Produced {
        producer: "donation",
        types: &[
            DonationCreated::TYPE,
            DonationConfirmed::TYPE,
            DonationRejected::TYPE,
            DonationCancelled::TYPE,
            DonationExpired::TYPE,
            DonationCompleted::TYPE,
            DonationRefunded::TYPE,
        ],
    },
    Produced {
        producer: "request",
        types: &[
            RequestCreated::TYPE,
            RequestUpdated::TYPE,
            RequestStatusChanged::TYPE,
            RequestDonationAccepted::TYPE,
            RequestDonationRejected::TYPE,
            RequestFulfilled::TYPE,
        ],
    },
    Produced {
        producer: "messaging",
        types: &[MessageSent::TYPE],
    },
    Produced {
        producer: "profile",
        types: &[
            ProfileCreated::TYPE,
            ProfileUpdated::TYPE,
            ProfileSuspended::TYPE,
            ProfileReinstated::TYPE,
            RatingCreated::TYPE,
            ReportCreated::TYPE,
            ReportResolved::TYPE,
        ],
    },
];

/// The service that produces `event_type`, or `None` for a type outside the catalogue.
pub fn producer_of(event_type: &str) -> Option<&'static str> {
    CATALOGUE
        .iter()
        .find(|produced| produced.types.contains(&event_type))
        .map(|produced| produced.producer)
}

/// The types `service` produces (none for a service outside the catalogue).
pub fn produced_by(service: &str) -> &'static [&'static str] {
    CATALOGUE
        .iter()
        .find(|produced| produced.producer == service)
        .map_or(&[], |produced| produced.types)
}

/// The CloudEvents `source` of events from `service`: `/hearth/campaign-service`.
pub fn source_of(service: &str) -> String {
    format!("/hearth/{service}-service")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_type_has_one_producer() {
        let mut seen = std::collections::BTreeSet::new();
        for produced in CATALOGUE {
            for event_type in produced.types {
                assert!(seen.insert(*event_type), "{event_type} listed twice");
                assert_eq!(producer_of(event_type), Some(produced.producer));
            }
        }
        assert_eq!(producer_of("campaign.deleted"), None);
        assert_eq!(produced_by("profile").len(), 7);
        assert!(produced_by("intruder").is_empty());
    }

    #[test]
    fn a_services_events_name_it_as_their_source() {
        let event = crate::Envelope::new(
            "donation",
            crate::messaging::MessageSent {
                message_id: uuid::Uuid::now_v7(),
                sender_id: uuid::Uuid::new_v4(),
                recipient_id: uuid::Uuid::new_v4(),
                context: None,
            },
            &crate::EventContext::default(),
        );
        assert_eq!(event.source, source_of("donation"));
    }
}
