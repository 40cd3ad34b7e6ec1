//! The request form, as typed: what posting a request sends, what an edit
//! changes, and how either comes back with its problems. Every field is
//! kept as the text the person typed.

use serde::{Deserialize, Serialize};

use super::errors::PageError;
use super::form::{optional, Field, Problems, CATEGORY, DESCRIPTION, IMAGE_URL, TITLE};
use crate::api::requests::{NewRequest, Request, RequestChanges};
use crate::api::Refused;
use crate::format;

pub const QUANTITY: Field = Field {
    api: "quantity_needed",
    name: "quantity_needed",
    label: "Quantity needed",
};
pub const NEEDED_ON: Field = Field {
    api: "needed_by",
    name: "needed_on",
    label: "Needed by",
};
pub const LOCATION: Field = Field {
    api: "location",
    name: "location",
    label: "Location",
};
const FIELDS: &[Field] = &[
    TITLE,
    DESCRIPTION,
    CATEGORY,
    QUANTITY,
    NEEDED_ON,
    LOCATION,
    IMAGE_URL,
];

/// Said when request-service refused the form without saying which field.
const NOT_ACCEPTED: &str = "The request was not accepted; check its fields.";

/// The request form's fields as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
pub struct RequestFields {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub quantity_needed: String,
    /// `YYYY-MM-DD`; the request expires at the end of that day (UTC).
    #[serde(default)]
    pub needed_on: String,
    #[serde(default)]
    pub location: String,
    #[serde(default)]
    pub image_url: String,
}

/// A quantity as typed: a whole number, else its problem beside the field.
fn quantity(typed: &str, problems: &mut Problems) -> Option<i64> {
    typed
        .trim()
        .parse::<i64>()
        .map_err(|_| problems.field(&QUANTITY, "must be a whole number such as 10"))
        .ok()
}

impl RequestFields {
    /// The form as `request` fills it, to be edited.
    pub fn of(request: &Request) -> Self {
        Self {
            title: request.title.clone(),
            description: request.description.clone().unwrap_or_default(),
            category: request.category.clone().unwrap_or_default(),
            quantity_needed: request.quantity_needed.to_string(),
            needed_on: request.needed_by.map(format::day_of).unwrap_or_default(),
            location: request.location.clone().unwrap_or_default(),
            image_url: request.image_url.clone().unwrap_or_default(),
        }
    }

    /// The request to post; the site reads the number and the date,
    /// request-service checks the rest.
    pub fn new_request(&self) -> Result<NewRequest, Problems> {
        let mut problems = Problems::default();
        let quantity_needed = quantity(&self.quantity_needed, &mut problems);
        let needed_by = format::parse_day(&self.needed_on)
            .map_err(|e| problems.field(&NEEDED_ON, e))
            .ok();
        match (quantity_needed, needed_by) {
            (Some(quantity_needed), Some(needed_by)) => Ok(NewRequest {
                title: self.title.trim().to_owned(),
                description: optional(&self.description),
                category: self.category.trim().to_owned(),
                quantity_needed,
                needed_by,
                location: optional(&self.location),
                image_url: optional(&self.image_url),
            }),
            _ => Err(problems),
        }
    }

    /// What this form changes from `was`, the version it was opened on, and
    /// only that (see [`super::conflict`]).
    pub fn changes_from(&self, was: &Self) -> Result<RequestChanges, Problems> {
        let mut problems = Problems::default();
        let changed = |now: &str, then: &str| now.trim() != then.trim();
        let mut changes = RequestChanges::default();
        if changed(&self.title, &was.title) {
            changes.title = Some(self.title.trim().to_owned());
        }
        if changed(&self.description, &was.description) {
            changes.description = Some(optional(&self.description));
        }
        if changed(&self.category, &was.category) {
            changes.category = Some(self.category.trim().to_owned());
        }
        if changed(&self.quantity_needed, &was.quantity_needed) {
            changes.quantity_needed = quantity(&self.quantity_needed, &mut problems);
        }
        if changed(&self.needed_on, &was.needed_on) {
            match format::parse_day(&self.needed_on) {
                Ok(needed_by) => changes.needed_by = Some(needed_by),
                Err(e) => problems.field(&NEEDED_ON, e),
            }
        }
        if changed(&self.location, &was.location) {
            changes.location = Some(optional(&self.location));
        }
        if changed(&self.image_url, &was.image_url) {
            changes.image_url = Some(optional(&self.image_url));
        }
        if problems.is_empty() {
            Ok(changes)
        } else {
            Err(problems)
        }
    }
}

impl super::conflict::Edited for RequestFields {
    fn labelled(&self) -> Vec<(&'static str, String)> {
        [
            (&TITLE, &self.title),
            (&DESCRIPTION, &self.description),
            (&CATEGORY, &self.category),
            (&QUANTITY, &self.quantity_needed),
            (&NEEDED_ON, &self.needed_on),
            (&LOCATION, &self.location),
            (&IMAGE_URL, &self.image_url),
        ]
        .into_iter()
        .map(|(field, value)| (field.label, value.clone()))
        .collect()
    }
}

/// request-service's refusal of the form, beside its fields.
pub fn refusal(refused: Refused) -> Result<Problems, PageError> {
    Problems::of_refusal(refused, FIELDS, NOT_ACCEPTED)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typed() -> RequestFields {
        RequestFields {
            title: "Blankets".into(),
            category: "bedding".into(),
            quantity_needed: "10".into(),
            ..RequestFields::default()
        }
    }

    #[test]
    fn a_quantity_that_is_not_a_number_is_shown_beside_it() {
        let form = RequestFields {
            quantity_needed: "ten".into(),
            ..typed()
        };
        let problems = form.new_request().expect_err("refused");
        assert_eq!(
            problems.get("quantity_needed"),
            Some("Quantity needed: must be a whole number such as 10.")
        );
        assert_eq!(typed().new_request().expect("accepted").quantity_needed, 10);
    }

    #[test]
    fn an_edit_sends_only_what_changed() {
        let was = typed();
        let now = RequestFields {
            quantity_needed: "4".into(),
            location: "Leeds".into(),
            ..was.clone()
        };
        assert_eq!(
            now.changes_from(&was).expect("accepted"),
            RequestChanges {
                quantity_needed: Some(4),
                location: Some(Some("Leeds".into())),
                ..RequestChanges::default()
            }
        );
    }
}
