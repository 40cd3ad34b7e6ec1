//! `/moderation`: the moderator console, for staff only (a visitor is sent
//! to sign in; anyone else gets the 403 page, as the APIs would answer).
//!
//! The queue lists the open reports, newest first, each with the reported
//! thing as it is now. A report's page resolves it (*dismissed*, or
//! *actioned* with `hide_target` or `suspend_user`) and suspends or
//! reinstates the person behind it and the campaign or request. What the
//! services do after (a hidden campaign becomes suspended when
//! campaign-service hears of it) shows live: the page's `/live` stream
//! watches the report's fingerprint and says when it changed, and the
//! outcome part then asks for itself again. The reporter's
//! notification is messaging-service's, on `report.resolved`.

use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use chrono::Utc;
use futures::future::join_all;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::errors::PageError;
use super::shared::{next_page, sign_in_first, Answer, Paging, SOMEONE};
use super::{parse_id, render};
use crate::api::campaigns::CampaignStatus;
use crate::api::moderation::{Action, Listing, Outcome, Report, Resolution, TargetKind, REASONS};
use crate::api::requests::RequestStatus;
use crate::api::{Api, Failure, Refused};
use crate::csrf::CsrfToken;
use crate::format;
use crate::layout::Layout;
use crate::session::Viewer;
use crate::AppState;

/// The name of the `/live` event (live.rs) that tells a report's page its
/// outcome changed.
pub fn report_event(id: Uuid) -> String {
    format!("report-{id}")
}
/// The API's limit for a resolution's note and a decision's reason.
const NOTE_MAX_CHARS: usize = 2000;
const REASON_MAX_CHARS: usize = 500;

/// The answer for anyone but staff: a visitor is sent to sign in and back
/// to `path`; anyone else gets the 403 page. `None`: staff, go on.
fn not_staff(viewer: &Viewer, path: &str) -> Option<Response> {
    match viewer.person() {
        None => Some(sign_in_first(path)),
        Some(person) if person.staff => None,
        Some(_) => Some(PageError::Forbidden.into_response()),
    }
}

/// A person the console may suspend or reinstate.
#[derive(Debug)]
pub struct PersonModeration {
    pub name: String,
    pub url: String,
    pub suspended: bool,
    pub action: String,
    /// The reason field's id, unique on the page.
    pub field_id: String,
    pub csrf: String,
    /// Where to come back to after deciding.
    pub back: String,
}

impl PersonModeration {
    pub fn new(id: Uuid, suspended: bool, csrf: &CsrfToken, back: &str) -> Self {
        Self {
            name: SOMEONE.to_owned(),
            url: format!("/people/{id}"),
            suspended,
            action: format!(
                "/moderation/people/{id}/{}",
                if suspended { "reinstate" } else { "suspend" }
            ),
            field_id: format!("reason-{id}"),
            csrf: csrf.0.clone(),
            back: back.to_owned(),
        }
    }
}

/// A campaign or request the console may suspend or reinstate.
#[derive(Debug)]
pub struct ListingModeration {
    noun: &'static str,
    suspended: bool,
    action: String,
    field_id: String,
    csrf: String,
    back: String,
}

/// The reported thing as it is now.
#[derive(Debug, Default)]
pub struct TargetView {
    /// "Campaign “Warm coats”", "A message".
    summary: String,
    url: Option<String>,
    /// Its state now in words: "Suspended", "Open for donations".
    state: Option<String>,
    /// Whose it is: the person to suspend.
    person: Option<PersonModeration>,
    listing: Option<ListingModeration>,
}

/// What a target's owner is, for [`TargetView`].
struct Owner {
    id: Uuid,
    name: String,
    suspended: bool,
}

async fn owner(api: &Api, viewer: &Viewer, id: Option<Uuid>) -> Option<Owner> {
    let id = id?;
    Some(match api.profile(id, viewer).await {
        Ok(p) => Owner {
            id,
            suspended: p.status == "suspended",
            name: p.display_name,
        },
        Err(_) => Owner {
            id,
            name: SOMEONE.to_owned(),
            suspended: false,
        },
    })
}

/// The reported thing, read as staff see it.
async fn target(
    api: &Api,
    viewer: &Viewer,
    csrf: &CsrfToken,
    report: &Report,
    back: &str,
) -> TargetView {
    let id = report.target_id;
    let unreadable = |summary: &str| TargetView {
        summary: summary.to_owned(),
        ..TargetView::default()
    };
    let listing = |noun, suspended: bool, collection: &str| ListingModeration {
        noun,
        suspended,
        action: format!(
            "/moderation/{collection}/{id}/{}",
            if suspended { "reinstate" } else { "suspend" }
        ),
        field_id: format!("reason-{}-listing", report.id),
        csrf: csrf.0.clone(),
        back: back.to_owned(),
    };
    let (mut view, owner_id) = match report.target_type {
        TargetKind::Campaign => match api.campaign(id, viewer).await {
            Ok(c) => {
                let suspended = c.status == CampaignStatus::Suspended;
                (
                    TargetView {
                        summary: format!("Campaign “{}”", c.title),
                        url: Some(format!("/campaigns/{id}")),
                        state: Some(c.status.label().to_owned()),
                        listing: Some(listing("campaign", suspended, "campaigns")),
                        person: None,
                    },
                    Some(c.recipient_id),
                )
            }
            Err(f) => (unreadable(&gone("A campaign", &f)), None),
        },
        TargetKind::Request => match api.request(id, viewer).await {
            Ok(r) => {
                let suspended = r.status == RequestStatus::Suspended;
                (
                    TargetView {
                        summary: format!("Request “{}”", r.title),
                        url: Some(format!("/requests/{id}")),
                        state: Some(r.status.label().to_owned()),
                        listing: Some(listing("request", suspended, "requests")),
                        person: None,
                    },
                    Some(r.requester_id),
                )
            }
            Err(f) => (unreadable(&gone("A request", &f)), None),
        },
        TargetKind::Profile => (
            TargetView {
                summary: "A person".to_owned(),
                url: Some(format!("/people/{id}")),
                ..TargetView::default()
            },
            Some(id),
        ),
        TargetKind::Donation => match api.exchange(id, viewer).await {
            Ok(d) => (
                TargetView {
                    summary: format!("A {} donation", d.kind),
                    url: d.target_url(),
                    state: Some(d.status.clone()),
                    ..TargetView::default()
                },
                d.donor_id,
            ),
            Err(f) => (unreadable(&gone("A donation", &f)), None),
        },
        // Only its two parties ever read a message, and ratings are read
        // by person: the report's details are the context.
        TargetKind::Message => (
            unreadable("A message (only its two parties can read it; see the details)"),
            None,
        ),
        TargetKind::Rating => (unreadable("A rating (see the details)"), None),
    };
    if let Some(owner) = owner(api, viewer, owner_id).await {
        if report.target_type == TargetKind::Profile {
            view.summary = format!("The person {}", owner.name);
            view.state = Some(
                if owner.suspended {
                    "Suspended"
                } else {
                    "Active"
                }
                .to_owned(),
            );
        }
        view.person = Some(PersonModeration {
            name: owner.name,
            field_id: format!("reason-{}-person", report.id),
            ..PersonModeration::new(owner.id, owner.suspended, csrf, back)
        });
    }
    view
}

fn gone(what: &str, failure: &Failure) -> String {
    match failure {
        Failure::NotFound => format!("{what} that no longer exists"),
        _ => format!("{what} that cannot be read right now"),
    }
}

fn reason_label(word: &str) -> String {
    REASONS
        .iter()
        .find(|(w, _)| *w == word)
        .map_or_else(|| word.to_owned(), |(_, label)| (*label).to_owned())
}

#[derive(Debug)]
struct ReportCard {
    url: String,
    reason: String,
    details: Option<String>,
    reporter: String,
    reporter_url: String,
    when: String,
    target: TargetView,
}

async fn card(
    api: &Api,
    viewer: &Viewer,
    csrf: &CsrfToken,
    report: &Report,
    back: &str,
) -> ReportCard {
    let (target, reporter) = tokio::join!(
        target(api, viewer, csrf, report, back),
        api.profile(report.reporter_id, viewer),
    );
    ReportCard {
        url: format!("/moderation/reports/{}", report.id),
        reason: reason_label(&report.reason),
        details: report.details.clone(),
        reporter: reporter.map_or_else(|_| SOMEONE.to_owned(), |p| p.display_name),
        reporter_url: format!("/people/{}", report.reporter_id),
        when: format::relative(report.created_at, Utc::now()),
        target,
    }
}

#[derive(Template)]
#[template(path = "moderation.html")]
struct QueuePage {
    layout: Layout,
    cards: Option<Vec<ReportCard>>,
    more: Option<String>,
}

/// `GET /moderation`: the open reports, newest first.
pub async fn queue(
    State(state): State<AppState>,
    viewer: Viewer,
    csrf: CsrfToken,
    params: Result<Query<Paging>, QueryRejection>,
) -> Response {
    if let Some(answer) = not_staff(&viewer, "/moderation") {
        return answer;
    }
    let paging = params.map(|Query(p)| p).unwrap_or_default();
    let mut layout = Layout::new(&viewer).with_csrf(&csrf);
    let page = match state.api.open_reports(paging.cursor(), &viewer).await {
        Err(failure @ (Failure::Forbidden { .. } | Failure::SignedOut)) => {
            return PageError::from(failure).into_response()
        }
        other => layout.or_notice(other),
    };
    let more = page
        .as_ref()
        .and_then(|p| next_page("/moderation", p.next_cursor.as_deref()));
    let cards = match page {
        Some(page) => Some(
            join_all(
                page.items
                    .iter()
                    .map(|r| card(&state.api, &viewer, &csrf, r, "/moderation")),
            )
            .await,
        ),
        None => None,
    };
    render(&QueuePage {
        layout,
        cards,
        more,
    })
}

/// The part of a report's page that follows what the services did.
#[derive(Debug)]
struct OutcomeView {
    /// Where the part asks for itself again when `/live` says it changed.
    poll_url: String,
    live_event: String,
    status: String,
    note: Option<String>,
    target: TargetView,
}

#[derive(Template)]
#[template(path = "partials/report_outcome.html")]
struct OutcomeFragment {
    outcome: OutcomeView,
}

#[derive(Debug, Default)]
struct ResolveForm {
    action: String,
    resolution: String,
    act: String,
    note: String,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "moderation_report.html")]
struct ReportPage {
    layout: Layout,
    csrf: String,
    reason: String,
    details: Option<String>,
    reporter: String,
    reporter_url: String,
    when: String,
    outcome: OutcomeView,
    /// While the report is open.
    resolve: Option<ResolveForm>,
}

/// The outcome as now, and its fingerprint: the poll swaps only a change.
async fn outcome(
    api: &Api,
    viewer: &Viewer,
    csrf: &CsrfToken,
    report: &Report,
) -> (OutcomeView, String) {
    let back = format!("/moderation/reports/{}", report.id);
    let target = target(api, viewer, csrf, report, &back).await;
    let status = match report.status.as_str() {
        "open" => "Open".to_owned(),
        "actioned" => "Resolved: actioned".to_owned(),
        "dismissed" => "Resolved: dismissed".to_owned(),
        other => other.to_owned(),
    };
    let seen = fingerprint(&[
        &status,
        target.state.as_deref().unwrap_or(""),
        if target.person.as_ref().is_some_and(|p| p.suspended) {
            "person suspended"
        } else {
            ""
        },
    ]);
    let view = OutcomeView {
        poll_url: format!("/moderation/reports/{}/outcome?seen={seen}", report.id),
        live_event: report_event(report.id),
        status,
        note: report.resolution_note.clone(),
        target,
    };
    (view, seen)
}

/// Where report `id` stands now, as its page's fingerprint; `None` when it
/// cannot be read (for `/live`, which asks while the page is open).
pub async fn outcome_fingerprint(api: &Api, viewer: &Viewer, id: Uuid) -> Option<String> {
    let report = api.report_by_id(id, viewer).await.ok()?;
    // The forms built beside it are not rendered: no token is needed.
    let no_form = CsrfToken(String::new());
    Some(outcome(api, viewer, &no_form, &report).await.1)
}

fn fingerprint(parts: &[&str]) -> String {
    let digest = Sha256::digest(parts.join("\n").as_bytes());
    digest.iter().take(8).map(|b| format!("{b:02x}")).collect()
}

/// `GET /moderation/reports/{id}`.
pub async fn report(
    State(state): State<AppState>,
    viewer: Viewer,
    csrf: CsrfToken,
    Path(raw_id): Path<String>,
) -> Result<Response, PageError> {
    let id = parse_id(&raw_id)?;
    if let Some(answer) = not_staff(&viewer, &format!("/moderation/reports/{id}")) {
        return Ok(answer);
    }
    let report = state.api.report_by_id(id, &viewer).await?;
    let page = report_page(&state, &viewer, &csrf, &report, ResolveForm::default()).await;
    Ok(render(&page))
}

async fn report_page(
    state: &AppState,
    viewer: &Viewer,
    csrf: &CsrfToken,
    report: &Report,
    form: ResolveForm,
) -> ReportPage {
    let ((outcome, seen), reporter) = tokio::join!(
        outcome(&state.api, viewer, csrf, report),
        state.api.profile(report.reporter_id, viewer),
    );
    ReportPage {
        layout: Layout::new(viewer)
            .with_csrf(csrf)
            .watching_report(report.id, &seen),
        csrf: csrf.0.clone(),
        reason: reason_label(&report.reason),
        details: report.details.clone(),
        reporter: reporter.map_or_else(|_| SOMEONE.to_owned(), |p| p.display_name),
        reporter_url: format!("/people/{}", report.reporter_id),
        when: format::relative(report.created_at, Utc::now()),
        outcome,
        resolve: (report.status == "open").then(|| ResolveForm {
            action: format!("/moderation/reports/{}/resolve", report.id),
            ..form
        }),
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct OutcomeParams {
    seen: Option<String>,
}

/// `GET /moderation/reports/{id}/outcome?seen=…`: the outcome part, or 204
/// while it is as the page last saw it.
pub async fn outcome_part(
    State(state): State<AppState>,
    viewer: Viewer,
    csrf: CsrfToken,
    Path(raw_id): Path<String>,
    params: Result<Query<OutcomeParams>, QueryRejection>,
) -> Result<Response, PageError> {
    let id = parse_id(&raw_id)?;
    match viewer.person() {
        None => return Err(PageError::SignedOut),
        Some(p) if !p.staff => return Err(PageError::Forbidden),
        Some(_) => {}
    }
    let report = state.api.report_by_id(id, &viewer).await?;
    let (outcome, seen) = outcome(&state.api, &viewer, &csrf, &report).await;
    if params.ok().and_then(|Query(p)| p.seen) == Some(seen) {
        return Ok(StatusCode::NO_CONTENT.into_response());
    }
    Ok(render(&OutcomeFragment { outcome }))
}

#[derive(Debug, Deserialize)]
pub struct ResolveFields {
    csrf: String,
    #[serde(default)]
    resolution: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    note: String,
}

/// `POST /moderation/reports/{id}/resolve`.
pub async fn resolve(
    State(state): State<AppState>,
    viewer: Viewer,
    csrf: CsrfToken,
    Path(raw_id): Path<String>,
    Form(fields): Form<ResolveFields>,
) -> Result<Response, PageError> {
    csrf.check(&fields.csrf)?;
    let id = parse_id(&raw_id)?;
    if let Some(answer) = not_staff(&viewer, &format!("/moderation/reports/{id}")) {
        return Ok(answer);
    }
    let resolution = match fields.resolution.as_str() {
        "dismissed" => Some(Outcome::Dismissed),
        "actioned" => Some(Outcome::Actioned),
        _ => None,
    };
    let action = match fields.action.as_str() {
        "hide_target" => Some(Action::HideTarget),
        "suspend_user" => Some(Action::SuspendUser),
        _ => None,
    };
    let note = fields.note.trim();
    let problem = match resolution {
        None => Some("Decision: choose dismissed or actioned.".to_owned()),
        Some(Outcome::Dismissed) if action.is_some() => {
            Some("Action: a dismissed report takes no action.".to_owned())
        }
        _ if note.chars().count() > NOTE_MAX_CHARS => {
            Some(format!("Note: at most {NOTE_MAX_CHARS} characters."))
        }
        _ => None,
    };
    let (status, error) = match (problem, resolution) {
        (Some(problem), _) => (StatusCode::UNPROCESSABLE_ENTITY, Some(problem)),
        (None, None) => (StatusCode::UNPROCESSABLE_ENTITY, None),
        (None, Some(resolution)) => {
            let body = Resolution {
                resolution,
                action,
                note: (!note.is_empty()).then(|| note.to_owned()),
            };
            match state.api.resolve_report(id, &body, &viewer).await {
                Ok(()) => {
                    return Ok(Redirect::to(&format!("/moderation/reports/{id}")).into_response())
                }
                Err(Refused::Invalid(errors)) => (
                    StatusCode::UNPROCESSABLE_ENTITY,
                    Some(errors.first().map_or_else(
                        || "This decision does not fit the report.".to_owned(),
                        |e| format!("Action: {}.", e.message),
                    )),
                ),
                Err(Refused::Conflict(_) | Refused::NotEligible(_) | Refused::Stale) => (
                    StatusCode::CONFLICT,
                    Some(
                        "This report was already resolved, by you or another moderator.".to_owned(),
                    ),
                ),
                Err(Refused::Failed(failure)) => return Err(failure.into()),
            }
        }
    };
    let report = state.api.report_by_id(id, &viewer).await?;
    let form = ResolveForm {
        resolution: fields.resolution.clone(),
        act: fields.action.clone(),
        note: fields.note.clone(),
        error,
        ..ResolveForm::default()
    };
    let page = report_page(&state, &viewer, &csrf, &report, form).await;
    Ok((status, render(&page)).into_response())
}

#[derive(Debug, Deserialize)]
pub struct DecisionFields {
    csrf: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    back: String,
}

impl DecisionFields {
    /// Where the form came from, when it is a page of this site.
    fn back(&self) -> String {
        let back = self.back.as_str();
        if back.starts_with('/') && !back.starts_with("//") && !back.contains('\\') {
            back.to_owned()
        } else {
            "/moderation".to_owned()
        }
    }

    fn reason(&self) -> Result<Option<&str>, PageError> {
        let reason = self.reason.trim();
        if reason.chars().count() > REASON_MAX_CHARS {
            return Err(PageError::Forbidden);
        }
        Ok((!reason.is_empty()).then_some(reason))
    }
}

/// Suspend or reinstate, from the URL.
fn suspending(decision: &str) -> Result<bool, PageError> {
    match decision {
        "suspend" => Ok(true),
        "reinstate" => Ok(false),
        _ => Err(PageError::NotFound),
    }
}

/// `POST /moderation/people/{id}/{suspend|reinstate}`.
pub async fn decide_person(
    State(state): State<AppState>,
    viewer: Viewer,
    csrf: CsrfToken,
    Path((raw_id, decision)): Path<(String, String)>,
    Form(fields): Form<DecisionFields>,
) -> Result<Response, PageError> {
    csrf.check(&fields.csrf)?;
    let id = parse_id(&raw_id)?;
    let suspend = suspending(&decision)?;
    if let Some(answer) = not_staff(&viewer, &fields.back()) {
        return Ok(answer);
    }
    let result = state
        .api
        .decide_person(id, suspend, fields.reason()?, &viewer)
        .await;
    decided(&viewer, &csrf, &fields, result, || {
        if suspend {
            "This person is already suspended."
        } else {
            "This person is not suspended."
        }
    })
}

/// `POST /moderation/{campaigns|requests}/{id}/{suspend|reinstate}`.
pub async fn decide_listing(
    State(state): State<AppState>,
    viewer: Viewer,
    csrf: CsrfToken,
    Path((collection, raw_id, decision)): Path<(String, String, String)>,
    Form(fields): Form<DecisionFields>,
) -> Result<Response, PageError> {
    csrf.check(&fields.csrf)?;
    let listing = match collection.as_str() {
        "campaigns" => Listing::Campaign,
        "requests" => Listing::Request,
        _ => return Err(PageError::NotFound),
    };
    let id = parse_id(&raw_id)?;
    let suspend = suspending(&decision)?;
    if let Some(answer) = not_staff(&viewer, &fields.back()) {
        return Ok(answer);
    }
    let reason = fields.reason()?;
    let result = if suspend {
        state
            .api
            .suspend_listing(listing, id, reason, &viewer)
            .await
    } else {
        state
            .api
            .reinstate_listing(listing, id, reason, &viewer)
            .await
    };
    decided(&viewer, &csrf, &fields, result, || {
        if suspend {
            "It is already suspended."
        } else {
            "It is not suspended."
        }
    })
}

/// Back where the decision was made; a decision already made is said.
fn decided(
    viewer: &Viewer,
    csrf: &CsrfToken,
    fields: &DecisionFields,
    result: Result<(), Refused>,
    already: impl Fn() -> &'static str,
) -> Result<Response, PageError> {
    match result {
        Ok(()) => Ok(Redirect::to(&fields.back()).into_response()),
        Err(Refused::Conflict(_) | Refused::NotEligible(_) | Refused::Stale) => Ok(Answer {
            layout: Layout::new(viewer).with_csrf(csrf),
            heading: "Nothing to change".to_owned(),
            text: already().to_owned(),
            back_url: fields.back(),
            back_text: "Back".to_owned(),
        }
        .page(StatusCode::CONFLICT)),
        Err(Refused::Invalid(_)) => Err(PageError::Forbidden),
        Err(Refused::Failed(failure)) => Err(failure.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn back(value: &str) -> String {
        DecisionFields {
            csrf: String::new(),
            reason: String::new(),
            back: value.to_owned(),
        }
        .back()
    }

    #[test]
    fn a_decision_goes_back_only_to_a_page_of_this_site() {
        assert_eq!(back("/people/1"), "/people/1");
        assert_eq!(back("/moderation/reports/2"), "/moderation/reports/2");
        for elsewhere in [
            "https://evil.example/",
            "//evil.example/",
            "/\\evil.example",
            "",
            "people",
        ] {
            assert_eq!(back(elsewhere), "/moderation", "{elsewhere}");
        }
    }

    #[test]
    fn the_outcome_fingerprint_changes_with_what_it_shows() {
        let open = fingerprint(&["Open", "Open for donations", ""]);
        assert_eq!(open, fingerprint(&["Open", "Open for donations", ""]));
        assert_ne!(
            open,
            fingerprint(&["Resolved: actioned", "Open for donations", ""])
        );
        assert_ne!(open, fingerprint(&["Open", "Suspended", ""]));
        assert_eq!(open.len(), 16);
    }
}
