//! Scoped service tokens: what one service sends another for one call.
//!
//! A token names its audience (the service that accepts it), its scope (the
//! one call) and the one resource it is about, and lives seconds. It is not a
//! [`Caller`]: every `Caller` and `Option<Caller>` extractor refuses it (401),
//! so it cannot write anything anywhere. Only a handler that takes a
//! [`ServiceCaller`] and asks [`ServiceCaller::require`] for exactly that
//! scope and resource accepts it.
//!
//! They are HS256, signed with `SERVICE_TOKEN_SECRET` (by default
//! `JWT_SECRET`), which only the services hold: under Supabase's asymmetric
//! keys there may be no `JWT_SECRET`, and Hearth cannot sign with Supabase's
//! private key.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{authenticator, bearer, verified_caller, Caller};
use crate::error::ApiError;

/// One kind of call a service token can be good for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scope {
    /// The service that accepts it (the token's `aud`).
    pub audience: &'static str,
    /// The call (the token's `scope`).
    pub name: &'static str,
}

/// messaging-service reading a donation's two parties from donation-service,
/// to check a message's donation context.
pub const DONATION_PARTIES_READ: Scope = Scope {
    audience: "hearth:donation-service",
    name: "donation:parties:read",
};

/// Long enough for one call with its retry; a captured token is worth little.
pub const SERVICE_TOKEN_TTL: Duration = Duration::from_secs(30);

/// Clock difference between services tolerated on `exp`: they share a host
/// or a data centre, unlike a user's phone.
const LEEWAY_SECS: u64 = 5;

#[derive(Debug, Serialize, Deserialize)]
struct GrantClaims {
    iss: String,
    aud: String,
    scope: String,
    /// The one resource the call is about (a donation id).
    resource: Uuid,
    iat: i64,
    exp: i64,
}

/// The secret service tokens are signed and checked with. Cheap to clone.
#[derive(Clone)]
pub struct ServiceTokenKey {
    encoding: Arc<EncodingKey>,
    decoding: Arc<DecodingKey>,
}

impl std::fmt::Debug for ServiceTokenKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ServiceTokenKey { .. }")
    }
}

impl ServiceTokenKey {
    pub fn new(secret: &str) -> Self {
        Self {
            encoding: Arc::new(EncodingKey::from_secret(secret.as_bytes())),
            decoding: Arc::new(DecodingKey::from_secret(secret.as_bytes())),
        }
    }

    /// A token good for `scope` on `resource` alone, for [`SERVICE_TOKEN_TTL`].
    /// `issuer` names the calling service, for the logs of the one called.
    pub fn mint(
        &self,
        issuer: &str,
        scope: &Scope,
        resource: Uuid,
    ) -> Result<String, jsonwebtoken::errors::Error> {
        self.mint_for(issuer, scope, resource, SERVICE_TOKEN_TTL)
    }

    /// [`ServiceTokenKey::mint`] with another lifetime; tests mint expired ones.
    pub fn mint_for(
        &self,
        issuer: &str,
        scope: &Scope,
        resource: Uuid,
        ttl: Duration,
    ) -> Result<String, jsonwebtoken::errors::Error> {
        let now = chrono::Utc::now().timestamp();
        let ttl = i64::try_from(ttl.as_secs()).unwrap_or(i64::MAX / 2);
        let claims = GrantClaims {
            iss: issuer.to_owned(),
            aud: scope.audience.to_owned(),
            scope: scope.name.to_owned(),
            resource,
            iat: now,
            exp: now.saturating_add(ttl),
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
    }

    /// The grant a valid, unexpired service token carries; `None` for
    /// anything else (a user's token, a bad signature).
    fn verify(&self, token: &str) -> Option<Grant> {
        let mut validation = Validation::new(Algorithm::HS256);
        // Which audience is wanted is the handler's to say (see `Grant::allows`).
        validation.validate_aud = false;
        validation.leeway = LEEWAY_SECS;
        validation.required_spec_claims =
            HashSet::from(["exp".to_owned(), "aud".to_owned(), "iss".to_owned()]);
        let claims = jsonwebtoken::decode::<GrantClaims>(token, &self.decoding, &validation)
            .ok()?
            .claims;
        Some(Grant {
            issuer: claims.iss,
            audience: claims.aud,
            scope: claims.scope,
            resource: claims.resource,
        })
    }
}

/// What a verified service token allows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    pub issuer: String,
    audience: String,
    scope: String,
    resource: Uuid,
}

impl Grant {
    pub fn allows(&self, scope: &Scope, resource: Uuid) -> bool {
        self.audience == scope.audience && self.scope == scope.name && self.resource == resource
    }
}

/// The caller of an internal read: staff (or a `service_role` operator), or a
/// service holding a token for that read. A handler takes it and calls
/// [`ServiceCaller::require`] with the scope and resource it serves.
#[derive(Debug, Clone)]
pub enum ServiceCaller {
    Staff(Caller),
    Service(Grant),
}

impl ServiceCaller {
    /// 403 unless the caller is staff or holds a token for `scope` on `resource`.
    pub fn require(&self, scope: &Scope, resource: Uuid) -> Result<(), ApiError> {
        match self {
            ServiceCaller::Staff(_) => Ok(()),
            ServiceCaller::Service(grant) if grant.allows(scope, resource) => Ok(()),
            ServiceCaller::Service(_) => Err(ApiError::forbidden(
                "this service token is good for another call or another resource",
            )),
        }
    }
}

/// No token is a 401; a user's token a 403; a bad one a 401.
impl<S: Send + Sync> FromRequestParts<S> for ServiceCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let authorization = parts.headers.get(axum::http::header::AUTHORIZATION);
        if let Some(value) = authorization {
            let grant = authenticator(&parts.extensions)?
                .service_tokens()
                .and_then(|key| key.verify(bearer(value).ok()?));
            if let Some(grant) = grant {
                return Ok(ServiceCaller::Service(grant));
            }
        }
        let authorization = authorization.cloned();
        match verified_caller(authorization.as_ref(), &mut parts.extensions).await? {
            None => Err(ApiError::unauthenticated("sign in to do this")),
            Some(caller) if caller.is_staff() => Ok(ServiceCaller::Staff(caller)),
            Some(_) => Err(ApiError::forbidden(
                "only staff and the services this read serves may make it",
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "service-secret-service-secret-service!";

    #[test]
    fn a_grant_allows_its_one_scope_on_its_one_resource() {
        let key = ServiceTokenKey::new(SECRET);
        let donation = Uuid::new_v4();
        let token = key
            .mint("hearth:messaging-service", &DONATION_PARTIES_READ, donation)
            .expect("mint");
        let grant = key.verify(&token).expect("valid");
        assert!(grant.allows(&DONATION_PARTIES_READ, donation));
        assert!(!grant.allows(&DONATION_PARTIES_READ, Uuid::new_v4()));
        let other = Scope {
            audience: "hearth:donation-service",
            name: "donation:refund",
        };
        assert!(!grant.allows(&other, donation));
        let elsewhere = Scope {
            audience: "hearth:profile-service",
            name: DONATION_PARTIES_READ.name,
        };
        assert!(!grant.allows(&elsewhere, donation));
    }

    #[test]
    fn an_expired_or_foreign_token_is_no_grant() {
        let key = ServiceTokenKey::new(SECRET);
        let donation = Uuid::new_v4();
        let expired = ServiceTokenKey::new(SECRET);
        let mut claims = serde_json::json!({"iss": "x", "aud": DONATION_PARTIES_READ.audience,
            "scope": DONATION_PARTIES_READ.name, "resource": donation,
            "iat": 1_600_000_000, "exp": chrono::Utc::now().timestamp() - 10});
        let sign = |claims: &serde_json::Value, secret: &str| {
            jsonwebtoken::encode(
                &Header::new(Algorithm::HS256),
                claims,
                &EncodingKey::from_secret(secret.as_bytes()),
            )
            .expect("sign")
        };
        assert!(expired.verify(&sign(&claims, SECRET)).is_none(), "expired");
        claims["exp"] = (chrono::Utc::now().timestamp() + 30).into();
        assert!(
            key.verify(&sign(&claims, SECRET)).is_some(),
            "the same, unexpired"
        );
        assert!(
            key.verify(&sign(&claims, "another-secret-another-secret-another"))
                .is_none(),
            "another secret"
        );
        let user =
            super::super::mint(SECRET, &super::super::TokenRequest::user(donation)).expect("mint");
        assert!(key.verify(&user).is_none(), "a user's token");
    }
}
