//! donation-service: a donation as its two parties see it, for talking and
//! rating about it: who gave, who received, and whether it went through.

use serde::Deserialize;
use uuid::Uuid;

use super::{Api, Failure};
use crate::config::Backend;
use crate::session::Viewer;

/// A donation between two people. `donor_id` is null to the recipient of
/// an anonymous donation; `recipient_id` until the campaign or request
/// accepted it.
#[derive(Debug, Clone, Deserialize)]
pub struct Exchange {
    pub id: Uuid,
    pub kind: String,
    pub donor_id: Option<Uuid>,
    pub recipient_id: Option<Uuid>,
    pub campaign_id: Option<Uuid>,
    pub request_id: Option<Uuid>,
    pub anonymous: bool,
    pub status: String,
}

/// Which side of an exchange the viewer is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Donor,
    Recipient,
}

impl Exchange {
    /// The viewer's side, if they are a party to it.
    pub fn side_of(&self, viewer: &Viewer) -> Option<Side> {
        let me = Some(viewer.person()?.id);
        if self.donor_id == me {
            Some(Side::Donor)
        } else if self.recipient_id == me {
            Some(Side::Recipient)
        } else {
            None
        }
    }

    /// The other party, when the viewer may know who they are.
    pub fn other_party(&self, side: Side) -> Option<Uuid> {
        match side {
            Side::Donor => self.recipient_id,
            Side::Recipient => self.donor_id,
        }
    }

    /// Went through, as a rating needs: a confirmed money donation or a
    /// completed item donation (a refunded one is neither any more).
    pub fn went_through(&self) -> bool {
        matches!(
            (self.kind.as_str(), self.status.as_str()),
            ("money", "confirmed") | ("item", "completed")
        )
    }

    /// Where the gift went: the campaign's or the request's page.
    pub fn target_url(&self) -> Option<String> {
        self.campaign_id
            .map(|c| format!("/campaigns/{c}"))
            .or_else(|| self.request_id.map(|r| format!("/requests/{r}")))
    }
}

impl Api {
    pub async fn exchange(&self, id: Uuid, viewer: &Viewer) -> Result<Exchange, Failure> {
        self.read(Backend::Donation, "donations", id, viewer).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::Person;

    fn exchange(
        kind: &str,
        status: &str,
        donor: Option<Uuid>,
        recipient: Option<Uuid>,
    ) -> Exchange {
        Exchange {
            id: Uuid::new_v4(),
            kind: kind.to_owned(),
            donor_id: donor,
            recipient_id: recipient,
            campaign_id: None,
            request_id: None,
            anonymous: donor.is_none(),
            status: status.to_owned(),
        }
    }

    fn viewer(id: Uuid) -> Viewer {
        Viewer::Person(Person::new(id, "P".to_owned(), false, "t".to_owned()))
    }

    #[test]
    fn only_a_confirmed_money_or_a_completed_item_donation_went_through() {
        let through = [("money", "confirmed"), ("item", "completed")];
        for kind in ["money", "item"] {
            for status in [
                "pending",
                "confirmed",
                "completed",
                "refunded",
                "cancelled",
                "expired",
                "rejected",
            ] {
                assert_eq!(
                    exchange(kind, status, None, None).went_through(),
                    through.contains(&(kind, status)),
                    "{kind} {status}"
                );
            }
        }
    }

    #[test]
    fn each_party_sees_the_other_and_a_stranger_is_no_party() {
        let (donor, recipient) = (Uuid::new_v4(), Uuid::new_v4());
        let e = exchange("money", "confirmed", Some(donor), Some(recipient));
        assert_eq!(e.side_of(&viewer(donor)), Some(Side::Donor));
        assert_eq!(e.side_of(&viewer(recipient)), Some(Side::Recipient));
        assert_eq!(e.side_of(&viewer(Uuid::new_v4())), None);
        assert_eq!(e.side_of(&Viewer::Visitor), None);
        assert_eq!(e.other_party(Side::Donor), Some(recipient));
        assert_eq!(e.other_party(Side::Recipient), Some(donor));
        // The recipient of an anonymous gift does not know the donor.
        let anonymous = exchange("money", "confirmed", None, Some(recipient));
        assert_eq!(anonymous.side_of(&viewer(recipient)), Some(Side::Recipient));
        assert_eq!(anonymous.other_party(Side::Recipient), None);
        // Nor is a visitor ever the unknown donor.
        assert_eq!(anonymous.side_of(&Viewer::Visitor), None);
    }
}
