//! Moderation across the platform: profile-service decides, and every other
//! service learns it from events (docs/api.md, "profile-service"; docs/events.md).

use std::time::{Duration, Instant};

use crate::support::{start, Running};
use hearth_testkit::{staff_token, Person, TestResponse};
use serde_json::{json, Value};
use uuid::Uuid;

/// One write per service by `who`, and the statuses they got.
async fn writes(running: &Running, who: &Person) -> Vec<(&'static str, u16, Value)> {
    let answers: [(&'static str, TestResponse); 5] = [
        (
            "campaign",
            running
                .campaign
                .post("/campaigns")
                .token(&who.token)
                .json(&json!({"title": "Yet another", "goal_minor": 100, "currency": "USD"}))
                .send()
                .await,
        ),
        (
            "donation",
            running
                .donation
                .post("/donations")
                .token(&who.token)
                .json(&json!({"kind": "money", "campaign_id": Uuid::new_v4(), "amount_minor": 100, "currency": "USD"}))
                .send()
                .await,
        ),
        (
            "request",
            running
                .request
                .post("/requests")
                .token(&who.token)
                .json(&json!({"title": "Yet another", "category": "food", "quantity_needed": 1}))
                .send()
                .await,
        ),
        (
            "messaging",
            running
                .messaging
                .post("/notifications/read-all")
                .token(&who.token)
                .send()
                .await,
        ),
        (
            "profile",
            running
                .profile
                .put("/profiles/me")
                .token(&who.token)
                .json(&json!({"display_name": "Mallory"}))
                .send()
                .await,
        ),
    ];
    answers
        .into_iter()
        .map(|(service, r)| {
            let body = serde_json::from_str(&r.text).unwrap_or(Value::Null);
            (service, r.status.as_u16(), body)
        })
        .collect()
}

/// Waits until every service answers `who`'s writes as `refused` says (or 10 s pass).
async fn every_service(running: &Running, who: &Person, refused: bool) -> Duration {
    let started = Instant::now();
    loop {
        let answers = writes(running, who).await;
        let settled = answers.iter().all(|(_, status, body)| {
            let is_refused = *status == 403 && body["code"] == "account_suspended";
            is_refused == refused
        });
        if settled {
            return started.elapsed();
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "not settled after 10 s: {answers:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn outbox_events(running: &Running, schema: &str, event_type: &str) -> Vec<Value> {
    let (db, sql) = match schema {
        "campaign" => (
            &running.campaign_db,
            "select envelope from campaign.outbox where event_type = $1 order by seq",
        ),
        "request" => (
            &running.main_db,
            "select envelope from request.outbox where event_type = $1 order by seq",
        ),
        _ => (
            &running.main_db,
            "select envelope from profile.outbox where event_type = $1 order by seq",
        ),
    };
    let mut conn = db.connect().await;
    sqlx::query_scalar(sql)
        .bind(event_type)
        .fetch_all(&mut conn)
        .await
        .expect("outbox")
}

/// Publishes an envelope again, as a redelivery would bring it.
async fn publish_again(running: &Running, envelope: &Value) {
    let channel = running.broker.channel().await;
    channel
        .basic_publish(
            &running.exchange(),
            envelope["type"].as_str().expect("type"),
            Default::default(),
            &serde_json::to_vec(envelope).expect("json"),
            lapin::BasicProperties::default(),
        )
        .await
        .expect("publish")
        .await
        .expect("confirm");
}

#[tokio::test]
async fn a_suspension_reaches_every_service_and_a_reinstatement_lifts_it() {
    let mut running = start().await;
    let mallory = Person::user();
    let staff = staff_token(Uuid::new_v4());
    assert!(writes(&running, &mallory)
        .await
        .iter()
        .all(|(_, status, _)| *status != 403));

    running
        .profile
        .post(&format!("/profiles/{}/suspend", mallory.id))
        .token(&staff)
        .json(&json!({"reason": "fraud"}))
        .send()
        .await
        .expect(200);
    let took = every_service(&running, &mallory, true).await;
    eprintln!("every service refused the suspended user after {took:?}");

    running
        .profile
        .post(&format!("/profiles/{}/reinstate", mallory.id))
        .token(&staff)
        .send()
        .await
        .expect(200);
    every_service(&running, &mallory, false).await;

    // The old suspension, delivered again after the reinstatement, changes nothing.
    let suspended = outbox_events(&running, "profile", "profile.suspended").await;
    publish_again(&running, &suspended[0]).await;
    for (client, service) in [
        (&running.campaign, "campaign"),
        (&running.donation, "donation"),
        (&running.request, "request"),
        (&running.messaging, "messaging"),
    ] {
        let series = format!("hearth_events_duplicate_total{{service=\"{service}\"}}");
        client.wait_for_metric(&series, 1.0).await;
    }
    every_service(&running, &mallory, false).await;
    running.shutdown().await;
}

#[tokio::test]
async fn the_sagas_refuse_a_suspended_donor() {
    let mut running = start().await;
    let alice = Person::user();
    let mallory = Person::user();
    let campaign = running
        .campaign
        .post("/campaigns")
        .token(&alice.token)
        .json(&json!({"title": "Blankets", "goal_minor": 10_000, "currency": "USD"}))
        .send()
        .await
        .expect(201);
    let request = running
        .request
        .post("/requests")
        .token(&alice.token)
        .json(&json!({"title": "Blankets", "category": "bedding", "quantity_needed": 5}))
        .send()
        .await
        .expect(201);
    running
        .profile
        .post(&format!("/profiles/{}/suspend", mallory.id))
        .token(&staff_token(Uuid::new_v4()))
        .send()
        .await
        .expect(200);
    every_service(&running, &mallory, true).await;

    // donation-service refuses the suspended donor's POST itself; a donation
    // made before it heard (here: published as it would have been) meets the sagas.
    let created = |kind: &str, campaign_id: Value, request_id: Value| {
        json!({"specversion": "1.0", "id": Uuid::now_v7(), "type": "donation.created",
               "source": "/hearth/donation-service", "subject": Uuid::now_v7(),
               "time": "2026-11-22T10:00:00Z", "datacontenttype": "application/json",
               "version": 1, "correlationid": Uuid::now_v7().to_string(), "causationid": null,
               "data": {"donation_id": Uuid::now_v7(), "kind": kind, "donor_id": mallory.id,
                        "campaign_id": campaign_id, "request_id": request_id,
                        "amount_minor": if kind == "money" { json!(500) } else { json!(null) },
                        "currency": if kind == "money" { json!("USD") } else { json!(null) },
                        "quantity": if kind == "item" { json!(1) } else { json!(null) },
                        "anonymous": false}})
    };
    let money_donation = created("money", campaign["id"].clone(), Value::Null);
    let item_donation = created("item", Value::Null, request["id"].clone());
    publish_again(&running, &money_donation).await;
    publish_again(&running, &item_donation).await;

    // Only the answers to these two: the probes above may have made real
    // donations (to no campaign) before donation-service heard.
    let answers_to = |events: Vec<Value>, donation: &Value| -> Vec<Value> {
        events
            .into_iter()
            .filter(|e| e["data"]["donation_id"] == donation["data"]["donation_id"])
            .collect()
    };
    let deadline = Instant::now() + Duration::from_secs(10);
    let (money, items) = loop {
        let money = answers_to(
            outbox_events(&running, "campaign", "campaign.donation_rejected").await,
            &money_donation,
        );
        let items = answers_to(
            outbox_events(&running, "request", "request.donation_rejected").await,
            &item_donation,
        );
        if (!money.is_empty() && !items.is_empty()) || Instant::now() > deadline {
            break (money, items);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(money.len(), 1, "campaign-service answered");
    assert_eq!(money[0]["data"]["reason"], "donor_suspended");
    assert_eq!(items.len(), 1, "request-service answered");
    assert_eq!(items[0]["data"]["reason"], "donor_suspended");
    running.shutdown().await;
}

#[tokio::test]
async fn hide_target_suspends_a_campaign_and_a_request_once() {
    let mut running = start().await;
    let alice = Person::user();
    let bob = Person::user();
    let staff = staff_token(Uuid::new_v4());
    let campaign = running
        .campaign
        .post("/campaigns")
        .token(&alice.token)
        .json(&json!({"title": "Too good to be true", "goal_minor": 10_000, "currency": "USD"}))
        .send()
        .await
        .expect(201);
    let request = running
        .request
        .post("/requests")
        .token(&alice.token)
        .json(&json!({"title": "Too good to be true", "category": "other", "quantity_needed": 5}))
        .send()
        .await
        .expect(201);

    for (target_type, target) in [("campaign", &campaign), ("request", &request)] {
        let report = running
            .profile
            .post("/reports")
            .token(&bob.token)
            .json(
                &json!({"target_type": target_type, "target_id": target["id"], "reason": "fraud"}),
            )
            .send()
            .await
            .expect(201);
        running
            .profile
            .post(&format!(
                "/reports/{}/resolve",
                report["id"].as_str().expect("id")
            ))
            .token(&staff)
            .json(&json!({"resolution": "actioned", "action": "hide_target"}))
            .send()
            .await
            .expect(200);
    }

    let hidden = |client: &hearth_testkit::TestClient, path: String| {
        let client = client.clone();
        async move {
            let deadline = Instant::now() + Duration::from_secs(10);
            loop {
                let answer = client.get(&path).send().await;
                if answer.status == 404 || Instant::now() > deadline {
                    return answer;
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    };
    let campaign_path = format!("/campaigns/{}", campaign["id"].as_str().expect("id"));
    let request_path = format!("/requests/{}", request["id"].as_str().expect("id"));
    hidden(&running.campaign, campaign_path.clone())
        .await
        .assert_problem(404, "not_found");
    hidden(&running.request, request_path.clone())
        .await
        .assert_problem(404, "not_found");
    let listed = running.campaign.get("/campaigns").send().await.expect(200);
    assert_eq!(listed["items"], json!([]), "gone from listings");
    let listed = running.request.get("/requests").send().await.expect(200);
    assert_eq!(listed["items"], json!([]), "gone from listings");
    let seen = running
        .campaign
        .get(&campaign_path)
        .token(&staff)
        .send()
        .await
        .expect(200);
    assert_eq!(seen["status"], "suspended");

    // report.resolved delivered again: still one suspension each.
    for resolved in outbox_events(&running, "profile", "report.resolved").await {
        publish_again(&running, &resolved).await;
    }
    // Both reports' resolutions, handled again by both services, as duplicates.
    running
        .campaign
        .wait_for_metric(r#"hearth_events_duplicate_total{service="campaign"}"#, 2.0)
        .await;
    running
        .request
        .wait_for_metric(r#"hearth_events_duplicate_total{service="request"}"#, 2.0)
        .await;
    let campaign_moves = outbox_events(&running, "campaign", "campaign.status_changed").await;
    let request_moves = outbox_events(&running, "request", "request.status_changed").await;
    assert_eq!((campaign_moves.len(), request_moves.len()), (1, 1));
    assert_eq!(campaign_moves[0]["data"]["to"], "suspended");
    assert_eq!(request_moves[0]["data"]["to"], "suspended");
    running.shutdown().await;
}
