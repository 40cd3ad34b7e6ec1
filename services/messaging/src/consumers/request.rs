//! Notifications about requests for items (docs/events.md, "Notifications").

use hearth_events::request::{RequestDonationAccepted, RequestFulfilled, RequestStatusChanged};
use hearth_events::Envelope;

use crate::domain::wording::{giver, items, moderated, nameable, quoted};
use crate::domain::{Link, NewNotification};

/// The donor `donation_accepted` may name.
pub fn donor_of(r: &RequestDonationAccepted) -> Option<uuid::Uuid> {
    nameable(r.anonymous, r.donor_id)
}

/// `request.donation_accepted` → the requester: items were pledged, by the
/// donor's display name when they may be named and it is known, else "someone".
pub fn donation_accepted(
    event: &Envelope<RequestDonationAccepted>,
    name: Option<&str>,
) -> Vec<NewNotification> {
    let r = &event.data;
    vec![NewNotification::about(
        event,
        r.recipient_id,
        Link::to("request", r.request_id),
        "Items were pledged",
        format!(
            "{} pledged {} to {}.",
            giver(r.anonymous, name),
            items(r.quantity),
            quoted(&r.title)
        ),
    )]
}

/// `request.status_changed` → the requester, when staff suspended the request
/// or lifted the suspension, as for campaigns.
pub fn status_changed(event: &Envelope<RequestStatusChanged>) -> Vec<NewNotification> {
    let r = &event.data;
    let title = r.title.as_deref().unwrap_or("your request");
    moderated(&r.from, &r.to, r.reason.as_deref(), "request", title)
        .map(|(heading, body)| {
            NewNotification::about(
                event,
                r.requester_id,
                Link::to("request", r.request_id),
                &heading,
                body,
            )
        })
        .into_iter()
        .collect()
}

/// `request.fulfilled` → the requester.
pub fn fulfilled(event: &Envelope<RequestFulfilled>) -> Vec<NewNotification> {
    let r = &event.data;
    vec![NewNotification::about(
        event,
        r.requester_id,
        Link::to("request", r.request_id),
        "Your request is fulfilled",
        format!("{} has received every item it needed.", quoted(&r.title)),
    )]
}

#[cfg(test)]
mod tests {
    use super::*;
    use hearth_events::EventContext;
    use uuid::Uuid;

    #[test]
    fn the_requester_hears_someone_pledged() {
        let event = Envelope::new(
            "request",
            RequestDonationAccepted {
                donation_id: Uuid::now_v7(),
                request_id: Uuid::now_v7(),
                recipient_id: Uuid::new_v4(),
                title: "Winter coats".into(),
                quantity: 3,
                donor_id: Some(Uuid::new_v4()),
                anonymous: Some(true),
            },
            &EventContext::default(),
        );
        assert_eq!(donor_of(&event.data), None, "anonymous: not looked up");
        let notes = donation_accepted(&event, None);
        assert_eq!(notes.len(), 1);
        assert_eq!(notes[0].user_id, event.data.recipient_id);
        assert_eq!(notes[0].kind, "request.donation_accepted");
        assert_eq!(notes[0].title, "Items were pledged");
        assert_eq!(
            notes[0].body,
            "Someone pledged 3 items to \u{201c}Winter coats\u{201d}."
        );
        assert_eq!(notes[0].link, Link::to("request", event.data.request_id));
        assert_eq!(notes[0].source_event_id, event.id);
    }

    #[test]
    fn the_requester_hears_the_request_is_fulfilled() {
        let event = Envelope::new(
            "request",
            RequestFulfilled {
                request_id: Uuid::now_v7(),
                requester_id: Uuid::new_v4(),
                title: "Winter coats".into(),
            },
            &EventContext::default(),
        );
        let notes = fulfilled(&event);
        assert_eq!(notes[0].user_id, event.data.requester_id);
        assert_eq!(notes[0].title, "Your request is fulfilled");
        assert_eq!(
            notes[0].body,
            "\u{201c}Winter coats\u{201d} has received every item it needed."
        );
        assert_eq!(notes[0].link, Link::to("request", event.data.request_id));
    }
}
