//! What a gift's page offers its donor or its recipient beyond the gift
//! itself (write to the other party, rate them, report it), and the
//! fragment that asks for it again once a pending gift is settled.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use uuid::Uuid;

use super::errors::PageError;
use super::{parse_id, rating, render};
use crate::api::Api;
use crate::session::Viewer;
use crate::AppState;

/// What a gift's page offers its donor or its recipient beyond the gift
/// itself: write to the other party, rate them, report it.
#[derive(Debug, Default)]
pub struct GiftTalk {
    /// "Message about this donation": when the other party is known.
    pub message_url: Option<String>,
    /// "Rate this exchange": only where profile-service would take it.
    pub rate_url: Option<String>,
    pub report_url: String,
    /// While the donation is pending: the `/live` event of its outcome, and
    /// where the links are asked for again then (they change with it).
    pub live: Option<(String, String)>,
}

impl GiftTalk {
    /// For `viewer`, a party to donation `id`; nothing but the report link
    /// when donation-service cannot say more.
    pub async fn for_gift(api: &Api, viewer: &Viewer, id: Uuid) -> Self {
        let report_url = format!("/report?type=donation&id={id}");
        let Ok(exchange) = api.exchange(id, viewer).await else {
            return Self {
                report_url,
                ..Self::default()
            };
        };
        let Some(side) = exchange.side_of(viewer) else {
            return Self {
                report_url,
                ..Self::default()
            };
        };
        Self {
            live: (exchange.status == "pending").then(|| {
                (
                    super::donation_status::live_event(id),
                    format!("/donations/{id}/talk"),
                )
            }),
            message_url: exchange
                .other_party(side)
                .map(|_| format!("/donations/{id}/message")),
            rate_url: rating::rate_link(api, viewer, &exchange).await,
            report_url,
        }
    }
}

#[derive(Template)]
#[template(path = "partials/gift_talk.html")]
struct GiftTalkFragment {
    talk: GiftTalk,
}

/// `GET /donations/{id}/talk`: a gift page's links, asked again when the
/// pending donation's outcome arrives.
pub async fn gift_talk(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(raw_id): Path<String>,
) -> Result<Response, PageError> {
    let id = parse_id(&raw_id)?;
    if viewer.person().is_none() {
        return Err(PageError::SignedOut);
    }
    let talk = GiftTalk::for_gift(&state.api, &viewer, id).await;
    Ok(render(&GiftTalkFragment { talk }))
}
