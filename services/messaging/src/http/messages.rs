//! `/messages` and `/conversations`: messages between two people. Only the two
//! parties ever see a message; for anyone else it does not exist (404).

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::Json;
use hearth_bus::unit_of_work::UnitOfWork;
use hearth_core::auth::Caller;
use hearth_core::error::Problem;
use hearth_core::extract::{ApiJson, ApiPath, ApiQuery};
use hearth_core::idempotency::Claim;
use hearth_core::pagination::{Cursor, CursorText, Page, PageQuery};
use hearth_core::request_context::RequestContext;
use hearth_core::{ApiError, ApiResult};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::AppState;
use crate::domain::{ContextType, Conversation, Message, NewMessage, SendMessage};
use crate::donation_service::Unavailable;
use crate::{db, transitions};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(send_message))
        .routes(routes!(read_message))
        .routes(routes!(list_conversations))
        .routes(routes!(list_thread))
}

/// Send a message
///
/// To anyone but yourself. With a `donation` context, sender and recipient
/// must be that donation's donor and recipient: messaging-service asks
/// donation-service, and answers 409 `not_eligible` when they are not, or 503
/// `dependency_unavailable` when donation-service cannot answer. The recipient
/// of an anonymous donation may write about it only once its donor has
/// written to them about it; before, the same 409 `not_eligible`, whoever
/// they write to. Emits `message.sent`.
#[utoipa::path(
    post, path = "/messages", tag = "messages",
    request_body = SendMessage,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Sent", body = Message),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Your account is suspended", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`not_eligible`: not this donation's donor and recipient, or its recipient before an anonymous donor wrote", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "donation-service cannot answer; with Retry-After", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn send_message(
    State(state): State<AppState>,
    caller: Caller,
    context: RequestContext,
    claim: Claim,
    ApiJson(body): ApiJson<SendMessage>,
) -> ApiResult<impl IntoResponse> {
    // An earlier run of this very request sent it; its answer was lost.
    if let Some(message) = claim
        .created_before(|id| db::find_message(&state.db, id))
        .await?
    {
        return Ok(sent(message));
    }
    let new = body.parse(&caller)?;
    check_donation_context(&state, &new).await?;
    let mut tx = UnitOfWork::begin(&state.db, &state.waker).await?;
    let message =
        transitions::send(&mut tx, claim.resource_id(), &new, &context.event_context()).await?;
    tx.commit().await?;
    Ok(sent(message))
}

/// `201` with the message. A message never changes but for `read_at`: no
/// version, no ETag.
fn sent(message: Message) -> impl IntoResponse {
    let location = format!("/conversations/{}/messages", message.recipient_id);
    (
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(message),
    )
}

/// The one synchronous check (docs/events.md): only a donation's donor and recipient
/// talk about it, and the recipient of an anonymous donation only answers
/// ([`crate::donation_service::Parties::may_write`]). Every refusal is the same 409, so that it cannot
/// tell a recipient whether a guess at their anonymous donor was right. Done
/// before the transaction, so no connection waits on it.
async fn check_donation_context(state: &AppState, new: &NewMessage) -> ApiResult<()> {
    let Some(context) = new.context.filter(|c| c.kind == ContextType::Donation) else {
        return Ok(());
    };
    let parties = state.donations.parties(context.id).await.map_err(|err| {
        tracing::warn!(error = %err, "the donation-context check could not be made");
        match err {
            Unavailable::CircuitOpen => ApiError::dependency_unavailable(
                "donation-service is failing; try again in a few seconds",
            ),
            Unavailable::Failed(_) => {
                ApiError::dependency_unavailable("donation-service did not answer in time")
            }
        }
    })?;
    let allowed = match parties {
        Some(parties) => {
            // Asked of the real donor, not of whom the message is to: the
            // same question whoever the sender guesses.
            let donor_wrote = match parties.donor_id {
                Some(donor) => {
                    db::has_written_about(&state.db, donor, new.sender_id, context).await?
                }
                None => false,
            };
            parties.may_write(new.sender_id, new.recipient_id, donor_wrote)
        }
        None => false,
    };
    if !allowed {
        return Err(ApiError::not_eligible(
            "only a donation's donor and recipient message each other about it",
        ));
    }
    Ok(())
}

/// Mark a message read
///
/// Its recipient; the first time counts. The sender gets a 403, anyone else a 404.
#[utoipa::path(
    post, path = "/messages/{id}/read", tag = "messages",
    params(("id" = Uuid, Path)),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The message, read", body = Message),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "You sent it: only its recipient reads it", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such message, or not yours", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn read_message(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<Message>> {
    let mut tx = UnitOfWork::begin(&state.db, &state.waker).await?;
    let message = db::find_message(&mut *tx, id)
        .await?
        .filter(|m| m.is_party(&caller))
        .ok_or_else(ApiError::not_found)?;
    if message.recipient_id != caller.id {
        return Err(ApiError::forbidden(
            "only its recipient marks a message read",
        ));
    }
    let message = db::mark_message_read(&mut tx, &message).await?;
    tx.commit().await?;
    Ok(Json(message))
}

#[derive(ToSchema)]
#[allow(dead_code)]
struct ConversationPage {
    items: Vec<Conversation>,
    #[schema(inline, value_type = Option<CursorText>)]
    next_cursor: Option<String>,
}

#[derive(ToSchema)]
#[allow(dead_code)]
struct MessagePage {
    items: Vec<Message>,
    #[schema(inline, value_type = Option<CursorText>)]
    next_cursor: Option<String>,
}

fn message_cursor(m: &Message) -> Cursor {
    Cursor {
        created_at: m.created_at,
        id: m.id,
    }
}

/// Your conversations
///
/// One per person you exchanged messages with: the last message and how many
/// to you are unread. Most recent first.
#[utoipa::path(
    get, path = "/conversations", tag = "messages",
    params(PageQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of conversations", body = ConversationPage),
        (status = 400, description = "A query parameter does not parse", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn list_conversations(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> ApiResult<Json<Page<Conversation>>> {
    let page = query.request()?;
    let rows = db::list_conversations(&state.db, caller.id, &page).await?;
    Ok(Json(Page::from_rows(rows, &page, |c| {
        message_cursor(&c.last_message)
    })))
}

/// Messages with one person
///
/// Between you and `user_id`, newest first. Nobody else's messages are ever here.
#[utoipa::path(
    get, path = "/conversations/{user_id}/messages", tag = "messages",
    params(("user_id" = Uuid, Path), PageQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of messages", body = MessagePage),
        (status = 400, description = "A query parameter does not parse", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn list_thread(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(user_id): ApiPath<Uuid>,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> ApiResult<Json<Page<Message>>> {
    let page = query.request()?;
    let rows = db::list_thread(&state.db, caller.id, user_id, &page).await?;
    Ok(Json(Page::from_rows(rows, &page, message_cursor)))
}
