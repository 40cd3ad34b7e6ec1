//! Who is looking at a page.
//!
//! Every handler takes a [`Viewer`] and hands it to every API call, which
//! forwards its token. The session is the access token in an HttpOnly cookie
//! (no page script can read it), checked here as the APIs check it: an
//! expired or forged one makes a visitor, never an error.

use std::convert::Infallible;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use hearth_core::auth::CallerKind;
use uuid::Uuid;

use crate::cookies;
use crate::AppState;

/// The access token.
pub const SESSION_COOKIE: &str = "hearth_session";
/// The display name to greet the person by (display only: the APIs know
/// the person by the token).
pub const NAME_COOKIE: &str = "hearth_name";

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

impl FromRequestParts<AppState> for Viewer {
    type Rejection = Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let Some(token) = cookies::get(&parts.headers, SESSION_COOKIE) else {
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
