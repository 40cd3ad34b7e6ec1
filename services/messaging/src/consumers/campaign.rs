//! Notifications about campaigns (EVENTS.md, "Notifications").

use hearth_events::campaign::CampaignCreated;
use hearth_events::{Envelope, Event};

use crate::domain::{Link, NewNotification};

/// `campaign.created` → the recipient: the campaign is live (or saved, for a draft).
pub fn created(event: &Envelope<CampaignCreated>) -> Vec<NewNotification> {
    let campaign = &event.data;
    let (title, body) = if campaign.status == "draft" {
        (
            "Your draft campaign is saved".to_owned(),
            format!(
                "\u{201c}{}\u{201d} is saved as a draft. Publish it when you are ready.",
                campaign.title
            ),
        )
    } else {
        (
            "Your campaign is live".to_owned(),
            format!(
                "\u{201c}{}\u{201d} is live and can receive donations.",
                campaign.title
            ),
        )
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
}
