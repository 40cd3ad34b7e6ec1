//! Suspended accounts (docs/api.md: "A suspended user's every write, in every
//! service, answers 403 `account_suspended` once the event has reached that
//! service").
//!
//! Each service keeps its own `account_suspensions` table, filled from
//! `profile.suspended` / `profile.reinstated` (`hearth_bus::moderation`), and
//! [`refuse_suspended`] guards every write against it. Reads stay open: a
//! suspended user may still see their own data.
//!
//! Every write asks, so the answer comes from memory ([`Suspensions`]): the
//! set of suspended users, loaded from the table and loaded again whenever a
//! decision commits (`hearth_bus::moderation::record` `NOTIFY`s
//! `<schema>_suspensions` in its transaction; decisions are rare, so that
//! notify costs nothing), and before the answer of a request that made one
//! ([`Decided`]). Before the first load, and whenever the `LISTEN`
//! connection is lost, the answer comes from the table instead: never from a
//! set that might have missed a decision.

use std::collections::HashSet;
use std::sync::{Arc, RwLock, Weak};
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, IntoResponseParts, Response, ResponseParts};
use sqlx::postgres::PgListener;
use sqlx::{PgExecutor, PgPool};
use uuid::Uuid;

use crate::auth::CallerKind;
use crate::error::ApiError;

/// Whether `user_id` is suspended, as far as this service has heard.
pub async fn is_suspended<'c>(db: impl PgExecutor<'c>, user_id: Uuid) -> sqlx::Result<bool> {
    sqlx::query_scalar!(
        r#"select exists (select 1 from account_suspensions where user_id = $1 and suspended)
             as "suspended!""#,
        user_id,
    )
    .fetch_one(db)
    .await
}

/// The channel a service's decisions are announced on (`record` in
/// `hearth_bus::moderation` names it from the connection's schema).
fn channel(schema: &str) -> String {
    format!("{schema}_suspensions")
}

/// Loaded again this often even without a notification, as a safety net.
const RELOAD_EVERY: Duration = Duration::from_secs(30);

/// The suspended users, and which load may set them.
#[derive(Debug, Default)]
struct Known {
    /// `None`: not loaded, or possibly stale, so ask the table.
    users: Option<HashSet<Uuid>>,
    /// Bumped whenever the set is dropped: a load that began before then
    /// read an older table and must not set it.
    generation: u64,
}

type Loaded = RwLock<Known>;

/// This service's suspended users, kept in memory (see the module's docs).
#[derive(Debug, Clone)]
pub struct Suspensions {
    pool: PgPool,
    loaded: Arc<Loaded>,
}

impl Suspensions {
    /// Starts following the decisions of the service whose schema is
    /// `schema`; the follower stops once every clone is dropped.
    pub fn follow(pool: PgPool, schema: &str) -> Self {
        let loaded = Arc::new(RwLock::new(Known::default()));
        tokio::spawn(follow_forever(
            pool.clone(),
            channel(schema),
            Arc::downgrade(&loaded),
        ));
        Self { pool, loaded }
    }

    /// Whether `user_id` is suspended, as far as this service has heard.
    pub async fn contains(&self, user_id: Uuid) -> sqlx::Result<bool> {
        let in_memory = self
            .loaded
            .read()
            .ok()
            .and_then(|known| known.users.as_ref().map(|users| users.contains(&user_id)));
        match in_memory {
            Some(answer) => Ok(answer),
            None => is_suspended(&self.pool, user_id).await,
        }
    }

    /// Whether answers come from memory (loaded and listening).
    pub fn is_loaded(&self) -> bool {
        self.loaded.read().is_ok_and(|known| known.users.is_some())
    }

    /// This process has just committed a decision: the set is dropped and
    /// loaded again before the decision's request answers, so whoever made
    /// it sees it at once (the notification reaches the follower a moment
    /// later; a load it began earlier no longer counts).
    async fn decided(&self) {
        let loaded = Arc::downgrade(&self.loaded);
        forget(&loaded);
        if let Err(err) = load(&self.pool, &loaded).await {
            tracing::warn!(error = %err, "could not reload the suspensions; asking the table");
        }
    }
}

/// Reads the table into memory, unless the set was dropped meanwhile.
async fn load(pool: &PgPool, loaded: &Weak<Loaded>) -> sqlx::Result<()> {
    let Some(generation) = generation(loaded) else {
        return Ok(());
    };
    let users: Vec<Uuid> =
        sqlx::query_scalar!("select user_id from account_suspensions where suspended")
            .fetch_all(pool)
            .await?;
    if let Some(loaded) = loaded.upgrade() {
        if let Ok(mut known) = loaded.write() {
            if known.generation == generation {
                known.users = Some(users.into_iter().collect());
            }
        }
    }
    Ok(())
}

fn generation(loaded: &Weak<Loaded>) -> Option<u64> {
    loaded.upgrade()?.read().ok().map(|known| known.generation)
}

/// Drops the set: the table answers until a later load.
fn forget(loaded: &Weak<Loaded>) {
    if let Some(loaded) = loaded.upgrade() {
        if let Ok(mut known) = loaded.write() {
            known.users = None;
            known.generation += 1;
        }
    }
}

async fn follow_forever(pool: PgPool, channel: String, loaded: Weak<Loaded>) {
    let mut backoff = Duration::from_millis(250);
    while loaded.strong_count() > 0 {
        let started = tokio::time::Instant::now();
        match follow_once(&pool, &channel, &loaded).await {
            Ok(()) => {}
            // `hearth up` on a fresh database starts following just before
            // it migrates: not worth a warning.
            Err(err) if not_migrated_yet(&err) => {
                tracing::debug!("no suspensions table yet; asking again shortly");
            }
            Err(err) => {
                tracing::warn!(error = %err, "lost the suspensions' LISTEN; asking the table until it is back");
            }
        }
        forget(&loaded);
        // A session that lasted was healthy: start the backoff over.
        if started.elapsed() > RELOAD_EVERY {
            backoff = Duration::from_millis(250);
        }
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(Duration::from_secs(10));
    }
}

fn not_migrated_yet(err: &sqlx::Error) -> bool {
    const UNDEFINED_TABLE: &str = "42P01";
    matches!(err, sqlx::Error::Database(db) if db.code().as_deref() == Some(UNDEFINED_TABLE))
}

/// Listens, loads, and loads again on every notification, until the
/// connection is lost (an error) or every [`Suspensions`] is gone.
async fn follow_once(pool: &PgPool, channel: &str, loaded: &Weak<Loaded>) -> sqlx::Result<()> {
    let mut listener = PgListener::connect_with(pool).await?;
    listener.listen(channel).await?;
    while loaded.strong_count() > 0 {
        // Listening before loading: a decision committed after this load
        // is announced to us, so no decision falls between the two.
        load(pool, loaded).await?;
        match tokio::time::timeout(RELOAD_EVERY, listener.try_recv()).await {
            Ok(Ok(Some(_))) => while listener.next_buffered().is_some() {},
            // The connection closed: notifications may have been missed.
            Ok(Ok(None)) => {
                return Err(sqlx::Error::Io(std::io::Error::new(
                    std::io::ErrorKind::ConnectionReset,
                    "the LISTEN connection closed",
                )))
            }
            Ok(Err(err)) => return Err(err),
            Err(_) => {}
        }
    }
    Ok(())
}

/// Proof that a suspension or reinstatement was recorded
/// (`hearth_bus::moderation::record` returns it). A handler that recorded
/// one answers with it among its response parts, and [`refuse_suspended`]
/// then reloads this instance's set before the answer leaves, so that
/// whoever made the decision sees it at once.
#[must_use = "a request that recorded a decision answers with it"]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decided;

impl IntoResponseParts for Decided {
    type Error = std::convert::Infallible;

    fn into_response_parts(self, mut parts: ResponseParts) -> Result<ResponseParts, Self::Error> {
        parts.extensions_mut().insert(self);
        Ok(parts)
    }
}

/// Middleware on a service's API routes. A write by a suspended user is a
/// 403 `account_suspended`; service tokens act for the platform and are
/// never refused. A response that carries [`Decided`] leaves only once
/// this instance's set shows the decision.
pub async fn refuse_suspended(
    State(suspensions): State<Suspensions>,
    mut request: Request,
    next: Next,
) -> Response {
    let is_write = !matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    let user = match is_write {
        true => crate::auth::signed_in(&mut request).await,
        false => None,
    }
    .filter(|c| c.kind != CallerKind::Service);
    if let Some(user) = user {
        match suspensions.contains(user.id).await {
            Ok(false) => {}
            Ok(true) => return ApiError::account_suspended().into_response(),
            Err(err) => return ApiError::from(err).into_response(),
        }
    }
    let response = next.run(request).await;
    if response.extensions().get::<Decided>().is_some() {
        suspensions.decided().await;
    }
    response
}
