//! What the talking, rating, reporting and moderating pages share: who the
//! people on a page are, paging, the plain-words answer page, and the link
//! to report a thing.

use std::collections::HashMap;

use askama::Template;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use uuid::Uuid;

use super::render;
use crate::api::Api;
use crate::layout::Layout;
use crate::session::Viewer;

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

/// "Report this …" for the thing `kind` `id`, owned by `owner`: offered to
/// anyone but its owner (a visitor is asked to sign in first).
pub fn report_url(kind: &str, id: Uuid, owner: Uuid, viewer: &Viewer) -> Option<String> {
    (viewer.person().map(|p| p.id) != Some(owner)).then(|| format!("/report?type={kind}&id={id}"))
}
