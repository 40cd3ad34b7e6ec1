//! `/profile`: the signed-in person's own profile, edited in place
//! (display name, about, location, picture), and the ratings they received.
//!
//! The form sends the whole profile, as `PUT /profiles/me` replaces it; a
//! field left empty is cleared. A problem comes back beside its field, as
//! typed. The header greets the person by the name saved.

use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use chrono::Utc;
use serde::Deserialize;

use super::errors::PageError;
use super::profile::{rating_lines, rating_summary, RatingLine};
use super::render;
use super::shared::sign_in_first;
use crate::api::profiles::{MyProfile, ProfileChanges};
use crate::api::{Failure, FieldError, Refused};
use crate::csrf::CsrfToken;
use crate::layout::Layout;
use crate::session::{Viewer, NAME_COOKIE, SESSION_MAX_AGE};
use crate::AppState;

/// profile-service's limits.
const NAME_MAX_CHARS: usize = 80;
const BIO_MAX_CHARS: usize = 500;
const LOCATION_MAX_CHARS: usize = 200;
const AVATAR_URL_MAX_CHARS: usize = 2000;

#[derive(Debug, Default, Deserialize)]
pub struct ProfileForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    bio: String,
    #[serde(default)]
    location: String,
    #[serde(default)]
    avatar_url: String,
}

/// The form's fields as typed, each with its problem.
#[derive(Debug, Default)]
struct Field {
    value: String,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "my_profile.html")]
struct MyProfilePage {
    layout: Layout,
    csrf: String,
    saved: bool,
    /// A problem that belongs to no one field.
    error: Option<String>,
    suspended: bool,
    public_url: String,
    display_name: Field,
    bio: Field,
    location: Field,
    avatar_url: Field,
    rating_summary: String,
    ratings: Option<Vec<RatingLine>>,
}

#[derive(Debug, Default, Deserialize)]
pub struct ShowParams {
    saved: Option<String>,
}

/// `GET /profile`.
pub async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    csrf: CsrfToken,
    params: Result<Query<ShowParams>, QueryRejection>,
) -> Result<Response, PageError> {
    let Some(person) = viewer.person() else {
        return Ok(sign_in_first("/profile"));
    };
    let saved = params.is_ok_and(|Query(p)| p.saved.is_some());
    let profile = match state.api.my_profile(&viewer).await {
        Ok(profile) => Some(profile),
        // No profile yet: the form makes it.
        Err(Failure::NotFound) => None,
        Err(failure) => return Err(failure.into()),
    };
    let form = match &profile {
        Some(p) => ProfileForm {
            display_name: p.display_name.clone(),
            bio: p.bio.clone().unwrap_or_default(),
            location: p.location.clone().unwrap_or_default(),
            avatar_url: p.avatar_url.clone().unwrap_or_default(),
            ..ProfileForm::default()
        },
        None => ProfileForm {
            display_name: person.display_name.clone(),
            ..ProfileForm::default()
        },
    };
    let page = page(
        &state,
        &viewer,
        &csrf,
        profile.as_ref(),
        &form,
        Vec::new(),
        saved,
    )
    .await;
    Ok(render(&page))
}

/// `POST /profile`: saves, then back to the page saying so.
pub async fn save(
    State(state): State<AppState>,
    viewer: Viewer,
    csrf: CsrfToken,
    Form(form): Form<ProfileForm>,
) -> Result<Response, PageError> {
    csrf.check(&form.csrf)?;
    if viewer.person().is_none() {
        return Ok(sign_in_first("/profile"));
    }
    let problems = match changes(&form) {
        Err(problems) => problems,
        Ok(changes) => match state.api.save_profile(&changes, &viewer).await {
            Ok(saved) => return Ok(saved_answer(&state, &saved)),
            Err(Refused::Invalid(errors)) if !errors.is_empty() => errors,
            Err(
                Refused::Invalid(_)
                | Refused::Conflict(_)
                | Refused::NotEligible(_)
                | Refused::Stale,
            ) => {
                vec![FieldError {
                    field: String::new(),
                    message: "Your profile was not saved; check what you typed.".to_owned(),
                }]
            }
            Err(Refused::Failed(failure)) => return Err(failure.into()),
        },
    };
    let profile = state.api.my_profile(&viewer).await.ok();
    let page = page(
        &state,
        &viewer,
        &csrf,
        profile.as_ref(),
        &form,
        problems,
        false,
    )
    .await;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
}

/// Back to the page, saved; the header's name cookie follows the new name.
fn saved_answer(state: &AppState, saved: &MyProfile) -> Response {
    let encoded: String =
        url::form_urlencoded::byte_serialize(saved.display_name.as_bytes()).collect();
    let mut headers = HeaderMap::new();
    headers.append(
        header::SET_COOKIE,
        state
            .cookies
            .set(NAME_COOKIE, &encoded, "Lax", SESSION_MAX_AGE.as_secs()),
    );
    (headers, Redirect::to("/profile?saved=yes")).into_response()
}

/// The profile as `PUT /profiles/me` takes it, or each field's problem.
fn changes(form: &ProfileForm) -> Result<ProfileChanges, Vec<FieldError>> {
    let name = form.display_name.trim();
    let optional = |value: &str| {
        let value = value.trim();
        (!value.is_empty()).then(|| value.to_owned())
    };
    let too_long = |field: &str, value: &str, max: usize| {
        (value.trim().chars().count() > max).then(|| FieldError {
            field: field.to_owned(),
            message: format!("at most {max} characters"),
        })
    };
    let avatar = optional(&form.avatar_url);
    let problems: Vec<FieldError> = [
        name.is_empty().then(|| FieldError {
            field: "display_name".to_owned(),
            message: "a display name is needed".to_owned(),
        }),
        too_long("display_name", name, NAME_MAX_CHARS),
        too_long("bio", &form.bio, BIO_MAX_CHARS),
        too_long("location", &form.location, LOCATION_MAX_CHARS),
        too_long("avatar_url", &form.avatar_url, AVATAR_URL_MAX_CHARS),
        avatar
            .as_deref()
            .filter(|url| !url.starts_with("https://"))
            .map(|_| FieldError {
                field: "avatar_url".to_owned(),
                message: "must be an https:// address".to_owned(),
            }),
    ]
    .into_iter()
    .flatten()
    .collect();
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(ProfileChanges {
        display_name: name.to_owned(),
        bio: optional(&form.bio),
        location: optional(&form.location),
        avatar_url: avatar,
    })
}

async fn page(
    state: &AppState,
    viewer: &Viewer,
    csrf: &CsrfToken,
    profile: Option<&MyProfile>,
    form: &ProfileForm,
    problems: Vec<FieldError>,
    saved: bool,
) -> MyProfilePage {
    let mut layout = Layout::new(viewer).with_csrf(csrf);
    let id = viewer.person().map(|p| p.id).unwrap_or_default();
    let ratings = match profile {
        Some(_) => layout
            .or_notice(state.api.ratings(id, viewer).await)
            .map(|page| rating_lines(page, viewer, Utc::now())),
        None => Some(Vec::new()),
    };
    let field = |name: &str, value: &str| Field {
        value: value.to_owned(),
        error: problems
            .iter()
            .find(|p| p.field == name)
            .map(|p| format!("{}: {}.", label(name), p.message)),
    };
    let known = ["display_name", "bio", "location", "avatar_url"];
    MyProfilePage {
        layout,
        csrf: csrf.0.clone(),
        saved,
        error: problems
            .iter()
            .find(|p| !known.contains(&p.field.as_str()))
            .map(|p| p.message.clone()),
        suspended: profile.is_some_and(|p| p.status == "suspended"),
        public_url: format!("/people/{id}"),
        display_name: field("display_name", &form.display_name),
        bio: field("bio", &form.bio),
        location: field("location", &form.location),
        avatar_url: field("avatar_url", &form.avatar_url),
        rating_summary: profile.map_or_else(
            || rating_summary(None, 0),
            |p| rating_summary(p.rating_avg, p.rating_count),
        ),
        ratings,
    }
}

fn label(field: &str) -> &'static str {
    match field {
        "display_name" => "Display name",
        "bio" => "About you",
        "location" => "Location",
        _ => "Picture address",
    }
}
