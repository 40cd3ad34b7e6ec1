//! `GET /live`: the one Server-Sent Events stream a signed-in person's page
//! opens (templates/base.html, through htmx's sse extension). It carries what
//! changes while the page is open:
//!
//! - `unread`: the header's unread count, at once and whenever it changes;
//! - `donation-{id}`: the status fragment of a donation the page shows as
//!   pending, once it is no longer pending (then it is no longer watched).
//!
//! The site owns no broker connection, so it learns of a change by asking
//! the APIs, only while a page is open: pending donations every
//! [`DONATIONS_EVERY`], the count every [`UNREAD_EVERY`]. The browser asks
//! nothing; it is told. One stream carries everything a page watches,
//! because a browser opens at most six connections to a site over HTTP/1.1.
//!
//! A stream ends when the page goes away (its body is dropped), when the
//! person's token is refused (the browser reconnects, and the reconnection
//! refreshes the session like any request), and when the site stops.

use std::convert::Infallible;
use std::time::Duration;

use axum::extract::{RawQuery, State};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures::{future, stream, StreamExt};
use tokio::sync::watch;
use tokio::time::{interval, Interval, MissedTickBehavior};
use uuid::Uuid;

use crate::api::Failure;
use crate::pages::errors::PageError;
use crate::pages::{give, notifications};
use crate::session::Viewer;
use crate::AppState;

/// How often a pending donation is looked at: well inside the second a
/// person waits for "confirmed", and one primary-key read per look.
pub const DONATIONS_EVERY: Duration = Duration::from_millis(250);
/// How often the unread count is looked at, in ticks of [`DONATIONS_EVERY`].
const UNREAD_EVERY_TICKS: u32 = 4;
/// How often the unread count is looked at.
pub const UNREAD_EVERY: Duration = Duration::from_millis(250 * UNREAD_EVERY_TICKS as u64);
/// A page shows at most a page of gifts (20); anything beyond this is not a
/// page of the site's.
const WATCHED_AT_MOST: usize = 50;
/// A comment now and then keeps proxies from closing a quiet stream.
const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// Ends the streams when the site stops: a stream never ends by itself, and
/// a graceful shutdown waits for every answer in flight.
#[derive(Debug, Clone)]
pub struct Stopping(watch::Receiver<bool>);

impl Stopping {
    /// Stops when `stop` turns true (or its sender is gone).
    pub fn new(stop: watch::Receiver<bool>) -> Self {
        Self(stop)
    }

    async fn wait(mut self) {
        let _ = self.0.wait_for(|stop| *stop).await;
    }
}

/// `GET /live?donation={id}&donation={id}`.
pub async fn stream(
    State(state): State<AppState>,
    viewer: Viewer,
    RawQuery(query): RawQuery,
) -> Response {
    if viewer.person().is_none() {
        return PageError::SignedOut.into_response();
    }
    let stopping = state.stopping.clone().wait();
    let watch = Watch::new(state, viewer, watched(query.as_deref()));
    let events = stream::unfold(watch, Watch::next)
        .flat_map(stream::iter)
        .map(Ok::<_, Infallible>)
        .take_until(stopping);
    Sse::new(events)
        .keep_alive(KeepAlive::new().interval(KEEP_ALIVE))
        .into_response()
}

/// The donations a page asks to watch: well-formed ids, each once, a page's
/// worth at most. Anything else in the query is ignored.
fn watched(query: Option<&str>) -> Vec<Uuid> {
    let mut ids: Vec<Uuid> = Vec::new();
    let pairs = url::form_urlencoded::parse(query.unwrap_or_default().as_bytes());
    for (key, value) in pairs {
        if let (true, Ok(id)) = (key == "donation", Uuid::parse_str(&value)) {
            if !ids.contains(&id) && ids.len() < WATCHED_AT_MOST {
                ids.push(id);
            }
        }
    }
    ids
}

/// One page's stream: what it watches and what it last sent.
struct Watch {
    state: AppState,
    viewer: Viewer,
    pending: Vec<Uuid>,
    /// The count last sent; none before the first.
    unread: Option<String>,
    ticks: u32,
    clock: Interval,
}

/// What one look found.
enum Look {
    Events(Vec<Event>),
    /// The person's token was refused: the stream ends.
    SignedOut,
}

impl Watch {
    fn new(state: AppState, viewer: Viewer, pending: Vec<Uuid>) -> Self {
        let mut clock = interval(DONATIONS_EVERY);
        // A slow look delays the next; it never causes a burst of them.
        clock.set_missed_tick_behavior(MissedTickBehavior::Delay);
        Self {
            state,
            viewer,
            pending,
            unread: None,
            ticks: 0,
            clock,
        }
    }

    /// Waits until a look finds something to send (the first look, at once,
    /// always sends the count).
    async fn next(mut self) -> Option<(Vec<Event>, Self)> {
        loop {
            self.clock.tick().await;
            match self.look().await {
                Look::SignedOut => return None,
                Look::Events(events) if events.is_empty() => continue,
                Look::Events(events) => return Some((events, self)),
            }
        }
    }

    async fn look(&mut self) -> Look {
        let count_due = self.ticks % UNREAD_EVERY_TICKS == 0;
        self.ticks = self.ticks.wrapping_add(1);
        let api = &self.state.api;
        let viewer = &self.viewer;
        let (count, donations) = tokio::join!(
            async {
                match count_due {
                    true => Some(api.unread_count(viewer).await),
                    false => None,
                }
            },
            future::join_all(self.pending.iter().map(|id| api.donation(*id, viewer))),
        );
        if matches!(count, Some(Err(Failure::SignedOut)))
            || donations
                .iter()
                .any(|d| matches!(d, Err(Failure::SignedOut)))
        {
            return Look::SignedOut;
        }
        let mut events = Vec::new();
        if let Some(Ok(count)) = count {
            let text = notifications::unread_text(count);
            if self.unread.as_ref() != Some(&text) {
                events.push(Event::default().event("unread").data(&text));
                self.unread = Some(text);
            }
        }
        let me = viewer.person().map(|p| p.id);
        let mut still_pending = Vec::new();
        for (id, answer) in self.pending.iter().zip(donations) {
            match answer {
                // Not theirs: nothing to tell, nothing to watch.
                Ok(donation) if donation.donor_id != me => {}
                Ok(donation) if donation.status == "pending" => still_pending.push(*id),
                Ok(donation) => match give::status_fragment(&donation) {
                    Ok(html) => {
                        events.push(Event::default().event(give::live_event(*id)).data(html))
                    }
                    Err(err) => tracing::error!(error = %err, "a status fragment did not render"),
                },
                // Gone or not theirs to see.
                Err(Failure::NotFound | Failure::Forbidden { .. }) => {}
                // Asked again at the next look.
                Err(Failure::Unavailable(_) | Failure::SignedOut) => still_pending.push(*id),
            }
        }
        self.pending = still_pending;
        Look::Events(events)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_watches_each_well_formed_donation_once() {
        let a = Uuid::new_v4();
        let b = Uuid::new_v4();
        let query = format!("donation={a}&donation=nonsense&donation={a}&other=1&donation={b}");
        assert_eq!(watched(Some(&query)), vec![a, b]);
        assert!(watched(None).is_empty());
    }

    #[test]
    fn a_page_watches_a_page_of_gifts_at_most() {
        let query: Vec<String> = (0..WATCHED_AT_MOST + 10)
            .map(|_| format!("donation={}", Uuid::new_v4()))
            .collect();
        assert_eq!(watched(Some(&query.join("&"))).len(), WATCHED_AT_MOST);
    }
}
