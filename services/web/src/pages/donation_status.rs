//! A donation's status block as its donor reads it: *Pending*, then
//! *Confirmed* or the refusal in plain words. The donation's page, "My
//! giving" and the `/live` stream (which brings the block once the saga has
//! answered) all show this one block.

use askama::Template;
use uuid::Uuid;

use crate::api::donations::MyDonation;
use crate::format;

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
#[template(path = "partials/donation_status.html")]
struct StatusFragment {
    status: StatusView,
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
