use serde_json::json;
use uuid::Uuid;

use crate::helpers::TestApp;
use hearth_testkit::{error_fields, Person};

#[tokio::test]
async fn put_creates_then_replaces_a_profile() {
    let app = TestApp::spawn().await;
    let alice = Person::user();
    app.client
        .get("/profiles/me")
        .token(&alice.token)
        .send()
        .await
        .assert_problem(404, "not_found");

    let created = app
        .put_profile(
            &alice,
            json!({"display_name": "Alice", "bio": "Knits", "avatar_url": "https://cdn.example.org/a.png"}),
        )
        .await;
    let profile = created.expect(201);
    assert_eq!(
        created.header("location"),
        Some(format!("/profiles/{}", alice.id).as_str())
    );
    assert_eq!(profile["id"], alice.id.to_string());
    assert_eq!(profile["status"], "active");
    assert!(profile["rating_avg"].is_null());
    assert_eq!(profile["rating_count"], 0);
    assert_eq!(profile["version"], 1);
    let fields: Vec<&String> = profile.as_object().expect("object").keys().collect();
    assert_eq!(fields.len(), 11, "exactly the API's fields: {fields:?}");

    let replaced = app
        .put_profile(&alice, json!({"display_name": "Alice B."}))
        .await;
    let profile = replaced.expect(200);
    assert_eq!(replaced.header("etag"), Some("\"2\""));
    assert_eq!(profile["display_name"], "Alice B.");
    assert!(
        profile["bio"].is_null(),
        "PUT replaces: an absent field is cleared"
    );
    let same = app
        .put_profile(&alice, json!({"display_name": "Alice B."}))
        .await
        .expect(200);
    assert_eq!(same["version"], 2, "an identical PUT changes nothing");

    assert_eq!(app.events("profile.created").await.len(), 1);
    let updated = app.events("profile.updated").await;
    assert_eq!(updated.len(), 1);
    assert_eq!(
        updated[0]["data"],
        json!({"profile_id": alice.id, "display_name": "Alice B."})
    );
    let public = app.get_profile(alice.id).await.expect(200);
    assert_eq!(public, profile);
    let mine = app
        .client
        .get("/profiles/me")
        .token(&alice.token)
        .send()
        .await
        .expect(200);
    assert_eq!(mine, profile);
}

#[tokio::test]
async fn bad_profiles_and_callers_are_refused() {
    let app = TestApp::spawn().await;
    let alice = Person::user();
    let problem = app
        .put_profile(
            &alice,
            json!({"display_name": " ", "bio": "x".repeat(501), "avatar_url": "http://plain.example.org/a.png",
                   "location": "y".repeat(201)}),
        )
        .await
        .assert_problem(422, "validation_failed");
    let fields = error_fields(&problem);
    assert_eq!(fields, ["avatar_url", "bio", "display_name", "location"]);
    app.client
        .put("/profiles/me")
        .json(&json!({"display_name": "Nobody"}))
        .send()
        .await
        .assert_problem(401, "unauthenticated");
    app.client
        .get("/profiles/me")
        .send()
        .await
        .assert_problem(401, "unauthenticated");
    app.get_profile(Uuid::new_v4())
        .await
        .assert_problem(404, "not_found");
    assert!(app.events("profile.created").await.is_empty());
}

#[tokio::test]
async fn a_stale_version_is_refused() {
    let app = TestApp::spawn().await;
    let alice = Person::user();
    app.profile(&alice, "Alice").await;
    let put = |name: &'static str| {
        app.client
            .put("/profiles/me")
            .token(&alice.token)
            .header("if-match", "\"1\"")
            .json(&json!({"display_name": name}))
            .send()
    };
    put("Alice A.").await.expect(200);
    put("Lost update")
        .await
        .assert_problem(412, "version_mismatch");
}

#[tokio::test]
async fn openapi_document() {
    let app = TestApp::spawn().await;
    let document = app.client.get("/openapi.json").send().await.expect(200);
    insta::assert_json_snapshot!("openapi_document", document);
}

#[tokio::test]
async fn public_profile_reads_refuse_a_bad_token() {
    let app = TestApp::spawn().await;
    let alice = Person::user();
    app.profile(&alice, "Alice").await;
    for path in [
        format!("/profiles/{}", alice.id),
        format!("/profiles/{}/ratings", alice.id),
    ] {
        app.client.get(&path).send().await.expect(200);
        app.client
            .get(&path)
            .token("not.a.token")
            .send()
            .await
            .assert_problem(401, "unauthenticated");
    }
}
