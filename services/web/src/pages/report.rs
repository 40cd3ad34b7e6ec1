//! `/report?type=…&id=…`: report a campaign, request, person, donation,
//! message or rating to the moderators, from where it is shown: a reason
//! and details. A second report on the same thing while the first is open
//! is not filed again; the page says the first one is being looked at.

use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Form;
use serde::Deserialize;
use uuid::Uuid;

use super::errors::PageError;
use super::render;
use super::shared::{sign_in_first, Answer};
use crate::api::moderation::{NewReport, TargetKind, DETAILS_MAX_CHARS, REASONS};
use crate::api::Refused;
use crate::csrf::CsrfToken;
use crate::layout::Layout;
use crate::session::Viewer;
use crate::AppState;

/// What is reported, from the query or the form.
#[derive(Debug, Clone, Copy)]
struct Target {
    kind: TargetKind,
    id: Uuid,
}

impl Target {
    fn parse(kind: &str, id: &str) -> Result<Self, PageError> {
        Ok(Self {
            kind: TargetKind::parse(kind).ok_or(PageError::NotFound)?,
            id: Uuid::parse_str(id).map_err(|_| PageError::NotFound)?,
        })
    }

    fn path(self) -> String {
        format!("/report?type={}&id={}", self.kind.as_str(), self.id)
    }

    /// Where the thing is shown, to go back to.
    fn shown_at(self) -> String {
        let id = self.id;
        match self.kind {
            TargetKind::Campaign => format!("/campaigns/{id}"),
            TargetKind::Request => format!("/requests/{id}"),
            TargetKind::Profile => format!("/people/{id}"),
            TargetKind::Donation => format!("/donations/{id}"),
            TargetKind::Message => "/messages".to_owned(),
            TargetKind::Rating => "/".to_owned(),
        }
    }
}

#[derive(Template)]
#[template(path = "report.html")]
struct ReportPage {
    layout: Layout,
    noun: &'static str,
    back_url: String,
    csrf: String,
    key: String,
    kind: &'static str,
    id: Uuid,
    reasons: [(&'static str, &'static str); 6],
    reason: String,
    reason_error: Option<String>,
    details: String,
    details_error: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct ReportParams {
    #[serde(rename = "type", default)]
    kind: String,
    #[serde(default)]
    id: String,
}

/// `GET /report?type=…&id=…`.
pub async fn show(
    viewer: Viewer,
    csrf: CsrfToken,
    params: Result<Query<ReportParams>, QueryRejection>,
) -> Result<Response, PageError> {
    let params = params.map(|Query(p)| p).unwrap_or_default();
    let target = Target::parse(&params.kind, &params.id)?;
    if viewer.person().is_none() {
        return Ok(sign_in_first(&target.path()));
    }
    let page = form_page(&viewer, &csrf, target, Uuid::new_v4(), "", "", None, None);
    Ok(render(&page))
}

#[allow(clippy::too_many_arguments)]
fn form_page(
    viewer: &Viewer,
    csrf: &CsrfToken,
    target: Target,
    key: Uuid,
    reason: &str,
    details: &str,
    reason_error: Option<String>,
    details_error: Option<String>,
) -> ReportPage {
    ReportPage {
        layout: Layout::new(viewer).with_csrf(csrf),
        noun: target.kind.noun(),
        back_url: target.shown_at(),
        csrf: csrf.0.clone(),
        key: key.to_string(),
        kind: target.kind.as_str(),
        id: target.id,
        reasons: REASONS,
        reason: reason.to_owned(),
        reason_error,
        details: details.to_owned(),
        details_error,
    }
}

#[derive(Debug, Deserialize)]
pub struct ReportForm {
    csrf: String,
    key: String,
    #[serde(rename = "type")]
    kind: String,
    id: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    details: String,
}

/// `POST /report`.
pub async fn file(
    State(state): State<AppState>,
    viewer: Viewer,
    csrf: CsrfToken,
    Form(form): Form<ReportForm>,
) -> Result<Response, PageError> {
    csrf.check(&form.csrf)?;
    let target = Target::parse(&form.kind, &form.id)?;
    if viewer.person().is_none() {
        return Ok(sign_in_first(&target.path()));
    }
    let key = Uuid::parse_str(&form.key).map_err(|_| PageError::Forbidden)?;
    let details = form.details.trim();
    let reason_ok = REASONS.iter().any(|(word, _)| *word == form.reason);
    let again = |reason_error: Option<String>, details_error: Option<String>| {
        let page = form_page(
            &viewer,
            &csrf,
            target,
            key,
            &form.reason,
            &form.details,
            reason_error,
            details_error,
        );
        Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
    };
    if !reason_ok {
        return again(Some("Reason: choose one.".to_owned()), None);
    }
    if details.chars().count() > DETAILS_MAX_CHARS {
        return again(
            None,
            Some(format!("Details: at most {DETAILS_MAX_CHARS} characters.")),
        );
    }
    let report = NewReport {
        target_type: target.kind,
        target_id: target.id,
        reason: form.reason.clone(),
        details: (!details.is_empty()).then(|| details.to_owned()),
    };
    let noun = target.kind.noun();
    let (status, heading, text) = match state.api.report(&report, key, &viewer).await {
        Ok(_) => (
            StatusCode::OK,
            "Thank you for your report".to_owned(),
            format!(
                "The moderators will look at this {noun}. You will get a notification when \
                 they have decided."
            ),
        ),
        Err(Refused::Conflict(_) | Refused::Stale) => (
            StatusCode::CONFLICT,
            "You have already reported this".to_owned(),
            format!(
                "Your earlier report on this {noun} is still open, so it was not filed \
                 again. The moderators will look at it, and you will get a notification \
                 when they have decided."
            ),
        ),
        Err(Refused::Invalid(errors)) => {
            let message = |field: &str| {
                errors
                    .iter()
                    .find(|e| e.field == field)
                    .map(|e| format!("{}: {}.", capitalised(field), e.message))
            };
            let details_error = message("details").or_else(|| {
                (message("reason").is_none()).then(|| "This report was not accepted.".to_owned())
            });
            return again(message("reason"), details_error);
        }
        Err(Refused::NotEligible(_)) => return Err(PageError::Forbidden),
        Err(Refused::Failed(failure)) => return Err(failure.into()),
    };
    Ok(Answer {
        layout: Layout::new(&viewer).with_csrf(&csrf),
        heading,
        text,
        back_url: target.shown_at(),
        back_text: format!("Back to the {noun}"),
    }
    .page(status))
}

fn capitalised(field: &str) -> String {
    let mut chars = field.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}
