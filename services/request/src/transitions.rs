//! Every status move of a request with the event it emits, applied inside the
//! caller's transaction so that the change and its event commit together. The
//! state machine (`domain::Status::change_to`) decides what callers may do;
//! the saga and the sweeper make their own moves from `open`.

use hearth_bus::outbox;
use hearth_events::request::{RequestFulfilled, RequestStatusChanged};
use hearth_events::EventContext;
use sqlx::PgConnection;

use crate::db;
use crate::domain::{Request, Status, StatusChange};
use crate::SERVICE;

/// Applies `change` and emits `request.status_changed`.
#[tracing::instrument(err, skip(conn, request, context), fields(request_id = %request.id))]
pub async fn change_status(
    conn: &mut PgConnection,
    request: &Request,
    change: StatusChange,
    reason: Option<String>,
    context: &EventContext,
) -> sqlx::Result<Request> {
    let updated = db::apply_status(conn, request.id, &change).await?;
    let event = RequestStatusChanged {
        request_id: updated.id,
        requester_id: updated.requester_id,
        from: change.from.to_string(),
        to: change.to.to_string(),
        title: Some(updated.title.clone()),
        reason,
    };
    outbox::emit(conn, SERVICE.name, event, context).await?;
    Ok(updated)
}

/// Fulfils an open request whose received items reached `quantity_needed`:
/// `request.fulfilled`, once, and its `request.status_changed`. `None` if it
/// is not open or not yet complete.
#[tracing::instrument(err, skip(conn, request, context), fields(request_id = %request.id))]
pub async fn fulfil_if_complete(
    conn: &mut PgConnection,
    request: &Request,
    context: &EventContext,
) -> sqlx::Result<Option<Request>> {
    if request.quantity_fulfilled < request.quantity_needed {
        return Ok(None);
    }
    let Some(change) = request.status.move_from_open(Status::Fulfilled) else {
        return Ok(None);
    };
    let fulfilled = change_status(conn, request, change, None, context).await?;
    let event = RequestFulfilled {
        request_id: fulfilled.id,
        requester_id: fulfilled.requester_id,
        title: fulfilled.title.clone(),
    };
    outbox::emit(conn, SERVICE.name, event, context).await?;
    Ok(Some(fulfilled))
}

/// `needed_by` passed while the request was open.
#[tracing::instrument(err, skip(conn, request, context), fields(request_id = %request.id))]
pub async fn expire(
    conn: &mut PgConnection,
    request: &Request,
    context: &EventContext,
) -> sqlx::Result<Option<Request>> {
    let Some(change) = request.status.move_from_open(Status::Expired) else {
        return Ok(None);
    };
    let reason = Some("needed_by has passed".to_owned());
    change_status(conn, request, change, reason, context)
        .await
        .map(Some)
}
