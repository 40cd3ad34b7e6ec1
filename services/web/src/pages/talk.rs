//! Talking, rating, reporting and moderating: the routes of messages.rs,
//! my_profile.rs, rating.rs, report.rs, moderation.rs and gift_talk.rs
//! (what they share is in shared.rs).

use axum::routing::{get, post};
use axum::Router;

use super::{gift_talk, messages, moderation, my_profile, rating, report};
use crate::AppState;

/// The routes of the pages of this family.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/messages", get(messages::conversations))
        .route(
            "/messages/{person}",
            get(messages::thread).post(messages::send),
        )
        .route("/messages/{person}/latest", get(messages::latest))
        .route("/donations/{id}/message", get(messages::about_donation))
        .route("/donations/{id}/talk", get(gift_talk::gift_talk))
        .route("/profile", get(my_profile::show).post(my_profile::save))
        .route("/donations/{id}/rate", get(rating::show).post(rating::rate))
        .route("/report", get(report::show).post(report::file))
        .route("/moderation", get(moderation::queue))
        .route("/moderation/reports/{id}", get(moderation::report))
        .route(
            "/moderation/reports/{id}/outcome",
            get(moderation::outcome_part),
        )
        .route(
            "/moderation/reports/{id}/resolve",
            post(moderation::resolve),
        )
        .route(
            "/moderation/people/{id}/{decision}",
            post(moderation::decide_person),
        )
        .route(
            "/moderation/{listing}/{id}/{decision}",
            post(moderation::decide_listing),
        )
}
