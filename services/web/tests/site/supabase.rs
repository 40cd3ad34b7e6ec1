//! Signing in, signing up, refreshing and signing out through Supabase
//! Auth. Supabase's side is a stand-in served over real HTTP that speaks
//! the documented endpoints of its REST API (GoTrue) and mints access
//! tokens the site and the five services accept.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::support::{closed_port, field, start, Answer, Site, Web};
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use hearth_core::auth::{mint, TokenRequest};
use hearth_testkit::JWT_SECRET;
use serde_json::{json, Value};
use uuid::Uuid;

const ANON_KEY: &str = "stand-in-anon-key";
const ADA: &str = "ada@example.com";
const ADA_PASSWORD: &str = "correct horse battery staple";

/// Supabase Auth's side, as the site sees it.
#[derive(Clone)]
struct StandIn {
    url: String,
    auth: Arc<Mutex<Auth>>,
}

struct Auth {
    /// email → account.
    accounts: HashMap<String, Account>,
    /// Refresh tokens not used yet → whose.
    refresh_tokens: HashMap<String, Uuid>,
    /// How long the access tokens it mints last.
    ttl: Duration,
    /// Sign-up answers a user awaiting confirmation, not a session.
    confirm_email: bool,
    rate_limited: bool,
    /// Every call: `password`, `refresh_token`, `signup`, `logout`.
    calls: Vec<String>,
    /// The bearer tokens `logout` was called with.
    logged_out: Vec<String>,
}

#[derive(Clone)]
struct Account {
    id: Uuid,
    password: String,
    display_name: Option<String>,
}

impl StandIn {
    async fn start(ttl: Duration) -> Self {
        let mut accounts = HashMap::new();
        accounts.insert(
            ADA.to_owned(),
            Account {
                id: Uuid::new_v4(),
                password: ADA_PASSWORD.to_owned(),
                display_name: Some("Ada".to_owned()),
            },
        );
        let auth = Arc::new(Mutex::new(Auth {
            accounts,
            refresh_tokens: HashMap::new(),
            ttl,
            confirm_email: false,
            rate_limited: false,
            calls: Vec::new(),
            logged_out: Vec::new(),
        }));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        let stand_in = StandIn { url, auth };
        let app = Router::new()
            .route("/auth/v1/token", post(token))
            .route("/auth/v1/signup", post(signup))
            .route("/auth/v1/logout", post(logout))
            .route(
                "/auth/v1/.well-known/jwks.json",
                get(|| async { Json(json!({"keys": []})) }),
            )
            .with_state(stand_in.clone());
        tokio::spawn(async move { axum::serve(listener, app).await });
        stand_in
    }

    fn with<T>(&self, f: impl FnOnce(&mut Auth) -> T) -> T {
        f(&mut self.auth.lock().expect("lock"))
    }

    fn calls(&self, name: &str) -> usize {
        self.with(|auth| auth.calls.iter().filter(|c| *c == name).count())
    }

    fn id_of(&self, email: &str) -> Uuid {
        self.with(|auth| auth.accounts[email].id)
    }

    /// The site's settings for it: Supabase Auth on, with real keys.
    fn settings(&self) -> [(&str, &str); 3] {
        [
            ("SUPABASE_URL", self.url.as_str()),
            ("SUPABASE_ANON_KEY", ANON_KEY),
            ("JWT_SECRET", JWT_SECRET),
        ]
    }
}

impl Auth {
    /// A session as GoTrue answers one.
    fn session(&mut self, email: &str) -> Value {
        let account = self.accounts[email].clone();
        let access_token = mint(
            JWT_SECRET,
            &TokenRequest {
                ttl: self.ttl,
                ..TokenRequest::user(account.id)
            },
        )
        .expect("mint");
        let refresh_token = Uuid::new_v4().simple().to_string();
        self.refresh_tokens
            .insert(refresh_token.clone(), account.id);
        let expires_in = self.ttl.as_secs();
        json!({
            "access_token": access_token,
            "token_type": "bearer",
            "expires_in": expires_in,
            "expires_at": chrono::Utc::now().timestamp() + i64::try_from(expires_in).expect("small"),
            "refresh_token": refresh_token,
            "user": user(email, &account),
        })
    }

    fn email_of(&self, id: Uuid) -> String {
        self.accounts
            .iter()
            .find(|(_, a)| a.id == id)
            .map(|(e, _)| e.clone())
            .expect("an account")
    }
}

fn user(email: &str, account: &Account) -> Value {
    json!({
        "id": account.id, "aud": "authenticated", "role": "authenticated",
        "email": email,
        "user_metadata": {"display_name": account.display_name},
    })
}

fn error(status: StatusCode, body: Value) -> Response {
    (status, Json(body)).into_response()
}

/// What GoTrue answers a call without the project's key, or when limited.
fn refused(stand_in: &StandIn, headers: &HeaderMap) -> Option<Response> {
    if headers.get("apikey").and_then(|v| v.to_str().ok()) != Some(ANON_KEY) {
        return Some(error(
            StatusCode::UNAUTHORIZED,
            json!({"message": "Invalid API key"}),
        ));
    }
    if stand_in.with(|auth| auth.rate_limited) {
        return Some(error(
            StatusCode::TOO_MANY_REQUESTS,
            json!({"code": 429, "error_code": "over_request_rate_limit", "msg": "Request rate limit reached"}),
        ));
    }
    None
}

async fn token(
    State(stand_in): State<StandIn>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    if let Some(answer) = refused(&stand_in, &headers) {
        return answer;
    }
    let grant = query.get("grant_type").cloned().unwrap_or_default();
    stand_in.with(|auth| {
        auth.calls.push(grant.clone());
        match grant.as_str() {
            "password" => {
                let email = body["email"].as_str().unwrap_or_default();
                let good = auth
                    .accounts
                    .get(email)
                    .is_some_and(|a| Some(a.password.as_str()) == body["password"].as_str());
                if good {
                    Json(auth.session(email)).into_response()
                } else {
                    error(
                        StatusCode::BAD_REQUEST,
                        json!({"error": "invalid_grant", "error_description": "Invalid login credentials"}),
                    )
                }
            }
            "refresh_token" => {
                let presented = body["refresh_token"].as_str().unwrap_or_default();
                // Each refresh token is good once.
                match auth.refresh_tokens.remove(presented) {
                    Some(id) => {
                        let email = auth.email_of(id);
                        Json(auth.session(&email)).into_response()
                    }
                    None => error(
                        StatusCode::BAD_REQUEST,
                        json!({"error": "invalid_grant", "error_description": "Invalid Refresh Token: Refresh Token Not Found"}),
                    ),
                }
            }
            _ => error(
                StatusCode::BAD_REQUEST,
                json!({"error": "unsupported_grant_type"}),
            ),
        }
    })
}

async fn signup(
    State(stand_in): State<StandIn>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    if let Some(answer) = refused(&stand_in, &headers) {
        return answer;
    }
    let email = body["email"].as_str().unwrap_or_default().to_owned();
    let password = body["password"].as_str().unwrap_or_default().to_owned();
    stand_in.with(|auth| {
        auth.calls.push("signup".to_owned());
        if password.len() < 6 {
            return error(
                StatusCode::UNPROCESSABLE_ENTITY,
                json!({"code": 422, "error_code": "weak_password",
                       "msg": "Password should be at least 6 characters.",
                       "weak_password": {"reasons": ["length"]}}),
            );
        }
        if auth.accounts.contains_key(&email) {
            return error(
                StatusCode::UNPROCESSABLE_ENTITY,
                json!({"code": 422, "error_code": "user_already_exists", "msg": "User already registered"}),
            );
        }
        let account = Account {
            id: Uuid::new_v4(),
            password,
            display_name: body["data"]["display_name"].as_str().map(str::to_owned),
        };
        auth.accounts.insert(email.clone(), account.clone());
        if auth.confirm_email {
            let mut pending = user(&email, &account);
            pending["confirmation_sent_at"] = json!(chrono::Utc::now());
            Json(pending).into_response()
        } else {
            Json(auth.session(&email)).into_response()
        }
    })
}

async fn logout(State(stand_in): State<StandIn>, headers: HeaderMap) -> Response {
    if let Some(answer) = refused(&stand_in, &headers) {
        return answer;
    }
    let Some(bearer) = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::to_owned)
    else {
        return error(
            StatusCode::UNAUTHORIZED,
            json!({"code": 401, "error_code": "no_authorization", "msg": "This endpoint requires a Bearer token"}),
        );
    };
    let caller = hearth_core::auth::Authenticator::new(JWT_SECRET)
        .authenticate(&bearer)
        .await;
    stand_in.with(|auth| {
        auth.calls.push("logout".to_owned());
        auth.logged_out.push(bearer);
        // The session ends: none of its refresh tokens works any more.
        if let Ok(Some(caller)) = caller {
            auth.refresh_tokens.retain(|_, id| *id != caller.id);
        }
    });
    StatusCode::NO_CONTENT.into_response()
}

/// The hidden `csrf` field of a page's form.
/// A browser that opened `path`: its CSRF cookie and the form's field.
async fn open_form(web: &Web, path: &str) -> (String, String) {
    let page = web.get(path).await;
    assert_eq!(page.status, 200, "{}", page.body);
    (
        page.cookie("hearth_csrf").expect("a CSRF cookie"),
        field(&page.body, "csrf"),
    )
}

/// The `Set-Cookie` of `name`.
fn set_cookie<'a>(answer: &'a Answer, name: &str) -> &'a str {
    answer
        .set_cookies()
        .into_iter()
        .find(|c| c.starts_with(&format!("{name}=")))
        .unwrap_or_else(|| panic!("no {name} cookie in {:?}", answer.set_cookies()))
}

/// The `Cookie` header of a browser after `answer`, on top of `csrf_cookie`.
fn cookies_after(csrf_cookie: &str, answer: &Answer) -> String {
    let mut cookies = vec![csrf_cookie.to_owned()];
    for name in ["hearth_session", "hearth_refresh", "hearth_name"] {
        if let Some(cookie) = answer.cookie(name) {
            cookies.push(cookie);
        }
    }
    cookies.join("; ")
}

/// Signs Ada in: the browser's cookies afterwards.
async fn sign_in_as_ada(site: &Site) -> String {
    let (csrf_cookie, csrf) = open_form(&site.web, "/sign-in").await;
    let answer = site
        .web
        .post_form(
            "/sign-in",
            &csrf_cookie,
            &[("csrf", &csrf), ("email", ADA), ("password", ADA_PASSWORD)],
        )
        .await;
    assert_eq!(answer.status, 303, "{}", answer.body);
    cookies_after(&csrf_cookie, &answer)
}

fn cookie_value<'a>(cookies: &'a str, name: &str) -> &'a str {
    cookies
        .split("; ")
        .find_map(|c| c.strip_prefix(&format!("{name}=")))
        .unwrap_or_else(|| panic!("no {name} in {cookies}"))
}

#[tokio::test]
async fn signing_in_with_email_and_password_keeps_the_tokens_in_http_only_cookies() {
    let stand_in = StandIn::start(Duration::from_secs(3600)).await;
    let site = start(&stand_in.settings()).await;

    let page = site.web.page("/sign-in").await;
    assert!(
        page.contains(r#"<label for="email">Email</label>"#),
        "{page}"
    );
    assert!(page.contains(r#"type="password""#));
    assert!(page.contains(r#"href="/sign-up""#), "sign-up is offered");
    assert!(!page.contains("Development sign-in"));

    let (csrf_cookie, csrf) = open_form(&site.web, "/sign-in").await;
    let answer = site
        .web
        .post_form(
            "/sign-in",
            &csrf_cookie,
            &[
                ("csrf", &csrf),
                ("email", ADA),
                ("password", ADA_PASSWORD),
                ("next", "/explore"),
            ],
        )
        .await;
    assert_eq!(answer.status, 303, "{}", answer.body);
    assert_eq!(answer.header("location"), Some("/explore"));
    for name in ["hearth_session", "hearth_refresh"] {
        let set = set_cookie(&answer, name);
        assert!(set.contains("HttpOnly"), "{set}");
        assert!(set.contains("SameSite=Lax"), "{set}");
        assert!(!set.contains("Secure"), "plain http here: {set}");
    }
    assert_eq!(stand_in.calls("password"), 1);
    let cookies = cookies_after(&csrf_cookie, &answer);

    let home = site.web.get_with("/", &cookies).await;
    assert!(home.body.contains("Signed in as Ada"), "{}", home.body);
    for token in ["hearth_session", "hearth_refresh"] {
        let value = cookie_value(&cookies, token);
        assert!(!home.body.contains(value), "no page shows the {token}");
    }
    // The services took the token: the first sign-in made Ada's profile.
    let ada = stand_in.id_of(ADA);
    let profile = site.web.page(&format!("/people/{ada}")).await;
    assert!(profile.contains("Ada"), "{profile}");
    assert_eq!(stand_in.calls("refresh_token"), 0, "an hour is left");
    site.shutdown().await;
}

#[tokio::test]
async fn a_wrong_password_or_a_rate_limit_comes_back_on_the_form_with_the_email_kept() {
    let stand_in = StandIn::start(Duration::from_secs(3600)).await;
    let site = start(&stand_in.settings()).await;
    let (csrf_cookie, csrf) = open_form(&site.web, "/sign-in").await;
    let wrong = "not-adas-password";
    let form = [("csrf", csrf.as_str()), ("email", ADA), ("password", wrong)];

    let answer = site.web.post_form("/sign-in", &csrf_cookie, &form).await;
    assert_eq!(answer.status, 422, "{}", answer.body);
    assert!(answer.body.contains("The email or the password is wrong."));
    assert!(
        answer.body.contains(&format!(r#"value="{ADA}""#)),
        "the email is kept"
    );
    assert!(!answer.body.contains(wrong), "never the password");
    assert!(answer.cookie("hearth_session").is_none());

    stand_in.with(|auth| auth.rate_limited = true);
    let answer = site.web.post_form("/sign-in", &csrf_cookie, &form).await;
    assert_eq!(answer.status, 429, "{}", answer.body);
    assert!(answer.body.contains("Too many attempts"), "{}", answer.body);
    assert!(answer.body.contains(&format!(r#"value="{ADA}""#)));

    // Without the browser's CSRF token, Supabase is not even asked.
    let calls = stand_in.calls("password");
    let forged = [("csrf", ""), ("email", ADA), ("password", ADA_PASSWORD)];
    let answer = site.web.post_form("/sign-in", &csrf_cookie, &forged).await;
    assert_eq!(answer.status, 403);
    assert_eq!(stand_in.calls("password"), calls);
    site.shutdown().await;
}

#[tokio::test]
async fn signing_up_signs_in_or_asks_to_check_the_email() {
    let stand_in = StandIn::start(Duration::from_secs(3600)).await;
    let site = start(&stand_in.settings()).await;
    let (csrf_cookie, csrf) = open_form(&site.web, "/sign-up").await;
    let sign_up = |email: &'static str, password: &'static str| {
        let form = [
            ("csrf", csrf.clone()),
            ("display_name", "Grace H".to_owned()),
            ("email", email.to_owned()),
            ("password", password.to_owned()),
        ];
        let web = &site.web;
        let cookie = csrf_cookie.clone();
        async move {
            let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            web.post_form("/sign-up", &cookie, &form).await
        }
    };

    // A project without email confirmation: signed in at once.
    let answer = sign_up("grace@example.com", "a long enough password").await;
    assert_eq!(answer.status, 303, "{}", answer.body);
    let session = set_cookie(&answer, "hearth_session");
    assert!(session.contains("HttpOnly") && session.contains("SameSite=Lax"));
    let home = site
        .web
        .get_with("/", &cookies_after(&csrf_cookie, &answer))
        .await;
    assert!(home.body.contains("Signed in as Grace H"), "{}", home.body);

    // The same address again, and a weak password: on the form.
    let taken = sign_up("grace@example.com", "another long password").await;
    assert_eq!(taken.status, 422);
    assert!(taken.body.contains("An account with this email exists"));
    assert!(taken.body.contains(r#"value="grace@example.com""#));
    let weak = sign_up("alan@example.com", "12345").await;
    assert_eq!(weak.status, 422);
    assert!(
        weak.body
            .contains("Choose a stronger password: Password should be at least 6 characters."),
        "{}",
        weak.body
    );
    assert!(weak.body.contains(r#"value="alan@example.com""#));
    assert!(!weak.body.contains("12345"));

    // A project that confirms addresses: no session yet.
    stand_in.with(|auth| auth.confirm_email = true);
    let pending = sign_up("alan@example.com", "a long enough password").await;
    assert_eq!(pending.status, 200, "{}", pending.body);
    assert!(
        pending.body.contains("Check your email"),
        "{}",
        pending.body
    );
    assert!(pending.body.contains("alan@example.com"));
    assert!(pending.cookie("hearth_session").is_none());
    assert!(pending.cookie("hearth_refresh").is_none());
    site.shutdown().await;
}

#[tokio::test]
async fn signing_out_ends_the_session_at_supabase_and_clears_the_cookies() {
    let stand_in = StandIn::start(Duration::from_secs(3600)).await;
    let site = start(&stand_in.settings()).await;
    let cookies = sign_in_as_ada(&site).await;
    let csrf = cookie_value(&cookies, "hearth_csrf").to_owned();
    let access = cookie_value(&cookies, "hearth_session").to_owned();

    let out = site
        .web
        .post_form("/sign-out", &cookies, &[("csrf", &csrf)])
        .await;
    assert_eq!(out.status, 303, "{}", out.body);
    for name in ["hearth_session", "hearth_refresh", "hearth_name"] {
        let set = set_cookie(&out, name);
        assert!(set.starts_with(&format!("{name}=;")), "{set}");
        assert!(set.contains("Max-Age=0"), "{set}");
    }
    assert_eq!(
        stand_in.with(|auth| auth.logged_out.clone()),
        vec![access],
        "logout was called with the person's token"
    );
    assert!(
        stand_in.with(|auth| auth.refresh_tokens.is_empty()),
        "its refresh token is good for nothing now"
    );
    site.shutdown().await;
}

#[tokio::test]
async fn an_access_token_near_its_expiry_is_refreshed_before_the_page() {
    // Under the site's minute of margin: every page refreshes.
    let stand_in = StandIn::start(Duration::from_secs(30)).await;
    let site = start(&stand_in.settings()).await;
    let cookies = sign_in_as_ada(&site).await;
    assert_eq!(stand_in.calls("refresh_token"), 0);

    let page = site.web.get_with("/explore", &cookies).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Signed in as Ada"), "{}", page.body);
    assert_eq!(stand_in.calls("refresh_token"), 1);
    for name in ["hearth_session", "hearth_refresh"] {
        let set = set_cookie(&page, name);
        assert!(
            set.contains("HttpOnly") && set.contains("SameSite=Lax"),
            "{set}"
        );
    }
    // (The access token may equal the old one, minted in the same second.)
    let new_refresh = page.cookie("hearth_refresh").expect("set");
    assert_ne!(
        new_refresh.trim_start_matches("hearth_refresh="),
        cookie_value(&cookies, "hearth_refresh"),
        "a new refresh token: the old one is spent"
    );
    let ada = stand_in.id_of(ADA);
    assert!(
        stand_in.with(|auth| auth.refresh_tokens.values().all(|id| *id == ada)),
        "the new refresh token is Ada's"
    );

    // The static files load beside the page and spend nothing.
    let css = site.web.page("/").await;
    let stylesheet = css
        .split(r#"rel="stylesheet" href=""#)
        .nth(1)
        .and_then(|r| r.split('"').next())
        .expect("a stylesheet")
        .to_owned();
    let refreshed = format!(
        "{}; {}; {}",
        cookies.split("; ").next().expect("csrf"),
        page.cookie("hearth_session").expect("session"),
        page.cookie("hearth_refresh").expect("refresh")
    );
    site.web.get_with(&stylesheet, &refreshed).await;
    assert_eq!(stand_in.calls("refresh_token"), 1);

    // Signing out with a token about to expire: refreshed first, then
    // ended with the new token, and the refresh's cookies do not undo the
    // sign-out's.
    let csrf = cookie_value(&cookies, "hearth_csrf").to_owned();
    let out = site
        .web
        .post_form("/sign-out", &refreshed, &[("csrf", &csrf)])
        .await;
    assert_eq!(out.status, 303, "{}", out.body);
    assert_eq!(stand_in.calls("refresh_token"), 2);
    for name in ["hearth_session", "hearth_refresh"] {
        let sets: Vec<&str> = out
            .set_cookies()
            .into_iter()
            .filter(|c| c.starts_with(&format!("{name}=")))
            .collect();
        assert_eq!(sets.len(), 1, "{sets:?}");
        assert!(sets[0].contains("Max-Age=0"), "{sets:?}");
    }
    assert_eq!(stand_in.calls("logout"), 1);
    assert!(stand_in.with(|auth| auth.refresh_tokens.is_empty()));
    site.shutdown().await;
}

#[tokio::test]
async fn pages_asked_at_once_share_one_refresh() {
    let stand_in = StandIn::start(Duration::from_secs(30)).await;
    let site = start(&stand_in.settings()).await;
    let cookies = sign_in_as_ada(&site).await;
    // A page and its fragments, with the same refresh token that is good
    // once: one call to Supabase, and every one of them signed in.
    let (a, b, c) = tokio::join!(
        site.web.get_with("/", &cookies),
        site.web.get_with("/explore", &cookies),
        site.web.get_with("/notifications", &cookies),
    );
    for page in [&a, &b, &c] {
        assert_eq!(page.status, 200, "{}", page.body);
        assert!(page.body.contains("Signed in as Ada"), "{}", page.body);
        assert_eq!(
            page.cookie("hearth_refresh"),
            a.cookie("hearth_refresh"),
            "the same new session"
        );
    }
    assert_eq!(stand_in.calls("refresh_token"), 1);
    site.shutdown().await;
}

#[tokio::test]
async fn a_refused_refresh_signs_out() {
    let stand_in = StandIn::start(Duration::from_secs(30)).await;
    let site = start(&stand_in.settings()).await;
    let cookies = sign_in_as_ada(&site).await;
    // Supabase ended the session (another device signed out everywhere):
    // the refresh token is refused.
    stand_in.with(|auth| auth.refresh_tokens.clear());

    let page = site.web.get_with("/", &cookies).await;
    assert_eq!(page.status, 200);
    assert_eq!(stand_in.calls("refresh_token"), 1);
    assert!(!page.body.contains("Signed in as"), "{}", page.body);
    assert!(page.body.contains(r#"href="/sign-in""#));
    for name in ["hearth_session", "hearth_refresh"] {
        let set = set_cookie(&page, name);
        assert!(set.contains("Max-Age=0"), "{set}");
    }
    site.shutdown().await;
}

#[tokio::test]
async fn supabase_down_is_a_notice_on_the_form() {
    let port = closed_port().await;
    let down = format!("http://127.0.0.1:{port}");
    let site = start(&[
        ("SUPABASE_URL", down.as_str()),
        ("SUPABASE_ANON_KEY", ANON_KEY),
        ("JWT_SECRET", JWT_SECRET),
    ])
    .await;
    let (csrf_cookie, csrf) = open_form(&site.web, "/sign-in").await;
    let answer = site
        .web
        .post_form(
            "/sign-in",
            &csrf_cookie,
            &[("csrf", &csrf), ("email", ADA), ("password", ADA_PASSWORD)],
        )
        .await;
    assert_eq!(answer.status, 503, "{}", answer.body);
    assert!(
        answer
            .body
            .contains("Signing in is unavailable right now; try again shortly."),
        "{}",
        answer.body
    );
    assert!(answer.body.contains(&format!(r#"value="{ADA}""#)));
    assert!(!answer.body.contains(ADA_PASSWORD));
    assert!(answer.cookie("hearth_session").is_none());

    // A session whose refresh cannot reach Supabase is kept for later.
    let stale = mint(
        JWT_SECRET,
        &TokenRequest {
            ttl: Duration::from_secs(30),
            ..TokenRequest::user(Uuid::new_v4())
        },
    )
    .expect("mint");
    let page = site
        .web
        .get_with(
            "/",
            &format!("{csrf_cookie}; hearth_session={stale}; hearth_refresh=r; hearth_name=Ada"),
        )
        .await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Signed in as Ada"), "{}", page.body);
    assert!(page.cookie("hearth_refresh").is_none(), "kept as it was");
    site.shutdown().await;
}
