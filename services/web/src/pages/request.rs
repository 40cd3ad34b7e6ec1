//! `/requests/{id}`: one request, what is needed, pledged and fulfilled.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use chrono::Utc;

use super::campaign::{recent_gifts, share_url, GiftLine};
use super::cards::RequestCard;
use super::errors::PageError;
use super::pledge::PledgeFields;
use super::{parse_id, render};
use crate::api::requests::RequestStatus;
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
    share_url: String,
    /// `None` when donation-service did not answer.
    gifts: Option<Vec<GiftLine>>,
    /// The pledge form, for a signed-in person.
    pledge: Option<PledgeFields>,
    sign_in_next: String,
    /// Its owner's page, for its requester and staff.
    manage_url: Option<String>,
}

/// `GET /requests/{id}`.
pub async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    csrf: CsrfToken,
    headers: HeaderMap,
    Path(raw_id): Path<String>,
) -> Response {
    let id = match parse_id(&raw_id) {
        Ok(id) => id,
        Err(err) => return err.into_response(),
    };
    let (request, donations) = tokio::join!(
        state.api.request(id, &viewer),
        state.api.request_donations(id, &viewer),
    );
    let request = match request {
        Ok(request) => request,
        Err(failure) => return PageError::from(failure).into_response(),
    };
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
        share_url: share_url(
            state.public_url.as_ref(),
            &headers,
            &format!("/requests/{id}"),
        ),
        gifts,
        pledge: viewer.person().map(|_| PledgeFields::new(id, &csrf)),
        sign_in_next: format!("/requests/{id}"),
        manage_url: viewer
            .person()
            .filter(|p| p.id == request.requester_id || p.staff)
            .map(|_| format!("/requests/{id}/edit")),
        layout,
    };
    render(&page)
}
