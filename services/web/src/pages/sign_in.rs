//! `/sign-in` and `/sign-out`.
//!
//! Under `hearth up`, with its public development secret and no real keys,
//! a tester signs in by picking a display name, as a person or as staff:
//! the site mints the token itself. The same name always signs in as the
//! same person. Anywhere else the development sign-in is refused (403), and
//! signing in goes through Supabase Auth (not built yet).

use std::time::Duration;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use hearth_core::auth::{mint, TokenRequest};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::errors::PageError;
use super::render;
use crate::csrf::CsrfToken;
use crate::layout::Layout;
use crate::session::{Person, Viewer, NAME_COOKIE, SESSION_COOKIE};
use crate::AppState;

/// A development session lasts a day, as `hearth up`'s printed tokens do.
const DEV_SESSION: Duration = Duration::from_secs(24 * 3600);
/// profile-service's limit for a display name.
const MAX_NAME: usize = 80;

#[derive(Template)]
#[template(path = "sign_in.html")]
struct SignInPage {
    layout: Layout,
    csrf: String,
    dev: bool,
    next: String,
    display_name: String,
    error: Option<&'static str>,
}

#[derive(Debug, Deserialize)]
pub struct NextParam {
    next: Option<String>,
}

/// `GET /sign-in?next=`.
pub async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    csrf: CsrfToken,
    Query(params): Query<NextParam>,
) -> Response {
    let page = SignInPage {
        layout: Layout::new(&viewer).with_csrf(&csrf),
        csrf: csrf.0.clone(),
        dev: state.dev_sign_in.is_some(),
        next: local_path(params.next.as_deref()).to_owned(),
        display_name: String::new(),
        error: None,
    };
    render(&page)
}

#[derive(Debug, Deserialize)]
pub struct SignInForm {
    csrf: String,
    display_name: String,
    /// The "Sign in as staff" checkbox: present when ticked.
    staff: Option<String>,
    next: Option<String>,
}

/// `POST /sign-in`: the development sign-in.
pub async fn sign_in(
    State(state): State<AppState>,
    csrf: CsrfToken,
    Form(form): Form<SignInForm>,
) -> Result<Response, PageError> {
    csrf.check(&form.csrf)?;
    let Some(dev) = &state.dev_sign_in else {
        return Err(PageError::Forbidden);
    };
    let next = local_path(form.next.as_deref()).to_owned();
    let name = form.display_name.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME {
        let page = SignInPage {
            layout: Layout::new(&Viewer::Visitor).with_csrf(&csrf),
            csrf: csrf.0.clone(),
            dev: true,
            next,
            display_name: form.display_name.clone(),
            error: Some("Enter a display name of 1 to 80 characters."),
        };
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response());
    }
    let staff = form.staff.is_some();
    let id = dev_person_id(name, staff);
    let request = if staff {
        TokenRequest::staff(id)
    } else {
        TokenRequest::user(id)
    };
    let token = mint(
        &dev.secret,
        &TokenRequest {
            ttl: DEV_SESSION,
            ..request
        },
    )
    .map_err(|err| {
        tracing::error!(error = %err, "could not mint a development token");
        PageError::Internal
    })?;
    let viewer = Viewer::Person(Person::new(id, name.to_owned(), staff, token.clone()));
    // A first sign-in makes the person's profile; a later one keeps it as
    // they left it. profile-service down only delays the profile.
    if let Err(crate::api::Failure::NotFound) = state.api.profile(id, &viewer).await {
        if let Err(failure) = state.api.save_display_name(name, &viewer).await {
            tracing::warn!(%failure, "signed in without a profile");
        }
    }
    let encoded_name: String = url::form_urlencoded::byte_serialize(name.as_bytes()).collect();
    let max_age = DEV_SESSION.as_secs();
    let mut headers = HeaderMap::new();
    headers.append(
        header::SET_COOKIE,
        state.cookies.set(SESSION_COOKIE, &token, "Lax", max_age),
    );
    headers.append(
        header::SET_COOKIE,
        state
            .cookies
            .set(NAME_COOKIE, &encoded_name, "Lax", max_age),
    );
    Ok((headers, Redirect::to(&next)).into_response())
}

#[derive(Debug, Deserialize)]
pub struct SignOutForm {
    csrf: String,
}

/// `POST /sign-out`: forgets the session.
pub async fn sign_out(
    State(state): State<AppState>,
    csrf: CsrfToken,
    Form(form): Form<SignOutForm>,
) -> Result<Response, PageError> {
    csrf.check(&form.csrf)?;
    let mut headers = HeaderMap::new();
    for name in [SESSION_COOKIE, NAME_COOKIE] {
        headers.append(header::SET_COOKIE, state.cookies.set(name, "", "Lax", 0));
    }
    Ok((headers, Redirect::to("/")).into_response())
}

/// The same display name is the same person (staff or not), so a tester
/// finds their things again after signing out.
pub fn dev_person_id(display_name: &str, staff: bool) -> Uuid {
    let role = if staff { "staff" } else { "person" };
    let digest = Sha256::digest(format!("hearth-dev-sign-in\0{role}\0{display_name}").as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    uuid::Builder::from_random_bytes(bytes).into_uuid()
}

/// Where to go after signing in: a path on this site, never another site
/// (`//evil.example` and `/\evil.example` are other sites to a browser).
fn local_path(next: Option<&str>) -> &str {
    match next {
        Some(path)
            if path.starts_with('/')
                && !path.starts_with("//")
                && !path.contains('\\')
                && !path.chars().any(char::is_control) =>
        {
            path
        }
        _ => "/",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_path_on_this_site_is_followed() {
        assert_eq!(local_path(Some("/campaigns/1?x=2")), "/campaigns/1?x=2");
        for elsewhere in [
            "https://evil.example",
            "//evil.example",
            "/\\evil.example",
            "campaigns",
            "/a\nb",
        ] {
            assert_eq!(local_path(Some(elsewhere)), "/", "{elsewhere:?}");
        }
        assert_eq!(local_path(None), "/");
    }

    #[test]
    fn a_name_is_one_person_and_its_staff_another() {
        assert_eq!(dev_person_id("Ada", false), dev_person_id("Ada", false));
        assert_ne!(dev_person_id("Ada", false), dev_person_id("Ada", true));
        assert_ne!(dev_person_id("Ada", false), dev_person_id("Bob", false));
        assert_eq!(dev_person_id("Ada", false).get_version_num(), 4);
    }
}
