//! Signing in with the development sign-in, the session cookie, and the
//! CSRF token every form that changes something carries.

use crate::support::{field, start, Web};
use serde_json::json;
use web_service::pages::sign_in::dev_person_id;

/// The hidden `csrf` field of a page's form.
/// Opens the sign-in page as a new browser: its CSRF cookie and field.
async fn sign_in_form(web: &Web) -> (String, String) {
    let page = web.get("/sign-in").await;
    assert_eq!(page.status, 200, "{}", page.body);
    let cookie = page.cookie("hearth_csrf").expect("a CSRF cookie");
    let set = page
        .set_cookies()
        .into_iter()
        .find(|c| c.starts_with("hearth_csrf="))
        .expect("set");
    assert!(
        set.contains("HttpOnly") && set.contains("SameSite=Lax"),
        "{set}"
    );
    (cookie, field(&page.body, "csrf"))
}

#[tokio::test]
async fn a_tester_signs_in_by_name_and_the_pages_are_theirs() {
    let site = start(&[]).await;
    let (csrf_cookie, csrf) = sign_in_form(&site.web).await;
    let answer = site
        .web
        .post_form(
            "/sign-in",
            &csrf_cookie,
            &[
                ("csrf", &csrf),
                ("display_name", "Ada Lovelace"),
                ("next", "/explore"),
            ],
        )
        .await;
    assert_eq!(answer.status, 303, "{}", answer.body);
    assert_eq!(answer.header("location"), Some("/explore"));
    let session = answer
        .set_cookies()
        .into_iter()
        .find(|c| c.starts_with("hearth_session="))
        .expect("a session cookie")
        .to_owned();
    assert!(session.contains("HttpOnly"), "{session}");
    assert!(session.contains("SameSite=Lax"), "{session}");
    assert!(
        !session.contains("Secure"),
        "plain http on a laptop: {session}"
    );
    let cookies = format!(
        "{csrf_cookie}; {}; {}",
        answer.cookie("hearth_session").expect("session"),
        answer.cookie("hearth_name").expect("name")
    );

    let home = site.web.get_with("/", &cookies).await;
    assert!(
        home.body.contains("Signed in as Ada Lovelace"),
        "{}",
        home.body
    );
    assert!(!home.body.contains("eyJ"), "no page shows the token");

    // The pages ask the APIs as Ada: her draft is hers to see.
    let ada = dev_person_id("Ada Lovelace", false);
    let token = hearth_testkit::user_token(ada);
    let draft = site
        .campaign
        .post("/campaigns")
        .token(&token)
        .json(&json!({"title": "Ada's draft", "goal_minor": 100, "currency": "USD", "status": "draft"}))
        .send()
        .await
        .expect(201);
    let path = format!("/campaigns/{}", draft["id"].as_str().expect("id"));
    assert_eq!(site.web.get_with(&path, &cookies).await.status, 200);
    assert_eq!(
        site.web.get(&path).await.status,
        404,
        "a visitor does not see it"
    );

    // Her profile was made with her name.
    let profile = site.web.page(&format!("/people/{ada}")).await;
    assert!(profile.contains("Ada Lovelace"), "{profile}");

    // Signing out forgets the session.
    let out = site
        .web
        .post_form("/sign-out", &cookies, &[("csrf", &csrf)])
        .await;
    assert_eq!(out.status, 303);
    assert!(out
        .set_cookies()
        .iter()
        .any(|c| c.starts_with("hearth_session=;") && c.contains("Max-Age=0")));
    site.shutdown().await;
}

#[tokio::test]
async fn a_form_without_the_browsers_csrf_token_is_refused() {
    let site = start(&[]).await;
    let (csrf_cookie, csrf) = sign_in_form(&site.web).await;
    let (other_cookie, _) = sign_in_form(&site.web).await;
    for (cookie, field) in [
        ("", csrf.as_str()),                    // no cookie: another site's post
        (other_cookie.as_str(), csrf.as_str()), // another browser's token
        (csrf_cookie.as_str(), ""),             // no field
    ] {
        let answer = site
            .web
            .post_form(
                "/sign-in",
                cookie,
                &[("csrf", field), ("display_name", "Mallory")],
            )
            .await;
        assert_eq!(answer.status, 403, "{cookie} / {field}: {}", answer.body);
        assert!(answer.cookie("hearth_session").is_none());
    }
    site.shutdown().await;
}

#[tokio::test]
async fn a_forged_or_expired_session_is_a_visitor() {
    let site = start(&[]).await;
    let other_key = hearth_core::auth::mint(
        "another-secret-of-at-least-thirty-two-characters",
        &hearth_core::auth::TokenRequest::user(uuid::Uuid::new_v4()),
    )
    .expect("mint");
    for session in ["garbage", other_key.as_str()] {
        let page = site
            .web
            .get_with("/", &format!("hearth_session={session}; hearth_name=Eve"))
            .await;
        assert_eq!(page.status, 200);
        assert!(!page.body.contains("Signed in as"), "{}", page.body);
        assert!(page.body.contains(r#"href="/sign-in""#));
    }
    site.shutdown().await;
}

#[tokio::test]
async fn the_development_sign_in_is_refused_when_real_keys_are_configured() {
    let site = start(&[("JWT_SECRET", hearth_testkit::JWT_SECRET)]).await;
    let page = site.web.get("/sign-in").await;
    assert_eq!(page.status, 200);
    assert!(!page.body.contains("Development sign-in"), "{}", page.body);
    // With a valid CSRF token (the cookie's own value), still refused.
    let cookie = page.cookie("hearth_csrf").expect("csrf cookie");
    let answer = site
        .web
        .post_form(
            "/sign-in",
            &cookie,
            &[
                ("csrf", cookie.trim_start_matches("hearth_csrf=")),
                ("display_name", "Eve"),
            ],
        )
        .await;
    assert_eq!(answer.status, 403, "{}", answer.body);
    assert!(answer.cookie("hearth_session").is_none());
    site.shutdown().await;
}
