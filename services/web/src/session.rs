//! Who is looking at a page.
//!
//! Every handler takes a [`Viewer`] and hands it to every API call, which
//! forwards its token; so when sign-in arrives (a session in HttpOnly
//! cookies, read here), every page and call is already per person. Until
//! then everyone is a [`Viewer::Visitor`] and sees what the public sees.

use std::convert::Infallible;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use uuid::Uuid;

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

impl<S: Send + Sync> FromRequestParts<S> for Viewer {
    type Rejection = Infallible;

    /// No sessions yet: the sign-in slice reads its cookie here.
    async fn from_request_parts(_parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(Viewer::Visitor)
    }
}
