//! The error pages, in the site's design: 404, 403 (with the suspended
//! account's own words), 503 and 500.

use askama::Template;
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};

use crate::api::Failure;
use crate::assets::NoSuchFile;
use crate::config::Backend;
use crate::csrf::CsrfRefusal;
use crate::layout::Layout;
use crate::session::Viewer;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PageError {
    NotFound,
    Forbidden,
    Suspended,
    /// The person's session ended while they browsed.
    SignedOut,
    /// The service the whole page is about did not answer.
    Unavailable(Backend),
    /// The page took too long as a whole.
    Busy,
    Internal,
}

impl From<Failure> for PageError {
    fn from(failure: Failure) -> Self {
        match failure {
            Failure::NotFound => PageError::NotFound,
            Failure::Forbidden { suspended: true } => PageError::Suspended,
            Failure::Forbidden { suspended: false } => PageError::Forbidden,
            Failure::SignedOut => PageError::SignedOut,
            Failure::Unavailable(backend) => PageError::Unavailable(backend),
        }
    }
}

impl From<CsrfRefusal> for PageError {
    fn from(refusal: CsrfRefusal) -> Self {
        match refusal {
            CsrfRefusal::Mismatch => PageError::Forbidden,
            CsrfRefusal::NotSet => PageError::Internal,
        }
    }
}

impl IntoResponse for CsrfRefusal {
    fn into_response(self) -> Response {
        PageError::from(self).into_response()
    }
}

impl IntoResponse for NoSuchFile {
    fn into_response(self) -> Response {
        PageError::NotFound.into_response()
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    layout: Layout,
    status: u16,
    heading: &'static str,
    message: String,
}

/// A 503 tells the browser (and a crawler) to come back soon.
const RETRY_AFTER_SECONDS: &str = "5";

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let (status, heading, message) = match &self {
            PageError::NotFound => (
                StatusCode::NOT_FOUND,
                "Page not found",
                "There is nothing here. It may have been removed, or the link may be mistyped."
                    .to_owned(),
            ),
            PageError::Forbidden => (
                StatusCode::FORBIDDEN,
                "Not allowed",
                "You do not have permission to see or do this.".to_owned(),
            ),
            PageError::Suspended => (
                StatusCode::FORBIDDEN,
                "Your account is suspended",
                "Your account is suspended, so you cannot give, post or send messages. \
                 You can still browse. If you think this is a mistake, contact the moderators."
                    .to_owned(),
            ),
            PageError::SignedOut => (
                StatusCode::UNAUTHORIZED,
                "Please sign in again",
                "Your session has ended. Sign in again to carry on.".to_owned(),
            ),
            PageError::Unavailable(backend) => (
                StatusCode::SERVICE_UNAVAILABLE,
                "Temporarily unavailable",
                format!(
                    "{} are unavailable right now; try again shortly.",
                    backend.what_it_serves()
                ),
            ),
            PageError::Busy => (
                StatusCode::SERVICE_UNAVAILABLE,
                "Temporarily unavailable",
                "This page took too long; try again shortly.".to_owned(),
            ),
            PageError::Internal => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "Something went wrong",
                "Something went wrong on our side. Try again in a moment.".to_owned(),
            ),
        };
        let page = ErrorPage {
            layout: Layout::new(&Viewer::Visitor),
            status: status.as_u16(),
            heading,
            message,
        };
        // The error page must not fail: if it cannot render, plain text.
        let body = page
            .render()
            .unwrap_or_else(|_| format!("{} {heading}", status.as_u16()));
        let mut response = (status, Html(body)).into_response();
        if status == StatusCode::SERVICE_UNAVAILABLE {
            response.headers_mut().insert(
                header::RETRY_AFTER,
                header::HeaderValue::from_static(RETRY_AFTER_SECONDS),
            );
        }
        response
    }
}

/// Any URL the site does not have.
pub async fn not_found() -> PageError {
    PageError::NotFound
}
