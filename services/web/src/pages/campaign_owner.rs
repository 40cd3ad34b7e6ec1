//! Running a campaign: starting one (`/campaigns/new`), and its owner's
//! page (`/campaigns/{id}/edit`) with the status moves campaign-service
//! allows from where it is (publish a draft, pause, resume, complete,
//! cancel) and the edit form, sent with `If-Match` so that an edit made
//! meanwhile by someone else is shown, not overwritten ([`super::conflict`]).
//!
//! The pages are the campaign's recipient's and staff's; anyone else meets
//! the 403 page (campaign-service answers them the same), and a visitor is
//! sent to sign in.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;
use uuid::Uuid;

use super::campaign_form::{refusal, CampaignFields};
use super::conflict::{read_was, write_was, Conflict};
use super::errors::PageError;
use super::form::Problems;
use super::{parse_id, render, sign_in_to};
use crate::api::campaigns::{Campaign, CampaignStatus};
use crate::api::Refused;
use crate::csrf::CsrfToken;
use crate::layout::Layout;
use crate::session::Viewer;
use crate::AppState;

/// What the campaign form template shows, to start or to edit.
#[derive(Debug)]
pub struct CampaignFormView {
    pub action: String,
    pub csrf: String,
    /// Starting: the `Idempotency-Key` this form sends.
    pub key: Option<String>,
    /// Editing: the version it edits, and that version's fields.
    pub version: Option<i32>,
    pub was: Option<String>,
    pub fields: CampaignFields,
    /// The currencies to choose from when starting; editing keeps the
    /// campaign's (campaign-service does not change it).
    pub currencies: Vec<&'static str>,
    /// "Goal (USD)" when the currency is fixed, else "Goal".
    pub goal_label: String,
    pub problems: Problems,
}

#[derive(Template)]
#[template(path = "campaign_new.html")]
struct StartPage {
    layout: Layout,
    form: CampaignFormView,
}

/// A status move the owner's page offers, as its button reads.
#[derive(Debug)]
struct Move {
    status: &'static str,
    label: &'static str,
}

#[derive(Template)]
#[template(path = "campaign_manage.html")]
struct ManagePage {
    layout: Layout,
    title: String,
    campaign_url: String,
    status: &'static str,
    moves_url: String,
    moves: Vec<Move>,
    /// Why the last move was not made.
    move_problem: Option<String>,
    csrf: String,
    /// None once it can no longer be edited.
    form: Option<CampaignFormView>,
}

#[derive(Debug, Deserialize)]
pub struct StartForm {
    csrf: String,
    key: String,
    /// The button pressed: "draft", else it is published.
    #[serde(default)]
    status: String,
    #[serde(flatten)]
    fields: CampaignFields,
}

#[derive(Debug, Deserialize)]
pub struct EditForm {
    csrf: String,
    version: String,
    was: String,
    #[serde(flatten)]
    fields: CampaignFields,
}

#[derive(Debug, Deserialize)]
pub struct MoveForm {
    csrf: String,
    status: CampaignStatus,
}

/// `GET /campaigns/new`.
pub async fn new_form(viewer: Viewer, csrf: CsrfToken) -> Response {
    if viewer.person().is_none() {
        return sign_in_to("/campaigns/new");
    }
    render(&StartPage {
        layout: Layout::new(&viewer).with_csrf(&csrf),
        form: start_form(
            &csrf,
            Uuid::new_v4(),
            CampaignFields::blank(),
            Problems::default(),
        ),
    })
}

fn start_form(
    csrf: &CsrfToken,
    key: Uuid,
    fields: CampaignFields,
    problems: Problems,
) -> CampaignFormView {
    CampaignFormView {
        action: "/campaigns".to_owned(),
        csrf: csrf.0.clone(),
        key: Some(key.to_string()),
        version: None,
        was: None,
        fields,
        currencies: hearth_core::money::Currency::supported().collect(),
        goal_label: "Goal".to_owned(),
        problems,
    }
}

/// `POST /campaigns`: the new campaign's page, or the form again, as typed
/// and with the same key, beside its problems (422).
pub async fn start(
    State(state): State<AppState>,
    viewer: Viewer,
    csrf: CsrfToken,
    Form(form): Form<StartForm>,
) -> Result<Response, PageError> {
    csrf.check(&form.csrf)?;
    if viewer.person().is_none() {
        return Ok(sign_in_to("/campaigns/new"));
    }
    // A key that is not one the site made means a form that was tampered with.
    let mut key = Uuid::parse_str(&form.key).map_err(|_| PageError::Forbidden)?;
    let status = if form.status == "draft" {
        CampaignStatus::Draft
    } else {
        CampaignStatus::Active
    };
    let problems = match form.fields.new_campaign(status) {
        Err(problems) => problems,
        Ok(campaign) => match state.api.start_campaign(&campaign, key, &viewer).await {
            Ok(made) => return Ok(Redirect::to(&format!("/campaigns/{}", made.id)).into_response()),
            Err(refused) => {
                if matches!(refused, Refused::Invalid(_) | Refused::Conflict(_)) {
                    // The API keeps its refusal under this key: the
                    // corrected form, another body, needs a key of its own.
                    key = Uuid::new_v4();
                }
                refusal(refused)?
            }
        },
    };
    let page = StartPage {
        layout: Layout::new(&viewer).with_csrf(&csrf),
        form: start_form(&csrf, key, form.fields, problems),
    };
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
}

/// The campaign, when the viewer may run it: its recipient, or staff.
async fn owned(state: &AppState, viewer: &Viewer, id: Uuid) -> Result<Campaign, PageError> {
    let person = viewer.person().ok_or(PageError::SignedOut)?;
    let campaign = state.api.campaign(id, viewer).await?;
    if campaign.recipient_id == person.id || person.staff {
        Ok(campaign)
    } else {
        Err(PageError::Forbidden)
    }
}

/// The owner's page of `campaign`, its form filled with `typed` (or the
/// campaign as it is) beside `problems`.
fn manage_page(
    viewer: &Viewer,
    csrf: &CsrfToken,
    campaign: &Campaign,
    edit: Option<(CampaignFields, CampaignFields, Problems)>,
    move_problem: Option<String>,
) -> ManagePage {
    let id = campaign.id;
    let (fields, was, problems) = edit.unwrap_or_else(|| {
        (
            CampaignFields::of(campaign),
            CampaignFields::of(campaign),
            Problems::default(),
        )
    });
    ManagePage {
        layout: Layout::new(viewer).with_csrf(csrf),
        title: campaign.title.clone(),
        campaign_url: format!("/campaigns/{id}"),
        status: campaign.status.label(),
        moves_url: format!("/campaigns/{id}/status"),
        moves: campaign
            .status
            .owner_moves()
            .iter()
            .map(|to| move_button(campaign.status, *to))
            .collect(),
        move_problem,
        csrf: csrf.0.clone(),
        form: campaign.status.is_editable().then(|| CampaignFormView {
            action: format!("/campaigns/{id}/edit"),
            csrf: csrf.0.clone(),
            key: None,
            version: Some(campaign.version),
            was: Some(write_was(&was)),
            fields,
            currencies: Vec::new(),
            goal_label: format!("Goal ({})", campaign.currency),
            problems,
        }),
    }
}

/// A move's button, in words that say what happens.
fn move_button(from: CampaignStatus, to: CampaignStatus) -> Move {
    let (status, label) = match (from, to) {
        (CampaignStatus::Draft, CampaignStatus::Active) => ("active", "Publish"),
        (_, CampaignStatus::Active) => ("active", "Resume donations"),
        (_, CampaignStatus::Paused) => ("paused", "Pause donations"),
        (_, CampaignStatus::Completed) => ("completed", "Mark as completed"),
        (_, CampaignStatus::Cancelled) => ("cancelled", "Cancel the campaign"),
        _ => ("", ""),
    };
    Move { status, label }
}

/// `GET /campaigns/{id}/edit`.
pub async fn manage(
    State(state): State<AppState>,
    viewer: Viewer,
    csrf: CsrfToken,
    Path(raw_id): Path<String>,
) -> Result<Response, PageError> {
    let id = parse_id(&raw_id)?;
    if viewer.person().is_none() {
        return Ok(sign_in_to(&format!("/campaigns/{id}/edit")));
    }
    let campaign = owned(&state, &viewer, id).await?;
    Ok(render(&manage_page(&viewer, &csrf, &campaign, None, None)))
}

/// `POST /campaigns/{id}/edit`: the campaign's page once saved; the form
/// again with its problems (422), or the conflict page when someone else
/// saved first (409).
pub async fn save(
    State(state): State<AppState>,
    viewer: Viewer,
    csrf: CsrfToken,
    Path(raw_id): Path<String>,
    Form(form): Form<EditForm>,
) -> Result<Response, PageError> {
    csrf.check(&form.csrf)?;
    let id = parse_id(&raw_id)?;
    if viewer.person().is_none() {
        return Ok(sign_in_to(&format!("/campaigns/{id}/edit")));
    }
    let version: i32 = form.version.parse().map_err(|_| PageError::Forbidden)?;
    let was: CampaignFields = read_was(&form.was)?;
    let campaign = owned(&state, &viewer, id).await?;
    let problems = match form.fields.changes_from(&was, &campaign.currency) {
        Err(problems) => problems,
        // Nothing changed: nothing to save, and nothing to conflict with.
        Ok(changes) if changes == Default::default() => {
            return Ok(Redirect::to(&format!("/campaigns/{id}")).into_response())
        }
        Ok(changes) => match state
            .api
            .edit_campaign(id, &changes, version, &viewer)
            .await
        {
            Ok(_) => return Ok(Redirect::to(&format!("/campaigns/{id}")).into_response()),
            Err(Refused::Stale) => {
                // Read again: the version saved meanwhile is what to compare.
                let now = owned(&state, &viewer, id).await?;
                return Ok(Conflict {
                    noun: "campaign",
                    title: now.title.clone(),
                    action: format!("/campaigns/{id}/edit"),
                    edit_url: format!("/campaigns/{id}/edit"),
                    theirs: &CampaignFields::of(&now),
                    theirs_version: now.version,
                    yours: &form.fields,
                    was: &was,
                }
                .page(&viewer, &csrf));
            }
            Err(refused) => refusal(refused)?,
        },
    };
    // The form keeps the version it was opened on: a correction is still
    // an edit of that version.
    let mut page = manage_page(
        &viewer,
        &csrf,
        &campaign,
        Some((form.fields, was, problems)),
        None,
    );
    if let Some(form) = page.form.as_mut() {
        form.version = Some(version);
    }
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
}

/// `POST /campaigns/{id}/status`: back to the owner's page, which shows
/// the new status; a move no longer allowed (it moved meanwhile) is said
/// there (409).
pub async fn move_to(
    State(state): State<AppState>,
    viewer: Viewer,
    csrf: CsrfToken,
    Path(raw_id): Path<String>,
    Form(form): Form<MoveForm>,
) -> Result<Response, PageError> {
    csrf.check(&form.csrf)?;
    let id = parse_id(&raw_id)?;
    if viewer.person().is_none() {
        return Ok(sign_in_to(&format!("/campaigns/{id}/edit")));
    }
    // The owner's moves alone; staff suspend from the moderator console.
    if !matches!(
        form.status,
        CampaignStatus::Active
            | CampaignStatus::Paused
            | CampaignStatus::Completed
            | CampaignStatus::Cancelled
    ) {
        return Err(PageError::Forbidden);
    }
    let problem = match state.api.move_campaign(id, form.status, &viewer).await {
        Ok(()) => return Ok(Redirect::to(&format!("/campaigns/{id}/edit")).into_response()),
        Err(Refused::Conflict(_) | Refused::Invalid(_) | Refused::Stale) => {
            "That change is not possible from the campaign's status now; it may have changed meanwhile."
        }
        Err(Refused::Failed(failure)) => return Err(failure.into()),
    };
    let campaign = owned(&state, &viewer, id).await?;
    let page = manage_page(&viewer, &csrf, &campaign, None, Some(problem.to_owned()));
    Ok((StatusCode::CONFLICT, render(&page)).into_response())
}
