//! `/people/{id}`: a public profile and the ratings it received.
//!
//! Ratings come as the API lets this viewer see them: where it hides who
//! rated (an anonymous donation), the page says "Someone".

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use chrono::Utc;

use super::errors::PageError;
use super::{parse_id, render};
use crate::csrf::CsrfToken;
use crate::format;
use crate::layout::Layout;
use crate::session::Viewer;
use crate::AppState;

#[derive(Debug)]
struct RatingLine {
    rater: &'static str,
    rater_url: Option<String>,
    /// "4 out of 5".
    score: String,
    comment: Option<String>,
    when: String,
}

#[derive(Template)]
#[template(path = "profile.html")]
struct ProfilePage {
    layout: Layout,
    display_name: String,
    bio: Option<String>,
    location: Option<String>,
    suspended: bool,
    member_since: String,
    /// "4.5 out of 5 from 12 ratings", or "No ratings yet".
    rating_summary: String,
    /// `None` when the ratings could not be read.
    ratings: Option<Vec<RatingLine>>,
}

/// `GET /people/{id}`.
pub async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    csrf: CsrfToken,
    Path(raw_id): Path<String>,
) -> Response {
    let id = match parse_id(&raw_id) {
        Ok(id) => id,
        Err(err) => return err.into_response(),
    };
    let (profile, ratings) = tokio::join!(
        state.api.profile(id, &viewer),
        state.api.ratings(id, &viewer),
    );
    let profile = match profile {
        Ok(profile) => profile,
        Err(failure) => return PageError::from(failure).into_response(),
    };
    let now = Utc::now();
    let mut layout = Layout::new(&viewer).with_csrf(&csrf);
    let ratings = layout.or_notice(ratings).map(|page| {
        page.items
            .into_iter()
            .map(|r| RatingLine {
                rater: if r.rater_id.is_some() {
                    "A member"
                } else {
                    "Someone"
                },
                rater_url: r.rater_id.map(|id| format!("/people/{id}")),
                score: format!("{} out of 5", r.score),
                comment: r.comment,
                when: format::relative(r.created_at, now),
            })
            .collect()
    });
    let rating_summary = match profile.rating_avg {
        Some(avg) if profile.rating_count > 0 => format!(
            "{avg:.1} out of 5 from {}",
            format::count(profile.rating_count, "rating", "ratings")
        ),
        _ => "No ratings yet".to_owned(),
    };
    let page = ProfilePage {
        display_name: profile.display_name,
        bio: profile.bio,
        location: profile.location,
        suspended: profile.status == "suspended",
        member_since: format!("Member since {}", profile.created_at.format("%B %Y")),
        rating_summary,
        ratings,
        layout,
    };
    render(&page)
}
