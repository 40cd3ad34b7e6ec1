//! What the owner's pages of a campaign and of a request share: who may
//! open them, the edit form's round trip (sent with `If-Match`; the
//! conflict page when someone else saved first, [`super::conflict`]; the
//! form again beside its problems), a refused new one's fresh key, and
//! the share, manage and report links of the thing's own page ([`Links`]).
//! Each kind says how it is read, edited and shown ([`Owned`]); the
//! handlers here are the same for both.

use std::future::Future;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;
use uuid::Uuid;

use super::conflict::{read_was, Conflict, Edited};
use super::errors::PageError;
use super::form::Problems;
use super::shared::report_url;
use super::{parse_id, sign_in_to};
use crate::api::{Api, Failure, Refused};
use crate::csrf::CsrfToken;
use crate::session::Viewer;
use crate::AppState;

/// A campaign or a request, as its owner's pages run it.
pub trait Owned: Sized + Send + Sync {
    /// Its form's fields, as typed.
    type Fields: Edited + Send + Sync;
    /// What an edit sends: only what changed.
    type Changes: Default + PartialEq + Send + Sync;
    /// `campaign`, as the conflict page names it.
    const NOUN: &'static str;
    /// `/campaigns`: where its pages are.
    const PATH: &'static str;

    fn title(&self) -> &str;
    fn version(&self) -> i32;
    /// Who runs it beside staff: a campaign's recipient, a request's requester.
    fn owner(&self) -> Uuid;
    /// Its form, filled as it is.
    fn fields(&self) -> Self::Fields;
    /// What `typed` changes from `was` (the version the form was opened on).
    fn changes(&self, typed: &Self::Fields, was: &Self::Fields) -> Result<Self::Changes, Problems>;
    /// Its service's refusal of the form, beside the fields.
    fn refusal(refused: Refused) -> Result<Problems, PageError>;
    fn read(
        api: &Api,
        id: Uuid,
        viewer: &Viewer,
    ) -> impl Future<Output = Result<Self, Failure>> + Send;
    fn edit(
        api: &Api,
        id: Uuid,
        changes: &Self::Changes,
        version: i32,
        viewer: &Viewer,
    ) -> impl Future<Output = Result<(), Refused>> + Send;
    /// The owner's page, its form filled with `typed` (else as it is now),
    /// and `problem` (why a move was not made) said.
    fn manage_page(
        &self,
        viewer: &Viewer,
        csrf: &CsrfToken,
        typed: Option<Typed<Self::Fields>>,
        problem: Option<String>,
    ) -> Response;
}

/// An edit form as it was sent back, to show again beside its problems.
#[derive(Debug)]
pub struct Typed<F> {
    pub fields: F,
    /// The fields of the version the form was opened on.
    pub was: F,
    /// That version: a correction is still an edit of it.
    pub version: i32,
    pub problems: Problems,
}

#[derive(Debug, Deserialize)]
pub struct EditForm<F> {
    csrf: String,
    version: String,
    was: String,
    #[serde(flatten)]
    fields: F,
}

/// The page of the `K` with `id`.
pub fn page_url<K: Owned>(id: Uuid) -> String {
    format!("{}/{id}", K::PATH)
}

/// Its owner's page.
pub fn edit_url<K: Owned>(id: Uuid) -> String {
    format!("{}/{id}/edit", K::PATH)
}

/// The links a campaign's or a request's own page offers its viewer.
#[derive(Debug)]
pub struct Links {
    /// The page's address for people to share.
    pub share: String,
    /// Where signing in comes back to: the page.
    pub sign_in_next: String,
    /// Its owner's page, for its owner and staff.
    pub manage: Option<String>,
    /// "Report this campaign", to anyone but its owner.
    pub report: Option<String>,
}

impl Links {
    /// The links of the page of the `K` with `id`, run by `owner`.
    pub fn of<K: Owned>(
        state: &AppState,
        headers: &HeaderMap,
        viewer: &Viewer,
        id: Uuid,
        owner: Uuid,
    ) -> Self {
        let page = page_url::<K>(id);
        Self {
            share: share_url(state.public_url.as_ref(), headers, &page),
            sign_in_next: page,
            manage: viewer
                .person()
                .filter(|p| p.id == owner || p.staff)
                .map(|_| edit_url::<K>(id)),
            report: report_url(K::NOUN, id, owner, viewer),
        }
    }
}

/// The `K` with `id`, when the viewer may run it: its owner, or staff.
pub async fn owned<K: Owned>(state: &AppState, viewer: &Viewer, id: Uuid) -> Result<K, PageError> {
    let person = viewer.person().ok_or(PageError::SignedOut)?;
    let resource = K::read(&state.api, id, viewer).await?;
    if resource.owner() == person.id || person.staff {
        Ok(resource)
    } else {
        Err(PageError::Forbidden)
    }
}

/// The problems of a new one's refused form. The API keeps a refusal of
/// what was sent under the form's `Idempotency-Key`: the corrected form,
/// another body, needs a key of its own.
pub fn refused_new<K: Owned>(refused: Refused, key: &mut Uuid) -> Result<Problems, PageError> {
    if matches!(
        refused,
        Refused::Invalid(_) | Refused::Conflict(_) | Refused::NotEligible(_)
    ) {
        *key = Uuid::new_v4();
    }
    K::refusal(refused)
}

/// `GET /campaigns/{id}/edit`, `GET /requests/{id}/edit`.
pub async fn manage<K: Owned>(
    State(state): State<AppState>,
    viewer: Viewer,
    csrf: CsrfToken,
    Path(raw_id): Path<String>,
) -> Result<Response, PageError> {
    let id = parse_id(&raw_id)?;
    if viewer.person().is_none() {
        return Ok(sign_in_to(&edit_url::<K>(id)));
    }
    let resource: K = owned(&state, &viewer, id).await?;
    Ok(resource.manage_page(&viewer, &csrf, None, None))
}

/// `POST /campaigns/{id}/edit`, `POST /requests/{id}/edit`: its page once
/// saved; the form again with its problems (422), or the conflict page
/// when someone else saved first (409).
pub async fn save<K: Owned>(
    State(state): State<AppState>,
    viewer: Viewer,
    csrf: CsrfToken,
    Path(raw_id): Path<String>,
    Form(form): Form<EditForm<K::Fields>>,
) -> Result<Response, PageError> {
    csrf.check(&form.csrf)?;
    let id = parse_id(&raw_id)?;
    if viewer.person().is_none() {
        return Ok(sign_in_to(&edit_url::<K>(id)));
    }
    let version: i32 = form.version.parse().map_err(|_| PageError::Forbidden)?;
    let was: K::Fields = read_was(&form.was)?;
    let resource: K = owned(&state, &viewer, id).await?;
    let problems = match resource.changes(&form.fields, &was) {
        Err(problems) => problems,
        // Nothing changed: nothing to save, and nothing to conflict with.
        Ok(changes) if changes == K::Changes::default() => {
            return Ok(Redirect::to(&page_url::<K>(id)).into_response())
        }
        Ok(changes) => match K::edit(&state.api, id, &changes, version, &viewer).await {
            Ok(()) => return Ok(Redirect::to(&page_url::<K>(id)).into_response()),
            Err(Refused::Stale) => {
                // Read again: the version saved meanwhile is what to compare.
                let now: K = owned(&state, &viewer, id).await?;
                return Ok(Conflict {
                    noun: K::NOUN,
                    title: now.title().to_owned(),
                    action: edit_url::<K>(id),
                    edit_url: edit_url::<K>(id),
                    theirs: &now.fields(),
                    theirs_version: now.version(),
                    yours: &form.fields,
                    was: &was,
                }
                .page(&viewer, &csrf));
            }
            Err(refused) => K::refusal(refused)?,
        },
    };
    let typed = Typed {
        fields: form.fields,
        was,
        version,
        problems,
    };
    let page = resource.manage_page(&viewer, &csrf, Some(typed), None);
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

/// The address to share: this page's own URL at `WEB_PUBLIC_URL`, else on
/// the host it was asked on.
pub fn share_url(public_url: Option<&url::Url>, headers: &HeaderMap, path: &str) -> String {
    if let Some(base) = public_url {
        return format!("{}{path}", base.as_str().trim_end_matches('/'));
    }
    let host = headers
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            h.chars()
                .all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c))
        });
    match host {
        Some(host) => format!("http://{host}{path}"),
        None => path.to_owned(),
    }
}
