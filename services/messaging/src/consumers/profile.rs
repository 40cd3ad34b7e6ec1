//! Notifications about profiles, ratings and reports (docs/events.md, "Notifications").

use hearth_events::profile::{ProfileSuspended, RatingCreated, ReportResolved};
use hearth_events::Envelope;

use crate::domain::{Link, NewNotification};

/// `rating.created` → the person rated. The link is their own profile, where
/// their ratings are listed. It never names the rater nor links the donation,
/// whatever `anonymous` says: the rater may be an anonymous donor, and the
/// ratings list hides them (profile-service's `Rating::seen_by`).
pub fn rated(event: &Envelope<RatingCreated>) -> Vec<NewNotification> {
    let r = &event.data;
    vec![NewNotification::about(
        event,
        r.ratee_id,
        Link::to("profile", r.ratee_id),
        "You were rated",
        format!(
            "The other party of a donation rated you {} out of 5.",
            r.score
        ),
    )]
}

/// `report.resolved` → the reporter: what staff decided.
pub fn report_resolved(event: &Envelope<ReportResolved>) -> Vec<NewNotification> {
    let r = &event.data;
    let target = target_words(&r.target_type);
    let body = if r.resolution == "actioned" {
        format!("Thank you: staff reviewed your report about {target} and acted on it.")
    } else {
        format!("Staff reviewed your report about {target} and took no action.")
    };
    vec![NewNotification::about(
        event,
        r.reporter_id,
        Link::to("report", r.report_id),
        "Your report was reviewed",
        body,
    )]
}

/// A report's target as a reader names it (docs/api.md's `target_type`s).
fn target_words(target_type: &str) -> &'static str {
    match target_type {
        "profile" => "a profile",
        "campaign" => "a campaign",
        "request" => "a request",
        "donation" => "a donation",
        "message" => "a message",
        "rating" => "a rating",
        _ => "something",
    }
}

/// `profile.suspended` → the suspended person, with staff's reason when given.
pub fn suspended(event: &Envelope<ProfileSuspended>) -> Vec<NewNotification> {
    let p = &event.data;
    let body = match p.reason.as_deref().map(str::trim) {
        Some(reason) if !reason.is_empty() => format!(
            "Hearth staff suspended your account ({reason}). You can still read, but not write."
        ),
        _ => "Hearth staff suspended your account. You can still read, but not write.".to_owned(),
    };
    vec![NewNotification::about(
        event,
        p.profile_id,
        Link::to("profile", p.profile_id),
        "Your account is suspended",
        body,
    )]
}

#[cfg(test)]
mod tests {
    use super::*;
    use hearth_events::EventContext;
    use uuid::Uuid;

    fn envelope<T: hearth_events::Event>(data: T) -> Envelope<T> {
        Envelope::new("profile", data, &EventContext::default())
    }

    #[test]
    fn the_ratee_hears_their_score() {
        let event = envelope(RatingCreated {
            rating_id: Uuid::now_v7(),
            donation_id: Uuid::now_v7(),
            rater_id: Uuid::new_v4(),
            ratee_id: Uuid::new_v4(),
            score: 4,
            anonymous: Some(false),
        });
        let notes = rated(&event);
        assert_eq!(notes.len(), 1);
        assert_eq!(notes[0].user_id, event.data.ratee_id);
        assert_eq!(notes[0].kind, "rating.created");
        assert_eq!(notes[0].title, "You were rated");
        assert_eq!(
            notes[0].body,
            "The other party of a donation rated you 4 out of 5."
        );
        assert_eq!(notes[0].link, Link::to("profile", event.data.ratee_id));
    }

    #[test]
    fn an_anonymous_donor_rating_is_told_without_naming_them_or_the_donation() {
        for anonymous in [Some(true), None] {
            let event = envelope(RatingCreated {
                rating_id: Uuid::now_v7(),
                donation_id: Uuid::now_v7(),
                rater_id: Uuid::new_v4(),
                ratee_id: Uuid::new_v4(),
                score: 2,
                anonymous,
            });
            let note = rated(&event).remove(0);
            assert_eq!(note.link, Link::to("profile", event.data.ratee_id));
            let text = format!("{} {}", note.title, note.body);
            assert!(!text.contains(&event.data.rater_id.to_string()), "{text}");
            assert!(
                !text.contains(&event.data.donation_id.to_string()),
                "{text}"
            );
        }
    }

    fn resolution(resolution: &str) -> Envelope<ReportResolved> {
        envelope(ReportResolved {
            report_id: Uuid::now_v7(),
            reporter_id: Uuid::new_v4(),
            target_type: "campaign".into(),
            target_id: Uuid::now_v7(),
            resolution: resolution.into(),
            action: None,
        })
    }

    #[test]
    fn the_reporter_hears_what_staff_decided() {
        let event = resolution("actioned");
        let notes = report_resolved(&event);
        assert_eq!(notes[0].user_id, event.data.reporter_id);
        assert_eq!(notes[0].title, "Your report was reviewed");
        assert_eq!(
            notes[0].body,
            "Thank you: staff reviewed your report about a campaign and acted on it."
        );
        assert_eq!(notes[0].link, Link::to("report", event.data.report_id));
        assert_eq!(
            report_resolved(&resolution("dismissed"))[0].body,
            "Staff reviewed your report about a campaign and took no action."
        );
    }

    #[test]
    fn the_suspended_person_hears_why() {
        let event = envelope(ProfileSuspended {
            profile_id: Uuid::new_v4(),
            reason: Some("spam".into()),
        });
        let notes = suspended(&event);
        assert_eq!(notes[0].user_id, event.data.profile_id);
        assert_eq!(notes[0].title, "Your account is suspended");
        assert_eq!(
            notes[0].body,
            "Hearth staff suspended your account (spam). You can still read, but not write."
        );
        assert_eq!(notes[0].link, Link::to("profile", event.data.profile_id));
        let no_reason = envelope(ProfileSuspended {
            profile_id: Uuid::new_v4(),
            reason: None,
        });
        assert_eq!(
            suspended(&no_reason)[0].body,
            "Hearth staff suspended your account. You can still read, but not write."
        );
    }
}
