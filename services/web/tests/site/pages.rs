//! The site's pages over the five real services (PostgreSQL, RabbitMQ, the
//! sagas): what a visitor without JavaScript gets.

use crate::support;

use std::time::Duration;

use crate::support::{closed_port, start, Site, WAIT};
use hearth_testkit::Person;
use serde_json::{json, Value};

const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
img-src 'self' https: data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

fn id(v: &Value) -> &str {
    v["id"].as_str().expect("id")
}

/// `rater` rates the other party of `donation`, once profile-service has
/// heard it went through.
async fn rate(site: &Site, rater: &Person, donation: &Value, comment: &str) {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let answer = site
            .profile
            .post("/ratings")
            .token(&rater.token)
            .json(&json!({"donation_id": donation["id"], "score": 5, "comment": comment}))
            .send()
            .await;
        if answer.status.as_u16() == 201 || tokio::time::Instant::now() >= deadline {
            answer.expect(201);
            return;
        }
        answer.assert_problem(409, "not_eligible");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn explore_lists_campaigns_and_requests_and_finds_them_by_their_words() {
    let site = start(&[]).await;
    let owner = Person::user();
    site.campaign(
        &owner,
        json!({"title": "Warm coats for the shelter", "goal_minor": 250_000, "currency": "USD"}),
    )
    .await;
    site.campaign(
        &owner,
        json!({"title": "Books for the library", "goal_minor": 150_000, "currency": "JPY", "category": "education"}),
    )
    .await;
    site.request
        .post("/requests")
        .token(&owner.token)
        .json(&json!({"title": "Blankets for the night", "category": "shelter", "quantity_needed": 12}))
        .send()
        .await
        .expect(201);

    let home = site.web.page("/").await;
    assert!(home.contains("Warm coats for the shelter"), "{home}");
    assert!(home.contains("Books for the library"), "{home}");
    assert!(home.contains("Blankets for the night"), "{home}");
    assert!(
        home.contains("0.00 USD</strong> raised of 2,500.00 USD"),
        "{home}"
    );
    assert!(home.contains("raised of 150,000 JPY"), "{home}");

    let coats = site.web.page("/explore?q=coats").await;
    assert!(coats.contains("Warm coats for the shelter"), "{coats}");
    assert!(!coats.contains("Books for the library"), "{coats}");
    assert!(!coats.contains("Blankets for the night"), "{coats}");
    assert!(
        coats.contains(r#"value="coats""#),
        "the search box keeps the words"
    );

    let education = site
        .web
        .page("/explore?category=education&kind=campaigns")
        .await;
    assert!(education.contains("Books for the library"), "{education}");
    assert!(!education.contains("Warm coats"), "{education}");
    assert!(
        !education.contains("Blankets for the night"),
        "requests are not asked for"
    );

    site.shutdown().await;
}

#[tokio::test]
async fn explore_pages_through_one_kind_with_the_apis_cursor() {
    let site = start(&[]).await;
    let owner = Person::user();
    for n in 1..=13 {
        site.campaign(
            &owner,
            json!({"title": format!("Garden plot {n:02}"), "goal_minor": 1000, "currency": "EUR"}),
        )
        .await;
    }
    let first = site.web.page("/explore?q=garden&kind=campaigns").await;
    assert_eq!(first.matches("Garden plot").count(), 12, "{first}");
    let next = first
        .split("href=\"")
        .find(|s| s.starts_with("/explore?") && s.contains("cursor="))
        .and_then(|s| s.split('"').next())
        .expect("a link to the next page")
        .replace("&#38;", "&")
        .replace("&amp;", "&");
    let second = site.web.page(&next).await;
    assert_eq!(second.matches("Garden plot").count(), 1, "{second}");
    assert!(
        second.contains("Garden plot 01"),
        "the oldest comes last: {second}"
    );
    assert!(!second.contains("More campaigns"), "{second}");
    site.shutdown().await;
}

#[tokio::test]
async fn a_campaign_page_shows_its_money_in_its_currency_and_an_anonymous_donor_as_someone() {
    let site = start(&[]).await;
    let (owner, named, hidden) = (Person::user(), Person::user(), Person::user());
    site.name(&owner, "Rosa Recipient").await;
    site.name(&named, "Nadia Named").await;
    site.name(&hidden, "Harold Hidden").await;
    let campaign = site
        .campaign(
            &owner,
            json!({"title": "Repair the roof", "description": "Rain comes in.", "goal_minor": 500_000, "currency": "USD"}),
        )
        .await;
    let give = |amount: i64, anonymous: bool| {
        json!({"kind": "money", "campaign_id": campaign["id"], "amount_minor": amount,
               "currency": "USD", "anonymous": anonymous, "message": "Stay dry"})
    };
    let open = site.give(&named, give(2_500, false)).await;
    assert_eq!(open["status"], "confirmed");
    let secret = site.give(&hidden, give(123_456, true)).await;
    assert_eq!(secret["status"], "confirmed");
    rate(&site, &hidden, &secret, "Kind and quick").await;

    let page = site
        .web
        .page(&format!("/campaigns/{}", id(&campaign)))
        .await;
    assert!(
        page.contains("<strong>1,259.56 USD</strong> raised of 5,000.00 USD"),
        "{page}"
    );
    assert!(page.contains("2 donors"), "{page}");
    assert!(page.contains("25.00 USD"), "{page}");
    assert!(page.contains("1,234.56 USD"), "{page}");
    assert!(
        page.contains("Nadia Named"),
        "an open donor is named: {page}"
    );
    assert!(page.contains("Someone"), "{page}");
    assert!(
        !page.contains("Harold Hidden"),
        "the anonymous donor is not named"
    );
    assert!(!page.contains(&hidden.id.to_string()), "nor linked");
    assert!(page.contains("Rain comes in."), "{page}");
    assert!(
        page.contains(&format!("/campaigns/{}\"", id(&campaign))),
        "a share link"
    );

    let profile = site.web.page(&format!("/people/{}", owner.id)).await;
    assert!(profile.contains("Rosa Recipient"), "{profile}");
    assert!(profile.contains("Kind and quick"), "{profile}");
    assert!(profile.contains("from Someone"), "{profile}");
    assert!(!profile.contains(&hidden.id.to_string()), "{profile}");
    site.shutdown().await;
}

#[tokio::test]
async fn a_title_with_markup_shows_as_text_and_every_answer_carries_the_policy() {
    let site = start(&[]).await;
    let owner = Person::user();
    site.name(&owner, "<b>bold</b>").await;
    let xss = "<script>alert(1)</script>";
    let campaign = site
        .campaign(
            &owner,
            json!({"title": xss, "description": xss, "goal_minor": 100, "currency": "GBP"}),
        )
        .await;
    let request = site
        .request
        .post("/requests")
        .token(&owner.token)
        .json(&json!({"title": xss, "category": "x", "quantity_needed": 2}))
        .send()
        .await
        .expect(201);

    let paths = [
        "/".to_owned(),
        "/explore?q=alert".to_owned(),
        format!("/campaigns/{}", id(&campaign)),
        format!("/requests/{}", id(&request)),
        format!("/people/{}", owner.id),
    ];
    for path in &paths {
        let page = site.web.page(path).await;
        assert!(
            !page.contains("<script>alert"),
            "{path} runs the title: {page}"
        );
        assert!(!page.contains("<b>bold"), "{path}");
    }
    let campaign_page = site.web.page(&paths[2]).await;
    assert!(
        campaign_page.contains("&#60;script&#62;alert(1)&#60;/script&#62;")
            || campaign_page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{campaign_page}"
    );
    assert!(!campaign_page.contains("style="), "no inline style");
    assert!(
        !campaign_page.contains("<script>"),
        "no inline script: only <script src> from this site"
    );

    let home = site.web.page("/").await;
    let asset = |prefix: &str| {
        home.split('"')
            .find(|s| s.starts_with(prefix))
            .expect("linked from the page")
            .to_owned()
    };
    let (css, js, sse) = (
        asset("/static/site-"),
        asset("/static/htmx-2"),
        asset("/static/htmx-ext-sse-"),
    );
    let mut every = paths.to_vec();
    every.extend([
        css.clone(),
        js.clone(),
        sse.clone(),
        "/campaigns/00000000-0000-0000-0000-000000000000".to_owned(),
        "/nowhere".to_owned(),
        "/health/live".to_owned(),
        "/metrics".to_owned(),
    ]);
    for path in &every {
        let answer = site.web.get(path).await;
        assert_eq!(
            answer.header("content-security-policy"),
            Some(CSP),
            "{path}"
        );
        assert_eq!(
            answer.header("x-content-type-options"),
            Some("nosniff"),
            "{path}"
        );
        assert!(answer.header("referrer-policy").is_some(), "{path}");
    }
    for asset in [&css, &js, &sse] {
        let answer = site.web.get(asset).await;
        assert_eq!(answer.status, 200, "{asset}");
        assert!(answer.set_cookies().is_empty(), "a file sets no cookie");
        assert!(answer
            .header("cache-control")
            .is_some_and(|c| c.contains("immutable")));
        let gzipped = site.web.get_gzip(asset).await;
        assert_eq!(gzipped.header("content-encoding"), Some("gzip"), "{asset}");
    }
    // A page is never compressed: its CSRF token sits beside text the
    // visitor chose (BREACH).
    let search = site.web.get_gzip("/explore?q=csrf").await;
    assert_eq!(search.status, 200);
    assert_eq!(search.header("content-encoding"), None);
    site.shutdown().await;
}

#[tokio::test]
async fn what_does_not_exist_is_the_404_page() {
    let site = start(&[]).await;
    let owner = Person::user();
    let draft = site
        .campaign(
            &owner,
            json!({"title": "Not yet", "goal_minor": 100, "currency": "USD", "status": "draft"}),
        )
        .await;
    for path in [
        "/campaigns/5b0f1d9e-3a1c-4e53-9d0c-6f3a6a1f4c11".to_owned(),
        "/campaigns/not-an-id".to_owned(),
        format!("/campaigns/{}", id(&draft)),
        "/requests/5b0f1d9e-3a1c-4e53-9d0c-6f3a6a1f4c11".to_owned(),
        format!("/people/{}", uuid::Uuid::new_v4()),
        "/no/such/page".to_owned(),
        "/static/site-0000.css".to_owned(),
    ] {
        let answer = site.web.get(&path).await;
        assert_eq!(answer.status, 404, "{path}");
        assert!(
            answer.body.contains("Page not found"),
            "{path}: {}",
            answer.body
        );
        assert!(
            answer.body.contains("<main"),
            "in the site's design: {path}"
        );
    }
    site.shutdown().await;
}

#[tokio::test]
async fn a_service_that_is_down_is_a_notice_and_the_rest_of_the_page_renders() {
    let nowhere = format!("http://127.0.0.1:{}", closed_port().await);
    let site = start(&[
        ("REQUEST_SERVICE_URL", &nowhere),
        ("PROFILE_SERVICE_URL", &nowhere),
    ])
    .await;
    // messaging-service checks donations itself: only the site loses these.
    let owner = Person::user();
    let campaign = site
        .campaign(
            &owner,
            json!({"title": "Soup kitchen", "goal_minor": 10_000, "currency": "CAD"}),
        )
        .await;
    let donor = Person::user();
    let gift = site
        .give(&donor, json!({"kind": "money", "campaign_id": campaign["id"], "amount_minor": 700, "currency": "CAD"}))
        .await;
    assert_eq!(gift["status"], "confirmed");

    let home = site.web.get("/").await;
    assert_eq!(home.status, 200, "{}", home.body);
    assert!(
        home.body
            .contains("Requests are unavailable right now; try again shortly."),
        "{}",
        home.body
    );
    assert!(
        home.body.contains("Soup kitchen"),
        "the campaigns still show: {}",
        home.body
    );

    // The donor's name comes from profile-service: unnamed, still listed.
    let page = site.web.get(&format!("/campaigns/{}", id(&campaign))).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("7.00 CAD"), "{}", page.body);

    let profile = site.web.get(&format!("/people/{}", owner.id)).await;
    assert_eq!(profile.status, 503, "the page is about the missing service");
    assert!(
        profile
            .body
            .contains("Profiles and ratings are unavailable right now"),
        "{}",
        profile.body
    );
    assert!(profile.header("retry-after").is_some());
    site.shutdown().await;
}

#[tokio::test]
async fn donations_down_leave_the_campaign_page_with_a_notice() {
    let nowhere = format!("http://127.0.0.1:{}", closed_port().await);
    // DONATION_SERVICE_URL is messaging-service's too; nothing here messages.
    let site = start(&[("DONATION_SERVICE_URL", &nowhere)]).await;
    let owner = Person::user();
    let campaign = site
        .campaign(
            &owner,
            json!({"title": "Bus fare fund", "goal_minor": 5_000, "currency": "ZAR"}),
        )
        .await;
    let page = site.web.get(&format!("/campaigns/{}", id(&campaign))).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(
        page.body
            .contains("Donations are unavailable right now; try again shortly."),
        "{}",
        page.body
    );
    assert!(page.body.contains("Bus fare fund"));
    assert!(page.body.contains("raised of 50.00 ZAR"), "{}", page.body);
    site.shutdown().await;
}

#[tokio::test]
async fn a_hung_or_failing_service_is_a_notice_on_a_page_that_still_renders() {
    let (silent, silent_task) = support::silent_service().await;
    let (failing, failing_task) = support::failing_service().await;
    let site = start(&[
        ("REQUEST_SERVICE_URL", &silent),
        ("PROFILE_SERVICE_URL", &failing),
        // Short, so that the hung call gives up soon; nothing here is timed.
        ("WEB_BACKEND_TIMEOUT", "300ms"),
    ])
    .await;
    let owner = Person::user();
    let campaign = site
        .campaign(
            &owner,
            json!({"title": "Winter boots", "goal_minor": 9_000, "currency": "SEK"}),
        )
        .await;
    let donor = Person::user();
    site.give(&donor, json!({"kind": "money", "campaign_id": campaign["id"], "amount_minor": 4_500, "currency": "SEK"}))
        .await;

    let home = site.web.get("/").await;
    assert_eq!(home.status, 200, "{}", home.body);
    assert!(
        home.body.contains("Requests are unavailable right now"),
        "{}",
        home.body
    );
    assert!(home.body.contains("Winter boots"), "{}", home.body);

    let page = site.web.get(&format!("/campaigns/{}", id(&campaign))).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(
        page.body.contains("45.00 SEK"),
        "the gift, its donor unnamed: {}",
        page.body
    );
    assert!(page.body.contains("A supporter"), "{}", page.body);

    let profile = site.web.get(&format!("/people/{}", owner.id)).await;
    assert_eq!(profile.status, 503, "{}", profile.body);
    let request = site
        .web
        .get(&format!("/requests/{}", uuid::Uuid::new_v4()))
        .await;
    assert_eq!(request.status, 503, "{}", request.body);
    assert!(request.body.contains("Requests are unavailable right now"));

    site.shutdown().await;
    silent_task.abort();
    failing_task.abort();
}

#[tokio::test]
async fn a_request_page_shows_what_is_needed_pledged_and_fulfilled() {
    let site = start(&[("WEB_PUBLIC_URL", "https://hearth.example/")]).await;
    let (owner, donor) = (Person::user(), Person::user());
    site.name(&donor, "Pat Pledger").await;
    let request = site
        .request
        .post("/requests")
        .token(&owner.token)
        .json(&json!({"title": "Winter coats", "category": "clothing", "quantity_needed": 12, "location": "Leeds"}))
        .send()
        .await
        .expect(201);
    let pledge = site
        .give(
            &donor,
            json!({"kind": "item", "request_id": request["id"], "quantity": 5, "item_description": "wool coats"}),
        )
        .await;
    assert_eq!(pledge["status"], "confirmed");
    let request_id = id(&request);
    // The request hears of the pledge through the saga.
    let deadline = tokio::time::Instant::now() + WAIT;
    let page = loop {
        let page = site.web.page(&format!("/requests/{request_id}")).await;
        if page.contains("<dt>Pledged</dt><dd>5</dd>") || tokio::time::Instant::now() >= deadline {
            break page;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(page.contains("<dt>Needed</dt><dd>12</dd>"), "{page}");
    assert!(page.contains("<dt>Pledged</dt><dd>5</dd>"), "{page}");
    assert!(page.contains("<dt>Fulfilled</dt><dd>0</dd>"), "{page}");
    assert!(page.contains("5 × wool coats"), "{page}");
    assert!(page.contains("Pat Pledger"), "{page}");
    assert!(page.contains("Leeds"), "{page}");
    assert!(
        page.contains(&format!(
            r#"value="https://hearth.example/requests/{request_id}""#
        )),
        "the share link names the public address: {page}"
    );
    site.shutdown().await;
}

/// The client forwards the viewer's token: a draft is the owner's alone.
#[tokio::test]
async fn the_api_client_asks_as_the_viewer() {
    use web_service::api::{Api, Failure};
    use web_service::config::Config;
    use web_service::session::{Person as Signed, Viewer};

    let site = start(&[]).await;
    let owner = Person::user();
    let draft = site
        .campaign(
            &owner,
            json!({"title": "Draft plan", "goal_minor": 100, "currency": "USD", "status": "draft"}),
        )
        .await;
    let mut env = std::collections::HashMap::new();
    env.insert("CAMPAIGN_SERVICE_URL".to_owned(), site.campaign_url.clone());
    let config = Config::from_env(&env, Some(hearth_testkit::JWT_SECRET)).expect("config");
    let api = Api::new(config.backends, config.backend_timeout).expect("client");
    let draft_id = id(&draft).parse().expect("uuid");

    let as_owner = Viewer::Person(Signed::new(
        owner.id,
        "Owner".to_owned(),
        false,
        owner.token.clone(),
    ));
    let seen = api
        .campaign(draft_id, &as_owner)
        .await
        .expect("the owner sees it");
    assert_eq!(seen.title, "Draft plan");
    assert!(matches!(
        api.campaign(draft_id, &Viewer::Visitor).await,
        Err(Failure::NotFound)
    ));
    let stranger = Person::user();
    let as_stranger = Viewer::Person(Signed::new(
        stranger.id,
        "S".to_owned(),
        false,
        stranger.token,
    ));
    assert!(matches!(
        api.campaign(draft_id, &as_stranger).await,
        Err(Failure::NotFound)
    ));
    site.shutdown().await;
}

#[tokio::test]
async fn a_visitors_page_is_kept_a_moment_and_a_signed_in_persons_never() {
    let site = start(&[("WEB_VISITOR_CACHE", "1s")]).await;
    let owner = Person::user();
    let campaign = site
        .campaign(
            &owner,
            json!({"title": "Old title", "goal_minor": 1_000, "currency": "USD"}),
        )
        .await;
    let path = format!("/campaigns/{}", id(&campaign));
    assert!(site.web.page(&path).await.contains("Old title"));
    site.campaign
        .patch(&format!("/campaigns/{}", id(&campaign)))
        .token(&owner.token)
        .json(&json!({"title": "New title"}))
        .send()
        .await
        .expect(200);

    // Within the second, visitors share the page they were given.
    let visitor = site.web.page(&path).await;
    assert!(visitor.contains("Old title"), "kept: {visitor}");
    // A signed-in person's page is theirs and always asked afresh.
    let signed_in = format!(
        "hearth_session={}",
        hearth_testkit::user_token(uuid::Uuid::new_v4())
    );
    let theirs = site.web.get_with(&path, &signed_in).await;
    assert_eq!(theirs.status, 200);
    assert!(theirs.body.contains("New title"), "{}", theirs.body);
    // A page that did not exist is never kept as one.
    let missing = format!("/campaigns/{}", uuid::Uuid::new_v4());
    assert_eq!(site.web.get(&missing).await.status, 404);

    tokio::time::sleep(Duration::from_millis(1_100)).await;
    let later = site.web.page(&path).await;
    assert!(later.contains("New title"), "a second later: {later}");
    site.shutdown().await;
}
