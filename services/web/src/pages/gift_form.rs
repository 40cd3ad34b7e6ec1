//! What the donate form ([`super::give`]) and the pledge form
//! ([`super::pledge`]) do alike when sent: the same checks before anything
//! is given, the same single donation per `Idempotency-Key`, and the same
//! answers to the API's refusals. Each kind says only what differs: its
//! fields, how they are checked, and how its form is shown again.

use std::future::Future;

use axum::response::{IntoResponse, Redirect, Response};
use uuid::Uuid;

use super::errors::PageError;
use super::form::{Field, Problems};
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
    /// The form's fields, by the API's names and the form's labels; a
    /// field the API names and the form has not keeps its API name.
    const FIELDS: &'static [Field];

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
    let answer = state.api.give(&gift, key, viewer).await;
    // donation-service keeps a refusal under its key: the corrected form,
    // another body, needs a key of its own, or it is `idempotency_key_reused`.
    let key = match answer {
        Err(Refused::Invalid(_) | Refused::Conflict(_)) => Uuid::new_v4(),
        _ => key,
    };
    let problems = match answer {
        Ok(given) => return Ok(Redirect::to(&format!("/donations/{}", given.id)).into_response()),
        Err(Refused::Invalid(errors)) => field_messages::<F>(&errors),
        Err(Refused::Conflict(detail)) if detail.is_empty() => {
            vec![format!("This {} cannot be made now.", F::GIFT)]
        }
        Err(Refused::Conflict(detail)) => vec![detail],
        Err(Refused::Failed(failure)) => return Err(failure.into()),
        // A create sends no version: never stale.
        Err(Refused::Stale) => return Err(PageError::Internal),
    };
    form.again(state, viewer, csrf, target_id, key, problems)
        .await
}

/// The API's 422 `errors[]`, in the form's words.
fn field_messages<F: GiftForm>(errors: &[FieldError]) -> Vec<String> {
    let mut problems = Problems::default();
    problems.add_api(errors, F::FIELDS, F::NOT_ACCEPTED);
    problems.messages()
}
