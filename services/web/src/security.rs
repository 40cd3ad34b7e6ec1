//! Headers every response carries, pages and files alike.
//!
//! The Content-Security-Policy allows scripts, styles and forms from this
//! origin alone, with nothing inline: even if some text escaped escaping, a
//! browser would not run it. Images may come from any https site, since a
//! campaign's `image_url` is an https URL anywhere. No site may frame ours.

use axum::extract::Request;
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;

pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
style-src 'self'; img-src 'self' https: data:; frame-ancestors 'none'; base-uri 'none'; \
form-action 'self'";

pub async fn headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    // A link out tells the other site where the visitor came from, never
    // which page (a page's URL may carry a search).
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("strict-origin-when-cross-origin"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    // Pages are made per viewer: no shared cache keeps them. Static files
    // set their own, long, cache.
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-cache, private"),
        );
    }
    response
}
