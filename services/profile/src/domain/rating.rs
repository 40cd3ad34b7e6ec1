use chrono::{DateTime, Utc};
use hearth_core::auth::Caller;
use hearth_core::validation::Validator;
use hearth_core::ApiError;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

pub const COMMENT_MAX_CHARS: usize = 1_000;

/// API.md's `Rating`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema, sqlx::FromRow)]
pub struct Rating {
    pub id: Uuid,
    pub donation_id: Uuid,
    pub rater_id: Uuid,
    pub ratee_id: Uuid,
    /// 1–5.
    pub score: i16,
    pub comment: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// A donation that went through, as profile-service learnt it from
/// `donation.confirmed` (money) or `donation.completed` (items).
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::FromRow)]
pub struct Exchange {
    pub donor_id: Uuid,
    pub recipient_id: Uuid,
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
pub struct CreateRating {
    pub donation_id: Uuid,
    /// 1–5.
    pub score: i16,
    /// At most 1 000 characters.
    pub comment: Option<String>,
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
            (1..=5).contains(&self.score),
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
        };
        assert!(ratee_for(&alone, alone.donor_id).is_err());
    }
}
