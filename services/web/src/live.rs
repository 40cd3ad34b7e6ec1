//! `GET /live`: the one Server-Sent Events stream a signed-in person's page
//! opens (templates/base.html, through htmx's sse extension). It carries what
//! changes while the page is open:
//!
//! - `unread`: the header's unread count, at once and whenever it changes;
//! - `donation-{id}`: the status fragment of a donation the page shows as
//!   pending, once it is no longer pending (then it is no longer watched);
//! - `unread-messages`: the header's count of unread messages, whenever it
//!   changes (the page starts without one, so nothing is sent for none);
//! - `messages-{person}`: the id of the newest message with that person,
//!   when a newer one than the page shows arrives (the thread then asks for
//!   its list, `/messages/{person}/latest`);
//! - `report-{id}`: staff's report page, when where the report stands
//!   changed (the page then asks for that part again).
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

use crate::api::messaging::UNREAD_SHOWN;
use crate::api::Failure;
use crate::pages::errors::PageError;
use crate::pages::{donation_status, messages, moderation};
use crate::session::Viewer;
use crate::AppState;

/// How often a pending donation is looked at: the saga takes tens of
/// milliseconds, so the outcome shows about this long after it, and a look
/// is one primary-key read while a page shows a pending gift (seconds).
pub const DONATIONS_EVERY: Duration = Duration::from_millis(100);
/// How often the counts, an open thread and a report are looked at, in
/// ticks of [`DONATIONS_EVERY`].
const UNREAD_EVERY_TICKS: u32 = 10;
/// How often the counts, an open thread and a report are looked at.
pub const UNREAD_EVERY: Duration = Duration::from_millis(100 * UNREAD_EVERY_TICKS as u64);
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

/// `GET /live?donation={id}&donation={id}&thread={person}&newest={message}&report={id}&seen={fingerprint}`.
pub async fn stream(
    State(state): State<AppState>,
    viewer: Viewer,
    RawQuery(query): RawQuery,
) -> Response {
    if viewer.person().is_none() {
        return PageError::SignedOut.into_response();
    }
    let stopping = state.stopping.clone().wait();
    let mut watch = Watch::new(state, viewer, watched(query.as_deref()));
    watch.thread = watched_thread(query.as_deref());
    // Only staff read where any report stands.
    if watch.viewer.person().is_some_and(|p| p.staff) {
        watch.report = watched_report(query.as_deref());
    }
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

/// The thread a page shows (`thread={person}`), with the newest message it
/// shows (`newest={id}`, none for an empty thread).
fn watched_thread(query: Option<&str>) -> Option<Thread> {
    let mut person = None;
    let mut newest = None;
    for (key, value) in url::form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
        match &*key {
            "thread" => person = Uuid::parse_str(&value).ok(),
            "newest" => newest = Uuid::parse_str(&value).ok(),
            _ => {}
        }
    }
    Some(Thread {
        with: person?,
        newest,
    })
}

/// The report a staff page shows (`report={id}`), as it last saw it
/// (`seen={fingerprint}`).
fn watched_report(query: Option<&str>) -> Option<(Uuid, String)> {
    let mut id = None;
    let mut seen = String::new();
    for (key, value) in url::form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
        match &*key {
            "report" => id = Uuid::parse_str(&value).ok(),
            "seen" => seen = value.into_owned(),
            _ => {}
        }
    }
    Some((id?, seen))
}

/// A thread being watched for newer messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Thread {
    with: Uuid,
    newest: Option<Uuid>,
}

/// One page's stream: what it watches and what it last sent.
struct Watch {
    state: AppState,
    viewer: Viewer,
    pending: Vec<Uuid>,
    /// The count last sent; none before the first.
    unread: Option<String>,
    /// The unread messages' count the page shows now.
    unread_messages: Option<String>,
    thread: Option<Thread>,
    /// A report and the fingerprint of where it stands, as last sent.
    report: Option<(Uuid, String)>,
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
            // The page shows no count of its own: only a count to show is news.
            unread_messages: Some(badge(0, None)),
            thread: None,
            report: None,
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
        let thread = self.thread.filter(|_| count_due);
        let report = self.report.clone().filter(|_| count_due);
        let (count, donations, messages, newest, standing) = tokio::join!(
            async {
                match count_due {
                    true => Some(api.unread_count(viewer).await),
                    false => None,
                }
            },
            future::join_all(self.pending.iter().map(|id| api.donation(*id, viewer))),
            async {
                match count_due {
                    true => Some(api.unread_messages(viewer).await),
                    false => None,
                }
            },
            async {
                match thread {
                    Some(t) => Some(api.thread(t.with, None, viewer).await),
                    None => None,
                }
            },
            async {
                match &report {
                    Some((id, _)) => moderation::outcome_fingerprint(api, viewer, *id).await,
                    None => None,
                }
            },
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
            let text = badge(count, Some(UNREAD_SHOWN as usize));
            if self.unread.as_ref() != Some(&text) {
                events.push(Event::default().event("unread").data(&text));
                self.unread = Some(text);
            }
        }
        if let Some(Ok(count)) = messages {
            let text = badge(usize::try_from(count).unwrap_or(0), None);
            if self.unread_messages.as_ref() != Some(&text) {
                events.push(Event::default().event("unread-messages").data(&text));
                self.unread_messages = Some(text);
            }
        }
        if let (Some(watched), Some(Ok(page))) = (thread, newest) {
            let now = page.items.first().map(|m| m.id);
            if let Some(id) = now.filter(|_| now != watched.newest) {
                events.push(
                    Event::default()
                        .event(messages::thread_event(watched.with))
                        .data(id.to_string()),
                );
                self.thread = Some(Thread {
                    newest: now,
                    ..watched
                });
            }
        }
        if let (Some((id, seen)), Some(now)) = (report, standing) {
            if now != seen {
                events.push(
                    Event::default()
                        .event(moderation::report_event(id))
                        .data(&now),
                );
                self.report = Some((id, now));
            }
        }
        let me = viewer.person().map(|p| p.id);
        let mut still_pending = Vec::new();
        for (id, answer) in self.pending.iter().zip(donations) {
            match answer {
                // Not theirs: nothing to tell, nothing to watch.
                Ok(donation) if donation.donor_id != me => {}
                Ok(donation) if donation.status == "pending" => still_pending.push(*id),
                Ok(donation) => match donation_status::status_fragment(&donation) {
                    Ok(html) => events.push(
                        Event::default()
                            .event(donation_status::live_event(*id))
                            .data(html),
                    ),
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

/// A header badge's count as its event carries it: "3", "99+" past
/// `shown`, and none as an HTML comment, not nothing: a browser never
/// delivers an event without data, and a comment leaves the badge `:empty`
/// (hidden) all the same.
fn badge(count: usize, shown: Option<usize>) -> String {
    match (count, shown) {
        (0, _) => "<!-- none -->".to_owned(),
        (n, Some(shown)) if n > shown => format!("{shown}+"),
        (n, _) => n.to_string(),
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

    #[test]
    fn a_page_watches_the_thread_it_shows() {
        let (person, newest) = (Uuid::new_v4(), Uuid::new_v4());
        let query = format!(
            "donation={}&thread={person}&newest={newest}",
            Uuid::new_v4()
        );
        assert_eq!(
            watched_thread(Some(&query)),
            Some(Thread {
                with: person,
                newest: Some(newest)
            })
        );
        let empty = watched_thread(Some(&format!("thread={person}")));
        assert_eq!(empty.map(|t| t.newest), Some(None));
        assert_eq!(watched_thread(Some("thread=nonsense")), None);
        assert_eq!(watched_thread(None), None);
    }

    #[test]
    fn no_unread_count_is_a_comment_an_event_can_carry() {
        assert_eq!(badge(3, None), "3");
        assert_eq!(badge(0, None), "<!-- none -->");
        assert_eq!(badge(0, Some(99)), "<!-- none -->");
        assert_eq!(badge(99, Some(99)), "99");
        assert_eq!(badge(100, Some(99)), "99+");
    }

    #[test]
    fn a_staff_page_watches_the_report_it_shows() {
        let id = Uuid::new_v4();
        let query = format!("report={id}&seen=ab12");
        assert_eq!(watched_report(Some(&query)), Some((id, "ab12".to_owned())));
        assert_eq!(watched_report(Some("report=nonsense&seen=1")), None);
        assert_eq!(watched_report(None), None);
    }
}
