//! Giving money to a campaign: the donate form's `POST`, and the donation's
//! own page, whose status follows the saga (*pending*, then *confirmed* or
//! the refusal in plain words).
//!
//! The form carries an `Idempotency-Key` made when it was rendered: a double
//! click, or going back and submitting again, sends the same key, and
//! donation-service answers the first donation again instead of a second.
//! The status updates in place with JavaScript on (htmx asks for the status
//! fragment every second while it is pending, and swaps it inside a live
//! region that stays, so a screen reader announces the change); without, a
//! reload shows it.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;
use uuid::Uuid;

use super::errors::PageError;
use super::form::Field;
use super::gift_form::{self, GiftForm};
use super::{parse_id, render};
use crate::api::donations::{MyDonation, NewMoneyDonation};
use crate::csrf::CsrfToken;
use crate::format;
use crate::layout::Layout;
use crate::session::Viewer;
use crate::AppState;

/// The API's limit for a donation's message.
const MAX_MESSAGE: usize = 280;

#[derive(Debug, Deserialize)]
pub struct DonateForm {
    csrf: String,
    /// The form's `Idempotency-Key`.
    key: String,
    currency: String,
    amount: String,
    /// The "Give anonymously" checkbox: present when ticked.
    anonymous: Option<String>,
    #[serde(default)]
    message: String,
}

/// The donate form again, with what was wrong, when it cannot be sent.
#[derive(Template)]
#[template(path = "give.html")]
struct GivePage {
    layout: Layout,
    campaign_url: String,
    title: String,
    form: DonateFields,
    errors: Vec<String>,
}

/// What the donate form shows, on the campaign page and on [`GivePage`].
#[derive(Debug)]
pub struct DonateFields {
    pub action: String,
    pub csrf: String,
    pub key: String,
    pub currency: String,
    pub amount: String,
    pub anonymous: bool,
    pub message: String,
}

impl DonateFields {
    /// An empty form, with a fresh key.
    pub fn new(campaign_id: Uuid, currency: &str, csrf: &CsrfToken) -> Self {
        Self {
            action: format!("/campaigns/{campaign_id}/donations"),
            csrf: csrf.0.clone(),
            key: Uuid::new_v4().to_string(),
            currency: currency.to_owned(),
            amount: String::new(),
            anonymous: false,
            message: String::new(),
        }
    }
}

/// `POST /campaigns/{id}/donations`.
pub async fn donate(
    State(state): State<AppState>,
    viewer: Viewer,
    csrf: CsrfToken,
    Path(raw_id): Path<String>,
    Form(form): Form<DonateForm>,
) -> Result<Response, PageError> {
    gift_form::submit(&state, &viewer, &csrf, &raw_id, &form).await
}

/// Money to a campaign: an amount in the campaign's currency.
impl GiftForm for DonateForm {
    type Gift = NewMoneyDonation;
    const TARGET: &'static str = "campaigns";
    const GIFT: &'static str = "donation";
    const NOT_ACCEPTED: &'static str =
        "The donation was not accepted; check the amount and message.";
    const FIELDS: &'static [Field] = &[
        Field {
            api: "amount_minor",
            name: "amount",
            label: "Amount",
        },
        Field {
            api: "currency",
            name: "currency",
            label: "Currency",
        },
        Field {
            api: "message",
            name: "message",
            label: "Message",
        },
    ];

    fn csrf(&self) -> &str {
        &self.csrf
    }

    fn key(&self) -> &str {
        &self.key
    }

    fn gift(&self, campaign_id: Uuid) -> Result<NewMoneyDonation, Vec<String>> {
        let message = self.message.trim();
        let amount = format::parse_amount(&self.amount, &self.currency);
        let problems: Vec<String> = [
            amount.err().map(|e| format!("Amount: {e}.")),
            (message.chars().count() > MAX_MESSAGE)
                .then(|| format!("Message: at most {MAX_MESSAGE} characters.")),
        ]
        .into_iter()
        .flatten()
        .collect();
        match amount {
            Ok(amount_minor) if problems.is_empty() => Ok(NewMoneyDonation {
                kind: "money",
                campaign_id,
                amount_minor,
                currency: self.currency.clone(),
                anonymous: self.anonymous.is_some(),
                message: (!message.is_empty()).then(|| message.to_owned()),
            }),
            _ => Err(problems),
        }
    }

    async fn again(
        &self,
        state: &AppState,
        viewer: &Viewer,
        csrf: &CsrfToken,
        campaign_id: Uuid,
        key: Uuid,
        errors: Vec<String>,
    ) -> Result<Response, PageError> {
        let campaign = state.api.campaign(campaign_id, viewer).await?;
        let page = GivePage {
            layout: Layout::new(viewer).with_csrf(csrf),
            campaign_url: format!("/campaigns/{campaign_id}"),
            title: campaign.title,
            form: DonateFields {
                amount: self.amount.clone(),
                anonymous: self.anonymous.is_some(),
                message: self.message.clone(),
                key: key.to_string(),
                ..DonateFields::new(campaign_id, &campaign.currency, csrf)
            },
            errors,
        };
        Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
    }
}

/// A donation's status as its donor reads it; `pub` for "My giving".
#[derive(Debug)]
pub struct StatusView {
    /// The donation's page: "Check again" without JavaScript.
    pub page_url: String,
    pub pending: bool,
    /// While pending: the `/live` event that brings the outcome.
    pub live_event: Option<String>,
    pub heading: &'static str,
    pub text: String,
}

impl StatusView {
    pub fn new(donation: &MyDonation) -> Self {
        let what = describe(donation);
        let (gift, to) = if donation.request_id.is_some() {
            ("pledge", "request")
        } else {
            ("donation", "campaign")
        };
        let (heading, text) = match donation.status.as_str() {
            "pending" => ("Pending", format!("Your {gift} of {what} is on its way; this page updates when the {to} accepts it.")),
            "confirmed" => ("Confirmed", format!("Thank you! Your {gift} of {what} reached the {to}.")),
            "completed" => ("Completed", "The recipient has received your gift. Thank you!".to_owned()),
            "rejected" => ("Refused", format!("Your {gift} of {what} was not accepted: {}.", refusal(donation.status_reason.as_deref()))),
            "expired" => ("Expired", format!("The {to} did not answer in time, so nothing was given. You may try again.")),
            "cancelled" => ("Cancelled", format!("This {gift} was cancelled.")),
            "refunded" => ("Refunded", format!("Your {gift} of {what} was refunded.")),
            _ => ("Status unknown", format!("Status: {}", donation.status)),
        };
        let pending = donation.status == "pending";
        Self {
            page_url: format!("/donations/{}", donation.id),
            pending,
            live_event: pending.then(|| live_event(donation.id)),
            heading,
            text,
        }
    }
}

/// A refusal's code in plain words.
fn refusal(code: Option<&str>) -> &'static str {
    match code {
        Some("not_active") => "the campaign is not taking donations right now (it may be paused)",
        Some("ended") => "the campaign has ended",
        Some("currency_mismatch") => "the campaign takes donations in another currency",
        Some("self_donation") => "you cannot give to your own campaign",
        Some("donor_suspended") => "your account is suspended",
        Some("not_found") => "the campaign no longer exists",
        Some("not_open") => "the request is no longer open",
        Some("quantity_exceeded") => "the request needs less than was pledged",
        _ => "it was refused",
    }
}

/// "12.50 USD", or "5 × wool blankets".
pub fn describe(donation: &MyDonation) -> String {
    match (
        donation.amount_minor,
        donation.currency.as_deref(),
        donation.quantity,
    ) {
        (Some(amount), Some(currency), _) => format::money(amount, currency),
        (_, _, Some(quantity)) => match &donation.item_description {
            Some(item) => format!("{quantity} × {item}"),
            None => quantity.to_string(),
        },
        _ => "your gift".to_owned(),
    }
}

#[derive(Template)]
#[template(path = "donation.html")]
struct DonationPage {
    layout: Layout,
    /// "donation" or "pledge".
    gift: &'static str,
    what: String,
    target_url: Option<String>,
    anonymous: bool,
    status: StatusView,
}

#[derive(Template)]
#[template(path = "partials/donation_status.html")]
struct StatusFragment {
    status: StatusView,
}

/// `GET /donations/{id}`: the donor's view of one donation.
pub async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    csrf: CsrfToken,
    Path(raw_id): Path<String>,
) -> Result<Response, PageError> {
    let id = parse_id(&raw_id)?;
    if viewer.person().is_none() {
        return Ok(Redirect::to(&format!("/sign-in?next=/donations/{id}")).into_response());
    }
    let donation = donors_own(&state, &viewer, id).await?;
    let mut layout = Layout::new(&viewer).with_csrf(&csrf);
    if donation.status == "pending" {
        layout = layout.watching(id);
    }
    let page = DonationPage {
        layout,
        what: describe(&donation),
        gift: if donation.request_id.is_some() {
            "pledge"
        } else {
            "donation"
        },
        target_url: donation
            .campaign_id
            .map(|c| format!("/campaigns/{c}"))
            .or_else(|| donation.request_id.map(|r| format!("/requests/{r}"))),
        anonymous: donation.anonymous,
        status: StatusView::new(&donation),
    };
    Ok(render(&page))
}

/// The donation, when the viewer gave it. Anyone may read a confirmed
/// donation through the API, but this page is its donor's: for anyone else
/// it does not exist.
async fn donors_own(state: &AppState, viewer: &Viewer, id: Uuid) -> Result<MyDonation, PageError> {
    let donation = state.api.donation(id, viewer).await?;
    match viewer.person() {
        Some(person) if donation.donor_id == Some(person.id) => Ok(donation),
        _ => Err(PageError::NotFound),
    }
}

/// The name of the `/live` event (live.rs) that brings a pending donation's
/// outcome.
pub fn live_event(id: Uuid) -> String {
    format!("donation-{id}")
}

/// The status fragment of a donation, as `/live` sends it when the
/// donation is no longer pending.
pub fn status_fragment(donation: &MyDonation) -> askama::Result<String> {
    StatusFragment {
        status: StatusView::new(donation),
    }
    .render()
}
