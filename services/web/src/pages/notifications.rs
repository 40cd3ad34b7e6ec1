//! `/notifications`: the list, mark one read, mark all read, and the unread
//! count the header shows (sent live by `/live`).

use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use chrono::Utc;
use serde::Deserialize;

use super::errors::PageError;
use super::{parse_id, render};
use crate::api::messaging::UNREAD_SHOWN;
use crate::api::Refused;
use crate::csrf::CsrfToken;
use crate::format;
use crate::layout::Layout;
use crate::session::Viewer;
use crate::AppState;

#[derive(Debug)]
struct NotificationRow {
    title: String,
    body: String,
    url: Option<String>,
    when: String,
    unread: bool,
    read_url: String,
}

#[derive(Template)]
#[template(path = "notifications.html")]
struct NotificationsPage {
    layout: Layout,
    csrf: String,
    rows: Option<Vec<NotificationRow>>,
    more: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct ListParams {
    cursor: Option<String>,
}

/// `GET /notifications`.
pub async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    csrf: CsrfToken,
    params: Result<Query<ListParams>, QueryRejection>,
) -> Response {
    if viewer.person().is_none() {
        return Redirect::to("/sign-in?next=/notifications").into_response();
    }
    let cursor = params
        .map(|Query(p)| p)
        .unwrap_or_default()
        .cursor
        .filter(|c| !c.is_empty());
    let mut layout = Layout::new(&viewer).with_csrf(&csrf);
    let page = layout.or_notice(state.api.notifications(cursor.as_deref(), &viewer).await);
    let now = Utc::now();
    let more = page
        .as_ref()
        .and_then(|p| p.next_cursor.as_deref())
        .map(|c| {
            let query: String = url::form_urlencoded::Serializer::new(String::new())
                .append_pair("cursor", c)
                .finish();
            format!("/notifications?{query}")
        });
    let rows = page.map(|p| {
        p.items
            .into_iter()
            .map(|n| NotificationRow {
                url: link(&n.link.kind, n.link.id),
                read_url: format!("/notifications/{}/read", n.id),
                title: n.title,
                body: n.body,
                when: format::relative(n.created_at, now),
                unread: n.read_at.is_none(),
            })
            .collect()
    });
    render(&NotificationsPage {
        layout,
        csrf: csrf.0.clone(),
        rows,
        more,
    })
}

/// The site's page for what a notification is about, when it has one.
fn link(kind: &str, id: uuid::Uuid) -> Option<String> {
    match kind {
        "campaign" => Some(format!("/campaigns/{id}")),
        "request" => Some(format!("/requests/{id}")),
        "donation" => Some(format!("/donations/{id}")),
        "profile" => Some(format!("/people/{id}")),
        _ => None,
    }
}

#[derive(Debug, Deserialize)]
pub struct ActionForm {
    csrf: String,
}

/// `POST /notifications/{id}/read`.
pub async fn mark_read(
    State(state): State<AppState>,
    viewer: Viewer,
    csrf: CsrfToken,
    Path(raw_id): Path<String>,
    Form(form): Form<ActionForm>,
) -> Result<Response, PageError> {
    csrf.check(&form.csrf)?;
    let id = parse_id(&raw_id)?;
    done(state.api.mark_read(id, &viewer).await)
}

/// `POST /notifications/read-all`.
pub async fn mark_all_read(
    State(state): State<AppState>,
    viewer: Viewer,
    csrf: CsrfToken,
    Form(form): Form<ActionForm>,
) -> Result<Response, PageError> {
    csrf.check(&form.csrf)?;
    done(state.api.mark_all_read(&viewer).await)
}

fn done(result: Result<(), Refused>) -> Result<Response, PageError> {
    match result {
        Ok(()) | Err(Refused::Conflict(_)) => Ok(Redirect::to("/notifications").into_response()),
        Err(Refused::Invalid(_) | Refused::Stale) => Err(PageError::Internal),
        Err(Refused::Failed(failure)) => Err(failure.into()),
    }
}

/// The header's count, as `/live` sends it: "3", "99+", or nothing when
/// there are none.
pub fn unread_text(count: usize) -> String {
    let limit = UNREAD_SHOWN as usize;
    match count {
        0 => String::new(),
        n if n > limit => format!("{limit}+"),
        n => n.to_string(),
    }
}
