//! `/requests/{id}`: one request, what is needed, pledged and fulfilled.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use chrono::Utc;

use super::campaign::{recent_gifts, GiftLine};
use super::cards::RequestCard;
use super::errors::PageError;
use super::owned::Links;
use super::pledge::PledgeFields;
use super::{parse_id, render};
use crate::api::requests::{Request, RequestStatus};
use crate::csrf::CsrfToken;
use crate::layout::Layout;
use crate::session::Viewer;
use crate::AppState;

#[derive(Template)]
#[template(path = "request.html")]
struct RequestPage {
    layout: Layout,
    card: RequestCard,
    description: Option<String>,
    category: Option<String>,
    location: Option<String>,
    accepting: bool,
    requester_url: String,
    /// `None` when donation-service did not answer.
    gifts: Option<Vec<GiftLine>>,
    /// The pledge form, for a signed-in person.
    pledge: Option<PledgeFields>,
    /// Share, sign in, manage and report.
    links: Links,
}

/// `GET /requests/{id}`.
pub async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    csrf: CsrfToken,
    headers: HeaderMap,
    Path(raw_id): Path<String>,
) -> Result<Response, PageError> {
    let id = parse_id(&raw_id)?;
    let (request, donations) = tokio::join!(
        state.api.request(id, &viewer),
        state.api.request_donations(id, &viewer),
    );
    let request = request?;
    let now = Utc::now();
    let mut layout = Layout::new(&viewer).with_csrf(&csrf);
    let gifts = recent_gifts(&state.api, &mut layout, donations, now).await;
    let page = RequestPage {
        card: RequestCard::new(&request, now),
        description: request.description.clone(),
        category: request.category.clone(),
        location: request.location.clone(),
        accepting: request.status == RequestStatus::Open,
        requester_url: format!("/people/{}", request.requester_id),
        gifts,
        pledge: viewer.person().map(|_| PledgeFields::new(id, &csrf)),
        links: Links::of::<Request>(&state, &headers, &viewer, id, request.requester_id),
        layout,
    };
    Ok(render(&page))
}
