use std::time::Duration;

use crate::helpers::{campaign_created, TestApp};
use hearth_testkit::Person;

#[tokio::test]
async fn campaign_created_notifies_the_recipient_once_however_often_it_arrives() {
    let app = TestApp::spawn().await;
    let alice = Person::user();
    let event = campaign_created(&alice, "Blankets for the shelter");

    for _ in 0..3 {
        app.broker.publish(&event).await;
    }

    let page = app.notifications_of(&alice, 1).await;
    app.client
        .wait_for_metric(r#"hearth_events_duplicate_total{service="messaging"}"#, 2.0)
        .await;
    assert_eq!(
        app.db
            .scalar("select count(*) from messaging.notifications")
            .await,
        1
    );
    let note = &page["items"][0];
    assert_eq!(note["type"], "campaign.created");
    assert_eq!(note["title"], "Your campaign is live");
    assert_eq!(
        note["body"],
        "\u{201c}Blankets for the shelter\u{201d} is live and can receive donations."
    );
    assert_eq!(note["link"]["type"], "campaign");
    assert_eq!(note["link"]["id"], event.data.campaign_id.to_string());
}

#[tokio::test]
async fn a_poison_event_is_dead_lettered_and_the_next_one_still_notifies() {
    let app = TestApp::spawn().await;
    let alice = Person::user();
    app.broker
        .publish_raw(
            "campaign.created",
            br#"{"type": "campaign.created", "data": "garbage"}"#,
        )
        .await;
    app.broker
        .publish(&campaign_created(&alice, "After the poison"))
        .await;

    let page = app.notifications_of(&alice, 1).await;
    assert_eq!(
        page["items"][0]["body"],
        "\u{201c}After the poison\u{201d} is live and can receive donations."
    );
    let dead = app
        .broker
        .wait_get(
            &format!("{}.messaging.dead", app.broker.namespace),
            Duration::from_secs(5),
        )
        .await;
    assert!(dead.is_some(), "the poison is in the dead queue");
}
