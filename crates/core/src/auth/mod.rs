//! Supabase-compatible authentication (docs/architecture.md, "Authentication").
//!
//! User tokens are JWTs with `aud = "authenticated"`, a UUID `sub` and an
//! `exp`, signed either HS256 with the project's secret (`JWT_SECRET`) or
//! ES256/RS256 with a key Supabase publishes in its JWKS (`jwks.rs`). Staff
//! carry `app_metadata.role` of `admin` or `moderator`; `role =
//! "service_role"` is a trusted operator. Supabase clients send the project's
//! `anon` key when nobody is signed in, so a valid `anon` token means
//! "anonymous". Services calling each other send scoped service tokens
//! (`service_token.rs`), which are never a [`Caller`].
//!
//! - `jwks.rs`: the provider's public keys, fetched and cached;
//! - `service_token.rs`: tokens good for one call between services;
//! - `mint.rs`: tokens for `hearth token`, `hearth up` and the tests.

mod jwks;
mod mint;
mod service_token;

pub use jwks::{Jwks, JwksTiming};
pub use mint::{mint, TokenRequest};
pub use service_token::{
    Grant, Scope, ServiceCaller, ServiceTokenKey, DONATION_PARTIES_READ, SERVICE_TOKEN_TTL,
};

use std::collections::HashSet;
use std::sync::Arc;

use axum::extract::{FromRequestParts, OptionalFromRequestParts};
use axum::http::header;
use axum::http::request::Parts;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::config::AuthConfig;
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
    /// `role = "service_role"`: an operator, or a tool holding Supabase's service key.
    Service,
}

impl Caller {
    /// docs/api.md: "staff" is admin or moderator, or a service token.
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
    /// Only scoped service tokens have one; see `service_token.rs`.
    scope: Option<serde_json::Value>,
}

/// Checks tokens: HS256 against `JWT_SECRET`, ES256/RS256 against the JWKS,
/// whichever are configured. Cheap to clone.
#[derive(Clone)]
pub struct Authenticator {
    keys: Arc<Keys>,
}

struct Keys {
    secret: Option<DecodingKey>,
    jwks: Option<Jwks>,
    /// For handlers that accept a scoped service token ([`ServiceCaller`]).
    service_tokens: Option<ServiceTokenKey>,
}

impl std::fmt::Debug for Authenticator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Authenticator")
            .field("hs256", &self.keys.secret.is_some())
            .field("jwks", &self.keys.jwks)
            .finish_non_exhaustive()
    }
}

impl Authenticator {
    /// HS256 tokens signed with `secret`, nothing else.
    pub fn new(secret: &str) -> Self {
        Self::with_keys(Some(secret), None, None)
    }

    /// Whichever of the three are given. With none, every token is a 401.
    pub fn with_keys(
        secret: Option<&str>,
        jwks: Option<Jwks>,
        service_tokens: Option<ServiceTokenKey>,
    ) -> Self {
        Self {
            keys: Arc::new(Keys {
                secret: secret.map(|s| DecodingKey::from_secret(s.as_bytes())),
                jwks,
                service_tokens,
            }),
        }
    }

    /// What the configuration names. The JWKS is fetched in the background
    /// when a runtime is running: a provider briefly down must not stop the
    /// service (its tokens are 401 until the set loads).
    pub fn from_config(config: &AuthConfig) -> Self {
        let jwks = config.jwks_url.clone().map(Jwks::new);
        if let (Some(jwks), Ok(runtime)) = (&jwks, tokio::runtime::Handle::try_current()) {
            let jwks = jwks.clone();
            runtime.spawn(async move { jwks.load().await });
        }
        let service_tokens = config
            .service_token_secret
            .as_deref()
            .map(ServiceTokenKey::new);
        Self::with_keys(config.jwt_secret.as_deref(), jwks, service_tokens)
    }

    fn service_tokens(&self) -> Option<&ServiceTokenKey> {
        self.keys.service_tokens.as_ref()
    }

    /// `Ok(None)` is a valid anonymous (`anon`) token.
    pub async fn authenticate(&self, token: &str) -> Result<Option<Caller>, ApiError> {
        let claims = self.verify(token).await?;
        if claims.scope.is_some() {
            return Err(ApiError::unauthenticated(
                "invalid token: a service token is good only for the one call it was made for",
            ));
        }
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

    /// The claims of a token whose signature and `exp` hold. Each algorithm
    /// has one source of keys: HS256 only `JWT_SECRET` (never a JWKS key, so
    /// a token HMAC-signed with a public key proves nothing), the others only
    /// the JWKS key its `kid` names, and only with an algorithm that key allows.
    async fn verify(&self, token: &str) -> Result<Claims, ApiError> {
        let header = jsonwebtoken::decode_header(token).map_err(invalid)?;
        let decoded = match header.alg {
            // Supabase's HS256 tokens may carry a `kid` too; it names no JWKS key.
            Algorithm::HS256 => {
                let secret = self.keys.secret.as_ref().ok_or_else(|| {
                    ApiError::unauthenticated(
                        "invalid token: HS256 tokens are not accepted here (no JWT_SECRET)",
                    )
                })?;
                jsonwebtoken::decode::<Claims>(token, secret, &validation(Algorithm::HS256))
            }
            alg => {
                let key = self.published_key(header.kid.as_deref(), alg).await?;
                jsonwebtoken::decode::<Claims>(token, &key, &validation(alg))
            }
        };
        Ok(decoded.map_err(invalid)?.claims)
    }

    async fn published_key(
        &self,
        kid: Option<&str>,
        alg: Algorithm,
    ) -> Result<Arc<DecodingKey>, ApiError> {
        let jwks = self.keys.jwks.as_ref().ok_or_else(|| {
            ApiError::unauthenticated(format!(
                "invalid token: {alg:?} tokens are not accepted here (no JWKS configured)"
            ))
        })?;
        let kid = kid.ok_or_else(|| ApiError::unauthenticated("invalid token: no kid"))?;
        let key = jwks
            .key(kid)
            .await
            .ok_or_else(|| ApiError::unauthenticated("invalid token: unknown signing key"))?;
        if !key.algorithms.contains(&alg) {
            return Err(ApiError::unauthenticated(format!(
                "invalid token: its signing key does not allow {alg:?}"
            )));
        }
        Ok(key.key)
    }
}

fn validation(alg: Algorithm) -> Validation {
    // Only `alg`: a token naming any other algorithm, `none` included, is refused.
    let mut validation = Validation::new(alg);
    // The audience depends on the role (service tokens have none), so it is checked later.
    validation.validate_aud = false;
    validation.required_spec_claims = HashSet::from(["exp".to_owned()]);
    validation
}

fn invalid(err: jsonwebtoken::errors::Error) -> ApiError {
    ApiError::unauthenticated(format!("invalid token: {err}"))
}

/// A request's token, once verified: kept in the request's extensions, so
/// that the middleware that needs the caller and the handler's extractor
/// verify it once between them.
#[derive(Debug, Clone, Copy)]
struct Verified(Option<Caller>);

/// The token of an `Authorization: Bearer <token>` header.
fn bearer(value: &header::HeaderValue) -> Result<&str, ApiError> {
    value
        .to_str()
        .ok()
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
        .ok_or_else(|| ApiError::unauthenticated("expected Authorization: Bearer <token>"))
}

/// The caller named by the `Authorization` header, if any; verified once per
/// request.
async fn verified_caller(
    authorization: Option<&header::HeaderValue>,
    extensions: &mut axum::http::Extensions,
) -> Result<Option<Caller>, ApiError> {
    if let Some(Verified(caller)) = extensions.get::<Verified>() {
        return Ok(*caller);
    }
    let Some(value) = authorization else {
        return Ok(None);
    };
    let token = bearer(value)?;
    // A clone (an `Arc`), so that the extensions are free while a JWKS is fetched.
    let authenticator = authenticator(extensions)?.clone();
    let caller = authenticator.authenticate(token).await?;
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
pub async fn signed_in(request: &mut axum::extract::Request) -> Option<Caller> {
    let authorization = request.headers().get(header::AUTHORIZATION).cloned();
    verified_caller(authorization.as_ref(), request.extensions_mut())
        .await
        .ok()
        .flatten()
}

/// A handler that takes `Caller` requires a signed-in caller: 401 otherwise.
impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let authorization = parts.headers.get(header::AUTHORIZATION).cloned();
        verified_caller(authorization.as_ref(), &mut parts.extensions)
            .await?
            .ok_or_else(|| ApiError::unauthenticated("sign in to do this"))
    }
}

/// A handler that takes `Option<Caller>` serves anyone, but a token that is
/// sent must still be valid: a bad token is never silently "anonymous".
impl<S: Send + Sync> OptionalFromRequestParts<S> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Option<Self>, Self::Rejection> {
        let authorization = parts.headers.get(header::AUTHORIZATION).cloned();
        verified_caller(authorization.as_ref(), &mut parts.extensions).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;
    use jsonwebtoken::{EncodingKey, Header};

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

    #[tokio::test]
    async fn a_request_token_is_verified_once_and_a_bad_one_every_time() {
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
        assert!(verified_caller(Some(&bad), &mut extensions).await.is_err());
        assert!(extensions.get::<Verified>().is_none());
        // A good one is remembered: asked again, the request's caller is not
        // decoded again (the header is not even read).
        let caller = verified_caller(Some(&good), &mut extensions)
            .await
            .expect("valid");
        assert_eq!(caller.map(|c| c.id), Some(id));
        let again = verified_caller(Some(&bad), &mut extensions)
            .await
            .expect("remembered");
        assert_eq!(again, caller);
    }

    #[tokio::test]
    async fn a_user_token_names_the_user() {
        let id = Uuid::new_v4();
        let token = mint(SECRET, &TokenRequest::user(id)).expect("mint");
        let caller = auth()
            .authenticate(&token)
            .await
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

    #[tokio::test]
    async fn admins_moderators_and_services_are_staff() {
        let id = Uuid::new_v4();
        for role in ["admin", "moderator"] {
            let token = sign(
                serde_json::json!({"sub": id, "aud": "authenticated", "role": "authenticated",
                    "exp": in_an_hour(), "app_metadata": {"role": role}}),
                SECRET,
            );
            let caller = auth()
                .authenticate(&token)
                .await
                .expect("valid")
                .expect("caller");
            assert_eq!(caller.kind, CallerKind::Staff, "{role}");
        }
        let service = sign(
            serde_json::json!({"role": "service_role", "iss": "supabase", "exp": in_an_hour()}),
            SECRET,
        );
        let caller = auth()
            .authenticate(&service)
            .await
            .expect("valid")
            .expect("caller");
        assert!(caller.is_staff());
        assert_eq!(caller.id, Uuid::nil());
    }

    #[tokio::test]
    async fn a_user_role_in_user_metadata_is_not_staff() {
        let token = sign(
            serde_json::json!({"sub": Uuid::new_v4(), "aud": "authenticated", "role": "authenticated", "exp": in_an_hour(),
                "app_metadata": {"role": "member"}, "user_metadata": {"role": "admin"}}),
            SECRET,
        );
        let caller = auth()
            .authenticate(&token)
            .await
            .expect("valid")
            .expect("caller");
        assert_eq!(caller.kind, CallerKind::User);
    }

    #[tokio::test]
    async fn the_anon_key_is_anonymous() {
        let anon = sign(
            serde_json::json!({"role": "anon", "iss": "supabase", "exp": in_an_hour()}),
            SECRET,
        );
        assert_eq!(auth().authenticate(&anon).await.expect("valid"), None);
    }

    #[tokio::test]
    async fn bad_tokens_are_refused() {
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
            let err = auth().authenticate(&token).await.expect_err(name);
            assert_eq!(err.code(), "unauthenticated", "{name}");
        }
    }

    #[tokio::test]
    async fn a_scoped_service_token_is_never_a_caller_even_signed_with_the_same_secret() {
        let key = ServiceTokenKey::new(SECRET);
        let token = key
            .mint(
                "hearth:messaging-service",
                &DONATION_PARTIES_READ,
                Uuid::new_v4(),
            )
            .expect("mint");
        let err = auth().authenticate(&token).await.expect_err("refused");
        assert_eq!(err.code(), "unauthenticated");
        // Even with a role a caller would have, it stays a service token.
        let dressed_up = sign(
            serde_json::json!({"sub": Uuid::new_v4(), "aud": "authenticated", "role": "service_role",
                "scope": DONATION_PARTIES_READ.name, "exp": in_an_hour()}),
            SECRET,
        );
        assert!(auth().authenticate(&dressed_up).await.is_err());
    }

    #[tokio::test]
    async fn asymmetric_tokens_need_a_jwks_and_hs256_needs_the_secret() {
        let jwks_only = Authenticator::with_keys(None, None, None);
        let token = mint(SECRET, &TokenRequest::user(Uuid::new_v4())).expect("mint");
        let err = jwks_only.authenticate(&token).await.expect_err("no secret");
        assert_eq!(err.code(), "unauthenticated");
    }
}
