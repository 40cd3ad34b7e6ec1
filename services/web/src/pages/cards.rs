//! Campaign and request cards: what a list shows of each, formatted once
//! here so that every list reads the same.

use chrono::{DateTime, Utc};

use crate::api::campaigns::Campaign;
use crate::api::requests::Request;
use crate::format;

#[derive(Debug)]
pub struct CampaignCard {
    pub url: String,
    pub title: String,
    pub image_url: Option<String>,
    pub status: &'static str,
    pub percent: u8,
    pub raised: String,
    pub goal: String,
    pub donors: String,
    pub time_left: String,
}

impl CampaignCard {
    pub fn new(campaign: &Campaign, now: DateTime<Utc>) -> Self {
        Self {
            url: format!("/campaigns/{}", campaign.id),
            title: campaign.title.clone(),
            image_url: campaign.image_url.clone(),
            status: campaign.status.label(),
            percent: format::percent(campaign.raised_minor, campaign.goal_minor),
            raised: format::money(campaign.raised_minor, &campaign.currency),
            goal: format::money(campaign.goal_minor, &campaign.currency),
            donors: format::count(campaign.donor_count, "donor", "donors"),
            time_left: format::time_left(campaign.ends_at, now),
        }
    }
}

#[derive(Debug)]
pub struct RequestCard {
    pub url: String,
    pub title: String,
    pub image_url: Option<String>,
    pub status: &'static str,
    pub needed: i64,
    pub pledged: i64,
    pub fulfilled: i64,
    /// Fulfilled, then pledged, as shares of what is needed.
    pub fulfilled_percent: u8,
    pub covered_percent: u8,
    pub needed_by: Option<String>,
}

impl RequestCard {
    pub fn new(request: &Request, now: DateTime<Utc>) -> Self {
        let covered = request.quantity_fulfilled + request.quantity_pledged;
        Self {
            url: format!("/requests/{}", request.id),
            title: request.title.clone(),
            image_url: request.image_url.clone(),
            status: request.status.label(),
            needed: request.quantity_needed,
            pledged: request.quantity_pledged,
            fulfilled: request.quantity_fulfilled,
            fulfilled_percent: format::percent(request.quantity_fulfilled, request.quantity_needed),
            covered_percent: format::percent(covered, request.quantity_needed),
            needed_by: request
                .needed_by
                .map(|at| format!("Needed by {}", at.format("%-d %B %Y"))),
        }
        .with_relative_deadline(request.needed_by, now)
    }

    /// "Needed by 3 March 2026 (in 12 days)".
    fn with_relative_deadline(
        mut self,
        needed_by: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Self {
        if let (Some(text), Some(at)) = (&mut self.needed_by, needed_by) {
            text.push_str(&format!(" ({})", format::relative(at, now)));
        }
        self
    }
}
