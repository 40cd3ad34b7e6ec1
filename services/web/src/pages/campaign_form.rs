//! The campaign form, as typed: what starting a campaign sends, what an
//! edit changes, and how either comes back with its problems. Every field
//! is kept as the text the person typed, so a form with a problem comes
//! back exactly as it was sent.

use serde::{Deserialize, Serialize};

use super::errors::PageError;
use super::form::{optional, Field, Problems, CATEGORY, DESCRIPTION, IMAGE_URL, TITLE};
use crate::api::campaigns::{Campaign, CampaignChanges, CampaignStatus, NewCampaign};
use crate::api::Refused;
use crate::format;

pub const GOAL: Field = Field {
    api: "goal_minor",
    name: "goal",
    label: "Goal",
};
pub const CURRENCY: Field = Field {
    api: "currency",
    name: "currency",
    label: "Currency",
};
pub const ENDS_ON: Field = Field {
    api: "ends_at",
    name: "ends_on",
    label: "End date",
};
const FIELDS: &[Field] = &[
    TITLE,
    DESCRIPTION,
    CATEGORY,
    GOAL,
    CURRENCY,
    ENDS_ON,
    IMAGE_URL,
];

/// Said when campaign-service refused the form without saying which field.
const NOT_ACCEPTED: &str = "The campaign was not accepted; check its fields.";

/// The campaign form's fields as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
pub struct CampaignFields {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub category: String,
    /// In major units of `currency`: "250" or "250.00".
    #[serde(default)]
    pub goal: String,
    #[serde(default)]
    pub currency: String,
    /// `YYYY-MM-DD`; donations close at the end of that day (UTC).
    #[serde(default)]
    pub ends_on: String,
    #[serde(default)]
    pub image_url: String,
}

impl CampaignFields {
    /// An empty form for a new campaign.
    pub fn blank() -> Self {
        Self {
            currency: "USD".to_owned(),
            ..Self::default()
        }
    }

    /// The form as `campaign` fills it, to be edited.
    pub fn of(campaign: &Campaign) -> Self {
        Self {
            title: campaign.title.clone(),
            description: campaign.description.clone().unwrap_or_default(),
            category: campaign.category.clone().unwrap_or_default(),
            goal: format::amount_typed(campaign.goal_minor, &campaign.currency),
            currency: campaign.currency.clone(),
            ends_on: campaign.ends_at.map(format::day_of).unwrap_or_default(),
            image_url: campaign.image_url.clone().unwrap_or_default(),
        }
    }

    /// The campaign to start, `status` draft or active; the site checks
    /// what it reads (the goal, the date), campaign-service the rest.
    pub fn new_campaign(&self, status: CampaignStatus) -> Result<NewCampaign, Problems> {
        let mut problems = Problems::default();
        let goal = format::parse_amount(&self.goal, &self.currency)
            .map_err(|e| problems.field(&GOAL, e))
            .ok();
        let ends_at = format::parse_day(&self.ends_on)
            .map_err(|e| problems.field(&ENDS_ON, e))
            .ok();
        match (goal, ends_at) {
            (Some(goal_minor), Some(ends_at)) => Ok(NewCampaign {
                title: self.title.trim().to_owned(),
                description: optional(&self.description),
                category: optional(&self.category),
                goal_minor,
                currency: self.currency.clone(),
                ends_at,
                image_url: optional(&self.image_url),
                status,
            }),
            _ => Err(problems),
        }
    }

    /// What this form changes from `was` (the version it was opened on),
    /// and only that: on top of someone else's newer edit, a field this
    /// person did not touch keeps the other's change. The goal is read in
    /// `currency`, the campaign's.
    pub fn changes_from(&self, was: &Self, currency: &str) -> Result<CampaignChanges, Problems> {
        let mut problems = Problems::default();
        let changed = |now: &str, then: &str| now.trim() != then.trim();
        let mut changes = CampaignChanges::default();
        if changed(&self.title, &was.title) {
            changes.title = Some(self.title.trim().to_owned());
        }
        if changed(&self.description, &was.description) {
            changes.description = Some(optional(&self.description));
        }
        if changed(&self.category, &was.category) {
            changes.category = Some(optional(&self.category));
        }
        if changed(&self.goal, &was.goal) {
            match format::parse_amount(&self.goal, currency) {
                Ok(goal) => changes.goal_minor = Some(goal),
                Err(e) => problems.field(&GOAL, e),
            }
        }
        if changed(&self.ends_on, &was.ends_on) {
            match format::parse_day(&self.ends_on) {
                Ok(ends_at) => changes.ends_at = Some(ends_at),
                Err(e) => problems.field(&ENDS_ON, e),
            }
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

impl super::conflict::Edited for CampaignFields {
    fn labelled(&self) -> Vec<(&'static str, String)> {
        [
            (&TITLE, &self.title),
            (&DESCRIPTION, &self.description),
            (&CATEGORY, &self.category),
            (&GOAL, &self.goal),
            (&ENDS_ON, &self.ends_on),
            (&IMAGE_URL, &self.image_url),
        ]
        .into_iter()
        .map(|(field, value)| (field.label, value.clone()))
        .collect()
    }
}

/// campaign-service's refusal of the form, beside its fields.
pub fn refusal(refused: Refused) -> Result<Problems, PageError> {
    Problems::of_refusal(refused, FIELDS, NOT_ACCEPTED)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typed() -> CampaignFields {
        CampaignFields {
            title: "Blankets".into(),
            description: "Warm ones".into(),
            category: "shelter".into(),
            goal: "250.00".into(),
            currency: "USD".into(),
            ends_on: String::new(),
            image_url: String::new(),
        }
    }

    #[test]
    fn a_new_campaign_reads_the_goal_in_its_currency_and_the_day_as_its_end() {
        let form = CampaignFields {
            ends_on: "2030-01-31".into(),
            ..typed()
        };
        let new = form.new_campaign(CampaignStatus::Draft).expect("accepted");
        assert_eq!(new.goal_minor, 25_000);
        assert_eq!(
            new.ends_at.expect("an end").to_rfc3339(),
            "2030-02-01T00:00:00+00:00"
        );
        assert_eq!(new.status, CampaignStatus::Draft);
    }

    #[test]
    fn a_goal_and_a_date_the_site_cannot_read_are_shown_beside_them() {
        let form = CampaignFields {
            goal: "12.345".into(),
            ends_on: "soon".into(),
            ..typed()
        };
        let problems = form
            .new_campaign(CampaignStatus::Active)
            .expect_err("refused");
        assert_eq!(
            problems.get("goal"),
            Some("Goal: too many decimals for this currency.")
        );
        assert!(problems.get("ends_on").is_some());
    }

    #[test]
    fn an_edit_sends_only_what_this_person_changed() {
        let was = typed();
        let mut now = was.clone();
        now.description = "  ".into();
        now.goal = "300".into();
        let changes = now.changes_from(&was, "USD").expect("accepted");
        assert_eq!(
            changes,
            CampaignChanges {
                description: Some(None),
                goal_minor: Some(30_000),
                ..CampaignChanges::default()
            }
        );
        assert_eq!(
            was.changes_from(&was, "USD").expect("accepted"),
            CampaignChanges::default()
        );
    }
}
