//! Notifications about campaigns (docs/events.md, "Notifications").

use hearth_events::campaign::{
    CampaignCreated, CampaignDonationAccepted, CampaignGoalReached, CampaignStatusChanged,
};
use hearth_events::{Envelope, Event};

use crate::domain::wording::{format_amount, giver, moderated, nameable, quoted};
use crate::domain::{Link, NewNotification};

/// `campaign.status_changed` → the recipient, when staff suspended the
/// campaign or lifted the suspension (only staff move it in or out of
/// `suspended`). The owner's own moves tell them nothing they do not know.
pub fn status_changed(event: &Envelope<CampaignStatusChanged>) -> Vec<NewNotification> {
    let c = &event.data;
    moderated(&c.from, &c.to, c.reason.as_deref(), "campaign", &c.title)
        .map(|(title, body)| {
            NewNotification::about(
                event,
                c.recipient_id,
                Link::to("campaign", c.campaign_id),
                &title,
                body,
            )
        })
        .into_iter()
        .collect()
}

/// `campaign.created` → the recipient: the campaign is live (or saved, for a
/// draft). `hearth copy-campaigns --publish-events` also announces campaigns
/// copied as paused, completed or cancelled: those are not called live.
pub fn created(event: &Envelope<CampaignCreated>) -> Vec<NewNotification> {
    let campaign = &event.data;
    let (title, body) = match campaign.status.as_str() {
        "active" => (
            "Your campaign is live".to_owned(),
            format!(
                "\u{201c}{}\u{201d} is live and can receive donations.",
                campaign.title
            ),
        ),
        "draft" => (
            "Your draft campaign is saved".to_owned(),
            format!(
                "\u{201c}{}\u{201d} is saved as a draft. Publish it when you are ready.",
                campaign.title
            ),
        ),
        status => (
            "Your campaign is on Hearth".to_owned(),
            format!("\u{201c}{}\u{201d} is on Hearth, {status}.", campaign.title),
        ),
    };
    vec![NewNotification {
        user_id: campaign.recipient_id,
        kind: CampaignCreated::TYPE,
        title,
        body,
        link: Link {
            kind: "campaign".to_owned(),
            id: campaign.campaign_id,
        },
        source_event_id: event.id,
    }]
}

/// The donor `donation_accepted` may name.
pub fn donor_of(d: &CampaignDonationAccepted) -> Option<uuid::Uuid> {
    nameable(d.anonymous, d.donor_id)
}

/// `campaign.donation_accepted` → the recipient: a donation arrived. The donor
/// is "someone" when they asked to stay anonymous or the payload predates the
/// `anonymous` field; otherwise their display name (`name`), or "a donor".
pub fn donation_accepted(
    event: &Envelope<CampaignDonationAccepted>,
    name: Option<&str>,
) -> Vec<NewNotification> {
    let d = &event.data;
    let giver = giver(d.anonymous, name);
    let body = format!(
        "{giver} gave {} to {}.",
        format_amount(d.amount_minor, &d.currency),
        quoted(&d.title)
    );
    vec![NewNotification::about(
        event,
        d.recipient_id,
        Link::to("campaign", d.campaign_id),
        "A donation arrived",
        body,
    )]
}

/// `campaign.goal_reached` → the recipient.
pub fn goal_reached(event: &Envelope<CampaignGoalReached>) -> Vec<NewNotification> {
    let c = &event.data;
    let body = format!(
        "{} has raised {}, reaching its goal of {}.",
        quoted(&c.title),
        format_amount(c.raised_minor, &c.currency),
        format_amount(c.goal_minor, &c.currency)
    );
    vec![NewNotification::about(
        event,
        c.recipient_id,
        Link::to("campaign", c.campaign_id),
        "Your campaign reached its goal",
        body,
    )]
}

#[cfg(test)]
mod tests {
    use super::*;
    use hearth_events::EventContext;
    use uuid::Uuid;

    fn event(status: &str) -> Envelope<CampaignCreated> {
        Envelope::new(
            "campaign",
            CampaignCreated {
                campaign_id: Uuid::now_v7(),
                recipient_id: Uuid::new_v4(),
                creator_id: Uuid::new_v4(),
                title: "Blankets".into(),
                goal_minor: 100,
                currency: "USD".into(),
                status: status.into(),
                ends_at: None,
                image_url: None,
            },
            &EventContext::default(),
        )
    }

    #[test]
    fn the_recipient_hears_that_the_campaign_is_live() {
        let event = event("active");
        let notes = created(&event);
        assert_eq!(notes.len(), 1);
        assert_eq!(notes[0].user_id, event.data.recipient_id);
        assert_eq!(notes[0].title, "Your campaign is live");
        assert_eq!(
            notes[0].body,
            "\u{201c}Blankets\u{201d} is live and can receive donations."
        );
        assert_eq!(
            notes[0].link,
            Link {
                kind: "campaign".into(),
                id: event.data.campaign_id
            }
        );
        assert_eq!(notes[0].source_event_id, event.id);
    }

    #[test]
    fn a_draft_is_not_called_live() {
        assert_eq!(
            created(&event("draft"))[0].title,
            "Your draft campaign is saved"
        );
    }

    #[test]
    fn a_campaign_copied_as_ended_or_paused_is_not_called_live() {
        for status in ["paused", "completed", "cancelled"] {
            let note = created(&event(status)).remove(0);
            assert_eq!(note.title, "Your campaign is on Hearth", "{status}");
            assert_eq!(
                note.body,
                format!("\u{201c}Blankets\u{201d} is on Hearth, {status}.")
            );
        }
    }

    fn accepted(anonymous: Option<bool>) -> Envelope<CampaignDonationAccepted> {
        Envelope::new(
            "campaign",
            CampaignDonationAccepted {
                donation_id: Uuid::now_v7(),
                campaign_id: Uuid::now_v7(),
                recipient_id: Uuid::new_v4(),
                title: "Blankets".into(),
                amount_minor: 2500,
                currency: "USD".into(),
                raised_minor: 7500,
                donor_id: Some(Uuid::new_v4()),
                anonymous,
            },
            &EventContext::default(),
        )
    }

    #[test]
    fn the_recipient_hears_a_donation_arrived() {
        let event = accepted(Some(false));
        let notes = donation_accepted(&event, None);
        assert_eq!(notes.len(), 1);
        assert_eq!(notes[0].user_id, event.data.recipient_id);
        assert_eq!(notes[0].kind, "campaign.donation_accepted");
        assert_eq!(notes[0].title, "A donation arrived");
        assert_eq!(
            notes[0].body,
            "A donor gave 25.00 USD to \u{201c}Blankets\u{201d}."
        );
        assert_eq!(notes[0].link, Link::to("campaign", event.data.campaign_id));
        assert_eq!(notes[0].source_event_id, event.id);
    }

    #[test]
    fn an_anonymous_or_unknown_donor_is_someone_whatever_their_name() {
        for anonymous in [Some(true), None] {
            let event = accepted(anonymous);
            assert_eq!(donor_of(&event.data), None, "not even looked up");
            assert_eq!(
                donation_accepted(&event, Some("Bob"))[0].body,
                "Someone gave 25.00 USD to \u{201c}Blankets\u{201d}."
            );
        }
    }

    #[test]
    fn a_named_donor_is_named() {
        let event = accepted(Some(false));
        assert_eq!(donor_of(&event.data), event.data.donor_id);
        assert_eq!(
            donation_accepted(&event, Some("Bob"))[0].body,
            "Bob gave 25.00 USD to \u{201c}Blankets\u{201d}."
        );
    }

    #[test]
    fn the_recipient_hears_the_goal_was_reached() {
        let event = Envelope::new(
            "campaign",
            CampaignGoalReached {
                campaign_id: Uuid::now_v7(),
                recipient_id: Uuid::new_v4(),
                title: "Rice".into(),
                goal_minor: 150_000,
                raised_minor: 152_000,
                currency: "JPY".into(),
            },
            &EventContext::default(),
        );
        let notes = goal_reached(&event);
        assert_eq!(notes.len(), 1);
        assert_eq!(notes[0].user_id, event.data.recipient_id);
        assert_eq!(notes[0].title, "Your campaign reached its goal");
        assert_eq!(
            notes[0].body,
            "\u{201c}Rice\u{201d} has raised 152,000 JPY, reaching its goal of 150,000 JPY."
        );
        assert_eq!(notes[0].link, Link::to("campaign", event.data.campaign_id));
    }
}
