//! `/giving`: the person's own donations and pledges, each with its live
//! status, and cancel while one is still pending.

use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use chrono::Utc;
use serde::Deserialize;

use super::errors::PageError;
use super::give::{describe, StatusView};
use super::{parse_id, render};
use crate::api::Refused;
use crate::csrf::CsrfToken;
use crate::format;
use crate::layout::Layout;
use crate::session::Viewer;
use crate::AppState;

#[derive(Debug)]
struct GiftRow {
    url: String,
    what: String,
    target_url: Option<String>,
    when: String,
    cancel_url: Option<String>,
    status: StatusView,
}

#[derive(Template)]
#[template(path = "giving.html")]
struct GivingPage {
    layout: Layout,
    csrf: String,
    rows: Option<Vec<GiftRow>>,
    more: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct GivingParams {
    cursor: Option<String>,
}

/// `GET /giving`.
pub async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    csrf: CsrfToken,
    params: Result<Query<GivingParams>, QueryRejection>,
) -> Response {
    if viewer.person().is_none() {
        return Redirect::to("/sign-in?next=/giving").into_response();
    }
    let params = params.map(|Query(p)| p).unwrap_or_default();
    let cursor = params.cursor.filter(|c| !c.is_empty());
    let mut layout = Layout::new(&viewer).with_csrf(&csrf);
    let page = layout.or_notice(state.api.my_donations(cursor.as_deref(), &viewer).await);
    for pending in page
        .iter()
        .flat_map(|p| &p.items)
        .filter(|d| d.status == "pending")
    {
        layout = layout.watching(pending.id);
    }
    let now = Utc::now();
    let more = page
        .as_ref()
        .and_then(|p| p.next_cursor.as_deref())
        .map(|c| {
            let query: String = url::form_urlencoded::Serializer::new(String::new())
                .append_pair("cursor", c)
                .finish();
            format!("/giving?{query}")
        });
    let rows = page.map(|p| {
        p.items
            .iter()
            .map(|d| GiftRow {
                url: format!("/donations/{}", d.id),
                what: describe(d),
                target_url: d
                    .campaign_id
                    .map(|c| format!("/campaigns/{c}"))
                    .or_else(|| d.request_id.map(|r| format!("/requests/{r}"))),
                when: format::relative(d.created_at, now),
                cancel_url: (d.status == "pending").then(|| format!("/donations/{}/cancel", d.id)),
                status: StatusView::new(d),
            })
            .collect()
    });
    render(&GivingPage {
        layout,
        csrf: csrf.0.clone(),
        rows,
        more,
    })
}

#[derive(Debug, Deserialize)]
pub struct CancelForm {
    csrf: String,
}

/// `POST /donations/{id}/cancel`: back to the list, which shows the outcome
/// (a donation that was answered meanwhile stays as it was).
pub async fn cancel(
    State(state): State<AppState>,
    viewer: Viewer,
    csrf: CsrfToken,
    Path(raw_id): Path<String>,
    Form(form): Form<CancelForm>,
) -> Result<Response, PageError> {
    csrf.check(&form.csrf)?;
    let id = parse_id(&raw_id)?;
    if viewer.person().is_none() {
        return Ok(Redirect::to("/sign-in?next=/giving").into_response());
    }
    match state.api.cancel_donation(id, &viewer).await {
        Ok(()) | Err(Refused::Conflict(_)) => Ok(Redirect::to("/giving").into_response()),
        Err(Refused::Invalid(_) | Refused::Stale) => Err(PageError::Internal),
        Err(Refused::Failed(failure)) => Err(failure.into()),
    }
}
