//! Running a campaign and the gifts received, as a browser without
//! JavaScript sends the forms: one campaign per form however often it is
//! sent, who may open and change an owner's page, a move no longer allowed,
//! a forged form, and a refund asked by someone who may not make it.

use crate::support::{field, start, Site};
use hearth_testkit::Person;
use serde_json::json;

/// Unescapes what askama escaped in an attribute (the `was` JSON).
fn unescape(value: &str) -> String {
    value
        .replace("&#34;", "\"")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// Signs `name` in through the development sign-in; the browser's cookies.
async fn sign_in(site: &Site, name: &str) -> String {
    let (csrf_cookie, answer) = site.sign_in(name).await;
    format!(
        "{csrf_cookie}; {}",
        answer.cookie("hearth_session").expect("session"),
    )
}

/// Starts a campaign through the form as the person of `cookies`; its id.
async fn start_campaign(site: &Site, cookies: &str, title: &str) -> String {
    let form = site.web.get_with("/campaigns/new", cookies).await;
    assert_eq!(form.status, 200, "{}", form.body);
    let (csrf, key) = (field(&form.body, "csrf"), field(&form.body, "key"));
    let answer = site
        .web
        .post_form(
            "/campaigns",
            cookies,
            &[
                ("csrf", &csrf),
                ("key", &key),
                ("title", title),
                ("currency", "USD"),
                ("goal", "100"),
                ("status", "active"),
            ],
        )
        .await;
    assert_eq!(answer.status, 303, "{}", answer.body);
    let location = answer.header("location").expect("a redirect");
    location
        .strip_prefix("/campaigns/")
        .expect("to the campaign")
        .to_owned()
}

#[tokio::test]
async fn one_start_form_sent_twice_makes_one_campaign_and_a_forged_one_none() {
    let site = start(&[]).await;
    let cookies = sign_in(&site, "Ilse Idempotent").await;
    let form = site.web.get_with("/campaigns/new", &cookies).await;
    let (csrf, key) = (field(&form.body, "csrf"), field(&form.body, "key"));
    let fields = |csrf: &str| {
        vec![
            ("csrf".to_owned(), csrf.to_owned()),
            ("key".to_owned(), key.clone()),
            ("title".to_owned(), "Tables for the soup kitchen".to_owned()),
            ("currency".to_owned(), "USD".to_owned()),
            ("goal".to_owned(), "250".to_owned()),
        ]
    };
    let send = |form: Vec<(String, String)>, cookies: String| {
        let site = &site;
        async move {
            let form: Vec<(&str, &str)> =
                form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            site.web.post_form("/campaigns", &cookies, &form).await
        }
    };

    // Another site's form cannot carry this browser's token.
    let forged = send(fields("not-the-token"), cookies.clone()).await;
    assert_eq!(forged.status, 403);

    let first = send(fields(&csrf), cookies.clone()).await;
    let again = send(fields(&csrf), cookies.clone()).await;
    assert_eq!(first.status, 303, "{}", first.body);
    assert_eq!(again.header("location"), first.header("location"));
    let owner_campaigns: serde_json::Value = site
        .campaign
        .get("/campaigns?q=soup")
        .send()
        .await
        .expect(200);
    assert_eq!(owner_campaigns["items"].as_array().expect("items").len(), 1);

    // Signed out, the form sends the person to sign in; nothing is made.
    let csrf_only = cookies.split("; ").next().expect("csrf cookie").to_owned();
    let visitor = send(fields(&csrf), csrf_only).await;
    assert_eq!(visitor.status, 303);
    assert_eq!(
        visitor.header("location"),
        Some("/sign-in?next=/campaigns/new")
    );
    site.shutdown().await;
}

#[tokio::test]
async fn another_person_may_neither_open_nor_change_a_campaign() {
    let site = start(&[]).await;
    let owner = sign_in(&site, "Otto Owner").await;
    let id = start_campaign(&site, &owner, "Lamps for the reading room").await;
    let manage = site
        .web
        .get_with(&format!("/campaigns/{id}/edit"), &owner)
        .await;
    assert_eq!(manage.status, 200, "{}", manage.body);
    let (csrf, version, was) = (
        field(&manage.body, "csrf"),
        field(&manage.body, "version"),
        unescape(&field(&manage.body, "was")),
    );

    let other = sign_in(&site, "Nora Nosy").await;
    let other_csrf = other.split("; ").next().expect("csrf").to_owned();
    let other_token = other_csrf.trim_start_matches("hearth_csrf=").to_owned();
    let page = site
        .web
        .get_with(&format!("/campaigns/{id}/edit"), &other)
        .await;
    assert_eq!(page.status, 403);
    assert!(page.body.contains("Not allowed"), "{}", page.body);
    let edit = site
        .web
        .post_form(
            &format!("/campaigns/{id}/edit"),
            &other,
            &[
                ("csrf", &other_token),
                ("version", &version),
                ("was", &was),
                ("title", "Mine now"),
            ],
        )
        .await;
    assert_eq!(edit.status, 403, "{}", edit.body);
    let pause = site
        .web
        .post_form(
            &format!("/campaigns/{id}/status"),
            &other,
            &[("csrf", &other_token), ("status", "paused")],
        )
        .await;
    assert_eq!(pause.status, 403, "{}", pause.body);
    let campaign: serde_json::Value = site
        .campaign
        .get(&format!("/campaigns/{id}"))
        .send()
        .await
        .expect(200);
    assert_eq!(
        (campaign["title"].as_str(), campaign["status"].as_str()),
        (Some("Lamps for the reading room"), Some("active"))
    );

    // The owner's own form, with a `was` that is not the site's, is refused.
    let tampered = site
        .web
        .post_form(
            &format!("/campaigns/{id}/edit"),
            &owner,
            &[
                ("csrf", &csrf),
                ("version", &version),
                ("was", "not json"),
                ("title", "Lamps"),
            ],
        )
        .await;
    assert_eq!(tampered.status, 403);
    site.shutdown().await;
}

#[tokio::test]
async fn a_move_no_longer_allowed_is_explained_and_a_staff_move_is_not_offered() {
    let site = start(&[]).await;
    let owner = sign_in(&site, "Cleo Completer").await;
    let id = start_campaign(&site, &owner, "Paint for the mural").await;
    let manage = site
        .web
        .get_with(&format!("/campaigns/{id}/edit"), &owner)
        .await;
    let csrf = field(&manage.body, "csrf");
    let path = format!("/campaigns/{id}/status");
    let complete = site
        .web
        .post_form(&path, &owner, &[("csrf", &csrf), ("status", "completed")])
        .await;
    assert_eq!(complete.status, 303, "{}", complete.body);
    // A page opened before it was completed still offers Pause.
    let pause = site
        .web
        .post_form(&path, &owner, &[("csrf", &csrf), ("status", "paused")])
        .await;
    assert_eq!(pause.status, 409, "{}", pause.body);
    assert!(
        pause.body.contains("That change is not possible"),
        "{}",
        pause.body
    );
    assert!(!pause.body.contains("Pause donations"), "{}", pause.body);
    let suspend = site
        .web
        .post_form(&path, &owner, &[("csrf", &csrf), ("status", "suspended")])
        .await;
    assert_eq!(suspend.status, 403);
    site.shutdown().await;
}

#[tokio::test]
async fn only_the_recipient_refunds_and_only_once_confirmed() {
    let site = start(&[]).await;
    let owner = sign_in(&site, "Rosa Refunder").await;
    let id = start_campaign(&site, &owner, "Shoes for the relay team").await;
    let donor = Person::user();
    let donation = site
        .give(
            &donor,
            json!({"kind": "money", "campaign_id": id, "amount_minor": 900, "currency": "USD"}),
        )
        .await;
    assert_eq!(donation["status"], "confirmed");
    let refund = format!("/received/{}/refund", donation["id"].as_str().expect("id"));

    let other = sign_in(&site, "Pia Passerby").await;
    let other_token = other
        .split("; ")
        .next()
        .expect("csrf")
        .trim_start_matches("hearth_csrf=")
        .to_owned();
    let forbidden = site
        .web
        .post_form(
            &refund,
            &other,
            &[
                ("csrf", &other_token),
                ("reason", "mine"),
                ("confirm", "yes"),
            ],
        )
        .await;
    assert_eq!(forbidden.status, 403, "{}", forbidden.body);

    // The recipient: a reason first, then the confirmation, then the refund.
    let form = site.web.get_with(&refund, &owner).await;
    assert_eq!(form.status, 200, "{}", form.body);
    let csrf = field(&form.body, "csrf");
    let review = site
        .web
        .post_form(&refund, &owner, &[("csrf", &csrf), ("reason", "Sponsored")])
        .await;
    assert_eq!(review.status, 200, "{}", review.body);
    assert!(
        review.body.contains("Confirm the refund"),
        "{}",
        review.body
    );
    let seen: serde_json::Value = site
        .donation
        .get(&format!(
            "/donations/{}",
            donation["id"].as_str().expect("id")
        ))
        .token(&donor.token)
        .send()
        .await
        .expect(200);
    assert_eq!(
        seen["status"], "confirmed",
        "nothing refunded before confirming"
    );
    let done = site
        .web
        .post_form(
            &refund,
            &owner,
            &[("csrf", &csrf), ("reason", "Sponsored"), ("confirm", "yes")],
        )
        .await;
    assert_eq!(done.status, 303, "{}", done.body);
    assert_eq!(done.header("location"), Some("/received"));
    // Once more, from a page left open: no longer confirmed, said so.
    let again = site
        .web
        .post_form(
            &refund,
            &owner,
            &[("csrf", &csrf), ("reason", "Sponsored"), ("confirm", "yes")],
        )
        .await;
    assert_eq!(again.status, 409, "{}", again.body);
    assert!(
        again.body.contains("can no longer be refunded"),
        "{}",
        again.body
    );
    site.shutdown().await;
}

#[tokio::test]
async fn a_request_edited_meanwhile_is_a_conflict_and_mine_applies_on_top() {
    let site = start(&[]).await;
    let owner = sign_in(&site, "Ravi Requester").await;
    let form = site.web.get_with("/requests/new", &owner).await;
    let (csrf, key) = (field(&form.body, "csrf"), field(&form.body, "key"));
    let posted = site
        .web
        .post_form(
            "/requests",
            &owner,
            &[
                ("csrf", &csrf),
                ("key", &key),
                ("title", "Cots for the hostel"),
                ("category", "bedding"),
                ("quantity_needed", "8"),
            ],
        )
        .await;
    assert_eq!(posted.status, 303, "{}", posted.body);
    let path = posted.header("location").expect("the request").to_owned();
    let edit_path = format!("{path}/edit");

    // Two tabs open the same version.
    let tab = site.web.get_with(&edit_path, &owner).await;
    let (version, was) = (
        field(&tab.body, "version"),
        unescape(&field(&tab.body, "was")),
    );
    let with = |title: &'static str, quantity: &'static str| {
        vec![
            ("csrf", csrf.clone()),
            ("version", version.clone()),
            ("was", was.clone()),
            ("title", title.to_owned()),
            ("category", "bedding".to_owned()),
            ("quantity_needed", quantity.to_owned()),
        ]
    };
    let send = |form: Vec<(&'static str, String)>| {
        let (site, owner, edit_path) = (&site, &owner, &edit_path);
        async move {
            let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            site.web.post_form(edit_path, owner, &form).await
        }
    };
    let first = send(with("Camp beds for the hostel", "8")).await;
    assert_eq!(first.status, 303, "{}", first.body);

    let second = send(with("Cots for the hostel", "6")).await;
    assert_eq!(second.status, 409, "{}", second.body);
    assert!(
        second.body.contains("Someone else changed this request"),
        "{}",
        second.body
    );
    assert!(second.body.contains("Camp beds for the hostel"));
    // Its form sends the typed fields again against the newer version.
    let (newer, was_again) = (
        field(&second.body, "version"),
        unescape(&field(&second.body, "was")),
    );
    assert_ne!(newer, version);
    let on_top = send(vec![
        ("csrf", csrf.clone()),
        ("version", newer),
        ("was", was_again),
        ("title", "Cots for the hostel".to_owned()),
        ("category", "bedding".to_owned()),
        ("quantity_needed", "6".to_owned()),
    ])
    .await;
    assert_eq!(on_top.status, 303, "{}", on_top.body);
    let request: serde_json::Value = site.request.get(&path).send().await.expect(200);
    assert_eq!(
        (
            request["title"].as_str(),
            request["quantity_needed"].as_i64()
        ),
        (Some("Camp beds for the hostel"), Some(6)),
        "their title kept, my quantity applied"
    );
    site.shutdown().await;
}
