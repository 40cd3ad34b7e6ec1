//! `/donations/{id}/rate`: the donor and the recipient of a donation that
//! went through rate each other, once each.
//!
//! The form is offered only where profile-service would take it: the viewer
//! is a party, the donation is a confirmed money donation or a completed
//! item donation (so not refunded), and they have not rated it yet. What
//! the API still refuses (it learns of donations from events, so a moment
//! after one went through it may not know yet) is said in words.

use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;
use uuid::Uuid;

use super::errors::PageError;
use super::shared::{self, sign_in_first, SOMEONE};
use super::{parse_id, render};
use crate::api::exchanges::{Exchange, Side};
use crate::api::profiles::{NewRating, Score};
use crate::api::{Api, Refused};
use crate::csrf::CsrfToken;
use crate::layout::Layout;
use crate::session::Viewer;
use crate::AppState;

/// The API's limit for a rating's comment.
const COMMENT_MAX_CHARS: usize = 1000;

/// Whether the viewer may rate this exchange now, and if not why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rateable {
    Yes,
    AlreadyRated,
    NotYet,
    Refunded,
}

/// Whether `viewer`, on `side` of `exchange`, may rate it.
pub async fn rateable(api: &Api, viewer: &Viewer, exchange: &Exchange, side: Side) -> Rateable {
    if exchange.status == "refunded" {
        return Rateable::Refunded;
    }
    if !exchange.went_through() {
        return Rateable::NotYet;
    }
    // Their earlier rating is found among the other party's; the recipient
    // of an anonymous gift cannot look, and learns on sending.
    match exchange.other_party(side) {
        Some(ratee) if api.rated(ratee, exchange.id, viewer).await == Ok(true) => {
            Rateable::AlreadyRated
        }
        _ => Rateable::Yes,
    }
}

/// The rate link a donation's page shows its parties, when rating is open.
pub async fn rate_link(api: &Api, viewer: &Viewer, exchange: &Exchange) -> Option<String> {
    let side = exchange.side_of(viewer)?;
    (rateable(api, viewer, exchange, side).await == Rateable::Yes)
        .then(|| format!("/donations/{}/rate", exchange.id))
}

#[derive(Debug)]
struct RateForm {
    action: String,
    csrf: String,
    key: String,
    score: Option<u8>,
    comment: String,
}

#[derive(Template)]
#[template(path = "rate.html")]
struct RatePage {
    layout: Layout,
    /// "the recipient", or their name.
    whom: String,
    back_url: String,
    /// Why the form is not offered, or what became of it.
    said: Option<String>,
    error: Option<String>,
    form: Option<RateForm>,
    scores: [u8; 5],
}

#[derive(Debug, Default, Deserialize)]
pub struct ShowParams {
    rated: Option<String>,
}

/// `GET /donations/{id}/rate`.
pub async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    csrf: CsrfToken,
    Path(raw_id): Path<String>,
    params: Result<Query<ShowParams>, QueryRejection>,
) -> Result<Response, PageError> {
    let id = parse_id(&raw_id)?;
    if viewer.person().is_none() {
        return Ok(sign_in_first(&format!("/donations/{id}/rate")));
    }
    let (exchange, side) = party(&state, &viewer, id).await?;
    let just_rated = params.is_ok_and(|Query(p)| p.rated.is_some());
    let said = if just_rated {
        Some(Rateable::AlreadyRated)
    } else {
        match rateable(&state.api, &viewer, &exchange, side).await {
            Rateable::Yes => None,
            other => Some(other),
        }
    };
    let form = said.is_none().then(|| RateForm {
        action: format!("/donations/{id}/rate"),
        csrf: csrf.0.clone(),
        key: Uuid::new_v4().to_string(),
        score: None,
        comment: String::new(),
    });
    let page = RatePage {
        layout: Layout::new(&viewer).with_csrf(&csrf),
        whom: whom(&state, &exchange, side).await,
        back_url: back_url(&exchange, side),
        said: said.map(|r| explain(&r, just_rated)),
        error: None,
        form,
        scores: Score::ALL,
    };
    Ok(render(&page))
}

#[derive(Debug, Deserialize)]
pub struct RatingForm {
    csrf: String,
    key: String,
    #[serde(default)]
    score: String,
    #[serde(default)]
    comment: String,
}

/// `POST /donations/{id}/rate`.
pub async fn rate(
    State(state): State<AppState>,
    viewer: Viewer,
    csrf: CsrfToken,
    Path(raw_id): Path<String>,
    Form(form): Form<RatingForm>,
) -> Result<Response, PageError> {
    csrf.check(&form.csrf)?;
    let id = parse_id(&raw_id)?;
    if viewer.person().is_none() {
        return Ok(sign_in_first(&format!("/donations/{id}/rate")));
    }
    let key = Uuid::parse_str(&form.key).map_err(|_| PageError::Forbidden)?;
    let (exchange, side) = party(&state, &viewer, id).await?;
    let score = form.score.trim().parse::<u8>().ok().and_then(Score::new);
    let comment = form.comment.trim();
    let (status, error, said) = match score {
        None => (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("Score: choose from 1 to 5.".to_owned()),
            None,
        ),
        Some(_) if comment.chars().count() > COMMENT_MAX_CHARS => (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(format!("Comment: at most {COMMENT_MAX_CHARS} characters.")),
            None,
        ),
        Some(score) => {
            let rating = NewRating {
                donation_id: id,
                score,
                comment: (!comment.is_empty()).then(|| comment.to_owned()),
            };
            match state.api.rate(&rating, key, &viewer).await {
                Ok(()) => {
                    return Ok(
                        Redirect::to(&format!("/donations/{id}/rate?rated=yes")).into_response()
                    )
                }
                Err(Refused::Invalid(errors)) => (
                    StatusCode::UNPROCESSABLE_ENTITY,
                    Some(errors.first().map_or_else(
                        || "This rating was not accepted; check the score and comment.".to_owned(),
                        |e| format!("{}: {}.", e.field, e.message),
                    )),
                    None,
                ),
                Err(Refused::Conflict(_) | Refused::Stale) => {
                    (StatusCode::CONFLICT, None, Some(Rateable::AlreadyRated))
                }
                Err(Refused::NotEligible(_)) => {
                    (StatusCode::CONFLICT, None, Some(Rateable::NotYet))
                }
                Err(Refused::Failed(failure)) => return Err(failure.into()),
            }
        }
    };
    let form = said.is_none().then(|| RateForm {
        action: format!("/donations/{id}/rate"),
        csrf: csrf.0.clone(),
        key: key.to_string(),
        score: score.and_then(|_| form.score.trim().parse().ok()),
        comment: form.comment.clone(),
    });
    let page = RatePage {
        layout: Layout::new(&viewer).with_csrf(&csrf),
        whom: whom(&state, &exchange, side).await,
        back_url: back_url(&exchange, side),
        said: said.map(|r| explain(&r, false)),
        error,
        form,
        scores: Score::ALL,
    };
    Ok((status, render(&page)).into_response())
}

/// The donation, when the viewer is its donor or its recipient; for anyone
/// else this page does not exist.
async fn party(state: &AppState, viewer: &Viewer, id: Uuid) -> Result<(Exchange, Side), PageError> {
    let exchange = state.api.exchange(id, viewer).await?;
    let side = exchange.side_of(viewer).ok_or(PageError::NotFound)?;
    Ok((exchange, side))
}

async fn whom(state: &AppState, exchange: &Exchange, side: Side) -> String {
    let Some(other) = exchange.other_party(side) else {
        return "the donor".to_owned();
    };
    shared::names(&state.api, [other])
        .await
        .remove(&other)
        .unwrap_or_else(|| SOMEONE.to_owned())
}

fn back_url(exchange: &Exchange, side: Side) -> String {
    match side {
        Side::Donor => format!("/donations/{}", exchange.id),
        Side::Recipient => exchange.target_url().unwrap_or_else(|| "/".to_owned()),
    }
}

fn explain(rateable: &Rateable, just_rated: bool) -> String {
    match rateable {
        Rateable::AlreadyRated if just_rated => "Thank you: your rating is saved.".to_owned(),
        Rateable::AlreadyRated => {
            "You have already rated this exchange; each side rates the other once.".to_owned()
        }
        Rateable::NotYet => "This exchange cannot be rated yet. A money donation can be rated \
                             once it is confirmed, an item donation once its recipient has \
                             marked it received; if it just went through, try again in a moment."
            .to_owned(),
        Rateable::Refunded => "This donation was refunded, so it cannot be rated.".to_owned(),
        Rateable::Yes => String::new(),
    }
}
