//! What a request carries into the events it causes: its id (the flow's
//! correlation id) and its W3C `traceparent`.
//!
//! A client may choose its request's id, so that its own logs and ours line
//! up. The id is copied into the request's span, every log line, the
//! response and the `correlationid` of every event the request causes, and
//! from there into every downstream event: so it must be short and plain.
//! One that is not ([`is_fit_request_id`]) is dropped at the edge
//! ([`drop_unfit_request_id`]) and the stack gives the request a fresh one.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::Request;
use hearth_events::EventContext;
use std::convert::Infallible;

pub const REQUEST_ID_HEADER: &str = "x-request-id";
pub const TRACEPARENT_HEADER: &str = "traceparent";

/// The longest request id kept: a UUID is 36 characters, and ids of other
/// tracing systems are well under this.
pub const MAX_REQUEST_ID_LEN: usize = 128;

/// 1 to 128 visible ASCII characters (no spaces, no control characters, no
/// other scripts): safe in a header, a log line and an event's attribute.
pub fn is_fit_request_id(id: &str) -> bool {
    (1..=MAX_REQUEST_ID_LEN).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_graphic())
}

/// Removes an `x-request-id` the platform would not carry, so that the layer
/// after it generates a fresh one. Runs first, before the span is opened.
pub fn drop_unfit_request_id<B>(mut request: Request<B>) -> Request<B> {
    let unfit = request
        .headers()
        .get_all(REQUEST_ID_HEADER)
        .iter()
        .any(|value| !value.to_str().is_ok_and(is_fit_request_id));
    // Two ids are also unfit: which one the span, the response and the
    // events would carry would depend on which layer reads it.
    let several = request.headers().get_all(REQUEST_ID_HEADER).iter().count() > 1;
    if unfit || several {
        tracing::debug!("replacing an unfit x-request-id");
        request.headers_mut().remove(REQUEST_ID_HEADER);
    }
    request
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestContext {
    /// Set by the HTTP stack (generated, or echoed from the client).
    pub request_id: String,
    pub traceparent: Option<String>,
}

impl<S: Send + Sync> FromRequestParts<S> for RequestContext {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let header = |name: &str| {
            parts
                .headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        Ok(Self {
            // The stack has already replaced an unfit id; this keeps a router
            // built without it from carrying one into events.
            request_id: header(REQUEST_ID_HEADER)
                .filter(|id| is_fit_request_id(id))
                .unwrap_or_default(),
            traceparent: header(TRACEPARENT_HEADER).filter(|t| is_traceparent(t)),
        })
    }
}

impl RequestContext {
    /// The context of an event this request causes: the request starts the flow.
    pub fn event_context(&self) -> EventContext {
        EventContext {
            correlation_id: self.request_id.clone(),
            causation_id: None,
            traceparent: self.traceparent.clone(),
        }
    }
}

/// `00-<32 hex trace id>-<16 hex parent id>-<2 hex flags>`; anything else is dropped
/// rather than carried into events.
fn is_traceparent(value: &str) -> bool {
    let parts: Vec<&str> = value.split('-').collect();
    let hex = |s: &str, len: usize| s.len() == len && s.bytes().all(|b| b.is_ascii_hexdigit());
    parts.len() == 4
        && hex(parts[0], 2)
        && hex(parts[1], 32)
        && hex(parts[2], 16)
        && hex(parts[3], 2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traceparents() {
        assert!(is_traceparent(
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
        ));
        assert!(!is_traceparent("00-xyz-00f067aa0ba902b7-01"));
        assert!(!is_traceparent("garbage"));
    }

    #[test]
    fn request_ids() {
        assert!(is_fit_request_id("4bf92f35-77b3-4da6-a3ce-929d0e0e4736"));
        assert!(is_fit_request_id(&"a".repeat(MAX_REQUEST_ID_LEN)));
        for bad in [
            String::new(),
            "a".repeat(MAX_REQUEST_ID_LEN + 1),
            "with space".to_owned(),
            "tab\there".to_owned(),
            "zürich".to_owned(),
        ] {
            assert!(!is_fit_request_id(&bad), "{bad:?}");
        }
    }
}
