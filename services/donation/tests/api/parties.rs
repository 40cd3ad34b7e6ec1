//! `GET /donations/{id}/parties`, the read messaging-service makes with a
//! scoped token, and everything that token must not do.

use hearth_core::auth::{Scope, DONATION_PARTIES_READ};
use hearth_testkit::service_call_token;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::helpers::{money, TestApp};
use hearth_testkit::Person;

fn parties_path(id: &Value) -> String {
    format!("/donations/{}/parties", id.as_str().expect("id"))
}

fn uuid(id: &Value) -> Uuid {
    id.as_str().and_then(|s| s.parse().ok()).expect("a uuid")
}

/// An anonymous donation, confirmed to `recipient`.
async fn anonymous_gift(app: &TestApp, donor: &Person, recipient: &Person) -> Value {
    let mut body = money(Uuid::new_v4());
    body["anonymous"] = json!(true);
    let donation = app.give(donor, &body).await.expect(201);
    app.confirm(&donation["id"], recipient).await;
    donation
}

#[tokio::test]
async fn the_parties_of_a_donation_are_read_with_its_token_or_by_staff_alone() {
    let app = TestApp::spawn().await;
    let (donor, recipient) = (Person::user(), Person::user());
    let donation = anonymous_gift(&app, &donor, &recipient).await;
    let other = anonymous_gift(&app, &Person::user(), &recipient).await;
    let path = parties_path(&donation["id"]);
    let parties = json!({"donor_id": donor.id, "recipient_id": recipient.id, "anonymous": true});

    // The token for this donation reads its parties, the anonymous donor too.
    let token = service_call_token(&DONATION_PARTIES_READ, uuid(&donation["id"]));
    assert_eq!(
        app.client.get(&path).token(&token).send().await.expect(200),
        parties
    );
    let staff = Person::staff();
    assert_eq!(
        app.client
            .get(&path)
            .token(&staff.token)
            .send()
            .await
            .expect(200),
        parties
    );

    // Not another donation's parties, nor with a token of another scope.
    app.client
        .get(&parties_path(&other["id"]))
        .token(&token)
        .send()
        .await
        .assert_problem(403, "forbidden");
    let another_call = Scope {
        audience: DONATION_PARTIES_READ.audience,
        name: "donation:refund",
    };
    let wrong_scope = service_call_token(&another_call, uuid(&donation["id"]));
    app.client
        .get(&path)
        .token(&wrong_scope)
        .send()
        .await
        .assert_problem(403, "forbidden");
    let another_service = Scope {
        audience: "hearth:profile-service",
        name: DONATION_PARTIES_READ.name,
    };
    let wrong_audience = service_call_token(&another_service, uuid(&donation["id"]));
    app.client
        .get(&path)
        .token(&wrong_audience)
        .send()
        .await
        .assert_problem(403, "forbidden");

    // People, the parties themselves included, use the public views.
    for person in [&donor, &recipient, &Person::user()] {
        app.client
            .get(&path)
            .token(&person.token)
            .send()
            .await
            .assert_problem(403, "forbidden");
    }
    app.client
        .get(&path)
        .send()
        .await
        .assert_problem(401, "unauthenticated");
    // A named donation says so: messaging-service lets its recipient write first.
    let named = app.give(&donor, &money(Uuid::new_v4())).await.expect(201);
    app.confirm(&named["id"], &recipient).await;
    let named_token = service_call_token(&DONATION_PARTIES_READ, uuid(&named["id"]));
    assert_eq!(
        app.client
            .get(&parties_path(&named["id"]))
            .token(&named_token)
            .send()
            .await
            .expect(200),
        json!({"donor_id": donor.id, "recipient_id": recipient.id, "anonymous": false})
    );
    // An unknown donation, with a token for it: 404.
    let unknown = Uuid::new_v4();
    app.client
        .get(&format!("/donations/{unknown}/parties"))
        .token(&service_call_token(&DONATION_PARTIES_READ, unknown))
        .send()
        .await
        .assert_problem(404, "not_found");
}

#[tokio::test]
async fn the_parties_token_reads_nothing_else_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let (donor, recipient) = (Person::user(), Person::user());
    let donation = app.give(&donor, &money(Uuid::new_v4())).await.expect(201);
    app.confirm(&donation["id"], &recipient).await;
    let id = donation["id"].as_str().expect("id");
    let token = service_call_token(&DONATION_PARTIES_READ, uuid(&donation["id"]));

    for action in ["refund", "cancel", "receive"] {
        app.client
            .post(&format!("/donations/{id}/{action}"))
            .token(&token)
            .json(&json!({"reason": "chargeback"}))
            .send()
            .await
            .assert_problem(401, "unauthenticated");
    }
    app.client
        .post("/donations")
        .token(&token)
        .json(&money(Uuid::new_v4()))
        .send()
        .await
        .assert_problem(401, "unauthenticated");
    for path in [
        format!("/donations/{id}"),
        "/donations?mine=true".to_owned(),
    ] {
        app.client
            .get(&path)
            .token(&token)
            .send()
            .await
            .assert_problem(401, "unauthenticated");
    }
    let now = app
        .client
        .get(&format!("/donations/{id}"))
        .token(&donor.token)
        .send()
        .await
        .expect(200);
    assert_eq!(now["status"], "confirmed");
    assert_eq!(now["version"], donation["version"]);
}
