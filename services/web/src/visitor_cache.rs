//! A second's memory of the public pages as a visitor sees them (home,
//! explore, a campaign, a request, a profile).
//!
//! A campaign whose link is shared widely is read by many visitors at once,
//! and each would cost the five services the same calls for the same page.
//! A visitor's page depends only on its address, so one rendering serves
//! every visitor for `WEB_VISITOR_CACHE` (1 s by default): a gift confirmed
//! meanwhile shows at most that much later to visitors. A signed-in person's pages are never kept
//! (they are theirs: their name, their forms), nor is any page that carries
//! the visitor's own CSRF token, nor anything but a complete 200 page.

use std::time::{Duration, Instant};

use axum::body::{to_bytes, Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::cookies;
use crate::csrf::CsrfToken;
use crate::kept::Kept;
use crate::session::{REFRESH_COOKIE, SESSION_COOKIE};

/// Pages kept at most.
const KEPT_AT_MOST: usize = 1_000;
/// A page is a few kilobytes; anything larger is not kept.
const PAGE_AT_MOST: usize = 256 * 1024;

/// Pages by host and address, each kept `fresh_for`. Cheap to clone: shared.
#[derive(Debug, Clone)]
pub struct VisitorCache(Kept<String, Bytes>);

impl VisitorCache {
    pub fn new(fresh_for: Duration) -> Self {
        Self(Kept::new(fresh_for, KEPT_AT_MOST))
    }
}

/// Middleware on the public pages' routes.
pub async fn for_visitors(
    State(cache): State<VisitorCache>,
    request: Request,
    next: Next,
) -> Response {
    let Some(key) = key(&request) else {
        return next.run(request).await;
    };
    if let Some(page) = cache.0.fresh(&key, Instant::now()) {
        return html(page);
    }
    let csrf = request.extensions().get::<CsrfToken>().map(|t| t.0.clone());
    let response = next.run(request).await;
    if response.status() != StatusCode::OK || response.headers().contains_key(header::SET_COOKIE) {
        return response;
    }
    let (parts, body) = response.into_parts();
    let Ok(page) = to_bytes(body, PAGE_AT_MOST).await else {
        tracing::error!("a page was larger than the visitor cache takes");
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let holds_token = csrf.is_some_and(|token| contains(&page, token.as_bytes()));
    if !holds_token {
        cache.0.keep(key, Instant::now(), page.clone());
    }
    Response::from_parts(parts, Body::from(page))
}

/// The cache key of a visitor's `GET`: its host and address; `None` for
/// anyone signed in (or with a session to refresh) and any other method.
fn key(request: &Request) -> Option<String> {
    let headers = request.headers();
    let signed_in = cookies::get(headers, SESSION_COOKIE).is_some()
        || cookies::get(headers, REFRESH_COOKIE).is_some();
    if request.method() != Method::GET || signed_in {
        return None;
    }
    // The share link names the host the page was asked on.
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or_default();
    Some(format!("{host} {}", request.uri()))
}

fn html(page: Bytes) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        )],
        page,
    )
        .into_response()
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}
