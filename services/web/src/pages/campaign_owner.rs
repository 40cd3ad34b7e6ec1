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
use super::conflict::write_was;
use super::errors::PageError;
use super::form::Problems;
use super::owned::{owned, refused_new, Owned, Typed};
use super::{parse_id, render, sign_in_to};
use crate::api::campaigns::{Campaign, CampaignChanges, CampaignStatus};
use crate::api::{Api, Failure, Refused};
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
            Err(refused) => refused_new::<Campaign>(refused, &mut key)?,
        },
    };
    let page = StartPage {
        layout: Layout::new(&viewer).with_csrf(&csrf),
        form: start_form(&csrf, key, form.fields, problems),
    };
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
}

/// The owner's page of `campaign`, its form filled with `typed` (or the
/// campaign as it is) beside its problems.
fn manage_page(
    viewer: &Viewer,
    csrf: &CsrfToken,
    campaign: &Campaign,
    typed: Option<Typed<CampaignFields>>,
    move_problem: Option<String>,
) -> ManagePage {
    let id = campaign.id;
    let Typed {
        fields,
        was,
        version,
        problems,
    } = typed.unwrap_or_else(|| Typed {
        fields: CampaignFields::of(campaign),
        was: CampaignFields::of(campaign),
        version: campaign.version,
        problems: Problems::default(),
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
            version: Some(version),
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
        Err(Refused::Conflict(_) | Refused::NotEligible(_) | Refused::Invalid(_) | Refused::Stale) => {
            "That change is not possible from the campaign's status now; it may have changed meanwhile."
        }
        Err(Refused::Failed(failure)) => return Err(failure.into()),
    };
    let campaign: Campaign = owned(&state, &viewer, id).await?;
    let page = campaign.manage_page(&viewer, &csrf, None, Some(problem.to_owned()));
    Ok((StatusCode::CONFLICT, page).into_response())
}

impl Owned for Campaign {
    type Fields = CampaignFields;
    type Changes = CampaignChanges;
    const NOUN: &'static str = "campaign";
    const PATH: &'static str = "/campaigns";

    fn title(&self) -> &str {
        &self.title
    }

    fn version(&self) -> i32 {
        self.version
    }

    fn owner(&self) -> Uuid {
        self.recipient_id
    }

    fn fields(&self) -> CampaignFields {
        CampaignFields::of(self)
    }

    /// The goal is read in the campaign's currency.
    fn changes(
        &self,
        typed: &CampaignFields,
        was: &CampaignFields,
    ) -> Result<CampaignChanges, Problems> {
        typed.changes_from(was, &self.currency)
    }

    fn refusal(refused: Refused) -> Result<Problems, PageError> {
        refusal(refused)
    }

    async fn read(api: &Api, id: Uuid, viewer: &Viewer) -> Result<Self, Failure> {
        api.campaign(id, viewer).await
    }

    async fn edit(
        api: &Api,
        id: Uuid,
        changes: &CampaignChanges,
        version: i32,
        viewer: &Viewer,
    ) -> Result<(), Refused> {
        api.edit_campaign(id, changes, version, viewer)
            .await
            .map(|_| ())
    }

    fn manage_page(
        &self,
        viewer: &Viewer,
        csrf: &CsrfToken,
        typed: Option<Typed<CampaignFields>>,
        problem: Option<String>,
    ) -> Response {
        render(&manage_page(viewer, csrf, self, typed, problem))
    }
}
