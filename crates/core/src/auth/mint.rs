//! Minting tokens shaped like Supabase Auth's: `hearth token`, `hearth up`'s
//! welcome, and the tests.

use std::time::Duration;

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde::Serialize;
use uuid::Uuid;

use super::{AppMetadata, AUDIENCE, SERVICE_ROLE, USER_ROLE};

/// What `hearth token` and the tests mint.
#[derive(Debug, Clone)]
pub struct TokenRequest {
    pub sub: Option<Uuid>,
    /// `Some("admin")` or `Some("moderator")` makes the token staff.
    pub staff_role: Option<String>,
    pub service: bool,
    pub ttl: Duration,
}

impl TokenRequest {
    pub fn user(sub: Uuid) -> Self {
        Self {
            sub: Some(sub),
            staff_role: None,
            service: false,
            ttl: Duration::from_secs(3600),
        }
    }

    /// A short-lived `service_role` token: an operator, staff everywhere.
    /// Services calling each other send scoped tokens instead
    /// ([`super::ServiceTokenKey`]).
    pub fn service() -> Self {
        Self {
            sub: None,
            staff_role: None,
            service: true,
            ttl: Duration::from_secs(60),
        }
    }

    pub fn staff(sub: Uuid) -> Self {
        Self {
            staff_role: Some("admin".to_owned()),
            ..Self::user(sub)
        }
    }
}

#[derive(Serialize)]
struct MintedClaims<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    sub: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    aud: Option<&'a str>,
    role: &'a str,
    iat: i64,
    exp: i64,
    app_metadata: AppMetadata,
}

/// Signs a token shaped like Supabase Auth's.
pub fn mint(secret: &str, request: &TokenRequest) -> Result<String, jsonwebtoken::errors::Error> {
    let now = chrono::Utc::now().timestamp();
    let ttl = i64::try_from(request.ttl.as_secs()).unwrap_or(i64::MAX / 2);
    let claims = MintedClaims {
        sub: request.sub.map(|s| s.to_string()),
        aud: (!request.service).then_some(AUDIENCE),
        role: if request.service {
            SERVICE_ROLE
        } else {
            USER_ROLE
        },
        iat: now,
        exp: now.saturating_add(ttl),
        app_metadata: AppMetadata {
            role: request.staff_role.clone(),
        },
    };
    jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    )
}
