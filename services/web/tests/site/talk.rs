//! Messages, rating, reports and the moderator console over the five real
//! services, as a browser without JavaScript uses them: who may open each
//! page (a visitor, another person, a party, staff), and the API's refusals
//! in words.

use crate::support;

use crate::support::{start, start_services, Answer, Site};
use hearth::services::Service;
use hearth_testkit::Person;
use serde_json::{json, Value};
use uuid::Uuid;

/// A browser's CSRF token, the same in its cookie and its forms.
const CSRF: &str = "0123456789abcdef0123456789abcdef";

/// The cookies of `person`'s browser.
fn cookies(person: &Person) -> String {
    format!("hearth_csrf={CSRF}; hearth_session={}", person.token)
}

/// `from`'s message to `to` through the thread's form, sent under `key`
/// (a form's `Idempotency-Key`), about the donation `about` if any.
async fn message(
    site: &Site,
    from: &Person,
    to: &Person,
    key: &str,
    about: Option<&str>,
    body: &str,
) -> Answer {
    let mut form = vec![("csrf", CSRF), ("key", key)];
    form.extend(about.map(|about| ("about", about)));
    form.push(("body", body));
    site.web
        .post_form(&format!("/messages/{}", to.id), &cookies(from), &form)
        .await
}

fn id(v: &Value) -> &str {
    v["id"].as_str().expect("id")
}

/// A campaign of `owner`'s and a confirmed donation to it by `donor`.
async fn exchange(site: &Site, owner: &Person, donor: &Person) -> Value {
    site.name(owner, "Olive Owner").await;
    site.name(donor, "Dan Donor").await;
    let campaign = site
        .campaign(
            owner,
            json!({"title": "Soup for the shelter", "goal_minor": 10_000, "currency": "USD"}),
        )
        .await;
    let donation = site
        .give(
            donor,
            json!({"kind": "money", "campaign_id": campaign["id"], "amount_minor": 500, "currency": "USD"}),
        )
        .await;
    assert_eq!(donation["status"], "confirmed", "{donation}");
    donation
}

#[tokio::test]
async fn every_talk_page_sends_a_visitor_to_sign_in() {
    let site = start(&[]).await;
    let some = Uuid::new_v4();
    for path in [
        "/messages".to_owned(),
        format!("/messages/{some}"),
        "/profile".to_owned(),
        format!("/donations/{some}/rate"),
        format!("/donations/{some}/message"),
        format!("/report?type=campaign&id={some}"),
        "/moderation".to_owned(),
        format!("/moderation/reports/{some}"),
    ] {
        let answer = site.web.get(&path).await;
        assert_eq!(answer.status, 303, "{path}");
        let next: String = url::form_urlencoded::byte_serialize(path.as_bytes()).collect();
        assert_eq!(
            answer.header("location"),
            Some(format!("/sign-in?next={next}").as_str()),
            "{path}"
        );
    }
    // A report of nothing known is a 404.
    assert_eq!(
        site.web.get("/report?type=spaceship&id=1").await.status,
        404
    );
    // A visitor's forms are sent to sign in too, never to the APIs.
    let answer = site
        .web
        .post_form(
            "/report",
            &format!("hearth_csrf={CSRF}"),
            &[
                ("csrf", CSRF),
                ("key", &Uuid::new_v4().to_string()),
                ("type", "campaign"),
                ("id", &some.to_string()),
                ("reason", "spam"),
            ],
        )
        .await;
    assert_eq!(answer.status, 303);
    site.shutdown().await;
}

#[tokio::test]
async fn a_donation_is_talked_about_and_rated_by_its_two_parties_only() {
    let site = start(&[]).await;
    let (owner, donor, stranger) = (Person::user(), Person::user(), Person::user());
    let donation = exchange(&site, &owner, &donor).await;
    let donation_id = id(&donation);

    // Each party is sent to the thread with the other, about the donation.
    for (me, other) in [(&donor, &owner), (&owner, &donor)] {
        let answer = site
            .web
            .get_with(&format!("/donations/{donation_id}/message"), &cookies(me))
            .await;
        assert_eq!(answer.status, 303, "{}", answer.body);
        assert_eq!(
            answer.header("location"),
            Some(format!("/messages/{}?about={donation_id}", other.id).as_str())
        );
        let rate = site
            .web
            .get_with(&format!("/donations/{donation_id}/rate"), &cookies(me))
            .await;
        assert_eq!(rate.status, 200, "{}", rate.body);
        assert!(rate.body.contains("1 out of 5"), "{}", rate.body);
    }
    // Anyone else, staff too: the donation's pages are its parties'.
    for who in [&stranger, &Person::staff()] {
        for path in ["message", "rate"] {
            let answer = site
                .web
                .get_with(&format!("/donations/{donation_id}/{path}"), &cookies(who))
                .await;
            assert_eq!(answer.status, 404, "{path}");
        }
    }
    // A message from a stranger claiming the donation is refused in words.
    let answer = message(
        &site,
        &stranger,
        &owner,
        &Uuid::new_v4().to_string(),
        Some(donation_id),
        "It was me who gave.",
    )
    .await;
    assert_eq!(answer.status, 409, "{}", answer.body);
    assert!(
        answer.body.contains("Only the donor and the recipient"),
        "{}",
        answer.body
    );
    assert!(
        answer.body.contains("It was me who gave."),
        "what was typed stays"
    );

    // The donor writes; the owner's count and conversations show it unread.
    let key = Uuid::new_v4().to_string();
    for _ in 0..2 {
        // The same form sent twice is one message.
        let sent = message(
            &site,
            &donor,
            &owner,
            &key,
            Some(donation_id),
            "Enjoy the soup!",
        )
        .await;
        assert_eq!(sent.status, 303, "{}", sent.body);
    }
    let list = site.web.get_with("/messages", &cookies(&owner)).await;
    assert!(list.body.contains("Dan Donor"), "{}", list.body);
    assert!(list.body.contains("1 unread"), "{}", list.body);
    let thread = site
        .web
        .get_with(&format!("/messages/{}", donor.id), &cookies(&owner))
        .await;
    assert_eq!(
        thread.body.matches("Enjoy the soup!").count(),
        1,
        "{}",
        thread.body
    );
    assert!(thread.body.contains("Report this message"));
    // The page's live stream watches the thread.
    assert!(
        thread.body.contains(&format!("/live?thread={}", donor.id)),
        "{}",
        thread.body
    );
    // Read by opening it; asked again, the list has nothing newer.
    let list = site.web.get_with("/messages", &cookies(&owner)).await;
    assert!(!list.body.contains("1 unread"), "{}", list.body);
    let newest = thread
        .body
        .split("/latest?after=")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the list polls for newer messages");
    let poll = site
        .web
        .get_with(
            &format!("/messages/{}/latest?after={newest}", donor.id),
            &cookies(&owner),
        )
        .await;
    assert_eq!(poll.status, 204);

    // The donor rates: "not yet" while profile-service has not heard of the
    // donation, then once; a second rating is explained.
    let rate_path = format!("/donations/{donation_id}/rate");
    let rate = |key: String| {
        let (web, cookies, path) = (&site.web, cookies(&donor), rate_path.clone());
        async move {
            web.post_form(
                &path,
                &cookies,
                &[
                    ("csrf", CSRF),
                    ("key", &key),
                    ("score", "5"),
                    ("comment", "Kind."),
                ],
            )
            .await
        }
    };
    let deadline = tokio::time::Instant::now() + support::WAIT;
    loop {
        let answer = rate(Uuid::new_v4().to_string()).await;
        if answer.status == 303 {
            break;
        }
        assert_eq!(answer.status, 409, "{}", answer.body);
        assert!(
            answer.body.contains("cannot be rated yet"),
            "{}",
            answer.body
        );
        assert!(tokio::time::Instant::now() < deadline, "never rateable");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let again = rate(Uuid::new_v4().to_string()).await;
    assert_eq!(again.status, 409, "{}", again.body);
    assert!(again.body.contains("You have already rated this exchange"));
    let page = site.web.get_with(&rate_path, &cookies(&donor)).await;
    assert!(
        page.body.contains("You have already rated this exchange"),
        "{}",
        page.body
    );
    assert!(!page.body.contains("1 out of 5"), "no form once rated");
    let gift = site
        .web
        .get_with(&format!("/donations/{donation_id}"), &cookies(&donor))
        .await;
    assert!(
        gift.body.contains("Message about this donation"),
        "{}",
        gift.body
    );
    assert!(!gift.body.contains("Rate this exchange"), "{}", gift.body);

    // Refunded, it is not offered to the recipient either.
    site.donation
        .post(&format!("/donations/{donation_id}/refund"))
        .token(&owner.token)
        .json(&json!({"reason": "Sent by mistake"}))
        .send()
        .await
        .expect(200);
    let page = site.web.get_with(&rate_path, &cookies(&owner)).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(
        page.body.contains("was refunded, so it cannot be rated"),
        "{}",
        page.body
    );
    assert!(!page.body.contains("1 out of 5"), "no form once refunded");
    site.shutdown().await;
}

#[tokio::test]
async fn a_second_open_report_is_explained_and_the_console_is_for_staff() {
    let site = start(&[]).await;
    let (owner, reporter, moderator) = (Person::user(), Person::user(), Person::staff());
    site.name(&owner, "Olive Owner").await;
    let campaign = site
        .campaign(
            &owner,
            json!({"title": "Miracle cures", "goal_minor": 10_000, "currency": "USD"}),
        )
        .await;
    let report = |key: String| {
        let campaign_id = id(&campaign).to_owned();
        let cookies = cookies(&reporter);
        let web = &site.web;
        async move {
            web.post_form(
                "/report",
                &cookies,
                &[
                    ("csrf", CSRF),
                    ("key", &key),
                    ("type", "campaign"),
                    ("id", &campaign_id),
                    ("reason", "fraud"),
                    ("details", "Cures everything."),
                ],
            )
            .await
        }
    };
    // Offered to others, not to the owner.
    let campaign_path = format!("/campaigns/{}", id(&campaign));
    let as_owner = site.web.get_with(&campaign_path, &cookies(&owner)).await;
    assert!(
        !as_owner.body.contains("Report this campaign"),
        "{}",
        as_owner.body
    );
    let as_reporter = site.web.get_with(&campaign_path, &cookies(&reporter)).await;
    assert!(
        as_reporter.body.contains("Report this campaign"),
        "{}",
        as_reporter.body
    );
    let first = report(Uuid::new_v4().to_string()).await;
    assert_eq!(first.status, 200, "{}", first.body);
    assert!(first.body.contains("Thank you for your report"));
    let second = report(Uuid::new_v4().to_string()).await;
    assert_eq!(second.status, 409, "{}", second.body);
    assert!(second
        .body
        .contains("still open, so it was not filed again"));

    // Not staff: the 403 page, for the queue, a report and every decision.
    let reports: Value = site
        .profile
        .get("/reports?status=open")
        .token(&moderator.token)
        .send()
        .await
        .expect(200);
    let items = reports["items"].as_array().expect("items");
    assert_eq!(items.len(), 1, "{reports}");
    let report_id = id(&items[0]);
    for path in [
        "/moderation".to_owned(),
        format!("/moderation/reports/{report_id}"),
    ] {
        let answer = site.web.get_with(&path, &cookies(&reporter)).await;
        assert_eq!(answer.status, 403, "{path}");
    }
    for path in [
        format!("/moderation/reports/{report_id}/resolve"),
        format!("/moderation/people/{}/suspend", owner.id),
        format!("/moderation/campaigns/{}/suspend", id(&campaign)),
    ] {
        let answer = site
            .web
            .post_form(
                &path,
                &cookies(&owner),
                &[("csrf", CSRF), ("resolution", "dismissed"), ("back", "/")],
            )
            .await;
        assert_eq!(answer.status, 403, "{path}");
    }

    // Staff: the queue shows it in context; a decision elsewhere goes back
    // only to a page of this site.
    let queue = site.web.get_with("/moderation", &cookies(&moderator)).await;
    assert_eq!(queue.status, 200, "{}", queue.body);
    assert!(
        queue.body.contains("Campaign “Miracle cures”"),
        "{}",
        queue.body
    );
    assert!(queue.body.contains("Cures everything."));
    assert!(queue.body.contains("Suspend Olive Owner"));
    // The report's page follows the report live: its stream says when
    // where it stands changed.
    let page = site
        .web
        .get_with(
            &format!("/moderation/reports/{report_id}"),
            &cookies(&moderator),
        )
        .await;
    assert_eq!(page.status, 200, "{}", page.body);
    let seen = page
        .body
        .split("/outcome?seen=")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the outcome part")
        .to_owned();
    assert!(
        page.body.contains(&format!("/live?report={report_id}"))
            && page.body.contains(&format!("seen={seen}\"")),
        "the page's stream watches it: {}",
        page.body
    );
    let mut live = site
        .web
        .live(
            &format!("/live?report={report_id}&seen={seen}"),
            &cookies(&moderator),
        )
        .await;
    assert_eq!(
        live.next(support::WAIT).await.expect("the count").name,
        "unread"
    );
    let suspended = site
        .web
        .post_form(
            &format!("/moderation/campaigns/{}/suspend", id(&campaign)),
            &cookies(&moderator),
            &[("csrf", CSRF), ("back", "//evil.example/")],
        )
        .await;
    assert_eq!(suspended.status, 303, "{}", suspended.body);
    assert_eq!(suspended.header("location"), Some("/moderation"));
    let news = live.next(support::WAIT).await.expect("the outcome changed");
    assert_eq!(news.name, format!("report-{report_id}"));
    assert_ne!(news.data, seen);
    let part = site
        .web
        .get_with(
            &format!("/moderation/reports/{report_id}/outcome?seen={}", news.data),
            &cookies(&moderator),
        )
        .await;
    assert_eq!(part.status, 204, "as the stream said: {}", part.body);
    let part = site
        .web
        .get_with(
            &format!("/moderation/reports/{report_id}/outcome?seen={seen}"),
            &cookies(&moderator),
        )
        .await;
    assert_eq!(part.status, 200);
    assert!(part.body.contains("Suspended"), "{}", part.body);
    assert_eq!(
        site.web
            .get(&format!("/campaigns/{}", id(&campaign)))
            .await
            .status,
        404
    );
    let reinstated = site
        .web
        .post_form(
            &format!("/moderation/campaigns/{}/reinstate", id(&campaign)),
            &cookies(&moderator),
            &[("csrf", CSRF), ("back", "/moderation")],
        )
        .await;
    assert_eq!(reinstated.status, 303, "{}", reinstated.body);
    assert_eq!(
        site.web
            .get(&format!("/campaigns/{}", id(&campaign)))
            .await
            .status,
        200
    );
    // A stale reinstate form (it is active again) changes nothing: no pause.
    let stale = site
        .web
        .post_form(
            &format!("/moderation/campaigns/{}/reinstate", id(&campaign)),
            &cookies(&moderator),
            &[("csrf", CSRF), ("back", "/moderation")],
        )
        .await;
    assert_eq!(stale.status, 409, "{}", stale.body);
    assert!(
        stale.body.contains("It is not suspended."),
        "{}",
        stale.body
    );
    let still: Value = site
        .campaign
        .get(&format!("/campaigns/{}", id(&campaign)))
        .send()
        .await
        .expect(200);
    assert_eq!(still["status"], "active");
    // Dismissed: it leaves the queue.
    let resolved = site
        .web
        .post_form(
            &format!("/moderation/reports/{report_id}/resolve"),
            &cookies(&moderator),
            &[
                ("csrf", CSRF),
                ("resolution", "dismissed"),
                ("note", "Satire."),
            ],
        )
        .await;
    assert_eq!(resolved.status, 303, "{}", resolved.body);
    let queue = site.web.get_with("/moderation", &cookies(&moderator)).await;
    assert!(queue.body.contains("No open reports."), "{}", queue.body);
    site.shutdown().await;
}

#[tokio::test]
async fn a_message_about_a_donation_that_cannot_be_checked_is_explained() {
    // No donation-service: messaging-service cannot check the donation.
    let services = [
        Service::Campaign,
        Service::Request,
        Service::Messaging,
        Service::Profile,
    ];
    let site = start_services(&services, &[]).await;
    let (sender, recipient) = (Person::user(), Person::user());
    let answer = message(
        &site,
        &sender,
        &recipient,
        &Uuid::new_v4().to_string(),
        Some(&Uuid::new_v4().to_string()),
        "About my gift.",
    )
    .await;
    assert_eq!(answer.status, 503, "{}", answer.body);
    assert!(
        answer
            .body
            .contains("The donation this message is about cannot be checked right now"),
        "{}",
        answer.body
    );
    assert!(
        answer.body.contains("About my gift."),
        "what was typed stays"
    );
    // Without a donation, the message goes.
    let answer = message(
        &site,
        &sender,
        &recipient,
        &Uuid::new_v4().to_string(),
        None,
        "Hello.",
    )
    .await;
    assert_eq!(answer.status, 303, "{}", answer.body);
    site.shutdown().await;
}

#[tokio::test]
async fn a_long_thread_pages_back_and_only_its_newest_page_is_live() {
    let site = start(&[]).await;
    let (me, other) = (Person::user(), Person::user());
    site.name(&other, "Theo Talker").await;
    for n in 1..=22 {
        let sent = message(
            &site,
            &me,
            &other,
            &Uuid::new_v4().to_string(),
            None,
            &format!("Message number {n}."),
        )
        .await;
        assert_eq!(sent.status, 303, "{}", sent.body);
    }
    let newest = site
        .web
        .get_with(&format!("/messages/{}", other.id), &cookies(&me))
        .await;
    assert_eq!(newest.status, 200, "{}", newest.body);
    assert!(newest.body.contains("Messages with Theo Talker"));
    for n in 3..=22 {
        assert!(newest.body.contains(&format!("Message number {n}.")), "{n}");
    }
    assert!(!newest.body.contains("Message number 2."));
    // Oldest first: 3 before 22.
    let (three, last) = (
        newest.body.find("Message number 3.").expect("3"),
        newest.body.find("Message number 22.").expect("22"),
    );
    assert!(three < last, "oldest first");
    assert!(
        newest.body.contains("/latest?after="),
        "the newest page polls"
    );
    let older = newest
        .body
        .split(r#"<a href=""#)
        .filter_map(|rest| rest.split('"').next())
        .find(|href| href.contains("?cursor="))
        .expect("an Older messages link")
        .replace("&amp;", "&");
    let page = site.web.get_with(&older, &cookies(&me)).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("Message number 1."));
    assert!(page.body.contains("Message number 2."));
    assert!(!page.body.contains("Message number 3."));
    assert!(
        !page.body.contains("/latest?after="),
        "an older page does not poll"
    );
    assert!(page.body.contains("Newest messages"));
    // A conversation starts from a person's profile too, not from one's own.
    let theirs = site
        .web
        .get_with(&format!("/people/{}", other.id), &cookies(&me))
        .await;
    assert!(theirs
        .body
        .contains(&format!(r#"href="/messages/{}""#, other.id)));
    site.name(&me, "Mia Me").await;
    let mine = site
        .web
        .get_with(&format!("/people/{}", me.id), &cookies(&me))
        .await;
    assert!(!mine.body.contains("Send a message"), "{}", mine.body);
    assert!(!mine.body.contains("Report this person"), "{}", mine.body);
    // Mine: no report link on my own messages.
    assert!(!page.body.contains("Report this message"));
    site.shutdown().await;
}

#[tokio::test]
async fn a_new_message_reaches_the_open_thread_and_the_header_live() {
    let site = start(&[]).await;
    let (me, other) = (Person::user(), Person::user());
    let send = |from, to, body| {
        let site = &site;
        async move {
            let key = Uuid::new_v4().to_string();
            let sent = message(site, from, to, &key, None, body).await;
            assert_eq!(sent.status, 303, "{}", sent.body);
        }
    };
    send(&me, &other, "First.").await;
    let thread = site
        .web
        .get_with(&format!("/messages/{}", other.id), &cookies(&me))
        .await;
    let newest = thread
        .body
        .split("/latest?after=")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the list asks again on news")
        .to_owned();
    // The page's stream, as its `sse-connect` names it.
    let mut live = site
        .web
        .live(
            &format!("/live?thread={}&newest={newest}", other.id),
            &cookies(&me),
        )
        .await;
    let first = live.next(support::WAIT).await.expect("the count at once");
    assert_eq!(first.name, "unread");
    assert_eq!(
        live.next(std::time::Duration::from_millis(1_500)).await,
        None,
        "nothing new: no messages event, no messages count"
    );

    send(&other, &me, "An answer.").await;
    let mut seen = Vec::new();
    let thread_event = format!("messages-{}", other.id);
    while !seen.iter().any(|(name, _)| *name == thread_event) {
        let event = live.next(support::WAIT).await.expect("news within WAIT");
        seen.push((event.name, event.data));
    }
    assert!(
        seen.contains(&("unread-messages".to_owned(), "1".to_owned())),
        "{seen:?}"
    );
    let (_, answer_id) = seen
        .iter()
        .find(|(name, _)| *name == thread_event)
        .expect("the thread's event");
    assert_ne!(*answer_id, newest);
    // The list asks for itself: the answer, marked read by being shown.
    let list = site
        .web
        .get_with(
            &format!("/messages/{}/latest?after={newest}", other.id),
            &cookies(&me),
        )
        .await;
    assert_eq!(list.status, 200, "{}", list.body);
    assert!(list.body.contains("An answer."), "{}", list.body);
    assert!(
        list.body.contains(&format!("after={answer_id}")),
        "{}",
        list.body
    );
    let fall = live.next(support::WAIT).await.expect("the count falls");
    assert_eq!(fall.name, "unread-messages");
    assert_eq!(fall.data, "<!-- none -->");
    site.shutdown().await;
}
