use std::net::SocketAddr;
use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue, AUTHORIZATION, CONTENT_TYPE};
use reqwest::{Method, StatusCode};
use serde_json::Value;

/// No test waits longer than this for an answer.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(15);

/// A small HTTP client for one running service.
#[derive(Debug, Clone)]
pub struct TestClient {
    base: String,
    http: reqwest::Client,
}

/// An answer, read whole.
#[derive(Debug)]
pub struct TestResponse {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub text: String,
}

impl TestResponse {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {:?}", self.text))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Asserts a problem+json answer with `status` and `code`, and returns its body.
    #[track_caller]
    pub fn assert_problem(&self, status: u16, code: &str) -> Value {
        assert_eq!(self.status.as_u16(), status, "{}", self.text);
        assert_eq!(
            self.header("content-type"),
            Some("application/problem+json"),
            "{}",
            self.text
        );
        let body = self.json();
        assert_eq!(body["code"], code, "{}", self.text);
        assert_eq!(body["status"], status);
        assert!(
            body["type"].is_string() && body["title"].is_string() && body["detail"].is_string()
        );
        body
    }

    /// Asserts a status and returns the JSON body.
    #[track_caller]
    pub fn expect(&self, status: u16) -> Value {
        assert_eq!(self.status.as_u16(), status, "{}", self.text);
        self.json()
    }
}

/// The fields a 422's `errors` name, sorted.
pub fn error_fields(problem: &Value) -> Vec<&str> {
    let mut fields: Vec<&str> = problem["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| e["field"].as_str().expect("field"))
        .collect();
    fields.sort_unstable();
    fields
}

/// One request being built.
#[derive(Debug)]
pub struct TestRequest {
    builder: reqwest::RequestBuilder,
}

impl TestRequest {
    pub fn token(mut self, token: &str) -> Self {
        self.builder = self
            .builder
            .header(AUTHORIZATION, format!("Bearer {token}"));
        self
    }

    pub fn maybe_token(self, token: Option<&str>) -> Self {
        match token {
            Some(t) => self.token(t),
            None => self,
        }
    }

    pub fn json(mut self, body: &Value) -> Self {
        self.builder = self.builder.json(body);
        self
    }

    /// A raw body with the given content type.
    pub fn body(mut self, content_type: &str, body: impl Into<reqwest::Body>) -> Self {
        self.builder = self.builder.header(CONTENT_TYPE, content_type).body(body);
        self
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        let name = HeaderName::from_bytes(name.as_bytes()).expect("header name");
        let value = HeaderValue::from_str(value).expect("header value");
        self.builder = self.builder.header(name, value);
        self
    }

    pub async fn send(self) -> TestResponse {
        let response = self.builder.send().await.expect("the service answers");
        TestResponse {
            status: response.status(),
            headers: response.headers().clone(),
            text: response.text().await.expect("a readable body"),
        }
    }
}

impl TestClient {
    pub fn new(addr: SocketAddr) -> Self {
        Self {
            base: format!("http://{addr}"),
            http: reqwest::Client::builder()
                .timeout(REQUEST_TIMEOUT)
                .build()
                .expect("build an HTTP client"),
        }
    }

    /// Posts `path` as `token` until the answer is `status`, for at most
    /// 5 s, and returns the last answer. A suspension decided by an event
    /// reaches a service's write check when its in-memory set reloads on the
    /// decision's `NOTIFY`, a moment after the decision (and its notification)
    /// committed; a test that saw the notification may be a moment early.
    pub async fn post_until(&self, path: &str, token: &str, status: u16) -> TestResponse {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        loop {
            let response = self.post(path).token(token).send().await;
            if response.status.as_u16() == status || std::time::Instant::now() > deadline {
                return response;
            }
            tokio::time::sleep(std::time::Duration::from_millis(25)).await;
        }
    }

    pub fn request(&self, method: Method, path: &str) -> TestRequest {
        TestRequest {
            builder: self.http.request(method, format!("{}{path}", self.base)),
        }
    }

    pub fn get(&self, path: &str) -> TestRequest {
        self.request(Method::GET, path)
    }

    pub fn post(&self, path: &str) -> TestRequest {
        self.request(Method::POST, path)
    }

    pub fn patch(&self, path: &str) -> TestRequest {
        self.request(Method::PATCH, path)
    }

    pub fn put(&self, path: &str) -> TestRequest {
        self.request(Method::PUT, path)
    }

    /// Waits until the service's `/metrics` shows `series` (name and labels,
    /// as in `hearth_events_duplicate_total{service="request"}`) at
    /// `value`, for at most 5 s; panics otherwise. How a test knows that a
    /// redelivery was handled, not merely that its effect is not there yet.
    pub async fn wait_for_metric(&self, series: &str, value: f64) {
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(5);
        loop {
            let text = self.get("/metrics").send().await.text;
            let current = text
                .lines()
                .find_map(|line| line.strip_prefix(series)?.trim().parse::<f64>().ok());
            if current == Some(value) {
                return;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "{series} is {current:?}, not {value}, after 5 s"
            );
            tokio::time::sleep(std::time::Duration::from_millis(25)).await;
        }
    }
}
