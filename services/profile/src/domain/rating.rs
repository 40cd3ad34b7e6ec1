use chrono::{DateTime, Utc};
use hearth_core::auth::Caller;
use hearth_core::validation::Validator;
use hearth_core::ApiError;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

pub const COMMENT_MAX_CHARS: usize = 1_000;
/// The lowest and the highest score.
pub const SCORE: (i16, i16) = (1, 5);

/// A rating as stored, with what decides who may see its parties: its
/// donation's donor, and whether they asked to stay anonymous.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rating {
    pub id: Uuid,
    pub donation_id: Uuid,
    pub rater_id: Uuid,
    pub ratee_id: Uuid,
    pub score: i16,
    pub comment: Option<String>,
    pub created_at: DateTime<Utc>,
    pub donor_id: Uuid,
    pub anonymous: bool,
}

/// A rating, as the caller may see it (`Rating::seen_by`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[schema(as = Rating)]
#[schema(example = json!({
    "id": "0193a5e5-9c0d-7e1f-8a2b-3c4d5e6f7a8b",
    "donation_id": "0193a5e2-3c4d-7e5f-8a6b-7c8d9e0f1a2b",
    "rater_id": "5f0c6a1e-2b7d-4c8e-9f3a-1d2e3f4a5b6c",
    "ratee_id": "7d1e2f3a-4b5c-4d6e-8f7a-9b0c1d2e3f4a",
    "score": 5,
    "comment": "Quick and kind.",
    "created_at": "2026-12-04T10:00:00Z",
    "anonymous": false
}))]
pub struct RatingView {
    pub id: Uuid,
    /// Null on an anonymous donation, to anyone but its donor and staff.
    pub donation_id: Option<Uuid>,
    /// Null when it is the anonymous donor, or the recipient rating them
    /// (beside the donor their id would tell whom the donor gave to); the
    /// recipient still sees their own.
    pub rater_id: Option<Uuid>,
    /// Null when it is the anonymous donor.
    pub ratee_id: Option<Uuid>,
    /// 1–5.
    pub score: i16,
    pub comment: Option<String>,
    pub created_at: DateTime<Utc>,
    /// The donation was anonymous: a null party is "someone".
    pub anonymous: bool,
}

impl Rating {
    /// What `viewer` may see of this rating. The one place a rating is
    /// redacted: every answer that shows one goes through here. On an
    /// anonymous donation, only the donor and staff see who gave and what;
    /// anyone else, the recipient too, sees neither the donor nor the donation
    /// (docs/decisions.md, "Anonymous means anonymous to the recipient too").
    pub fn seen_by(self, viewer: Option<&Caller>) -> RatingView {
        let sees_all =
            !self.anonymous || viewer.is_some_and(|v| v.is_staff() || v.id == self.donor_id);
        let (donation_id, rater_id, ratee_id) = if sees_all {
            (
                Some(self.donation_id),
                Some(self.rater_id),
                Some(self.ratee_id),
            )
        } else {
            let viewer_id = viewer.map(|v| v.id);
            let not_donor = |id: Uuid| Some(id).filter(|id| *id != self.donor_id);
            (
                None,
                not_donor(self.rater_id).filter(|id| Some(*id) == viewer_id),
                not_donor(self.ratee_id),
            )
        };
        RatingView {
            id: self.id,
            donation_id,
            rater_id,
            ratee_id,
            score: self.score,
            comment: self.comment,
            created_at: self.created_at,
            anonymous: self.anonymous,
        }
    }
}

/// A donation that went through, as profile-service learnt it from
/// `donation.confirmed` (money) or `donation.completed` (items), and that no
/// refund undid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Exchange {
    pub donor_id: Uuid,
    pub recipient_id: Uuid,
    /// The donor asked not to be named (unknown counts as yes).
    pub anonymous: bool,
}

/// Whom `rater` rates for this exchange: the other party. Anyone else, or
/// an exchange with oneself, is not eligible.
pub fn ratee_for(exchange: &Exchange, rater: Uuid) -> Result<Uuid, ApiError> {
    let ratee = if rater == exchange.donor_id {
        exchange.recipient_id
    } else if rater == exchange.recipient_id {
        exchange.donor_id
    } else {
        return Err(ApiError::not_eligible(
            "only the donor and the recipient of a donation may rate it",
        ));
    };
    if ratee == rater {
        return Err(ApiError::not_eligible("nobody rates themselves"));
    }
    Ok(ratee)
}

/// The body of `POST /ratings`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "donation_id": "0193a5e2-3c4d-7e5f-8a6b-7c8d9e0f1a2b",
    "score": 5,
    "comment": "Quick and kind."
}))]
pub struct CreateRating {
    pub donation_id: Uuid,
    #[schema(schema_with = score_schema)]
    pub score: i16,
    #[schema(schema_with = comment_schema)]
    pub comment: Option<String>,
}

fn score_schema() -> utoipa::openapi::Object {
    utoipa::openapi::schema::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::Integer)
        .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(
            utoipa::openapi::KnownFormat::Int32,
        )))
        .minimum(Some(SCORE.0))
        .maximum(Some(SCORE.1))
        .build()
}

fn comment_schema() -> utoipa::openapi::Object {
    hearth_core::openapi::text::nullable_text(0, COMMENT_MAX_CHARS)
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRating {
    pub donation_id: Uuid,
    pub score: i16,
    pub comment: Option<String>,
}

impl CreateRating {
    pub fn parse(self, caller: &Caller) -> Result<NewRating, ApiError> {
        let comment = self
            .comment
            .map(|c| c.trim().to_owned())
            .filter(|c| !c.is_empty());
        let mut v = Validator::new();
        v.check(
            (SCORE.0..=SCORE.1).contains(&self.score),
            "score",
            "must be between 1 and 5",
        );
        if let Some(comment) = &comment {
            v.length(comment, "comment", 0, COMMENT_MAX_CHARS);
        }
        v.check(
            !caller.id.is_nil(),
            "rater_id",
            "a rating needs a signed-in user",
        );
        v.finish()?;
        Ok(NewRating {
            donation_id: self.donation_id,
            score: self.score,
            comment,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_party_rates_the_other_and_nobody_else_rates() {
        let exchange = Exchange {
            donor_id: Uuid::new_v4(),
            recipient_id: Uuid::new_v4(),
            anonymous: false,
        };
        assert_eq!(
            ratee_for(&exchange, exchange.donor_id).ok(),
            Some(exchange.recipient_id)
        );
        assert_eq!(
            ratee_for(&exchange, exchange.recipient_id).ok(),
            Some(exchange.donor_id)
        );
        assert!(ratee_for(&exchange, Uuid::new_v4()).is_err());
        let alone = Exchange {
            donor_id: exchange.donor_id,
            recipient_id: exchange.donor_id,
            anonymous: false,
        };
        assert!(ratee_for(&alone, alone.donor_id).is_err());
    }

    fn rating(anonymous: bool, donor_rates: bool) -> Rating {
        let (donor, recipient) = (Uuid::new_v4(), Uuid::new_v4());
        let (rater_id, ratee_id) = if donor_rates {
            (donor, recipient)
        } else {
            (recipient, donor)
        };
        Rating {
            id: Uuid::now_v7(),
            donation_id: Uuid::now_v7(),
            rater_id,
            ratee_id,
            score: 4,
            comment: None,
            created_at: Utc::now(),
            donor_id: donor,
            anonymous,
        }
    }

    fn user(id: Uuid) -> Caller {
        Caller {
            id,
            kind: hearth_core::auth::CallerKind::User,
        }
    }

    /// (donation_id, rater_id, ratee_id) as `viewer` sees them.
    fn seen(r: &Rating, viewer: Option<Caller>) -> (Option<Uuid>, Option<Uuid>, Option<Uuid>) {
        let view = r.clone().seen_by(viewer.as_ref());
        (view.donation_id, view.rater_id, view.ratee_id)
    }

    #[test]
    fn an_anonymous_donor_rating_the_recipient_is_someone_to_all_but_them_and_staff() {
        let r = rating(true, true);
        let all = (Some(r.donation_id), Some(r.rater_id), Some(r.ratee_id));
        assert_eq!(seen(&r, Some(user(r.donor_id))), all);
        let staff = Caller {
            id: Uuid::new_v4(),
            kind: hearth_core::auth::CallerKind::Staff,
        };
        assert_eq!(seen(&r, Some(staff)), all);
        let hidden = (None, None, Some(r.ratee_id));
        assert_eq!(seen(&r, Some(user(r.ratee_id))), hidden, "the recipient");
        assert_eq!(seen(&r, Some(user(Uuid::new_v4()))), hidden);
        assert_eq!(seen(&r, None), hidden);
    }

    #[test]
    fn the_recipient_rating_an_anonymous_donor_names_neither_but_to_themself() {
        let r = rating(true, false);
        let all = (Some(r.donation_id), Some(r.rater_id), Some(r.ratee_id));
        assert_eq!(seen(&r, Some(user(r.donor_id))), all);
        assert_eq!(
            seen(&r, Some(user(r.rater_id))),
            (None, Some(r.rater_id), None),
            "the recipient sees their own id, not the donor's"
        );
        assert_eq!(seen(&r, Some(user(Uuid::new_v4()))), (None, None, None));
        assert_eq!(seen(&r, None), (None, None, None));
    }

    #[test]
    fn a_named_donors_rating_is_seen_whole_by_all() {
        for donor_rates in [true, false] {
            let r = rating(false, donor_rates);
            let all = (Some(r.donation_id), Some(r.rater_id), Some(r.ratee_id));
            assert_eq!(seen(&r, None), all);
            assert_eq!(seen(&r, Some(user(Uuid::new_v4()))), all);
        }
    }
}
