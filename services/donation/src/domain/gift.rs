//! What a donation gives: money to a campaign or items to a request, each
//! with exactly the fields of its kind. The wire (docs/api.md) and the
//! events (docs/events.md) spell a donation flat, with the other kind's
//! fields null; [`Gift`] is read from and written to that form here only.

use hearth_core::money::Currency;
use uuid::Uuid;

use super::Kind;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Gift {
    Money(Money),
    Items(Items),
}

/// Money to a campaign, in minor units of its currency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Money {
    pub campaign_id: Uuid,
    pub amount_minor: i64,
    pub currency: Currency,
}

/// Goods to a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Items {
    pub request_id: Uuid,
    pub quantity: i32,
    pub description: String,
}

/// A gift's columns as stored (and as sent), one of each kind's set null.
#[derive(Debug, Clone, Default)]
pub struct Flat {
    pub campaign_id: Option<Uuid>,
    pub request_id: Option<Uuid>,
    pub amount_minor: Option<i64>,
    pub currency: Option<String>,
    pub quantity: Option<i32>,
    pub item_description: Option<String>,
}

impl Gift {
    pub fn kind(&self) -> Kind {
        match self {
            Gift::Money(_) => Kind::Money,
            Gift::Items(_) => Kind::Item,
        }
    }

    pub fn flat(&self) -> Flat {
        match self {
            Gift::Money(m) => Flat {
                campaign_id: Some(m.campaign_id),
                amount_minor: Some(m.amount_minor),
                currency: Some(m.currency.code().to_owned()),
                ..Flat::default()
            },
            Gift::Items(i) => Flat {
                request_id: Some(i.request_id),
                quantity: Some(i.quantity),
                item_description: Some(i.description.clone()),
                ..Flat::default()
            },
        }
    }

    /// Reads a stored gift back. The table's checks keep each kind's columns
    /// filled; a row that still breaks them is named rather than guessed at.
    pub fn from_flat(kind: Kind, flat: Flat) -> Result<Gift, String> {
        let Flat {
            campaign_id,
            request_id,
            amount_minor,
            currency,
            quantity,
            item_description,
        } = flat;
        match kind {
            Kind::Money => Ok(Gift::Money(Money {
                campaign_id: campaign_id.ok_or("a gift of money without its campaign")?,
                amount_minor: amount_minor.ok_or("a gift of money without its amount")?,
                currency: currency
                    .as_deref()
                    .and_then(Currency::parse)
                    .ok_or("a gift of money without a supported currency")?,
            })),
            Kind::Item => Ok(Gift::Items(Items {
                request_id: request_id.ok_or("a gift of items without its request")?,
                quantity: quantity.ok_or("a gift of items without its quantity")?,
                description: item_description.ok_or("a gift of items without its description")?,
            })),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_gift_reads_back_from_its_columns() {
        let gifts = [
            Gift::Money(Money {
                campaign_id: Uuid::now_v7(),
                amount_minor: 2_500,
                currency: Currency::parse("USD").expect("supported"),
            }),
            Gift::Items(Items {
                request_id: Uuid::now_v7(),
                quantity: 4,
                description: "Wool blankets".into(),
            }),
        ];
        for gift in gifts {
            assert_eq!(Gift::from_flat(gift.kind(), gift.flat()), Ok(gift));
        }
    }

    #[test]
    fn a_row_missing_its_kinds_fields_is_refused() {
        let money = Flat {
            amount_minor: Some(1),
            currency: Some("USD".into()),
            ..Flat::default()
        };
        let refused = Gift::from_flat(Kind::Money, money.clone());
        assert_eq!(refused, Err("a gift of money without its campaign".into()));
        let unsupported = Flat {
            campaign_id: Some(Uuid::now_v7()),
            currency: Some("XXX".into()),
            ..money
        };
        assert!(Gift::from_flat(Kind::Money, unsupported).is_err());
        let items = Flat {
            request_id: Some(Uuid::now_v7()),
            quantity: Some(2),
            ..Flat::default()
        };
        let refused = Gift::from_flat(Kind::Item, items);
        assert_eq!(
            refused,
            Err("a gift of items without its description".into())
        );
    }
}
