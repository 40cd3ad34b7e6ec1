//! Protection of every form that changes something against cross-site
//! request forgery: the double-submit token.
//!
//! Each browser gets a random token in an HttpOnly, `SameSite=Lax` cookie;
//! each form carries the same token in a hidden field, and a `POST` whose
//! field does not match its cookie is refused. Another site can make a
//! browser post to Hearth, but it can neither read the cookie nor set it,
//! so it cannot fill in the field. The session cookie's `SameSite=Lax`
//! already keeps it off cross-site posts; this holds even where it does not.

use axum::extract::{FromRequestParts, Request, State};
use axum::http::header;
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::Response;
use uuid::Uuid;

use crate::cookies::{self, CookieRules};

pub const COOKIE: &str = "hearth_csrf";
/// The form field that carries it.
pub const FIELD: &str = "csrf";
/// A year: the token guards nothing by itself, and a stable one keeps an
/// open tab's forms working.
const MAX_AGE_SECONDS: u64 = 365 * 24 * 3600;

/// This browser's token, for a form to carry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsrfToken(pub String);

/// Middleware: makes sure the browser has a token, giving it one (in the
/// response's cookie, and to the page being rendered) when it has none.
pub async fn ensure(
    State(rules): State<CookieRules>,
    mut request: Request,
    next: Next,
) -> Response {
    let existing = cookies::get(request.headers(), COOKIE)
        .filter(|t| well_formed(t))
        .map(str::to_owned);
    let fresh = existing.is_none();
    let token = existing.unwrap_or_else(|| Uuid::new_v4().simple().to_string());
    request.extensions_mut().insert(CsrfToken(token.clone()));
    let mut response = next.run(request).await;
    // Only a page can hold a form; a stylesheet or a health answer carrying
    // a cookie would only keep shared caches from keeping it.
    let is_page = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("text/html"));
    if fresh && is_page {
        response.headers_mut().append(
            header::SET_COOKIE,
            // Lax, not Strict: a visitor arriving by a link from another
            // site (a shared campaign) must send it, or every arrival
            // would give them a new token and break the forms of their
            // other tabs. Another site still cannot read or set it.
            rules.set(COOKIE, &token, "Lax", MAX_AGE_SECONDS),
        );
    }
    response
}

/// What [`ensure`] makes: 32 hex digits.
fn well_formed(token: &str) -> bool {
    token.len() == 32 && token.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Why a form or a handler was refused: the site shows its 403 page for a
/// mismatch and its 500 page for a route outside [`ensure`]
/// (pages/errors.rs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CsrfRefusal {
    /// The form did not carry this browser's token.
    Mismatch,
    /// No token was made for this request: a route outside [`ensure`].
    NotSet,
}

impl CsrfToken {
    /// A form's `csrf` field against this browser's token.
    pub fn check(&self, submitted: &str) -> Result<(), CsrfRefusal> {
        // Compared in full whatever the first difference: the time taken
        // tells nothing about how much of a guess was right.
        let (a, b) = (self.0.as_bytes(), submitted.as_bytes());
        let same =
            a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0;
        if same {
            Ok(())
        } else {
            tracing::warn!("a form came without this browser's CSRF token");
            Err(CsrfRefusal::Mismatch)
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for CsrfToken {
    type Rejection = CsrfRefusal;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<CsrfToken>()
            .cloned()
            .ok_or(CsrfRefusal::NotSet)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_same_token_passes() {
        let token = CsrfToken("0123456789abcdef0123456789abcdef".to_owned());
        assert!(token.check("0123456789abcdef0123456789abcdef").is_ok());
        assert!(token.check("0123456789abcdef0123456789abcdee").is_err());
        assert!(token.check("").is_err());
        assert!(!well_formed("x; Path=/"));
    }
}
