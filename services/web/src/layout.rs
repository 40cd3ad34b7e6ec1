//! What every page's frame (templates/base.html) shows: the stylesheet and
//! scripts, who is signed in, the live stream it opens, and the notices of
//! services that did not answer.

use uuid::Uuid;

use crate::api::Failure;
use crate::assets::ASSETS;
use crate::csrf::CsrfToken;
use crate::session::Viewer;

#[derive(Debug)]
pub struct Layout {
    pub css_url: &'static str,
    pub js_url: &'static str,
    pub sse_url: &'static str,
    /// The page's `/live` stream (the header's unread count, and the pending
    /// donations the page shows); none for a visitor.
    pub live_url: Option<String>,
    /// The signed-in person's name for the header; none for a visitor.
    pub signed_in_as: Option<String>,
    /// The token the header's sign-out form carries; none on error pages.
    pub csrf: Option<String>,
    /// "Donations are unavailable right now; try again shortly."
    pub notices: Vec<String>,
}

impl Layout {
    pub fn new(viewer: &Viewer) -> Self {
        Self {
            css_url: &ASSETS.css_url,
            js_url: &ASSETS.js_url,
            sse_url: &ASSETS.sse_url,
            live_url: viewer.person().map(|_| "/live".to_owned()),
            signed_in_as: viewer.person().map(|p| p.display_name.clone()),
            csrf: None,
            notices: Vec::new(),
        }
    }

    /// With the browser's CSRF token, for the forms of the frame.
    pub fn with_csrf(mut self, csrf: &CsrfToken) -> Self {
        self.csrf = Some(csrf.0.clone());
        self
    }

    /// The page shows this donation while it is pending: its status arrives
    /// live (the `donation-{id}` event of `/live`).
    pub fn watching(mut self, donation: Uuid) -> Self {
        if let Some(url) = &mut self.live_url {
            url.push(if url.contains('?') { '&' } else { '?' });
            url.push_str("donation=");
            url.push_str(&donation.to_string());
        }
        self
    }

    /// Keeps what answered; a failed part becomes a notice and `None`.
    pub fn or_notice<T>(&mut self, result: Result<T, Failure>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(failure) => {
                self.notice(&failure);
                None
            }
        }
    }

    pub fn notice(&mut self, failure: &Failure) {
        let text = match failure {
            Failure::Unavailable(backend) => format!(
                "{} are unavailable right now; try again shortly.",
                backend.what_it_serves()
            ),
            Failure::NotFound => "Part of this page could not be found.".to_owned(),
            Failure::Forbidden { .. } => "Part of this page is not shown to you.".to_owned(),
            Failure::SignedOut => "Your session has ended; sign in again.".to_owned(),
        };
        if !self.notices.contains(&text) {
            self.notices.push(text);
        }
    }
}
