use hearth_core::money::Currency;
use hearth_core::validation::Validator;
use hearth_core::ApiError;
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::Kind;

const AMOUNT_MINOR_MAX: i64 = 1_000_000_000_000;

/// The body of `POST /donations`: money `{kind, campaign_id, amount_minor,
/// currency, message?, anonymous?}` or item `{kind, request_id, quantity,
/// item_description, message?, anonymous?}`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateDonation {
    pub kind: Kind,
    pub campaign_id: Option<Uuid>,
    pub request_id: Option<Uuid>,
    /// Money: at least 1 minor unit.
    pub amount_minor: Option<i64>,
    pub currency: Option<String>,
    /// Items: 1–10 000.
    pub quantity: Option<i32>,
    /// Items: 1–500 characters.
    pub item_description: Option<String>,
    /// At most 280 characters.
    pub message: Option<String>,
    pub anonymous: Option<bool>,
}

/// A donation that passed every check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDonation {
    pub donor_id: Uuid,
    pub kind: Kind,
    pub campaign_id: Option<Uuid>,
    pub request_id: Option<Uuid>,
    pub amount_minor: Option<i64>,
    pub currency: Option<&'static str>,
    pub quantity: Option<i32>,
    pub item_description: Option<String>,
    pub message: Option<String>,
    pub anonymous: bool,
}

impl CreateDonation {
    /// Checks every field at once; `donor_id` is the signed-in person giving.
    pub fn parse(self, donor_id: Uuid) -> Result<NewDonation, ApiError> {
        let message = self
            .message
            .map(|m| m.trim().to_owned())
            .filter(|m| !m.is_empty());
        let item_description = self.item_description.map(|d| d.trim().to_owned());
        let currency = self.currency.as_deref().and_then(Currency::parse);
        let mut v = Validator::new();
        if let Some(message) = &message {
            v.length(message, "message", 0, 280);
        }
        match self.kind {
            Kind::Money => {
                v.check(
                    self.campaign_id.is_some(),
                    "campaign_id",
                    "is required for money",
                );
                v.check(
                    self.amount_minor
                        .is_some_and(|a| (1..=AMOUNT_MINOR_MAX).contains(&a)),
                    "amount_minor",
                    "must be between 1 and 1000000000000",
                );
                v.check(
                    currency.is_some(),
                    "currency",
                    "must be a supported ISO 4217 code in upper case",
                );
                for (present, field) in [
                    (self.request_id.is_some(), "request_id"),
                    (self.quantity.is_some(), "quantity"),
                    (item_description.is_some(), "item_description"),
                ] {
                    v.check(!present, field, "is for item donations");
                }
            }
            Kind::Item => {
                v.check(
                    self.request_id.is_some(),
                    "request_id",
                    "is required for items",
                );
                v.check(
                    self.quantity.is_some_and(|q| (1..=10_000).contains(&q)),
                    "quantity",
                    "must be between 1 and 10000",
                );
                match &item_description {
                    Some(d) => {
                        v.length(d, "item_description", 1, 500);
                    }
                    None => {
                        v.check(false, "item_description", "is required for items");
                    }
                }
                for (present, field) in [
                    (self.campaign_id.is_some(), "campaign_id"),
                    (self.amount_minor.is_some(), "amount_minor"),
                    (self.currency.is_some(), "currency"),
                ] {
                    v.check(!present, field, "is for money donations");
                }
            }
        }
        v.finish()?;
        Ok(NewDonation {
            donor_id,
            kind: self.kind,
            campaign_id: self.campaign_id,
            request_id: self.request_id,
            amount_minor: self.amount_minor,
            currency: currency.map(|c| c.code()),
            quantity: self.quantity,
            item_description,
            message,
            anonymous: self.anonymous.unwrap_or(false),
        })
    }
}
