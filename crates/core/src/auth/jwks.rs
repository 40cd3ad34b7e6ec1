//! The public keys an identity provider (Supabase Auth) signs tokens with,
//! published as a JWKS and fetched over HTTP.
//!
//! The set is fetched once at start-up (in the background: a provider that
//! is briefly down must not stop the service; its asymmetric tokens are 401
//! until the set loads) and kept. A token naming a `kid` the set lacks may be
//! signed with a key added since (a rotation), so the set is fetched again —
//! but at most once per [`REFETCH_INTERVAL`], whatever the outcome, or a
//! stream of made-up `kid`s would make every request a fetch. (So a set that
//! failed to load at start-up is fetched on the first token, then at most
//! once a minute until it loads.) A set older
//! than [`MAX_AGE`] is fetched again on the next token, so that a revoked key
//! stops being accepted without a restart.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, Jwk, KeyAlgorithm, PublicKeyUse};
use jsonwebtoken::{Algorithm, DecodingKey};
use serde::Deserialize;

/// At most one fetch per this long, however many unknown `kid`s arrive.
pub const REFETCH_INTERVAL: Duration = Duration::from_secs(60);
/// A set older than this is fetched again (Supabase caches its own for 10 min).
pub const MAX_AGE: Duration = Duration::from_secs(10 * 60);
/// One fetch may take this long; the request that waits on it waits as long.
const FETCH_TIMEOUT: Duration = Duration::from_secs(5);

/// One published key, ready to verify with.
#[derive(Clone)]
pub(crate) struct PublicKey {
    pub key: Arc<DecodingKey>,
    /// The algorithms this key may verify: its `alg` when it names one, else
    /// what its type and curve imply.
    pub algorithms: Vec<Algorithm>,
}

/// How often the set may and must be fetched again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JwksTiming {
    /// At most one refetch for unknown `kid`s per this long.
    pub refetch_interval: Duration,
    /// A set older than this is fetched again on the next token.
    pub max_age: Duration,
}

impl Default for JwksTiming {
    fn default() -> Self {
        Self {
            refetch_interval: REFETCH_INTERVAL,
            max_age: MAX_AGE,
        }
    }
}

/// A JWKS fetched from a URL and cached. Cheap to clone.
#[derive(Clone)]
pub struct Jwks {
    inner: Arc<Inner>,
}

struct Inner {
    url: reqwest::Url,
    http: reqwest::Client,
    timing: JwksTiming,
    keys: RwLock<Loaded>,
    /// Held while fetching, so that concurrent requests make one fetch; holds
    /// when the last refetch for a token began.
    fetching: tokio::sync::Mutex<Option<Instant>>,
}

#[derive(Default)]
struct Loaded {
    keys: HashMap<String, PublicKey>,
    at: Option<Instant>,
}

impl std::fmt::Debug for Jwks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Jwks")
            .field("url", &self.inner.url.as_str())
            .finish_non_exhaustive()
    }
}

impl Jwks {
    /// Nothing is fetched until [`Jwks::load`] or the first token.
    pub fn new(url: reqwest::Url) -> Self {
        Self::with_timing(url, JwksTiming::default())
    }

    /// Tests shorten the intervals to see a rotation without waiting a minute.
    pub fn with_timing(url: reqwest::Url, timing: JwksTiming) -> Self {
        // The platform's client (rustls, the built-in and the machine's
        // roots), so a Supabase JWKS behind a private CA is trusted like
        // every other service call; a fetch still carries its own timeout.
        let http = crate::service_client::builder(FETCH_TIMEOUT)
            .build()
            .unwrap_or_default();
        Self {
            inner: Arc::new(Inner {
                url,
                http,
                timing,
                keys: RwLock::new(Loaded::default()),
                fetching: tokio::sync::Mutex::new(None),
            }),
        }
    }

    pub fn url(&self) -> &reqwest::Url {
        &self.inner.url
    }

    /// Fetches the set now (start-up).
    pub async fn load(&self) {
        self.refetch(None).await;
    }

    /// The key `kid` names, fetching the set again when it is unknown or old
    /// (within the refetch limit). `None`: no such key, or the set could not
    /// be loaded.
    pub(crate) async fn key(&self, kid: &str) -> Option<PublicKey> {
        let (found, fresh) = {
            let loaded = self.loaded();
            let fresh = loaded
                .at
                .is_some_and(|at| at.elapsed() < self.inner.timing.max_age);
            (loaded.keys.get(kid).cloned(), fresh)
        };
        match found {
            Some(key) if fresh => Some(key),
            _ => {
                self.refetch(Some(kid)).await;
                self.loaded().keys.get(kid).cloned()
            }
        }
    }

    fn loaded(&self) -> std::sync::RwLockReadGuard<'_, Loaded> {
        // Nothing panics while writing the map; a poisoned lock still holds a whole one.
        self.inner
            .keys
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The start-up load (`kid` is `None`) always fetches. A refetch for a
    /// token (`kid`) does not when the last refetch began less than the
    /// interval ago, nor when a fetch that finished while it waited its turn
    /// brought the key.
    async fn refetch(&self, kid: Option<&str>) {
        let mut last_refetch = self.inner.fetching.lock().await;
        if let Some(kid) = kid {
            let loaded = self.loaded();
            let fresh = loaded
                .at
                .is_some_and(|at| at.elapsed() < self.inner.timing.max_age);
            if fresh && loaded.keys.contains_key(kid) {
                return;
            }
            drop(loaded);
            if last_refetch.is_some_and(|at| at.elapsed() < self.inner.timing.refetch_interval) {
                return;
            }
            *last_refetch = Some(Instant::now());
        }
        match self.fetch().await {
            Ok(keys) => {
                tracing::info!(url = %self.inner.url, keys = keys.len(), "loaded the JWKS");
                let mut loaded = self
                    .inner
                    .keys
                    .write()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                *loaded = Loaded {
                    keys,
                    at: Some(Instant::now()),
                };
            }
            // The keys known so far stay: a provider that is down does not
            // revoke anything.
            Err(err) => tracing::warn!(url = %self.inner.url, error = %err,
                "could not load the JWKS; tokens signed with keys not yet loaded are refused until it loads"),
        }
    }

    async fn fetch(&self) -> Result<HashMap<String, PublicKey>, String> {
        let response = self
            .inner
            .http
            .get(self.inner.url.clone())
            .timeout(FETCH_TIMEOUT)
            .send()
            .await
            .map_err(|e| e.to_string())?;
        if !response.status().is_success() {
            return Err(format!("answered {}", response.status()));
        }
        let set = response
            .json::<RawSet>()
            .await
            .map_err(|e| format!("not a JWKS: {e}"))?;
        Ok(set.keys.into_iter().filter_map(usable).collect())
    }
}

/// Keys are read one by one, so that one of a kind this library does not
/// know spoils only itself, not the whole set.
#[derive(Deserialize)]
struct RawSet {
    keys: Vec<serde_json::Value>,
}

/// A key with a `kid`, for signatures, that can verify something.
fn usable(raw: serde_json::Value) -> Option<(String, PublicKey)> {
    let jwk: Jwk = serde_json::from_value(raw).ok()?;
    let kid = jwk.common.key_id.clone()?;
    if matches!(jwk.common.public_key_use, Some(ref u) if *u != PublicKeyUse::Signature) {
        return None;
    }
    let algorithms = algorithms(&jwk);
    if algorithms.is_empty() {
        return None;
    }
    let key = DecodingKey::from_jwk(&jwk).ok()?;
    Some((
        kid,
        PublicKey {
            key: Arc::new(key),
            algorithms,
        },
    ))
}

/// What a key may verify. A symmetric (`oct`) key never: a shared secret
/// has no place in a public set, and HS256 is verified with `JWT_SECRET` only.
fn algorithms(jwk: &Jwk) -> Vec<Algorithm> {
    use Algorithm::*;
    let implied = match &jwk.algorithm {
        AlgorithmParameters::EllipticCurve(ec) => match ec.curve {
            EllipticCurve::P256 => vec![ES256],
            EllipticCurve::P384 => vec![ES384],
            _ => vec![],
        },
        AlgorithmParameters::RSA(_) => vec![RS256, RS384, RS512, PS256, PS384, PS512],
        AlgorithmParameters::OctetKeyPair(_) => vec![EdDSA],
        AlgorithmParameters::OctetKey(_) => vec![],
    };
    match jwk.common.key_algorithm {
        None => implied,
        // A named algorithm narrows what the key type allows, never widens it.
        Some(named) => implied
            .into_iter()
            .filter(|alg| same(*alg, named))
            .collect(),
    }
}

fn same(alg: Algorithm, named: KeyAlgorithm) -> bool {
    format!("{alg:?}") == named.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jwk(value: serde_json::Value) -> Jwk {
        serde_json::from_value(value).expect("a JWK")
    }

    #[test]
    fn a_key_allows_its_alg_or_what_its_type_implies() {
        let ec = serde_json::json!({"kty": "EC", "crv": "P-256", "x": "AA", "y": "AA", "kid": "e"});
        assert_eq!(algorithms(&jwk(ec)), vec![Algorithm::ES256]);
        let rsa =
            serde_json::json!({"kty": "RSA", "n": "AQ", "e": "AQAB", "kid": "r", "alg": "RS256"});
        assert_eq!(algorithms(&jwk(rsa)), vec![Algorithm::RS256]);
        // An `alg` that contradicts the key type allows nothing.
        let confused =
            serde_json::json!({"kty": "EC", "crv": "P-256", "x": "AA", "y": "AA", "alg": "RS256"});
        assert!(algorithms(&jwk(confused)).is_empty());
        let oct = serde_json::json!({"kty": "oct", "k": "c2VjcmV0", "kid": "s", "alg": "HS256"});
        assert!(algorithms(&jwk(oct)).is_empty());
    }

    #[test]
    fn keys_without_a_kid_or_for_encryption_are_skipped() {
        let base = serde_json::json!({"kty": "RSA", "n": "AQ", "e": "AQAB"});
        assert!(usable(base.clone()).is_none(), "no kid");
        let mut enc = base.clone();
        enc["kid"] = "k".into();
        enc["use"] = "enc".into();
        assert!(usable(enc).is_none(), "encryption key");
        let mut sig = base;
        sig["kid"] = "k".into();
        assert!(usable(sig).is_some());
        assert!(usable(serde_json::json!({"kty": "weird", "kid": "w"})).is_none());
    }
}
