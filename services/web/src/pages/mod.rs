//! The site's pages, one module per kind of page; each handler is a short
//! `async fn` that asks the APIs (concurrently when it needs several), turns
//! the answers into a view, and renders a template of templates/.

pub mod campaign;
pub mod campaign_form;
pub mod campaign_owner;
pub mod cards;
pub mod conflict;
pub mod donation_status;
pub mod errors;
pub mod explore;
pub mod form;
pub mod gift_form;
pub mod gift_talk;
pub mod give;
pub mod giving;
pub mod health;
pub mod messages;
pub mod moderation;
pub mod my_profile;
pub mod notifications;
pub mod owned;
pub mod owner;
pub mod pledge;
pub mod profile;
pub mod rating;
pub mod received;
pub mod report;
pub mod request;
pub mod request_form;
pub mod request_owner;
pub mod shared;
pub mod sign_in;
pub mod talk;

use askama::Template;
use axum::response::{Html, IntoResponse, Redirect, Response};
use uuid::Uuid;

use errors::PageError;

/// A rendered page, or the 500 page if the template could not render (a
/// bug: the templates are checked when compiled, only a formatter can fail).
pub fn render(page: &impl Template) -> Response {
    match page.render() {
        Ok(html) => Html(html).into_response(),
        Err(err) => {
            tracing::error!(error = %err, "a page did not render");
            PageError::Internal.into_response()
        }
    }
}

/// An id in a page's URL; anything else is a page that does not exist.
pub fn parse_id(raw: &str) -> Result<Uuid, PageError> {
    Uuid::parse_str(raw).map_err(|_| PageError::NotFound)
}

/// A page for signed-in people, asked by a visitor: sign in, then `path`.
pub fn sign_in_to(path: &str) -> Response {
    Redirect::to(&format!("/sign-in?next={path}")).into_response()
}
