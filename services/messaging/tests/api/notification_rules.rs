//! One test per notification rule (docs/events.md, "Notifications"): the real event
//! goes through the test broker and the person's notification is read back
//! over HTTP.

use std::time::Duration;

use hearth_events::campaign::{
    CampaignDonationAccepted, CampaignGoalReached, CampaignStatusChanged,
};
use hearth_events::donation::{
    CancelledBy, DonationCancelled, DonationCompleted, DonationConfirmed, DonationExpired,
    DonationKind, DonationRefunded, DonationRejected,
};
use hearth_events::profile::{ProfileSuspended, RatingCreated, ReportResolved};
use hearth_events::request::{RequestDonationAccepted, RequestFulfilled, RequestStatusChanged};
use hearth_events::{Envelope, Event, EventContext};
use uuid::Uuid;

use crate::helpers::TestApp;
use hearth_testkit::Person;

fn envelope<T: Event>(service: &str, data: T) -> Envelope<T> {
    Envelope::new(service, data, &EventContext::default())
}

/// What a person should read: title, body and where it links.
struct Expected<'a> {
    title: &'a str,
    body: &'a str,
    link: (&'a str, Uuid),
}

/// Publishes `event` and checks that `person` gets exactly the expected notification.
async fn publish_and_expect<T: Event + serde::Serialize>(
    app: &TestApp,
    event: &Envelope<T>,
    person: &Person,
    expected: Expected<'_>,
) {
    app.broker.publish(event).await;
    let page = app.notifications_of(person, 1).await;
    let items = page["items"].as_array().expect("items");
    assert_eq!(items.len(), 1, "one notification: {page}");
    let note = &items[0];
    assert_eq!(note["user_id"], person.id.to_string());
    assert_eq!(note["type"], T::TYPE);
    assert_eq!(note["title"], expected.title);
    assert_eq!(note["body"], expected.body);
    assert_eq!(note["link"]["type"], expected.link.0);
    assert_eq!(note["link"]["id"], expected.link.1.to_string());
}

fn confirmed(donor: &Person) -> DonationConfirmed {
    DonationConfirmed {
        donation_id: Uuid::now_v7(),
        kind: DonationKind::Money,
        donor_id: donor.id,
        recipient_id: Uuid::new_v4(),
        campaign_id: Some(Uuid::now_v7()),
        request_id: None,
        amount_minor: Some(2500),
        currency: Some("USD".into()),
        quantity: None,
        anonymous: false,
    }
}

#[tokio::test]
async fn campaign_donation_accepted_tells_the_recipient_someone_gave() {
    let app = TestApp::spawn().await;
    let recipient = Person::user();
    let event = envelope(
        "campaign",
        CampaignDonationAccepted {
            donation_id: Uuid::now_v7(),
            campaign_id: Uuid::now_v7(),
            recipient_id: recipient.id,
            title: "Blankets".into(),
            amount_minor: 150_000,
            currency: "JPY".into(),
            raised_minor: 150_000,
            donor_id: Some(Uuid::new_v4()),
            anonymous: Some(true),
        },
    );
    let expected = Expected {
        title: "A donation arrived",
        body: "Someone gave 150,000 JPY to \u{201c}Blankets\u{201d}.",
        link: ("campaign", event.data.campaign_id),
    };
    publish_and_expect(&app, &event, &recipient, expected).await;
}

#[tokio::test]
async fn a_donor_who_may_be_named_is_named_by_their_newest_display_name() {
    use hearth_events::profile::{ProfileCreated, ProfileUpdated};
    let app = TestApp::spawn().await;
    let (recipient, donor) = (Person::user(), Person::user());
    let renamed = envelope(
        "profile",
        ProfileUpdated {
            profile_id: donor.id,
            display_name: "Bob B.".into(),
        },
    );
    let created = Envelope {
        // Older than the rename, and delivered after it: it must not win.
        time: renamed.time - chrono::Duration::seconds(60),
        ..envelope(
            "profile",
            ProfileCreated {
                profile_id: donor.id,
                display_name: "Bob".into(),
            },
        )
    };
    app.broker.publish(&renamed).await;
    app.broker.publish(&created).await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while app.db.scalar("select count(*) from messaging.inbox").await < 2 {
        assert!(tokio::time::Instant::now() < deadline, "both names handled");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let event = envelope(
        "campaign",
        CampaignDonationAccepted {
            donation_id: Uuid::now_v7(),
            campaign_id: Uuid::now_v7(),
            recipient_id: recipient.id,
            title: "Blankets".into(),
            amount_minor: 2_500,
            currency: "USD".into(),
            raised_minor: 2_500,
            donor_id: Some(donor.id),
            anonymous: Some(false),
        },
    );
    let expected = Expected {
        title: "A donation arrived",
        body: "Bob B. gave 25.00 USD to \u{201c}Blankets\u{201d}.",
        link: ("campaign", event.data.campaign_id),
    };
    publish_and_expect(&app, &event, &recipient, expected).await;
}

#[tokio::test]
async fn campaign_goal_reached_tells_the_recipient() {
    let app = TestApp::spawn().await;
    let recipient = Person::user();
    let event = envelope(
        "campaign",
        CampaignGoalReached {
            campaign_id: Uuid::now_v7(),
            recipient_id: recipient.id,
            title: "Blankets".into(),
            goal_minor: 100_000,
            raised_minor: 100_050,
            currency: "USD".into(),
        },
    );
    let expected = Expected {
        title: "Your campaign reached its goal",
        body:
            "\u{201c}Blankets\u{201d} has raised 1,000.50 USD, reaching its goal of 1,000.00 USD.",
        link: ("campaign", event.data.campaign_id),
    };
    publish_and_expect(&app, &event, &recipient, expected).await;
}

#[tokio::test]
async fn donation_confirmed_tells_the_donor() {
    let app = TestApp::spawn().await;
    let donor = Person::user();
    let event = envelope("donation", confirmed(&donor));
    let expected = Expected {
        title: "Your donation went through",
        body: "Your donation of 25.00 USD was accepted. Thank you.",
        link: ("donation", event.data.donation_id),
    };
    publish_and_expect(&app, &event, &donor, expected).await;
}

#[tokio::test]
async fn donation_rejected_tells_the_donor_why() {
    let app = TestApp::spawn().await;
    let donor = Person::user();
    let event = envelope(
        "donation",
        DonationRejected {
            donation_id: Uuid::now_v7(),
            donor_id: donor.id,
            reason: "currency_mismatch".into(),
        },
    );
    let expected = Expected {
        title: "Your donation did not go through",
        body: "Your donation was not accepted: the campaign takes donations in another currency.",
        link: ("donation", event.data.donation_id),
    };
    publish_and_expect(&app, &event, &donor, expected).await;
}

#[tokio::test]
async fn donation_completed_tells_the_donor_the_items_arrived() {
    let app = TestApp::spawn().await;
    let donor = Person::user();
    let event = envelope(
        "donation",
        DonationCompleted {
            donation_id: Uuid::now_v7(),
            donor_id: donor.id,
            recipient_id: Uuid::new_v4(),
            request_id: Uuid::now_v7(),
            quantity: 2,
            anonymous: Some(false),
        },
    );
    let expected = Expected {
        title: "Your items were received",
        body: "The requester confirmed receiving your 2 items. Thank you.",
        link: ("donation", event.data.donation_id),
    };
    publish_and_expect(&app, &event, &donor, expected).await;
}

#[tokio::test]
async fn donation_cancelled_by_the_donor_tells_the_recipient_only() {
    let app = TestApp::spawn().await;
    let donor = Person::user();
    let recipient = Person::user();
    let event = envelope(
        "donation",
        DonationCancelled {
            donation_id: Uuid::now_v7(),
            kind: DonationKind::Money,
            donor_id: donor.id,
            recipient_id: Some(recipient.id),
            campaign_id: Some(Uuid::now_v7()),
            request_id: None,
            by: CancelledBy::Donor,
        },
    );
    let expected = Expected {
        title: "A donation was cancelled",
        body: "A donor cancelled their donation.",
        link: ("donation", event.data.donation_id),
    };
    publish_and_expect(&app, &event, &recipient, expected).await;
    assert_eq!(
        app.notifications_of(&donor, 0).await["items"],
        serde_json::json!([])
    );
}

#[tokio::test]
async fn donation_expired_tells_the_donor() {
    let app = TestApp::spawn().await;
    let donor = Person::user();
    let event = envelope(
        "donation",
        DonationExpired {
            donation_id: Uuid::now_v7(),
            kind: DonationKind::Item,
            donor_id: donor.id,
            campaign_id: None,
            request_id: Some(Uuid::now_v7()),
        },
    );
    let expected = Expected {
        title: "Your donation expired",
        body: "Your pledge expired before it could be confirmed. You can try again.",
        link: ("donation", event.data.donation_id),
    };
    publish_and_expect(&app, &event, &donor, expected).await;
}

#[tokio::test]
async fn request_donation_accepted_tells_the_requester_someone_pledged() {
    let app = TestApp::spawn().await;
    let requester = Person::user();
    let event = envelope(
        "request",
        RequestDonationAccepted {
            donation_id: Uuid::now_v7(),
            request_id: Uuid::now_v7(),
            recipient_id: requester.id,
            title: "Winter coats".into(),
            quantity: 1,
            donor_id: None,
            anonymous: None,
        },
    );
    let expected = Expected {
        title: "Items were pledged",
        body: "Someone pledged 1 item to \u{201c}Winter coats\u{201d}.",
        link: ("request", event.data.request_id),
    };
    publish_and_expect(&app, &event, &requester, expected).await;
}

#[tokio::test]
async fn request_fulfilled_tells_the_requester() {
    let app = TestApp::spawn().await;
    let requester = Person::user();
    let event = envelope(
        "request",
        RequestFulfilled {
            request_id: Uuid::now_v7(),
            requester_id: requester.id,
            title: "Winter coats".into(),
        },
    );
    let expected = Expected {
        title: "Your request is fulfilled",
        body: "\u{201c}Winter coats\u{201d} has received every item it needed.",
        link: ("request", event.data.request_id),
    };
    publish_and_expect(&app, &event, &requester, expected).await;
}

#[tokio::test]
async fn rating_created_tells_the_person_rated() {
    let app = TestApp::spawn().await;
    let ratee = Person::user();
    let event = envelope(
        "profile",
        RatingCreated {
            rating_id: Uuid::now_v7(),
            donation_id: Uuid::now_v7(),
            rater_id: Uuid::new_v4(),
            ratee_id: ratee.id,
            score: 5,
            anonymous: Some(false),
        },
    );
    let expected = Expected {
        title: "You were rated",
        body: "The other party of a donation rated you 5 out of 5.",
        link: ("profile", ratee.id),
    };
    publish_and_expect(&app, &event, &ratee, expected).await;
}

#[tokio::test]
async fn report_resolved_tells_the_reporter() {
    let app = TestApp::spawn().await;
    let reporter = Person::user();
    let event = envelope(
        "profile",
        ReportResolved {
            report_id: Uuid::now_v7(),
            reporter_id: reporter.id,
            target_type: "profile".into(),
            target_id: Uuid::new_v4(),
            resolution: "actioned".into(),
            action: Some("suspend_user".into()),
        },
    );
    let expected = Expected {
        title: "Your report was reviewed",
        body: "Thank you: staff reviewed your report about a profile and acted on it.",
        link: ("report", event.data.report_id),
    };
    publish_and_expect(&app, &event, &reporter, expected).await;
}

#[tokio::test]
async fn profile_suspended_tells_the_person_and_refuses_their_writes() {
    let app = TestApp::spawn().await;
    let member = Person::user();
    let event = envelope(
        "profile",
        ProfileSuspended {
            profile_id: member.id,
            reason: Some("spam".into()),
        },
    );
    let expected = Expected {
        title: "Your account is suspended",
        body: "Hearth staff suspended your account (spam). You can still read, but not write.",
        link: ("profile", member.id),
    };
    publish_and_expect(&app, &event, &member, expected).await;
    // Recorded in the notification's transaction; the write check sees it
    // once its in-memory set reloads, a moment later.
    app.client
        .post_until("/notifications/read-all", &member.token, 403)
        .await
        .assert_problem(403, "account_suspended");
}

#[tokio::test]
async fn a_donation_event_delivered_three_times_notifies_once() {
    let app = TestApp::spawn().await;
    let donor = Person::user();
    let event = envelope("donation", confirmed(&donor));
    for _ in 0..3 {
        app.broker.publish(&event).await;
    }
    let page = app.notifications_of(&donor, 1).await;
    assert_eq!(page["items"][0]["type"], "donation.confirmed");
    // Every copy was handled before counting.
    app.client
        .wait_for_metric(r#"hearth_events_duplicate_total{service="messaging"}"#, 2.0)
        .await;
    assert_eq!(
        app.db
            .scalar("select count(*) from messaging.notifications")
            .await,
        1
    );
    assert_eq!(
        app.db.scalar("select count(*) from messaging.inbox").await,
        1
    );
}

#[tokio::test]
async fn donation_refunded_tells_the_donor() {
    let app = TestApp::spawn().await;
    let donor = Person::user();
    let event = envelope(
        "donation",
        DonationRefunded {
            donation_id: Uuid::now_v7(),
            donor_id: donor.id,
            recipient_id: Uuid::new_v4(),
            campaign_id: Uuid::now_v7(),
            amount_minor: 2500,
            currency: "USD".into(),
            reason: "the shelter closed.".into(),
        },
    );
    let expected = Expected {
        title: "Your donation was refunded",
        body: "Your donation of 25.00 USD was refunded: the shelter closed.",
        link: ("donation", event.data.donation_id),
    };
    publish_and_expect(&app, &event, &donor, expected).await;
}

fn campaign_moved(owner: &Person, from: &str, to: &str) -> Envelope<CampaignStatusChanged> {
    envelope(
        "campaign",
        CampaignStatusChanged {
            campaign_id: Uuid::now_v7(),
            recipient_id: owner.id,
            title: "Blankets".into(),
            from: from.into(),
            to: to.into(),
            reason: Some("fraud reports".into()),
        },
    )
}

#[tokio::test]
async fn a_campaign_suspended_by_staff_tells_its_owner_and_their_own_moves_do_not() {
    let app = TestApp::spawn().await;
    let owner = Person::user();
    // The owner's own move: nothing to tell them.
    app.broker
        .publish(&campaign_moved(&owner, "active", "paused"))
        .await;
    let event = campaign_moved(&owner, "paused", "suspended");
    let expected = Expected {
        title: "Your campaign was suspended",
        body: "Staff suspended your campaign \u{201c}Blankets\u{201d}; it is hidden until they lift it. Reason: fraud reports.",
        link: ("campaign", event.data.campaign_id),
    };
    publish_and_expect(&app, &event, &owner, expected).await;
    app.db
        .wait_for_count("select count(*) from messaging.inbox", 2)
        .await;
    let lifted = campaign_moved(&owner, "suspended", "paused");
    app.broker.publish(&lifted).await;
    let page = app.notifications_of(&owner, 2).await;
    assert_eq!(page["items"].as_array().map(Vec::len), Some(2), "{page}");
    assert_eq!(page["items"][0]["title"], "Your campaign is back");
    assert_eq!(
        page["items"][0]["body"],
        "Staff lifted the suspension of your campaign \u{201c}Blankets\u{201d}; it is paused again. Reason: fraud reports."
    );
}

#[tokio::test]
async fn a_request_suspended_by_staff_tells_its_requester() {
    let app = TestApp::spawn().await;
    let requester = Person::user();
    let event = envelope(
        "request",
        RequestStatusChanged {
            request_id: Uuid::now_v7(),
            requester_id: requester.id,
            from: "open".into(),
            to: "suspended".into(),
            title: Some("Winter coats".into()),
            reason: None,
        },
    );
    let expected = Expected {
        title: "Your request was suspended",
        body: "Staff suspended your request \u{201c}Winter coats\u{201d}; it is hidden until they lift it.",
        link: ("request", event.data.request_id),
    };
    publish_and_expect(&app, &event, &requester, expected).await;
}
