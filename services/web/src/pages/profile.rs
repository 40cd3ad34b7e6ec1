//! `/people/{id}`: a public profile and the ratings it received.
//!
//! Ratings come as the API lets this viewer see them: where it hides who
//! rated (an anonymous donation), the page says "Someone".

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use chrono::{DateTime, Utc};

use super::errors::PageError;
use super::moderation::PersonModeration;
use super::{parse_id, render};
use crate::api::profiles::Rating;
use crate::api::Page;
use crate::csrf::CsrfToken;
use crate::format;
use crate::layout::Layout;
use crate::session::Viewer;
use crate::AppState;

/// One rating as a profile shows it; `pub` for "My profile".
#[derive(Debug)]
pub struct RatingLine {
    pub rater: &'static str,
    pub rater_url: Option<String>,
    /// "4 out of 5".
    pub score: String,
    pub comment: Option<String>,
    pub when: String,
    /// Anyone signed in but its author may report it.
    pub report_url: Option<String>,
}

/// The ratings of `page` as lines, "Someone" where the API hides the rater.
pub fn rating_lines(page: Page<Rating>, viewer: &Viewer, now: DateTime<Utc>) -> Vec<RatingLine> {
    let me = viewer.person().map(|p| p.id);
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
            report_url: (me.is_some() && r.rater_id != me)
                .then(|| format!("/report?type=rating&id={}", r.id)),
        })
        .collect()
}

/// "4.5 out of 5 from 12 ratings", or "No ratings yet".
pub fn rating_summary(avg: Option<f64>, count: i64) -> String {
    match avg {
        Some(avg) if count > 0 => format!(
            "{avg:.1} out of 5 from {}",
            format::count(count, "rating", "ratings")
        ),
        _ => "No ratings yet".to_owned(),
    }
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
    /// Signed in, and not this person: "Send a message".
    message_url: Option<String>,
    /// Signed in, and not this person: "Report this person".
    report_url: Option<String>,
    /// Staff: suspend or reinstate this person.
    moderation: Option<PersonModeration>,
}

/// `GET /people/{id}`.
pub async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    csrf: CsrfToken,
    Path(raw_id): Path<String>,
) -> Result<Response, PageError> {
    let id = parse_id(&raw_id)?;
    let (profile, ratings) = tokio::join!(
        state.api.profile(id, &viewer),
        state.api.ratings(id, &viewer),
    );
    let profile = profile?;
    let now = Utc::now();
    let mut layout = Layout::new(&viewer).with_csrf(&csrf);
    let ratings = layout
        .or_notice(ratings)
        .map(|page| rating_lines(page, &viewer, now));
    let rating_summary = rating_summary(profile.rating_avg, profile.rating_count);
    let me = viewer.person().map(|p| p.id);
    let someone_else = me.is_some() && me != Some(id);
    let suspended = profile.status == "suspended";
    let moderation = viewer
        .person()
        .filter(|p| p.staff)
        .map(|_| PersonModeration {
            name: profile.display_name.clone(),
            ..PersonModeration::new(id, suspended, &csrf, &format!("/people/{id}"))
        });
    let page = ProfilePage {
        display_name: profile.display_name,
        bio: profile.bio,
        location: profile.location,
        suspended,
        message_url: someone_else.then(|| format!("/messages/{id}")),
        report_url: someone_else.then(|| format!("/report?type=profile&id={id}")),
        moderation,
        member_since: format!("Member since {}", profile.created_at.format("%B %Y")),
        rating_summary,
        ratings,
        layout,
    };
    Ok(render(&page))
}
