//! Supabase Auth's REST API (GoTrue), the part the site uses: signing in
//! with email and password, signing up, refreshing a session and signing out.
//!
//! Every call carries the project's public key in `apikey`. The tokens it
//! answers go into HttpOnly cookies (`session.rs`), never into a page.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use serde::Deserialize;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use tokio::sync::OnceCell;
use url::Url;
use uuid::Uuid;

use crate::config::SupabaseAuth;

/// Supabase Auth answers in milliseconds; a person waits on this.
const TIMEOUT: Duration = Duration::from_secs(5);
/// How long the answer to one refresh token is shared: Supabase's own
/// default reuse interval, within which it too answers a spent refresh
/// token with the session that replaced it.
const REFRESH_SHARED_FOR: Duration = Duration::from_secs(10);

/// One refresh, shared by the requests that present the same refresh token.
type SharedRefresh = Arc<OnceCell<Result<Session, AuthFailure>>>;
/// The refreshes of the last [`REFRESH_SHARED_FOR`], by the SHA-256 of
/// their refresh token, with when each began.
type RecentRefreshes = Mutex<HashMap<[u8; 32], (Instant, SharedRefresh)>>;

/// The client for one project's Supabase Auth.
#[derive(Clone)]
pub struct Supabase {
    http: reqwest::Client,
    base: Url,
    anon_key: String,
    /// Refreshes under way or just answered, by the SHA-256 of their
    /// refresh token: a page and its fragments arriving together with the
    /// same spent-soon token make one call, not one each (a refresh token
    /// is good once, and a second call could be refused and sign out).
    refreshes: Arc<RecentRefreshes>,
}

impl std::fmt::Debug for Supabase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Supabase")
            .field("base", &self.base.as_str())
            .finish_non_exhaustive()
    }
}

/// What a successful sign-in, sign-up or refresh answers.
#[derive(Clone, Deserialize)]
pub struct Session {
    pub access_token: String,
    pub refresh_token: String,
    /// Seconds the access token is good for.
    pub expires_in: u64,
    pub user: User,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("expires_in", &self.expires_in)
            .field("user", &self.user.id)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct User {
    pub id: Uuid,
    pub email: Option<String>,
    #[serde(default)]
    pub user_metadata: Value,
}

impl User {
    /// The display name given at sign-up, else the email's local part.
    pub fn display_name(&self) -> String {
        self.user_metadata
            .get("display_name")
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .or_else(|| self.email.as_deref().and_then(|e| e.split('@').next()))
            .filter(|n| !n.is_empty())
            .unwrap_or("you")
            .to_owned()
    }
}

/// What signing up answers: a session when the project does not confirm
/// email addresses, else a user who must open the email first.
#[derive(Debug)]
pub enum SignUp {
    SignedIn(Session),
    ConfirmEmail,
}

/// Why Supabase Auth said no, in the terms a form shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthFailure {
    /// Wrong email or password (400 `invalid_grant` / `invalid_credentials`).
    WrongCredentials,
    /// The address was never confirmed.
    EmailNotConfirmed,
    /// The password is too weak; Supabase's words for why.
    WeakPassword(String),
    /// An account with this email exists.
    EmailTaken,
    /// Not an address Supabase accepts.
    InvalidEmail,
    /// 429: too many attempts.
    RateLimited,
    /// Sign-ups are closed on this project.
    SignUpDisabled,
    /// The refresh token (or another credential) is not good any more.
    Refused,
    /// No connection, a time-out, a 5xx or an answer it cannot read.
    Unavailable,
}

/// An error body: GoTrue answers `{error, error_description}` on the token
/// endpoint and `{code, error_code, msg}` elsewhere.
#[derive(Debug, Default, Deserialize)]
struct ErrorBody {
    error: Option<String>,
    error_code: Option<String>,
    error_description: Option<String>,
    msg: Option<String>,
}

impl Supabase {
    pub fn new(config: &SupabaseAuth) -> anyhow::Result<Self> {
        Ok(Self {
            http: hearth_core::service_client::client(TIMEOUT)?,
            base: config.url.clone(),
            anon_key: config.anon_key.clone(),
            refreshes: Arc::default(),
        })
    }

    /// `POST /auth/v1/token?grant_type=password`.
    pub async fn sign_in(&self, email: &str, password: &str) -> Result<Session, AuthFailure> {
        let body = json!({ "email": email, "password": password });
        let answer = self
            .call(Method::POST, "token", Some("password"), &body, None)
            .await?;
        read_session(answer).await
    }

    /// `POST /auth/v1/signup`; `display_name` becomes the user's metadata,
    /// so a first sign-in after confirming the email can name the profile.
    pub async fn sign_up(
        &self,
        email: &str,
        password: &str,
        display_name: &str,
    ) -> Result<SignUp, AuthFailure> {
        let body = json!({
            "email": email,
            "password": password,
            "data": { "display_name": display_name },
        });
        let answer = self.call(Method::POST, "signup", None, &body, None).await?;
        let value: Value = answer.json().await.map_err(unreadable)?;
        if value.get("access_token").is_some() {
            serde_json::from_value(value)
                .map(SignUp::SignedIn)
                .map_err(unreadable)
        } else {
            Ok(SignUp::ConfirmEmail)
        }
    }

    /// `POST /auth/v1/token?grant_type=refresh_token`: a new access token
    /// and a new refresh token (each refresh token is good once). Requests
    /// presenting the same refresh token within [`REFRESH_SHARED_FOR`] share
    /// one call and its answer.
    pub async fn refresh(&self, refresh_token: &str) -> Result<Session, AuthFailure> {
        let key: [u8; 32] = Sha256::digest(refresh_token.as_bytes()).into();
        let shared = {
            let mut refreshes = self.refreshes.lock().unwrap_or_else(|e| e.into_inner());
            refreshes.retain(|_, (at, _)| at.elapsed() < REFRESH_SHARED_FOR);
            refreshes
                .entry(key)
                .or_insert_with(|| (Instant::now(), SharedRefresh::default()))
                .1
                .clone()
        };
        shared
            .get_or_init(|| self.refresh_once(refresh_token))
            .await
            .clone()
    }

    async fn refresh_once(&self, refresh_token: &str) -> Result<Session, AuthFailure> {
        let body = json!({ "refresh_token": refresh_token });
        let answer = self
            .call(Method::POST, "token", Some("refresh_token"), &body, None)
            .await?;
        read_session(answer).await
    }

    /// `POST /auth/v1/logout` with the person's token: ends the session at
    /// Supabase too, so its refresh token is good for nothing any more.
    pub async fn sign_out(&self, access_token: &str) -> Result<(), AuthFailure> {
        self.call(Method::POST, "logout", None, &json!({}), Some(access_token))
            .await
            .map(drop)
    }

    /// One call; any answer other than 2xx becomes an [`AuthFailure`].
    async fn call(
        &self,
        method: Method,
        endpoint: &str,
        grant_type: Option<&str>,
        body: &Value,
        bearer: Option<&str>,
    ) -> Result<reqwest::Response, AuthFailure> {
        let mut url = self.base.clone();
        url.path_segments_mut()
            .map_err(|()| AuthFailure::Unavailable)?
            .pop_if_empty()
            .extend(["auth", "v1", endpoint]);
        if let Some(grant_type) = grant_type {
            url.query_pairs_mut().append_pair("grant_type", grant_type);
        }
        let mut request = self
            .http
            .request(method, url)
            .header("apikey", &self.anon_key)
            .json(body);
        if let Some(token) = bearer {
            request = request.bearer_auth(token);
        }
        let answer = request.send().await.map_err(|err| {
            tracing::warn!(error = %err, endpoint, "Supabase Auth did not answer");
            AuthFailure::Unavailable
        })?;
        if answer.status().is_success() {
            return Ok(answer);
        }
        let status = answer.status();
        let body: ErrorBody = answer.json().await.unwrap_or_default();
        let failure = classify(status, &body);
        if failure == AuthFailure::Unavailable {
            tracing::warn!(%status, endpoint, code = ?body.error_code, "Supabase Auth failed");
        }
        Err(failure)
    }
}

async fn read_session(answer: reqwest::Response) -> Result<Session, AuthFailure> {
    answer.json().await.map_err(unreadable)
}

fn unreadable(err: impl std::fmt::Display) -> AuthFailure {
    tracing::warn!(error = %err, "an answer of Supabase Auth could not be read");
    AuthFailure::Unavailable
}

/// GoTrue's own advice: identify an error by `error_code` (or the OAuth
/// `error`), not by its status or message; 400 and 422 are interchangeable.
fn classify(status: StatusCode, body: &ErrorBody) -> AuthFailure {
    if status == StatusCode::TOO_MANY_REQUESTS {
        return AuthFailure::RateLimited;
    }
    if status.is_server_error() || !status.is_client_error() {
        return AuthFailure::Unavailable;
    }
    let code = body
        .error_code
        .as_deref()
        .or(body.error.as_deref())
        .unwrap_or("");
    let words = body
        .msg
        .as_deref()
        .or(body.error_description.as_deref())
        .unwrap_or("");
    match code {
        "invalid_credentials" => AuthFailure::WrongCredentials,
        "invalid_grant" if words.contains("Refresh Token") => AuthFailure::Refused,
        "invalid_grant" => AuthFailure::WrongCredentials,
        "email_not_confirmed" => AuthFailure::EmailNotConfirmed,
        "weak_password" => AuthFailure::WeakPassword(words.to_owned()),
        "user_already_exists" | "email_exists" => AuthFailure::EmailTaken,
        "email_address_invalid" | "validation_failed" => AuthFailure::InvalidEmail,
        "signup_disabled" | "email_provider_disabled" => AuthFailure::SignUpDisabled,
        "over_request_rate_limit" | "over_email_send_rate_limit" => AuthFailure::RateLimited,
        _ => AuthFailure::Refused,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(code: &str, msg: &str) -> ErrorBody {
        ErrorBody {
            error_code: Some(code.to_owned()),
            msg: Some(msg.to_owned()),
            ..ErrorBody::default()
        }
    }

    #[test]
    fn errors_are_told_apart_by_their_code() {
        let oauth = ErrorBody {
            error: Some("invalid_grant".to_owned()),
            error_description: Some("Invalid login credentials".to_owned()),
            ..ErrorBody::default()
        };
        assert_eq!(
            classify(StatusCode::BAD_REQUEST, &oauth),
            AuthFailure::WrongCredentials
        );
        let stale = ErrorBody {
            error: Some("invalid_grant".to_owned()),
            error_description: Some("Invalid Refresh Token: Already Used".to_owned()),
            ..ErrorBody::default()
        };
        assert_eq!(
            classify(StatusCode::BAD_REQUEST, &stale),
            AuthFailure::Refused
        );
        assert_eq!(
            classify(
                StatusCode::UNPROCESSABLE_ENTITY,
                &body("weak_password", "Password should be at least 6 characters.")
            ),
            AuthFailure::WeakPassword("Password should be at least 6 characters.".to_owned())
        );
        assert_eq!(
            classify(StatusCode::BAD_REQUEST, &body("user_already_exists", "")),
            AuthFailure::EmailTaken
        );
        assert_eq!(
            classify(StatusCode::TOO_MANY_REQUESTS, &ErrorBody::default()),
            AuthFailure::RateLimited
        );
        assert_eq!(
            classify(StatusCode::BAD_GATEWAY, &ErrorBody::default()),
            AuthFailure::Unavailable
        );
    }

    #[test]
    fn a_person_is_greeted_by_their_chosen_name_or_their_address() {
        let named = User {
            id: Uuid::nil(),
            email: Some("ada@example.com".to_owned()),
            user_metadata: json!({"display_name": " Ada "}),
        };
        assert_eq!(named.display_name(), "Ada");
        let unnamed = User {
            user_metadata: Value::Null,
            ..named
        };
        assert_eq!(unnamed.display_name(), "ada");
    }
}
