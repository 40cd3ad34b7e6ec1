//! Talking, rating, reporting and moderating: the routes of messages.rs,
//! my_profile.rs, rating.rs, report.rs and moderation.rs, and what they
//! share (who the people on a page are, the plain-words answer page).

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use uuid::Uuid;

use super::errors::PageError;
use super::{messages, moderation, my_profile, parse_id, rating, render, report};
use crate::api::Api;
use crate::layout::Layout;
use crate::live;
use crate::session::Viewer;
use crate::AppState;

/// The routes of the pages of this family.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/messages", get(messages::conversations))
        .route(
            "/messages/{person}",
            get(messages::thread).post(messages::send),
        )
        .route("/messages/{person}/latest", get(messages::latest))
        .route("/donations/{id}/message", get(messages::about_donation))
        .route("/donations/{id}/talk", get(gift_talk))
        .route("/profile", get(my_profile::show).post(my_profile::save))
        .route("/donations/{id}/rate", get(rating::show).post(rating::rate))
        .route("/report", get(report::show).post(report::file))
        .route("/moderation", get(moderation::queue))
        .route("/moderation/reports/{id}", get(moderation::report))
        .route(
            "/moderation/reports/{id}/outcome",
            get(moderation::outcome_part),
        )
        .route(
            "/moderation/reports/{id}/resolve",
            post(moderation::resolve),
        )
        .route(
            "/moderation/people/{id}/{decision}",
            post(moderation::decide_person),
        )
        .route(
            "/moderation/{listing}/{id}/{decision}",
            post(moderation::decide_listing),
        )
}

/// A visitor is sent to sign in, and back to `path` after.
pub fn sign_in_first(path: &str) -> Response {
    let query: String = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("next", path)
        .finish();
    Redirect::to(&format!("/sign-in?{query}")).into_response()
}

/// People's public display names (`Api::display_names`: asked at once,
/// kept a little); one without a profile, or profile-service down, is left
/// out (the page says "A member").
pub async fn names(api: &Api, ids: impl IntoIterator<Item = Uuid>) -> HashMap<Uuid, String> {
    let ids: Vec<Uuid> = ids.into_iter().collect();
    api.display_names(&ids).await
}

/// The name to show for a person whose profile could not be read.
pub const SOMEONE: &str = "A member";

/// A page that explains, in plain words, why something was not done (or
/// that it was), with the way back.
#[derive(Template)]
#[template(path = "answer.html")]
pub struct Answer {
    pub layout: Layout,
    pub heading: String,
    pub text: String,
    pub back_url: String,
    pub back_text: String,
}

impl Answer {
    pub fn page(self, status: StatusCode) -> Response {
        (status, render(&self)).into_response()
    }
}

/// Query parameters for a page of a list.
#[derive(Debug, Default, serde::Deserialize)]
pub struct Paging {
    pub cursor: Option<String>,
}

impl Paging {
    pub fn cursor(&self) -> Option<&str> {
        self.cursor.as_deref().filter(|c| !c.is_empty())
    }
}

/// The link to the next page of `path`, after `cursor`.
pub fn next_page(path: &str, cursor: Option<&str>) -> Option<String> {
    let query: String = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("cursor", cursor?)
        .finish();
    Some(format!("{path}?{query}"))
}

/// What a gift's page offers its donor or its recipient beyond the gift
/// itself: write to the other party, rate them, report it.
#[derive(Debug, Default)]
pub struct GiftTalk {
    /// "Message about this donation": when the other party is known.
    pub message_url: Option<String>,
    /// "Rate this exchange": only where profile-service would take it.
    pub rate_url: Option<String>,
    pub report_url: String,
    /// While the donation is pending: the `/live` event of its outcome, and
    /// where the links are asked for again then (they change with it).
    pub live: Option<(String, String)>,
}

impl GiftTalk {
    /// For `viewer`, a party to donation `id`; nothing but the report link
    /// when donation-service cannot say more.
    pub async fn for_gift(api: &Api, viewer: &Viewer, id: Uuid) -> Self {
        let report_url = format!("/report?type=donation&id={id}");
        let Ok(exchange) = api.exchange(id, viewer).await else {
            return Self {
                report_url,
                ..Self::default()
            };
        };
        let Some(side) = exchange.side_of(viewer) else {
            return Self {
                report_url,
                ..Self::default()
            };
        };
        Self {
            live: (exchange.status == "pending")
                .then(|| (live::donation_event(id), format!("/donations/{id}/talk"))),
            message_url: exchange
                .other_party(side)
                .map(|_| format!("/donations/{id}/message")),
            rate_url: rating::rate_link(api, viewer, &exchange).await,
            report_url,
        }
    }
}

/// "Report this …" for the thing `kind` `id`, owned by `owner`: offered to
/// anyone but its owner (a visitor is asked to sign in first).
pub fn report_url(kind: &str, id: Uuid, owner: Uuid, viewer: &Viewer) -> Option<String> {
    (viewer.person().map(|p| p.id) != Some(owner)).then(|| format!("/report?type={kind}&id={id}"))
}

#[derive(Template)]
#[template(path = "partials/gift_talk.html")]
struct GiftTalkFragment {
    talk: GiftTalk,
}

/// `GET /donations/{id}/talk`: a gift page's links, asked again when the
/// pending donation's outcome arrives.
pub async fn gift_talk(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(raw_id): Path<String>,
) -> Result<Response, PageError> {
    let id = parse_id(&raw_id)?;
    if viewer.person().is_none() {
        return Err(PageError::SignedOut);
    }
    let talk = GiftTalk::for_gift(&state.api, &viewer, id).await;
    Ok(render(&GiftTalkFragment { talk }))
}
