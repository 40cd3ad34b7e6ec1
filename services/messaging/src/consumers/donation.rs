//! Notifications about donations (docs/events.md, "Notifications").

use hearth_events::donation::{
    CancelledBy, DonationCancelled, DonationCompleted, DonationConfirmed, DonationExpired,
    DonationKind, DonationRefunded, DonationRejected,
};
use hearth_events::Envelope;
use uuid::Uuid;

use crate::domain::wording::{format_amount, items, rejection};
use crate::domain::{Link, NewNotification};

fn link(donation_id: Uuid) -> Link {
    Link::to("donation", donation_id)
}

/// What was given, as the donor reads it: "donation of 25.00 USD", "pledge of 3 items".
fn gift(amount_minor: Option<i64>, currency: Option<&str>, quantity: Option<i32>) -> String {
    match (amount_minor, currency, quantity) {
        (Some(amount), Some(currency), _) => {
            format!("donation of {}", format_amount(amount, currency))
        }
        (_, _, Some(quantity)) => format!("pledge of {}", items(quantity)),
        _ => "donation".to_owned(),
    }
}

/// What a donation of `kind` is called: money is a donation, items a pledge.
fn noun(kind: DonationKind) -> &'static str {
    match kind {
        DonationKind::Money => "donation",
        DonationKind::Item => "pledge",
    }
}

/// `donation.confirmed` → the donor: it went through.
pub fn confirmed(event: &Envelope<DonationConfirmed>) -> Vec<NewNotification> {
    let d = &event.data;
    let gift = gift(d.amount_minor, d.currency.as_deref(), d.quantity);
    vec![NewNotification::about(
        event,
        d.donor_id,
        link(d.donation_id),
        "Your donation went through",
        format!("Your {gift} was accepted. Thank you."),
    )]
}

/// `donation.refunded` → the donor: the money comes back (docs/events.md routes
/// the event here; its table has no rule, and a donor would expect one).
pub fn refunded(event: &Envelope<DonationRefunded>) -> Vec<NewNotification> {
    let d = &event.data;
    let amount = format_amount(d.amount_minor, &d.currency);
    vec![NewNotification::about(
        event,
        d.donor_id,
        link(d.donation_id),
        "Your donation was refunded",
        format!(
            "Your donation of {amount} was refunded: {}.",
            d.reason.trim_end_matches('.')
        ),
    )]
}

/// `donation.rejected` → the donor, with the reason in words.
pub fn rejected(event: &Envelope<DonationRejected>) -> Vec<NewNotification> {
    let d = &event.data;
    vec![NewNotification::about(
        event,
        d.donor_id,
        link(d.donation_id),
        "Your donation did not go through",
        format!("Your donation was not accepted: {}.", rejection(&d.reason)),
    )]
}

/// `donation.completed` → the donor: the items were received.
pub fn completed(event: &Envelope<DonationCompleted>) -> Vec<NewNotification> {
    let d = &event.data;
    vec![NewNotification::about(
        event,
        d.donor_id,
        link(d.donation_id),
        "Your items were received",
        format!(
            "The requester confirmed receiving your {}. Thank you.",
            items(d.quantity)
        ),
    )]
}

/// `donation.cancelled` → the other party than the one who cancelled: the
/// recipient when the donor cancelled (if the donation had one yet), the
/// donor when the recipient or staff did.
pub fn cancelled(event: &Envelope<DonationCancelled>) -> Vec<NewNotification> {
    let d = &event.data;
    let noun = noun(d.kind);
    let (user_id, body) = match (d.by, d.recipient_id) {
        (CancelledBy::Donor, Some(recipient)) => {
            (recipient, format!("A donor cancelled their {noun}."))
        }
        (CancelledBy::Donor, None) => return Vec::new(),
        (CancelledBy::Recipient, _) => {
            (d.donor_id, format!("The recipient cancelled your {noun}."))
        }
        (CancelledBy::Staff, _) => (d.donor_id, format!("Hearth staff cancelled your {noun}.")),
    };
    vec![NewNotification::about(
        event,
        user_id,
        link(d.donation_id),
        "A donation was cancelled",
        body,
    )]
}

/// `donation.expired` → the donor. A donation expires only while pending, so
/// it never had a recipient to tell (docs/decisions.md).
pub fn expired(event: &Envelope<DonationExpired>) -> Vec<NewNotification> {
    let d = &event.data;
    vec![NewNotification::about(
        event,
        d.donor_id,
        link(d.donation_id),
        "Your donation expired",
        format!(
            "Your {} expired before it could be confirmed. You can try again.",
            noun(d.kind)
        ),
    )]
}

#[cfg(test)]
mod tests {
    use super::*;
    use hearth_events::EventContext;

    fn envelope<T: hearth_events::Event>(data: T) -> Envelope<T> {
        Envelope::new("donation", data, &EventContext::default())
    }

    fn money_confirmed() -> Envelope<DonationConfirmed> {
        envelope(DonationConfirmed {
            donation_id: Uuid::now_v7(),
            kind: DonationKind::Money,
            donor_id: Uuid::new_v4(),
            recipient_id: Uuid::new_v4(),
            campaign_id: Some(Uuid::now_v7()),
            request_id: None,
            amount_minor: Some(123_456_789),
            currency: Some("EUR".into()),
            quantity: None,
            anonymous: false,
        })
    }

    #[test]
    fn the_donor_hears_the_donation_went_through() {
        let event = money_confirmed();
        let notes = confirmed(&event);
        assert_eq!(notes.len(), 1);
        assert_eq!(notes[0].user_id, event.data.donor_id);
        assert_eq!(notes[0].kind, "donation.confirmed");
        assert_eq!(notes[0].title, "Your donation went through");
        assert_eq!(
            notes[0].body,
            "Your donation of 1,234,567.89 EUR was accepted. Thank you."
        );
        assert_eq!(notes[0].link, link(event.data.donation_id));
        assert_eq!(notes[0].source_event_id, event.id);
    }

    #[test]
    fn an_item_pledge_is_called_a_pledge() {
        let mut event = money_confirmed();
        event.data.kind = DonationKind::Item;
        event.data.amount_minor = None;
        event.data.currency = None;
        event.data.quantity = Some(3);
        assert_eq!(
            confirmed(&event)[0].body,
            "Your pledge of 3 items was accepted. Thank you."
        );
    }

    #[test]
    fn the_donor_hears_why_a_donation_was_rejected() {
        let event = envelope(DonationRejected {
            donation_id: Uuid::now_v7(),
            donor_id: Uuid::new_v4(),
            reason: "not_active".into(),
        });
        let notes = rejected(&event);
        assert_eq!(notes[0].user_id, event.data.donor_id);
        assert_eq!(notes[0].title, "Your donation did not go through");
        assert_eq!(
            notes[0].body,
            "Your donation was not accepted: the campaign is not taking donations right now."
        );
        assert_eq!(notes[0].link, link(event.data.donation_id));
    }

    #[test]
    fn the_donor_hears_the_items_were_received() {
        let event = envelope(DonationCompleted {
            donation_id: Uuid::now_v7(),
            donor_id: Uuid::new_v4(),
            recipient_id: Uuid::new_v4(),
            request_id: Uuid::now_v7(),
            quantity: 1,
            anonymous: Some(false),
        });
        let notes = completed(&event);
        assert_eq!(notes[0].user_id, event.data.donor_id);
        assert_eq!(notes[0].title, "Your items were received");
        assert_eq!(
            notes[0].body,
            "The requester confirmed receiving your 1 item. Thank you."
        );
    }

    fn cancellation(by: CancelledBy, recipient: Option<Uuid>) -> Envelope<DonationCancelled> {
        envelope(DonationCancelled {
            donation_id: Uuid::now_v7(),
            kind: DonationKind::Item,
            donor_id: Uuid::new_v4(),
            recipient_id: recipient,
            campaign_id: None,
            request_id: Some(Uuid::now_v7()),
            by,
        })
    }

    #[test]
    fn a_cancellation_reaches_the_other_party() {
        let recipient = Uuid::new_v4();
        let by_donor = cancellation(CancelledBy::Donor, Some(recipient));
        let notes = cancelled(&by_donor);
        assert_eq!(notes.len(), 1);
        assert_eq!(notes[0].user_id, recipient);
        assert_eq!(notes[0].title, "A donation was cancelled");
        assert_eq!(notes[0].body, "A donor cancelled their pledge.");
        assert_eq!(notes[0].link, link(by_donor.data.donation_id));

        let by_recipient = cancellation(CancelledBy::Recipient, Some(recipient));
        let notes = cancelled(&by_recipient);
        assert_eq!(notes[0].user_id, by_recipient.data.donor_id);
        assert_eq!(notes[0].body, "The recipient cancelled your pledge.");

        let by_staff = cancellation(CancelledBy::Staff, None);
        let notes = cancelled(&by_staff);
        assert_eq!(notes[0].user_id, by_staff.data.donor_id);
        assert_eq!(notes[0].body, "Hearth staff cancelled your pledge.");
    }

    #[test]
    fn a_donor_cancelling_before_any_recipient_tells_no_one() {
        assert!(cancelled(&cancellation(CancelledBy::Donor, None)).is_empty());
    }

    #[test]
    fn the_donor_hears_the_donation_expired() {
        let event = envelope(DonationExpired {
            donation_id: Uuid::now_v7(),
            kind: DonationKind::Money,
            donor_id: Uuid::new_v4(),
            campaign_id: Some(Uuid::now_v7()),
            request_id: None,
        });
        let notes = expired(&event);
        assert_eq!(notes[0].user_id, event.data.donor_id);
        assert_eq!(notes[0].title, "Your donation expired");
        assert_eq!(
            notes[0].body,
            "Your donation expired before it could be confirmed. You can try again."
        );
        assert_eq!(notes[0].link, link(event.data.donation_id));
    }
}
