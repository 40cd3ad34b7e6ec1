//! Events donation-service produces.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{Event, Undecodable};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DonationKind {
    Money,
    Item,
}

/// Who cancelled a donation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CancelledBy {
    Donor,
    Recipient,
    Staff,
}

macro_rules! donation_event {
    ($name:ident, $type:literal) => {
        impl Event for $name {
            const TYPE: &'static str = $type;
            fn subject(&self) -> String {
                self.donation_id.to_string()
            }
        }
    };
}

/// Money carries `campaign_id`, `amount_minor`, `currency`; items carry `request_id`, `quantity`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DonationCreated {
    pub donation_id: Uuid,
    pub kind: DonationKind,
    pub donor_id: Uuid,
    pub campaign_id: Option<Uuid>,
    pub request_id: Option<Uuid>,
    pub amount_minor: Option<i64>,
    pub currency: Option<String>,
    pub quantity: Option<i32>,
    pub anonymous: bool,
}
donation_event!(DonationCreated, "donation.created");

/// Money offered by a `donation.created`, every field present.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MoneyOffered<'a> {
    pub campaign_id: Uuid,
    pub amount_minor: i64,
    pub currency: &'a str,
}

/// Items offered by a `donation.created`, every field present.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ItemsOffered {
    pub request_id: Uuid,
    pub quantity: i32,
}

impl DonationCreated {
    /// The money offered; `None` for items. A gift of money missing one of
    /// its fields can never be handled: it is refused (and dead-lettered).
    pub fn money(&self) -> Result<Option<MoneyOffered<'_>>, Undecodable> {
        if self.kind != DonationKind::Money {
            return Ok(None);
        }
        let money = self
            .campaign_id
            .zip(self.amount_minor)
            .zip(self.currency.as_deref());
        let ((campaign_id, amount_minor), currency) = money.ok_or_else(|| self.malformed())?;
        Ok(Some(MoneyOffered {
            campaign_id,
            amount_minor,
            currency,
        }))
    }

    /// The items offered; `None` for money. Refused as [`Self::money`] is.
    pub fn items(&self) -> Result<Option<ItemsOffered>, Undecodable> {
        if self.kind != DonationKind::Item {
            return Ok(None);
        }
        let (request_id, quantity) = self
            .request_id
            .zip(self.quantity)
            .ok_or_else(|| self.malformed())?;
        Ok(Some(ItemsOffered {
            request_id,
            quantity,
        }))
    }

    fn malformed(&self) -> Undecodable {
        Undecodable::BadPayload {
            event_type: Self::TYPE.to_owned(),
            error: format!("a {:?} donation without its kind's fields", self.kind),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DonationConfirmed {
    pub donation_id: Uuid,
    pub kind: DonationKind,
    pub donor_id: Uuid,
    pub recipient_id: Uuid,
    pub campaign_id: Option<Uuid>,
    pub request_id: Option<Uuid>,
    pub amount_minor: Option<i64>,
    pub currency: Option<String>,
    pub quantity: Option<i32>,
    pub anonymous: bool,
}
donation_event!(DonationConfirmed, "donation.confirmed");

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DonationRejected {
    pub donation_id: Uuid,
    pub donor_id: Uuid,
    /// The campaign's or request's reason, such as `not_active` or `quantity_exceeded`.
    pub reason: String,
}
donation_event!(DonationRejected, "donation.rejected");

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DonationCancelled {
    pub donation_id: Uuid,
    pub kind: DonationKind,
    pub donor_id: Uuid,
    pub recipient_id: Option<Uuid>,
    pub campaign_id: Option<Uuid>,
    pub request_id: Option<Uuid>,
    pub by: CancelledBy,
}
donation_event!(DonationCancelled, "donation.cancelled");

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DonationExpired {
    pub donation_id: Uuid,
    pub kind: DonationKind,
    pub donor_id: Uuid,
    pub campaign_id: Option<Uuid>,
    pub request_id: Option<Uuid>,
}
donation_event!(DonationExpired, "donation.expired");

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DonationCompleted {
    pub donation_id: Uuid,
    pub donor_id: Uuid,
    pub recipient_id: Uuid,
    pub request_id: Uuid,
    pub quantity: i32,
    /// Whether the donor asked not to be named; absent (unknown) in older payloads.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub anonymous: Option<bool>,
}
donation_event!(DonationCompleted, "donation.completed");

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DonationRefunded {
    pub donation_id: Uuid,
    pub donor_id: Uuid,
    pub recipient_id: Uuid,
    pub campaign_id: Uuid,
    pub amount_minor: i64,
    pub currency: String,
    pub reason: String,
}
donation_event!(DonationRefunded, "donation.refunded");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_completed_donation_without_anonymous_still_decodes() {
        let old = serde_json::json!({
            "donation_id": Uuid::nil(),
            "donor_id": Uuid::nil(),
            "recipient_id": Uuid::nil(),
            "request_id": Uuid::nil(),
            "quantity": 2,
        });
        let completed: DonationCompleted =
            serde_json::from_value(old.clone()).expect("an older payload parses");
        assert_eq!(completed.anonymous, None);
        assert_eq!(serde_json::to_value(&completed).expect("json"), old);
    }

    #[test]
    fn an_offer_has_its_kinds_fields_or_is_undecodable() {
        let money = DonationCreated {
            donation_id: Uuid::now_v7(),
            kind: DonationKind::Money,
            donor_id: Uuid::now_v7(),
            campaign_id: Some(Uuid::now_v7()),
            request_id: None,
            amount_minor: Some(2_500),
            currency: Some("USD".into()),
            quantity: None,
            anonymous: false,
        };
        assert_eq!(
            money.money(),
            Ok(Some(MoneyOffered {
                campaign_id: money.campaign_id.expect("set"),
                amount_minor: 2_500,
                currency: "USD"
            }))
        );
        assert_eq!(money.items(), Ok(None));
        let items = DonationCreated {
            kind: DonationKind::Item,
            campaign_id: None,
            amount_minor: None,
            currency: None,
            request_id: Some(Uuid::now_v7()),
            quantity: Some(3),
            ..money.clone()
        };
        assert!(matches!(
            items.items(),
            Ok(Some(ItemsOffered { quantity: 3, .. }))
        ));
        assert_eq!(items.money(), Ok(None));
        let malformed = DonationCreated {
            currency: None,
            ..money
        };
        assert!(matches!(
            malformed.money(),
            Err(Undecodable::BadPayload { .. })
        ));
        assert_eq!(malformed.items(), Ok(None), "not the other kind's business");
    }
}
