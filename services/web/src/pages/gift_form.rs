//! What the donate form ([`super::give`]) and the pledge form
//! ([`super::pledge`]) do alike when sent: the same checks before anything
//! is given, the same single donation per `Idempotency-Key`, and the same
//! answers to the API's refusals. Each kind says only what differs: its
//! fields, how they are checked, and how its form is shown again.

use std::future::Future;

use axum::response::{IntoResponse, Redirect, Response};
use uuid::Uuid;

use super::errors::PageError;
use super::parse_id;
use crate::api::donations::NewGift;
use crate::api::{FieldError, Refused};
use crate::csrf::CsrfToken;
use crate::session::Viewer;
use crate::AppState;

/// A gift form as sent: money to a campaign, or items to a request.
pub trait GiftForm: Sync {
    /// What donation-service is sent.
    type Gift: NewGift;
    /// Where the form lives, `/{TARGET}/{id}`: "campaigns" or "requests".
    const TARGET: &'static str;
    /// The gift's name in a sentence: "donation" or "pledge".
    const GIFT: &'static str;
    /// Said when the API refused the form without saying which field.
    const NOT_ACCEPTED: &'static str;
    /// The API's field names in the form's words; any other keeps its name.
    const LABELS: &'static [(&'static str, &'static str)];

    /// The form's CSRF token.
    fn csrf(&self) -> &str;
    /// The form's `Idempotency-Key`, as sent.
    fn key(&self) -> &str;
    /// The gift to `target_id`, or what is wrong with the form as typed.
    fn gift(&self, target_id: Uuid) -> Result<Self::Gift, Vec<String>>;
    /// The form again, as typed, with its problems (422) and the same key:
    /// the corrected form is still the same gift.
    fn again(
        &self,
        state: &AppState,
        viewer: &Viewer,
        csrf: &CsrfToken,
        target_id: Uuid,
        key: Uuid,
        errors: Vec<String>,
    ) -> impl Future<Output = Result<Response, PageError>> + Send;
}

/// Sends `form` to the thing at `/{TARGET}/{raw_id}`: the gift's own page
/// when it was made, else the form again with what was wrong.
pub async fn submit<F: GiftForm>(
    state: &AppState,
    viewer: &Viewer,
    csrf: &CsrfToken,
    raw_id: &str,
    form: &F,
) -> Result<Response, PageError> {
    csrf.check(form.csrf())?;
    let target_id = parse_id(raw_id)?;
    if viewer.person().is_none() {
        let next = format!("/sign-in?next=/{}/{target_id}", F::TARGET);
        return Ok(Redirect::to(&next).into_response());
    }
    // A key that is not one the site made means a form that was tampered with.
    let key = Uuid::parse_str(form.key()).map_err(|_| PageError::Forbidden)?;
    let gift = match form.gift(target_id) {
        Ok(gift) => gift,
        Err(problems) => {
            return form
                .again(state, viewer, csrf, target_id, key, problems)
                .await
        }
    };
    let problems = match state.api.give(&gift, key, viewer).await {
        Ok(given) => return Ok(Redirect::to(&format!("/donations/{}", given.id)).into_response()),
        Err(Refused::Invalid(errors)) => field_messages::<F>(&errors),
        Err(Refused::Conflict(detail)) if detail.is_empty() => {
            vec![format!("This {} cannot be made now.", F::GIFT)]
        }
        Err(Refused::Conflict(detail) | Refused::NotEligible(detail)) => vec![detail],
        Err(Refused::Failed(failure)) => return Err(failure.into()),
    };
    form.again(state, viewer, csrf, target_id, key, problems)
        .await
}

/// The API's 422 `errors[]`, in the form's words.
fn field_messages<F: GiftForm>(errors: &[FieldError]) -> Vec<String> {
    if errors.is_empty() {
        return vec![F::NOT_ACCEPTED.to_owned()];
    }
    errors
        .iter()
        .map(|e| {
            let label = F::LABELS
                .iter()
                .find(|(field, _)| *field == e.field)
                .map_or(e.field.as_str(), |(_, label)| label);
            format!("{label}: {}.", e.message)
        })
        .collect()
}
