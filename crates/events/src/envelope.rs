use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A payload of the catalogue.
pub trait Event: Serialize + DeserializeOwned {
    /// The event type, also the AMQP routing key: `campaign.created`.
    const TYPE: &'static str;
    /// The payload's schema version. A breaking change is a new version.
    const VERSION: u32 = 1;

    /// The aggregate the event is about (the envelope's `subject`).
    fn subject(&self) -> String;
}

/// Where an event comes from in its flow.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct EventContext {
    /// The id of the request or first event of the flow.
    pub correlation_id: String,
    /// The event that caused this one; `None` for an event caused by a request.
    pub causation_id: Option<Uuid>,
    /// The W3C trace context, carried from HTTP into events and on into consumers.
    pub traceparent: Option<String>,
}

/// A CloudEvents 1.0 event in structured JSON mode.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Envelope<T = serde_json::Value> {
    pub specversion: String,
    /// UUIDv7: unique per event, and the consumers' deduplication key.
    pub id: Uuid,
    #[serde(rename = "type")]
    pub event_type: String,
    /// `/hearth/<service>-service`.
    pub source: String,
    pub subject: String,
    pub time: DateTime<Utc>,
    pub datacontenttype: String,
    pub version: u32,
    pub correlationid: String,
    pub causationid: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub traceparent: Option<String>,
    pub data: T,
}

impl<T: Event> Envelope<T> {
    /// Wraps `data` as a new event from `service` (`campaign`).
    pub fn new(service: &str, data: T, context: &EventContext) -> Self {
        let id = Uuid::now_v7();
        Self {
            specversion: "1.0".to_owned(),
            id,
            event_type: T::TYPE.to_owned(),
            source: crate::catalogue::source_of(service),
            subject: data.subject(),
            time: Utc::now(),
            datacontenttype: "application/json".to_owned(),
            version: T::VERSION,
            // A flow with no request id starts with this event.
            correlationid: if context.correlation_id.is_empty() {
                id.to_string()
            } else {
                context.correlation_id.clone()
            },
            causationid: context.causation_id,
            traceparent: context.traceparent.clone(),
            data,
        }
    }
}

/// Why a delivered message can never be handled, however often it is retried.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Undecodable {
    /// The body is not a CloudEvent.
    NotAnEvent(String),
    /// A schema version of the type this consumer does not know.
    UnknownVersion { event_type: String, version: u32 },
    /// The data does not match the payload type.
    BadPayload { event_type: String, error: String },
}

impl std::fmt::Display for Undecodable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Undecodable::NotAnEvent(e) => write!(f, "not a CloudEvent: {e}"),
            Undecodable::UnknownVersion {
                event_type,
                version,
            } => {
                write!(f, "unknown version {version} of {event_type}")
            }
            Undecodable::BadPayload { event_type, error } => {
                write!(f, "the data of {event_type} does not parse: {error}")
            }
        }
    }
}

impl std::error::Error for Undecodable {}

impl Envelope<serde_json::Value> {
    /// Reads a message body as a CloudEvent with any payload.
    pub fn from_slice(body: &[u8]) -> Result<Self, Undecodable> {
        serde_json::from_slice(body).map_err(|e| Undecodable::NotAnEvent(e.to_string()))
    }

    /// The typed event, if this is a version of `T` the consumer knows.
    pub fn decode<T: Event>(&self) -> Result<Envelope<T>, Undecodable> {
        if self.version != T::VERSION {
            return Err(Undecodable::UnknownVersion {
                event_type: self.event_type.clone(),
                version: self.version,
            });
        }
        let data = T::deserialize(&self.data).map_err(|e| Undecodable::BadPayload {
            event_type: self.event_type.clone(),
            error: e.to_string(),
        })?;
        Ok(Envelope {
            specversion: self.specversion.clone(),
            id: self.id,
            event_type: self.event_type.clone(),
            source: self.source.clone(),
            subject: self.subject.clone(),
            time: self.time,
            datacontenttype: self.datacontenttype.clone(),
            version: self.version,
            correlationid: self.correlationid.clone(),
            causationid: self.causationid,
            traceparent: self.traceparent.clone(),
            data,
        })
    }
}

impl<T> Envelope<T> {
    /// The context of an event caused by this one: same flow, same trace.
    pub fn caused_context(&self) -> EventContext {
        EventContext {
            correlation_id: self.correlationid.clone(),
            causation_id: Some(self.id),
            traceparent: self.traceparent.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::campaign::CampaignCreated;

    fn created() -> CampaignCreated {
        CampaignCreated {
            campaign_id: Uuid::now_v7(),
            recipient_id: Uuid::new_v4(),
            creator_id: Uuid::new_v4(),
            title: "Blankets".into(),
            goal_minor: 10_000,
            currency: "USD".into(),
            status: "active".into(),
            ends_at: None,
            image_url: None,
        }
    }

    #[test]
    fn the_envelope_is_a_cloudevent() {
        let data = created();
        let context = EventContext {
            correlation_id: "req-1".into(),
            causation_id: None,
            traceparent: Some("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01".into()),
        };
        let event = Envelope::new("campaign", data.clone(), &context);
        let json = serde_json::to_value(&event).expect("serialises");
        assert_eq!(json["specversion"], "1.0");
        assert_eq!(json["type"], "campaign.created");
        assert_eq!(json["source"], "/hearth/campaign-service");
        assert_eq!(json["subject"], data.campaign_id.to_string());
        assert_eq!(json["version"], 1);
        assert_eq!(json["correlationid"], "req-1");
        assert!(json["causationid"].is_null());
        assert_eq!(json["data"]["goal_minor"], 10_000);
        assert_eq!(event.id.get_version_num(), 7);
        let back: Envelope<CampaignCreated> = serde_json::from_value(json).expect("parses");
        assert_eq!(back, event);
    }

    #[test]
    fn consumers_decode_the_versions_they_know_and_refuse_the_rest() {
        let event = Envelope::new("campaign", created(), &EventContext::default());
        let bytes = serde_json::to_vec(&event).expect("serialises");
        let raw = Envelope::from_slice(&bytes).expect("a CloudEvent");
        assert_eq!(raw.decode::<CampaignCreated>().expect("known"), event);

        let mut v2 = raw.clone();
        v2.version = 2;
        assert!(matches!(
            v2.decode::<CampaignCreated>(),
            Err(Undecodable::UnknownVersion { version: 2, .. })
        ));
        let mut broken = raw.clone();
        broken.data = serde_json::json!({"campaign_id": "nope"});
        assert!(matches!(
            broken.decode::<CampaignCreated>(),
            Err(Undecodable::BadPayload { .. })
        ));
        assert!(matches!(
            Envelope::from_slice(b"{}"),
            Err(Undecodable::NotAnEvent(_))
        ));
    }

    #[test]
    fn a_caused_event_keeps_the_flow_and_names_its_cause() {
        let first = Envelope::new(
            "campaign",
            created(),
            &EventContext {
                correlation_id: "flow".into(),
                ..Default::default()
            },
        );
        let next = Envelope::new("campaign", created(), &first.caused_context());
        assert_eq!(next.correlationid, "flow");
        assert_eq!(next.causationid, Some(first.id));
    }

    #[test]
    fn an_event_without_a_request_correlates_to_itself() {
        let event = Envelope::new("campaign", created(), &EventContext::default());
        assert_eq!(event.correlationid, event.id.to_string());
    }
}
