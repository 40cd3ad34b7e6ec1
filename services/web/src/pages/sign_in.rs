//! `/sign-in`, `/sign-up` and `/sign-out`.
//!
//! With `SUPABASE_URL` and `SUPABASE_ANON_KEY`, a person signs in with
//! email and password, or signs up, through Supabase Auth; the tokens it
//! answers go into HttpOnly cookies (`session.rs`). Under `hearth up`, with
//! its public development secret and no real keys, a tester signs in by
//! picking a display name, as a person or as staff: the site mints the
//! token itself, and the same name always signs in as the same person.
//! Anywhere else the development sign-in is refused (403).

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
use crate::api::Failure;
use crate::csrf::CsrfToken;
use crate::layout::Layout;
use crate::session::{
    cleared_cookies, session_cookies, Person, Viewer, NAME_COOKIE, SESSION_COOKIE,
};
use crate::supabase::{AuthFailure, Session, SignUp, Supabase};
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
    /// The development sign-in's form.
    dev: bool,
    /// Supabase Auth's email and password form.
    password: bool,
    next: String,
    /// `/sign-up?next=…`.
    sign_up_url: String,
    display_name: String,
    /// What was typed, shown again with a problem; never the password.
    email: String,
    error: Option<&'static str>,
    email_error: Option<String>,
    password_error: Option<String>,
}

impl SignInPage {
    fn new(state: &AppState, viewer: &Viewer, csrf: &CsrfToken, next: &str) -> Self {
        Self {
            layout: Layout::new(viewer).with_csrf(csrf),
            csrf: csrf.0.clone(),
            dev: state.dev_sign_in.is_some(),
            password: state.supabase.is_some(),
            next: next.to_owned(),
            sign_up_url: with_next("/sign-up", next),
            display_name: String::new(),
            email: String::new(),
            error: None,
            email_error: None,
            password_error: None,
        }
    }
}

#[derive(Template)]
#[template(path = "sign_up.html")]
struct SignUpPage {
    layout: Layout,
    csrf: String,
    /// Supabase Auth is configured: the form is offered.
    available: bool,
    next: String,
    /// `/sign-in?next=…`.
    sign_in_url: String,
    email: String,
    display_name: String,
    email_error: Option<String>,
    password_error: Option<String>,
    name_error: Option<String>,
    /// The address a confirmation link went to: "check your email".
    sent_to: Option<String>,
}

impl SignUpPage {
    fn new(state: &AppState, viewer: &Viewer, csrf: &CsrfToken, next: &str) -> Self {
        Self {
            layout: Layout::new(viewer).with_csrf(csrf),
            csrf: csrf.0.clone(),
            available: state.supabase.is_some(),
            next: next.to_owned(),
            sign_in_url: with_next("/sign-in", next),
            email: String::new(),
            display_name: String::new(),
            email_error: None,
            password_error: None,
            name_error: None,
            sent_to: None,
        }
    }
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
    let next = local_path(params.next.as_deref());
    render(&SignInPage::new(&state, &viewer, &csrf, next))
}

/// `GET /sign-up?next=`.
pub async fn show_sign_up(
    State(state): State<AppState>,
    viewer: Viewer,
    csrf: CsrfToken,
    Query(params): Query<NextParam>,
) -> Response {
    let next = local_path(params.next.as_deref());
    render(&SignUpPage::new(&state, &viewer, &csrf, next))
}

#[derive(Debug, Deserialize)]
pub struct SignInForm {
    csrf: String,
    /// The development sign-in's field.
    display_name: Option<String>,
    /// The "Sign in as staff" checkbox: present when ticked.
    staff: Option<String>,
    /// Supabase Auth's fields.
    email: Option<String>,
    password: Option<String>,
    next: Option<String>,
}

/// `POST /sign-in`: with Supabase Auth, email and password; else the
/// development sign-in, where it is on.
pub async fn sign_in(
    State(state): State<AppState>,
    csrf: CsrfToken,
    Form(form): Form<SignInForm>,
) -> Result<Response, PageError> {
    csrf.check(&form.csrf)?;
    if let Some(supabase) = &state.supabase {
        return Ok(password_sign_in(&state, supabase, &csrf, form).await);
    }
    dev_sign_in(&state, &csrf, form).await
}

/// Email and password, through Supabase Auth. A problem comes back on the
/// form, next to its field or as a notice, with the email kept.
async fn password_sign_in(
    state: &AppState,
    supabase: &Supabase,
    csrf: &CsrfToken,
    form: SignInForm,
) -> Response {
    let next = local_path(form.next.as_deref()).to_owned();
    let email = form.email.unwrap_or_default().trim().to_owned();
    let password = form.password.unwrap_or_default();
    let mut page = SignInPage::new(state, &Viewer::Visitor, csrf, &next);
    page.email.clone_from(&email);
    if email.is_empty() {
        page.email_error = Some("Enter your email address.".to_owned());
    }
    if password.is_empty() {
        page.password_error = Some("Enter your password.".to_owned());
    }
    if page.email_error.is_some() || page.password_error.is_some() {
        return (StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response();
    }
    match supabase.sign_in(&email, &password).await {
        Ok(session) => start_session(state, &session, None, &next).await,
        Err(failure) => {
            let problem = Problem::of(&failure);
            page.email_error = problem.email;
            page.password_error = problem.password;
            page.layout.notices.extend(problem.notice);
            (problem.status, render(&page)).into_response()
        }
    }
}

/// The development sign-in: a display name, and staff or not.
async fn dev_sign_in(
    state: &AppState,
    csrf: &CsrfToken,
    form: SignInForm,
) -> Result<Response, PageError> {
    let Some(dev) = &state.dev_sign_in else {
        return Err(PageError::Forbidden);
    };
    let next = local_path(form.next.as_deref()).to_owned();
    let typed = form.display_name.unwrap_or_default();
    let name = typed.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME {
        let mut page = SignInPage::new(state, &Viewer::Visitor, csrf, &next);
        page.display_name.clone_from(&typed);
        page.error = Some("Enter a display name of 1 to 80 characters.");
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
    if let Err(Failure::NotFound) = state.api.profile(id, &viewer).await {
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
pub struct SignUpForm {
    csrf: String,
    email: String,
    password: String,
    display_name: String,
    next: Option<String>,
}

/// `POST /sign-up`: a new account with Supabase Auth. It signs the person
/// in at once, or, where the project confirms addresses, says to check
/// their email.
pub async fn sign_up(
    State(state): State<AppState>,
    csrf: CsrfToken,
    Form(form): Form<SignUpForm>,
) -> Result<Response, PageError> {
    csrf.check(&form.csrf)?;
    let Some(supabase) = &state.supabase else {
        return Err(PageError::Forbidden);
    };
    let next = local_path(form.next.as_deref()).to_owned();
    let email = form.email.trim().to_owned();
    let name = form.display_name.trim().to_owned();
    let mut page = SignUpPage::new(&state, &Viewer::Visitor, &csrf, &next);
    page.email.clone_from(&email);
    page.display_name.clone_from(&form.display_name);
    if email.is_empty() {
        page.email_error = Some("Enter your email address.".to_owned());
    }
    if form.password.is_empty() {
        page.password_error = Some("Choose a password.".to_owned());
    }
    if name.is_empty() || name.chars().count() > MAX_NAME {
        page.name_error = Some("Enter a display name of 1 to 80 characters.".to_owned());
    }
    if page.email_error.is_some() || page.password_error.is_some() || page.name_error.is_some() {
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response());
    }
    Ok(
        match supabase.sign_up(&email, &form.password, &name).await {
            Ok(SignUp::SignedIn(session)) => {
                start_session(&state, &session, Some(&name), &next).await
            }
            Ok(SignUp::ConfirmEmail) => {
                page.sent_to = Some(email);
                render(&page)
            }
            Err(failure) => {
                let problem = Problem::of(&failure);
                page.email_error = problem.email;
                page.password_error = problem.password;
                page.layout.notices.extend(problem.notice);
                (problem.status, render(&page)).into_response()
            }
        },
    )
}

/// Sets a Supabase session's cookies and goes on to `next`. The header
/// greets the person by their profile's name; a first sign-in makes the
/// profile, with the name chosen at sign-up (or the email's first part).
async fn start_session(
    state: &AppState,
    session: &Session,
    chosen_name: Option<&str>,
    next: &str,
) -> Response {
    let fallback = chosen_name.map_or_else(|| session.user.display_name(), str::to_owned);
    let viewer = Viewer::Person(Person::new(
        session.user.id,
        fallback.clone(),
        false,
        session.access_token.clone(),
    ));
    let name = match state.api.profile(session.user.id, &viewer).await {
        Ok(profile) => profile.display_name,
        Err(Failure::NotFound) => {
            if let Err(failure) = state.api.save_display_name(&fallback, &viewer).await {
                tracing::warn!(%failure, "signed in without a profile");
            }
            fallback
        }
        Err(_) => fallback,
    };
    let headers = session_cookies(state.cookies, session, Some(&name));
    (headers, Redirect::to(next)).into_response()
}

/// Where a failure of Supabase Auth shows on a form.
struct Problem {
    status: StatusCode,
    email: Option<String>,
    password: Option<String>,
    notice: Option<String>,
}

impl Problem {
    fn of(failure: &AuthFailure) -> Self {
        let field = |email: Option<&str>, password: Option<String>| Problem {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            email: email.map(str::to_owned),
            password,
            notice: None,
        };
        let notice = |status, text: &str| Problem {
            status,
            email: None,
            password: None,
            notice: Some(text.to_owned()),
        };
        match failure {
            AuthFailure::WrongCredentials => {
                field(None, Some("The email or the password is wrong.".to_owned()))
            }
            AuthFailure::EmailNotConfirmed => field(
                Some("This address is not confirmed yet: open the link in the email we sent, then sign in."),
                None,
            ),
            AuthFailure::WeakPassword(why) => {
                let text = if why.is_empty() {
                    "Choose a stronger password.".to_owned()
                } else {
                    format!("Choose a stronger password: {why}")
                };
                field(None, Some(text))
            }
            AuthFailure::EmailTaken => field(
                Some("An account with this email exists; sign in instead."),
                None,
            ),
            AuthFailure::InvalidEmail => field(Some("Enter a valid email address."), None),
            AuthFailure::RateLimited => notice(
                StatusCode::TOO_MANY_REQUESTS,
                "Too many attempts; wait a minute and try again.",
            ),
            AuthFailure::SignUpDisabled => notice(
                StatusCode::FORBIDDEN,
                "New accounts cannot be made here right now.",
            ),
            AuthFailure::Refused => notice(
                StatusCode::UNPROCESSABLE_ENTITY,
                "Signing in was refused; check your email and password.",
            ),
            AuthFailure::Unavailable => notice(
                StatusCode::SERVICE_UNAVAILABLE,
                "Signing in is unavailable right now; try again shortly.",
            ),
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct SignOutForm {
    csrf: String,
}

/// `POST /sign-out`: forgets the session, and ends it at Supabase Auth
/// too, so its refresh token cannot be used again.
pub async fn sign_out(
    State(state): State<AppState>,
    viewer: Viewer,
    csrf: CsrfToken,
    Form(form): Form<SignOutForm>,
) -> Result<Response, PageError> {
    csrf.check(&form.csrf)?;
    if let (Some(supabase), Some(token)) = (&state.supabase, viewer.token()) {
        // The browser forgets the session whatever Supabase answers.
        if let Err(failure) = supabase.sign_out(token).await {
            tracing::warn!(?failure, "Supabase Auth did not end the session");
        }
    }
    Ok((cleared_cookies(state.cookies), Redirect::to("/")).into_response())
}

/// `path?next=…`, when `next` is not the home page.
fn with_next(path: &str, next: &str) -> String {
    if next == "/" {
        return path.to_owned();
    }
    let encoded: String = url::form_urlencoded::byte_serialize(next.as_bytes()).collect();
    format!("{path}?next={encoded}")
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
