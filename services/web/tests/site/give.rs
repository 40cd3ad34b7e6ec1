//! Giving through the site: the donate form, one donation per submitted
//! form however often it is sent, and the saga's outcome on the donation's
//! page in plain words.

use crate::support;

use std::time::Duration;

use crate::support::{field, start, Site, WAIT};
use hearth_testkit::Person;
use serde_json::{json, Value};

/// Signs `name` in through the sign-in page; the browser's cookies.
async fn sign_in(site: &Site, name: &str) -> String {
    let (csrf_cookie, answer) = site.sign_in(name).await;
    format!(
        "{csrf_cookie}; {}; {}",
        answer.cookie("hearth_session").expect("session"),
        answer.cookie("hearth_name").expect("name")
    )
}

/// The donate form's fields on the campaign's page, as the browser sees them.
async fn donate_form(site: &Site, cookies: &str, campaign: &Value) -> Vec<(String, String)> {
    let page = site
        .web
        .get_with(
            &format!("/campaigns/{}", campaign["id"].as_str().expect("id")),
            cookies,
        )
        .await;
    assert_eq!(page.status, 200, "{}", page.body);
    ["csrf", "key", "currency"]
        .into_iter()
        .map(|name| (name.to_owned(), field(&page.body, name)))
        .collect()
}

/// Submits the donate form with `fields` plus `extra`.
async fn submit(
    site: &Site,
    cookies: &str,
    campaign: &Value,
    fields: &[(String, String)],
    extra: &[(&str, &str)],
) -> support::Answer {
    let mut form: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    form.extend_from_slice(extra);
    let path = format!(
        "/campaigns/{}/donations",
        campaign["id"].as_str().expect("id")
    );
    site.web.post_form(&path, cookies, &form).await
}

/// The donation's status fragment once it left pending, as the page's live
/// stream brings it (a donation settled before the stream opened comes
/// with its first look).
async fn settled_status(site: &Site, cookies: &str, donation_path: &str) -> String {
    let page = site.web.get_with(donation_path, cookies).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let id = donation_path.rsplit('/').next().expect("an id");
    let event = format!("donation-{id}");
    if page.body.contains("Pending") {
        assert!(
            page.body.contains(&format!(r#"sse-swap="{event}""#)),
            "a pending status is swapped live: {}",
            page.body
        );
        assert!(
            page.body
                .contains(&format!(r#"sse-connect="/live?donation={id}""#)),
            "the page's stream watches it: {}",
            page.body
        );
    }
    let mut live = site
        .web
        .live(&format!("/live?donation={id}"), cookies)
        .await;
    loop {
        let next = live.next(WAIT).await.expect("the outcome within WAIT");
        if next.name == event {
            return next.data;
        }
    }
}

#[tokio::test]
async fn a_signed_in_person_gives_once_and_sees_it_confirmed() {
    let site = start(&[]).await;
    let owner = Person::user();
    let campaign = site
        .campaign(
            &owner,
            json!({"title": "Roof repairs", "goal_minor": 100_000, "currency": "USD"}),
        )
        .await;
    let visitor = site
        .web
        .page(&format!(
            "/campaigns/{}",
            campaign["id"].as_str().expect("id")
        ))
        .await;
    assert!(visitor.contains("Sign in to give"), "{visitor}");
    assert!(
        !visitor.contains(r#"name="amount""#),
        "no form for a visitor"
    );

    let cookies = sign_in(&site, "Dora Donor").await;
    let form = donate_form(&site, &cookies, &campaign).await;
    let extra = [
        ("amount", "12.50"),
        ("message", "Good luck"),
        ("anonymous", "yes"),
    ];
    let first = submit(&site, &cookies, &campaign, &form, &extra).await;
    assert_eq!(first.status, 303, "{}", first.body);
    let donation_path = first
        .header("location")
        .expect("to the donation")
        .to_owned();
    assert!(donation_path.starts_with("/donations/"), "{donation_path}");
    // A double click, or back and submit again: the same donation.
    let again = submit(&site, &cookies, &campaign, &form, &extra).await;
    assert_eq!(again.header("location"), Some(donation_path.as_str()));

    let page = site.web.get_with(&donation_path, &cookies).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("12.50 USD"), "{}", page.body);
    assert!(page.body.contains(r#"class="donation-status"#));
    let status = settled_status(&site, &cookies, &donation_path).await;
    assert!(status.contains("Confirmed"), "{status}");
    assert!(
        !status.contains("sse-swap"),
        "a settled status is no longer swapped"
    );

    let seen = site
        .campaign
        .get(&format!(
            "/campaigns/{}",
            campaign["id"].as_str().expect("id")
        ))
        .send()
        .await
        .expect(200);
    assert_eq!(seen["raised_minor"], 1250);
    assert_eq!(seen["donor_count"], 1, "one donation for two submits");
    let public = site
        .web
        .page(&format!(
            "/campaigns/{}",
            campaign["id"].as_str().expect("id")
        ))
        .await;
    assert!(public.contains("Someone"), "given anonymously: {public}");
    assert!(!public.contains("Dora Donor"), "{public}");
    // Someone else's donation is not theirs to see.
    let stranger = sign_in(&site, "Sam Stranger").await;
    assert_eq!(
        site.web.get_with(&donation_path, &stranger).await.status,
        404
    );
    site.shutdown().await;
}

#[tokio::test]
async fn a_refused_donation_says_why_in_plain_words() {
    let site = start(&[]).await;
    let owner = Person::user();
    let paused = site
        .campaign(
            &owner,
            json!({"title": "Paused plan", "goal_minor": 10_000, "currency": "EUR"}),
        )
        .await;
    let euros = site
        .campaign(
            &owner,
            json!({"title": "Euro fund", "goal_minor": 10_000, "currency": "EUR"}),
        )
        .await;
    let cookies = sign_in(&site, "Rita Refused").await;
    let paused_form = donate_form(&site, &cookies, &paused).await;
    let euro_form = donate_form(&site, &cookies, &euros).await;
    site.campaign
        .post(&format!(
            "/campaigns/{}/status",
            paused["id"].as_str().expect("id")
        ))
        .token(&owner.token)
        .json(&json!({"status": "paused"}))
        .send()
        .await
        .expect(200);

    let answer = submit(&site, &cookies, &paused, &paused_form, &[("amount", "5")]).await;
    let path = answer.header("location").expect("a donation").to_owned();
    let status = settled_status(&site, &cookies, &path).await;
    assert!(status.contains("Refused"), "{status}");
    assert!(
        status.contains("not taking donations right now"),
        "{status}"
    );

    // The form names its currency; one the campaign does not take is refused by the saga.
    let mut in_dollars = euro_form.clone();
    for (name, value) in &mut in_dollars {
        if name == "currency" {
            *value = "USD".to_owned();
        }
    }
    let answer = submit(&site, &cookies, &euros, &in_dollars, &[("amount", "5")]).await;
    let path = answer.header("location").expect("a donation").to_owned();
    let status = settled_status(&site, &cookies, &path).await;
    assert!(status.contains("another currency"), "{status}");
    site.shutdown().await;
}

#[tokio::test]
async fn a_form_that_cannot_be_sent_comes_back_with_its_problem_and_what_was_typed() {
    let site = start(&[]).await;
    let owner = Person::user();
    let campaign = site
        .campaign(
            &owner,
            json!({"title": "Yen fund", "goal_minor": 10_000, "currency": "JPY"}),
        )
        .await;
    let cookies = sign_in(&site, "Tess Typo").await;
    let form = donate_form(&site, &cookies, &campaign).await;
    let answer = submit(
        &site,
        &cookies,
        &campaign,
        &form,
        &[("amount", "10.50"), ("message", "kept")],
    )
    .await;
    assert_eq!(answer.status, 422, "{}", answer.body);
    assert!(
        answer.body.contains("this currency has no decimals"),
        "{}",
        answer.body
    );
    assert!(answer.body.contains(r#"value="10.50""#), "{}", answer.body);
    assert!(answer.body.contains(">kept</textarea>"), "{}", answer.body);
    assert_eq!(
        field(&answer.body, "key"),
        form[1].1,
        "still the same donation"
    );

    // A visitor's post goes to the sign-in page, and nothing is given.
    let page = site.web.get("/sign-in").await;
    let csrf_cookie = page.cookie("hearth_csrf").expect("csrf");
    let csrf = field(&page.body, "csrf");
    let fields = vec![
        ("csrf".to_owned(), csrf),
        ("key".to_owned(), uuid::Uuid::new_v4().to_string()),
        ("currency".to_owned(), "JPY".to_owned()),
    ];
    let answer = submit(
        &site,
        &csrf_cookie,
        &campaign,
        &fields,
        &[("amount", "100")],
    )
    .await;
    assert_eq!(answer.status, 303);
    assert!(answer
        .header("location")
        .is_some_and(|l| l.starts_with("/sign-in")));
    site.shutdown().await;
}

#[tokio::test]
async fn a_pledge_to_a_request_is_confirmed_and_too_many_is_refused() {
    let site = start(&[]).await;
    let owner = Person::user();
    let request = site
        .request
        .post("/requests")
        .token(&owner.token)
        .json(&json!({"title": "Soup for the shelter", "category": "food", "quantity_needed": 10}))
        .send()
        .await
        .expect(201);
    let request_path = format!("/requests/{}", request["id"].as_str().expect("id"));
    let visitor = site.web.page(&request_path).await;
    assert!(visitor.contains("Sign in to pledge"), "{visitor}");

    let cookies = sign_in(&site, "Pia Pledger").await;
    let pledge = |quantity: &'static str| {
        let cookies = cookies.clone();
        let request_path = request_path.clone();
        let site = &site;
        async move {
            let page = site.web.get_with(&request_path, &cookies).await;
            let (csrf, key) = (field(&page.body, "csrf"), field(&page.body, "key"));
            site.web
                .post_form(
                    &format!("{request_path}/pledges"),
                    &cookies,
                    &[
                        ("csrf", csrf.as_str()),
                        ("key", key.as_str()),
                        ("quantity", quantity),
                        ("item_description", "tins of soup"),
                    ],
                )
                .await
        }
    };
    let answer = pledge("4").await;
    assert_eq!(answer.status, 303, "{}", answer.body);
    let path = answer.header("location").expect("a pledge").to_owned();
    let status = settled_status(&site, &cookies, &path).await;
    assert!(status.contains("Confirmed"), "{status}");
    assert!(
        status.contains("4 × tins of soup reached the request"),
        "{status}"
    );
    let page = site.web.page(&request_path).await;
    assert!(page.contains("<dt>Pledged</dt><dd>4</dd>"), "{page}");

    let answer = pledge("7").await;
    let path = answer.header("location").expect("a pledge").to_owned();
    let status = settled_status(&site, &cookies, &path).await;
    assert!(status.contains("Refused"), "{status}");
    assert!(
        status.contains("the request needs less than was pledged"),
        "{status}"
    );

    let answer = pledge("none").await;
    assert_eq!(answer.status, 422, "{}", answer.body);
    assert!(
        answer.body.contains("Quantity: a whole number"),
        "{}",
        answer.body
    );
    site.shutdown().await;
}

#[tokio::test]
async fn my_giving_lists_a_pending_gift_which_its_donor_may_cancel() {
    use hearth::services::Service;
    // Without campaign-service the saga never answers: the gift stays pending.
    let nowhere = format!("http://127.0.0.1:{}", support::closed_port().await);
    let site = support::start_services(
        &[
            Service::Donation,
            Service::Request,
            Service::Messaging,
            Service::Profile,
        ],
        &[("CAMPAIGN_SERVICE_URL", &nowhere)],
    )
    .await;
    let cookies = sign_in(&site, "Cal Canceller").await;
    let giving = site.web.get_with("/giving", &cookies).await;
    assert!(
        giving.body.contains("You have not given yet"),
        "{}",
        giving.body
    );
    let csrf = field(&giving.body, "csrf");
    let campaign = json!({"id": uuid::Uuid::new_v4().to_string()});
    let form = vec![
        ("csrf".to_owned(), csrf.clone()),
        ("key".to_owned(), uuid::Uuid::new_v4().to_string()),
        ("currency".to_owned(), "USD".to_owned()),
    ];
    let answer = submit(&site, &cookies, &campaign, &form, &[("amount", "3")]).await;
    assert_eq!(answer.status, 303, "{}", answer.body);
    let donation_path = answer.header("location").expect("a donation").to_owned();

    let giving = site.web.get_with("/giving", &cookies).await;
    assert!(giving.body.contains("3.00 USD"), "{}", giving.body);
    assert!(giving.body.contains("Pending"), "{}", giving.body);
    let id = donation_path.rsplit('/').next().expect("an id");
    assert!(
        giving
            .body
            .contains(&format!(r#"sse-swap="donation-{id}""#))
            && giving
                .body
                .contains(&format!(r#"sse-connect="/live?donation={id}""#)),
        "live while pending: {}",
        giving.body
    );
    let cancel = format!("{donation_path}/cancel");
    assert!(
        giving.body.contains(&format!(r#"action="{cancel}""#)),
        "{}",
        giving.body
    );

    let refused = site
        .web
        .post_form(&cancel, &cookies, &[("csrf", "wrong")])
        .await;
    assert_eq!(refused.status, 403);
    let answer = site
        .web
        .post_form(&cancel, &cookies, &[("csrf", &csrf)])
        .await;
    assert_eq!(answer.status, 303, "{}", answer.body);
    assert_eq!(answer.header("location"), Some("/giving"));
    let giving = site.web.get_with("/giving", &cookies).await;
    assert!(giving.body.contains("Cancelled"), "{}", giving.body);
    assert!(!giving.body.contains("Cancel this gift"), "{}", giving.body);
    assert!(site
        .web
        .get("/giving")
        .await
        .header("location")
        .is_some_and(|l| l.starts_with("/sign-in")));
    site.shutdown().await;
}

#[tokio::test]
async fn notifications_are_listed_counted_and_marked_read() {
    use web_service::pages::sign_in::dev_person_id;
    let site = start(&[]).await;
    let cookies = sign_in(&site, "Nora Notified").await;
    let home = site.web.get_with("/", &cookies).await;
    assert!(
        home.body.contains(r#"sse-connect="/live""#) && home.body.contains(r#"sse-swap="unread""#),
        "the header's count is live: {}",
        home.body
    );
    // The stream tells the count at once, then only when it changes.
    let mut live = site.web.live("/live", &cookies).await;
    let first = live.next(WAIT).await.expect("the count at once");
    assert_eq!(
        (first.name.as_str(), first.data.as_str()),
        ("unread", "<!-- none -->"),
        "nothing yet"
    );

    // Her campaign's creation notifies her, through the broker.
    let nora = Person {
        id: dev_person_id("Nora Notified", false),
        token: hearth_testkit::user_token(dev_person_id("Nora Notified", false)),
    };
    site.campaign(
        &nora,
        json!({"title": "Nora's garden", "goal_minor": 5_000, "currency": "USD"}),
    )
    .await;
    let rise = live.next(WAIT).await.expect("a notification within WAIT");
    assert_eq!((rise.name.as_str(), rise.data.as_str()), ("unread", "1"));
    let page = site.web.get_with("/notifications", &cookies).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("New"), "{}", page.body);
    assert!(
        page.body.contains("/campaigns/"),
        "links to the campaign: {}",
        page.body
    );
    let csrf = field(&page.body, "csrf");
    let answer = site
        .web
        .post_form("/notifications/read-all", &cookies, &[("csrf", &csrf)])
        .await;
    assert_eq!(answer.status, 303, "{}", answer.body);
    let fall = live.next(WAIT).await.expect("the count falls within WAIT");
    assert_eq!(
        (fall.name.as_str(), fall.data.as_str()),
        ("unread", "<!-- none -->"),
        "an event with no data would never reach the browser"
    );
    let page = site.web.get_with("/notifications", &cookies).await;
    assert!(!page.body.contains("Mark read"), "{}", page.body);
    site.shutdown().await;
}

#[tokio::test]
async fn the_live_stream_is_for_a_signed_in_person_and_tells_only_their_own_donations() {
    use web_service::pages::sign_in::dev_person_id;
    let site = start(&[]).await;
    let owner = Person::user();
    let campaign = site
        .campaign(
            &owner,
            json!({"title": "Bus fares", "goal_minor": 10_000, "currency": "USD"}),
        )
        .await;
    let cookies = sign_in(&site, "Gina Giver").await;
    let gina = Person {
        id: dev_person_id("Gina Giver", false),
        token: hearth_testkit::user_token(dev_person_id("Gina Giver", false)),
    };
    let given = site
        .give(
            &gina,
            json!({"kind": "money", "campaign_id": campaign["id"], "amount_minor": 500, "currency": "USD"}),
        )
        .await;
    assert_eq!(given["status"], "confirmed", "{given}");
    let id = given["id"].as_str().expect("id");

    // A visitor has no stream: the 401 page, not an endless one.
    let visitor = site.web.get(&format!("/live?donation={id}")).await;
    assert_eq!(visitor.status, 401, "{}", visitor.body);

    // Someone else watching Gina's donation hears only their own count.
    let other = sign_in(&site, "Olly Other").await;
    let mut theirs = site.web.live(&format!("/live?donation={id}"), &other).await;
    let first = theirs.next(WAIT).await.expect("the count at once");
    assert_eq!(first.name, "unread");
    assert_eq!(
        theirs.next(Duration::from_millis(1_500)).await,
        None,
        "another person's donation is never told"
    );

    // Gina hears hers, and the stream ends with the site.
    let mut hers = site
        .web
        .live(&format!("/live?donation={id}"), &cookies)
        .await;
    let mut names = Vec::new();
    while let Some(event) = hers.next(Duration::from_secs(2)).await {
        names.push(event.name);
    }
    assert!(
        names.contains(&format!("donation-{id}")),
        "her settled donation is told at once: {names:?}"
    );
    tokio::time::timeout(WAIT, site.shutdown())
        .await
        .expect("the site stops with live streams open");
    assert!(hers.ends_within(WAIT).await, "the stream ended");
}
