//! Running a request: posting one (`/requests/new`), and its owner's page
//! (`/requests/{id}/edit`): closing it as fulfilled or cancelled while it
//! is open, and the edit form, sent with `If-Match` like a campaign's
//! ([`super::conflict`]). The quantity needed never goes below what is
//! pledged plus received: the field says so, and request-service's 422
//! says it beside the field when it happens.
//!
//! The pages are the requester's and staff's; anyone else meets the 403
//! page, and a visitor is sent to sign in.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;
use uuid::Uuid;

use super::conflict::write_was;
use super::errors::PageError;
use super::form::Problems;
use super::owned::{owned, refused_new, Owned, Typed};
use super::request_form::{refusal, RequestFields};
use super::{parse_id, render, sign_in_to};
use crate::api::requests::{Closing, Request, RequestChanges, RequestStatus};
use crate::api::{Api, Failure, Refused};
use crate::csrf::CsrfToken;
use crate::layout::Layout;
use crate::session::Viewer;
use crate::AppState;

/// What the request form template shows, to post or to edit.
#[derive(Debug)]
pub struct RequestFormView {
    pub action: String,
    pub csrf: String,
    /// Posting: the `Idempotency-Key` this form sends.
    pub key: Option<String>,
    /// Editing: the version it edits, and that version's fields.
    pub version: Option<i32>,
    pub was: Option<String>,
    pub fields: RequestFields,
    /// Editing: "At least 3: already pledged or received."
    pub quantity_hint: String,
    pub problems: Problems,
}

#[derive(Template)]
#[template(path = "request_new.html")]
struct PostPage {
    layout: Layout,
    form: RequestFormView,
}

#[derive(Template)]
#[template(path = "request_manage.html")]
struct ManagePage {
    layout: Layout,
    title: String,
    request_url: String,
    status: &'static str,
    needed: i64,
    pledged: i64,
    fulfilled: i64,
    close_url: String,
    /// Only an open request is closed or edited.
    open: bool,
    close_problem: Option<String>,
    csrf: String,
    form: Option<RequestFormView>,
}

#[derive(Debug, Deserialize)]
pub struct PostForm {
    csrf: String,
    key: String,
    #[serde(flatten)]
    fields: RequestFields,
}

#[derive(Debug, Deserialize)]
pub struct CloseForm {
    csrf: String,
    status: Closing,
}

fn post_form(
    csrf: &CsrfToken,
    key: Uuid,
    fields: RequestFields,
    problems: Problems,
) -> RequestFormView {
    RequestFormView {
        action: "/requests".to_owned(),
        csrf: csrf.0.clone(),
        key: Some(key.to_string()),
        version: None,
        was: None,
        fields,
        quantity_hint: "How many items, from 1 to 10,000.".to_owned(),
        problems,
    }
}

/// `GET /requests/new`.
pub async fn new_form(viewer: Viewer, csrf: CsrfToken) -> Response {
    if viewer.person().is_none() {
        return sign_in_to("/requests/new");
    }
    render(&PostPage {
        layout: Layout::new(&viewer).with_csrf(&csrf),
        form: post_form(
            &csrf,
            Uuid::new_v4(),
            RequestFields::default(),
            Problems::default(),
        ),
    })
}

/// `POST /requests`: the new request's page, or the form again, as typed
/// and with the same key, beside its problems (422).
pub async fn post(
    State(state): State<AppState>,
    viewer: Viewer,
    csrf: CsrfToken,
    Form(form): Form<PostForm>,
) -> Result<Response, PageError> {
    csrf.check(&form.csrf)?;
    if viewer.person().is_none() {
        return Ok(sign_in_to("/requests/new"));
    }
    let mut key = Uuid::parse_str(&form.key).map_err(|_| PageError::Forbidden)?;
    let problems = match form.fields.new_request() {
        Err(problems) => problems,
        Ok(request) => match state.api.post_request(&request, key, &viewer).await {
            Ok(made) => return Ok(Redirect::to(&format!("/requests/{}", made.id)).into_response()),
            Err(refused) => refused_new::<Request>(refused, &mut key)?,
        },
    };
    let page = PostPage {
        layout: Layout::new(&viewer).with_csrf(&csrf),
        form: post_form(&csrf, key, form.fields, problems),
    };
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
}

/// The owner's page of `request`, its form filled with `typed` (or the
/// request as it is) beside its problems.
fn manage_page(
    viewer: &Viewer,
    csrf: &CsrfToken,
    request: &Request,
    typed: Option<Typed<RequestFields>>,
    close_problem: Option<String>,
) -> ManagePage {
    let id = request.id;
    let open = request.status == RequestStatus::Open;
    let Typed {
        fields,
        was,
        version,
        problems,
    } = typed.unwrap_or_else(|| Typed {
        fields: RequestFields::of(request),
        was: RequestFields::of(request),
        version: request.version,
        problems: Problems::default(),
    });
    let committed = request.committed();
    ManagePage {
        layout: Layout::new(viewer).with_csrf(csrf),
        title: request.title.clone(),
        request_url: format!("/requests/{id}"),
        status: request.status.label(),
        needed: request.quantity_needed,
        pledged: request.quantity_pledged,
        fulfilled: request.quantity_fulfilled,
        close_url: format!("/requests/{id}/close"),
        open,
        close_problem,
        csrf: csrf.0.clone(),
        form: open.then(|| RequestFormView {
            action: format!("/requests/{id}/edit"),
            csrf: csrf.0.clone(),
            key: None,
            version: Some(version),
            was: Some(write_was(&was)),
            fields,
            quantity_hint: format!(
                "At least {committed}: {} pledged and {} received so far cannot be taken back.",
                request.quantity_pledged, request.quantity_fulfilled
            ),
            problems,
        }),
    }
}

/// `POST /requests/{id}/close`: back to the owner's page; a request no
/// longer open is said there (409).
pub async fn close(
    State(state): State<AppState>,
    viewer: Viewer,
    csrf: CsrfToken,
    Path(raw_id): Path<String>,
    Form(form): Form<CloseForm>,
) -> Result<Response, PageError> {
    csrf.check(&form.csrf)?;
    let id = parse_id(&raw_id)?;
    if viewer.person().is_none() {
        return Ok(sign_in_to(&format!("/requests/{id}/edit")));
    }
    match state.api.close_request(id, form.status, &viewer).await {
        Ok(()) => Ok(Redirect::to(&format!("/requests/{id}/edit")).into_response()),
        Err(
            Refused::Conflict(_) | Refused::NotEligible(_) | Refused::Invalid(_) | Refused::Stale,
        ) => {
            let request: Request = owned(&state, &viewer, id).await?;
            let problem = "The request is no longer open, so it cannot be closed.".to_owned();
            let page = request.manage_page(&viewer, &csrf, None, Some(problem));
            Ok((StatusCode::CONFLICT, page).into_response())
        }
        Err(Refused::Failed(failure)) => Err(failure.into()),
    }
}

impl Owned for Request {
    type Fields = RequestFields;
    type Changes = RequestChanges;
    const NOUN: &'static str = "request";
    const PATH: &'static str = "/requests";

    fn title(&self) -> &str {
        &self.title
    }

    fn version(&self) -> i32 {
        self.version
    }

    fn owner(&self) -> Uuid {
        self.requester_id
    }

    fn fields(&self) -> RequestFields {
        RequestFields::of(self)
    }

    fn changes(
        &self,
        typed: &RequestFields,
        was: &RequestFields,
    ) -> Result<RequestChanges, Problems> {
        typed.changes_from(was)
    }

    fn refusal(refused: Refused) -> Result<Problems, PageError> {
        refusal(refused)
    }

    async fn read(api: &Api, id: Uuid, viewer: &Viewer) -> Result<Self, Failure> {
        api.request(id, viewer).await
    }

    async fn edit(
        api: &Api,
        id: Uuid,
        changes: &RequestChanges,
        version: i32,
        viewer: &Viewer,
    ) -> Result<(), Refused> {
        api.edit_request(id, changes, version, viewer)
            .await
            .map(|_| ())
    }

    fn manage_page(
        &self,
        viewer: &Viewer,
        csrf: &CsrfToken,
        typed: Option<Typed<RequestFields>>,
        problem: Option<String>,
    ) -> Response {
        render(&manage_page(viewer, csrf, self, typed, problem))
    }
}
