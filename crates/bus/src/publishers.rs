//! Who may publish what: the consumer's side of per-service broker users.
//!
//! With per-service users (`hearth broker users`), RabbitMQ checks two things
//! on every publish: the routing key against the user's topic permissions
//! (a service publishes only the types the catalogue gives it), and the
//! `user_id` property against the connection's user. A consumer then knows
//! which service really sent a message, and refuses one whose publisher is
//! not the producer the catalogue names for its type — before its handler
//! or its inbox sees it, straight to the dead queue with the reason.
//!
//! The check is on when the service itself connects as a per-service user,
//! `<prefix><service>`: the other services' users are then
//! `<prefix><producer>`. On a shared user (`hearth up`'s `guest`) nobody's
//! identity is known, and the check is off unless `RABBITMQ_CHECK_PUBLISHERS=on`
//! (which then refuses to start on a shared user).

use hearth_core::config::PublisherCheck;
use hearth_events::catalogue::{producer_of, source_of};
use hearth_events::Envelope;

/// Whether, and against which users, a consumer checks publishers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Publishers {
    /// Every publisher is accepted: the service shares its broker user.
    Unchecked,
    /// Each type must come from `<prefix><producer>`.
    Checked { prefix: String },
}

impl Publishers {
    /// What `check` means for `service` connecting as `own_user`.
    pub fn resolve(check: PublisherCheck, service: &str, own_user: &str) -> Self {
        let prefix = own_user.strip_suffix(service);
        match (check, prefix) {
            (PublisherCheck::Off, _) | (_, None) => Publishers::Unchecked,
            (PublisherCheck::Auto | PublisherCheck::On, Some(prefix)) => Publishers::Checked {
                prefix: prefix.to_owned(),
            },
        }
    }

    pub fn is_checked(&self) -> bool {
        matches!(self, Publishers::Checked { .. })
    }

    /// Why `envelope`, published by broker user `publisher`, must be
    /// refused; `None` when it may be handled.
    pub fn refusal(&self, envelope: &Envelope, publisher: Option<&str>) -> Option<String> {
        let Publishers::Checked { prefix } = self else {
            return None;
        };
        let event_type = &envelope.event_type;
        let Some(producer) = producer_of(event_type) else {
            return Some(format!(
                "{event_type} is not in the catalogue: no service may publish it"
            ));
        };
        let rightful = format!("{prefix}{producer}");
        match publisher {
            None => {
                return Some(format!(
                    "{event_type} came without a broker-checked publisher (user_id); only {rightful} may publish it"
                ))
            }
            Some(publisher) if publisher != rightful => {
                return Some(format!(
                    "{event_type} was published by broker user {publisher}, but only {rightful} may publish it"
                ))
            }
            Some(_) => {}
        }
        let source = source_of(producer);
        (envelope.source != source).then(|| {
            format!(
                "{event_type} names its source {:?}, but it comes from {source}",
                envelope.source
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hearth_events::profile::ProfileSuspended;
    use hearth_events::EventContext;

    fn suspended(source_service: &str) -> Envelope {
        let event = Envelope::new(
            source_service,
            ProfileSuspended {
                profile_id: uuid::Uuid::new_v4(),
                reason: None,
            },
            &EventContext::default(),
        );
        serde_json::from_value(serde_json::to_value(event).expect("json")).expect("envelope")
    }

    #[test]
    fn the_check_is_on_for_a_services_own_user_and_off_for_a_shared_one() {
        let checked = |prefix: &str| Publishers::Checked {
            prefix: prefix.into(),
        };
        let resolve = Publishers::resolve;
        assert_eq!(
            resolve(PublisherCheck::Auto, "donation", "hearth_donation"),
            checked("hearth_")
        );
        assert_eq!(
            resolve(PublisherCheck::Auto, "donation", "acme_donation"),
            checked("acme_")
        );
        assert_eq!(
            resolve(PublisherCheck::Auto, "donation", "guest"),
            Publishers::Unchecked
        );
        assert_eq!(
            resolve(PublisherCheck::Auto, "donation", "hearth_campaign"),
            Publishers::Unchecked
        );
        assert_eq!(
            resolve(PublisherCheck::Off, "donation", "hearth_donation"),
            Publishers::Unchecked
        );
        assert_eq!(
            resolve(PublisherCheck::On, "donation", "hearth_donation"),
            checked("hearth_")
        );
    }

    #[test]
    fn only_the_producers_user_may_publish_a_type() {
        let checked = Publishers::Checked {
            prefix: "hearth_".into(),
        };
        let event = suspended("profile");
        assert_eq!(checked.refusal(&event, Some("hearth_profile")), None);
        let forged = checked
            .refusal(&event, Some("hearth_request"))
            .expect("refused");
        assert_eq!(
            forged,
            "profile.suspended was published by broker user hearth_request, but only hearth_profile may publish it"
        );
        assert!(checked
            .refusal(&event, None)
            .expect("refused")
            .contains("without a broker-checked publisher"));
        let lying = checked
            .refusal(&suspended("campaign"), Some("hearth_profile"))
            .expect("refused");
        assert!(lying.contains("names its source"), "{lying}");
        let mut unknown = event.clone();
        unknown.event_type = "profile.deleted".into();
        assert!(checked
            .refusal(&unknown, Some("hearth_profile"))
            .expect("refused")
            .contains("not in the catalogue"));
        assert_eq!(
            Publishers::Unchecked.refusal(&event, Some("intruder")),
            None
        );
    }
}
