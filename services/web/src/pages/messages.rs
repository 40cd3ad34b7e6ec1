//! `/messages`: the people the viewer talks with (unread counts), a thread
//! with one of them (paged, newest at the bottom), the send box, and a
//! message about a donation, started from the donation.
//!
//! New messages appear while the thread is open: the page's `/live` stream
//! watches the thread (`Layout::watching_thread`) and sends
//! `messages-{person}` when a newer message exists; the list then asks
//! `/messages/{person}/latest?after=<newest>` and swaps itself. Opening a
//! thread marks what it shows to the viewer read. Without JavaScript a reload shows new messages.

use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use chrono::Utc;
use futures::future::join_all;
use serde::Deserialize;
use uuid::Uuid;

use super::errors::PageError;
use super::shared::{self, next_page, sign_in_first, Answer, Paging, SOMEONE};
use super::{parse_id, render};
use crate::api::exchanges::Side;
use crate::api::messaging::{ContextKind, Message, MessageContext, NewMessage, MESSAGE_MAX_CHARS};
use crate::api::{Failure, Page, Refused};
use crate::config::Backend;
use crate::csrf::CsrfToken;
use crate::format;
use crate::layout::Layout;
use crate::session::Viewer;
use crate::AppState;

#[derive(Debug)]
struct ConversationRow {
    name: String,
    url: String,
    excerpt: String,
    when: String,
    unread: i64,
}

#[derive(Template)]
#[template(path = "conversations.html")]
struct ConversationsPage {
    layout: Layout,
    rows: Option<Vec<ConversationRow>>,
    more: Option<String>,
}

/// The name of the `/live` event (live.rs) that tells an open thread a newer
/// message arrived.
pub fn thread_event(person: Uuid) -> String {
    format!("messages-{person}")
}
/// How much of the last message the list of conversations shows.
const EXCERPT_CHARS: usize = 120;

/// `GET /messages`.
pub async fn conversations(
    State(state): State<AppState>,
    viewer: Viewer,
    params: Result<Query<Paging>, QueryRejection>,
) -> Response {
    if viewer.person().is_none() {
        return sign_in_first("/messages");
    }
    let paging = params.map(|Query(p)| p).unwrap_or_default();
    let mut layout = Layout::new(&viewer);
    let page = layout.or_notice(state.api.conversations(paging.cursor(), &viewer).await);
    let more = page
        .as_ref()
        .and_then(|p| next_page("/messages", p.next_cursor.as_deref()));
    let rows = match page {
        Some(page) => {
            let names =
                shared::names(&state.api, page.items.iter().map(|c| c.counterpart_id)).await;
            let now = Utc::now();
            Some(
                page.items
                    .into_iter()
                    .map(|c| ConversationRow {
                        name: names
                            .get(&c.counterpart_id)
                            .cloned()
                            .unwrap_or_else(|| SOMEONE.to_owned()),
                        url: format!("/messages/{}", c.counterpart_id),
                        excerpt: excerpt(&c.last_message.body),
                        when: format::relative(c.last_message.created_at, now),
                        unread: c.unread_count,
                    })
                    .collect(),
            )
        }
        None => None,
    };
    render(&ConversationsPage { layout, rows, more })
}

fn excerpt(body: &str) -> String {
    let mut chars = body.chars();
    let short: String = chars.by_ref().take(EXCERPT_CHARS).collect();
    if chars.next().is_some() {
        format!("{short}…")
    } else {
        short
    }
}

/// One message as a thread shows it.
#[derive(Debug)]
pub struct MessageLine {
    from: String,
    mine: bool,
    body: String,
    when: String,
    about_url: Option<String>,
    report_url: Option<String>,
}

/// The thread's list: what the page shows and what a newer message swaps.
#[derive(Debug)]
pub struct ThreadList {
    /// On the newest page: the `/live` event that says a newer message
    /// arrived, and where the list then asks for itself again.
    live: Option<(String, String)>,
    lines: Vec<MessageLine>,
}

#[derive(Template)]
#[template(path = "partials/message_list.html")]
struct ThreadListFragment {
    list: ThreadList,
}

/// The send box, as typed.
#[derive(Debug)]
struct SendBox {
    action: String,
    csrf: String,
    key: String,
    about: Option<Uuid>,
    body: String,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "thread.html")]
struct ThreadPage {
    layout: Layout,
    name: String,
    person_url: String,
    /// The send box writes about a donation.
    about: bool,
    older: Option<String>,
    newest_url: Option<String>,
    /// `None` when the messages could not be read.
    list: Option<ThreadList>,
    send: SendBox,
}

#[derive(Debug, Default, Deserialize)]
pub struct ThreadParams {
    cursor: Option<String>,
    /// The donation the conversation is about, when started from one.
    about: Option<String>,
}

/// `GET /messages/{person}`.
pub async fn thread(
    State(state): State<AppState>,
    viewer: Viewer,
    csrf: CsrfToken,
    Path(raw_id): Path<String>,
    params: Result<Query<ThreadParams>, QueryRejection>,
) -> Result<Response, PageError> {
    let other = parse_id(&raw_id)?;
    let params = params.map(|Query(p)| p).unwrap_or_default();
    let about = match params.about.as_deref().filter(|a| !a.is_empty()) {
        Some(raw) => Some(parse_id(raw)?),
        None => None,
    };
    if viewer.person().is_none() {
        return Ok(sign_in_first(&format!("/messages/{other}")));
    }
    let cursor = params.cursor.filter(|c| !c.is_empty());
    let send = SendBox {
        action: format!("/messages/{other}"),
        csrf: csrf.0.clone(),
        key: Uuid::new_v4().to_string(),
        about,
        body: String::new(),
        error: None,
    };
    let page = thread_page(&state, &viewer, &csrf, other, cursor.as_deref(), send).await;
    Ok(render(&page))
}

/// The thread with `other`, at `cursor`, with `send` as its send box.
async fn thread_page(
    state: &AppState,
    viewer: &Viewer,
    csrf: &CsrfToken,
    other: Uuid,
    cursor: Option<&str>,
    send: SendBox,
) -> ThreadPage {
    let (name, messages) = tokio::join!(
        state.api.profile(other, viewer),
        state.api.thread(other, cursor, viewer),
    );
    let mut layout = Layout::new(viewer).with_csrf(csrf);
    let messages = layout.or_notice(messages);
    if let (Some(page), None) = (&messages, cursor) {
        layout = layout.watching_thread(other, page.items.first().map(|m| m.id));
    }
    let name = name.map_or_else(|_| SOMEONE.to_owned(), |p| p.display_name);
    let path = format!("/messages/{other}");
    let older = messages
        .as_ref()
        .and_then(|p| next_page(&path, p.next_cursor.as_deref()));
    let list = match messages {
        Some(page) => Some(list(state, viewer, other, &name, page, cursor.is_none()).await),
        None => None,
    };
    ThreadPage {
        layout,
        person_url: format!("/people/{other}"),
        about: send.about.is_some(),
        newest_url: cursor.is_some().then(|| path.clone()),
        name,
        older,
        list,
        send,
    }
}

/// The messages of `page` oldest first, the viewer's unread ones marked
/// read; on the newest page, asked again when a newer message arrives.
async fn list(
    state: &AppState,
    viewer: &Viewer,
    other: Uuid,
    other_name: &str,
    page: Page<Message>,
    newest: bool,
) -> ThreadList {
    let me = viewer.person().map(|p| p.id);
    // Shown is read; one that cannot be marked now stays unread, no more.
    join_all(
        page.items
            .iter()
            .filter(|m| Some(m.recipient_id) == me && m.read_at.is_none())
            .map(|m| state.api.mark_message_read(m.id, viewer)),
    )
    .await;
    let live = newest.then(|| (thread_event(other), latest_url(other, page.items.first())));
    let now = Utc::now();
    let lines = page
        .items
        .into_iter()
        .rev()
        .map(|m| {
            let mine = Some(m.sender_id) == me;
            MessageLine {
                from: if mine {
                    "You".to_owned()
                } else {
                    other_name.to_owned()
                },
                mine,
                about_url: m
                    .context
                    .filter(|c| c.kind == "donation")
                    .map(|c| format!("/messages/{other}?about={}", c.id)),
                report_url: (!mine).then(|| format!("/report?type=message&id={}", m.id)),
                body: m.body,
                when: format::relative(m.created_at, now),
            }
        })
        .collect();
    ThreadList { live, lines }
}

fn latest_url(other: Uuid, newest: Option<&Message>) -> String {
    match newest {
        Some(m) => format!("/messages/{other}/latest?after={}", m.id),
        None => format!("/messages/{other}/latest"),
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct LatestParams {
    after: Option<String>,
}

/// `GET /messages/{person}/latest?after=<id>`: the newest page of the
/// thread when its newest message is not `after` (else 204: nothing new),
/// asked when `/live` says a newer message arrived.
pub async fn latest(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(raw_id): Path<String>,
    params: Result<Query<LatestParams>, QueryRejection>,
) -> Result<Response, PageError> {
    let other = parse_id(&raw_id)?;
    if viewer.person().is_none() {
        return Err(PageError::SignedOut);
    }
    let after = params.ok().and_then(|Query(p)| p.after);
    let (page, name) = tokio::join!(
        state.api.thread(other, None, &viewer),
        state.api.profile(other, &viewer),
    );
    let page = page?;
    let newest = page.items.first().map(|m| m.id.to_string());
    if newest == after {
        return Ok(StatusCode::NO_CONTENT.into_response());
    }
    let name = name.map_or_else(|_| SOMEONE.to_owned(), |p| p.display_name);
    let list = list(&state, &viewer, other, &name, page, true).await;
    Ok(render(&ThreadListFragment { list }))
}

#[derive(Debug, Deserialize)]
pub struct SendForm {
    csrf: String,
    /// The form's `Idempotency-Key`.
    key: String,
    #[serde(default)]
    about: String,
    #[serde(default)]
    body: String,
}

/// `POST /messages/{person}`: sends, then back to the thread; a message
/// that cannot be sent comes back as typed, with why.
pub async fn send(
    State(state): State<AppState>,
    viewer: Viewer,
    csrf: CsrfToken,
    Path(raw_id): Path<String>,
    Form(form): Form<SendForm>,
) -> Result<Response, PageError> {
    csrf.check(&form.csrf)?;
    let other = parse_id(&raw_id)?;
    if viewer.person().is_none() {
        return Ok(sign_in_first(&format!("/messages/{other}")));
    }
    // A key or a donation the site did not put there: a tampered form.
    let key = Uuid::parse_str(&form.key).map_err(|_| PageError::Forbidden)?;
    let about = match form.about.as_str() {
        "" => None,
        raw => Some(Uuid::parse_str(raw).map_err(|_| PageError::Forbidden)?),
    };
    let body = form.body.trim();
    let checked = if body.is_empty() {
        Err((
            StatusCode::UNPROCESSABLE_ENTITY,
            "Write a message first.".to_owned(),
        ))
    } else if body.chars().count() > MESSAGE_MAX_CHARS {
        Err((
            StatusCode::UNPROCESSABLE_ENTITY,
            format!("A message is at most {MESSAGE_MAX_CHARS} characters."),
        ))
    } else {
        Ok(NewMessage {
            recipient_id: other,
            body: body.to_owned(),
            context: about.map(|id| MessageContext {
                kind: ContextKind::Donation,
                id,
            }),
        })
    };
    let (status, error) = match checked {
        Err(problem) => problem,
        Ok(message) => match state.api.send_message(&message, key, &viewer).await {
            Ok(_) => {
                let back = match about {
                    Some(d) => format!("/messages/{other}?about={d}"),
                    None => format!("/messages/{other}"),
                };
                return Ok(Redirect::to(&back).into_response());
            }
            Err(refused) => not_sent(refused, about.is_some())?,
        },
    };
    let send = SendBox {
        action: format!("/messages/{other}"),
        csrf: csrf.0.clone(),
        key: key.to_string(),
        about,
        body: form.body.clone(),
        error: Some(error),
    };
    let page = thread_page(&state, &viewer, &csrf, other, None, send).await;
    Ok((status, render(&page)).into_response())
}

/// Why a message was not sent, in words, with its status; or the error
/// page when it is not about this message.
fn not_sent(refused: Refused, about_donation: bool) -> Result<(StatusCode, String), PageError> {
    Ok(match refused {
        Refused::Invalid(errors) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            errors.first().map_or_else(
                || "This message cannot be sent; check what you wrote.".to_owned(),
                |e| match e.field.as_str() {
                    "recipient_id" => "You cannot send a message to yourself.".to_owned(),
                    _ => format!("Message: {}.", e.message),
                },
            ),
        ),
        Refused::NotEligible(_) | Refused::Conflict(_) | Refused::Stale => (
            StatusCode::CONFLICT,
            "Only the donor and the recipient of a donation can message each other about \
             it. If it was given anonymously, its recipient can answer once the donor has \
             written. Nothing was sent."
                .to_owned(),
        ),
        Refused::Failed(Failure::Unavailable(Backend::Messaging)) if about_donation => (
            StatusCode::SERVICE_UNAVAILABLE,
            "The donation this message is about cannot be checked right now, so nothing \
             was sent. Try again in a moment."
                .to_owned(),
        ),
        Refused::Failed(Failure::Unavailable(backend)) => (
            StatusCode::SERVICE_UNAVAILABLE,
            format!(
                "{} are unavailable right now, so nothing was sent. Try again shortly.",
                backend.what_it_serves()
            ),
        ),
        Refused::Failed(failure) => return Err(failure.into()),
    })
}

/// `GET /donations/{id}/message`: the thread with the donation's other
/// party, the send box about it. For its donor and its recipient only.
pub async fn about_donation(
    State(state): State<AppState>,
    viewer: Viewer,
    csrf: CsrfToken,
    Path(raw_id): Path<String>,
) -> Result<Response, PageError> {
    let id = parse_id(&raw_id)?;
    if viewer.person().is_none() {
        return Ok(sign_in_first(&format!("/donations/{id}/message")));
    }
    let exchange = state.api.exchange(id, &viewer).await?;
    let side = exchange.side_of(&viewer).ok_or(PageError::NotFound)?;
    match exchange.other_party(side) {
        Some(other) => Ok(Redirect::to(&format!("/messages/{other}?about={id}")).into_response()),
        None => {
            let text = match side {
                Side::Donor => {
                    "This donation has not reached its recipient yet; you can \
                                message them once it has been accepted."
                }
                Side::Recipient => {
                    "This gift was given anonymously, so you cannot write to \
                                    its donor. If they write to you, you can answer them in \
                                    Messages."
                }
            };
            Ok(Answer {
                layout: Layout::new(&viewer).with_csrf(&csrf),
                heading: "No one to message yet".to_owned(),
                text: text.to_owned(),
                back_url: exchange.target_url().unwrap_or_else(|| "/".to_owned()),
                back_text: "Back to where it was given".to_owned(),
            }
            .page(StatusCode::CONFLICT))
        }
    }
}
