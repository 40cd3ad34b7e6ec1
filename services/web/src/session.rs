//! Who is looking at a page.
//!
//! Every handler takes a [`Viewer`] and hands it to every API call, which
//! forwards its token. The session is the access token in an HttpOnly cookie
//! (no page script can read it), checked here as the APIs check it: an
//! expired or forged one makes a visitor, never an error.
//!
//! With Supabase Auth, the refresh token waits in a second HttpOnly cookie,
//! and [`keep_fresh`] trades it for a new pair before the access token
//! expires, so a person stays signed in while they use the site.

use std::convert::Infallible;
use std::time::Duration;

use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap};
use axum::middleware::Next;
use axum::response::Response;
use base64::Engine;
use hearth_core::auth::CallerKind;
use uuid::Uuid;

use crate::cookies::{self, CookieRules};
use crate::supabase::{AuthFailure, Session};
use crate::AppState;

/// The access token.
pub const SESSION_COOKIE: &str = "hearth_session";
/// The display name to greet the person by (display only: the APIs know
/// the person by the token).
pub const NAME_COOKIE: &str = "hearth_name";
/// Supabase's refresh token: good once, for a new access token.
pub const REFRESH_COOKIE: &str = "hearth_refresh";
/// How long the browser keeps a Supabase session's cookies: the refresh
/// token outlives any one access token, and Supabase decides when it ends.
pub const SESSION_MAX_AGE: Duration = Duration::from_secs(30 * 24 * 3600);
/// An access token with fewer seconds left than this is refreshed before
/// the page uses it: enough for the page's own calls to the APIs to finish.
pub const REFRESH_MARGIN_SECONDS: i64 = 60;

#[derive(Debug, Clone)]
pub enum Viewer {
    /// Nobody signed in: the public view of everything.
    Visitor,
    Person(Person),
}

/// A signed-in person, as their session says.
#[derive(Clone)]
pub struct Person {
    pub id: Uuid,
    pub display_name: String,
    /// Staff see the moderator console and what is hidden from the public.
    pub staff: bool,
    /// The access token forwarded to the APIs. Never rendered into a page.
    token: String,
}

impl std::fmt::Debug for Person {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Person")
            .field("id", &self.id)
            .field("staff", &self.staff)
            .finish_non_exhaustive()
    }
}

impl Person {
    pub fn new(id: Uuid, display_name: String, staff: bool, token: String) -> Self {
        Self {
            id,
            display_name,
            staff,
            token,
        }
    }
}

impl Viewer {
    /// The bearer token to forward, when someone is signed in.
    pub fn token(&self) -> Option<&str> {
        match self {
            Viewer::Visitor => None,
            Viewer::Person(person) => Some(&person.token),
        }
    }

    pub fn person(&self) -> Option<&Person> {
        match self {
            Viewer::Visitor => None,
            Viewer::Person(person) => Some(person),
        }
    }
}

/// What [`keep_fresh`] decided for this request: the access token to use
/// instead of the cookie's (`None`: the session ended).
#[derive(Debug, Clone)]
struct Refreshed(Option<String>);

impl FromRequestParts<AppState> for Viewer {
    type Rejection = Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = match parts.extensions.get::<Refreshed>() {
            Some(Refreshed(token)) => token.clone(),
            None => cookies::get(&parts.headers, SESSION_COOKIE).map(str::to_owned),
        };
        let Some(token) = token.as_deref() else {
            return Ok(Viewer::Visitor);
        };
        let caller = match state.auth.authenticate(token).await {
            Ok(Some(caller)) if !caller.id.is_nil() => caller,
            // Anonymous, service or refused: not a person's session.
            Ok(_) | Err(_) => return Ok(Viewer::Visitor),
        };
        let display_name = cookies::get(&parts.headers, NAME_COOKIE)
            .and_then(|raw| {
                url::form_urlencoded::parse(format!("n={raw}").as_bytes())
                    .next()
                    .map(|(_, v)| v.into_owned())
            })
            .filter(|n| !n.trim().is_empty())
            .unwrap_or_else(|| "you".to_owned());
        Ok(Viewer::Person(Person::new(
            caller.id,
            display_name,
            matches!(caller.kind, CallerKind::Staff | CallerKind::Service),
            token.to_owned(),
        )))
    }
}

/// The `Set-Cookie`s of a Supabase session: the access token, the refresh
/// token and (when given) the name the header greets.
pub fn session_cookies(rules: CookieRules, session: &Session, name: Option<&str>) -> HeaderMap {
    let max_age = SESSION_MAX_AGE.as_secs();
    let mut headers = HeaderMap::new();
    headers.append(
        header::SET_COOKIE,
        rules.set(SESSION_COOKIE, &session.access_token, "Lax", max_age),
    );
    headers.append(
        header::SET_COOKIE,
        rules.set(REFRESH_COOKIE, &session.refresh_token, "Lax", max_age),
    );
    if let Some(name) = name {
        let encoded: String = url::form_urlencoded::byte_serialize(name.as_bytes()).collect();
        headers.append(
            header::SET_COOKIE,
            rules.set(NAME_COOKIE, &encoded, "Lax", max_age),
        );
    }
    headers
}

/// The `Set-Cookie`s that forget a session.
pub fn cleared_cookies(rules: CookieRules) -> HeaderMap {
    let mut headers = HeaderMap::new();
    for name in [SESSION_COOKIE, REFRESH_COOKIE, NAME_COOKIE] {
        headers.append(header::SET_COOKIE, rules.set(name, "", "Lax", 0));
    }
    headers
}

/// Middleware: with Supabase Auth, refreshes a session whose access token
/// is missing, unreadable or has under [`REFRESH_MARGIN_SECONDS`] left, before the
/// page runs, and sets the new cookies on its answer. A refresh token that
/// Supabase refuses ends the session (its cookies are cleared); Supabase
/// unreachable leaves the cookies as they are, to try again next time.
pub async fn keep_fresh(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    // Only pages and their fragments: the stylesheet, the script and the
    // probes load beside a page and would spend the same refresh token.
    let path = request.uri().path();
    let page =
        !(path.starts_with("/static/") || path.starts_with("/health/") || path == "/metrics");
    let Some(supabase) = state.supabase.as_ref().filter(|_| page) else {
        return next.run(request).await;
    };
    let Some(refresh_token) = cookies::get(request.headers(), REFRESH_COOKIE).map(str::to_owned)
    else {
        return next.run(request).await;
    };
    let fresh_enough = cookies::get(request.headers(), SESSION_COOKIE)
        .and_then(seconds_left)
        .is_some_and(|left| left > REFRESH_MARGIN_SECONDS);
    if fresh_enough {
        return next.run(request).await;
    }
    match supabase.refresh(&refresh_token).await {
        Ok(session) => {
            request
                .extensions_mut()
                .insert(Refreshed(Some(session.access_token.clone())));
            let mut response = next.run(request).await;
            if !sets_session(&response) {
                response
                    .headers_mut()
                    .extend(session_cookies(state.cookies, &session, None));
            }
            response
        }
        Err(AuthFailure::Unavailable | AuthFailure::RateLimited) => next.run(request).await,
        Err(failure) => {
            tracing::info!(?failure, "a session's refresh was refused; signed out");
            request.extensions_mut().insert(Refreshed(None));
            let mut response = next.run(request).await;
            if !sets_session(&response) {
                response
                    .headers_mut()
                    .extend(cleared_cookies(state.cookies));
            }
            response
        }
    }
}

/// Whether the page itself set or cleared the session (signing in or out):
/// then its cookies stand, and the refresh's would only undo them.
fn sets_session(response: &Response) -> bool {
    response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|c| c.starts_with(&format!("{SESSION_COOKIE}=")))
}

/// Seconds until the token's `exp`, read without checking its signature:
/// only to decide when to refresh (the [`Viewer`] checks the token itself).
fn seconds_left(token: &str) -> Option<i64> {
    let payload = token.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .ok()?;
    let claims: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    let exp = claims.get("exp")?.as_i64()?;
    Some(exp - chrono::Utc::now().timestamp())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_time_left_is_read_from_the_tokens_exp() {
        let token = hearth_core::auth::mint(
            "a-secret-of-at-least-thirty-two-characters-long",
            &hearth_core::auth::TokenRequest {
                ttl: Duration::from_secs(600),
                ..hearth_core::auth::TokenRequest::user(Uuid::new_v4())
            },
        )
        .expect("mint");
        let left = seconds_left(&token).expect("an exp");
        assert!((590..=600).contains(&left), "{left}");
        assert_eq!(seconds_left("garbage"), None);
        assert_eq!(seconds_left("a.b.c"), None);
    }

    #[test]
    fn both_tokens_are_http_only_lax_and_secure_under_https() {
        let session: Session = serde_json::from_value(serde_json::json!({
            "access_token": "a.b.c", "refresh_token": "r1", "expires_in": 3600,
            "user": {"id": Uuid::new_v4(), "email": "ada@example.com"}
        }))
        .expect("a session");
        let headers = session_cookies(CookieRules { secure: true }, &session, Some("Ada L"));
        let set: Vec<&str> = headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect();
        assert_eq!(set.len(), 3, "{set:?}");
        for cookie in &set {
            assert!(cookie.contains("; HttpOnly; SameSite=Lax;"), "{cookie}");
            assert!(cookie.ends_with("; Secure"), "{cookie}");
        }
        assert!(set[0].starts_with("hearth_session=a.b.c;"));
        assert!(set[1].starts_with("hearth_refresh=r1;"));
        assert!(set[2].starts_with("hearth_name=Ada+L;"));
        let cleared = cleared_cookies(CookieRules { secure: false });
        assert!(cleared.get_all(header::SET_COOKIE).iter().all(|v| v
            .to_str()
            .is_ok_and(|c| c.contains("=; ") && c.contains("Max-Age=0"))));
    }
}
