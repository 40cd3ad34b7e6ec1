use serde_json::json;

use crate::helpers::TestApp;
use hearth_testkit::Person;

#[tokio::test]
async fn anyone_reads_an_active_campaign_with_its_etag() {
    let app = TestApp::spawn().await;
    let campaign = app.campaign(&Person::user(), json!({})).await;

    let response = app.get(&campaign["id"], None).await;

    assert_eq!(response.expect(200), campaign);
    assert_eq!(response.header("etag"), Some("\"1\""));
}

#[tokio::test]
async fn a_draft_shows_only_to_its_owner_and_staff() {
    let app = TestApp::spawn().await;
    let owner = Person::user();
    let draft = app.campaign(&owner, json!({"status": "draft"})).await;

    app.get(&draft["id"], None)
        .await
        .assert_problem(404, "not_found");
    app.get(&draft["id"], Some(&Person::user()))
        .await
        .assert_problem(404, "not_found");
    app.get(&draft["id"], Some(&owner)).await.expect(200);
    app.get(&draft["id"], Some(&Person::staff()))
        .await
        .expect(200);
}

#[tokio::test]
async fn a_suspended_campaign_shows_only_to_staff() {
    let app = TestApp::spawn().await;
    let owner = Person::user();
    let staff = Person::staff();
    let campaign = app.campaign(&owner, json!({})).await;
    app.set_status(&campaign["id"], &staff, "suspended")
        .await
        .expect(200);

    app.get(&campaign["id"], None)
        .await
        .assert_problem(404, "not_found");
    app.get(&campaign["id"], Some(&owner))
        .await
        .assert_problem(404, "not_found");
    let seen = app.get(&campaign["id"], Some(&staff)).await.expect(200);
    assert_eq!(seen["status"], "suspended");
}

#[tokio::test]
async fn an_unknown_or_malformed_id_is_not_found() {
    let app = TestApp::spawn().await;
    app.get(&json!(uuid::Uuid::new_v4().to_string()), None)
        .await
        .assert_problem(404, "not_found");
    app.client
        .get("/campaigns/not-a-uuid")
        .send()
        .await
        .assert_problem(404, "not_found");
}
