//! What a request carries into the events it causes: its id (the flow's
//! correlation id) and its W3C `traceparent`.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use hearth_events::EventContext;
use std::convert::Infallible;

pub const REQUEST_ID_HEADER: &str = "x-request-id";
pub const TRACEPARENT_HEADER: &str = "traceparent";

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
            request_id: header(REQUEST_ID_HEADER).unwrap_or_default(),
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
}
