use hearth_core::money::Currency;
use hearth_core::validation::Validator;
use hearth_core::ApiError;
use serde::Deserialize;
use uuid::Uuid;

use super::gift::{Gift, Items, Money};
use super::Kind;

pub const AMOUNT_MINOR_MAX: i64 = 1_000_000_000_000;
pub const QUANTITY: (i32, i32) = (1, 10_000);
pub const ITEM_DESCRIPTION_CHARS: (usize, usize) = (1, 500);
pub const MESSAGE_MAX_CHARS: usize = 280;

/// The body of `POST /donations`: money `{kind, campaign_id, amount_minor,
/// currency, message?, anonymous?}` or item `{kind, request_id, quantity,
/// item_description, message?, anonymous?}`. Read as one struct (so that one
/// 422 names every field in the wrong place); documented as the two kinds,
/// [`schema::DonationBody`].
#[derive(Debug, Clone, Deserialize)]
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

/// The body of `POST /donations` in the OpenAPI document: `oneOf` the two
/// kinds, told apart by `kind`, from the constants [`CreateDonation::parse`]
/// checks with. A field of the other kind may be sent only as `null`.
pub mod schema {
    use std::borrow::Cow;

    use hearth_core::money::Currency;
    use hearth_core::openapi::text;
    use serde_json::json;
    use utoipa::openapi::schema::{
        AdditionalProperties, Discriminator, ObjectBuilder, OneOfBuilder, Schema, SchemaType, Type,
    };
    use utoipa::openapi::{KnownFormat, Ref, RefOr, SchemaFormat};
    use utoipa::{PartialSchema, ToSchema};

    use super::{AMOUNT_MINOR_MAX, ITEM_DESCRIPTION_CHARS, MESSAGE_MAX_CHARS, QUANTITY};

    /// `POST /donations`'s body: a [`money`] or an [`item`] donation.
    #[derive(Debug)]
    pub struct DonationBody;

    impl PartialSchema for DonationBody {
        fn schema() -> RefOr<Schema> {
            let mut discriminator = Discriminator::new("kind");
            discriminator.mapping = [
                ("money", "#/components/schemas/MoneyDonation"),
                ("item", "#/components/schemas/ItemDonation"),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
            OneOfBuilder::new()
                .item(Ref::from_schema_name("MoneyDonation"))
                .item(Ref::from_schema_name("ItemDonation"))
                .discriminator(Some(discriminator))
                .into()
        }
    }

    impl ToSchema for DonationBody {
        fn name() -> Cow<'static, str> {
            Cow::Borrowed("CreateDonation")
        }

        fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
            schemas.push(("MoneyDonation".to_owned(), money().into()));
            schemas.push(("ItemDonation".to_owned(), item().into()));
            schemas.push((Currency::name().into_owned(), Currency::schema()));
        }
    }

    fn kind(name: &str) -> ObjectBuilder {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .enum_values(Some([name]))
    }

    fn uuid() -> ObjectBuilder {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Uuid)))
    }

    /// A field of the other kind: absent, or `null`.
    fn only_null() -> ObjectBuilder {
        ObjectBuilder::new()
            .schema_type(Type::Null)
            .description(Some("Belongs to the other kind: leave it out (or null)."))
    }

    fn common(object: ObjectBuilder) -> ObjectBuilder {
        object
            .property("message", text::nullable_text(0, MESSAGE_MAX_CHARS))
            .property(
                "anonymous",
                ObjectBuilder::new()
                    .schema_type(SchemaType::Array(vec![Type::Boolean, Type::Null]))
                    .description(Some(
                        "Hide the donor from everyone but them and staff; default false.",
                    )),
            )
            .additional_properties(Some(AdditionalProperties::FreeForm(false)))
    }

    /// Money to a campaign.
    pub fn money() -> utoipa::openapi::Object {
        common(
            ObjectBuilder::new()
                .property("kind", kind("money"))
                .required("kind")
                .property("campaign_id", uuid())
                .required("campaign_id")
                .property("amount_minor", text::integer(1, AMOUNT_MINOR_MAX))
                .required("amount_minor")
                .property("currency", Ref::from_schema_name("Currency"))
                .required("currency")
                .property("request_id", only_null())
                .property("quantity", only_null())
                .property("item_description", only_null()),
        )
        .description(Some("Money to a campaign, in minor units of `currency`."))
        .examples([json!({
            "kind": "money",
            "campaign_id": "0193a5e0-7b2c-7c3d-8e4f-5a6b7c8d9e0f",
            "amount_minor": 2500,
            "currency": "USD",
            "message": "Stay warm!",
            "anonymous": false
        })])
        .build()
    }

    /// Items to a request.
    pub fn item() -> utoipa::openapi::Object {
        common(
            ObjectBuilder::new()
                .property("kind", kind("item"))
                .required("kind")
                .property("request_id", uuid())
                .required("request_id")
                .property(
                    "quantity",
                    ObjectBuilder::new()
                        .schema_type(Type::Integer)
                        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int32)))
                        .minimum(Some(QUANTITY.0))
                        .maximum(Some(QUANTITY.1)),
                )
                .required("quantity")
                .property(
                    "item_description",
                    text::text(ITEM_DESCRIPTION_CHARS.0, ITEM_DESCRIPTION_CHARS.1),
                )
                .required("item_description")
                .property("campaign_id", only_null())
                .property("amount_minor", only_null())
                .property("currency", only_null()),
        )
        .description(Some("Items to a request."))
        .examples([json!({
            "kind": "item",
            "request_id": "0193a5e1-1a2b-7c3d-8e4f-5a6b7c8d9e10",
            "quantity": 4,
            "item_description": "Wool blankets, queen size",
            "anonymous": true
        })])
        .build()
    }
}

/// A donation that passed every check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDonation {
    pub donor_id: Uuid,
    pub gift: Gift,
    pub message: Option<String>,
    pub anonymous: bool,
}

impl CreateDonation {
    /// Checks every field at once; `donor_id` is the signed-in person giving.
    pub fn parse(self, donor_id: Uuid) -> Result<NewDonation, ApiError> {
        let message = self
            .message
            .as_ref()
            .map(|m| m.trim().to_owned())
            .filter(|m| !m.is_empty());
        let mut v = Validator::new();
        if let Some(message) = &message {
            v.length(message, "message", 0, MESSAGE_MAX_CHARS);
        }
        let gift = match self.kind {
            Kind::Money => self.money(&mut v).map(Gift::Money),
            Kind::Item => self.items(&mut v).map(Gift::Items),
        };
        let gift = v.finish_with(gift)?;
        Ok(NewDonation {
            donor_id,
            gift,
            message,
            anonymous: self.anonymous.unwrap_or(false),
        })
    }

    /// The money given, if its fields are right; records what is wrong
    /// otherwise, including any field of an item donation.
    fn money(&self, v: &mut Validator) -> Option<Money> {
        let campaign_id = v.parsed(
            self.campaign_id.ok_or("is required for money"),
            "campaign_id",
        );
        let amount_minor = v.parsed(
            self.amount_minor
                .filter(|a| (1..=AMOUNT_MINOR_MAX).contains(a))
                .ok_or("must be between 1 and 1000000000000"),
            "amount_minor",
        );
        let currency = v.parsed(
            self.currency
                .as_deref()
                .and_then(Currency::parse)
                .ok_or("must be a supported ISO 4217 code in upper case"),
            "currency",
        );
        for (present, field) in [
            (self.request_id.is_some(), "request_id"),
            (self.quantity.is_some(), "quantity"),
            (self.item_description.is_some(), "item_description"),
        ] {
            v.check(!present, field, "is for item donations");
        }
        Some(Money {
            campaign_id: campaign_id?,
            amount_minor: amount_minor?,
            currency: currency?,
        })
    }

    /// The items given, if their fields are right; records what is wrong
    /// otherwise, including any field of a gift of money.
    fn items(&self, v: &mut Validator) -> Option<Items> {
        let request_id = v.parsed(self.request_id.ok_or("is required for items"), "request_id");
        let quantity = v.parsed(
            self.quantity
                .filter(|q| (QUANTITY.0..=QUANTITY.1).contains(q))
                .ok_or("must be between 1 and 10000"),
            "quantity",
        );
        let description = match &self.item_description {
            Some(d) => v.text(
                d.trim().to_owned(),
                "item_description",
                ITEM_DESCRIPTION_CHARS.0,
                ITEM_DESCRIPTION_CHARS.1,
            ),
            None => v.parsed(Err("is required for items"), "item_description"),
        };
        for (present, field) in [
            (self.campaign_id.is_some(), "campaign_id"),
            (self.amount_minor.is_some(), "amount_minor"),
            (self.currency.is_some(), "currency"),
        ] {
            v.check(!present, field, "is for money donations");
        }
        Some(Items {
            request_id: request_id?,
            quantity: quantity?,
            description: description?,
        })
    }
}
