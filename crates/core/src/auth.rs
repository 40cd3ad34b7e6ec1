//! Supabase-compatible authentication (ARCHITECTURE.md, "Authentication").
//!
//! User tokens are HS256 JWTs signed with the project's secret, with
//! `aud = "authenticated"`, a UUID `sub` and an `exp`. Staff carry
//! `app_metadata.role` of `admin` or `moderator`; `role = "service_role"` is a
//! trusted service or operator. Supabase clients send the project's `anon`
//! key when nobody is signed in, so a valid `anon` token means "anonymous".

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{FromRequestParts, OptionalFromRequestParts};
use axum::http::header;
use axum::http::request::Parts;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::ApiError;

const AUDIENCE: &str = "authenticated";
/// A signed-in user's `role`; Supabase Auth gives users the same word as the audience.
const USER_ROLE: &str = "authenticated";
const SERVICE_ROLE: &str = "service_role";
const ANON_ROLE: &str = "anon";
const STAFF_ROLES: [&str; 2] = ["admin", "moderator"];

/// Who is calling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Caller {
    /// The user's id (`sub`). A service token without a `sub` acts as the nil UUID,
    /// which owns nothing.
    pub id: Uuid,
    pub kind: CallerKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallerKind {
    User,
    /// `app_metadata.role` of `admin` or `moderator`.
    Staff,
    /// `role = "service_role"`: another Hearth service or an operator.
    Service,
}

impl Caller {
    /// API.md: "Staff" = admin or moderator, or a service token.
    pub fn is_staff(&self) -> bool {
        matches!(self.kind, CallerKind::Staff | CallerKind::Service)
    }

    /// The person acting, for a write that a person must own (a donation, a
    /// report): a service token without a `sub` is nobody, and is refused
    /// (403) rather than recorded as the nil UUID.
    pub fn person(&self) -> Result<Uuid, ApiError> {
        if self.id.is_nil() {
            return Err(ApiError::forbidden(
                "a service token without a user acts for nobody; this needs a signed-in person",
            ));
        }
        Ok(self.id)
    }
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Audience {
    One(String),
    Many(Vec<String>),
}

impl Audience {
    fn contains(&self, wanted: &str) -> bool {
        match self {
            Audience::One(aud) => aud == wanted,
            Audience::Many(auds) => auds.iter().any(|a| a == wanted),
        }
    }
}

#[derive(Debug, Default, Deserialize, Serialize)]
struct AppMetadata {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    role: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Claims {
    sub: Option<String>,
    aud: Option<Audience>,
    role: Option<String>,
    #[serde(default)]
    app_metadata: AppMetadata,
}

/// Checks tokens against the project's secret. Cheap to clone.
#[derive(Clone)]
pub struct Authenticator {
    key: Arc<DecodingKey>,
    validation: Arc<Validation>,
}

impl std::fmt::Debug for Authenticator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Authenticator { .. }")
    }
}

impl Authenticator {
    pub fn new(secret: &str) -> Self {
        // Only HS256: a token naming any other algorithm, `none` included, is refused.
        let mut validation = Validation::new(Algorithm::HS256);
        // The audience depends on the role (service tokens have none), so it is checked below.
        validation.validate_aud = false;
        validation.required_spec_claims = HashSet::from(["exp".to_owned()]);
        Self {
            key: Arc::new(DecodingKey::from_secret(secret.as_bytes())),
            validation: Arc::new(validation),
        }
    }

    /// `Ok(None)` is a valid anonymous (`anon`) token.
    pub fn authenticate(&self, token: &str) -> Result<Option<Caller>, ApiError> {
        let claims = jsonwebtoken::decode::<Claims>(token, &self.key, &self.validation)
            .map_err(|e| ApiError::unauthenticated(format!("invalid token: {e}")))?
            .claims;
        match claims.role.as_deref() {
            Some(SERVICE_ROLE) => Ok(Some(Caller {
                id: parse_sub(claims.sub.as_deref())?.unwrap_or(Uuid::nil()),
                kind: CallerKind::Service,
            })),
            Some(ANON_ROLE) => Ok(None),
            Some(USER_ROLE) => user_caller(&claims).map(Some),
            other => Err(ApiError::unauthenticated(format!(
                "invalid token: the role must be \"authenticated\", \"service_role\" or \"anon\", got {other:?}"
            ))),
        }
    }
}

/// A request's token, once verified: kept in the request's extensions, so
/// that the middleware that needs the caller and the handler's extractor
/// verify it once between them.
#[derive(Debug, Clone, Copy)]
struct Verified(Option<Caller>);

/// The caller named by the `Authorization` header, if any; verified once per
/// request.
fn verified_caller(
    authorization: Option<&header::HeaderValue>,
    extensions: &mut axum::http::Extensions,
) -> Result<Option<Caller>, ApiError> {
    if let Some(Verified(caller)) = extensions.get::<Verified>() {
        return Ok(*caller);
    }
    let Some(value) = authorization else {
        return Ok(None);
    };
    let token = value
        .to_str()
        .ok()
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .ok_or_else(|| ApiError::unauthenticated("expected Authorization: Bearer <token>"))?;
    let caller = authenticator(extensions)?.authenticate(token.trim())?;
    extensions.insert(Verified(caller));
    Ok(caller)
}

fn user_caller(claims: &Claims) -> Result<Caller, ApiError> {
    if !claims
        .aud
        .as_ref()
        .is_some_and(|aud| aud.contains(AUDIENCE))
    {
        return Err(ApiError::unauthenticated(
            "invalid token: the audience must be \"authenticated\"",
        ));
    }
    let id = parse_sub(claims.sub.as_deref())?
        .ok_or_else(|| ApiError::unauthenticated("invalid token: no sub"))?;
    let staff = claims
        .app_metadata
        .role
        .as_deref()
        .is_some_and(|role| STAFF_ROLES.contains(&role));
    Ok(Caller {
        id,
        kind: if staff {
            CallerKind::Staff
        } else {
            CallerKind::User
        },
    })
}

fn parse_sub(sub: Option<&str>) -> Result<Option<Uuid>, ApiError> {
    sub.map(|s| {
        Uuid::parse_str(s)
            .map_err(|_| ApiError::unauthenticated("invalid token: sub is not a UUID"))
    })
    .transpose()
}

fn authenticator(extensions: &axum::http::Extensions) -> Result<&Authenticator, ApiError> {
    extensions.get::<Authenticator>().ok_or_else(|| {
        ApiError::internal(anyhow::anyhow!(
            "no Authenticator extension: the router was not built by hearth_core::http"
        ))
    })
}

/// The caller a request's valid token names, for middleware that runs
/// before the handler; a missing or bad token is `None` (the handler's own
/// extractor then answers it).
pub fn signed_in(request: &mut axum::extract::Request) -> Option<Caller> {
    let authorization = request.headers().get(header::AUTHORIZATION).cloned();
    verified_caller(authorization.as_ref(), request.extensions_mut())
        .ok()
        .flatten()
}

/// A handler that takes `Caller` requires a signed-in caller: 401 otherwise.
impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        verified_caller(
            parts.headers.get(header::AUTHORIZATION),
            &mut parts.extensions,
        )?
        .ok_or_else(|| ApiError::unauthenticated("sign in to do this"))
    }
}

/// A handler that takes `Option<Caller>` serves anyone, but a token that is
/// sent must still be valid: a bad token is never silently "anonymous".
impl<S: Send + Sync> OptionalFromRequestParts<S> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Option<Self>, Self::Rejection> {
        verified_caller(
            parts.headers.get(header::AUTHORIZATION),
            &mut parts.extensions,
        )
    }
}

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

    /// A short-lived `service_role` token, for one service calling another.
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

#[cfg(test)]
mod tests {
    use super::*;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;

    const SECRET: &str = "test-secret-test-secret-test-secret!";

    fn sign(claims: serde_json::Value, secret: &str) -> String {
        jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            &claims,
            &EncodingKey::from_secret(secret.as_bytes()),
        )
        .expect("sign")
    }

    fn in_an_hour() -> i64 {
        chrono::Utc::now().timestamp() + 3600
    }

    fn auth() -> Authenticator {
        Authenticator::new(SECRET)
    }

    #[test]
    fn a_request_token_is_verified_once_and_a_bad_one_every_time() {
        let mut extensions = axum::http::Extensions::new();
        extensions.insert(auth());
        let id = Uuid::new_v4();
        let good = header::HeaderValue::try_from(format!(
            "Bearer {}",
            mint(SECRET, &TokenRequest::user(id)).expect("mint")
        ))
        .expect("header");
        let bad = header::HeaderValue::from_static("Bearer not-a-token");

        // A bad token is refused, and nothing is remembered of it.
        assert!(verified_caller(Some(&bad), &mut extensions).is_err());
        assert!(extensions.get::<Verified>().is_none());
        // A good one is remembered: asked again, the request's caller is not
        // decoded again (the header is not even read).
        let caller = verified_caller(Some(&good), &mut extensions).expect("valid");
        assert_eq!(caller.map(|c| c.id), Some(id));
        let again = verified_caller(Some(&bad), &mut extensions).expect("remembered");
        assert_eq!(again, caller);
    }

    #[test]
    fn a_user_token_names_the_user() {
        let id = Uuid::new_v4();
        let token = mint(SECRET, &TokenRequest::user(id)).expect("mint");
        let caller = auth()
            .authenticate(&token)
            .expect("valid")
            .expect("signed in");
        assert_eq!(
            caller,
            Caller {
                id,
                kind: CallerKind::User
            }
        );
        assert!(!caller.is_staff());
    }

    #[test]
    fn admins_moderators_and_services_are_staff() {
        let id = Uuid::new_v4();
        for role in ["admin", "moderator"] {
            let token = sign(
                serde_json::json!({"sub": id, "aud": "authenticated", "role": "authenticated",
                    "exp": in_an_hour(), "app_metadata": {"role": role}}),
                SECRET,
            );
            let caller = auth().authenticate(&token).expect("valid").expect("caller");
            assert_eq!(caller.kind, CallerKind::Staff, "{role}");
        }
        let service = sign(
            serde_json::json!({"role": "service_role", "iss": "supabase", "exp": in_an_hour()}),
            SECRET,
        );
        let caller = auth()
            .authenticate(&service)
            .expect("valid")
            .expect("caller");
        assert!(caller.is_staff());
        assert_eq!(caller.id, Uuid::nil());
    }

    #[test]
    fn a_user_role_in_user_metadata_is_not_staff() {
        let token = sign(
            serde_json::json!({"sub": Uuid::new_v4(), "aud": "authenticated", "role": "authenticated", "exp": in_an_hour(),
                "app_metadata": {"role": "member"}, "user_metadata": {"role": "admin"}}),
            SECRET,
        );
        let caller = auth().authenticate(&token).expect("valid").expect("caller");
        assert_eq!(caller.kind, CallerKind::User);
    }

    #[test]
    fn the_anon_key_is_anonymous() {
        let anon = sign(
            serde_json::json!({"role": "anon", "iss": "supabase", "exp": in_an_hour()}),
            SECRET,
        );
        assert_eq!(auth().authenticate(&anon).expect("valid"), None);
    }

    #[test]
    fn bad_tokens_are_refused() {
        let sub = Uuid::new_v4();
        let expired = sign(
            serde_json::json!({"sub": sub, "aud": "authenticated", "role": "authenticated", "exp": 1_600_000_000}),
            SECRET,
        );
        let wrong_secret = sign(
            serde_json::json!({"sub": sub, "aud": "authenticated", "role": "authenticated", "exp": in_an_hour()}),
            "another-secret-another-secret-another",
        );
        let wrong_audience = sign(
            serde_json::json!({"sub": sub, "aud": "somebody-else", "role": "authenticated", "exp": in_an_hour()}),
            SECRET,
        );
        let no_exp = sign(
            serde_json::json!({"sub": sub, "aud": "authenticated", "role": "authenticated"}),
            SECRET,
        );
        let no_sub = sign(
            serde_json::json!({"aud": "authenticated", "role": "authenticated", "exp": in_an_hour()}),
            SECRET,
        );
        let alg_none = format!(
            "{}.{}.",
            URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#),
            URL_SAFE_NO_PAD.encode(
                serde_json::json!({"sub": sub, "aud": "authenticated", "role": "authenticated", "exp": in_an_hour(),
                    "app_metadata": {"role": "admin"}})
                .to_string()
            )
        );
        let no_role = sign(
            serde_json::json!({"sub": sub, "aud": "authenticated", "exp": in_an_hour()}),
            SECRET,
        );
        let other_role = sign(
            serde_json::json!({"sub": sub, "aud": "authenticated", "role": "supabase_admin", "exp": in_an_hour()}),
            SECRET,
        );
        for (name, token) in [
            ("no role", no_role),
            ("another role", other_role),
            ("expired", expired),
            ("wrong secret", wrong_secret),
            ("wrong audience", wrong_audience),
            ("no exp", no_exp),
            ("no sub", no_sub),
            ("alg none", alg_none),
            ("garbage", "not.a.token".to_owned()),
        ] {
            let err = auth().authenticate(&token).expect_err(name);
            assert_eq!(err.code(), "unauthenticated", "{name}");
        }
    }
}
