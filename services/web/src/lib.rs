//! web-service: Hearth's web front-end, a backend-for-frontend.
//!
//! It renders HTML on the server (askama templates in `templates/`, checked
//! when compiled, every value escaped) from the five services' public APIs
//! (`api/`), and owns no database. Pages work without JavaScript; htmx,
//! served from `static/`, only makes them smoother.
//!
//! - `config.rs`: `WEB_PORT`, `WEB_BIND`, the `*_SERVICE_URL`s;
//! - `api/`: one file per backend service, typed answers and [`api::Failure`];
//! - `session.rs`: who is looking ([`session::Viewer`]);
//! - `pages/`: one module per page, `layout.rs` the frame they share;
//! - `live.rs`: the Server-Sent Events stream that keeps a page current;
//! - `security.rs`: the Content-Security-Policy and the other headers;
//! - `visitor_cache.rs`: a second's memory of the public pages for visitors.

pub mod api;
pub mod assets;
pub mod config;
pub mod cookies;
pub mod csrf;
pub mod format;
pub mod kept;
pub mod layout;
pub mod live;
pub mod pages;
pub mod security;
pub mod session;
pub mod supabase;
pub mod visitor_cache;

use std::time::Duration;

use axum::extract::{DefaultBodyLimit, Request, State};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use tower_http::compression::CompressionLayer;
use tower_http::trace::TraceLayer;

use hearth_core::auth::Authenticator;
use hearth_core::metrics::Metrics;

use crate::api::Api;
use crate::config::{Config, DevSignIn};
use crate::cookies::CookieRules;
use crate::live::Stopping;
use crate::pages::errors::PageError;
use crate::supabase::Supabase;
use crate::visitor_cache::VisitorCache;

/// Forms are small; nothing the site accepts comes near this.
const BODY_LIMIT: usize = 64 * 1024;

/// What every handler reaches.
#[derive(Debug, Clone)]
pub struct AppState {
    pub api: Api,
    /// Checks a session's token as the APIs do.
    pub auth: Authenticator,
    /// How the site's cookies are set (`Secure` under https).
    pub cookies: CookieRules,
    /// Present only under `hearth up` with the development secret.
    pub dev_sign_in: Option<DevSignIn>,
    /// `WEB_PUBLIC_URL`: the site's address for links people share.
    pub public_url: Option<url::Url>,
    /// Supabase Auth, when `SUPABASE_URL` and `SUPABASE_ANON_KEY` are set.
    pub supabase: Option<Supabase>,
    /// Ends the `/live` streams when the site stops.
    pub stopping: Stopping,
}

/// The whole site, with its headers, limits and error pages; its live
/// streams end when `stopping` does.
pub fn router(config: &Config, stopping: Stopping) -> anyhow::Result<Router> {
    let cookies = CookieRules {
        secure: config
            .public_url
            .as_ref()
            .is_some_and(|url| url.scheme() == "https"),
    };
    let state = AppState {
        api: Api::new(config.backends.clone(), config.backend_timeout)?,
        public_url: config.public_url.clone(),
        auth: Authenticator::from_config(&config.auth),
        cookies,
        dev_sign_in: config.dev_sign_in.clone(),
        supabase: config.supabase.as_ref().map(Supabase::new).transpose()?,
        stopping,
    };
    let timeout = config.http.request_timeout;
    let metrics = Metrics::new("web");
    // What a visitor reads: the same for every visitor, so kept a moment.
    let mut public_pages = Router::new()
        .route("/", get(pages::explore::home))
        .route("/explore", get(pages::explore::explore))
        .route("/campaigns/{id}", get(pages::campaign::show))
        .route("/requests/{id}", get(pages::request::show))
        .route("/people/{id}", get(pages::profile::show));
    if let Some(fresh_for) = config.visitor_cache {
        public_pages = public_pages.route_layer(middleware::from_fn_with_state(
            VisitorCache::new(fresh_for),
            visitor_cache::for_visitors,
        ));
    }
    Ok(Router::new()
        .merge(public_pages)
        .route("/campaigns/{id}/donations", post(pages::give::donate))
        .route("/donations/{id}", get(pages::give::show))
        .route("/donations/{id}/cancel", post(pages::giving::cancel))
        .route("/giving", get(pages::giving::show))
        .route("/notifications", get(pages::notifications::show))
        .route("/live", get(live::stream))
        .route(
            "/notifications/read-all",
            post(pages::notifications::mark_all_read),
        )
        .route(
            "/notifications/{id}/read",
            post(pages::notifications::mark_read),
        )
        .route("/requests/{id}/pledges", post(pages::pledge::pledge))
        .merge(pages::owner::routes())
        .route(
            "/sign-in",
            get(pages::sign_in::show).post(pages::sign_in::sign_in),
        )
        .route(
            "/sign-up",
            get(pages::sign_in::show_sign_up).post(pages::sign_in::sign_up),
        )
        .route("/sign-out", post(pages::sign_in::sign_out))
        .merge(pages::talk::routes())
        .route(
            "/static/{name}",
            // Only the static files are compressed: a page holds the CSRF
            // token beside text a visitor chose (a search), which compressed
            // over TLS would leak it byte by byte (BREACH). The files are
            // 85 % of a first visit's bytes.
            get(assets::serve).layer(CompressionLayer::new()),
        )
        .route("/health/live", get(pages::health::live))
        .route("/health/ready", get(pages::health::ready))
        .route(
            "/metrics",
            get(hearth_core::metrics::serve).with_state(metrics.clone()),
        )
        .fallback(pages::errors::not_found)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            session::keep_fresh,
        ))
        .with_state(state)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(middleware::from_fn_with_state(cookies, csrf::ensure))
        .layer(middleware::from_fn_with_state(timeout, answer_within))
        .layer(middleware::from_fn_with_state(
            metrics,
            hearth_core::metrics::track,
        ))
        .layer(middleware::from_fn(security::headers))
        .layer(TraceLayer::new_for_http()))
}

/// A page still waiting after `timeout` is the 503 page; each backend call
/// has its own shorter timeout, so this is only the last guard.
async fn answer_within(State(timeout): State<Duration>, request: Request, next: Next) -> Response {
    match tokio::time::timeout(timeout, next.run(request)).await {
        Ok(response) => response,
        Err(_) => {
            tracing::warn!(?timeout, "page timed out");
            PageError::Busy.into_response()
        }
    }
}
