//! `/received`: the person's campaigns and requests (each with its owner's
//! page), and the gifts to them, each with
//! its donor ("Someone" when anonymous), amount or items, message and
//! status, and what the recipient may do with it: mark a pledge received
//! (it completes, and the request's bar moves), cancel a pledge, or refund
//! a donation, with a reason and then a confirmation step (a page of its
//! own, so it works without JavaScript).

use std::collections::HashMap;

use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use chrono::Utc;
use futures::future::join_all;
use serde::Deserialize;
use uuid::Uuid;

use super::errors::PageError;
use super::form::{Field, Problems};
use super::give::describe;
use super::{parse_id, render, sign_in_to};
use crate::api::campaigns::Campaign;
use crate::api::donations::MyDonation;
use crate::api::requests::Request;
use crate::api::{Api, Page, Refused};
use crate::csrf::CsrfToken;
use crate::format;
use crate::layout::Layout;
use crate::session::Viewer;
use crate::AppState;

/// The API's limit for a refund's reason.
const MAX_REASON: usize = 500;

const REASON: Field = Field {
    api: "reason",
    name: "reason",
    label: "Reason",
};

/// One gift as its recipient reads it.
#[derive(Debug)]
struct ReceivedRow {
    /// "Someone" for an anonymous donor.
    donor: String,
    donor_url: Option<String>,
    what: String,
    /// "to <a>Blankets for the shelter</a>".
    target_title: String,
    target_url: String,
    message: Option<String>,
    when: String,
    status: &'static str,
    /// A confirmed pledge: "Mark received" and "Cancel this pledge".
    pledge_actions: Option<PledgeActions>,
    /// A confirmed donation: its refund page.
    refund_url: Option<String>,
}

#[derive(Debug)]
struct PledgeActions {
    receive_url: String,
    cancel_url: String,
}

/// One of the person's campaigns or requests, with its owner's page.
#[derive(Debug)]
struct Owned {
    title: String,
    url: String,
    status: &'static str,
    manage_url: String,
}

/// How many of their campaigns, and of their requests, the page lists.
const OWNED: u32 = 50;

#[derive(Template)]
#[template(path = "received.html")]
struct ReceivedPage {
    layout: Layout,
    csrf: String,
    /// The person's campaigns and requests, newest first; `None` when
    /// neither service answered.
    owned: Option<Vec<Owned>>,
    rows: Option<Vec<ReceivedRow>>,
    more: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct ReceivedParams {
    cursor: Option<String>,
}

/// A donation's status in its recipient's words.
fn status_label(donation: &MyDonation) -> &'static str {
    let item = donation.quantity.is_some();
    match donation.status.as_str() {
        "pending" => "Pending",
        "confirmed" if item => "Pledged, not received yet",
        "confirmed" => "Confirmed",
        "completed" => "Received",
        "refunded" => "Refunded",
        "cancelled" => "Cancelled",
        "rejected" => "Refused",
        "expired" => "Expired",
        _ => "Status unknown",
    }
}

/// The titles of the campaigns and requests `donations` went to, asked at
/// once; one that cannot be read is shown by its kind alone.
async fn target_titles(
    api: &Api,
    viewer: &Viewer,
    donations: &[MyDonation],
) -> HashMap<Uuid, String> {
    let mut campaigns: Vec<Uuid> = donations.iter().filter_map(|d| d.campaign_id).collect();
    let mut requests: Vec<Uuid> = donations.iter().filter_map(|d| d.request_id).collect();
    campaigns.sort_unstable();
    campaigns.dedup();
    requests.sort_unstable();
    requests.dedup();
    let (campaigns, requests) =
        tokio::join!(
            join_all(campaigns.into_iter().map(|id| async move {
                api.campaign(id, viewer).await.ok().map(|c| (id, c.title))
            })),
            join_all(requests.into_iter().map(|id| async move {
                api.request(id, viewer).await.ok().map(|r| (id, r.title))
            })),
        );
    campaigns.into_iter().chain(requests).flatten().collect()
}

/// `GET /received`.
pub async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    csrf: CsrfToken,
    params: Result<Query<ReceivedParams>, QueryRejection>,
) -> Response {
    let params = params.map(|Query(p)| p).unwrap_or_default();
    let cursor = params.cursor.filter(|c| !c.is_empty());
    let Some(person) = viewer.person() else {
        return sign_in_to("/received");
    };
    let mut layout = Layout::new(&viewer).with_csrf(&csrf);
    let (received, campaigns, requests) = tokio::join!(
        state.api.received_donations(cursor.as_deref(), &viewer),
        state.api.campaigns_of(person.id, OWNED, &viewer),
        state.api.requests_of(person.id, OWNED, &viewer),
    );
    let page = layout.or_notice(received);
    let owned = owned(layout.or_notice(campaigns), layout.or_notice(requests));
    let more = page
        .as_ref()
        .and_then(|p| p.next_cursor.as_deref())
        .map(|c| {
            let query: String = url::form_urlencoded::Serializer::new(String::new())
                .append_pair("cursor", c)
                .finish();
            format!("/received?{query}")
        });
    let rows = match page {
        None => None,
        Some(page) => Some(rows(&state.api, &viewer, &page.items).await),
    };
    render(&ReceivedPage {
        layout,
        csrf: csrf.0.clone(),
        owned,
        rows,
        more,
    })
}

/// The person's campaigns, then their requests, each newest first.
fn owned(campaigns: Option<Page<Campaign>>, requests: Option<Page<Request>>) -> Option<Vec<Owned>> {
    if campaigns.is_none() && requests.is_none() {
        return None;
    }
    let campaigns = campaigns.into_iter().flat_map(|p| p.items).map(|c| Owned {
        url: format!("/campaigns/{}", c.id),
        manage_url: format!("/campaigns/{}/edit", c.id),
        status: c.status.label(),
        title: c.title,
    });
    let requests = requests.into_iter().flat_map(|p| p.items).map(|r| Owned {
        url: format!("/requests/{}", r.id),
        manage_url: format!("/requests/{}/edit", r.id),
        status: r.status.label(),
        title: r.title,
    });
    Some(campaigns.chain(requests).collect())
}

async fn rows(api: &Api, viewer: &Viewer, donations: &[MyDonation]) -> Vec<ReceivedRow> {
    let named = donations
        .iter()
        .filter(|d| !d.anonymous)
        .filter_map(|d| d.donor_id)
        .collect::<Vec<_>>();
    let (names, titles) = tokio::join!(
        api.display_names(&named),
        target_titles(api, viewer, donations),
    );
    let now = Utc::now();
    donations
        .iter()
        .map(|d| {
            // An anonymous donor stays unnamed to the recipient, whatever
            // the API sends.
            let donor_id = d.donor_id.filter(|_| !d.anonymous);
            let (target_id, target_url, kind) = match (d.campaign_id, d.request_id) {
                (Some(c), _) => (c, format!("/campaigns/{c}"), "a campaign"),
                (None, Some(r)) => (r, format!("/requests/{r}"), "a request"),
                (None, None) => (d.id, String::new(), "a cause"),
            };
            let confirmed = d.status == "confirmed";
            ReceivedRow {
                donor: match donor_id {
                    None => "Someone".to_owned(),
                    Some(id) => names
                        .get(&id)
                        .cloned()
                        .unwrap_or_else(|| "A supporter".to_owned()),
                },
                donor_url: donor_id.map(|id| format!("/people/{id}")),
                what: describe(d),
                target_title: titles
                    .get(&target_id)
                    .cloned()
                    .unwrap_or_else(|| kind.to_owned()),
                target_url,
                message: d.message.clone(),
                when: format::relative(d.created_at, now),
                status: status_label(d),
                pledge_actions: (confirmed && d.quantity.is_some()).then(|| PledgeActions {
                    receive_url: format!("/received/{}/receive", d.id),
                    cancel_url: format!("/received/{}/cancel", d.id),
                }),
                refund_url: (confirmed && d.amount_minor.is_some())
                    .then(|| format!("/received/{}/refund", d.id)),
            }
        })
        .collect()
}

#[derive(Debug, Deserialize)]
pub struct ActionForm {
    csrf: String,
}

/// `POST /received/{id}/receive`: the pledge arrived; back to the list,
/// which shows the outcome (one answered meanwhile stays as it was).
pub async fn receive(
    State(state): State<AppState>,
    viewer: Viewer,
    csrf: CsrfToken,
    Path(raw_id): Path<String>,
    Form(form): Form<ActionForm>,
) -> Result<Response, PageError> {
    csrf.check(&form.csrf)?;
    let id = parse_id(&raw_id)?;
    if viewer.person().is_none() {
        return Ok(sign_in_to("/received"));
    }
    back_to_list(state.api.receive_donation(id, &viewer).await)
}

/// `POST /received/{id}/cancel`: the recipient declines a confirmed pledge.
pub async fn cancel(
    State(state): State<AppState>,
    viewer: Viewer,
    csrf: CsrfToken,
    Path(raw_id): Path<String>,
    Form(form): Form<ActionForm>,
) -> Result<Response, PageError> {
    csrf.check(&form.csrf)?;
    let id = parse_id(&raw_id)?;
    if viewer.person().is_none() {
        return Ok(sign_in_to("/received"));
    }
    back_to_list(state.api.cancel_donation(id, &viewer).await)
}

fn back_to_list(outcome: Result<(), Refused>) -> Result<Response, PageError> {
    match outcome {
        Ok(()) | Err(Refused::Conflict(_)) => Ok(Redirect::to("/received").into_response()),
        Err(Refused::Invalid(_) | Refused::Stale) => Err(PageError::Internal),
        Err(Refused::Failed(failure)) => Err(failure.into()),
    }
}

/// The refund's two steps: the reason, then the confirmation.
#[derive(Template)]
#[template(path = "refund.html")]
struct RefundPage {
    layout: Layout,
    csrf: String,
    action: String,
    donor: String,
    what: String,
    target_url: String,
    reason: String,
    /// The second step: the reason is given; confirm or go back.
    confirming: bool,
    /// Why it cannot be refunded (no longer confirmed).
    closed: Option<&'static str>,
    problems: Problems,
}

#[derive(Debug, Deserialize)]
pub struct RefundForm {
    csrf: String,
    #[serde(default)]
    reason: String,
    /// Present on the confirmation step's button alone.
    confirm: Option<String>,
}

/// The donation, when the viewer may refund it: its recipient, or staff.
/// Anyone else meets the 403 page, as donation-service answers them.
async fn refundable(state: &AppState, viewer: &Viewer, id: Uuid) -> Result<MyDonation, PageError> {
    let person = viewer.person().ok_or(PageError::SignedOut)?;
    let donation = state.api.donation(id, viewer).await?;
    if donation.amount_minor.is_none() {
        return Err(PageError::NotFound);
    }
    if donation.recipient_id == Some(person.id) || person.staff {
        Ok(donation)
    } else {
        Err(PageError::Forbidden)
    }
}

fn refund_page(
    donation: &MyDonation,
    donor: String,
    viewer: &Viewer,
    csrf: &CsrfToken,
    reason: String,
    confirming: bool,
    problems: Problems,
) -> RefundPage {
    RefundPage {
        layout: Layout::new(viewer).with_csrf(csrf),
        csrf: csrf.0.clone(),
        action: format!("/received/{}/refund", donation.id),
        donor,
        what: describe(donation),
        target_url: donation
            .campaign_id
            .map(|c| format!("/campaigns/{c}"))
            .unwrap_or_default(),
        reason,
        confirming,
        closed: (donation.status != "confirmed").then_some(
            "This donation can no longer be refunded: only a confirmed donation can, once.",
        ),
        problems,
    }
}

async fn donor_name(state: &AppState, viewer: &Viewer, donation: &MyDonation) -> String {
    match donation.donor_id.filter(|_| !donation.anonymous) {
        None => "Someone".to_owned(),
        Some(id) => state
            .api
            .profile(id, viewer)
            .await
            .map(|p| p.display_name)
            .unwrap_or_else(|_| "A supporter".to_owned()),
    }
}

/// `GET /received/{id}/refund`: the first step, the reason.
pub async fn refund_form(
    State(state): State<AppState>,
    viewer: Viewer,
    csrf: CsrfToken,
    Path(raw_id): Path<String>,
) -> Result<Response, PageError> {
    let id = parse_id(&raw_id)?;
    if viewer.person().is_none() {
        return Ok(sign_in_to(&format!("/received/{id}/refund")));
    }
    let donation = refundable(&state, &viewer, id).await?;
    let donor = donor_name(&state, &viewer, &donation).await;
    let page = refund_page(
        &donation,
        donor,
        &viewer,
        &csrf,
        String::new(),
        false,
        Problems::default(),
    );
    Ok(render(&page))
}

/// `POST /received/{id}/refund`: with a reason, the confirmation step;
/// confirmed, the refund, and back to the list. A missing reason comes
/// back beside its field (422); a donation no longer confirmed says so
/// (409).
pub async fn refund(
    State(state): State<AppState>,
    viewer: Viewer,
    csrf: CsrfToken,
    Path(raw_id): Path<String>,
    Form(form): Form<RefundForm>,
) -> Result<Response, PageError> {
    csrf.check(&form.csrf)?;
    let id = parse_id(&raw_id)?;
    if viewer.person().is_none() {
        return Ok(sign_in_to(&format!("/received/{id}/refund")));
    }
    let donation = refundable(&state, &viewer, id).await?;
    let reason = form.reason.trim();
    let mut problems = Problems::default();
    let length = reason.chars().count();
    if length == 0 {
        problems.field(&REASON, "say why you refund it; the donor reads this");
    } else if length > MAX_REASON {
        problems.field(&REASON, &format!("at most {MAX_REASON} characters"));
    }
    let confirming = problems.is_empty() && form.confirm.is_none();
    if problems.is_empty() && !confirming {
        match state.api.refund_donation(id, reason, &viewer).await {
            Ok(()) => return Ok(Redirect::to("/received").into_response()),
            Err(Refused::Invalid(errors)) => {
                problems.add_api(&errors, &[REASON], "The refund was not accepted.")
            }
            Err(Refused::Conflict(_) | Refused::Stale) => {
                // Answered meanwhile: the page reads it again and says why.
                let now = refundable(&state, &viewer, id).await?;
                let donor = donor_name(&state, &viewer, &now).await;
                let page = refund_page(
                    &now,
                    donor,
                    &viewer,
                    &csrf,
                    form.reason.clone(),
                    false,
                    problems,
                );
                return Ok((StatusCode::CONFLICT, render(&page)).into_response());
            }
            Err(Refused::Failed(failure)) => return Err(failure.into()),
        }
    }
    let donor = donor_name(&state, &viewer, &donation).await;
    let status = if problems.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = refund_page(
        &donation,
        donor,
        &viewer,
        &csrf,
        form.reason.clone(),
        confirming,
        problems,
    );
    Ok((status, render(&page)).into_response())
}
