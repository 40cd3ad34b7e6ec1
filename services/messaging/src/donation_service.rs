//! The one synchronous call between services (docs/api.md, `POST /messages`):
//! a donation's two parties from donation-service (`GET
//! /donations/{id}/parties`), to check that a message with a donation context
//! is between its donor and its recipient, and that the recipient of an
//! anonymous donation only answers ([`Parties::may_write`]).
//!
//! Each call carries a token good for that one read of that one donation for
//! seconds (`hearth_core::auth::DONATION_PARTIES_READ`), not a staff-equivalent
//! `service_role` token: captured, it can read one donation's parties, and
//! nothing else.
//!
//! Guarded so that a slow or dead donation-service cannot tie up requests:
//! each attempt has a short timeout; a failed read is retried once (a `GET`
//! is idempotent); after [`OPEN_AFTER`] failures in a row the circuit opens
//! and calls fail at once for [`COOL_DOWN`]; then one trial call decides
//! whether it closes again.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use hearth_core::auth::{ServiceTokenKey, DONATION_PARTIES_READ};
use reqwest::StatusCode;
use serde::Deserialize;
use uuid::Uuid;

/// Failures in a row that open the circuit.
pub const OPEN_AFTER: u32 = 5;
/// How long an open circuit refuses calls before a trial.
pub const COOL_DOWN: Duration = Duration::from_secs(5);
/// Attempts per read: the first and one retry.
const ATTEMPTS: u32 = 2;
const RETRY_PAUSE: Duration = Duration::from_millis(100);

/// Who signs the calls, in donation-service's logs.
const ISSUER: &str = "hearth:messaging-service";

/// The two parties of a donation, as donation-service knows them (the
/// donor too when anonymous: the check needs them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub struct Parties {
    pub donor_id: Option<Uuid>,
    /// Null until the campaign or request accepted the donation.
    pub recipient_id: Option<Uuid>,
    /// A donation-service that predates the flag does not say: then the
    /// donor is taken to be anonymous, which only makes the recipient wait
    /// for the donor's first message.
    #[serde(default = "unknown_is_anonymous")]
    pub anonymous: bool,
}

fn unknown_is_anonymous() -> bool {
    true
}

impl Parties {
    /// Whether `sender` may write to `recipient` about this donation: its
    /// donor and its recipient, either way round — except that the recipient
    /// of an anonymous donation may only answer, once `donor_wrote` to them
    /// about it. Before, they do not know who the donor is, and being let
    /// through to a guess but not to anyone else would tell them.
    pub fn may_write(&self, sender: Uuid, recipient: Uuid, donor_wrote: bool) -> bool {
        let (Some(donor), Some(donation_recipient)) = (self.donor_id, self.recipient_id) else {
            return false;
        };
        let donor_to_recipient = (sender, recipient) == (donor, donation_recipient);
        let recipient_to_donor = (sender, recipient) == (donation_recipient, donor);
        donor_to_recipient || (recipient_to_donor && (!self.anonymous || donor_wrote))
    }
}

/// donation-service could not answer.
#[derive(Debug, thiserror::Error)]
pub enum Unavailable {
    #[error("donation-service did not answer: {0}")]
    Failed(String),
    #[error("donation-service failed repeatedly; not asking again for a few seconds")]
    CircuitOpen,
}

#[derive(Debug, Clone)]
pub struct DonationService {
    http: reqwest::Client,
    base_url: String,
    tokens: ServiceTokenKey,
    breaker: Arc<Mutex<Breaker>>,
}

impl DonationService {
    pub fn new(base_url: &str, timeout: Duration, tokens: ServiceTokenKey) -> anyhow::Result<Self> {
        let http = hearth_core::service_client::client(timeout)?;
        Ok(Self {
            http,
            base_url: base_url.trim_end_matches('/').to_owned(),
            tokens,
            breaker: Arc::new(Mutex::new(Breaker::default())),
        })
    }

    /// The donation's parties; `None` if donation-service has no such donation.
    pub async fn parties(&self, donation_id: Uuid) -> Result<Option<Parties>, Unavailable> {
        if !self.breaker().allows(Instant::now()) {
            return Err(Unavailable::CircuitOpen);
        }
        let mut last_error = String::new();
        for attempt in 0..ATTEMPTS {
            if attempt > 0 {
                tokio::time::sleep(RETRY_PAUSE).await;
            }
            match self.fetch(donation_id).await {
                Ok(parties) => {
                    self.breaker().succeeded();
                    return Ok(parties);
                }
                Err(err) => last_error = err,
            }
        }
        self.breaker().failed(Instant::now());
        Err(Unavailable::Failed(last_error))
    }

    fn breaker(&self) -> std::sync::MutexGuard<'_, Breaker> {
        // A panic while holding this lock cannot leave the breaker inconsistent.
        self.breaker
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    async fn fetch(&self, donation_id: Uuid) -> Result<Option<Parties>, String> {
        let token = self
            .tokens
            .mint(ISSUER, &DONATION_PARTIES_READ, donation_id)
            .map_err(|e| e.to_string())?;
        let response = self
            .http
            .get(format!("{}/donations/{donation_id}/parties", self.base_url))
            .bearer_auth(token)
            .send()
            .await
            .map_err(|e| e.to_string())?;
        match response.status() {
            StatusCode::OK => response
                .json::<Parties>()
                .await
                .map(Some)
                .map_err(|e| e.to_string()),
            StatusCode::NOT_FOUND => Ok(None),
            status => Err(format!("answered {status}")),
        }
    }
}

/// Closed (calls go through), open (calls fail at once), or trial (one call
/// goes through to decide).
#[derive(Debug, Default)]
struct Breaker {
    failures: u32,
    open_until: Option<Instant>,
    /// When the trial under way began; see [`Breaker::allows`].
    trial_started: Option<Instant>,
}

impl Breaker {
    fn allows(&mut self, now: Instant) -> bool {
        match self.open_until {
            None => true,
            Some(until) if now < until => false,
            // Cooled down: let one trial through, refuse the rest until it
            // ends. A trial never heard of again (its request was dropped or
            // cut off by the request timeout) is given up after a cool-down,
            // or the circuit would stay open until a restart.
            Some(_)
                if self
                    .trial_started
                    .is_some_and(|started| now < started + COOL_DOWN) =>
            {
                false
            }
            Some(_) => {
                self.trial_started = Some(now);
                true
            }
        }
    }

    fn succeeded(&mut self) {
        *self = Breaker::default();
    }

    fn failed(&mut self, now: Instant) {
        self.failures += 1;
        self.trial_started = None;
        if self.failures >= OPEN_AFTER || self.open_until.is_some() {
            self.open_until = Some(now + COOL_DOWN);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_circuit_opens_after_failures_in_a_row_and_a_trial_closes_it() {
        let mut breaker = Breaker::default();
        let now = Instant::now();
        for _ in 0..OPEN_AFTER - 1 {
            assert!(breaker.allows(now));
            breaker.failed(now);
        }
        assert!(breaker.allows(now), "still closed");
        breaker.failed(now);
        assert!(!breaker.allows(now), "open");
        let later = now + COOL_DOWN;
        assert!(breaker.allows(later), "one trial");
        assert!(!breaker.allows(later), "only one");
        breaker.failed(later);
        assert!(!breaker.allows(later), "the trial failed: open again");
        let much_later = later + COOL_DOWN;
        assert!(breaker.allows(much_later));
        breaker.succeeded();
        assert!(
            breaker.allows(much_later) && breaker.allows(much_later),
            "closed"
        );
    }

    #[test]
    fn a_trial_that_never_ends_is_given_up_after_a_cool_down() {
        let mut breaker = Breaker::default();
        let now = Instant::now();
        for _ in 0..OPEN_AFTER {
            breaker.failed(now);
        }
        let trial = now + COOL_DOWN;
        assert!(breaker.allows(trial), "a trial");
        // Its request was dropped: neither succeeded() nor failed() comes.
        assert!(
            !breaker.allows(trial + COOL_DOWN / 2),
            "still waiting for it"
        );
        assert!(breaker.allows(trial + COOL_DOWN), "a new trial");
        breaker.succeeded();
        assert!(breaker.allows(trial + COOL_DOWN), "closed");
    }

    #[test]
    fn a_success_forgets_earlier_failures() {
        let mut breaker = Breaker::default();
        let now = Instant::now();
        for _ in 0..OPEN_AFTER - 1 {
            breaker.failed(now);
        }
        breaker.succeeded();
        breaker.failed(now);
        assert!(breaker.allows(now));
    }

    fn parties(anonymous: bool, recipient_id: Option<Uuid>) -> (Parties, Uuid) {
        let donor = Uuid::new_v4();
        let parties = Parties {
            donor_id: Some(donor),
            recipient_id,
            anonymous,
        };
        (parties, donor)
    }

    #[test]
    fn a_named_donations_parties_write_either_way_round_once_accepted() {
        let recipient = Uuid::new_v4();
        let (named, donor) = parties(false, Some(recipient));
        assert!(named.may_write(donor, recipient, false));
        assert!(named.may_write(recipient, donor, false));
        assert!(!named.may_write(donor, Uuid::new_v4(), true));
        assert!(!named.may_write(Uuid::new_v4(), recipient, true));
        let (pending, donor) = parties(false, None);
        assert!(!pending.may_write(donor, recipient, true));
    }

    #[test]
    fn the_recipient_of_an_anonymous_donation_writes_only_once_the_donor_has() {
        let recipient = Uuid::new_v4();
        let (anonymous, donor) = parties(true, Some(recipient));
        assert!(anonymous.may_write(donor, recipient, false));
        assert!(
            !anonymous.may_write(recipient, donor, false),
            "a right guess"
        );
        assert!(anonymous.may_write(recipient, donor, true), "a reply");
        assert!(!anonymous.may_write(recipient, Uuid::new_v4(), true));
    }

    #[test]
    fn an_answer_without_the_flag_is_anonymous() {
        let (donor, recipient) = (Uuid::new_v4(), Uuid::new_v4());
        let older: Parties = serde_json::from_value(
            serde_json::json!({"donor_id": donor, "recipient_id": recipient}),
        )
        .expect("parties");
        assert!(older.anonymous);
        assert!(!older.may_write(recipient, donor, false));
    }
}
