//! The whole platform for a test, with the site in front of it: five real
//! services on databases and a broker namespace of the test's own.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::Duration;

use hearth::platform::Platform;
use hearth::services::Service;
use hearth_testkit::{Person, TestBroker, TestClient, TestDb, JWT_SECRET};
use serde_json::{json, Value};

/// No saga in these tests takes longer than this to cross the broker.
pub const WAIT: Duration = Duration::from_secs(10);

pub struct Site {
    pub web: Web,
    pub campaign: TestClient,
    pub donation: TestClient,
    pub request: TestClient,
    pub profile: TestClient,
    /// campaign-service's base URL, for tests that call it themselves.
    pub campaign_url: String,
    platform: Option<Platform>,
    // Dropped after the platform: they remove the databases and queues.
    _broker: TestBroker,
    _main_db: TestDb,
    _campaign_db: TestDb,
}

/// Starts the platform and the site; `settings` are extra variables, such
/// as a `*_SERVICE_URL` pointing nowhere.
pub async fn start(settings: &[(&str, &str)]) -> Site {
    start_services(Service::ALL, settings).await
}

/// [`start`] with only `services` running; a client of one not started
/// reaches nothing.
pub async fn start_services(services: &[Service], settings: &[(&str, &str)]) -> Site {
    let main_db = TestDb::create().await;
    let campaign_db = TestDb::create().await;
    let broker = TestBroker::new().await;
    let mut env = HashMap::from([
        ("CAMPAIGN_DATABASE_URL".to_owned(), campaign_db.url()),
        ("MAIN_DATABASE_URL".to_owned(), main_db.url()),
        ("RABBITMQ_URL".to_owned(), broker.url.clone()),
        ("BUS_NAMESPACE".to_owned(), broker.namespace.clone()),
        ("EVENT_RETRY_DELAYS".to_owned(), "1s".to_owned()),
        ("WEB_PORT".to_owned(), "0".to_owned()),
        // The tests read a page as a visitor right after changing it; the
        // cache has its own test, which turns it on.
        ("WEB_VISITOR_CACHE".to_owned(), "off".to_owned()),
        // Five services' pools in every test of this binary, beside the other
        // suites on one PostgreSQL (100 connections): a few each is plenty
        // for pages read one at a time.
        ("DATABASE_MAX_CONNECTIONS".to_owned(), "4".to_owned()),
    ]);
    for service in ["campaign", "donation", "request", "messaging", "profile"] {
        env.insert(format!("{}_PORT", service.to_uppercase()), "0".to_owned());
        for queue in ["", ".dead", ".delay.1s"] {
            broker.track(format!("{}.{service}{queue}", broker.namespace));
        }
    }
    for (var, value) in settings {
        env.insert((*var).to_owned(), (*value).to_owned());
    }
    let mut platform = Platform::start(services, &env, Some(JWT_SECRET))
        .await
        .expect("start the services");
    let web = platform
        .start_web(&env, Some(JWT_SECRET))
        .await
        .expect("start the site");
    let addr = |service: Service| {
        platform
            .listening
            .iter()
            .find(|l| l.service == service)
            .map_or_else(|| SocketAddr::from(([127, 0, 0, 1], 1)), |l| l.addr)
    };
    let client = |service: Service| TestClient::new(addr(service));
    Site {
        campaign_url: format!("http://{}", addr(Service::Campaign)),
        web: Web::new(web),
        campaign: client(Service::Campaign),
        donation: client(Service::Donation),
        request: client(Service::Request),
        profile: client(Service::Profile),
        platform: Some(platform),
        _broker: broker,
        _main_db: main_db,
        _campaign_db: campaign_db,
    }
}

impl Site {
    pub async fn shutdown(mut self) {
        let platform = self.platform.take().expect("running");
        tokio::time::timeout(Duration::from_secs(15), platform.shutdown())
            .await
            .expect("stops within 15 s")
            .expect("stops cleanly");
    }

    /// A campaign created through the API by `owner`.
    pub async fn campaign(&self, owner: &Person, body: Value) -> Value {
        self.campaign
            .post("/campaigns")
            .token(&owner.token)
            .json(&body)
            .send()
            .await
            .expect(201)
    }

    /// A money donation by `donor`, once it left `pending`.
    pub async fn give(&self, donor: &Person, body: Value) -> Value {
        let donation = self
            .donation
            .post("/donations")
            .token(&donor.token)
            .json(&body)
            .send()
            .await
            .expect(201);
        let path = format!("/donations/{}", donation["id"].as_str().expect("id"));
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            let seen = self
                .donation
                .get(&path)
                .token(&donor.token)
                .send()
                .await
                .expect(200);
            if seen["status"] != "pending" || tokio::time::Instant::now() >= deadline {
                return seen;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Signs `name` in through the development sign-in page, as a browser
    /// does: its CSRF cookie, and the answer that sets the session's cookies.
    pub async fn sign_in(&self, name: &str) -> (String, Answer) {
        let page = self.web.get("/sign-in").await;
        let csrf_cookie = page.cookie("hearth_csrf").expect("csrf cookie");
        let csrf = field(&page.body, "csrf");
        let answer = self
            .web
            .post_form(
                "/sign-in",
                &csrf_cookie,
                &[("csrf", &csrf), ("display_name", name)],
            )
            .await;
        assert_eq!(answer.status, 303, "{}", answer.body);
        (csrf_cookie, answer)
    }

    /// `person`'s public profile, named `name`.
    pub async fn name(&self, person: &Person, name: &str) {
        self.profile
            .put("/profiles/me")
            .token(&person.token)
            .json(&json!({ "display_name": name }))
            .send()
            .await
            .expect(201);
    }
}

/// The value of the form field `name` on a page.
pub fn field(html: &str, name: &str) -> String {
    html.split(&format!(r#"name="{name}" value=""#))
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_else(|| panic!("a field {name} in {html}"))
        .to_owned()
}

/// A browser without JavaScript: plain GETs, redirects not followed.
pub struct Web {
    base: String,
    http: reqwest::Client,
}

#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: String,
}

async fn answer(response: reqwest::Response) -> Answer {
    Answer {
        status: response.status().as_u16(),
        headers: response.headers().clone(),
        body: response.text().await.expect("a body"),
    }
}

impl Answer {
    /// Every `Set-Cookie` of the answer.
    pub fn set_cookies(&self) -> Vec<&str> {
        self.headers
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect()
    }

    /// `name=value` of the cookie the answer sets, ready to send back.
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.set_cookies()
            .into_iter()
            .find(|c| c.starts_with(&format!("{name}=")))
            .and_then(|c| c.split(';').next())
            .map(str::to_owned)
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

impl Web {
    pub fn new(addr: SocketAddr) -> Self {
        Self {
            base: format!("http://{addr}"),
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .timeout(Duration::from_secs(10))
                .build()
                .expect("client"),
        }
    }

    pub async fn get(&self, path: &str) -> Answer {
        self.get_with(path, "").await
    }

    /// A GET sending `cookies` (`a=1; b=2`).
    pub async fn get_with(&self, path: &str, cookies: &str) -> Answer {
        let mut request = self.http.get(format!("{}{path}", self.base));
        if !cookies.is_empty() {
            request = request.header("cookie", cookies);
        }
        answer(request.send().await.expect("the site answers")).await
    }

    /// A GET that accepts a gzipped answer (the body is not decoded).
    pub async fn get_gzip(&self, path: &str) -> Answer {
        let request = self
            .http
            .get(format!("{}{path}", self.base))
            .header("accept-encoding", "gzip");
        let response = request.send().await.expect("the site answers");
        Answer {
            status: response.status().as_u16(),
            headers: response.headers().clone(),
            body: String::new(),
        }
    }

    /// A form POST sending `cookies`.
    pub async fn post_form(&self, path: &str, cookies: &str, form: &[(&str, &str)]) -> Answer {
        let mut request = self.http.post(format!("{}{path}", self.base)).form(form);
        if !cookies.is_empty() {
            request = request.header("cookie", cookies);
        }
        answer(request.send().await.expect("the site answers")).await
    }

    /// Opens the page's live stream (`/live?…`) as the browser's sse
    /// extension does.
    pub async fn live(&self, path: &str, cookies: &str) -> Live {
        let response = reqwest::Client::new()
            .get(format!("{}{path}", self.base))
            .header("cookie", cookies)
            .header("accept", "text/event-stream")
            .send()
            .await
            .expect("the site answers");
        assert_eq!(response.status(), 200, "{path}");
        assert_eq!(
            response.headers()["content-type"],
            "text/event-stream",
            "{path}"
        );
        Live {
            response,
            buffer: String::new(),
        }
    }

    /// A page that must be there: its HTML.
    pub async fn page(&self, path: &str) -> String {
        let answer = self.get(path).await;
        assert_eq!(answer.status, 200, "{path}: {}", answer.body);
        answer.body
    }
}

/// A live stream being read.
pub struct Live {
    response: reqwest::Response,
    buffer: String,
}

/// One Server-Sent Event: its name and its data (lines joined by `\n`).
#[derive(Debug, PartialEq)]
pub struct SseEvent {
    pub name: String,
    pub data: String,
}

impl Live {
    /// The next event (keep-alive comments skipped), or `None` when the
    /// stream ended or nothing came within `wait`.
    pub async fn next(&mut self, wait: Duration) -> Option<SseEvent> {
        tokio::time::timeout(wait, self.read()).await.ok().flatten()
    }

    /// Whether the site ends the stream within `wait` (events meanwhile are
    /// passed over).
    pub async fn ends_within(&mut self, wait: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            match tokio::time::timeout_at(deadline, self.read()).await {
                Ok(None) => return true,
                Ok(Some(_)) => continue,
                Err(_) => return false,
            }
        }
    }

    async fn read(&mut self) -> Option<SseEvent> {
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                if let Some(event) = parse_event(&block) {
                    return Some(event);
                }
                continue;
            }
            let chunk = self.response.chunk().await.ok()??;
            self.buffer.push_str(&String::from_utf8_lossy(&chunk));
        }
    }
}

fn parse_event(block: &str) -> Option<SseEvent> {
    let mut name = None;
    let mut data: Vec<&str> = Vec::new();
    for line in block.lines() {
        if let Some(value) = line.strip_prefix("event:") {
            name = Some(value.trim_start().to_owned());
        } else if let Some(value) = line.strip_prefix("data:") {
            data.push(value.strip_prefix(' ').unwrap_or(value));
        }
    }
    Some(SseEvent {
        name: name?,
        data: data.join("\n"),
    })
}

/// A port nothing listens on: a service that is down.
pub async fn closed_port() -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let port = listener.local_addr().expect("addr").port();
    drop(listener);
    port
}

/// A service that accepts connections and never answers: a hung one.
pub async fn silent_service() -> (String, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let task = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    (url, task)
}

/// A service that answers every request 503, as one whose database is down.
pub async fn failing_service() -> (String, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let app = axum::Router::new().fallback(|| async {
        (
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            [("content-type", "application/problem+json")],
            r#"{"status":503,"code":"dependency_unavailable","title":"Service Unavailable"}"#,
        )
    });
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (url, task)
}
