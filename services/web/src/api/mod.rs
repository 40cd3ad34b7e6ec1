//! The one place web-service talks to the five services: each over its public
//! HTTP API, forwarding the viewer's token, answering typed results.
//!
//! A page asks several services at once and renders what came back. What a
//! call can end in is a [`Failure`]: the page turns `NotFound` into its 404
//! page when the thing it is about is missing, and `Unavailable` into a notice
//! beside the part of the page that service fills, so one service down never
//! takes the whole page with it.

pub mod campaigns;
pub mod donations;
pub mod messaging;
pub mod names;
pub mod profiles;
pub mod requests;

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use serde::Deserialize;

use crate::config::{Backend, BackendUrls};
use crate::session::Viewer;

/// A list of the API's conventions: `{"items": [...], "next_cursor": ...}`.
#[derive(Debug, Clone, Deserialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

/// What a list of campaigns or of requests is asked for: the two APIs take
/// the same search, so one query type serves both. A field left `None` is
/// not sent, and the API applies its default.
#[derive(Debug, Clone, Default)]
pub struct ListQuery<'a> {
    pub q: Option<&'a str>,
    pub category: Option<&'a str>,
    pub status: Option<&'a str>,
    pub cursor: Option<&'a str>,
    pub limit: Option<u32>,
}

/// Why a call brought no answer the page can use.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Failure {
    /// The thing does not exist, or the viewer may not see it (the APIs
    /// answer both with 404, and so does the site).
    #[error("not found")]
    NotFound,
    /// The viewer may not do or see this; `suspended` when the reason is
    /// that their account is suspended (403 `account_suspended`).
    #[error("forbidden")]
    Forbidden { suspended: bool },
    /// The forwarded token was refused (expired, or signed by a key no
    /// longer trusted): the person must sign in again. A visitor sends no
    /// token and never meets it.
    #[error("signed out")]
    SignedOut,
    /// No answer in time, no connection, a 503, or an answer the site cannot
    /// read: the page says this service is unavailable and renders the rest.
    #[error("{} unavailable", .0.what_it_serves())]
    Unavailable(Backend),
}

/// The client for the five APIs. Cheap to clone: one connection pool.
#[derive(Debug, Clone)]
pub struct Api {
    http: reqwest::Client,
    urls: BackendUrls,
    /// Public display names, shared by every page (names.rs).
    names: names::Names,
}

impl Api {
    /// `timeout` bounds each call, connecting included.
    pub fn new(urls: BackendUrls, timeout: Duration) -> anyhow::Result<Self> {
        Ok(Self {
            http: hearth_core::service_client::client(timeout)?,
            urls,
            names: names::Names::default(),
        })
    }

    /// `GET` of `path` (its segments, escaped here) with `query`, as `viewer`.
    async fn get<T: DeserializeOwned>(
        &self,
        backend: Backend,
        path: &[&str],
        query: &[(&str, &str)],
        viewer: &Viewer,
    ) -> Result<T, Failure> {
        let mut url = self.urls.get(backend).clone();
        url.path_segments_mut()
            .map_err(|()| Failure::Unavailable(backend))?
            .pop_if_empty()
            .extend(path);
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query);
        }
        let mut request = self.http.get(url.clone());
        if let Some(token) = viewer.token() {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.map_err(|err| {
            tracing::warn!(backend = backend.url_var(), %url, error = %err, "no answer");
            Failure::Unavailable(backend)
        })?;
        match response.status() {
            status if status.is_success() => response.json::<T>().await.map_err(|err| {
                tracing::error!(backend = backend.url_var(), %url, error = %err, "unreadable answer");
                Failure::Unavailable(backend)
            }),
            StatusCode::NOT_FOUND => Err(Failure::NotFound),
            StatusCode::UNAUTHORIZED => Err(Failure::SignedOut),
            StatusCode::FORBIDDEN => Err(Failure::Forbidden {
                suspended: problem_code(response).await.as_deref() == Some("account_suspended"),
            }),
            status => {
                // A 503 is expected while a service or its database is down;
                // anything else is a mistake on one side, worth an error.
                if status == StatusCode::SERVICE_UNAVAILABLE {
                    tracing::warn!(backend = backend.url_var(), %url, "unavailable");
                } else {
                    tracing::error!(backend = backend.url_var(), %url, %status, "unexpected answer");
                }
                Err(Failure::Unavailable(backend))
            }
        }
    }
}

impl Api {
    /// `GET /{collection}` searched by `query`: campaign-service and
    /// request-service list their things alike.
    async fn list<T: DeserializeOwned>(
        &self,
        backend: Backend,
        collection: &str,
        query: &ListQuery<'_>,
        viewer: &Viewer,
    ) -> Result<Page<T>, Failure> {
        let limit = query.limit.map(|l| l.to_string());
        let pairs: Vec<(&str, &str)> = [
            ("q", query.q),
            ("category", query.category),
            ("status", query.status),
            ("cursor", query.cursor),
            ("limit", limit.as_deref()),
        ]
        .into_iter()
        .filter_map(|(k, v)| v.map(|v| (k, v)))
        .collect();
        self.get(backend, &[collection], &pairs, viewer).await
    }

    /// `GET /{collection}/{id}`: one thing, the way every API reads one.
    async fn read<T: DeserializeOwned>(
        &self,
        backend: Backend,
        collection: &str,
        id: uuid::Uuid,
        viewer: &Viewer,
    ) -> Result<T, Failure> {
        let id = id.to_string();
        self.get(backend, &[collection, &id], &[], viewer).await
    }
}

impl Api {
    /// `PUT` of `body` as JSON to `path`, as `viewer`; the answer is not read.
    async fn put<B: serde::Serialize>(
        &self,
        backend: Backend,
        path: &[&str],
        body: &B,
        viewer: &Viewer,
    ) -> Result<(), Failure> {
        let mut url = self.urls.get(backend).clone();
        url.path_segments_mut()
            .map_err(|()| Failure::Unavailable(backend))?
            .pop_if_empty()
            .extend(path);
        let mut request = self.http.put(url.clone()).json(body);
        if let Some(token) = viewer.token() {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.map_err(|err| {
            tracing::warn!(backend = backend.url_var(), %url, error = %err, "no answer");
            Failure::Unavailable(backend)
        })?;
        match response.status() {
            status if status.is_success() => Ok(()),
            StatusCode::UNAUTHORIZED => Err(Failure::SignedOut),
            StatusCode::FORBIDDEN => Err(Failure::Forbidden {
                suspended: problem_code(response).await.as_deref() == Some("account_suspended"),
            }),
            status => {
                tracing::error!(backend = backend.url_var(), %url, %status, "unexpected answer");
                Err(Failure::Unavailable(backend))
            }
        }
    }
}

/// Why a write was not done.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refused {
    /// 422: what was wrong, field by field, in the API's words.
    Invalid(Vec<FieldError>),
    /// 409: the state forbids it now; the API's explanation.
    Conflict(String),
    /// 412: someone else changed it since the version that was sent.
    Stale,
    Failed(Failure),
}

/// One of a 422's `errors[]`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl From<Failure> for Refused {
    fn from(failure: Failure) -> Self {
        Refused::Failed(failure)
    }
}

/// How a write is sent, beyond its method and body.
#[derive(Debug, Clone, Copy, Default)]
struct Guards {
    /// `Idempotency-Key`: the same key sent again answers the first answer.
    idempotency_key: Option<uuid::Uuid>,
    /// `If-Match: "<version>"`: applies only to the version the person saw.
    if_match: Option<i32>,
}

impl Api {
    /// `POST` of `body` as JSON to `path` with an `Idempotency-Key`, as
    /// `viewer`: the same key sent again answers the first answer, so a
    /// form submitted twice makes one thing.
    async fn create<B: serde::Serialize, T: DeserializeOwned>(
        &self,
        backend: Backend,
        path: &[&str],
        body: &B,
        idempotency_key: uuid::Uuid,
        viewer: &Viewer,
    ) -> Result<T, Refused> {
        let guards = Guards {
            idempotency_key: Some(idempotency_key),
            ..Guards::default()
        };
        self.write(Method::POST, backend, path, Some(body), guards, viewer)
            .await
    }

    /// `PATCH` of `body` to `path`, only if the thing is still at `version`
    /// (else [`Refused::Stale`]).
    async fn edit<B: serde::Serialize, T: DeserializeOwned>(
        &self,
        backend: Backend,
        path: &[&str],
        body: &B,
        version: i32,
        viewer: &Viewer,
    ) -> Result<T, Refused> {
        let guards = Guards {
            if_match: Some(version),
            ..Guards::default()
        };
        self.write(Method::PATCH, backend, path, Some(body), guards, viewer)
            .await
    }

    /// `POST` to an action's `path` (`/donations/{id}/cancel`), no body;
    /// the answer is not read.
    async fn act(&self, backend: Backend, path: &[&str], viewer: &Viewer) -> Result<(), Refused> {
        self.act_with::<()>(backend, path, None, viewer).await
    }

    /// An action that takes a body (`/donations/{id}/refund`'s reason).
    async fn act_with<B: serde::Serialize>(
        &self,
        backend: Backend,
        path: &[&str],
        body: Option<&B>,
        viewer: &Viewer,
    ) -> Result<(), Refused> {
        self.write::<B, serde::de::IgnoredAny>(
            Method::POST,
            backend,
            path,
            body,
            Guards::default(),
            viewer,
        )
        .await
        .map(|_| ())
    }

    /// Every write: `method` to `path` with `body` as JSON, as `viewer`,
    /// its refusals read from the problem+json answer.
    async fn write<B: serde::Serialize, T: DeserializeOwned>(
        &self,
        method: Method,
        backend: Backend,
        path: &[&str],
        body: Option<&B>,
        guards: Guards,
        viewer: &Viewer,
    ) -> Result<T, Refused> {
        let mut url = self.urls.get(backend).clone();
        url.path_segments_mut()
            .map_err(|()| Failure::Unavailable(backend))?
            .pop_if_empty()
            .extend(path);
        let mut request = self.http.request(method, url.clone());
        if let Some(body) = body {
            request = request.json(body);
        }
        if let Some(key) = guards.idempotency_key {
            request = request.header("Idempotency-Key", key.to_string());
        }
        if let Some(version) = guards.if_match {
            request = request.header(reqwest::header::IF_MATCH, format!("\"{version}\""));
        }
        if let Some(token) = viewer.token() {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.map_err(|err| {
            tracing::warn!(backend = backend.url_var(), %url, error = %err, "no answer");
            Failure::Unavailable(backend)
        })?;
        #[derive(Deserialize)]
        struct Problem {
            code: Option<String>,
            detail: Option<String>,
            #[serde(default)]
            errors: Vec<FieldError>,
        }
        let status = response.status();
        if status.is_success() {
            return response.json::<T>().await.map_err(|err| {
                tracing::error!(backend = backend.url_var(), %url, error = %err, "unreadable answer");
                Refused::Failed(Failure::Unavailable(backend))
            });
        }
        let problem = response.json::<Problem>().await.ok();
        match status {
            StatusCode::UNPROCESSABLE_ENTITY => Err(Refused::Invalid(
                problem.map(|p| p.errors).unwrap_or_default(),
            )),
            StatusCode::CONFLICT => Err(Refused::Conflict(
                problem.and_then(|p| p.detail).unwrap_or_default(),
            )),
            StatusCode::PRECONDITION_FAILED => Err(Refused::Stale),
            StatusCode::NOT_FOUND => Err(Failure::NotFound.into()),
            StatusCode::UNAUTHORIZED => Err(Failure::SignedOut.into()),
            StatusCode::FORBIDDEN => {
                let suspended =
                    problem.and_then(|p| p.code).as_deref() == Some("account_suspended");
                Err(Failure::Forbidden { suspended }.into())
            }
            status => {
                tracing::error!(backend = backend.url_var(), %url, %status, "unexpected answer");
                Err(Failure::Unavailable(backend).into())
            }
        }
    }
}

/// The `code` of a problem+json answer, when it has one.
async fn problem_code(response: reqwest::Response) -> Option<String> {
    #[derive(Deserialize)]
    struct Problem {
        code: Option<String>,
    }
    response.json::<Problem>().await.ok()?.code
}
