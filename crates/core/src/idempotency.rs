//! `Idempotency-Key` (docs/api.md, "Conventions"): a `POST` sent again with the
//! same key by the same user and the same body gets the first answer again,
//! with no second effect; the same key with another body is a 422
//! `idempotency_key_reused`. Keys are kept at least 24 hours.
//!
//! The key is claimed with an insert before the handler runs, so of two
//! identical requests racing, one runs and the other waits for its answer.
//! The answer is stored after the handler's transaction committed; a 5xx
//! answer is not stored (the claim is released so the client can retry).
//!
//! The claim also holds the id of what the request creates
//! ([`Claim::resource_id`]; the handler takes the [`Claim`] as an argument). That closes the gap between the handler's commit
//! and the stored answer: a process that dies there (or a request cut off by
//! the timeout) leaves a claim without an answer, which another copy of the
//! request takes over after [`STALE_CLAIM`] (at once after a 5xx) with the
//! same id. A create handler first asks [`Claim::created_before`]: if the first
//! run's effect committed, it answers with what that run created, before
//! checks that might no longer pass, instead of creating it twice. Should a
//! takeover ever overlap a run still going, the id's primary key refuses the
//! second insert: a 5xx that releases the claim, and the next copy finds the
//! row (ratings and reports: their own uniqueness refuses it, a 409).
//!
//! Each service keeps its keys in its own schema (`idempotency_keys`).

use std::convert::Infallible;
use std::future::Future;
use std::time::Duration;

use axum::body::{to_bytes, Body, Bytes};
use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use sqlx::PgPool;
use uuid::Uuid;

use crate::error::ApiError;
use crate::http::body_limit::BODY_LIMIT;

pub const HEADER: &str = "idempotency-key";
/// The longest key, in bytes.
pub const KEY_MAX_BYTES: usize = 255;
/// The keys accepted, for the OpenAPI documents: 1–[`KEY_MAX_BYTES`] visible
/// ASCII characters (what `HeaderValue::to_str` reads), spaces and tabs only
/// inside (HTTP drops them at either end).
pub const KEY_PATTERN: &str = r"^[\x21-\x7E](?:[\t\x20-\x7E]*[\x21-\x7E])?$";
/// How long keys are kept.
pub const RETENTION: Duration = Duration::from_secs(24 * 3600);
pub use crate::config::STALE_CLAIM;
/// How long a racing duplicate waits for the first request's answer.
const WAIT_FOR_FIRST: Duration = Duration::from_secs(10);
/// The response headers worth replaying.
const KEPT_HEADERS: [HeaderName; 3] = [header::CONTENT_TYPE, header::LOCATION, header::ETAG];

/// What a run of a create request knows of its `Idempotency-Key` claim: the
/// id for what it creates, and whether an earlier run may have created it
/// already. The middleware puts it in the request's extensions; a handler
/// takes it as an argument. Without a key (or outside a `POST`), a new
/// UUIDv7 that no earlier run had.
#[derive(Debug, Clone, Copy)]
pub struct Claim {
    resource_id: Uuid,
    /// Another run had the claim before this one, and may have created.
    taken_over: bool,
}

impl Claim {
    /// The id for what the request creates: with an `Idempotency-Key`, the
    /// one its claim holds, the same for every run of that request, so
    /// [`Claim::created_before`] can find what an earlier run made.
    pub fn resource_id(&self) -> Uuid {
        self.resource_id
    }

    /// What an earlier run of this request created, if this run took over
    /// its unanswered claim: `find` looks it up by the claim's id. A create
    /// handler asks first, before any check whose answer may have changed
    /// since the first run (a date now past), and answers with what it
    /// finds. Without a takeover this asks nothing and is `None`.
    pub async fn created_before<T, Found>(
        &self,
        find: impl FnOnce(Uuid) -> Found,
    ) -> sqlx::Result<Option<T>>
    where
        Found: Future<Output = sqlx::Result<Option<T>>>,
    {
        match self.taken_over {
            true => find(self.resource_id).await,
            false => Ok(None),
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Claim {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Infallible> {
        Ok(parts.extensions.get::<Claim>().copied().unwrap_or(Claim {
            resource_id: Uuid::now_v7(),
            taken_over: false,
        }))
    }
}

#[derive(Debug)]
struct Stored {
    request_hash: Vec<u8>,
    status: Option<i16>,
    headers: Option<serde_json::Value>,
    body: Option<Vec<u8>>,
    stale: bool,
}

/// Middleware for a service's API routes; `pool` is the service's own.
pub async fn idempotent(State(pool): State<PgPool>, request: Request, next: Next) -> Response {
    if request.method() != Method::POST {
        return next.run(request).await;
    }
    let Some(key) = request.headers().get(HEADER).cloned() else {
        return next.run(request).await;
    };
    match claim_and_run(&pool, key, request, next).await {
        Ok(response) | Err(response) => response,
    }
}

async fn claim_and_run(
    pool: &PgPool,
    key: HeaderValue,
    mut request: Request,
    next: Next,
) -> Result<Response, Response> {
    let key = key
        .to_str()
        .ok()
        .filter(|k| (1..=KEY_MAX_BYTES).contains(&k.len()))
        .ok_or_else(|| {
            ApiError::bad_query("Idempotency-Key must be 1-255 visible characters").into_response()
        })?
        .to_owned();
    // Only a signed-in caller has keys; anything else is the handler's to refuse.
    let Some(user) = crate::auth::signed_in(&mut request).await.map(|c| c.id) else {
        return Ok(next.run(request).await);
    };
    let (parts, body) = request.into_parts();
    let bytes = to_bytes(body, BODY_LIMIT)
        .await
        .map_err(|_| ApiError::payload_too_large(BODY_LIMIT).into_response())?;
    let hash = request_hash(&parts.method, &parts.uri, &bytes);

    loop {
        if let Some(resource_id) = claim(pool, user, &key, &hash)
            .await
            .map_err(error_response)?
        {
            let claim = Claim {
                resource_id,
                taken_over: false,
            };
            let request = Request::from_parts(parts, Body::from(bytes));
            return Ok(run(pool, user, &key, claim, request, next).await);
        }
        let deadline = tokio::time::Instant::now() + WAIT_FOR_FIRST;
        loop {
            let Some(stored) = load(pool, user, &key).await.map_err(error_response)? else {
                break; // Expired meanwhile: claim it afresh.
            };
            if stored.request_hash != hash {
                return Err(ApiError::idempotency_key_reused().into_response());
            }
            if let (Some(status), Some(body)) = (stored.status, stored.body.clone()) {
                return Ok(replay(status, stored.headers, body));
            }
            if stored.stale {
                // The run before died, or failed: run again, creating (if
                // anything) under the same id. Of several waiters, one takes it.
                if let Some(resource_id) =
                    take_over(pool, user, &key).await.map_err(error_response)?
                {
                    let claim = Claim {
                        resource_id,
                        taken_over: true,
                    };
                    let request = Request::from_parts(parts, Body::from(bytes));
                    return Ok(run(pool, user, &key, claim, request, next).await);
                }
                continue;
            }
            if tokio::time::Instant::now() >= deadline {
                return Err(ApiError::conflict(
                    "a request with this Idempotency-Key is still running",
                )
                .into_response());
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

/// Runs the handler as the owner of the claim, then stores its answer.
async fn run(
    pool: &PgPool,
    user: Uuid,
    key: &str,
    claim: Claim,
    mut request: Request,
    next: Next,
) -> Response {
    request.extensions_mut().insert(claim);
    let response = next.run(request).await;
    remember(pool, user, key, response).await
}

fn request_hash(method: &Method, uri: &axum::http::Uri, body: &Bytes) -> Vec<u8> {
    let mut hasher = Sha256::new();
    hasher.update(method.as_str());
    hasher.update(b" ");
    hasher.update(uri.path());
    hasher.update(b"?");
    hasher.update(uri.query().unwrap_or_default());
    hasher.update(b"\n");
    hasher.update(body);
    hasher.finalize().to_vec()
}

/// The claim's resource id if this request now owns the key.
#[tracing::instrument(err, skip(pool, hash))]
async fn claim(pool: &PgPool, user: Uuid, key: &str, hash: &[u8]) -> sqlx::Result<Option<Uuid>> {
    sqlx::query_scalar!(
        r#"insert into idempotency_keys (user_id, key, request_hash, resource_id)
           values ($1, $2, $3, $4) on conflict do nothing
           returning resource_id as "resource_id!""#,
        user,
        key,
        hash,
        Uuid::now_v7(),
    )
    .fetch_optional(pool)
    .await
}

/// Takes over a stale claim, keeping its resource id (claims made before
/// ids were kept get one now); `None` if another request took it first.
#[tracing::instrument(err, skip(pool))]
async fn take_over(pool: &PgPool, user: Uuid, key: &str) -> sqlx::Result<Option<Uuid>> {
    sqlx::query_scalar!(
        r#"update idempotency_keys set created_at = now(), resource_id = coalesce(resource_id, $3)
           where user_id = $1 and key = $2 and status is null
             and created_at < now() - make_interval(secs => $4)
           returning resource_id as "resource_id!""#,
        user,
        key,
        Uuid::now_v7(),
        stale_after(),
    )
    .fetch_optional(pool)
    .await
}

/// [`STALE_CLAIM`] in seconds, as the statements bind it (`make_interval(secs => …)`).
fn stale_after() -> f64 {
    STALE_CLAIM.as_secs_f64()
}

#[tracing::instrument(err, skip(pool))]
async fn load(pool: &PgPool, user: Uuid, key: &str) -> sqlx::Result<Option<Stored>> {
    sqlx::query_as!(
        Stored,
        r#"select request_hash, status, headers, body,
             (status is null and created_at < now() - make_interval(secs => $3)) as "stale!"
           from idempotency_keys where user_id = $1 and key = $2"#,
        user,
        key,
        stale_after(),
    )
    .fetch_optional(pool)
    .await
}

/// Lets the next copy of the request take the claim over at once. The claim
/// stays, with its resource id: a failure may have come after the commit.
#[tracing::instrument(err, skip(pool))]
async fn release(pool: &PgPool, user: Uuid, key: &str) -> sqlx::Result<()> {
    sqlx::query!(
        "update idempotency_keys
         set created_at = now() - make_interval(secs => $3) - interval '1 second'
         where user_id = $1 and key = $2 and status is null",
        user,
        key,
        stale_after(),
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// Stores the answer (or releases the key after a 5xx) and returns it.
async fn remember(pool: &PgPool, user: Uuid, key: &str, response: Response) -> Response {
    let status = response.status();
    if status.is_server_error() {
        if let Err(err) = release(pool, user, key).await {
            tracing::warn!(error = %err, "could not release an idempotency key");
        }
        return response;
    }
    let (parts, body) = response.into_parts();
    let Ok(bytes) = to_bytes(body, usize::MAX).await else {
        return ApiError::internal(anyhow::anyhow!("could not read the response to store it"))
            .into_response();
    };
    let headers: serde_json::Map<String, serde_json::Value> = KEPT_HEADERS
        .iter()
        .filter_map(|name| {
            let value = parts.headers.get(name)?.to_str().ok()?;
            Some((name.as_str().to_owned(), value.into()))
        })
        .collect();
    // Only the first answer is kept, should two runs ever overlap.
    let stored = sqlx::query!(
        "update idempotency_keys set status = $3, headers = $4, body = $5
         where user_id = $1 and key = $2 and status is null",
        user,
        key,
        i16::try_from(status.as_u16()).unwrap_or(0),
        serde_json::Value::Object(headers),
        &bytes[..],
    )
    .execute(pool)
    .await;
    if let Err(err) = stored {
        tracing::warn!(error = %err, "could not store an idempotent answer");
    }
    Response::from_parts(parts, Body::from(bytes))
}

fn replay(status: i16, headers: Option<serde_json::Value>, body: Vec<u8>) -> Response {
    let status = u16::try_from(status)
        .ok()
        .and_then(|s| StatusCode::from_u16(s).ok())
        .unwrap_or(StatusCode::OK);
    let mut map = HeaderMap::new();
    if let Some(serde_json::Value::Object(stored)) = headers {
        for (name, value) in stored {
            if let (Ok(name), Some(Ok(value))) = (
                HeaderName::from_bytes(name.as_bytes()),
                value.as_str().map(HeaderValue::from_str),
            ) {
                map.insert(name, value);
            }
        }
    }
    map.insert(
        HeaderName::from_static("idempotent-replayed"),
        HeaderValue::from_static("true"),
    );
    (status, map, body).into_response()
}

fn error_response(err: sqlx::Error) -> Response {
    ApiError::from(err).into_response()
}

/// Deletes keys older than [`RETENTION`], `batch` per statement.
pub async fn delete_expired(pool: &PgPool, batch: i64) -> sqlx::Result<u64> {
    let mut total = 0;
    loop {
        let deleted = sqlx::query!(
            "delete from idempotency_keys where (user_id, key) in (
               select user_id, key from idempotency_keys
               where created_at < now() - make_interval(secs => $1) limit $2)",
            RETENTION.as_secs_f64(),
            batch,
        )
        .execute(pool)
        .await?
        .rows_affected();
        total += deleted;
        if deleted < u64::try_from(batch).unwrap_or(u64::MAX) {
            return Ok(total);
        }
    }
}

/// Deletes expired keys every minute, for as long as it runs.
pub async fn clean_forever(pool: PgPool) {
    loop {
        tokio::time::sleep(Duration::from_secs(60)).await;
        match delete_expired(&pool, 5000).await {
            Ok(0) => {}
            Ok(deleted) => tracing::info!(deleted, "cleaned idempotency keys"),
            Err(err) => tracing::warn!(error = %err, "idempotency key cleanup failed"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn extract(request: axum::http::Request<()>) -> Claim {
        let (mut parts, ()) = request.into_parts();
        let Ok(claim) = Claim::from_request_parts(&mut parts, &()).await;
        claim
    }

    #[tokio::test]
    async fn a_handler_gets_the_claim_the_middleware_put_in_the_request() {
        let claimed = Claim {
            resource_id: Uuid::now_v7(),
            taken_over: true,
        };
        let mut request = axum::http::Request::new(());
        request.extensions_mut().insert(claimed);
        let claim = extract(request).await;
        assert_eq!(claim.resource_id(), claimed.resource_id);
        let found = claim
            .created_before(|id| async move { Ok(Some(id)) })
            .await
            .expect("found");
        assert_eq!(found, Some(claimed.resource_id), "looked up by its id");
    }

    #[tokio::test]
    async fn without_a_claim_a_handler_gets_a_new_id_and_nothing_created_before() {
        let first = extract(axum::http::Request::new(())).await;
        let second = extract(axum::http::Request::new(())).await;
        assert_ne!(first.resource_id(), second.resource_id());
        let found: Option<Uuid> = first
            .created_before(|_| async { panic!("nothing to look up without a takeover") })
            .await
            .expect("answered");
        assert_eq!(found, None);
    }
}
