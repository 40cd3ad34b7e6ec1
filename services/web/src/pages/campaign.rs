//! `/campaigns/{id}`: one campaign, its progress and its recent gifts.
//!
//! The campaign and its donations come from two services, asked at once.
//! Without the campaign there is no page (404, or 503 when campaign-service
//! is down); without the donations the page says so and shows the rest.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::errors::PageError;
use super::give::DonateFields;
use super::owned::Links;
use super::{parse_id, render};
use crate::api::campaigns::Campaign;
use crate::api::donations::Donation;
use crate::api::{Api, Failure, Page};
use crate::csrf::CsrfToken;
use crate::format;
use crate::layout::Layout;
use crate::session::Viewer;
use crate::AppState;

/// One gift as a page lists it.
#[derive(Debug)]
pub struct GiftLine {
    /// "Someone" for an anonymous donor.
    pub donor: String,
    pub donor_url: Option<String>,
    /// "25.00 USD", or "3 × blankets" for an item.
    pub what: String,
    pub message: Option<String>,
    pub when: String,
}

/// Lists `donations`, naming each donor by their profile when they gave
/// openly; "Someone" when the API withheld who gave.
async fn gift_lines(api: &Api, donations: &[Donation], now: DateTime<Utc>) -> Vec<GiftLine> {
    let names = donor_names(api, donations).await;
    donations
        .iter()
        .map(|d| GiftLine {
            donor: match d.donor_id {
                None => "Someone".to_owned(),
                Some(id) => names
                    .get(&id)
                    .cloned()
                    .unwrap_or_else(|| "A supporter".to_owned()),
            },
            donor_url: d.donor_id.map(|id| format!("/people/{id}")),
            what: match (d.amount_minor, d.currency.as_deref(), d.quantity) {
                (Some(amount), Some(currency), _) => format::money(amount, currency),
                (_, _, Some(quantity)) => match &d.item_description {
                    Some(item) => format!("{quantity} × {item}"),
                    None => quantity.to_string(),
                },
                _ => String::new(),
            },
            message: d.message.clone(),
            when: format::relative(d.created_at, now),
        })
        .collect()
}

/// The page's "recent gifts" section, for a campaign or a request alike:
/// the gifts listed, or `None` and a notice in `layout` when donation-service
/// did not answer, so the rest of the page still renders.
pub async fn recent_gifts(
    api: &Api,
    layout: &mut Layout,
    donations: Result<Page<Donation>, Failure>,
    now: DateTime<Utc>,
) -> Option<Vec<GiftLine>> {
    let page = layout.or_notice(donations)?;
    Some(gift_lines(api, &page.items, now).await)
}

/// The display names of the named donors (api/names.rs keeps them a
/// while); one without a profile, or profile-service down, leaves that donor
/// unnamed.
async fn donor_names(api: &Api, donations: &[Donation]) -> HashMap<Uuid, String> {
    let ids: Vec<Uuid> = donations.iter().filter_map(|d| d.donor_id).collect();
    api.display_names(&ids).await
}

#[derive(Template)]
#[template(path = "campaign.html")]
struct CampaignPage {
    layout: Layout,
    title: String,
    description: Option<String>,
    category: Option<String>,
    image_url: Option<String>,
    status: &'static str,
    accepting: bool,
    percent: u8,
    raised: String,
    goal: String,
    donors: String,
    time_left: String,
    recipient_url: String,
    /// `None` when donation-service did not answer.
    gifts: Option<Vec<GiftLine>>,
    /// The donate form, for a signed-in person.
    donate: Option<DonateFields>,
    /// Share, sign in, manage and report.
    links: Links,
}

/// `GET /campaigns/{id}`.
pub async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    csrf: CsrfToken,
    headers: HeaderMap,
    Path(raw_id): Path<String>,
) -> Result<Response, PageError> {
    let id = parse_id(&raw_id)?;
    let (campaign, donations) = tokio::join!(
        state.api.campaign(id, &viewer),
        state.api.campaign_donations(id, &viewer),
    );
    let campaign = campaign?;
    let now = Utc::now();
    let mut layout = Layout::new(&viewer).with_csrf(&csrf);
    let gifts = recent_gifts(&state.api, &mut layout, donations, now).await;
    let page = CampaignPage {
        title: campaign.title.clone(),
        description: campaign.description.clone(),
        category: campaign.category.clone(),
        image_url: campaign.image_url.clone(),
        status: campaign.status.label(),
        accepting: campaign.status == crate::api::campaigns::CampaignStatus::Active,
        percent: format::percent(campaign.raised_minor, campaign.goal_minor),
        raised: format::money(campaign.raised_minor, &campaign.currency),
        goal: format::money(campaign.goal_minor, &campaign.currency),
        donors: format::count(campaign.donor_count, "donor", "donors"),
        time_left: format::time_left(campaign.ends_at, now),
        recipient_url: format!("/people/{}", campaign.recipient_id),
        gifts,
        donate: viewer
            .person()
            .map(|_| DonateFields::new(id, &campaign.currency, &csrf)),
        links: Links::of::<Campaign>(&state, &headers, &viewer, id, campaign.recipient_id),
        layout,
    };
    Ok(render(&page))
}
